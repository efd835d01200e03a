/* QEMU's pr-manager-helper wire protocol (docs/interop/pr-helper.rst).
 * Every integer on the client socket is big-endian. */
#ifndef PRH_PROTO_H
#define PRH_PROTO_H

#include <stddef.h>
#include <stdint.h>

#define PRH_CDB_SIZE 16
#define PRH_SENSE_SIZE 96
#define PRH_DATA_MAX 8192

/* The 4-byte feature words of the handshake. No QEMU release or branch
 * defines a feature bit: the helper advertises none, and a client that
 * requests any is closed, as qemu-pr-helper does. A bit a later QEMU may
 * define is not ours to claim. */
#define PRH_FEATURES_SUPPORTED 0u

/* The only opcodes a client may send. */
#define PRH_OP_PR_IN 0x5e
#define PRH_OP_PR_OUT 0x5f

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

static inline uint64_t prh_get_be64(const uint8_t *p)
{
    return (uint64_t)prh_get_be32(p) << 32 | prh_get_be32(p + 4);
}

static inline uint16_t prh_get_be16(const uint8_t *p)
{
    return (uint16_t)(p[0] << 8 | p[1]);
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

/* The shape of a request as QEMU's client sends it, stated once for the
 * worker (which reads it from the client) and the monitor (which checks the
 * worker's copy): the opcode is PR IN or PR OUT; the transfer length is
 * CDB bytes 7-8 and at most PRH_DATA_MAX; only PR OUT is followed by a
 * parameter list, exactly that long. On OK, *xfer_len and *param_len are
 * set. */
enum prh_shape { PRH_SHAPE_OK, PRH_SHAPE_BAD_OPCODE, PRH_SHAPE_BAD_LENGTH };
enum prh_shape prh_request_shape(const uint8_t cdb[PRH_CDB_SIZE], uint32_t *xfer_len,
                                 uint32_t *param_len);

/* Encodes a reply header into out[PRH_REPLY_HEADER_SIZE]. */
void prh_reply_header_encode(uint8_t *out, int32_t status, uint32_t size,
                             const uint8_t sense[PRH_SENSE_SIZE]);

#endif
