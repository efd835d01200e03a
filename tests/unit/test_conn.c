/* The worker's client-protocol state machine (src/worker/conn.c), driven
 * with byte streams and real descriptors. Every descriptor the machine must
 * close is checked closed right after the feed that should close it, and a
 * sentinel then takes its number: a second close() by the machine would hit
 * the sentinel, which the teardown finds. The teardown also compares the
 * process's open descriptors with those at setup. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "conn.h"
#include "fd_helpers.h"
#include "ipc.h"

static struct prh_conn conn;

#define MAX_SENTINELS 256
static int sentinels[MAX_SENTINELS];
static size_t nsentinels;
static int fds_at_setup;

/* ---- descriptors -------------------------------------------------------- */

/* fd must be closed now; a sentinel then holds its number until teardown. */
static void expect_closed(int fd)
{
    assert_true(fd >= 0);
    errno = 0;
    assert_int_equal(fcntl(fd, F_GETFD), -1);
    assert_int_equal(errno, EBADF);
    int s = new_fd();
    if (s != fd) {
        assert_int_equal(dup2(s, fd), fd);
        close(s);
    }
    assert_true(nsentinels < MAX_SENTINELS);
    sentinels[nsentinels++] = fd;
}

/* The request's fd: the one sent, still open; the test closes it. */
static void expect_taken(int fd)
{
    assert_int_equal(prh_conn_take_fd(&conn), fd);
    assert_true(is_open(fd));
    assert_int_equal(close(fd), 0);
    assert_int_equal(prh_conn_take_fd(&conn), -1);
    assert_int_equal(conn.fd, -1);
}

/* ---- feeding ------------------------------------------------------------ */

static enum prh_conn_event feed_raw(const void *data, size_t n, const int *fds,
                                    size_t nfds, int truncated)
{
    struct prh_received r;
    memset(&r, 0, sizeof(r));
    assert_true(nfds <= PRH_FDS_MAX);
    for (size_t i = 0; i < nfds; i++)
        r.fds[i] = fds[i];
    r.nfds = nfds;
    r.truncated = truncated;
    enum prh_conn_event ev = prh_conn_feed(&conn, data, n, &r);
    /* The machine owns every fd it was given: none may be left in r. */
    assert_int_equal(r.nfds, 0);
    return ev;
}

/* Feeds as the I/O loop does: never more than prh_conn_want(). */
static enum prh_conn_event feed(const void *data, size_t n, const int *fds,
                                size_t nfds, int truncated)
{
    assert_true(n <= prh_conn_want(&conn));
    return feed_raw(data, n, fds, nfds, truncated);
}

static enum prh_conn_event feed_bytes(const void *data, size_t n)
{
    return feed(data, n, NULL, 0, 0);
}

static enum prh_conn_event feed_fd(const void *data, size_t n, int fd)
{
    return feed(data, n, &fd, 1, 0);
}

static enum prh_conn_event feed_eof(void)
{
    return feed(NULL, 0, NULL, 0, 0);
}

static void expect_close(enum prh_conn_event ev, uint32_t reason)
{
    assert_int_equal(ev, PRH_EV_CLOSE);
    assert_int_equal(conn.state, PRH_CONN_CLOSED);
    assert_int_equal(conn.close_reason, reason);
    assert_int_equal(prh_conn_want(&conn), 0);
    assert_int_equal(conn.fd, -1);
}

static void handshake(uint32_t features)
{
    uint8_t w[4];
    prh_put_be32(w, features);
    assert_int_equal(conn.state, PRH_CONN_FEATURES);
    assert_int_equal(prh_conn_want(&conn), 4);
    assert_int_equal(feed_bytes(w, sizeof(w)), PRH_EV_MORE);
    assert_int_equal(conn.state, PRH_CONN_CDB);
    assert_int_equal(prh_conn_want(&conn), PRH_CDB_SIZE);
}

static void make_cdb(uint8_t cdb[PRH_CDB_SIZE], uint8_t op, uint8_t sa, uint32_t len)
{
    memset(cdb, 0, PRH_CDB_SIZE);
    cdb[0] = op;
    cdb[1] = sa;
    cdb[2] = op == PRH_OP_PR_OUT ? 0x01 : 0x00; /* scope/type */
    cdb[7] = (uint8_t)(len >> 8);
    cdb[8] = (uint8_t)len;
    cdb[15] = 0x00;
}

