/* The translation between SCSI persistent reservations and the block
 * layer's PR ioctls (src/common/block_pr.c): the PR OUT table, its
 * refusals, result mapping and the PR IN payloads built from ioctl data. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <string.h>

#include "block_pr.h"

static uint8_t cdb[PRH_CDB_SIZE];
static uint8_t param[32];

static void put_be64(uint8_t *p, uint64_t v)
{
    prh_put_be32(p, (uint32_t)(v >> 32));
    prh_put_be32(p + 4, (uint32_t)v);
}

/* PR OUT: service action, scope/type byte, keys, flags byte 20. */
static void pr_out(uint8_t sa, uint8_t scope_type, uint64_t key, uint64_t sa_key, uint8_t flags)
{
    memset(cdb, 0, sizeof(cdb));
    memset(param, 0, sizeof(param));
    cdb[0] = PRH_OP_PR_OUT;
    cdb[1] = sa;
    cdb[2] = scope_type;
    cdb[8] = 24;
    put_be64(param, key);
    put_be64(param + 8, sa_key);
    param[20] = flags;
}

static struct prh_block_call plan_ok(uint32_t len)
{
    struct prh_block_call call;
    struct prh_sense refusal = {0xee, 0xee, 0xee};
    assert_int_equal(prh_block_plan_pr_out(cdb, param, len, &call, &refusal), 0);
    return call;
}

static void expect_refusal(uint32_t len, struct prh_sense want)
{
    struct prh_block_call call;
    struct prh_sense refusal = {0xee, 0xee, 0xee};
    assert_int_equal(prh_block_plan_pr_out(cdb, param, len, &call, &refusal), -1);
    assert_memory_equal(&refusal, &want, sizeof(want));
}

static void test_register_and_ignore(void **state)
{
    (void)state;
    pr_out(PRH_PROUT_REGISTER, 0, 0x11, 0x22, 0x01 /* APTPL: ignored */);
    struct prh_block_call c = plan_ok(24);
    assert_true(c.request == IOC_PR_REGISTER);
    assert_true(c.arg.reg.old_key == 0x11 && c.arg.reg.new_key == 0x22);
    assert_int_equal(c.arg.reg.flags, 0);

    pr_out(PRH_PROUT_REGISTER_IGNORE, 0x7f /* ignored for REGISTER */, 0x11, 0x33, 0);
    c = plan_ok(24);
    assert_true(c.request == IOC_PR_REGISTER);
    assert_true(c.arg.reg.new_key == 0x33);
    assert_int_equal(c.arg.reg.flags, PR_FL_IGNORE_KEY);
}

static void test_reserve_release_types(void **state)
{
    (void)state;
    static const uint8_t scsi[] = {1, 3, 5, 6, 7, 8};
    static const uint32_t block[] = {PR_WRITE_EXCLUSIVE, PR_EXCLUSIVE_ACCESS,
                                     PR_WRITE_EXCLUSIVE_REG_ONLY, PR_EXCLUSIVE_ACCESS_REG_ONLY,
                                     PR_WRITE_EXCLUSIVE_ALL_REGS, PR_EXCLUSIVE_ACCESS_ALL_REGS};
    for (size_t i = 0; i < sizeof(scsi); i++) {
        pr_out(PRH_PROUT_RESERVE, scsi[i], 0xabcdef0123456789ull, 0, 0);
        struct prh_block_call c = plan_ok(24);
        assert_true(c.request == IOC_PR_RESERVE);
        assert_true(c.arg.rsv.key == 0xabcdef0123456789ull);
        assert_int_equal(c.arg.rsv.type, block[i]);
        assert_int_equal(prh_scsi_type_from_block(block[i]), scsi[i]);
        pr_out(PRH_PROUT_RELEASE, scsi[i], 5, 0, 0);
        c = plan_ok(24);
        assert_true(c.request == IOC_PR_RELEASE);
        assert_int_equal(c.arg.rsv.type, block[i]);
    }
    for (unsigned t = 0; t < 16; t++)
        if (!memchr(scsi, (int)t, sizeof(scsi))) {
            pr_out(PRH_PROUT_RESERVE, (uint8_t)t, 5, 0, 0);
            expect_refusal(24, PRH_SENSE_INVALID_FIELD);
            assert_int_equal(prh_block_type_from_scsi((uint8_t)t), 0);
        }
    assert_int_equal(prh_scsi_type_from_block(0), 0);
    assert_int_equal(prh_scsi_type_from_block(7), 0);
}

