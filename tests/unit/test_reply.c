/* The rule for replies (src/common/reply.c) against what QEMU's client
 * asserts, and the wire helpers of src/common/proto.{h,c}. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "proto.h"
#include "reply.h"

static uint8_t cdb_in[PRH_CDB_SIZE] = {PRH_OP_PR_IN};
static uint8_t cdb_out[PRH_CDB_SIZE] = {PRH_OP_PR_OUT};

static int check(const uint8_t *cdb, uint32_t xfer, int32_t status, uint32_t size)
{
    return prh_reply_allowed(cdb, xfer, status, size);
}

/* ---- prh_reply_allowed -------------------------------------------------- */

static void test_pr_in_good_within_allocation(void **state)
{
    (void)state;
    assert_int_equal(check(cdb_in, 0, 0, 0), 0);
    assert_int_equal(check(cdb_in, 8, 0, 0), 0);
    assert_int_equal(check(cdb_in, 8, 0, 8), 0);
    assert_int_equal(check(cdb_in, 8192, 0, 8), 0);
    assert_int_equal(check(cdb_in, 8192, 0, 8192), 0);
}

static void test_pr_in_good_above_allocation(void **state)
{
    (void)state;
    assert_int_equal(check(cdb_in, 0, 0, 1), -1);
    assert_int_equal(check(cdb_in, 8, 0, 9), -1);
    assert_int_equal(check(cdb_in, 8191, 0, 8192), -1);
}

static void test_pr_in_not_good_with_data(void **state)
{
    (void)state;
    const int32_t statuses[] = {0x02, 0x08, 0x18, 0x28, 0x01, 0xff};
    for (size_t i = 0; i < sizeof(statuses) / sizeof(statuses[0]); i++) {
        assert_int_equal(check(cdb_in, 8192, statuses[i], 0), 0);
        assert_int_equal(check(cdb_in, 8192, statuses[i], 8), -1);
        assert_int_equal(check(cdb_in, 8192, statuses[i], 1), -1);
    }
}

static void test_pr_out_with_data(void **state)
{
    (void)state;
    const int32_t statuses[] = {0x00, 0x02, 0x18};
    for (size_t i = 0; i < sizeof(statuses) / sizeof(statuses[0]); i++) {
        assert_int_equal(check(cdb_out, 24, statuses[i], 0), 0);
        assert_int_equal(check(cdb_out, 24, statuses[i], 1), -1);
        assert_int_equal(check(cdb_out, 24, statuses[i], 24), -1);
        assert_int_equal(check(cdb_out, 0, statuses[i], 0), 0);
        /* Only PR IN may carry data, whatever transfer length is passed. */
        assert_int_equal(check(cdb_out, 8192, statuses[i], 8), -1);
    }
}

static void test_data_len_above_max(void **state)
{
    (void)state;
    /* Even with an (impossible) allocation length to match. */
    assert_int_equal(check(cdb_in, 0xffff, 0, PRH_DATA_MAX + 1), -1);
    assert_int_equal(check(cdb_in, 0xffffffffu, 0, 0xffffffffu), -1);
}

static void test_status_range(void **state)
{
    (void)state;
    const int32_t bad[] = {-1, -2, 256, 0x102, INT32_MIN, INT32_MAX};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        assert_int_equal(check(cdb_out, 0, bad[i], 0), -1);
        assert_int_equal(check(cdb_in, 8, bad[i], 0), -1);
    }
    assert_int_equal(check(cdb_out, 0, 255, 0), 0);
    assert_int_equal(check(cdb_out, 0, 0, 0), 0);
}

/* ---- proto.h / proto.c -------------------------------------------------- */