static void fill_pattern(uint8_t *p, size_t n, unsigned seed)
{
    for (size_t i = 0; i < n; i++)
        p[i] = (uint8_t)(i * 7 + seed);
}

/* A complete request just arrived: its CDB, length and (PR OUT) list. */
static void expect_request(enum prh_conn_event ev, const uint8_t cdb[PRH_CDB_SIZE],
                           uint32_t xfer, const uint8_t *param)
{
    assert_int_equal(ev, PRH_EV_REQUEST);
    assert_int_equal(conn.state, PRH_CONN_REQUEST);
    assert_int_equal(prh_conn_want(&conn), 0);
    assert_memory_equal(conn.cdb, cdb, PRH_CDB_SIZE);
    assert_int_equal(conn.xfer_len, xfer);
    if (param && xfer > 0)
        assert_memory_equal(conn.param, param, xfer);
}

static void done_and_expect_cdb_state(void)
{
    prh_conn_request_done(&conn);
    assert_int_equal(conn.state, PRH_CONN_CDB);
    assert_int_equal(conn.have, 0);
    assert_int_equal(conn.xfer_len, 0);
    assert_int_equal(conn.fd, -1);
    assert_int_equal(prh_conn_want(&conn), PRH_CDB_SIZE);
}

/* A client byte stream with descriptors attached at byte offsets. */
struct fd_at {
    size_t offset;
    int fd;
};

/* Reads the stream from *pos as the worker's loop reads its socket: each
 * call gets min(chunk, want) bytes and the fds whose offset falls in those
 * bytes. Returns the first event other than MORE, or MORE at the end. */
static enum prh_conn_event drive(const uint8_t *stream, size_t len, size_t *pos,
                                 size_t chunk, const struct fd_at *fds, size_t nfds)
{
    enum prh_conn_event ev = PRH_EV_MORE;
    while (*pos < len && ev == PRH_EV_MORE) {
        size_t n = prh_conn_want(&conn);
        assert_true(n > 0);
        if (n > chunk)
            n = chunk;
        if (n > len - *pos)
            n = len - *pos;
        int got[PRH_FDS_MAX];
        size_t ngot = 0;
        for (size_t i = 0; i < nfds; i++)
            if (fds[i].offset >= *pos && fds[i].offset < *pos + n) {
                assert_true(ngot < PRH_FDS_MAX);
                got[ngot++] = fds[i].fd;
            }
        ev = feed(stream + *pos, n, got, ngot, 0);
        *pos += n;
    }
    return ev;
}

/* ---- fixtures ----------------------------------------------------------- */

static int setup(void **state)
{
    (void)state;
    nsentinels = 0;
    fds_at_setup = count_open_fds();
    memset(&conn, 0xa5, sizeof(conn)); /* init must set what it uses */
    prh_conn_init(&conn);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    prh_conn_destroy(&conn);
    for (size_t i = 0; i < nsentinels; i++) {
        /* Closed by the machine a second time if this fails. */
        assert_true(is_open(sentinels[i]));
        close(sentinels[i]);
    }
    nsentinels = 0;
    assert_int_equal(count_open_fds(), fds_at_setup);
    return 0;
}

/* ---- handshake ---------------------------------------------------------- */

static void test_init(void **state)
{
    (void)state;
    assert_int_equal(conn.state, PRH_CONN_FEATURES);
    assert_int_equal(conn.fd, -1);
    assert_int_equal(conn.have, 0);
    assert_int_equal(prh_conn_want(&conn), 4);
}

static void test_handshake_features_0(void **state)
{
    (void)state;
    handshake(0);
}

static void test_handshake_byte_by_byte(void **state)
{
    (void)state;
    const uint8_t w[4] = {0, 0, 0, 0};
    for (size_t i = 0; i < 4; i++) {
        assert_int_equal(prh_conn_want(&conn), 4 - i);
        assert_int_equal(feed_bytes(&w[i], 1), PRH_EV_MORE);
    }
    assert_int_equal(conn.state, PRH_CONN_CDB);
}

/* No feature bit exists in any QEMU: each one requested closes, bit 0
 * (an old prhelper's "CLEANUP") included, as qemu-pr-helper does. */
