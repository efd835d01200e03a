/* The monitor's check of worker records (src/monitor/validate.c). Every
 * branch, with real descriptors: on reject all of them must be closed, on
 * accept the one fd must be handed over open. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "fd_helpers.h"
#include "ipc.h"
#include "validate.h"

#define REC_MAX (sizeof(struct prh_ipc_command) + 2 * PRH_DATA_MAX)

static uint8_t rec[REC_MAX];
static int fds_at_setup;


static int setup(void **state)
{
    (void)state;
    fds_at_setup = count_open_fds();
    memset(rec, 0, sizeof(rec));
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    assert_int_equal(count_open_fds(), fds_at_setup);
    return 0;
}

/* ---- records ------------------------------------------------------------ */

#define COMMAND_FD 5 /* the fd number a command names */

static size_t command(uint8_t op, uint8_t sa, uint32_t cdb_len, uint32_t param_len)
{
    struct prh_ipc_command c;
    memset(&c, 0, sizeof(c));
    c.type = PRH_IPC_COMMAND;
    c.param_len = param_len;
    c.fd = COMMAND_FD;
    c.cdb[0] = op;
    c.cdb[1] = sa;
    c.cdb[7] = (uint8_t)(cdb_len >> 8);
    c.cdb[8] = (uint8_t)cdb_len;
    memcpy(rec, &c, sizeof(c));
    for (size_t i = 0; i < param_len && sizeof(c) + i < sizeof(rec); i++)
        rec[sizeof(c) + i] = (uint8_t)(i * 13 + 1);
    return sizeof(c) + param_len;
}

static size_t event(uint32_t type, uint32_t code)
{
    struct prh_ipc_event e = {.type = type, .code = code};
    memcpy(rec, &e, sizeof(e));
    return sizeof(e);
}

static uint8_t *rec_cdb(void)
{
    return rec + offsetof(struct prh_ipc_command, cdb);
}

/* Validates rec[0..len) with nfds fresh descriptors (or truncated). */
struct outcome {
    enum prh_record_kind kind;
    struct prh_request req;
    uint32_t code;
    const char *why;
    int fds[PRH_FDS_MAX];
    size_t nfds;
};

static struct outcome run(size_t len, size_t nfds, int truncated)
{
    struct outcome o;
    struct prh_received r;
    memset(&o, 0, sizeof(o));
    memset(&r, 0, sizeof(r));
    memset(&o.req, 0xa5, sizeof(o.req));
    o.req.fd = -2;
    o.code = 0xdeadbeef;
    o.why = NULL;
    for (size_t i = 0; i < nfds; i++)
        o.fds[i] = r.fds[i] = new_fd();
    o.nfds = r.nfds = nfds;
    r.truncated = truncated;
    o.kind = prh_validate_record(rec, len, &r, &o.req, &o.code, &o.why);
    /* No fd stays in r whatever the outcome. */
    assert_int_equal(r.nfds, 0);
    return o;
}

static void expect_reject(struct outcome o, const char *why)
{
    assert_int_equal(o.kind, PRH_RECORD_INVALID);
    assert_non_null(o.why);
    assert_string_equal(o.why, why);
    for (size_t i = 0; i < o.nfds; i++) {
        errno = 0;
        assert_int_equal(fcntl(o.fds[i], F_GETFD), -1);
        assert_int_equal(errno, EBADF);
    }
    assert_int_equal(o.code, 0xdeadbeef);
}

static void expect_command(struct outcome o, uint32_t xfer)
{
    assert_int_equal(o.kind, PRH_RECORD_COMMAND);
    assert_int_equal(o.req.fd, -1);
    assert_int_equal(o.req.worker_fd, COMMAND_FD);
    assert_memory_equal(o.req.cdb, rec_cdb(), PRH_CDB_SIZE);
    assert_int_equal(o.req.xfer_len, xfer);
    assert_ptr_equal(o.req.param, rec + sizeof(struct prh_ipc_command));
}

/* ---- accepted ----------------------------------------------------------- */

static void test_accept_pr_in(void **state)
{
    (void)state;
    const uint32_t lens[] = {0, 8, 8192};
    for (uint8_t sa = 0; sa <= 3; sa++)
        for (size_t l = 0; l < 3; l++)
            expect_command(run(command(PRH_OP_PR_IN, sa, lens[l], 0), 0, 0), lens[l]);
}

