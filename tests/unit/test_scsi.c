/* Sense building/parsing and the SG_IO result mapping (src/common/scsi.c),
 * checked against QEMU's scsi/utils.c tables. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <limits.h>
#include <string.h>

#include "scsi.h"

#define NO_SENSE_MARK 0xee

static void expect_sense(struct prh_sense s, uint8_t key, uint8_t asc, uint8_t ascq)
{
    assert_int_equal(s.key, key);
    assert_int_equal(s.asc, asc);
    assert_int_equal(s.ascq, ascq);
}

/* A 96-byte fixed-format sense exactly as prh_sense_build must make it. */
static void expect_fixed_sense(const uint8_t *buf, uint8_t key, uint8_t asc, uint8_t ascq)
{
    uint8_t want[PRH_SENSE_SIZE];
    memset(want, 0, sizeof(want));
    want[0] = 0x70;
    want[2] = key;
    want[7] = 10;
    want[12] = asc;
    want[13] = ascq;
    assert_memory_equal(buf, want, PRH_SENSE_SIZE);
}

/* ---- sense buffers ------------------------------------------------------ */

static void test_sense_build_exact(void **state)
{
    (void)state;
    uint8_t buf[PRH_SENSE_SIZE + 4];
    memset(buf, 0xaa, sizeof(buf));
    prh_sense_build(buf, PRH_SENSE_SPACE_ALLOC_FAILED);
    expect_fixed_sense(buf, 0x07, 0x27, 0x07);
    /* Not one byte past the 96. */
    for (size_t i = PRH_SENSE_SIZE; i < sizeof(buf); i++)
        assert_int_equal(buf[i], 0xaa);

    memset(buf, 0xff, sizeof(buf));
    prh_sense_build(buf, PRH_SENSE_INVALID_OPCODE);
    expect_fixed_sense(buf, 0x05, 0x20, 0x00);
}

static void test_sense_constants(void **state)
{
    (void)state;
    expect_sense(PRH_SENSE_INVALID_OPCODE, 0x05, 0x20, 0x00);
    expect_sense(PRH_SENSE_INVALID_FIELD, 0x05, 0x24, 0x00);
    expect_sense(PRH_SENSE_IO_ERROR, 0x0b, 0x00, 0x06);
    expect_sense(PRH_SENSE_NO_MEDIUM, 0x02, 0x3a, 0x00);
    expect_sense(PRH_SENSE_TARGET_FAILURE, 0x04, 0x44, 0x00);
    expect_sense(PRH_SENSE_READ_ERROR, 0x03, 0x11, 0x00);
    expect_sense(PRH_SENSE_SPACE_ALLOC_FAILED, 0x07, 0x27, 0x07);
    expect_sense(PRH_SENSE_LUN_NOT_RESPONDING, 0x0b, 0x05, 0x00);
    expect_sense(PRH_SENSE_COMMAND_TIMEOUT, 0x0b, 0x2e, 0x02);
    expect_sense(PRH_SENSE_LUN_COMM_FAILURE, 0x0b, 0x08, 0x00);
    expect_sense(PRH_SENSE_COMMAND_ABORTED, 0x0b, 0x2f, 0x02);
    expect_sense(PRH_SENSE_RESET, 0x06, 0x29, 0x00);
    expect_sense(PRH_SENSE_I_T_NEXUS_LOSS, 0x06, 0x29, 0x07);
}

static void test_sense_parse_fixed(void **state)
{
    (void)state;
    uint8_t buf[PRH_SENSE_SIZE];
    prh_sense_build(buf, PRH_SENSE_I_T_NEXUS_LOSS);
    expect_sense(prh_sense_parse(buf), 0x06, 0x29, 0x07);

    /* Deferred (0x71), VALID bit set (0xf0), filemark/EOM/ILI bits in byte 2. */
    const uint8_t codes[] = {0x70, 0x71, 0xf0, 0xf1};
    for (size_t i = 0; i < sizeof(codes); i++) {
        memset(buf, 0, sizeof(buf));
        buf[0] = codes[i];
        buf[1] = 0x99; /* obsolete byte, must be ignored */
        buf[2] = 0xe5;
        buf[3] = 0x11; /* information, ignored */
        buf[12] = 0x24;
        buf[13] = 0x01;
        expect_sense(prh_sense_parse(buf), 0x05, 0x24, 0x01);
    }
}

