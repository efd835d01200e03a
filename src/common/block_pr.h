/* How a SCSI persistent-reservation command becomes one of the block
 * layer's PR ioctls (<linux/pr.h>), and how the ioctl's answer becomes a
 * SCSI one: on a device-mapper map, where the kernel sends it down every
 * path, and in the no-capability mode on every device (route.h). The
 * whole translation is stated here, once; pr_ioctl.c runs it, in the
 * monitor or in a worker. Pure: no I/O, so the unit tests and a fuzz
 * target drive it directly. */
#ifndef PRH_BLOCK_PR_H
#define PRH_BLOCK_PR_H

#include <linux/ioctl.h> /* pr.h uses _IOW without it */
#include <linux/pr.h>
#include <stdint.h>

#include "scsi.h"

/* Linux 6.19 added the two READ ioctls; Debian 12's headers (6.1) lack
 * them. The layout is the kernel's ABI, so defining it here is safe. */
#ifndef IOC_PR_READ_KEYS
struct pr_read_keys {
    __u32 generation;
    __u32 num_keys;   /* in: room in keys_ptr; out: keys the device has */
    __u64 keys_ptr;
};
#define IOC_PR_READ_KEYS _IOWR('p', 206, struct pr_read_keys)
#endif
#ifndef IOC_PR_READ_RESERVATION
struct pr_read_reservation {
    __u64 key;
    __u32 generation;
    __u32 type;       /* enum pr_type, 0: no reservation */
};
#define IOC_PR_READ_RESERVATION _IOR('p', 207, struct pr_read_reservation)
#endif

/* One PR OUT ioctl, ready to issue. */
struct prh_block_call {
    unsigned long request; /* IOC_PR_REGISTER ... IOC_PR_CLEAR */
    union {
        struct pr_registration reg;
        struct pr_reservation rsv;
        struct pr_preempt preempt;
        struct pr_clear clear;
    } arg;
};

/* The PR OUT table (SPC-4 6.16; keys from the 24-byte parameter list):
 *   REGISTER            IOC_PR_REGISTER      old = reservation key, new = SA key
 *   REGISTER AND IGNORE IOC_PR_REGISTER      PR_FL_IGNORE_KEY, new = SA key
 *   RESERVE / RELEASE   IOC_PR_RESERVE / _RELEASE   key, type
 *   CLEAR               IOC_PR_CLEAR         key
 *   PREEMPT (AND ABORT) IOC_PR_PREEMPT(_ABORT) old = reservation key, new = SA key, type
 * Refused without touching the device, in this order:
 *   REGISTER AND MOVE, unknown service action     05/24/00 INVALID FIELD IN CDB
 *   parameter list shorter than 24 bytes          05/1a/00 PARAMETER LIST LENGTH ERROR
 *   SPEC_I_PT (transport ids)                     05/26/00 INVALID FIELD IN PARAMETER LIST
 *   parameter list longer than 24 bytes           05/1a/00
 *   ALL_TG_PT on REGISTER (AND IGNORE)            05/26/00
 *   scope other than LU, or a type SCSI does not
 *   define, on RESERVE, RELEASE, PREEMPT (AND ABORT) 05/24/00
 * APTPL is not expressible: the kernel's sd driver always registers with
 * APTPL set. Returns 0 and fills *call, or -1 with *refusal. */
int prh_block_plan_pr_out(const uint8_t cdb[PRH_CDB_SIZE], const uint8_t *param,
                          uint32_t param_len, struct prh_block_call *call,
                          struct prh_sense *refusal);

/* SCSI reservation types 1, 3, 5, 6, 7, 8 and pr.h's 1-6; 0 for none. */
uint32_t prh_block_type_from_scsi(uint8_t scsi_type);
uint8_t prh_scsi_type_from_block(uint32_t block_type);

/* The answer to an ioctl that returned rc (errno in err when rc < 0):
 *   0                            GOOD
 *   rc > 0, a SCSI result (host byte << 16 | status byte: the midlayer's
 *   before Linux 6.2, pr.h's PR_STS_* after, in the same layout):
 *     a host byte                what SG_IO's host status gives (so
 *                                DID_NEXUS_FAILURE is RESERVATION CONFLICT)
 *     RESERVATION CONFLICT, BUSY, TASK SET FULL   that status, no sense
 *     CHECK CONDITION or another 0B/08/00 LUN COMMUNICATION FAILURE (no
 *                                sense comes back), as qemu-pr-helper
 *                                answers multipath's "other" errors
 *   EAGAIN (map suspended, still after the caller's retries)  BUSY
 *   EPERM (before Linux 6.5, without CAP_SYS_ADMIN)  05/20/00, as for a
 *                                read-only fd: PR OUT not possible here
 *   other errnos                 as for SG_IO (prh_status_from_errno)
 * Sets *code when the status is CHECK CONDITION. */
int prh_block_status(int rc, int err, struct prh_sense *code);

/* READ KEYS (SPC-4 6.15.2) from IOC_PR_READ_KEYS: 'total' keys known to
 * the device, the first 'have' of them in keys. Writes at most alloc_len
 * bytes of the parameter data to out and returns how many. */
uint32_t prh_block_read_keys_data(uint32_t generation, uint32_t total, const uint64_t *keys,
                                  uint32_t have, uint8_t *out, uint32_t alloc_len);

/* How many keys to ask for so that alloc_len bytes are filled (a key cut
 * short by the allocation length included). */
uint32_t prh_block_keys_wanted(uint32_t alloc_len);

/* READ RESERVATION (SPC-4 6.15.3) from IOC_PR_READ_RESERVATION. Returns the
 * bytes written (at most alloc_len), or -1 for a reservation type SCSI has
 * no number for (the caller then asks the device itself). */
int prh_block_read_reservation_data(const struct pr_read_reservation *r, uint8_t *out,
                                    uint32_t alloc_len);

/* REPORT CAPABILITIES data read from a map: clears SIP_C and ATP_C, which
 * the map refuses (above), in the bytes present. */
void prh_block_mask_capabilities(uint8_t *data, uint32_t len);

#endif