static void test_accept_pr_out(void **state)
{
    (void)state;
    const uint32_t lens[] = {0, 24, 8192};
    for (uint8_t sa = 0; sa <= 7; sa++) {
        for (size_t l = 0; l < 3; l++) {
            size_t len = command(PRH_OP_PR_OUT, sa, lens[l], lens[l]);
            struct outcome o = run(len, 0, 0);
            expect_command(o, lens[l]);
            if (lens[l])
                assert_int_equal(o.req.param[lens[l] - 1], (uint8_t)((lens[l] - 1) * 13 + 1));
        }
    }
}

static void test_accept_goodbye_every_close_code(void **state)
{
    (void)state;
    for (uint32_t code = 0; code < PRH_CLOSE_MAX; code++) {
        struct outcome o = run(event(PRH_IPC_GOODBYE, code), 0, 0);
        assert_int_equal(o.kind, PRH_RECORD_GOODBYE);
        assert_int_equal(o.code, code);
    }
}

static void test_accept_notice(void **state)
{
    (void)state;
    for (uint32_t code = 0; code < PRH_NOTE_MAX; code++) {
        struct outcome o = run(event(PRH_IPC_NOTICE, code), 0, 0);
        assert_int_equal(o.kind, PRH_RECORD_NOTICE);
        assert_int_equal(o.code, code);
    }
}

/* ---- rejected: framing -------------------------------------------------- */

static void test_reject_truncated(void **state)
{
    (void)state;
    size_t len = command(PRH_OP_PR_IN, 0, 8, 0);
    expect_reject(run(len, 1, 1), "record or descriptors truncated");
    expect_reject(run(len, 0, 1), "record or descriptors truncated");
    expect_reject(run(len, PRH_FDS_MAX, 1), "record or descriptors truncated");
    expect_reject(run(event(PRH_IPC_GOODBYE, 0), 0, 1), "record or descriptors truncated");
}

static void test_reject_short_record(void **state)
{
    (void)state;
    command(PRH_OP_PR_IN, 0, 8, 0);
    for (size_t len = 0; len < 4; len++) {
        expect_reject(run(len, 0, 0), "record shorter than its type");
        expect_reject(run(len, 0, 0), "record shorter than its type");
    }
}

static void test_reject_unknown_type(void **state)
{
    (void)state;
    const uint32_t types[] = {0, PRH_IPC_DONE, 0x434d4432, 0x31444d43, 0xffffffff};
    for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
        command(PRH_OP_PR_IN, 0, 8, 0);
        memcpy(rec, &types[i], sizeof(types[i]));
        expect_reject(run(sizeof(struct prh_ipc_command), 0, 0), "unknown record type");
    }
}

static void test_reject_command_shorter_than_header(void **state)
{
    (void)state;
    command(PRH_OP_PR_IN, 0, 8, 0);
    for (size_t len = 4; len < sizeof(struct prh_ipc_command); len++)
        expect_reject(run(len, 0, 0), "command shorter than its header");
}

static void test_reject_command_length_mismatch(void **state)
{
    (void)state;
    size_t len = command(PRH_OP_PR_OUT, 0, 24, 24);
    expect_reject(run(len - 1, 0, 0), "command length disagrees with its header");
    expect_reject(run(len + 1, 0, 0), "command length disagrees with its header");
    expect_reject(run(sizeof(struct prh_ipc_command), 0, 0),
                  "command length disagrees with its header");
    len = command(PRH_OP_PR_IN, 0, 8, 0);
    expect_reject(run(len + 8, 0, 0), "command length disagrees with its header");
}

static void test_reject_param_above_max(void **state)
{
    (void)state;
    size_t len = command(PRH_OP_PR_OUT, 0, 8192, 8193);
    expect_reject(run(len, 0, 0), "parameter list above 8192 bytes");
    command(PRH_OP_PR_OUT, 0, 0, 0xffffffffu);
    expect_reject(run(sizeof(struct prh_ipc_command), 0, 0),
                  "parameter list above 8192 bytes");
    command(PRH_OP_PR_OUT, 0, 0, 0xffffffffu - sizeof(struct prh_ipc_command) + 1);
    expect_reject(run(sizeof(struct prh_ipc_command), 0, 0),
                  "parameter list above 8192 bytes");
}

