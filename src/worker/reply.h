/* Checks a monitor reply against what QEMU's client asserts, so that no
 * reply this helper sends can abort a VM, whoever produced it. */
#ifndef PRH_REPLY_H
#define PRH_REPLY_H

#include <stddef.h>
#include <stdint.h>

#include "ipc.h"

/* record/len: one PRH_IPC_REPLY record as received. 0 when it is well
 * formed for a request with this CDB and transfer length, else -1. */
int prh_reply_check(const uint8_t cdb[PRH_CDB_SIZE], uint32_t xfer_len,
                    const uint8_t *record, size_t len);

#endif
