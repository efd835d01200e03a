/* What serves a request, in each mode: the one table a newcomer reads to
 * know what any request does. It applies after fdcheck.h (a read-only fd
 * for PR OUT, or an fd that is no device, never gets here) and before any
 * device is touched.
 *
 * Two modes (the operator's choice, --no-capabilities):
 *   SG_IO    the monitor keeps CAP_SYS_RAWIO and runs every command
 *   NO_CAPS  no process holds any capability; each worker issues the
 *            block layer's PR ioctls on its own client's fd (Linux 6.19)
 *
 * Device classes: an sg node (/dev/sgN); a whole disk; a whole-LU
 * device-mapper map; anything else a block fd may be (a partition, a
 * partial map, gone: devfacts.h), which never authorises the LU.
 *
 * SG_IO mode            PR OUT    READ KEYS  READ RESV  REPORT CAPS  READ FULL ST.  other PR IN
 *   sg node, disk       SG_IO     SG_IO      SG_IO      SG_IO        SG_IO          SG_IO
 *   map                 ioctl     ioctl (1)  ioctl (1)  SG_IO (2)    SG_IO          SG_IO
 *   not the whole LU    refused 05/20/00
 * NO_CAPS mode
 *   sg node             refused 05/20/00: sg nodes have no PR ioctls
 *   disk, map           worker's  worker's   worker's   answered     refused        refused
 *                       ioctl     ioctl (3)  ioctl (3)  (4)          05/24/00       05/24/00
 *   not the whole LU    refused 05/20/00
 *
 * (1) SG_IO on the map instead where the kernel or the path's driver lacks
 *     the READ ioctls (before 6.19), and when there is no room for data:
 *     the device's own answer is all there is then.
 * (2) SIP_C and ATP_C cleared: the ioctls refuse them (block_pr.h).
 * (3) Never SG_IO: where the READ ioctl is missing after all (the start-up
 *     probe said it is there), refused 05/20/00.
 * (4) From what this mode supports (prh_route_capabilities), no device.
 * Refused and answered requests never reach a device. What the ioctls
 * cannot express within PR OUT (REGISTER AND MOVE, SPEC_I_PT...) is
 * block_pr.h's to refuse. */
#ifndef PRH_ROUTE_H
#define PRH_ROUTE_H

#include <stdint.h>

#include "proto.h"
#include "scsi.h"

enum prh_mode {
    PRH_MODE_SG_IO,
    PRH_MODE_NO_CAPS,
};

enum prh_dev_class {
    PRH_CLASS_SG_NODE,
    PRH_CLASS_DISK,
    PRH_CLASS_MAP,
    PRH_CLASS_NOT_WHOLE_LU,
    PRH_CLASS_MAX
};

enum prh_route {
    PRH_ROUTE_MONITOR_SG_IO,
    PRH_ROUTE_MONITOR_IOCTL,
    PRH_ROUTE_WORKER_IOCTL,
    PRH_ROUTE_ANSWERED,          /* no device: prh_route_capabilities */
    PRH_ROUTE_REFUSED_DEVICE,    /* not the whole LU: 05/20/00 */
    PRH_ROUTE_REFUSED_SG_NODE,   /* no PR ioctls on sg nodes: 05/20/00 */
    PRH_ROUTE_REFUSED_COMMAND,   /* not expressible by the ioctls: 05/24/00 */
    PRH_ROUTE_REFUSED_NO_IOCTL,  /* the READ ioctl is missing: 05/20/00 */
    PRH_ROUTE_MAX
};

struct prh_route_entry {
    enum prh_route route;
    enum prh_route fallback; /* when the READ ioctls are missing (note 1, 3) */
    int mask_capabilities;   /* note 2 */
};

/* The table's cell for this request (cdb: opcode and service action;
 * xfer_len: the allocation length, for note 1). */
struct prh_route_entry prh_route_of(enum prh_mode mode, enum prh_dev_class cls,
                                    const uint8_t cdb[PRH_CDB_SIZE], uint32_t xfer_len);

/* Whether the route runs no command on the device (answered or refused);
 * refusals set *code. */
int prh_route_refuses(enum prh_route route, struct prh_sense *code);

/* For logs: "SG_IO", "ioctl", "worker ioctl", "none" ... */
const char *prh_route_name(enum prh_route route);

/* REPORT CAPABILITIES in the no-capability mode (SPC-4 6.15.4), from what
 * the ioctls can do: no compatible reservation handling, no SPEC_I_PT, no
 * ALL_TG_PT, persistence through power loss capable (sd registers every
 * key with APTPL), not said to be activated (that is the device's state,
 * which no ioctl reads); the type mask valid, with the six types pr.h has.
 * Writes at most alloc_len bytes, returns how many. */
uint32_t prh_route_capabilities(uint8_t *out, uint32_t alloc_len);

#endif