static void test_handshake_any_bit_closes(void **state)
{
    (void)state;
    for (unsigned bit = 0; bit < 32; bit++) {
        uint8_t w[4];
        prh_conn_init(&conn);
        prh_put_be32(w, 1u << bit);
        expect_close(feed_bytes(w, 4), PRH_CLOSE_BAD_FEATURES);
    }
    uint8_t all[4] = {0xff, 0xff, 0xff, 0xff};
    prh_conn_init(&conn);
    expect_close(feed_bytes(all, 4), PRH_CLOSE_BAD_FEATURES);
    /* Little-endian 1 is bit 24 on the wire. */
    const uint8_t le1[4] = {1, 0, 0, 0};
    prh_conn_init(&conn);
    expect_close(feed_bytes(le1, 4), PRH_CLOSE_BAD_FEATURES);
}

static void test_fds_during_handshake_closed(void **state)
{
    (void)state;
    const uint8_t w[4] = {0, 0, 0, 0};
    int a = new_fd(), b = new_fd();
    int two[2] = {a, b};
    assert_int_equal(feed(w, 1, two, 2, 0), PRH_EV_MORE);
    expect_closed(a);
    expect_closed(b);
    int c = new_fd();
    assert_int_equal(feed(w + 1, 1, &c, 1, 1), PRH_EV_MORE); /* truncated too */
    expect_closed(c);
    assert_int_equal(feed_bytes(w + 2, 2), PRH_EV_MORE);
    assert_int_equal(conn.state, PRH_CONN_CDB);
    assert_int_equal(conn.fd, -1);

    /* The next request carries its own fd as usual. */
    uint8_t cdb[PRH_CDB_SIZE];
    make_cdb(cdb, PRH_OP_PR_IN, PRH_PRIN_READ_KEYS, 8);
    int fd = new_fd();
    expect_request(feed_fd(cdb, sizeof(cdb), fd), cdb, 8, NULL);
    expect_taken(fd);
}

/* ---- valid requests ----------------------------------------------------- */

static void test_pr_in_every_sa_and_length(void **state)
{
    (void)state;
    const uint32_t lens[] = {0, 8, 8192};
    handshake(0);
    for (uint8_t sa = 0; sa <= 3; sa++) {
        for (size_t l = 0; l < sizeof(lens) / sizeof(lens[0]); l++) {
            uint8_t cdb[PRH_CDB_SIZE];
            struct prh_sense code = {0xee, 0xee, 0xee};
            make_cdb(cdb, PRH_OP_PR_IN, sa, lens[l]);
            int fd = new_fd();
            expect_request(feed_fd(cdb, sizeof(cdb), fd), cdb, lens[l], NULL);
            assert_int_equal(conn.fd, fd);
            assert_int_equal(prh_conn_local_answer(&conn, &code), 0);
            assert_int_equal(code.key, 0xee);
            expect_taken(fd);
            done_and_expect_cdb_state();
        }
    }
}

static void test_pr_out_every_sa_and_length(void **state)
{
    (void)state;
    const uint32_t lens[] = {0, 24, 8192};
    static uint8_t param[PRH_DATA_MAX];
    handshake(0);
    for (uint8_t sa = 0; sa <= 7; sa++) {
        for (size_t l = 0; l < sizeof(lens) / sizeof(lens[0]); l++) {
            uint8_t cdb[PRH_CDB_SIZE];
            struct prh_sense code = {0xee, 0xee, 0xee};
            make_cdb(cdb, PRH_OP_PR_OUT, sa, lens[l]);
            fill_pattern(param, lens[l], sa);
            int fd = new_fd();
            enum prh_conn_event ev = feed_fd(cdb, sizeof(cdb), fd);
            if (lens[l] > 0) {
                assert_int_equal(ev, PRH_EV_MORE);
                assert_int_equal(conn.state, PRH_CONN_PARAM);
                assert_int_equal(prh_conn_want(&conn), lens[l]);
                ev = feed_bytes(param, lens[l]);
            }
            expect_request(ev, cdb, lens[l], param);
            assert_int_equal(prh_conn_local_answer(&conn, &code), 0);
            expect_taken(fd);
            done_and_expect_cdb_state();
        }
    }
}

/* 0xFF (an old prhelper's vendor "cleanup") is no opcode of QEMU's. */
static void test_opcode_0xff_closes(void **state)
{
    (void)state;
    uint8_t cdb[PRH_CDB_SIZE];
    handshake(0);
    make_cdb(cdb, 0xff, 0, 0);
    int fd = new_fd();
    expect_close(feed_fd(cdb, sizeof(cdb), fd), PRH_CLOSE_BAD_OPCODE);
    expect_closed(fd);
}

