/* Parsing and printing the helper's replies. Pure functions over a buffer
 * and its length (no globals, no I/O but the FILE given), so they can be
 * fuzzed on their own. */
#ifndef PRH_CLIENT_DECODE_H
#define PRH_CLIENT_DECODE_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "proto.h"

enum {
    PRH_DECODE_OK = 0,
    PRH_DECODE_INCOMPLETE = -1, /* fewer bytes than the header announces */
    PRH_DECODE_MALFORMED = -2,  /* a reply QEMU's client would assert on */
};

struct prh_client_reply {
    int32_t status;
    uint32_t size;
    uint8_t sense[PRH_SENSE_SIZE];
    const uint8_t *data; /* size bytes inside the decoded buffer */
};

/* Decodes the header of the reply to cdb from buf[0..len). Checks status
 * and payload size by the rule the helper keeps (src/common/reply.h: what
 * QEMU asserts, and data only with GOOD). Leaves out->data NULL. */
int prh_client_decode_reply_header(const uint8_t cdb[PRH_CDB_SIZE],
                                   const uint8_t *buf, size_t len,
                                   struct prh_client_reply *out);

/* Decodes a whole reply (header and payload, nothing more) to cdb. */
int prh_client_decode_reply(const uint8_t cdb[PRH_CDB_SIZE], const uint8_t *buf,
                            size_t len, struct prh_client_reply *out);

const char *prh_status_name(int32_t status);
const char *prh_sense_key_name(unsigned key);
/* Name of a PR type (1 "Write Exclusive", ...), "reserved" otherwise. */
const char *prh_pr_type_name(unsigned type);

/* Prints PR IN data of service action sa. Human text, or with json the
 * members of an enclosing object, each preceded by a comma. Never reads
 * past data[len); notes truncation. Returns 1 if truncated, else 0. */
int prh_decode_pr_in(unsigned sa, const uint8_t *data, size_t len, FILE *out,
                     int json);

/* Prints a whole reply to cdb: status, sense, and decoded PR IN data
 * (hex only when raw). With json, one object and a newline. */
void prh_print_reply(const char *command, const uint8_t cdb[PRH_CDB_SIZE],
                     const struct prh_client_reply *r, int raw, FILE *out, int json);

#endif