static void test_preempt_clear(void **state)
{
    (void)state;
    pr_out(PRH_PROUT_PREEMPT, 5, 0xb1, 0xa1, 0);
    struct prh_block_call c = plan_ok(24);
    assert_true(c.request == IOC_PR_PREEMPT);
    assert_true(c.arg.preempt.old_key == 0xb1 && c.arg.preempt.new_key == 0xa1);
    assert_int_equal(c.arg.preempt.type, PR_WRITE_EXCLUSIVE_REG_ONLY);
    pr_out(PRH_PROUT_PREEMPT_AND_ABORT, 8, 0xb1, 0xa1, 0);
    c = plan_ok(24);
    assert_true(c.request == IOC_PR_PREEMPT_ABORT);
    assert_int_equal(c.arg.preempt.type, PR_EXCLUSIVE_ACCESS_ALL_REGS);
    /* TYPE 0 reaches the device as type 0 (QEMU 11.0's migration), for
     * both preempts; a type SCSI does not define is still refused. */
    pr_out(PRH_PROUT_PREEMPT, 0, 0xb1, 0xa1, 0);
    c = plan_ok(24);
    assert_true(c.request == IOC_PR_PREEMPT);
    assert_int_equal(c.arg.preempt.type, 0);
    pr_out(PRH_PROUT_PREEMPT_AND_ABORT, 0, 0xb1, 0xa1, 0);
    c = plan_ok(24);
    assert_true(c.request == IOC_PR_PREEMPT_ABORT);
    assert_int_equal(c.arg.preempt.type, 0);
    pr_out(PRH_PROUT_PREEMPT, 2, 0xb1, 0xa1, 0);
    expect_refusal(24, PRH_SENSE_INVALID_FIELD);
    pr_out(PRH_PROUT_RESERVE, 0, 0xb1, 0, 0);
    expect_refusal(24, PRH_SENSE_INVALID_FIELD);
    pr_out(PRH_PROUT_CLEAR, 0, 0xb1, 0, 0);
    c = plan_ok(24);
    assert_true(c.request == IOC_PR_CLEAR);
    assert_true(c.arg.clear.key == 0xb1);
}

static void test_refusals_in_order(void **state)
{
    (void)state;
    pr_out(PRH_PROUT_REGISTER_AND_MOVE, 0, 1, 2, 0);
    expect_refusal(24, PRH_SENSE_INVALID_FIELD);
    expect_refusal(8, PRH_SENSE_INVALID_FIELD); /* the service action first */
    pr_out(0x08, 0, 1, 2, 0);
    expect_refusal(24, PRH_SENSE_INVALID_FIELD);
    pr_out(0x1f, 0, 1, 2, 0);
    expect_refusal(24, PRH_SENSE_INVALID_FIELD);

    pr_out(PRH_PROUT_REGISTER, 0, 1, 2, 0);
    expect_refusal(0, PRH_SENSE_PARAM_LIST_LENGTH);
    expect_refusal(23, PRH_SENSE_PARAM_LIST_LENGTH);
    expect_refusal(28, PRH_SENSE_PARAM_LIST_LENGTH);
    pr_out(PRH_PROUT_REGISTER, 0, 1, 2, 0x08); /* SPEC_I_PT, with or without ids */
    expect_refusal(24, PRH_SENSE_INVALID_PARAM);
    expect_refusal(32, PRH_SENSE_INVALID_PARAM);
    pr_out(PRH_PROUT_RESERVE, 5, 1, 0, 0x08);
    expect_refusal(24, PRH_SENSE_INVALID_PARAM);
    pr_out(PRH_PROUT_REGISTER, 0, 1, 2, 0x04); /* ALL_TG_PT */
    expect_refusal(24, PRH_SENSE_INVALID_PARAM);
    pr_out(PRH_PROUT_REGISTER_IGNORE, 0, 1, 2, 0x04);
    expect_refusal(24, PRH_SENSE_INVALID_PARAM);
    pr_out(PRH_PROUT_RESERVE, 5, 1, 0, 0x04); /* ignored outside REGISTER */
    plan_ok(24);

    pr_out(PRH_PROUT_RESERVE, 0x15, 1, 0, 0); /* element scope */
    expect_refusal(24, PRH_SENSE_INVALID_FIELD);
    pr_out(PRH_PROUT_PREEMPT, 0x25, 1, 2, 0);
    expect_refusal(24, PRH_SENSE_INVALID_FIELD);
    pr_out(PRH_PROUT_CLEAR, 0x2f, 1, 0, 0); /* scope and type ignored */
    plan_ok(24);
}

