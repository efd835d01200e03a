/* Fuzzes the monitor's check of worker records: the monitor must survive
 * anything a compromised worker sends. Input: one byte (bits 0-1: fds
 * attached, 0-3; bit 2: the kernel reported truncation), then the record.
 * Every fd is real; afterwards exactly the fd of an accepted command is
 * still open, and an accepted command obeys every rule SG_IO relies on. */
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "validate.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static int template_fd = -1;
    static uint8_t record[PRH_IPC_MAX + 1];
    struct prh_received fds = {.nfds = 0, .truncated = 0};
    struct prh_request req;
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

    enum prh_record_kind kind = prh_validate_record(record, len, &fds, &req, &code, &why);
    int kept = -1;
    switch (kind) {
    case PRH_RECORD_COMMAND: {
        uint8_t op = req.cdb[0];
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
