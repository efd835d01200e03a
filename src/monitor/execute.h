/* Runs one validated request against its device: the only SG_IO in the
 * project. It checks the fd's type and open mode first (fdcheck.h, the
 * same table the worker applied), then maps the outcome to status and
 * sense the way qemu-pr-helper does. */
#ifndef PRH_EXECUTE_H
#define PRH_EXECUTE_H

#include <stdint.h>
#include <sys/types.h>

#include "validate.h"

struct prh_result {
    int32_t status;
    uint8_t sense[PRH_SENSE_SIZE];
    uint32_t data_len;
    dev_t rdev;           /* for the log; 0 for non-devices */
    int touched_device;   /* SG_IO was issued */
    uint8_t data[PRH_DATA_MAX];
};

void prh_execute(const struct prh_request *req, unsigned timeout_ms,
                 struct prh_result *res);

#endif
