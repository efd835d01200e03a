/* route.h's table, cell by cell; the no-capability mode's records
 * (validate.c's prh_validate_own_record); and the BTF reader of its
 * start-up probe (kernel_probe.c). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "fd_helpers.h"
#include "ipc.h"
#include "kernel_probe.h"
#include "route.h"
#include "scsi.h"
#include "validate.h"

static const uint8_t *cdb_of(uint8_t op, uint8_t sa)
{
    static uint8_t cdb[PRH_CDB_SIZE];
    memset(cdb, 0, sizeof(cdb));
    cdb[0] = op;
    cdb[1] = sa;
    cdb[8] = op == PRH_OP_PR_OUT ? 24 : 0xff;
    return cdb;
}

static enum prh_route route(enum prh_mode m, enum prh_dev_class c, uint8_t op, uint8_t sa,
                            uint32_t len)
{
    return prh_route_of(m, c, cdb_of(op, sa), len).route;
}

static void test_sg_mode(void **state)
{
    (void)state;
    for (uint8_t sa = 0; sa < 8; sa++) {
        assert_int_equal(route(PRH_MODE_SG_IO, PRH_CLASS_DISK, PRH_OP_PR_OUT, sa, 24), PRH_ROUTE_MONITOR_SG_IO);
        assert_int_equal(route(PRH_MODE_SG_IO, PRH_CLASS_SG_NODE, PRH_OP_PR_IN, sa, 255), PRH_ROUTE_MONITOR_SG_IO);
        assert_int_equal(route(PRH_MODE_SG_IO, PRH_CLASS_MAP, PRH_OP_PR_OUT, sa, 24), PRH_ROUTE_MONITOR_IOCTL);
        assert_int_equal(route(PRH_MODE_SG_IO, PRH_CLASS_NOT_WHOLE_LU, PRH_OP_PR_OUT, sa, 24), PRH_ROUTE_REFUSED_DEVICE);
        assert_int_equal(route(PRH_MODE_SG_IO, PRH_CLASS_NOT_WHOLE_LU, PRH_OP_PR_IN, sa, 255), PRH_ROUTE_REFUSED_DEVICE);
    }
    struct prh_route_entry e = prh_route_of(PRH_MODE_SG_IO, PRH_CLASS_MAP, cdb_of(PRH_OP_PR_IN, 0), 255);
    assert_int_equal(e.route, PRH_ROUTE_MONITOR_IOCTL);
    assert_int_equal(e.fallback, PRH_ROUTE_MONITOR_SG_IO);
    /* note 1: no room for data, the map's own answer */
    assert_int_equal(route(PRH_MODE_SG_IO, PRH_CLASS_MAP, PRH_OP_PR_IN, 0, 0), PRH_ROUTE_MONITOR_SG_IO);
    assert_int_equal(route(PRH_MODE_SG_IO, PRH_CLASS_MAP, PRH_OP_PR_IN, 1, 0), PRH_ROUTE_MONITOR_SG_IO);
    e = prh_route_of(PRH_MODE_SG_IO, PRH_CLASS_MAP, cdb_of(PRH_OP_PR_IN, 2), 255);
    assert_int_equal(e.route, PRH_ROUTE_MONITOR_SG_IO);
    assert_true(e.mask_capabilities);
    assert_int_equal(route(PRH_MODE_SG_IO, PRH_CLASS_MAP, PRH_OP_PR_IN, 3, 255), PRH_ROUTE_MONITOR_SG_IO);
    assert_false(prh_route_of(PRH_MODE_SG_IO, PRH_CLASS_DISK, cdb_of(PRH_OP_PR_IN, 2), 255).mask_capabilities);
}