static void expect_status(int rc, int err, int status, struct prh_sense want)
{
    struct prh_sense code = {0xee, 0xee, 0xee};
    assert_int_equal(prh_block_status(rc, err, &code), status);
    if (status == PRH_CHECK_CONDITION)
        assert_memory_equal(&code, &want, sizeof(want));
}

static void test_status(void **state)
{
    (void)state;
    struct prh_sense none = {0, 0, 0};
    expect_status(0, 0, PRH_GOOD, none);
    expect_status(0x18, 0, PRH_RESERVATION_CONFLICT, none);      /* PR_STS (6.2+) */
    expect_status(0x110018, 0, PRH_RESERVATION_CONFLICT, none);  /* 6.1: DID_NEXUS_FAILURE */
    expect_status(0x08, 0, PRH_BUSY, none);
    expect_status(0x28, 0, PRH_TASK_SET_FULL, none);
    expect_status(0x2, 0, PRH_CHECK_CONDITION, PRH_SENSE_LUN_COMM_FAILURE); /* IOERR */
    expect_status(0x40, 0, PRH_CHECK_CONDITION, PRH_SENSE_LUN_COMM_FAILURE); /* TASK ABORTED */
    /* path statuses read as SG_IO's host status reads */
    expect_status(0x10000, 0, PRH_CHECK_CONDITION, PRH_SENSE_LUN_NOT_RESPONDING); /* no connect */
    expect_status(0xf0000, 0, PRH_CHECK_CONDITION, PRH_SENSE_IO_ERROR); /* fast failed */
    expect_status(0xe0000, 0, PRH_CHECK_CONDITION, PRH_SENSE_I_T_NEXUS_LOSS); /* retry */
    expect_status(0x20002, 0, PRH_BUSY, none); /* DID_BUS_BUSY */
    expect_status(0x7f000000, 0, PRH_CHECK_CONDITION, PRH_SENSE_LUN_COMM_FAILURE);
    expect_status(-1, EAGAIN, PRH_BUSY, none);
    expect_status(-1, EPERM, PRH_CHECK_CONDITION, PRH_SENSE_INVALID_OPCODE);
    expect_status(-1, EINVAL, PRH_CHECK_CONDITION, PRH_SENSE_INVALID_FIELD);
    expect_status(-1, ENOTTY, PRH_CHECK_CONDITION, PRH_SENSE_IO_ERROR);
    expect_status(-1, EOPNOTSUPP, PRH_CHECK_CONDITION, PRH_SENSE_IO_ERROR);
}

