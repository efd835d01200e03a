/* Fuzzes the monitor's check of worker records: the monitor must survive
 * anything a compromised worker sends. Input: one byte (bits 0-1: fds
 * attached, 0-3; bit 2: the kernel reported truncation; bit 3: a worker of
 * the no-capability mode, prh_validate_own_record), then the record.
 * Every fd is real; afterwards exactly the fd of an accepted command is
 * still open, and an accepted command obeys every rule SG_IO relies on. */
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "reply.h"
#include "route.h"
#include "validate.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static int template_fd = -1;
    static uint8_t record[PRH_IPC_MAX + 1];
    struct prh_received fds = {.nfds = 0, .truncated = 0};
    struct prh_request req;
    static struct prh_own_record own;
    int mine[4];
    uint32_t code = 0;
    const char *why = NULL;

    if (size == 0)
        return 0;
    if (template_fd < 0)
        template_fd = open("/dev/null", O_RDWR | O_CLOEXEC);
    size_t len = size - 1 < sizeof(record) ? size - 1 : sizeof(record);
    memcpy(record, data + 1, len); /* aligned copy, as recvmsg delivers */
    fds.truncated = (data[0] >> 2) & 1;
    for (int i = 0; i < (data[0] & 3); i++)
        mine[fds.nfds] = fds.fds[fds.nfds] = fcntl(template_fd, F_DUPFD_CLOEXEC, 700 + i), fds.nfds++;
    size_t given = fds.nfds;

    int own_mode = (data[0] >> 3) & 1;
    enum prh_record_kind kind = own_mode ? prh_validate_own_record(record, len, &fds, &own, &code, &why)
                                         : prh_validate_record(record, len, &fds, &req, &code, &why);
    int kept = -1;
    switch (kind) {
    case PRH_RECORD_CLASSIFY:
        if (!own_mode || given != 0 || len != sizeof(own.classify) || own.classify.major >= 4096)
            abort();
        break;
    case PRH_RECORD_REPORT: {
        const struct prh_ipc_report *r = &own.report;
        if (!own_mode || given != 0 || len != sizeof(*r) || r->route >= PRH_ROUTE_MAX ||
            r->route == PRH_ROUTE_MONITOR_SG_IO || r->route == PRH_ROUTE_MONITOR_IOCTL ||
            prh_reply_allowed(r->cdb, r->xfer_len, r->status, r->data_len) < 0)
            abort();
        break;
    }
    case PRH_RECORD_COMMAND: {
        uint8_t op = req.cdb[0];
        if (own_mode)
            abort();
        if (given != 0 || req.fd != -1 || req.worker_fd < 0 ||
            req.worker_fd >= PRH_WORKER_FD_LIMIT || req.xfer_len > PRH_DATA_MAX)
            abort();
        if (op != PRH_OP_PR_IN && op != PRH_OP_PR_OUT)
            abort();
        if (op == PRH_OP_PR_OUT &&
            (len != sizeof(struct prh_ipc_command) + req.xfer_len || req.cdb[5] || req.cdb[6]))
            abort();
        if (op != PRH_OP_PR_OUT && len != sizeof(struct prh_ipc_command))
            abort();
        break;
    }
    case PRH_RECORD_GOODBYE:
        if (code >= PRH_CLOSE_MAX || given != 0)
            abort();
        break;
    case PRH_RECORD_NOTICE:
        if (code >= PRH_NOTE_MAX || given != 0)
            abort();
        break;
    case PRH_RECORD_INVALID:
        if (!why)
            abort();
        break;
    }
    for (size_t i = 0; i < given; i++) {
        int open_now = fcntl(mine[i], F_GETFD) >= 0;
        if (open_now != (mine[i] == kept))
            abort(); /* leaked, or the kept fd closed under us */
    }
    if (kept >= 0)
        close(kept);
    return 0;
}
