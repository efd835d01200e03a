/* Runs one validated request in the SG_IO mode, the only mode in which the
 * monitor touches a device. It checks the fd's type and open mode first
 * (fdcheck.h, the same table the worker applied), then what the device is
 * (devfacts.h, from sysfs through the file-system helper), and runs what
 * route.h's table names: SG_IO (execute_sg.c) or the block layer's PR
 * ioctls (pr_ioctl.h), each a backend of its own that never calls the
 * other; a fallback is the table's, taken here. */
#ifndef PRH_EXECUTE_H
#define PRH_EXECUTE_H

#include <stdint.h>
#include <sys/types.h>

#include "reply.h"
#include "validate.h"

struct prh_result {
    struct prh_answer ans;
    dev_t rdev;           /* for the log; 0 for non-devices */
    const char *backend;  /* what answered: route.h's name ("none": the device untouched) */
    const char *refusal;  /* why the device was not touched (devfacts.h), or NULL */
};

void prh_execute(const struct prh_request *req, unsigned timeout_ms,
                 struct prh_result *res);

/* The SG_IO backend: status, sense and data mapped the way qemu-pr-helper
 * maps them. */
void prh_execute_sg(const struct prh_request *req, unsigned timeout_ms,
                    struct prh_answer *a);

#endif