static void test_read_keys_data(void **state)
{
    (void)state;
    uint64_t keys[3] = {0xa1, 0xa1, 0x0102030405060708ull};
    uint8_t out[64];

    assert_int_equal(prh_block_keys_wanted(0), 0);
    assert_int_equal(prh_block_keys_wanted(8), 0);
    assert_int_equal(prh_block_keys_wanted(9), 1);
    assert_int_equal(prh_block_keys_wanted(13), 1);
    assert_int_equal(prh_block_keys_wanted(16), 1);
    assert_int_equal(prh_block_keys_wanted(17), 2);
    assert_int_equal(prh_block_keys_wanted(8192), 1023);

    memset(out, 0xee, sizeof(out));
    assert_int_equal(prh_block_read_keys_data(7, 3, keys, 3, out, 64), 32);
    static const uint8_t full[32] = {0, 0, 0, 7, 0, 0, 0, 24,
                                     0, 0, 0, 0, 0, 0, 0, 0xa1,
                                     0, 0, 0, 0, 0, 0, 0, 0xa1,
                                     1, 2, 3, 4, 5, 6, 7, 8};
    assert_memory_equal(out, full, 32);
    assert_int_equal(out[32], 0xee);

    /* clamped: the additional length still counts all three keys */
    memset(out, 0xee, sizeof(out));
    assert_int_equal(prh_block_read_keys_data(7, 3, keys, 1, out, 13), 13);
    assert_memory_equal(out, full, 13);
    assert_int_equal(out[13], 0xee);
    assert_int_equal(prh_block_read_keys_data(7, 3, keys, 0, out, 8), 8);
    assert_int_equal(prh_block_read_keys_data(7, 3, keys, 0, out, 5), 5);
    assert_int_equal(prh_block_read_keys_data(7, 3, keys, 0, out, 0), 0);
    /* no keys */
    assert_int_equal(prh_block_read_keys_data(9, 0, keys, 0, out, 64), 8);
    assert_int_equal(out[3], 9);
    assert_int_equal(prh_get_be32(out + 4), 0);
    /* 'have' above 'total' is cut to 'total' */
    assert_int_equal(prh_block_read_keys_data(9, 1, keys, 3, out, 64), 16);
}

static void test_read_reservation_data(void **state)
{
    (void)state;
    uint8_t out[32];
    struct pr_read_reservation none = {0, 0x11223344, 0};
    memset(out, 0xee, sizeof(out));
    assert_int_equal(prh_block_read_reservation_data(&none, out, 32), 8);
    static const uint8_t empty[8] = {0x11, 0x22, 0x33, 0x44, 0, 0, 0, 0};
    assert_memory_equal(out, empty, 8);
    assert_int_equal(out[8], 0xee);

    struct pr_read_reservation held = {0xa1, 3, PR_WRITE_EXCLUSIVE_REG_ONLY};
    memset(out, 0xee, sizeof(out));
    assert_int_equal(prh_block_read_reservation_data(&held, out, 32), 24);
    static const uint8_t full[24] = {0, 0, 0, 3, 0, 0, 0, 16, 0, 0, 0, 0, 0, 0, 0, 0xa1,
                                     0, 0, 0, 0, 0, 0x05, 0, 0};
    assert_memory_equal(out, full, 24);
    assert_int_equal(prh_block_read_reservation_data(&held, out, 13), 13);
    assert_int_equal(prh_block_read_reservation_data(&held, out, 0), 0);

    struct pr_read_reservation odd = {0xa1, 3, 9};
    assert_int_equal(prh_block_read_reservation_data(&odd, out, 32), -1);
}

static void test_capabilities_mask(void **state)
{
    (void)state;
    uint8_t caps[8] = {0, 8, 0xff, 0xff, 0xea, 0x01, 0, 0};
    prh_block_mask_capabilities(caps, 8);
    assert_int_equal(caps[2], 0xf3);
    assert_int_equal(caps[3], 0xff);
    uint8_t shortc[2] = {0, 8};
    prh_block_mask_capabilities(shortc, 2);
    assert_int_equal(shortc[1], 8);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_register_and_ignore),
        cmocka_unit_test(test_reserve_release_types),
        cmocka_unit_test(test_preempt_clear),
        cmocka_unit_test(test_refusals_in_order),
        cmocka_unit_test(test_status),
        cmocka_unit_test(test_read_keys_data),
        cmocka_unit_test(test_read_reservation_data),
        cmocka_unit_test(test_capabilities_mask),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