/* A command names its fd; a worker never attaches one (ipc.h). */
static void test_reject_fd_count(void **state)
{
    (void)state;
    size_t len = command(PRH_OP_PR_IN, 0, 8, 0);
    expect_reject(run(len, 1, 0), "command with a descriptor attached");
    expect_reject(run(len, 2, 0), "command with a descriptor attached");
    expect_reject(run(len, PRH_FDS_MAX, 0), "command with a descriptor attached");
    len = command(PRH_OP_PR_OUT, 0, 24, 24);
    expect_reject(run(len, 1, 0), "command with a descriptor attached");
}

static void test_reject_fd_number_out_of_range(void **state)
{
    (void)state;
    const int32_t bad[] = {-1, INT32_MIN, PRH_WORKER_FD_LIMIT, INT32_MAX};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        size_t len = command(PRH_OP_PR_IN, 0, 8, 0);
        memcpy(rec + offsetof(struct prh_ipc_command, fd), &bad[i], sizeof(bad[i]));
        expect_reject(run(len, 0, 0), "command naming an fd out of range");
    }
    size_t len = command(PRH_OP_PR_IN, 0, 8, 0);
    int32_t edge = PRH_WORKER_FD_LIMIT - 1;
    memcpy(rec + offsetof(struct prh_ipc_command, fd), &edge, sizeof(edge));
    struct outcome o = run(len, 0, 0);
    assert_int_equal(o.kind, PRH_RECORD_COMMAND);
    assert_int_equal(o.req.worker_fd, edge);
}

/* ---- rejected: opcode rules --------------------------------------------- */

static void test_reject_pr_in_with_param(void **state)
{
    (void)state;
    expect_reject(run(command(PRH_OP_PR_IN, 0, 8, 8), 0, 0), "PR IN with a parameter list");
    expect_reject(run(command(PRH_OP_PR_IN, 0, 0, 1), 0, 0), "PR IN with a parameter list");
}

static void test_reject_pr_in_alloc_above_max(void **state)
{
    (void)state;
    expect_reject(run(command(PRH_OP_PR_IN, 0, 8193, 0), 0, 0),
                  "PR IN allocation length above 8192");
    expect_reject(run(command(PRH_OP_PR_IN, 0, 0xffff, 0), 0, 0),
                  "PR IN allocation length above 8192");
}

static void test_reject_pr_out_bytes_5_6(void **state)
{
    (void)state;
    size_t len = command(PRH_OP_PR_OUT, 0, 24, 24);
    rec_cdb()[5] = 1;
    expect_reject(run(len, 0, 0), "PR OUT length in CDB bytes 5-6");
    len = command(PRH_OP_PR_OUT, 0, 24, 24);
    rec_cdb()[6] = 1;
    expect_reject(run(len, 0, 0), "PR OUT length in CDB bytes 5-6");
    /* Bytes 5-6 on PR IN are not a length: accepted. */
    len = command(PRH_OP_PR_IN, 0, 24, 0);
    rec_cdb()[5] = rec_cdb()[6] = 0xff;
    expect_command(run(len, 0, 0), 24);
}

static void test_reject_pr_out_param_mismatch(void **state)
{
    (void)state;
    expect_reject(run(command(PRH_OP_PR_OUT, 0, 0, 24), 0, 0),
                  "PR OUT parameter list of the wrong length");
    expect_reject(run(command(PRH_OP_PR_OUT, 0, 24, 0), 0, 0),
                  "PR OUT parameter list of the wrong length");
    expect_reject(run(command(PRH_OP_PR_OUT, 0, 24, 23), 0, 0),
                  "PR OUT parameter list of the wrong length");
    expect_reject(run(command(PRH_OP_PR_OUT, 0, 8193, 8192), 0, 0),
                  "PR OUT parameter list of the wrong length");
}

