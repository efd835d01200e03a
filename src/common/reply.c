#include "reply.h"

int prh_reply_allowed(const uint8_t cdb[PRH_CDB_SIZE], uint32_t xfer_len, int32_t status,
                      uint32_t size)
{
    if (status < 0 || status > 0xff || size > PRH_DATA_MAX)
        return -1;
    if (cdb[0] == PRH_OP_PR_IN && status == 0)
        return size <= xfer_len ? 0 : -1;
    return size == 0 ? 0 : -1;
}
