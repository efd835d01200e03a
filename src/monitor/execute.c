#include "execute.h"

#include <errno.h>
#include <pthread.h>
#include <string.h>
#include <sys/sysmacros.h>

#include "block_pr.h"
#include "devfacts.h"
#include "fdcheck.h"
#include "fshelper.h"
#include "log.h"
#include "pr_ioctl.h"
#include "route.h"
#include "scsi.h"

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

static void answer_check(struct prh_answer *a, struct prh_sense code)
{
    a->status = PRH_CHECK_CONDITION;
    a->data_len = 0;
    memset(a->sense, 0, sizeof(a->sense));
    prh_sense_build(a->sense, code);
}

/* An sg node is a whole LU; a block device is what sysfs says. */
static enum prh_dev_class class_of(const struct prh_fd_info *fd, int dev_fd,
                                   const char **refusal)
{
    if (fd->kind != PRH_FD_BLOCK)
        return PRH_CLASS_SG_NODE;
    enum prh_dev_kind kind = prh_fshelper_classify(fd->rdev, dev_fd);
    *refusal = prh_dev_kind_allowed(kind) ? NULL : prh_dev_kind_refusal(kind);
    return prh_dev_kind_class(kind);
}

/* Returns 0 when route answered, -1 when its READ ioctl is missing. */
static int run(enum prh_route route, const struct prh_request *req, unsigned timeout_ms,
               struct prh_result *res)
{
    int err;
    if (route == PRH_ROUTE_MONITOR_SG_IO) {
        prh_execute_sg(req, timeout_ms, &res->ans);
    } else if (route == PRH_ROUTE_MONITOR_IOCTL) {
        enum prh_ioctl_outcome o =
            prh_pr_ioctl_run(req->fd, req->cdb, req->param, req->xfer_len, &res->ans, &err);
        if (o == PRH_IOCTL_MISSING)
            return -1;
        if (o == PRH_IOCTL_REFUSED)
            return 0; /* the device untouched: backend stays "none" */
        if (err == EPERM)
            explain_eperm(res->rdev);
    } else {
        struct prh_sense code = PRH_SENSE_INVALID_OPCODE; /* never in this mode */
        prh_route_refuses(route, &code);
        answer_check(&res->ans, code);
        return 0;
    }
    res->backend = prh_route_name(route);
    return 0;
}

void prh_execute(const struct prh_request *req, unsigned timeout_ms,
                 struct prh_result *res)
{
    struct prh_fd_info fd;
    struct prh_sense code;
    uint32_t note;

    memset(&res->ans, 0, sizeof(res->ans) - sizeof(res->ans.data));
    res->ans.status = PRH_GOOD;
    res->backend = "none";
    res->refusal = NULL;
    res->rdev = 0;

    if (req->fd < 0) { /* not taken from the worker (session.c): no device to reach */
        answer_check(&res->ans, PRH_SENSE_IO_ERROR);
        return;
    }
    prh_fd_inspect(req->fd, prh_opcode_writes(req->cdb[0]), &fd);
    res->rdev = fd.rdev;
    if (prh_fd_precheck(req->cdb, &fd, &res->ans.status, &code, &note)) {
        if (res->ans.status == PRH_CHECK_CONDITION)
            prh_sense_build(res->ans.sense, code);
        return;
    }
    enum prh_dev_class cls = class_of(&fd, req->fd, &res->refusal);
    struct prh_route_entry e = prh_route_of(PRH_MODE_SG_IO, cls, req->cdb, req->xfer_len);
    if (run(e.route, req, timeout_ms, res) < 0)
        run(e.fallback, req, timeout_ms, res);
    if (e.mask_capabilities && res->ans.status == PRH_GOOD)
        prh_block_mask_capabilities(res->ans.data, res->ans.data_len);
}
