/* Decoding the helper's replies into structs: pure functions over a buffer
 * and its length, no output (print.h prints them, as text or JSON). They
 * never read past the buffer, whatever the device sent, and are fuzzed. */
#ifndef PRH_CLIENT_DECODE_H
#define PRH_CLIENT_DECODE_H

#include <stddef.h>
#include <stdint.h>

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

/* How much of a 96-byte sense buffer the device filled in. */
size_t prh_sense_length(const uint8_t sense[PRH_SENSE_SIZE]);

/* ---- PR IN payloads ---------------------------------------------------- */

/* REPORT CAPABILITIES. */
#define PRH_CAP_FLAGS 7 /* RLR_C, CRH, SIP_C, ATP_C, PTPL_C, TMV, PTPL_A */
#define PRH_CAP_TYPES 6 /* types 7, 6, 5, 3, 1, 8: the type mask's bits */
struct prh_pr_caps {
    unsigned length;
    int flags[PRH_CAP_FLAGS];
    unsigned allow_commands;
    int have_mask;                /* the reply reached the type mask */
    unsigned type_mask;
    int type_set[PRH_CAP_TYPES];  /* for prh_cap_types[] */
};
extern const unsigned prh_cap_types[PRH_CAP_TYPES];

/* READ RESERVATION. */
struct prh_pr_reservation {
    int held;     /* additional length non-zero */
    int complete; /* key, scope and type present */
    uint64_t key;
    unsigned scope, type;
};

/* One READ FULL STATUS descriptor; tid points into the payload. */
struct prh_pr_descriptor {
    uint64_t key;
    int all_tg_pt, holder;
    unsigned scope, type, relative_port;
    const uint8_t *tid;
    size_t tid_have;  /* bytes of the transport id present */
    uint32_t tid_len; /* bytes the descriptor announces */
};

enum prh_pr_in_kind {
    PRH_PR_IN_CAPABILITIES,
    PRH_PR_IN_KEYS,
    PRH_PR_IN_RESERVATION,
    PRH_PR_IN_FULL_STATUS,
    PRH_PR_IN_SHORT,   /* too short for the 8-byte header */
    PRH_PR_IN_UNKNOWN, /* a service action beyond READ FULL STATUS */
};

struct prh_pr_in {
    enum prh_pr_in_kind kind;
    int truncated; /* the allocation length cut the payload short */
    const uint8_t *data;
    size_t len;
    uint32_t generation;
    size_t avail; /* payload bytes after the header, as announced and present */
    union {
        struct prh_pr_caps caps;
        struct {
            uint32_t announced; /* keys the device has */
            size_t count;       /* keys present, at data + 8 */
        } keys;
        struct prh_pr_reservation reservation;
        size_t descriptors; /* READ FULL STATUS: how many (complete headers) */
    } u;
};

/* Decodes the PR IN payload of service action sa. */
void prh_pr_in_decode(unsigned sa, const uint8_t *data, size_t len, struct prh_pr_in *out);

/* Key number i of a READ KEYS payload (i < keys.count). */
uint64_t prh_pr_in_key(const struct prh_pr_in *in, size_t i);

/* Walks READ FULL STATUS descriptors: *pos starts at 0; 1 with *d filled
 * while one is there, 0 at the end. */
int prh_pr_in_descriptor(const struct prh_pr_in *in, size_t *pos, struct prh_pr_descriptor *d);

#endif