/* ---- closing cases ------------------------------------------------------ */

static void test_no_fd(void **state)
{
    (void)state;
    uint8_t cdb[PRH_CDB_SIZE];
    handshake(0);
    make_cdb(cdb, PRH_OP_PR_IN, 0, 8);
    expect_close(feed_bytes(cdb, sizeof(cdb)), PRH_CLOSE_NO_FD);
}

static void test_no_fd_byte_by_byte(void **state)
{
    (void)state;
    uint8_t cdb[PRH_CDB_SIZE];
    handshake(0);
    make_cdb(cdb, PRH_OP_PR_OUT, 0, 24);
    for (size_t i = 0; i + 1 < sizeof(cdb); i++)
        assert_int_equal(feed_bytes(&cdb[i], 1), PRH_EV_MORE);
    expect_close(feed_bytes(&cdb[15], 1), PRH_CLOSE_NO_FD);
}

static void test_two_fds_one_chunk(void **state)
{
    (void)state;
    uint8_t cdb[PRH_CDB_SIZE];
    int p[2];
    handshake(0);
    make_cdb(cdb, PRH_OP_PR_IN, 0, 8);
    assert_int_equal(pipe(p), 0);
    expect_close(feed(cdb, sizeof(cdb), p, 2, 0), PRH_CLOSE_TOO_MANY_FDS);
    expect_closed(p[0]);
    expect_closed(p[1]);
}

static void test_many_fds_one_chunk_mid_cdb(void **state)
{
    (void)state;
    uint8_t cdb[PRH_CDB_SIZE];
    int fds[PRH_FDS_MAX];
    handshake(0);
    make_cdb(cdb, PRH_OP_PR_IN, 0, 8);
    assert_int_equal(feed_bytes(cdb, 3), PRH_EV_MORE);
    for (size_t i = 0; i < PRH_FDS_MAX; i++)
        fds[i] = new_fd();
    /* Closes on the chunk that brings them, before the CDB is complete. */
    expect_close(feed(cdb + 3, 2, fds, PRH_FDS_MAX, 0), PRH_CLOSE_TOO_MANY_FDS);
    for (size_t i = 0; i < PRH_FDS_MAX; i++)
        expect_closed(fds[i]);
}

static void test_two_fds_different_chunks(void **state)
{
    (void)state;
    uint8_t stream[4 + PRH_CDB_SIZE];
    memset(stream, 0, 4);
    make_cdb(stream + 4, PRH_OP_PR_OUT, PRH_PROUT_REGISTER, 24);
    for (size_t i = 0; i < PRH_CDB_SIZE; i++) {
        for (size_t j = i + 1; j < PRH_CDB_SIZE; j++) {
            size_t pos = 0;
            struct fd_at fds[2] = {{4 + i, new_fd()}, {4 + j, new_fd()}};
            prh_conn_init(&conn);
            expect_close(drive(stream, sizeof(stream), &pos, 1, fds, 2),
                         PRH_CLOSE_TOO_MANY_FDS);
            assert_int_equal(pos, 4 + j + 1); /* on the second fd's chunk */
            expect_closed(fds[0].fd);
            expect_closed(fds[1].fd);
            /* Sentinels pile up: release them as we go. */
            for (size_t k = 0; k < nsentinels; k++)
                close(sentinels[k]);
            nsentinels = 0;
        }
    }
}

static void test_truncated_fds(void **state)
{
    (void)state;
    uint8_t cdb[PRH_CDB_SIZE];
    make_cdb(cdb, PRH_OP_PR_IN, 0, 8);

    /* Truncated with no fd at all. */
    handshake(0);
    expect_close(feed(cdb, 4, NULL, 0, 1), PRH_CLOSE_TOO_MANY_FDS);

    /* Truncated with the one fd that fitted. */
    prh_conn_init(&conn);
    handshake(0);
    int fd = new_fd();
    expect_close(feed(cdb, sizeof(cdb), &fd, 1, 1), PRH_CLOSE_TOO_MANY_FDS);
    expect_closed(fd);

    /* The fd came earlier; a later chunk of the same CDB is truncated. */
    prh_conn_init(&conn);
    handshake(0);
    fd = new_fd();
    assert_int_equal(feed_fd(cdb, 4, fd), PRH_EV_MORE);
    expect_close(feed(cdb + 4, 4, NULL, 0, 1), PRH_CLOSE_TOO_MANY_FDS);
    expect_closed(fd);
}

