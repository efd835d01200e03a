#include "reply.h"

#include <string.h>

int prh_reply_check(const uint8_t cdb[PRH_CDB_SIZE], uint32_t xfer_len,
                    const uint8_t *record, size_t len)
{
    struct prh_ipc_reply r;

    if (len < sizeof(r))
        return -1;
    memcpy(&r, record, sizeof(r));
    if (r.type != PRH_IPC_REPLY || r.status < 0 || r.status > 0xff)
        return -1;
    if (r.data_len > PRH_DATA_MAX || len != sizeof(r) + r.data_len)
        return -1;
    /* QEMU: assert(resp.sz <= dxfer_len) for PR IN, resp.sz == 0 otherwise. */
    if (cdb[0] == PRH_OP_PR_IN && r.status == 0)
        return r.data_len <= xfer_len ? 0 : -1;
    return r.data_len == 0 ? 0 : -1;
}
