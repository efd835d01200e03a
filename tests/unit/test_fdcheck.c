/* The fd rules both the worker and the monitor apply (src/common/fdcheck.c):
 * the table in qemu-pr-helper's order, and fd inspection on real fds. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <fcntl.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "fdcheck.h"
#include "ipc.h"

struct answer {
    int answered;
    int32_t status;
    struct prh_sense code;
    uint32_t note;
};

/* op with service action RESERVE (PR OUT) or READ RESERVATION (PR IN) */
static struct answer precheck_sa(uint8_t op, uint8_t sa, enum prh_fd_kind kind, int read_only)
{
    struct prh_fd_info info = {kind, 0, read_only};
    struct answer a = {0, -1, {0xee, 0xee, 0xee}, 0xdead};
    uint8_t cdb[16] = {op, sa};
    a.answered = prh_fd_precheck(cdb, &info, &a.status, &a.code, &a.note);
    return a;
}

static struct answer precheck(uint8_t op, enum prh_fd_kind kind, int read_only)
{
    return precheck_sa(op, 0x01, kind, read_only);
}

static void expect_answer(struct answer a, struct prh_sense want, uint32_t note)
{
    assert_int_equal(a.answered, 1);
    assert_int_equal(a.status, PRH_CHECK_CONDITION);
    assert_memory_equal(&a.code, &want, sizeof(want));
    assert_int_equal(a.note, note);
}

static void test_read_only_write_refused_on_any_fd(void **state)
{
    (void)state;
    const enum prh_fd_kind kinds[] = {PRH_FD_OTHER, PRH_FD_BLOCK, PRH_FD_SCSI_GENERIC};
    for (size_t k = 0; k < 3; k++) {
        expect_answer(precheck(PRH_OP_PR_OUT, kinds[k], 1), PRH_SENSE_INVALID_OPCODE, PRH_NOTE_READ_ONLY);
    }
}

/* QEMU's reservation migration starts with a REGISTER: its note says
 * how a read-only destination drive is fixed (ipc.c). */
static void test_read_only_register_has_its_own_note(void **state)
{
    (void)state;
    expect_answer(precheck_sa(PRH_OP_PR_OUT, PRH_PROUT_REGISTER, PRH_FD_BLOCK, 1),
                  PRH_SENSE_INVALID_OPCODE, PRH_NOTE_READ_ONLY_REGISTER);
    expect_answer(precheck_sa(PRH_OP_PR_OUT, 0x20 | PRH_PROUT_REGISTER, PRH_FD_BLOCK, 1),
                  PRH_SENSE_INVALID_OPCODE, PRH_NOTE_READ_ONLY_REGISTER);
    expect_answer(precheck_sa(PRH_OP_PR_OUT, PRH_PROUT_REGISTER_IGNORE, PRH_FD_BLOCK, 1),
                  PRH_SENSE_INVALID_OPCODE, PRH_NOTE_READ_ONLY);
    assert_non_null(strstr(prh_note_text(PRH_NOTE_READ_ONLY_REGISTER), "auto-read-only=off"));
}

static void test_non_device(void **state)
{
    (void)state;
    expect_answer(precheck(PRH_OP_PR_IN, PRH_FD_OTHER, 1), PRH_SENSE_IO_ERROR, PRH_NOTE_NOT_A_DEVICE);
    expect_answer(precheck(PRH_OP_PR_IN, PRH_FD_OTHER, 0), PRH_SENSE_IO_ERROR, PRH_NOTE_NOT_A_DEVICE);
    expect_answer(precheck(PRH_OP_PR_OUT, PRH_FD_OTHER, 0), PRH_SENSE_IO_ERROR, PRH_NOTE_NOT_A_DEVICE);
}

static void test_devices_need_the_device(void **state)
{
    (void)state;
    const enum prh_fd_kind kinds[] = {PRH_FD_BLOCK, PRH_FD_SCSI_GENERIC};
    for (size_t k = 0; k < 2; k++) {
        assert_int_equal(precheck(PRH_OP_PR_IN, kinds[k], 1).answered, 0);
        assert_int_equal(precheck(PRH_OP_PR_IN, kinds[k], 0).answered, 0);
        assert_int_equal(precheck(PRH_OP_PR_OUT, kinds[k], 0).answered, 0);
    }
}

static void test_inspect_real_fds(void **state)
{
    (void)state;
    struct prh_fd_info info;
    int ro = open("/dev/null", O_RDONLY), rw = open("/dev/null", O_RDWR);
    int wo = open("/dev/null", O_WRONLY), path = open("/dev/null", O_PATH);
    int sv[2];
    assert_true(ro >= 0 && rw >= 0 && wo >= 0 && path >= 0);
    assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);

    prh_fd_inspect(ro, 1, &info);
    assert_int_equal(info.kind, PRH_FD_OTHER); /* a char device, not sg */
    assert_int_equal(info.read_only, 1);
    assert_true(info.rdev != 0);
    prh_fd_inspect(rw, 1, &info);
    assert_int_equal(info.read_only, 0);
    prh_fd_inspect(wo, 1, &info);
    assert_int_equal(info.read_only, 0);
    prh_fd_inspect(path, 1, &info);
    assert_int_equal(info.kind, PRH_FD_OTHER);
    assert_int_equal(info.read_only, 1);
    prh_fd_inspect(sv[0], 1, &info);
    assert_int_equal(info.kind, PRH_FD_OTHER);
    assert_int_equal(info.rdev, 0);
    prh_fd_inspect(-1, 1, &info); /* unknown: other, read-only */
    assert_int_equal(info.kind, PRH_FD_OTHER);
    assert_int_equal(info.read_only, 1);
    prh_fd_inspect(rw, 0, &info); /* mode not asked: read-only assumed */
    assert_int_equal(info.read_only, 1);
    close(ro), close(rw), close(wo), close(path), close(sv[0]), close(sv[1]);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_read_only_write_refused_on_any_fd),
        cmocka_unit_test(test_read_only_register_has_its_own_note),
        cmocka_unit_test(test_non_device),
        cmocka_unit_test(test_devices_need_the_device),
        cmocka_unit_test(test_inspect_real_fds),
    };
    return cmocka_run_group_tests_name("fdcheck", tests, NULL, NULL);
}