static void test_no_caps_mode(void **state)
{
    (void)state;
    enum prh_dev_class both[] = {PRH_CLASS_DISK, PRH_CLASS_MAP};
    for (int i = 0; i < 2; i++) {
        enum prh_dev_class c = both[i];
        for (uint8_t sa = 0; sa < 8; sa++)
            assert_int_equal(route(PRH_MODE_NO_CAPS, c, PRH_OP_PR_OUT, sa, 24), PRH_ROUTE_WORKER_IOCTL);
        for (uint32_t len = 0; len < 300; len += 255) {
            struct prh_route_entry e = prh_route_of(PRH_MODE_NO_CAPS, c, cdb_of(PRH_OP_PR_IN, 0), len);
            assert_int_equal(e.route, PRH_ROUTE_WORKER_IOCTL); /* never SG_IO, not even for len 0 */
            assert_int_equal(e.fallback, PRH_ROUTE_REFUSED_NO_IOCTL);
            assert_int_equal(route(PRH_MODE_NO_CAPS, c, PRH_OP_PR_IN, 1, len), PRH_ROUTE_WORKER_IOCTL);
        }
        assert_int_equal(route(PRH_MODE_NO_CAPS, c, PRH_OP_PR_IN, 2, 255), PRH_ROUTE_ANSWERED);
        assert_int_equal(route(PRH_MODE_NO_CAPS, c, PRH_OP_PR_IN, 3, 255), PRH_ROUTE_REFUSED_COMMAND);
        assert_int_equal(route(PRH_MODE_NO_CAPS, c, PRH_OP_PR_IN, 9, 255), PRH_ROUTE_REFUSED_COMMAND);
    }
    for (uint8_t sa = 0; sa < 8; sa++) {
        assert_int_equal(route(PRH_MODE_NO_CAPS, PRH_CLASS_SG_NODE, PRH_OP_PR_OUT, sa, 24), PRH_ROUTE_REFUSED_SG_NODE);
        assert_int_equal(route(PRH_MODE_NO_CAPS, PRH_CLASS_SG_NODE, PRH_OP_PR_IN, sa, 255), PRH_ROUTE_REFUSED_SG_NODE);
        assert_int_equal(route(PRH_MODE_NO_CAPS, PRH_CLASS_NOT_WHOLE_LU, PRH_OP_PR_OUT, sa, 24), PRH_ROUTE_REFUSED_DEVICE);
    }
    /* no cell of this mode names a monitor's backend */
    for (int c = 0; c < PRH_CLASS_MAX; c++)
        for (int op = 0; op < 2; op++)
            for (uint8_t sa = 0; sa < 32; sa++) {
                struct prh_route_entry e = prh_route_of(PRH_MODE_NO_CAPS, (enum prh_dev_class)c,
                                                        cdb_of(op ? PRH_OP_PR_OUT : PRH_OP_PR_IN, sa), 24);
                assert_true(e.route >= PRH_ROUTE_WORKER_IOCTL && e.fallback >= PRH_ROUTE_WORKER_IOCTL);
            }
    /* out of range: refused */
    assert_int_equal(route((enum prh_mode)7, PRH_CLASS_DISK, PRH_OP_PR_OUT, 0, 24), PRH_ROUTE_REFUSED_DEVICE);
    assert_int_equal(route(PRH_MODE_NO_CAPS, PRH_CLASS_MAX, PRH_OP_PR_OUT, 0, 24), PRH_ROUTE_REFUSED_DEVICE);
}

static void test_refusal_sense(void **state)
{
    (void)state;
    struct prh_sense c;
    assert_true(prh_route_refuses(PRH_ROUTE_REFUSED_DEVICE, &c));
    assert_memory_equal(&c, &PRH_SENSE_INVALID_OPCODE, sizeof(c));
    assert_true(prh_route_refuses(PRH_ROUTE_REFUSED_SG_NODE, &c));
    assert_memory_equal(&c, &PRH_SENSE_INVALID_OPCODE, sizeof(c));
    assert_true(prh_route_refuses(PRH_ROUTE_REFUSED_NO_IOCTL, &c));
    assert_memory_equal(&c, &PRH_SENSE_INVALID_OPCODE, sizeof(c));
    assert_true(prh_route_refuses(PRH_ROUTE_REFUSED_COMMAND, &c));
    assert_memory_equal(&c, &PRH_SENSE_INVALID_FIELD, sizeof(c));
    assert_false(prh_route_refuses(PRH_ROUTE_WORKER_IOCTL, &c));
    assert_false(prh_route_refuses(PRH_ROUTE_ANSWERED, &c));
}

