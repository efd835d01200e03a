/* The no-capability mode (route.h): the worker runs its client's command
 * itself, with the block layer's PR ioctls on the fd the client sent,
 * answers the client and reports to the monitor. The monitor is asked
 * only what a block device is (sysfs, which the worker cannot read), and
 * its answer is kept as the file-system helper keeps it: per device and
 * disk sequence number, for a second. */
#ifndef PRH_OWN_DEVICE_H
#define PRH_OWN_DEVICE_H

#include <stdint.h>

#include "conn.h"
#include "fdcheck.h"

/* Runs the request on fd (taken from conn; closed here, after the answer)
 * whose fdcheck.h inspection is info. Returns 0, or a prh_close_reason
 * when the connection must end. */
uint32_t prh_own_device_serve(const struct prh_conn *conn, int fd,
                              const struct prh_fd_info *info);

#endif
