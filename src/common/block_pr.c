#include "block_pr.h"

#include <errno.h>
#include <string.h>

/* A positive ioctl result is a SCSI result as sd reports it: host byte
 * << 16 | status byte. Before Linux 6.2 that is the midlayer's own (a
 * conflict shows as DID_NEXUS_FAILURE with status 0x18); from 6.2 a
 * pr.h PR_STS_* value, in the same layout (RESERVATION_CONFLICT 0x18,
 * IOERR 0x2, the path failures a host byte). */
#define RESULT_HOST(rc) (((unsigned)(rc) >> 16) & 0xff)
#define RESULT_STATUS(rc) ((unsigned)(rc) & 0xff)

#define PARAM_LIST_LEN 24
#define FLAG_SPEC_I_PT 0x08 /* parameter list byte 20 */
#define FLAG_ALL_TG_PT 0x04
#define SCOPE_LU 0
#define CAP_SIP_C 0x08 /* REPORT CAPABILITIES byte 2 */
#define CAP_ATP_C 0x04

static const uint8_t scsi_types[] = {0, 1, 3, 5, 6, 7, 8}; /* indexed by pr_type */

uint32_t prh_block_type_from_scsi(uint8_t scsi_type)
{
    for (uint32_t t = 1; t < sizeof(scsi_types); t++)
        if (scsi_types[t] == scsi_type)
            return t;
    return 0;
}

uint8_t prh_scsi_type_from_block(uint32_t block_type)
{
    return block_type < sizeof(scsi_types) ? scsi_types[block_type] : 0;
}

static int refuse(struct prh_sense *refusal, struct prh_sense code)
{
    *refusal = code;
    return -1;
}

int prh_block_plan_pr_out(const uint8_t cdb[PRH_CDB_SIZE], const uint8_t *param,
                          uint32_t param_len, struct prh_block_call *call,
                          struct prh_sense *refusal)
{
    uint8_t sa = cdb[1] & 0x1f;
    uint8_t scope = cdb[2] >> 4;
    uint32_t type = prh_block_type_from_scsi(cdb[2] & 0x0f);

    if (sa > PRH_PROUT_REGISTER_IGNORE)
        return refuse(refusal, PRH_SENSE_INVALID_FIELD); /* incl. REGISTER AND MOVE */
    if (param_len < PARAM_LIST_LEN)
        return refuse(refusal, PRH_SENSE_PARAM_LIST_LENGTH);
    uint8_t flags = param[20];
    if (flags & FLAG_SPEC_I_PT)
        return refuse(refusal, PRH_SENSE_INVALID_PARAM);
    if (param_len != PARAM_LIST_LEN)
        return refuse(refusal, PRH_SENSE_PARAM_LIST_LENGTH);

    uint64_t key = prh_get_be64(param), sa_key = prh_get_be64(param + 8);
    int registers = sa == PRH_PROUT_REGISTER || sa == PRH_PROUT_REGISTER_IGNORE;
    int reserves = !registers && sa != PRH_PROUT_CLEAR;
    if (registers && (flags & FLAG_ALL_TG_PT))
        return refuse(refusal, PRH_SENSE_INVALID_PARAM);
    /* PREEMPT with TYPE 0 (QEMU 11.0 sends it while migrating a guest
     * that holds no reservation) goes through as pr.h type 0, which sd
     * sends as SCSI type 0: the device answers it, as through SG_IO. */
    int preempts = sa == PRH_PROUT_PREEMPT || sa == PRH_PROUT_PREEMPT_AND_ABORT;
    int type_zero = (cdb[2] & 0x0f) == 0;
    if (reserves && (scope != SCOPE_LU || (type == 0 && !(preempts && type_zero))))
        return refuse(refusal, PRH_SENSE_INVALID_FIELD);

