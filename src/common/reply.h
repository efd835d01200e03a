/* Which replies may go to a client: what QEMU's client assert()s (a reply
 * that breaks it aborts the VM), stated once. The monitor checks every
 * answer it sends against it. */
#ifndef PRH_REPLY_H
#define PRH_REPLY_H

#include <stdint.h>

#include "proto.h"

/* One command's answer, as the helper sends it: a status, its sense, and
 * a GOOD PR IN's data. */
struct prh_answer {
    int32_t status;
    uint8_t sense[PRH_SENSE_SIZE];
    uint32_t data_len;
    uint8_t data[PRH_DATA_MAX];
};

/* QEMU (scsi/pr-manager-helper.c): resp.sz <= dxfer_len for PR IN,
 * resp.sz == 0 otherwise. Stricter here: the status is a SCSI status
 * byte, and only a GOOD PR IN carries data, at most the allocation
 * length (xfer_len) and PRH_DATA_MAX. Returns 0 when a reply with this
 * status and payload size fits the request, else -1. */
int prh_reply_allowed(const uint8_t cdb[PRH_CDB_SIZE], uint32_t xfer_len, int32_t status,
                      uint32_t size);

#endif
