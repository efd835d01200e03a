#include "worker_device.h"

#include <fcntl.h>
#include <linux/fs.h>

#include "block_pr.h"
#include "ipc.h"

#define ON_DEVICE(request) \
    PRH_ALLOW_IF(ioctl, PRH_EQ(0, PRH_WORKER_DEVICE_FD), PRH_EQ(1, request))

static const struct prh_rule rows[] = {
    ON_DEVICE(IOC_PR_REGISTER),
    ON_DEVICE(IOC_PR_RESERVE),
    ON_DEVICE(IOC_PR_RELEASE),
    ON_DEVICE(IOC_PR_PREEMPT),
    ON_DEVICE(IOC_PR_PREEMPT_ABORT),
    ON_DEVICE(IOC_PR_CLEAR),
    ON_DEVICE(IOC_PR_READ_KEYS),
    ON_DEVICE(IOC_PR_READ_RESERVATION),
    ON_DEVICE(BLKGETDISKSEQ), /* with the device number, what a class is kept for */
    /* The request's fd onto that number; nothing else lands there. */
    PRH_ALLOW_IF(dup3, PRH_EQ(1, PRH_WORKER_DEVICE_FD), PRH_EQ(2, O_CLOEXEC)),
    /* How long a command took (the report), a class's age, and the pause
     * between tries on a suspended map (pr_ioctl.c). */
    PRH_ALLOW(clock_gettime),
    PRH_ALLOW(clock_nanosleep),
    PRH_ALLOW(nanosleep),
};

const struct prh_rule_table prh_worker_device_rules = PRH_TABLE("worker device (no capabilities)", rows);