static void test_sense_parse_descriptor(void **state)
{
    (void)state;
    const uint8_t codes[] = {0x72, 0x73, 0xf2};
    for (size_t i = 0; i < sizeof(codes); i++) {
        uint8_t buf[PRH_SENSE_SIZE];
        memset(buf, 0, sizeof(buf));
        buf[0] = codes[i];
        buf[1] = 0xf6; /* reserved high bits, key 6 */
        buf[2] = 0x2a;
        buf[3] = 0x03;
        buf[12] = 0x55; /* fixed-format positions: must not be used */
        buf[13] = 0x66;
        expect_sense(prh_sense_parse(buf), 0x06, 0x2a, 0x03);
    }
}

static void test_sense_parse_unknown(void **state)
{
    (void)state;
    const uint8_t codes[] = {0x00, 0x01, 0x6f, 0x74, 0x7e, 0x7f, 0xff};
    for (size_t i = 0; i < sizeof(codes); i++) {
        uint8_t buf[PRH_SENSE_SIZE];
        memset(buf, 0x5a, sizeof(buf));
        buf[0] = codes[i];
        expect_sense(prh_sense_parse(buf), 0, 0, 0);
    }
}

/* ---- errno -------------------------------------------------------------- */

static void expect_errno(int e, int status, int has_sense, uint8_t key, uint8_t asc,
                         uint8_t ascq)
{
    struct prh_sense code = {NO_SENSE_MARK, NO_SENSE_MARK, NO_SENSE_MARK};
    assert_int_equal(prh_status_from_errno(e, &code), status);
    if (has_sense)
        expect_sense(code, key, asc, ascq);
    else
        expect_sense(code, NO_SENSE_MARK, NO_SENSE_MARK, NO_SENSE_MARK);
}

static void test_status_from_errno(void **state)
{
    (void)state;
    expect_errno(0, PRH_GOOD, 0, 0, 0, 0);
    expect_errno(EDOM, 0x28, 0, 0, 0, 0);
    expect_errno(EBADE, 0x18, 0, 0, 0, 0);
    expect_errno(ENODATA, 0x02, 1, 0x03, 0x11, 0x00);
    expect_errno(EREMOTEIO, 0x02, 1, 0x04, 0x44, 0x00);
    expect_errno(ENODEV, 0x02, 1, 0x04, 0x44, 0x00);
    expect_errno(ENOMEDIUM, 0x02, 1, 0x02, 0x3a, 0x00);
    expect_errno(ENOMEM, 0x02, 1, 0x04, 0x44, 0x00);
    expect_errno(EINVAL, 0x02, 1, 0x05, 0x24, 0x00);
    expect_errno(ENOSPC, 0x02, 1, 0x07, 0x27, 0x07);
    const int others[] = {ENOTTY, EIO, EPERM, EACCES, EBADF, EFAULT, EAGAIN,
                          ETIMEDOUT, EINTR, -1, INT_MAX};
    for (size_t i = 0; i < sizeof(others) / sizeof(others[0]); i++)
        expect_errno(others[i], 0x02, 1, 0x0b, 0x00, 0x06);
}

/* ---- host status -------------------------------------------------------- */

