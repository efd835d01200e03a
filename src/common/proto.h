/* QEMU's pr-manager-helper wire protocol (docs/interop/pr-helper.rst).
 * Every integer on the client socket is big-endian. */
#ifndef PRH_PROTO_H
#define PRH_PROTO_H

#include <stddef.h>
#include <stdint.h>

#define PRH_CDB_SIZE 16
#define PRH_SENSE_SIZE 96
#define PRH_DATA_MAX 8192

/* Feature bits exchanged in the 4-byte handshake. */
#define PRH_FEATURE_CLEANUP 0x1u
#define PRH_FEATURES_SUPPORTED PRH_FEATURE_CLEANUP

/* Opcodes a client may send. 0xFF is vendor-specific, only with CLEANUP. */
#define PRH_OP_PR_IN 0x5e
#define PRH_OP_PR_OUT 0x5f
#define PRH_OP_CLEANUP 0xff

/* Reply header: int32 status, uint32 payload size, sense. Payload follows. */
#define PRH_REPLY_HEADER_SIZE (4 + 4 + PRH_SENSE_SIZE)

static inline uint32_t prh_get_be32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static inline void prh_put_be32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 24);
    p[1] = (uint8_t)(v >> 16);
    p[2] = (uint8_t)(v >> 8);
    p[3] = (uint8_t)v;
}

static inline uint16_t prh_get_be16(const uint8_t *p)
{
    return (uint16_t)(p[0] << 8 | p[1]);
}

/* Value of one hex digit, or -1: for the CLI and test clients, which
 * take CDBs, keys and parameter lists in hex. */
static inline int prh_hex_digit(int c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* The transfer length QEMU's client uses for both opcodes: CDB bytes 7-8. */
static inline uint32_t prh_cdb_xfer_len(const uint8_t cdb[PRH_CDB_SIZE])
{
    return prh_get_be16(&cdb[7]);
}

/* SPC's PR OUT parameter list length is bytes 5-8; QEMU sends only 7-8. */
static inline int prh_pr_out_length_high_set(const uint8_t cdb[PRH_CDB_SIZE])
{
    return cdb[5] != 0 || cdb[6] != 0;
}

/* Encodes a reply header into out[PRH_REPLY_HEADER_SIZE]. */
void prh_reply_header_encode(uint8_t *out, int32_t status, uint32_t size,
                             const uint8_t sense[PRH_SENSE_SIZE]);

#endif
