/* What a block device is, read from sysfs (/sys/dev/block/MAJ:MIN), the
 * kernel's own account, never from a worker: which fds may carry a
 * reservation to a whole LU and which backend serves them.
 *
 *   WHOLE        a whole disk (no "partition" file), not a map: SG_IO
 *   MAP_WHOLE    a device-mapper map whose every underlying device is a
 *                whole disk of exactly the map's size (a multipath map,
 *                or a map spanning one disk): the block PR ioctls
 *   PARTITION    a partition: refused, its fd does not authorise the LU
 *   MAP_PARTIAL  a map over part of a disk (an LVM volume, a kpartx
 *                partition map), over a partition or over another map,
 *                or with nothing under it: refused
 *   UNKNOWN      not in sysfs (gone, or sysfs missing): refused
 *
 * The kernel refuses the block PR ioctls on partitions, but lets a caller
 * with CAP_SYS_RAWIO (the monitor) send SG_IO through one, and device-
 * mapper passes both to the disk under a partial map. */
#ifndef PRH_DEVFACTS_H
#define PRH_DEVFACTS_H

#include <sys/types.h>

#include "route.h"

enum prh_dev_kind {
    PRH_DEV_UNKNOWN,
    PRH_DEV_WHOLE,
    PRH_DEV_MAP_WHOLE,
    PRH_DEV_PARTITION,
    PRH_DEV_MAP_PARTIAL,
    PRH_DEV_KIND_MAX
};

/* dev_block_fd: /sys/dev/block opened as a directory. Reads only below
 * it (the entries are links into /sys/devices). */
enum prh_dev_kind prh_devfacts_classify(int dev_block_fd, dev_t rdev);

/* Whether a request on such a device may reach it. */
int prh_dev_kind_allowed(enum prh_dev_kind kind);

/* Its row in route.h's table: WHOLE a disk, MAP_WHOLE a map, the rest
 * not the whole LU. */
enum prh_dev_class prh_dev_kind_class(enum prh_dev_kind kind);

/* Why a kind is refused, for the log ("" for allowed kinds). */
const char *prh_dev_kind_refusal(enum prh_dev_kind kind);

#endif