    memset(call, 0, sizeof(*call));
    switch (sa) {
    case PRH_PROUT_REGISTER:
    case PRH_PROUT_REGISTER_IGNORE:
        call->request = IOC_PR_REGISTER;
        call->arg.reg.old_key = key;
        call->arg.reg.new_key = sa_key;
        call->arg.reg.flags = sa == PRH_PROUT_REGISTER_IGNORE ? PR_FL_IGNORE_KEY : 0;
        break;
    case PRH_PROUT_RESERVE:
    case PRH_PROUT_RELEASE:
        call->request = sa == PRH_PROUT_RESERVE ? IOC_PR_RESERVE : IOC_PR_RELEASE;
        call->arg.rsv.key = key;
        call->arg.rsv.type = type;
        break;
    case PRH_PROUT_CLEAR:
        call->request = IOC_PR_CLEAR;
        call->arg.clear.key = key;
        break;
    default: /* PREEMPT, PREEMPT AND ABORT */
        call->request = sa == PRH_PROUT_PREEMPT ? IOC_PR_PREEMPT : IOC_PR_PREEMPT_ABORT;
        call->arg.preempt.old_key = key;
        call->arg.preempt.new_key = sa_key;
        call->arg.preempt.type = type;
        break;
    }
    return 0;
}

int prh_block_status(int rc, int err, struct prh_sense *code)
{
    if (rc == 0)
        return PRH_GOOD;
    if (rc > 0) {
        if (RESULT_HOST(rc) != 0)
            return prh_status_from_host(RESULT_HOST(rc), code);
        switch (RESULT_STATUS(rc)) {
        case PRH_RESERVATION_CONFLICT:
        case PRH_BUSY:
        case PRH_TASK_SET_FULL:
            return (int)RESULT_STATUS(rc);
        default: /* CHECK CONDITION (PR_STS_IOERR) and the rest: no sense came back */
            *code = PRH_SENSE_LUN_COMM_FAILURE;
            return PRH_CHECK_CONDITION;
        }
    }
    if (err == EAGAIN)
        return PRH_BUSY;
    if (err == EPERM) {
        *code = PRH_SENSE_INVALID_OPCODE;
        return PRH_CHECK_CONDITION;
    }
    return prh_status_from_errno(err, code);
}

uint32_t prh_block_keys_wanted(uint32_t alloc_len)
{
    return alloc_len <= 8 ? 0 : (alloc_len - 8 + 7) / 8;
}

uint32_t prh_block_read_keys_data(uint32_t generation, uint32_t total, const uint64_t *keys,
                                  uint32_t have, uint8_t *out, uint32_t alloc_len)
{
    uint8_t head[8];
    /* The additional length counts every key the device has, shown or
     * not; 2^29 keys would overflow it, no device has that many. */
    uint32_t listed = total > UINT32_MAX / 8 ? UINT32_MAX / 8 : total;
    prh_put_be32(head, generation);
    prh_put_be32(head + 4, listed * 8);

    uint32_t n = alloc_len < sizeof(head) ? alloc_len : (uint32_t)sizeof(head);
    memcpy(out, head, n);
    if (have > total)
        have = total;
    for (uint32_t i = 0; i < have && n < alloc_len; i++) {
        uint8_t k[8];
        prh_put_be32(k, (uint32_t)(keys[i] >> 32));
        prh_put_be32(k + 4, (uint32_t)keys[i]);
        uint32_t part = alloc_len - n < sizeof(k) ? alloc_len - n : (uint32_t)sizeof(k);
        memcpy(out + n, k, part);
        n += part;
    }
    return n;
}

int prh_block_read_reservation_data(const struct pr_read_reservation *r, uint8_t *out,
                                    uint32_t alloc_len)
{
    uint8_t d[24] = {0};
    uint32_t len = 8;

    prh_put_be32(d, r->generation);
    if (r->type != 0) {
        uint8_t type = prh_scsi_type_from_block(r->type);
        if (type == 0)
            return -1;
        prh_put_be32(d + 4, 16);
        prh_put_be32(d + 8, (uint32_t)(r->key >> 32));
        prh_put_be32(d + 12, (uint32_t)r->key);
        d[21] = (uint8_t)(SCOPE_LU << 4 | type);
        len = sizeof(d);
    }
    uint32_t n = alloc_len < len ? alloc_len : len;
    memcpy(out, d, n);
    return (int)n;
}

void prh_block_mask_capabilities(uint8_t *data, uint32_t len)
{
    if (len > 2)
        data[2] &= (uint8_t) ~(CAP_SIP_C | CAP_ATP_C);
}
