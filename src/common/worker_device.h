/* What a worker of the no-capability mode may do to its client's device,
 * once serving (own_device.c): the block layer's PR ioctls that
 * pr_ioctl.c issues, and the disk's sequence number, on the one fd number
 * the request's device is moved to, and nothing else. The worker's own
 * filter adds this table, and so does the filter of the process that
 * starts it (the spawner, spawner.h): filters stack. */
#ifndef PRH_WORKER_DEVICE_H
#define PRH_WORKER_DEVICE_H

#include "seccomp_rules.h"

extern const struct prh_rule_table prh_worker_device_rules;

#endif