static void test_capabilities(void **state)
{
    (void)state;
    uint8_t out[16];
    memset(out, 0xee, sizeof(out));
    assert_int_equal(prh_route_capabilities(out, 8192), 8);
    const uint8_t want[8] = {0, 8, 0x01, 0x80, 0xea, 0x01, 0, 0};
    assert_memory_equal(out, want, 8);
    assert_int_equal(out[8], 0xee);
    memset(out, 0xee, sizeof(out));
    assert_int_equal(prh_route_capabilities(out, 3), 3);
    assert_int_equal(out[3], 0xee);
    assert_int_equal(prh_route_capabilities(out, 0), 0);
}

/* ---- the no-capability mode's records ---------------------------------- */

static uint8_t rec[128];

static struct prh_ipc_report report(uint8_t op, uint8_t sa, uint32_t route_, int32_t status)
{
    struct prh_ipc_report r;
    memset(&r, 0, sizeof(r));
    r.type = PRH_IPC_REPORT;
    r.major = 8;
    r.cdb[0] = op;
    r.cdb[1] = sa;
    r.cdb[8] = op == PRH_OP_PR_OUT ? 24 : 64;
    r.xfer_len = op == PRH_OP_PR_OUT ? 24 : 64;
    r.route = route_;
    r.status = status;
    if (status == PRH_CHECK_CONDITION) {
        r.sense_key = 5;
        r.asc = 0x20;
    }
    return r;
}

static enum prh_record_kind check_own(const void *r, size_t len, size_t nfds, const char **why)
{
    struct prh_received fds;
    struct prh_own_record out;
    uint32_t code = 0;
    memset(&fds, 0, sizeof(fds));
    for (size_t i = 0; i < nfds; i++)
        fds.fds[i] = new_fd();
    fds.nfds = nfds;
    memcpy(rec, r, len);
    enum prh_record_kind k = prh_validate_own_record(rec, len, &fds, &out, &code, why);
    assert_int_equal(fds.nfds, 0);
    return k;
}

