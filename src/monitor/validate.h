/* The monitor's check of every record a worker sends. A worker may be
 * compromised, so anything but an exactly-formed message is a violation,
 * fatal for that worker (OpenSSH's monitor does the same). Pure: no I/O
 * except closing descriptors it rejects. */
#ifndef PRH_VALIDATE_H
#define PRH_VALIDATE_H

#include <stddef.h>
#include <stdint.h>

#include "fdio.h"
#include "ipc.h"

enum prh_record_kind {
    PRH_RECORD_INVALID,
    PRH_RECORD_COMMAND,
    PRH_RECORD_NOTICE,
    PRH_RECORD_GOODBYE,
    PRH_RECORD_CLASSIFY, /* no-capability mode only */
    PRH_RECORD_REPORT,
};

struct prh_request {
    uint8_t cdb[PRH_CDB_SIZE];
    uint32_t xfer_len;     /* PR IN allocation length or PR OUT list length */
    const uint8_t *param;  /* PR OUT parameter list (points into the record) */
    int worker_fd;         /* the device fd's number in the worker */
    int fd;                /* the monitor's copy (-1 until taken); the caller's */
};

/* Classifies one record (as received: len bytes, with fds, of which there
 * must be none). COMMAND fills req, with the fd number the worker named
 * (in range; the caller takes it with pidfd_getfd); NOTICE sets *code to a prh_note,
 * GOODBYE to a prh_close_reason; INVALID sets
 * *why. In every case no other descriptor from fds stays open. */
enum prh_record_kind prh_validate_record(const uint8_t *rec, size_t len,
                                         struct prh_received *fds,
                                         struct prh_request *req,
                                         uint32_t *code, const char **why);

/* The records of a worker in the no-capability mode (ipc.h): CLASSIFY,
 * REPORT, NOTICE, GOODBYE, each checked as above (a COMMAND is a
 * violation there). CLASSIFY and REPORT are copied to *out. */
struct prh_own_record {
    struct prh_ipc_classify classify;
    struct prh_ipc_report report;
};
enum prh_record_kind prh_validate_own_record(const uint8_t *rec, size_t len,
                                             struct prh_received *fds,
                                             struct prh_own_record *out, uint32_t *code,
                                             const char **why);

#endif
