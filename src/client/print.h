/* Printing decoded replies (decode.h): one printer for people, one for
 * JSON. Only what the buffer holds is printed, whatever the device sent. */
#ifndef PRH_CLIENT_PRINT_H
#define PRH_CLIENT_PRINT_H

#include <stdint.h>
#include <stdio.h>

#include "decode.h"

const char *prh_status_name(int32_t status);
const char *prh_sense_key_name(unsigned key);
/* Name of a PR type (1 "Write Exclusive", ...), "reserved" otherwise. */
const char *prh_pr_type_name(unsigned type);

/* Prints a whole reply to cdb: status, sense, and decoded PR IN data
 * (hex only when raw). With json, one object and a newline. */
void prh_print_reply(const char *command, const uint8_t cdb[PRH_CDB_SIZE],
                     const struct prh_client_reply *r, int raw, FILE *out, int json);

#endif
