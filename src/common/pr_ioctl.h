/* The block backend: one PR command through the block layer's PR ioctls
 * (block_pr.h's translation) on one fd, by whichever process route.h
 * names: the monitor on a map in the SG_IO mode, a worker on its own
 * client's fd in the no-capability mode. It never sends SG_IO and never
 * calls another backend: where it cannot serve, it says so and route.h's
 * fallback decides. */
#ifndef PRH_PR_IOCTL_H
#define PRH_PR_IOCTL_H

#include <stdint.h>

#include "proto.h"
#include "reply.h"

enum prh_ioctl_outcome {
    PRH_IOCTL_ANSWERED, /* *a holds the device's answer */
    PRH_IOCTL_REFUSED,  /* *a holds block_pr.h's refusal: no ioctl was issued */
    PRH_IOCTL_MISSING,  /* a READ ioctl is not in this kernel, or not in the
                         * path's driver, or refuses a read-only fd (6.19
                         * before its fix): *a untouched */
};

/* Runs a PR OUT (param: xfer_len bytes), READ KEYS or READ RESERVATION
 * (xfer_len: the allocation length) on fd. A suspended map (EAGAIN) is
 * retried for a second, then BUSY. *err is the last ioctl's errno, 0 when
 * it succeeded (the monitor explains EPERM, once per device). */
enum prh_ioctl_outcome prh_pr_ioctl_run(int fd, const uint8_t cdb[PRH_CDB_SIZE],
                                        const uint8_t *param, uint32_t xfer_len,
                                        struct prh_answer *a, int *err);

/* Every ioctl request number prh_pr_ioctl_run may issue, for the filters
 * that allow exactly these. */
extern const unsigned long prh_pr_ioctl_requests[8];

#endif