static void test_bad_opcodes(void **state)
{
    (void)state;
    for (unsigned op = 0; op <= 0xff; op++) {
        if (op == PRH_OP_PR_IN || op == PRH_OP_PR_OUT)
            continue;
        uint8_t cdb[PRH_CDB_SIZE];
        prh_conn_init(&conn);
        handshake(0);
        make_cdb(cdb, (uint8_t)op, 0, 8);
        int fd = new_fd();
        expect_close(feed_fd(cdb, sizeof(cdb), fd), PRH_CLOSE_BAD_OPCODE);
        expect_closed(fd);
        close(sentinels[--nsentinels]);
    }
}

static void test_opcode_0x12(void **state)
{
    (void)state;
    uint8_t cdb[PRH_CDB_SIZE] = {0x12, 0, 0, 0, 36};
    handshake(0);
    int fd = new_fd();
    expect_close(feed_fd(cdb, sizeof(cdb), fd), PRH_CLOSE_BAD_OPCODE);
    expect_closed(fd);
}

static void test_bad_length(void **state)
{
    (void)state;
    const uint8_t ops[2] = {PRH_OP_PR_IN, PRH_OP_PR_OUT};
    const uint32_t lens[2] = {8193, 0xffff};
    for (size_t o = 0; o < 2; o++) {
        for (size_t l = 0; l < 2; l++) {
            uint8_t cdb[PRH_CDB_SIZE];
            prh_conn_init(&conn);
            handshake(0);
            make_cdb(cdb, ops[o], 0, lens[l]);
            int fd = new_fd();
            expect_close(feed_fd(cdb, sizeof(cdb), fd), PRH_CLOSE_BAD_LENGTH);
            expect_closed(fd);
        }
    }
}

static void test_eof_between_requests(void **state)
{
    (void)state;
    /* Before the handshake. */
    expect_close(feed_eof(), PRH_CLOSE_CLIENT_EOF);

    /* After the handshake. */
    prh_conn_init(&conn);
    handshake(0);
    expect_close(feed_eof(), PRH_CLOSE_CLIENT_EOF);

    /* After a complete request. */
    prh_conn_init(&conn);
    handshake(0);
    uint8_t cdb[PRH_CDB_SIZE];
    make_cdb(cdb, PRH_OP_PR_IN, 0, 8);
    int fd = new_fd();
    expect_request(feed_fd(cdb, sizeof(cdb), fd), cdb, 8, NULL);
    expect_taken(fd);
    done_and_expect_cdb_state();
    expect_close(feed_eof(), PRH_CLOSE_CLIENT_EOF);
}

static void test_eof_mid_handshake(void **state)
{
    (void)state;
    const uint8_t w[4] = {0};
    for (size_t k = 1; k < 4; k++) {
        prh_conn_init(&conn);
        assert_int_equal(feed_bytes(w, k), PRH_EV_MORE);
        expect_close(feed_eof(), PRH_CLOSE_EOF_MID_REQUEST);
    }
}

static void test_eof_mid_cdb(void **state)
{
    (void)state;
    uint8_t cdb[PRH_CDB_SIZE];
    make_cdb(cdb, PRH_OP_PR_IN, 0, 8);
    for (size_t k = 1; k < PRH_CDB_SIZE; k++) {
        /* With the fd already received... */
        prh_conn_init(&conn);
        handshake(0);
        int fd = new_fd();
        assert_int_equal(feed_fd(cdb, k, fd), PRH_EV_MORE);
        expect_close(feed_eof(), PRH_CLOSE_EOF_MID_REQUEST);
        expect_closed(fd);
        /* ...and without. */
        prh_conn_init(&conn);
        handshake(0);
        assert_int_equal(feed_bytes(cdb, k), PRH_EV_MORE);
        expect_close(feed_eof(), PRH_CLOSE_EOF_MID_REQUEST);
    }
    /* An fd arriving with the EOF itself starts a request. */
    prh_conn_init(&conn);
    handshake(0);
    int fd = new_fd();
    expect_close(feed(NULL, 0, &fd, 1, 0), PRH_CLOSE_EOF_MID_REQUEST);
    expect_closed(fd);
}

