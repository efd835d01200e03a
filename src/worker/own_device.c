#include "own_device.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/fs.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/sysmacros.h>
#include <time.h>
#include <unistd.h>

#include "fdio.h"
#include "ipc.h"
#include "pr_ioctl.h"
#include "reply.h"
#include "route.h"
#include "scsi.h"

#define CLASS_TTL_NS 1000000000ull

static struct {
    dev_t rdev;
    uint64_t diskseq;
    uint64_t at_ns; /* 0: nothing known */
    enum prh_dev_class cls;
} known;

static struct prh_answer answer;

static uint64_t now_ns(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (uint64_t)t.tv_sec * 1000000000ull + (uint64_t)t.tv_nsec;
}

/* The monitor's CLASS, the only record it sends here; anything else is
 * the end of this connection. Returns 0 or -1. */
static int ask_class(dev_t rdev, uint64_t diskseq, enum prh_dev_class *cls)
{
    struct prh_ipc_classify rq = {PRH_IPC_CLASSIFY, major(rdev), minor(rdev), 0, diskseq};
    struct prh_received fds;
    struct prh_ipc_event ev;

    if (prh_send_record(PRH_WORKER_MONITOR_FD, &rq, sizeof(rq), NULL, 0, -1) < 0)
        return -1;
    ssize_t n = prh_recv_with_fds(PRH_WORKER_MONITOR_FD, &ev, sizeof(ev), &fds);
    int ok = n == (ssize_t)sizeof(ev) && fds.nfds == 0 && !fds.truncated &&
             ev.type == PRH_IPC_CLASS && ev.code < PRH_CLASS_MAX;
    prh_received_close(&fds);
    if (ok)
        *cls = (enum prh_dev_class)ev.code;
    return ok ? 0 : -1;
}

static int class_of(const struct prh_fd_info *info, enum prh_dev_class *cls)
{
    if (info->kind == PRH_FD_SCSI_GENERIC) {
        *cls = PRH_CLASS_SG_NODE;
        return 0;
    }
    uint64_t seq = 0, now = now_ns();
    if (ioctl(PRH_WORKER_DEVICE_FD, BLKGETDISKSEQ, &seq) < 0)
        seq = 0;
    if (known.at_ns && known.rdev == info->rdev && known.diskseq == seq &&
        now - known.at_ns < CLASS_TTL_NS) {
        *cls = known.cls;
        return 0;
    }
    if (ask_class(info->rdev, seq, cls) < 0)
        return -1;
    known.rdev = info->rdev;
    known.diskseq = seq;
    known.at_ns = now;
    known.cls = *cls;
    return 0;
}

static void refuse(enum prh_route route)
{
    struct prh_sense code = PRH_SENSE_INVALID_OPCODE;
    prh_route_refuses(route, &code);
    memset(answer.sense, 0, sizeof(answer.sense));
    answer.status = PRH_CHECK_CONDITION;
    answer.data_len = 0;
    prh_sense_build(answer.sense, code);
}

/* Runs the table's cell; returns the route that answered, *err the
 * ioctl's errno. */
static enum prh_route run(const struct prh_conn *conn, enum prh_dev_class cls, int *err)
{
    struct prh_route_entry e = prh_route_of(PRH_MODE_NO_CAPS, cls, conn->cdb, conn->xfer_len);
    *err = 0;
    if (e.route == PRH_ROUTE_WORKER_IOCTL) {
        enum prh_ioctl_outcome o = prh_pr_ioctl_run(PRH_WORKER_DEVICE_FD, conn->cdb, conn->param,
                                                    conn->xfer_len, &answer, err);
        if (o == PRH_IOCTL_ANSWERED)
            return e.route;
        if (o == PRH_IOCTL_REFUSED)
            return PRH_ROUTE_REFUSED_COMMAND; /* block_pr.h's sense, the device untouched */
        e.route = e.fallback;
    }
    if (e.route == PRH_ROUTE_ANSWERED) {
        memset(answer.sense, 0, sizeof(answer.sense));
        answer.status = PRH_GOOD;
        answer.data_len = prh_route_capabilities(answer.data, conn->xfer_len);
        return e.route;
    }
    refuse(e.route);
    return e.route;
}

static void report(const struct prh_conn *conn, const struct prh_fd_info *info,
                   enum prh_route route, int err, uint64_t t0)
{
    struct prh_ipc_report r;
    struct prh_sense sk = prh_sense_parse(answer.sense);
    uint64_t usec = (now_ns() - t0) / 1000;

    memset(&r, 0, sizeof(r));
    r.type = PRH_IPC_REPORT;
    r.major = major(info->rdev);
    r.minor = minor(info->rdev);
    r.xfer_len = conn->xfer_len;
    r.route = route;
    r.status = answer.status;
    r.data_len = answer.data_len;
    r.usec = usec > UINT32_MAX ? UINT32_MAX : (uint32_t)usec;
    r.err = err;
    if (answer.status == PRH_CHECK_CONDITION) {
        r.sense_key = sk.key;
        r.asc = sk.asc;
        r.ascq = sk.ascq;
    }
    memcpy(r.cdb, conn->cdb, sizeof(r.cdb));
    prh_send_record(PRH_WORKER_MONITOR_FD, &r, sizeof(r), NULL, 0, -1);
}

uint32_t prh_own_device_serve(const struct prh_conn *conn, int fd,
                              const struct prh_fd_info *info)
{
    uint8_t header[PRH_REPLY_HEADER_SIZE];
    enum prh_dev_class cls;
    uint64_t t0 = now_ns();
    int err;

    /* The one number this worker's filter lets the PR ioctls name. The
     * close of the client's own number is never the last one. */
    if (fd != PRH_WORKER_DEVICE_FD) {
        if (dup3(fd, PRH_WORKER_DEVICE_FD, O_CLOEXEC) < 0) {
            prh_close(fd);
            return PRH_CLOSE_MONITOR_IO;
        }
        prh_close(fd);
    }
    if (class_of(info, &cls) < 0) {
        prh_close(PRH_WORKER_DEVICE_FD);
        return PRH_CLOSE_BAD_DONE;
    }
    enum prh_route route = run(conn, cls, &err);
    /* reply.h's check, as the monitor makes it in the SG_IO mode; an
     * answer that fails it would be this worker's bug: end the
     * connection rather than send it. */
    uint32_t end = 0;
    if (prh_reply_allowed(conn->cdb, conn->xfer_len, answer.status, answer.data_len) < 0) {
        end = PRH_CLOSE_CLIENT_IO;
    } else {
        prh_reply_header_encode(header, answer.status, answer.data_len, answer.sense);
        if (prh_send_all(PRH_WORKER_CLIENT_FD, header, sizeof(header), answer.data,
                         answer.data_len) < 0)
            end = PRH_CLOSE_CLIENT_IO;
    }
    /* Always: a PR OUT may have changed the device even when the client
     * is gone, and an answer that broke reply.h is the monitor's to log. */
    report(conn, info, route, err, t0);
    /* After the answer: the last close of a client's file may block. */
    prh_close(PRH_WORKER_DEVICE_FD);
    return end;
}