static void test_status_from_host_every_did(void **state)
{
    (void)state;
    /* DID_* 0x00-0x13: status, then the sense when CHECK CONDITION. */
    static const struct {
        unsigned host;
        int status;
        uint8_t key, asc, ascq;
    } table[] = {
        {0x00, 0x00, 0, 0, 0},          /* DID_OK */
        {0x01, 0x02, 0x0b, 0x05, 0x00}, /* DID_NO_CONNECT: LUN NOT RESPONDING */
        {0x02, 0x08, 0, 0, 0},          /* DID_BUS_BUSY: BUSY */
        {0x03, 0x02, 0x0b, 0x2e, 0x02}, /* DID_TIME_OUT: COMMAND TIMEOUT */
        {0x04, 0x02, 0x0b, 0x08, 0x00}, /* DID_BAD_TARGET: LUN COMM FAILURE */
        {0x05, 0x02, 0x0b, 0x2f, 0x02}, /* DID_ABORT: COMMAND ABORTED */
        {0x06, 0x02, 0x0b, 0x00, 0x06}, /* DID_PARITY: generic I/O error */
        {0x07, 0x02, 0x0b, 0x00, 0x06}, /* DID_ERROR */
        {0x08, 0x02, 0x06, 0x29, 0x00}, /* DID_RESET: RESET */
        {0x09, 0x02, 0x0b, 0x00, 0x06}, /* DID_BAD_INTR */
        {0x0a, 0x02, 0x0b, 0x00, 0x06}, /* DID_PASSTHROUGH */
        {0x0b, 0x02, 0x0b, 0x00, 0x06}, /* DID_SOFT_ERROR */
        {0x0c, 0x02, 0x0b, 0x00, 0x06}, /* DID_IMM_RETRY */
        {0x0d, 0x02, 0x0b, 0x00, 0x06}, /* DID_REQUEUE */
        {0x0e, 0x02, 0x06, 0x29, 0x07}, /* DID_TRANSPORT_DISRUPTED: I_T NEXUS LOSS */
        {0x0f, 0x02, 0x0b, 0x00, 0x06}, /* DID_TRANSPORT_FAILFAST */
        {0x10, 0x02, 0x04, 0x44, 0x00}, /* DID_TARGET_FAILURE */
        {0x11, 0x18, 0, 0, 0},          /* DID_NEXUS_FAILURE: RESERVATION CONFLICT */
        {0x12, 0x02, 0x07, 0x27, 0x07}, /* DID_ALLOC_FAILURE: SPACE ALLOC FAILED */
        {0x13, 0x02, 0x03, 0x11, 0x00}, /* DID_MEDIUM_ERROR: READ ERROR */
        {0x14, 0x02, 0x0b, 0x00, 0x06}, /* unknown */
        {0xff, 0x02, 0x0b, 0x00, 0x06},
        {0x100, 0x02, 0x0b, 0x00, 0x06},
        {0xffffffffu, 0x02, 0x0b, 0x00, 0x06},
    };
    for (size_t i = 0; i < sizeof(table) / sizeof(table[0]); i++) {
        struct prh_sense code = {NO_SENSE_MARK, NO_SENSE_MARK, NO_SENSE_MARK};
        assert_int_equal(prh_status_from_host(table[i].host, &code), table[i].status);
        if (table[i].status == PRH_CHECK_CONDITION)
            expect_sense(code, table[i].key, table[i].asc, table[i].ascq);
        else
            expect_sense(code, NO_SENSE_MARK, NO_SENSE_MARK, NO_SENSE_MARK);
    }
}

/* ---- the whole SG_IO mapping -------------------------------------------- */

static void test_sgio_errno_builds_sense(void **state)
{
    (void)state;
    uint8_t sense[PRH_SENSE_SIZE];
    struct prh_sgio_outcome o = {.ioctl_errno = ENOTTY};
    memset(sense, 0x5a, sizeof(sense));
    assert_int_equal(prh_status_from_sgio(&o, sense), PRH_CHECK_CONDITION);
    expect_fixed_sense(sense, 0x0b, 0x00, 0x06);

    /* The errno wins over whatever else the header holds. */
    o = (struct prh_sgio_outcome){.ioctl_errno = EINVAL, .host_status = 0x02,
                                  .driver_status = 0x06, .device_status = 0x18};
    memset(sense, 0x5a, sizeof(sense));
    assert_int_equal(prh_status_from_sgio(&o, sense), PRH_CHECK_CONDITION);
    expect_fixed_sense(sense, 0x05, 0x24, 0x00);

    /* Not CHECK CONDITION: the sense buffer is left alone. */
    o = (struct prh_sgio_outcome){.ioctl_errno = EBADE};
    memset(sense, 0x5a, sizeof(sense));
    assert_int_equal(prh_status_from_sgio(&o, sense), PRH_RESERVATION_CONFLICT);
    for (size_t i = 0; i < sizeof(sense); i++)
        assert_int_equal(sense[i], 0x5a);
    o = (struct prh_sgio_outcome){.ioctl_errno = EDOM};
    assert_int_equal(prh_status_from_sgio(&o, sense), PRH_TASK_SET_FULL);
    assert_int_equal(sense[0], 0x5a);
}