static void test_eof_mid_param(void **state)
{
    (void)state;
    uint8_t cdb[PRH_CDB_SIZE], param[24];
    make_cdb(cdb, PRH_OP_PR_OUT, PRH_PROUT_REGISTER, sizeof(param));
    fill_pattern(param, sizeof(param), 1);
    for (size_t k = 0; k < sizeof(param); k++) {
        prh_conn_init(&conn);
        handshake(0);
        int fd = new_fd();
        assert_int_equal(feed_fd(cdb, sizeof(cdb), fd), PRH_EV_MORE);
        if (k > 0)
            assert_int_equal(feed_bytes(param, k), PRH_EV_MORE);
        assert_int_equal(conn.state, PRH_CONN_PARAM);
        expect_close(feed_eof(), PRH_CLOSE_EOF_MID_REQUEST);
        expect_closed(fd);
    }
}

/* ---- where descriptors arrive ------------------------------------------- */

static void test_fd_with_each_cdb_chunk(void **state)
{
    (void)state;
    uint8_t stream[4 + PRH_CDB_SIZE];
    memset(stream, 0, 4);
    make_cdb(stream + 4, PRH_OP_PR_IN, PRH_PRIN_READ_RESERVATION, 8192);
    for (size_t i = 0; i < PRH_CDB_SIZE; i++) {
        size_t pos = 0;
        struct fd_at fd = {4 + i, new_fd()};
        prh_conn_init(&conn);
        expect_request(drive(stream, sizeof(stream), &pos, 1, &fd, 1), stream + 4,
                       8192, NULL);
        assert_int_equal(pos, sizeof(stream));
        expect_taken(fd.fd);
    }
}

static void test_fds_during_param_closed(void **state)
{
    (void)state;
    uint8_t cdb[PRH_CDB_SIZE], param[24];
    make_cdb(cdb, PRH_OP_PR_OUT, PRH_PROUT_RESERVE, sizeof(param));
    fill_pattern(param, sizeof(param), 3);
    handshake(0);
    int fd = new_fd();
    assert_int_equal(feed_fd(cdb, sizeof(cdb), fd), PRH_EV_MORE);

    int stray = new_fd();
    assert_int_equal(feed_fd(param, 8, stray), PRH_EV_MORE);
    expect_closed(stray);
    assert_true(is_open(fd));

    int p[2];
    assert_int_equal(pipe(p), 0);
    assert_int_equal(feed(param + 8, 8, p, 2, 1), PRH_EV_MORE); /* and truncated */
    expect_closed(p[0]);
    expect_closed(p[1]);
    assert_true(is_open(fd));
    assert_int_equal(conn.state, PRH_CONN_PARAM);

    expect_request(feed_bytes(param + 16, 8), cdb, sizeof(param), param);
    expect_taken(fd);
}

/* ---- split and merged reads, back to back ------------------------------- */

struct expected {
    uint8_t cdb[PRH_CDB_SIZE];
    uint32_t xfer;
    size_t param_off; /* in the stream */
    size_t fd_off;
    int fd;
    int stray_fd; /* arrives in the parameter list, -1 if none */
    size_t stray_off;
};

