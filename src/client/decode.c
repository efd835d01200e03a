#include "decode.h"

#include <string.h>

#include "reply.h"
#include "scsi.h"

int prh_client_decode_reply_header(const uint8_t cdb[PRH_CDB_SIZE],
                                   const uint8_t *buf, size_t len,
                                   struct prh_client_reply *out)
{
    if (len < PRH_REPLY_HEADER_SIZE)
        return PRH_DECODE_INCOMPLETE;
    out->status = (int32_t)prh_get_be32(buf);
    out->size = prh_get_be32(buf + 4);
    memcpy(out->sense, buf + 8, PRH_SENSE_SIZE);
    out->data = NULL;
    if (prh_reply_allowed(cdb, prh_cdb_xfer_len(cdb), out->status, out->size) < 0)
        return PRH_DECODE_MALFORMED;
    return PRH_DECODE_OK;
}

int prh_client_decode_reply(const uint8_t cdb[PRH_CDB_SIZE], const uint8_t *buf,
                            size_t len, struct prh_client_reply *out)
{
    int rc = prh_client_decode_reply_header(cdb, buf, len, out);
    if (rc != PRH_DECODE_OK)
        return rc;
    /* Subtract rather than add: no overflow whatever size says. */
    if (len - PRH_REPLY_HEADER_SIZE < out->size)
        return PRH_DECODE_INCOMPLETE;
    if (len - PRH_REPLY_HEADER_SIZE > out->size)
        return PRH_DECODE_MALFORMED;
    out->data = buf + PRH_REPLY_HEADER_SIZE;
    return PRH_DECODE_OK;
}

size_t prh_sense_length(const uint8_t sense[PRH_SENSE_SIZE])
{
    unsigned code = sense[0] & 0x7f;
    if (code < 0x70 || code > 0x73)
        return 18;
    size_t n = 8 + (size_t)sense[7];
    return n < PRH_SENSE_SIZE ? n : PRH_SENSE_SIZE;
}

/* The type mask's bits in SPC order: {type, byte, bit}. */
static const uint8_t mask_bits[PRH_CAP_TYPES][3] = {
    {7, 4, 7}, {6, 4, 6}, {5, 4, 5}, {3, 4, 3}, {1, 4, 1}, {8, 5, 0},
};
const unsigned prh_cap_types[PRH_CAP_TYPES] = {7, 6, 5, 3, 1, 8};

/* Sets truncated: 1 below 4 bytes (nothing decoded) or below 6 (no mask). */
static void decode_capabilities(const uint8_t *data, size_t len, struct prh_pr_in *in)
{
    struct prh_pr_caps *c = &in->u.caps;

    in->truncated = len < 6;
    if (len < 4)
        return;
    c->length = prh_get_be16(data);
    c->flags[0] = data[2] >> 7 & 1;
    c->flags[1] = data[2] >> 4 & 1;
    c->flags[2] = data[2] >> 3 & 1;
    c->flags[3] = data[2] >> 2 & 1;
    c->flags[4] = data[2] & 1;
    c->flags[5] = data[3] >> 7 & 1;
    c->flags[6] = data[3] & 1;
    c->allow_commands = data[3] >> 4 & 7;
    c->have_mask = len >= 6;
    if (!c->have_mask)
        return;
    c->type_mask = prh_get_be16(data + 4);
    for (int i = 0; i < PRH_CAP_TYPES; i++)
        c->type_set[i] = data[mask_bits[i][1]] >> mask_bits[i][2] & 1;
}

int prh_pr_in_descriptor(const struct prh_pr_in *in, size_t *pos, struct prh_pr_descriptor *d)
{
    if (in->kind != PRH_PR_IN_FULL_STATUS || *pos >= in->avail || in->avail - *pos < 24)
        return 0;
    const uint8_t *p = in->data + 8 + *pos;
    size_t left = in->avail - *pos;
    d->key = prh_get_be64(p);
    d->all_tg_pt = p[12] >> 1 & 1;
    d->holder = p[12] & 1;
    d->scope = p[13] >> 4;
    d->type = p[13] & 0x0f;
    d->relative_port = prh_get_be16(p + 18);
    d->tid_len = prh_get_be32(p + 20);
    d->tid_have = left - 24 < d->tid_len ? left - 24 : d->tid_len;
    d->tid = p + 24;
    /* A transport id cut short ends the walk: what follows is not there. */
    *pos = d->tid_have < d->tid_len ? in->avail : *pos + 24 + d->tid_have;
    return 1;
}

/* Counts the descriptors; truncated when one is cut short, or a partial
 * descriptor (nothing useful in it) is left over. */
static void decode_full_status(struct prh_pr_in *in)
{
    struct prh_pr_descriptor d;
    size_t pos = 0;

    while (prh_pr_in_descriptor(in, &pos, &d)) {
        in->u.descriptors++;
        if (d.tid_have < d.tid_len)
            in->truncated = 1;
    }
    if (pos < in->avail)
        in->truncated = 1;
}

void prh_pr_in_decode(unsigned sa, const uint8_t *data, size_t len, struct prh_pr_in *in)
{
    memset(in, 0, sizeof(*in));
    in->data = data;
    in->len = len;
    if (sa == PRH_PRIN_REPORT_CAPABILITIES) {
        in->kind = PRH_PR_IN_CAPABILITIES;
        decode_capabilities(data, len, in);
        return;
    }
    if (sa > PRH_PRIN_READ_FULL_STATUS) {
        in->kind = PRH_PR_IN_UNKNOWN;
        return;
    }
    /* The 8-byte header READ KEYS, READ RESERVATION and READ FULL STATUS
     * share: generation and additional length. */
    if (len < 8) {
        in->kind = PRH_PR_IN_SHORT;
        in->truncated = 1;
        return;
    }
    uint32_t addl = prh_get_be32(data + 4);
    in->generation = prh_get_be32(data);
    in->avail = len - 8 < addl ? len - 8 : addl;
    in->truncated = len - 8 < addl;
    switch (sa) {
    case PRH_PRIN_READ_KEYS:
        in->kind = PRH_PR_IN_KEYS;
        in->u.keys.announced = addl / 8;
        in->u.keys.count = in->avail / 8;
        break;
    case PRH_PRIN_READ_RESERVATION: {
        struct prh_pr_reservation *r = &in->u.reservation;
        in->kind = PRH_PR_IN_RESERVATION;
        /* An additional length of 0 means no reservation; a holder needs
         * the key (bytes 8-15) and scope/type (byte 21). */
        r->held = addl != 0;
        r->complete = in->avail >= 14;
        if (r->held && r->complete) {
            r->key = prh_get_be64(data + 8);
            r->scope = data[21] >> 4;
            r->type = data[21] & 0x0f;
        }
        in->truncated |= r->held && !r->complete;
        break;
    }
    default:
        in->kind = PRH_PR_IN_FULL_STATUS;
        decode_full_status(in);
        break;
    }
}

uint64_t prh_pr_in_key(const struct prh_pr_in *in, size_t i)
{
    return prh_get_be64(in->data + 8 + 8 * i);
}
