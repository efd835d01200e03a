/* Runs one validated request against its device: the only SG_IO and PR
 * ioctls in the project. It checks the fd's type and open mode first
 * (fdcheck.h, the same table the worker applied), then what the device
 * is (devfacts.h, from sysfs through the file-system helper): a partition
 * or a map that is not a whole LU is refused (05/20/00), a whole-LU
 * device-mapper map gets the block layer's PR ioctls, so a reservation
 * reaches every path (execute_block.c); a whole disk or an sg node gets
 * SG_IO, its outcome mapped to status and sense the way qemu-pr-helper
 * maps it (execute.c). */
#ifndef PRH_EXECUTE_H
#define PRH_EXECUTE_H

#include <stdint.h>
#include <sys/types.h>

#include "validate.h"

enum prh_backend {
    PRH_BACKEND_NONE,  /* answered without touching the device */
    PRH_BACKEND_SG,    /* SG_IO */
    PRH_BACKEND_BLOCK, /* the block layer's PR ioctls */
};

struct prh_result {
    int32_t status;
    uint8_t sense[PRH_SENSE_SIZE];
    uint32_t data_len;
    dev_t rdev;           /* for the log; 0 for non-devices */
    enum prh_backend backend;
    const char *refusal;  /* why the device was not touched (devfacts.h), or NULL */
    uint8_t data[PRH_DATA_MAX];
};

void prh_execute(const struct prh_request *req, unsigned timeout_ms,
                 struct prh_result *res);

/* The two backends; res starts GOOD, empty, rdev set. */
void prh_execute_sg(const struct prh_request *req, unsigned timeout_ms,
                    struct prh_result *res);
void prh_execute_block(const struct prh_request *req, unsigned timeout_ms,
                       struct prh_result *res);

const char *prh_backend_name(enum prh_backend backend);

#endif
