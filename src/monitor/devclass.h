/* Which block devices are device-mapper maps. Learnt from the kernel's
 * /proc/devices, opened before the filter loads, never from a worker: a
 * map gets the block layer's PR ioctls (execute_block.c), every other
 * device SG_IO (execute.c). */
#ifndef PRH_DEVCLASS_H
#define PRH_DEVCLASS_H

#include <stddef.h>
#include <sys/types.h>

/* Opens /proc/devices at a high fd, which the filter pins for pread.
 * Returns that fd, or -1 with err: then no device counts as a map. */
int prh_devclass_open(char *err, size_t errlen);

/* Whether rdev, a block device number, belongs to device-mapper. When
 * dm-mod was not loaded at start, /proc/devices is read again (pread)
 * whenever a device's major is one it did not list. */
int prh_devclass_is_dm(dev_t rdev);

/* device-mapper's block major, 0 while unknown (for the start-up log). */
unsigned prh_devclass_dm_major(void);

#endif
