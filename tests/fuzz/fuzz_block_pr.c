/* Fuzzes the translation to the block layer's PR ioctls (block_pr.c).
 * Input: a 16-byte CDB, then the PR OUT parameter list. The same bytes
 * also stand for what the kernel might return (status, keys, reservation)
 * so the PR IN payload builders see any value. Checked: a planned call is
 * one of the six PR OUT ioctls with a 24-byte list and a valid type where
 * one is used (a preempt's TYPE 0 passes as 0); a refusal is one of the documented senses; a payload never
 * exceeds its allocation length or the buffer. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "block_pr.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static uint8_t out[PRH_DATA_MAX + 16];
    static uint64_t keys[(PRH_DATA_MAX - 8) / 8];
    uint8_t cdb[PRH_CDB_SIZE];
    struct prh_block_call call;
    struct prh_sense refusal;

    if (size < sizeof(cdb) || size - sizeof(cdb) > PRH_DATA_MAX)
        return 0;
    memcpy(cdb, data, sizeof(cdb));
    const uint8_t *param = data + sizeof(cdb);
    uint32_t len = (uint32_t)(size - sizeof(cdb));

    if (prh_block_plan_pr_out(cdb, param, len, &call, &refusal) == 0) {
        uint8_t sa = cdb[1] & 0x1f;
        if (len != 24 || sa > PRH_PROUT_REGISTER_IGNORE)
            abort();
        switch (call.request) {
        case IOC_PR_REGISTER:
        case IOC_PR_CLEAR:
            break;
        case IOC_PR_RESERVE:
        case IOC_PR_RELEASE:
            if (call.arg.rsv.type < 1 || call.arg.rsv.type > 6 || (cdb[2] >> 4) != 0)
                abort();
            break;
        case IOC_PR_PREEMPT:
        case IOC_PR_PREEMPT_ABORT:
            /* type 0 only for SCSI's TYPE 0, which the device judges */
            if (call.arg.preempt.type > 6 || (call.arg.preempt.type == 0) != ((cdb[2] & 0x0f) == 0))
                abort();
            break;
        default:
            abort();
        }
    } else if (refusal.key != 5 ||
               (refusal.asc != 0x24 && refusal.asc != 0x26 && refusal.asc != 0x1a) ||
               refusal.ascq != 0) {
        abort();
    }

    /* The kernel's side, from the same bytes. */
    struct prh_sense code;
    int rc = (int)prh_get_be32(cdb);
    int status = prh_block_status(rc, (int)cdb[4], &code);
    if (status != PRH_GOOD && status != PRH_CHECK_CONDITION && status != PRH_BUSY &&
        status != PRH_RESERVATION_CONFLICT && status != PRH_TASK_SET_FULL)
        abort();

    uint32_t alloc = prh_cdb_xfer_len(cdb) % (PRH_DATA_MAX + 1);
    uint32_t total = prh_get_be32(cdb + 9);
    uint32_t have = prh_block_keys_wanted(alloc);
    if (have > sizeof(keys) / sizeof(keys[0]))
        abort();
    memset(keys, 0, have * sizeof(keys[0]));
    memcpy(keys, param, len < have * sizeof(keys[0]) ? len : have * sizeof(keys[0]));
    memset(out + alloc, 0xa5, 16);
    uint32_t n = prh_block_read_keys_data(cdb[13], total, keys, have, out, alloc);
    if (n > alloc || (n < alloc && n != 8 + 8 * (have < total ? have : total)))
        abort();
    for (int i = 0; i < 16; i++)
        if (out[alloc + i] != 0xa5)
            abort();

    struct pr_read_reservation r = {prh_get_be32(cdb + 1), cdb[5], cdb[14]};
    int m = prh_block_read_reservation_data(&r, out, alloc);
    if (m > (int)alloc || (m < 0 && prh_scsi_type_from_block(r.type) != 0) || out[alloc] != 0xa5)
        abort();
    prh_block_mask_capabilities(out, n);
    return 0;
}