static void test_sgio_host_path(void **state)
{
    (void)state;
    uint8_t sense[PRH_SENSE_SIZE];
    struct prh_sgio_outcome o = {.host_status = 0x03, .driver_status = 0x06,
                                 .device_status = 0x02};
    memset(sense, 0x5a, sizeof(sense));
    assert_int_equal(prh_status_from_sgio(&o, sense), PRH_CHECK_CONDITION);
    expect_fixed_sense(sense, 0x0b, 0x2e, 0x02);

    o = (struct prh_sgio_outcome){.host_status = 0x07};
    memset(sense, 0x5a, sizeof(sense));
    assert_int_equal(prh_status_from_sgio(&o, sense), PRH_CHECK_CONDITION);
    expect_fixed_sense(sense, 0x0b, 0x00, 0x06);

    o = (struct prh_sgio_outcome){.host_status = 0x02, .device_status = 0x02};
    memset(sense, 0x5a, sizeof(sense));
    assert_int_equal(prh_status_from_sgio(&o, sense), PRH_BUSY);
    assert_int_equal(sense[0], 0x5a);

    o = (struct prh_sgio_outcome){.host_status = 0x11};
    assert_int_equal(prh_status_from_sgio(&o, sense), PRH_RESERVATION_CONFLICT);
    assert_int_equal(sense[0], 0x5a);
}

static void test_sgio_driver_timeout_busy(void **state)
{
    (void)state;
    uint8_t sense[PRH_SENSE_SIZE];
    memset(sense, 0x5a, sizeof(sense));
    const unsigned drivers[] = {0x06, 0x16, 0x26, 0x02, 0x04};
    for (size_t i = 0; i < sizeof(drivers) / sizeof(drivers[0]); i++) {
        struct prh_sgio_outcome o = {.driver_status = drivers[i], .device_status = 0x02};
        assert_int_equal(prh_status_from_sgio(&o, sense), PRH_BUSY);
    }
    for (size_t i = 0; i < sizeof(sense); i++)
        assert_int_equal(sense[i], 0x5a);
}

static void test_sgio_device_status_passes_through(void **state)
{
    (void)state;
    uint8_t sense[PRH_SENSE_SIZE], before[PRH_SENSE_SIZE];
    /* The device's own descriptor sense, as SG_IO left it. */
    memset(before, 0, sizeof(before));
    before[0] = 0x72;
    before[1] = 0x05;
    before[2] = 0x26;
    before[3] = 0x00;
    const unsigned statuses[] = {0x00, 0x02, 0x08, 0x18, 0x28, 0x22};
    for (size_t i = 0; i < sizeof(statuses) / sizeof(statuses[0]); i++) {
        /* DRIVER_SENSE (0x08) does not count as a timeout. */
        const unsigned drivers[] = {0x00, 0x08};
        for (size_t d = 0; d < 2; d++) {
            struct prh_sgio_outcome o = {.driver_status = drivers[d],
                                         .device_status = statuses[i], .resid = 4};
            memcpy(sense, before, sizeof(sense));
            assert_int_equal(prh_status_from_sgio(&o, sense), (int)statuses[i]);
            assert_memory_equal(sense, before, sizeof(sense));
        }
    }
    struct prh_sgio_outcome o = {.device_status = 0x102};
    assert_int_equal(prh_status_from_sgio(&o, sense), 0x02);
}

/* ---- residual ----------------------------------------------------------- */

static void test_transferred(void **state)
{
    (void)state;
    assert_int_equal(prh_transferred(8192, INT_MIN), 8192);
    assert_int_equal(prh_transferred(8192, -1), 8192);
    assert_int_equal(prh_transferred(8192, 0), 8192);
    assert_int_equal(prh_transferred(8192, 1), 8191);
    assert_int_equal(prh_transferred(8192, 8184), 8);
    assert_int_equal(prh_transferred(8192, 8191), 1);
    assert_int_equal(prh_transferred(8192, 8192), 0);
    assert_int_equal(prh_transferred(8192, 8193), 0);
    assert_int_equal(prh_transferred(8192, INT_MAX), 0);
    assert_int_equal(prh_transferred(8, 4), 4);
    assert_int_equal(prh_transferred(0, 0), 0);
    assert_int_equal(prh_transferred(0, 5), 0);
    assert_int_equal(prh_transferred(0, -5), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sense_build_exact),
        cmocka_unit_test(test_sense_constants),
        cmocka_unit_test(test_sense_parse_fixed),
        cmocka_unit_test(test_sense_parse_descriptor),
        cmocka_unit_test(test_sense_parse_unknown),
        cmocka_unit_test(test_status_from_errno),
        cmocka_unit_test(test_status_from_host_every_did),
        cmocka_unit_test(test_sgio_errno_builds_sense),
        cmocka_unit_test(test_sgio_host_path),
        cmocka_unit_test(test_sgio_driver_timeout_busy),
        cmocka_unit_test(test_sgio_device_status_passes_through),
        cmocka_unit_test(test_transferred),
    };
    return cmocka_run_group_tests_name("scsi", tests, NULL, NULL);
}