static void test_own_records(void **state)
{
    (void)state;
    const char *why;
    int fds0 = count_open_fds();
    struct prh_ipc_report r = report(PRH_OP_PR_OUT, 0, PRH_ROUTE_WORKER_IOCTL, PRH_GOOD);
    assert_int_equal(check_own(&r, sizeof(r), 0, &why), PRH_RECORD_REPORT);
    assert_int_equal(check_own(&r, sizeof(r) - 1, 0, &why), PRH_RECORD_INVALID);
    assert_int_equal(check_own(&r, sizeof(r), 1, &why), PRH_RECORD_INVALID);
    r.route = PRH_ROUTE_MONITOR_SG_IO; /* no worker takes it */
    assert_int_equal(check_own(&r, sizeof(r), 0, &why), PRH_RECORD_INVALID);
    r.route = PRH_ROUTE_MAX;
    assert_int_equal(check_own(&r, sizeof(r), 0, &why), PRH_RECORD_INVALID);
    r = report(PRH_OP_PR_OUT, 0, PRH_ROUTE_WORKER_IOCTL, PRH_GOOD);
    r.data_len = 1; /* PR OUT with data */
    assert_int_equal(check_own(&r, sizeof(r), 0, &why), PRH_RECORD_INVALID);
    r = report(PRH_OP_PR_IN, 0, PRH_ROUTE_WORKER_IOCTL, PRH_GOOD);
    r.data_len = 64;
    assert_int_equal(check_own(&r, sizeof(r), 0, &why), PRH_RECORD_REPORT);
    r.data_len = 65; /* above the allocation length */
    assert_int_equal(check_own(&r, sizeof(r), 0, &why), PRH_RECORD_INVALID);
    r = report(PRH_OP_PR_IN, 0, PRH_ROUTE_WORKER_IOCTL, PRH_GOOD);
    r.xfer_len = 63; /* not what the CDB says */
    assert_int_equal(check_own(&r, sizeof(r), 0, &why), PRH_RECORD_INVALID);
    r = report(PRH_OP_PR_IN, 0, PRH_ROUTE_WORKER_IOCTL, 0x40);
    assert_int_equal(check_own(&r, sizeof(r), 0, &why), PRH_RECORD_INVALID);
    r = report(PRH_OP_PR_IN, 0, PRH_ROUTE_WORKER_IOCTL, PRH_GOOD);
    r.asc = 1; /* sense without CHECK CONDITION */
    assert_int_equal(check_own(&r, sizeof(r), 0, &why), PRH_RECORD_INVALID);
    r = report(PRH_OP_PR_IN, 0, PRH_ROUTE_REFUSED_SG_NODE, PRH_GOOD); /* a refusal that is GOOD */
    assert_int_equal(check_own(&r, sizeof(r), 0, &why), PRH_RECORD_INVALID);
    r = report(PRH_OP_PR_IN, 0, PRH_ROUTE_REFUSED_SG_NODE, PRH_CHECK_CONDITION);
    assert_int_equal(check_own(&r, sizeof(r), 0, &why), PRH_RECORD_REPORT);
    r.sense_key = 0x10;
    assert_int_equal(check_own(&r, sizeof(r), 0, &why), PRH_RECORD_INVALID);
    r = report(PRH_OP_PR_IN, 0, PRH_ROUTE_WORKER_IOCTL, PRH_GOOD);
    r.cdb[0] = 0x12; /* INQUIRY */
    assert_int_equal(check_own(&r, sizeof(r), 0, &why), PRH_RECORD_INVALID);
    r = report(PRH_OP_PR_IN, 0, PRH_ROUTE_WORKER_IOCTL, PRH_GOOD);
    r.minor = 1u << 20;
    assert_int_equal(check_own(&r, sizeof(r), 0, &why), PRH_RECORD_INVALID);

    struct prh_ipc_classify c = {PRH_IPC_CLASSIFY, 8, 16, 0, 7};
    assert_int_equal(check_own(&c, sizeof(c), 0, &why), PRH_RECORD_CLASSIFY);
    uint8_t longer[sizeof(c) + 1] = {0};
    memcpy(longer, &c, sizeof(c));
    assert_int_equal(check_own(longer, sizeof(longer), 0, &why), PRH_RECORD_INVALID);
    assert_int_equal(check_own(&c, sizeof(c), 2, &why), PRH_RECORD_INVALID);
    c.reserved = 1;
    assert_int_equal(check_own(&c, sizeof(c), 0, &why), PRH_RECORD_INVALID);
    c.reserved = 0;
    c.major = 4096;
    assert_int_equal(check_own(&c, sizeof(c), 0, &why), PRH_RECORD_INVALID);

    struct prh_ipc_command cmd = {PRH_IPC_COMMAND, 0, 5, {PRH_OP_PR_IN}};
    assert_int_equal(check_own(&cmd, sizeof(cmd), 0, &why), PRH_RECORD_INVALID);
    assert_non_null(strstr(why, "no-capability"));
    struct prh_ipc_event ev = {PRH_IPC_GOODBYE, PRH_CLOSE_CLIENT_EOF};
    assert_int_equal(check_own(&ev, sizeof(ev), 0, &why), PRH_RECORD_GOODBYE);
    ev.type = PRH_IPC_NOTICE;
    ev.code = PRH_NOTE_MAX;
    assert_int_equal(check_own(&ev, sizeof(ev), 0, &why), PRH_RECORD_INVALID);
    /* and the SG_IO mode's validator knows none of them */
    struct prh_received none;
    struct prh_request req;
    uint32_t code;
    memset(&none, 0, sizeof(none));
    memcpy(rec, &c, sizeof(c));
    c.major = 8;
    memcpy(rec, &c, sizeof(c));
    assert_int_equal(prh_validate_record(rec, sizeof(c), &none, &req, &code, &why), PRH_RECORD_INVALID);
    assert_int_equal(count_open_fds(), fds0);
}

/* ---- the BTF reader ----------------------------------------------------- */

