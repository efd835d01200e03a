#include "proto.h"

#include <string.h>

void prh_reply_header_encode(uint8_t *out, int32_t status, uint32_t size,
                             const uint8_t sense[PRH_SENSE_SIZE])
{
    prh_put_be32(out, (uint32_t)status);
    prh_put_be32(out + 4, size);
    memcpy(out + 8, sense, PRH_SENSE_SIZE);
}

enum prh_shape prh_request_shape(const uint8_t cdb[PRH_CDB_SIZE], uint32_t *xfer_len,
                                 uint32_t *param_len)
{
    uint8_t op = cdb[0];

    if (op != PRH_OP_PR_IN && op != PRH_OP_PR_OUT)
        return PRH_SHAPE_BAD_OPCODE;
    uint32_t xfer = prh_cdb_xfer_len(cdb);
    if (xfer > PRH_DATA_MAX)
        return PRH_SHAPE_BAD_LENGTH;
    *xfer_len = xfer;
    *param_len = op == PRH_OP_PR_OUT ? xfer : 0;
    return PRH_SHAPE_OK;
}
