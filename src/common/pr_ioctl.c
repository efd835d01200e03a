#include "pr_ioctl.h"

#include <errno.h>
#include <stdint.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>

#include "block_pr.h"
#include "scsi.h"

/* A suspended map (a table reload, multipathd at work) answers EAGAIN;
 * reloads take milliseconds, so a second of retries, then BUSY. */
#define SUSPENDED_TRIES 10
#define SUSPENDED_PAUSE_NS 100000000L

#define MAX_KEYS ((PRH_DATA_MAX - 8) / 8)

const unsigned long prh_pr_ioctl_requests[8] = {
    IOC_PR_REGISTER, IOC_PR_RESERVE, IOC_PR_RELEASE,   IOC_PR_PREEMPT,
    IOC_PR_PREEMPT_ABORT, IOC_PR_CLEAR, IOC_PR_READ_KEYS, IOC_PR_READ_RESERVATION,
};

/* Returns the ioctl's result, with *err its errno (0 on success). */
static int pr_ioctl(int fd, unsigned long request, void *arg, int *err)
{
    int rc;
    for (int i = 0;; i++) {
        rc = ioctl(fd, request, arg);
        *err = rc < 0 ? errno : 0;
        if (rc >= 0 || *err != EAGAIN || i + 1 == SUSPENDED_TRIES)
            return rc;
        struct timespec pause = {0, SUSPENDED_PAUSE_NS};
        nanosleep(&pause, NULL);
    }
}

static void answer(struct prh_answer *a, int rc, int err)
{
    struct prh_sense code;
    memset(a->sense, 0, sizeof(a->sense));
    a->data_len = 0;
    a->status = prh_block_status(rc, err, &code);
    if (a->status == PRH_CHECK_CONDITION)
        prh_sense_build(a->sense, code);
}

static enum prh_ioctl_outcome pr_out(int fd, const uint8_t cdb[PRH_CDB_SIZE],
                                     const uint8_t *param, uint32_t len, struct prh_answer *a,
                                     int *err)
{
    struct prh_block_call call;
    struct prh_sense refusal;

    *err = 0;
    if (prh_block_plan_pr_out(cdb, param, len, &call, &refusal) < 0) {
        memset(a->sense, 0, sizeof(a->sense));
        a->data_len = 0;
        a->status = PRH_CHECK_CONDITION;
        prh_sense_build(a->sense, refusal);
        return PRH_IOCTL_REFUSED;
    }
    int rc = pr_ioctl(fd, call.request, &call.arg, err);
    answer(a, rc, *err);
    return PRH_IOCTL_ANSWERED;
}

/* ENOTTY (not in this kernel), EINVAL (from a path's driver before 6.19),
 * EOPNOTSUPP (a driver without them), EPERM (a read-only fd, 6.19 before
 * its fix). */
static int missing(int rc, int err)
{
    return rc < 0 && (err == ENOTTY || err == EINVAL || err == EOPNOTSUPP || err == EPERM);
}

static enum prh_ioctl_outcome read_keys(int fd, uint32_t alloc_len, struct prh_answer *a,
                                        int *err)
{
    uint64_t keys[MAX_KEYS];
    uint32_t wanted = prh_block_keys_wanted(alloc_len);
    struct pr_read_keys rk = {.num_keys = wanted, .keys_ptr = (uintptr_t)keys};
    int rc = pr_ioctl(fd, IOC_PR_READ_KEYS, &rk, err);
    if (missing(rc, *err))
        return PRH_IOCTL_MISSING;
    answer(a, rc, *err);
    if (a->status == PRH_GOOD) /* the kernel copied min(wanted, num_keys) */
        a->data_len = prh_block_read_keys_data(rk.generation, rk.num_keys, keys,
                                               wanted < rk.num_keys ? wanted : rk.num_keys,
                                               a->data, alloc_len);
    return PRH_IOCTL_ANSWERED;
}

static enum prh_ioctl_outcome read_reservation(int fd, uint32_t alloc_len, struct prh_answer *a,
                                               int *err)
{
    struct pr_read_reservation rr = {0};
    int rc = pr_ioctl(fd, IOC_PR_READ_RESERVATION, &rr, err);
    if (missing(rc, *err))
        return PRH_IOCTL_MISSING;
    if (rc == 0 && rr.type == 0) {
        /* sd leaves the generation out when nothing is reserved: READ
         * KEYS, with no room for keys, has it. */
        struct pr_read_keys rk = {0};
        rc = pr_ioctl(fd, IOC_PR_READ_KEYS, &rk, err);
        if (missing(rc, *err))
            return PRH_IOCTL_MISSING;
        rr.generation = rk.generation;
    }
    answer(a, rc, *err);
    if (a->status == PRH_GOOD) {
        int n = prh_block_read_reservation_data(&rr, a->data, alloc_len);
        if (n < 0)
            return PRH_IOCTL_MISSING; /* a type SCSI has no number for */
        a->data_len = (uint32_t)n;
    }
    return PRH_IOCTL_ANSWERED;
}

enum prh_ioctl_outcome prh_pr_ioctl_run(int fd, const uint8_t cdb[PRH_CDB_SIZE],
                                        const uint8_t *param, uint32_t xfer_len,
                                        struct prh_answer *a, int *err)
{
    *err = 0;
    if (cdb[0] == PRH_OP_PR_OUT)
        return pr_out(fd, cdb, param, xfer_len, a, err);
    switch (cdb[1] & 0x1f) {
    case PRH_PRIN_READ_KEYS:
        return read_keys(fd, xfer_len, a, err);
    case PRH_PRIN_READ_RESERVATION:
        return read_reservation(fd, xfer_len, a, err);
    default:
        return PRH_IOCTL_MISSING; /* route.h never sends another PR IN here */
    }
}
