/* The block backend: a device-mapper map's PR OUT goes through the block
 * layer's PR ioctls, which dm sends on every path (REGISTER, RELEASE) or
 * on the first path that takes it (RESERVE, PREEMPT, CLEAR, the READ
 * ones). What they cannot say is refused (block_pr.h). PR IN reads keys
 * and the reservation through IOC_PR_READ_KEYS/RESERVATION where the
 * kernel has them (6.19) and uses SG_IO on the map otherwise, and for
 * REPORT CAPABILITIES and READ FULL STATUS: reservation state belongs to
 * the LU, so any path gives the same answer. */
#include "execute.h"

#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <sys/ioctl.h>
#include <sys/sysmacros.h>
#include <time.h>

#include "block_pr.h"
#include "log.h"
#include "scsi.h"

/* A suspended map (a table reload, multipathd at work) answers EAGAIN;
 * reloads take milliseconds, so a second of retries, then BUSY. */
#define SUSPENDED_TRIES 10
#define SUSPENDED_PAUSE_NS 100000000L

#define MAX_KEYS ((PRH_DATA_MAX - 8) / 8)

/* Returns the ioctl's result; errno is kept when it is negative. */
static int pr_ioctl(int fd, unsigned long request, void *arg)
{
    int rc;
    for (int i = 0;; i++) {
        rc = ioctl(fd, request, arg);
        if (rc >= 0 || errno != EAGAIN || i + 1 == SUSPENDED_TRIES)
            return rc;
        struct timespec pause = {0, SUSPENDED_PAUSE_NS};
        nanosleep(&pause, NULL);
    }
}

/* EPERM on every PR OUT, for every map, until the host is upgraded or
 * the option is given: say so once per device, not per command. */
static void explain_eperm(dev_t rdev)
{
    static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
    static dev_t told[64];
    static unsigned ntold;
    int first = 1;

    pthread_mutex_lock(&lock);
    for (unsigned i = 0; i < ntold; i++)
        if (told[i] == rdev)
            first = 0;
    if (first && ntold < sizeof(told) / sizeof(told[0]))
        told[ntold++] = rdev;
    else
        first = 0; /* a full table: quiet, the first 64 maps said it */
    pthread_mutex_unlock(&lock);
    if (first)
        prh_log(LOG_WARNING, "dev %u:%u: the kernel refused its PR ioctls (EPERM): before"
                " Linux 6.5 they need CAP_SYS_ADMIN (--keep-sys-admin, see SECURITY.md);"
                " PR OUT on this map is answered 05/20/00",
                major(rdev), minor(rdev));
}

static void answer_ioctl(struct prh_result *res, int rc, int err)
{
    struct prh_sense code;
    res->backend = PRH_BACKEND_BLOCK;
    res->status = prh_block_status(rc, err, &code);
    if (res->status == PRH_CHECK_CONDITION)
        prh_sense_build(res->sense, code);
    if (rc < 0 && err == EPERM)
        explain_eperm(res->rdev);
}

static void pr_out(const struct prh_request *req, struct prh_result *res)
{
    struct prh_block_call call;
    struct prh_sense refusal;

    if (prh_block_plan_pr_out(req->cdb, req->param, req->xfer_len, &call, &refusal) < 0) {
        res->status = PRH_CHECK_CONDITION;
        prh_sense_build(res->sense, refusal);
        return;
    }
    int rc = pr_ioctl(req->fd, call.request, &call.arg);
    answer_ioctl(res, rc, errno);
}

/* The READ ioctls are missing (ENOTTY, or EINVAL from a path's driver
 * before 6.19), unsupported by the driver, or need a writable fd (6.19
 * before its fix): then SG_IO answers instead. */
static int read_ioctl_unavailable(int rc, int err)
{
    return rc < 0 && (err == ENOTTY || err == EINVAL || err == EOPNOTSUPP || err == EPERM);
}

/* Returns 0 when answered, -1 when SG_IO should answer. */
static int read_keys(const struct prh_request *req, struct prh_result *res)
{
    uint64_t keys[MAX_KEYS];
    uint32_t wanted = prh_block_keys_wanted(req->xfer_len);
    struct pr_read_keys rk = {.num_keys = wanted, .keys_ptr = (uintptr_t)keys};
    int rc = pr_ioctl(req->fd, IOC_PR_READ_KEYS, &rk);
    int err = errno;
    if (read_ioctl_unavailable(rc, err))
        return -1;
    answer_ioctl(res, rc, err);
    if (res->status == PRH_GOOD) /* the kernel copied min(wanted, num_keys) */
        res->data_len = prh_block_read_keys_data(rk.generation, rk.num_keys, keys,
                                                 wanted < rk.num_keys ? wanted : rk.num_keys,
                                                 res->data, req->xfer_len);
    return 0;
}

static int read_reservation(const struct prh_request *req, struct prh_result *res)
{
    struct pr_read_reservation rr = {0};
    int rc = pr_ioctl(req->fd, IOC_PR_READ_RESERVATION, &rr);
    int err = errno;
    if (read_ioctl_unavailable(rc, err))
        return -1;
    if (rc == 0 && rr.type == 0) {
        /* sd leaves the generation out when nothing is reserved: READ
         * KEYS, with no room for keys, has it. */
        struct pr_read_keys rk = {0};
        rc = pr_ioctl(req->fd, IOC_PR_READ_KEYS, &rk);
        err = errno;
        if (read_ioctl_unavailable(rc, err))
            return -1;
        rr.generation = rk.generation;
    }
    answer_ioctl(res, rc, err);
    if (res->status == PRH_GOOD) {
        int n = prh_block_read_reservation_data(&rr, res->data, req->xfer_len);
        if (n < 0)
            return -1; /* a type SCSI has no number for: ask the device */
        res->data_len = (uint32_t)n;
    }
    return 0;
}

static void pr_in(const struct prh_request *req, unsigned timeout_ms, struct prh_result *res)
{
    uint8_t sa = req->cdb[1] & 0x1f;

    /* With no room for data the device's own answer is all there is; the
     * ioctls would turn whatever it says about the CDB into GOOD. */
    if (req->xfer_len > 0) {
        if (sa == PRH_PRIN_READ_KEYS && read_keys(req, res) == 0)
            return;
        if (sa == PRH_PRIN_READ_RESERVATION && read_reservation(req, res) == 0)
            return;
    }
    res->status = PRH_GOOD;
    res->data_len = 0;
    prh_execute_sg(req, timeout_ms, res);
    if (sa == PRH_PRIN_REPORT_CAPABILITIES && res->status == PRH_GOOD)
        prh_block_mask_capabilities(res->data, res->data_len);
}

void prh_execute_block(const struct prh_request *req, unsigned timeout_ms,
                       struct prh_result *res)
{
    if (req->cdb[0] == PRH_OP_PR_IN)
        pr_in(req, timeout_ms, res);
    else
        pr_out(req, res);
}