/* A blob: header, types, strings. */
static size_t btf_blob(uint8_t *out, const uint32_t *types, size_t ntypes, const char *strs,
                       size_t strs_len)
{
    uint32_t hdr[6] = {0};
    uint16_t magic = 0xeb9f;
    memcpy(hdr, &magic, 2);
    ((uint8_t *)hdr)[2] = 1;
    hdr[1] = 24;                             /* hdr_len */
    hdr[2] = 0;                              /* type_off */
    hdr[3] = (uint32_t)(ntypes * 4);         /* type_len */
    hdr[4] = (uint32_t)(ntypes * 4);         /* str_off */
    hdr[5] = (uint32_t)strs_len;             /* str_len */
    memcpy(out, hdr, 24);
    memcpy(out + 24, types, ntypes * 4);
    memcpy(out + 24 + ntypes * 4, strs, strs_len);
    return 24 + ntypes * 4 + strs_len;
}

#define INFO(kind, vlen) ((uint32_t)(kind) << 24 | (vlen))

static void test_btf(void **state)
{
    (void)state;
    static const char strs[] = "\0pr_read_keys\0pr_read_reservation\0x";
    const char *names[] = {"pr_read_keys", "pr_read_reservation"};
    uint8_t blob[512];
    char why[128];
    /* an INT (+4), a struct pr_read_keys with one member (+12), a FUNC_PROTO
     * with two params (+16), a struct pr_read_reservation with none */
    const uint32_t with[] = {0, INFO(1, 0), 4, 0x20,
                             1, INFO(4, 1), 16, 35, 1, 0,
                             0, INFO(13, 2), 1, 0, 1, 0, 1,
                             14, INFO(4, 0), 16};
    size_t n = btf_blob(blob, with, sizeof(with) / 4, strs, sizeof(strs));
    assert_int_equal(prh_btf_has_structs(blob, n, names, 2, why, sizeof(why)), 1);
    /* the names only as a member and a forward declaration (kind 7): no */
    const uint32_t without[] = {0, INFO(4, 1), 8, 1, 1, 0,
                                14, INFO(7, 0), 0};
    n = btf_blob(blob, without, sizeof(without) / 4, strs, sizeof(strs));
    assert_int_equal(prh_btf_has_structs(blob, n, names, 2, why, sizeof(why)), 0);
    assert_non_null(strstr(why, "no struct pr_read_keys"));
    /* one of the two */
    const uint32_t half[] = {1, INFO(4, 0), 16};
    n = btf_blob(blob, half, sizeof(half) / 4, strs, sizeof(strs));
    assert_int_equal(prh_btf_has_structs(blob, n, names, 2, why, sizeof(why)), 0);
    assert_non_null(strstr(why, "pr_read_reservation"));
    /* a kind past what it knows, a bad magic, lengths past the end */
    const uint32_t odd[] = {1, INFO(25, 0), 16};
    n = btf_blob(blob, odd, sizeof(odd) / 4, strs, sizeof(strs));
    assert_int_equal(prh_btf_has_structs(blob, n, names, 2, why, sizeof(why)), 0);
    n = btf_blob(blob, with, sizeof(with) / 4, strs, sizeof(strs));
    blob[0] ^= 1;
    assert_int_equal(prh_btf_has_structs(blob, n, names, 2, why, sizeof(why)), 0);
    blob[0] ^= 1;
    assert_int_equal(prh_btf_has_structs(blob, n - 1, names, 2, why, sizeof(why)), 0);
    assert_int_equal(prh_btf_has_structs(blob, 10, names, 2, why, sizeof(why)), 0);
    /* a name offset past the strings */
    const uint32_t far[] = {1000, INFO(4, 0), 16};
    n = btf_blob(blob, far, sizeof(far) / 4, strs, sizeof(strs));
    assert_int_equal(prh_btf_has_structs(blob, n, names, 2, why, sizeof(why)), 0);
    /* the running kernel, whatever it is: an answer and a reason, no crash */
    int here = prh_kernel_has_pr_read_ioctls(PRH_KERNEL_BTF, why, sizeof(why));
    assert_true(here == 0 || here == 1);
    assert_int_equal(prh_kernel_has_pr_read_ioctls("/nonexistent", why, sizeof(why)), 0);
    assert_non_null(strstr(why, "without BTF"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sg_mode),
        cmocka_unit_test(test_no_caps_mode),
        cmocka_unit_test(test_refusal_sense),
        cmocka_unit_test(test_capabilities),
        cmocka_unit_test(test_own_records),
        cmocka_unit_test(test_btf),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