static void test_reply_header_encode(void **state)
{
    (void)state;
    uint8_t sense[PRH_SENSE_SIZE], out[PRH_REPLY_HEADER_SIZE + 8];
    assert_int_equal(PRH_REPLY_HEADER_SIZE, 104);
    for (size_t i = 0; i < sizeof(sense); i++)
        sense[i] = (uint8_t)(0x80 + i);
    memset(out, 0xcc, sizeof(out));
    prh_reply_header_encode(out, 0x02, 0x01020304, sense);
    const uint8_t head[8] = {0x00, 0x00, 0x00, 0x02, 0x01, 0x02, 0x03, 0x04};
    assert_memory_equal(out, head, 8);
    assert_memory_equal(out + 8, sense, PRH_SENSE_SIZE);
    for (size_t i = PRH_REPLY_HEADER_SIZE; i < sizeof(out); i++)
        assert_int_equal(out[i], 0xcc);

    prh_reply_header_encode(out, -1, 8192, sense);
    const uint8_t head2[8] = {0xff, 0xff, 0xff, 0xff, 0x00, 0x00, 0x20, 0x00};
    assert_memory_equal(out, head2, 8);

    prh_reply_header_encode(out, 0x18, 0, sense);
    const uint8_t head3[8] = {0x00, 0x00, 0x00, 0x18, 0, 0, 0, 0};
    assert_memory_equal(out, head3, 8);
}

static void test_cdb_xfer_len(void **state)
{
    (void)state;
    uint8_t cdb[PRH_CDB_SIZE];
    memset(cdb, 0, sizeof(cdb));
    assert_int_equal(prh_cdb_xfer_len(cdb), 0);
    cdb[8] = 24;
    assert_int_equal(prh_cdb_xfer_len(cdb), 24);
    cdb[7] = 0x20;
    cdb[8] = 0x00;
    assert_int_equal(prh_cdb_xfer_len(cdb), 8192);
    cdb[8] = 0x01;
    assert_int_equal(prh_cdb_xfer_len(cdb), 8193);
    cdb[7] = 0xff;
    cdb[8] = 0xff;
    assert_int_equal(prh_cdb_xfer_len(cdb), 0xffff);
    /* Bytes 5-6 (SPC's high half of PR OUT) and 6, 9 are not part of it. */
    memset(cdb, 0xff, sizeof(cdb));
    cdb[7] = 0x01;
    cdb[8] = 0x02;
    assert_int_equal(prh_cdb_xfer_len(cdb), 0x0102);
}

static void test_byte_order_helpers(void **state)
{
    (void)state;
    uint8_t b[4];
    prh_put_be32(b, 0x11223344u);
    const uint8_t want[4] = {0x11, 0x22, 0x33, 0x44};
    assert_memory_equal(b, want, 4);
    assert_int_equal(prh_get_be32(b), 0x11223344u);
    prh_put_be32(b, 0xfedcba98u);
    assert_int_equal(prh_get_be32(b), 0xfedcba98u);
    assert_int_equal(b[0], 0xfe);
    assert_int_equal(prh_get_be16(b), 0xfedc);
    assert_int_equal(prh_get_be16(b + 2), 0xba98);
}

static void test_pr_out_length_high_set(void **state)
{
    (void)state;
    uint8_t cdb[PRH_CDB_SIZE];
    memset(cdb, 0xff, sizeof(cdb));
    cdb[5] = cdb[6] = 0;
    assert_false(prh_pr_out_length_high_set(cdb));
    cdb[5] = 1;
    assert_true(prh_pr_out_length_high_set(cdb));
    cdb[5] = 0;
    cdb[6] = 0x80;
    assert_true(prh_pr_out_length_high_set(cdb));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_pr_in_good_within_allocation),
        cmocka_unit_test(test_pr_in_good_above_allocation),
        cmocka_unit_test(test_pr_in_not_good_with_data),
        cmocka_unit_test(test_pr_out_with_data),
        cmocka_unit_test(test_data_len_above_max),
        cmocka_unit_test(test_status_range),
        cmocka_unit_test(test_reply_header_encode),
        cmocka_unit_test(test_cdb_xfer_len),
        cmocka_unit_test(test_byte_order_helpers),
        cmocka_unit_test(test_pr_out_length_high_set),
    };
    return cmocka_run_group_tests_name("reply", tests, NULL, NULL);
}
