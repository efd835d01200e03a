#include "proto.h"

#include <string.h>

void prh_reply_header_encode(uint8_t *out, int32_t status, uint32_t size,
                             const uint8_t sense[PRH_SENSE_SIZE])
{
    prh_put_be32(out, (uint32_t)status);
    prh_put_be32(out + 4, size);
    memcpy(out + 8, sense, PRH_SENSE_SIZE);
}