static void test_reject_other_opcodes(void **state)
{
    (void)state;
    expect_reject(run(command(0x12, 0, 36, 0), 0, 0), "opcode not PR IN or PR OUT");
    for (unsigned op = 0; op <= 0xff; op++) {
        if (op == PRH_OP_PR_IN || op == PRH_OP_PR_OUT)
            continue;
        expect_reject(run(command((uint8_t)op, 0, 0, 0), 0, 0),
                      "opcode not PR IN or PR OUT");
    }
}

/* ---- rejected: events --------------------------------------------------- */

static void test_reject_event_length(void **state)
{
    (void)state;
    const uint32_t types[2] = {PRH_IPC_GOODBYE, PRH_IPC_NOTICE};
    for (size_t t = 0; t < 2; t++) {
        uint32_t code = types[t] == PRH_IPC_NOTICE ? PRH_NOTE_PR_OUT_LENGTH : 0;
        size_t len = event(types[t], code);
        expect_reject(run(4, 0, 0), "event record of wrong length");
        expect_reject(run(len - 1, 0, 0), "event record of wrong length");
        expect_reject(run(len + 1, 0, 0), "event record of wrong length");
        expect_reject(run(sizeof(struct prh_ipc_command), 0, 0),
                      "event record of wrong length");
    }
}

static void test_reject_event_with_fd(void **state)
{
    (void)state;
    expect_reject(run(event(PRH_IPC_GOODBYE, PRH_CLOSE_CLIENT_EOF), 1, 0),
                  "event record with a descriptor");
    expect_reject(run(event(PRH_IPC_NOTICE, PRH_NOTE_PR_OUT_LENGTH), 2, 0),
                  "event record with a descriptor");
}

static void test_reject_event_code_out_of_range(void **state)
{
    (void)state;
    const uint32_t codes[] = {PRH_CLOSE_MAX, PRH_CLOSE_MAX + 1, 0x80000000u, 0xffffffffu};
    for (size_t i = 0; i < sizeof(codes) / sizeof(codes[0]); i++)
        expect_reject(run(event(PRH_IPC_GOODBYE, codes[i]), 0, 0),
                      "event record with a code that does not fit");
    const uint32_t notes[] = {PRH_NOTE_MAX, PRH_NOTE_MAX + 1, 0x80000000u, 0xffffffffu};
    for (size_t i = 0; i < sizeof(notes) / sizeof(notes[0]); i++)
        expect_reject(run(event(PRH_IPC_NOTICE, notes[i]), 0, 0),
                      "event record with a code that does not fit");
}

/* Close reasons outnumber notes: one that is a reason only is no note. */
static void test_reject_event_code_wrong_kind(void **state)
{
    (void)state;
    for (uint32_t code = PRH_NOTE_MAX; code < PRH_CLOSE_MAX; code++)
        expect_reject(run(event(PRH_IPC_NOTICE, code), 0, 0),
                      "event record with a code that does not fit");
}

/* ASSIGN travels only from the monitor to a worker. */
static void test_reject_assign_from_worker(void **state)
{
    (void)state;
    expect_reject(run(event(PRH_IPC_ASSIGN, 0), 1, 0), "unknown record type");
    expect_reject(run(event(PRH_IPC_ASSIGN, 0), 0, 0), "unknown record type");
}

int main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
    const struct CMUnitTest tests[] = {
        T(test_accept_pr_in),
        T(test_accept_pr_out),
        T(test_accept_goodbye_every_close_code),
        T(test_accept_notice),
        T(test_reject_truncated),
        T(test_reject_short_record),
        T(test_reject_unknown_type),
        T(test_reject_command_shorter_than_header),
        T(test_reject_command_length_mismatch),
        T(test_reject_param_above_max),
        T(test_reject_fd_count),
        T(test_reject_fd_number_out_of_range),
        T(test_reject_pr_in_with_param),
        T(test_reject_pr_in_alloc_above_max),
        T(test_reject_pr_out_bytes_5_6),
        T(test_reject_pr_out_param_mismatch),
        T(test_reject_other_opcodes),
        T(test_reject_event_length),
        T(test_reject_event_with_fd),
        T(test_reject_event_code_out_of_range),
        T(test_reject_event_code_wrong_kind),
        T(test_reject_assign_from_worker),
    };
#undef T
    return cmocka_run_group_tests_name("validate", tests, NULL, NULL);
}