static void test_split_and_merged_reads(void **state)
{
    (void)state;
    static uint8_t stream[4 + 5 * PRH_CDB_SIZE + 24 + PRH_DATA_MAX + 100];
    struct expected req[5];
    size_t len = 0, nreq = 0;

    prh_put_be32(stream, 0);
    len = 4;
    const struct {
        uint8_t op, sa;
        uint32_t xfer;
    } shape[5] = {
        {PRH_OP_PR_IN, PRH_PRIN_READ_KEYS, 8192},
        {PRH_OP_PR_OUT, PRH_PROUT_REGISTER, 24},
        {PRH_OP_PR_OUT, PRH_PROUT_REGISTER_AND_MOVE, PRH_DATA_MAX},
        {PRH_OP_PR_IN, PRH_PRIN_READ_RESERVATION, 0},
        {PRH_OP_PR_OUT, PRH_PROUT_RELEASE, 0},
    };
    for (size_t i = 0; i < 5; i++) {
        struct expected *e = &req[nreq++];
        make_cdb(e->cdb, shape[i].op, shape[i].sa, shape[i].xfer);
        memcpy(stream + len, e->cdb, PRH_CDB_SIZE);
        e->fd_off = len + (i * 5) % PRH_CDB_SIZE;
        len += PRH_CDB_SIZE;
        e->xfer = shape[i].xfer;
        e->param_off = len;
        e->stray_off = 0;
        if (shape[i].op == PRH_OP_PR_OUT) {
            fill_pattern(stream + len, shape[i].xfer, (unsigned)i);
            if (shape[i].xfer > 0)
                e->stray_off = len + shape[i].xfer - 1;
            len += shape[i].xfer;
        }
    }
    assert_true(len <= sizeof(stream));

    const size_t extra[] = {100, 1000, 4095, 4096, 8191, 8192, 8193, 100000};
    for (size_t s = 1; s <= 40 + sizeof(extra) / sizeof(extra[0]); s++) {
        size_t chunk = s <= 40 ? s : extra[s - 41];
        struct fd_at fds[10];
        size_t nfds = 0;
        for (size_t i = 0; i < nreq; i++) {
            req[i].fd = new_fd();
            fds[nfds++] = (struct fd_at){req[i].fd_off, req[i].fd};
            req[i].stray_fd = -1;
            if (req[i].stray_off) {
                req[i].stray_fd = new_fd();
                fds[nfds++] = (struct fd_at){req[i].stray_off, req[i].stray_fd};
            }
        }
        prh_conn_init(&conn);
        size_t pos = 0;
        for (size_t i = 0; i < nreq; i++) {
            enum prh_conn_event ev = drive(stream, len, &pos, chunk, fds, nfds);
            int out = req[i].cdb[0] == PRH_OP_PR_OUT;
            expect_request(ev, req[i].cdb, req[i].xfer,
                           out ? stream + req[i].param_off : NULL);
            assert_int_equal(pos, req[i].param_off + (out ? req[i].xfer : 0));
            if (req[i].stray_fd >= 0)
                expect_closed(req[i].stray_fd);
            if (i % 2) {
                expect_taken(req[i].fd);
                done_and_expect_cdb_state();
            } else {
                /* Not taken: request_done closes it. */
                assert_true(is_open(req[i].fd));
                done_and_expect_cdb_state();
                expect_closed(req[i].fd);
            }
        }
        assert_int_equal(pos, len);
        expect_close(feed_eof(), PRH_CLOSE_CLIENT_EOF);
        for (size_t k = 0; k < nsentinels; k++)
            close(sentinels[k]);
        nsentinels = 0;
    }
}

/* ---- local answer, request_done, contract ------------------------------- */

static void test_local_answer_pr_out_bytes_5_6(void **state)
{
    (void)state;
    const uint8_t b5b6[3][2] = {{1, 0}, {0, 1}, {0xff, 0xff}};
    handshake(0);
    for (size_t i = 0; i < 3; i++) {
        uint8_t cdb[PRH_CDB_SIZE], param[24] = {0};
        struct prh_sense code = {0, 0, 0};
        make_cdb(cdb, PRH_OP_PR_OUT, PRH_PROUT_REGISTER, sizeof(param));
        cdb[5] = b5b6[i][0];
        cdb[6] = b5b6[i][1];
        int fd = new_fd();
        /* The list length is still bytes 7-8: the list is read in full. */
        assert_int_equal(feed_fd(cdb, sizeof(cdb), fd), PRH_EV_MORE);
        assert_int_equal(prh_conn_want(&conn), sizeof(param));
        expect_request(feed_bytes(param, sizeof(param)), cdb, sizeof(param), param);
        assert_int_equal(prh_conn_local_answer(&conn, &code), 1);
        assert_int_equal(code.key, 0x05);
        assert_int_equal(code.asc, 0x24);
        assert_int_equal(code.ascq, 0x00);
        done_and_expect_cdb_state();
        expect_closed(fd);
    }
}

static void test_no_local_answer_pr_in(void **state)
{
    (void)state;
    uint8_t cdb[PRH_CDB_SIZE];
    struct prh_sense code = {0xee, 0xee, 0xee};
    handshake(0);
    make_cdb(cdb, PRH_OP_PR_IN, PRH_PRIN_READ_KEYS, 8);
    cdb[5] = 0xff;
    cdb[6] = 0xff;
    int fd = new_fd();
    expect_request(feed_fd(cdb, sizeof(cdb), fd), cdb, 8, NULL);
    assert_int_equal(prh_conn_local_answer(&conn, &code), 0);
    assert_int_equal(code.key, 0xee);
    assert_int_equal(code.asc, 0xee);
    expect_taken(fd);
}

