/* The file-system helper: the one process of prhelper that takes paths
 * once start-up is over, so that the monitor's filter needs no call that
 * takes one (an absolute path would ignore any directory fd a filter
 * pins). Forked at start, before the monitor drops its privileges, it
 * takes the monitor's ids without any capability and answers two fixed
 * requests, and nothing else:
 *   - what a block device is (devfacts.h: whole disk, whole-LU map,
 *     partition, partial map), read from sysfs, for the device number the
 *     monitor took from its own fstat;
 *   - remove the socket file: exactly the one the monitor bound (checked
 *     by device and inode), at a stop; and by itself when the monitor is
 *     gone (a SIGKILL included), when it exits too.
 * It reads nothing a client or a worker wrote. It is not the monitor's
 * child (libvirt and the tests see the monitor's children as its workers
 * only). */
#ifndef PRH_FSHELPER_H
#define PRH_FSHELPER_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "devfacts.h"
#include "listener.h"

/* Starts it, for the socket file of l (none for an activated socket).
 * The ids are the monitor's after the drop (privdrop.h). Returns 0, or -1
 * with one line in err. */
int prh_fshelper_start(const struct prh_listener *l, uid_t uid, gid_t gid, uid_t euid,
                       gid_t egid, char *err, size_t errlen);

/* What the block device rdev, open as fd, is. UNKNOWN also when the helper
 * does not answer (logged once). An answer is reused for a second for the
 * same device number and disk sequence number (a new map or disk under
 * the same number has another), so that a busy device costs one question
 * a second, not one a command. Any thread. */
enum prh_dev_kind prh_fshelper_classify(dev_t rdev, int fd);

/* The same, for a disk sequence number a worker read from its own fd
 * (the no-capability mode, where the monitor holds no device fd). */
enum prh_dev_kind prh_fshelper_classify_seq(dev_t rdev, uint64_t seq);

/* Asks it to remove the socket file now (at a stop: the requests in
 * flight may still ask what their devices are; the helper ends when the
 * monitor does). Returns 0 when removed (or nothing of ours was there),
 * else -1 with errno (ETIMEDOUT: no answer). */
int prh_fshelper_remove_socket(void);

#endif