static void test_request_done_resets(void **state)
{
    (void)state;
    uint8_t cdb[PRH_CDB_SIZE], param[24];
    handshake(0);
    make_cdb(cdb, PRH_OP_PR_OUT, PRH_PROUT_PREEMPT, sizeof(param));
    fill_pattern(param, sizeof(param), 9);
    int fd = new_fd();
    assert_int_equal(feed_fd(cdb, sizeof(cdb), fd), PRH_EV_MORE);
    expect_request(feed_bytes(param, sizeof(param)), cdb, sizeof(param), param);

    done_and_expect_cdb_state(); /* closes the untaken fd */
    expect_closed(fd);

    /* The next request is read from scratch: a CDB without fd is NO_FD. */
    make_cdb(cdb, PRH_OP_PR_IN, 0, 8);
    expect_close(feed_bytes(cdb, sizeof(cdb)), PRH_CLOSE_NO_FD);
}

static void test_destroy_closes_held_fd(void **state)
{
    (void)state;
    uint8_t cdb[PRH_CDB_SIZE];
    handshake(0);
    make_cdb(cdb, PRH_OP_PR_IN, 0, 0);
    int fd = new_fd();
    expect_request(feed_fd(cdb, sizeof(cdb), fd), cdb, 0, NULL);
    prh_conn_destroy(&conn);
    expect_closed(fd);
    assert_int_equal(conn.fd, -1);

    /* Mid-CDB too. */
    prh_conn_init(&conn);
    handshake(0);
    fd = new_fd();
    assert_int_equal(feed_fd(cdb, 5, fd), PRH_EV_MORE);
    prh_conn_destroy(&conn);
    expect_closed(fd);
}

static void test_contract_violations(void **state)
{
    (void)state;
    uint8_t cdb[PRH_CDB_SIZE + 1] = {PRH_OP_PR_IN};
    uint8_t w[5] = {0};

    /* More than want. */
    expect_close(feed_raw(w, 5, NULL, 0, 0), PRH_CLOSE_CLIENT_IO);

    prh_conn_init(&conn);
    handshake(0);
    int fd = new_fd();
    expect_close(feed_raw(cdb, sizeof(cdb), &fd, 1, 0), PRH_CLOSE_CLIENT_IO);
    expect_closed(fd);

    /* Feeding while a request waits: the held fd is closed once. */
    prh_conn_init(&conn);
    handshake(0);
    fd = new_fd();
    expect_request(feed_fd(cdb, PRH_CDB_SIZE, fd), cdb, 0, NULL);
    int stray = new_fd();
    expect_close(feed_raw(cdb, 1, &stray, 1, 0), PRH_CLOSE_CLIENT_IO);
    expect_closed(stray);
    expect_closed(fd);
    assert_int_equal(prh_conn_take_fd(&conn), -1);

    /* Feeding a closed machine. */
    stray = new_fd();
    expect_close(feed_raw(cdb, 1, &stray, 1, 0), PRH_CLOSE_CLIENT_IO);
    expect_closed(stray);
}

int main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
    const struct CMUnitTest tests[] = {
        T(test_init),
        T(test_handshake_features_0),
        T(test_handshake_byte_by_byte),
        T(test_handshake_any_bit_closes),
        T(test_fds_during_handshake_closed),
        T(test_pr_in_every_sa_and_length),
        T(test_pr_out_every_sa_and_length),
        T(test_opcode_0xff_closes),
        T(test_no_fd),
        T(test_no_fd_byte_by_byte),
        T(test_two_fds_one_chunk),
        T(test_many_fds_one_chunk_mid_cdb),
        T(test_two_fds_different_chunks),
        T(test_truncated_fds),
        T(test_bad_opcodes),
        T(test_opcode_0x12),
        T(test_bad_length),
        T(test_eof_between_requests),
        T(test_eof_mid_handshake),
        T(test_eof_mid_cdb),
        T(test_eof_mid_param),
        T(test_fd_with_each_cdb_chunk),
        T(test_fds_during_param_closed),
        T(test_split_and_merged_reads),
        T(test_local_answer_pr_out_bytes_5_6),
        T(test_no_local_answer_pr_in),
        T(test_request_done_resets),
        T(test_destroy_closes_held_fd),
        T(test_contract_violations),
    };
#undef T
    return cmocka_run_group_tests_name("conn", tests, NULL, NULL);
}
