#include "validate.h"

#include <string.h>

static enum prh_record_kind reject(struct prh_received *fds, const char **why,
                                   const char *text)
{
    prh_received_close(fds);
    *why = text;
    return PRH_RECORD_INVALID;
}

/* Close reasons come only with GOODBYE, notes only with NOTICE. */
static enum prh_record_kind check_event(const uint8_t *rec, size_t len,
                                        struct prh_received *fds, uint32_t type,
                                        uint32_t *code, const char **why)
{
    struct prh_ipc_event ev;
    if (len != sizeof(ev))
        return reject(fds, why, "event record of wrong length");
    if (fds->nfds != 0)
        return reject(fds, why, "event record with a descriptor");
    memcpy(&ev, rec, sizeof(ev));
    if (ev.code >= (type == PRH_IPC_NOTICE ? PRH_NOTE_MAX : PRH_CLOSE_MAX))
        return reject(fds, why, "event record with a code that does not fit");
    *code = ev.code;
    return type == PRH_IPC_NOTICE ? PRH_RECORD_NOTICE : PRH_RECORD_GOODBYE;
}

/* The transfer length is derived here from the CDB, as QEMU's client
 * derives it; the data direction follows from the opcode alone. */
static enum prh_record_kind check_command(const uint8_t *rec, size_t len,
                                          struct prh_received *fds,
                                          struct prh_request *req, const char **why)
{
    struct prh_ipc_command cmd;
    if (len < sizeof(cmd))
        return reject(fds, why, "command shorter than its header");
    memcpy(&cmd, rec, sizeof(cmd));
    if (cmd.param_len > PRH_DATA_MAX)
        return reject(fds, why, "parameter list above 8192 bytes");
    if (len != sizeof(cmd) + cmd.param_len)
        return reject(fds, why, "command length disagrees with its header");
    if (fds->nfds != 0)
        return reject(fds, why, "command with a descriptor attached");
    if (cmd.fd < 0 || cmd.fd >= PRH_WORKER_FD_LIMIT)
        return reject(fds, why, "command naming an fd out of range");

    /* The worker answers CDB bytes 5-6 itself: here they are a violation. */
    uint32_t xfer = 0, param_len = 0;
    uint8_t op = cmd.cdb[0];
    switch (prh_request_shape(cmd.cdb, &xfer, &param_len)) {
    case PRH_SHAPE_BAD_OPCODE:
        return reject(fds, why, "opcode not PR IN or PR OUT");
    case PRH_SHAPE_BAD_LENGTH:
        return reject(fds, why, op == PRH_OP_PR_IN ? "PR IN allocation length above 8192"
                                                   : "PR OUT parameter list of the wrong length");
    case PRH_SHAPE_OK:
        break;
    }
    if (op == PRH_OP_PR_OUT && prh_pr_out_length_high_set(cmd.cdb))
        return reject(fds, why, "PR OUT length in CDB bytes 5-6");
    if (cmd.param_len != param_len)
        return reject(fds, why, op == PRH_OP_PR_IN ? "PR IN with a parameter list"
                                                   : "PR OUT parameter list of the wrong length");

    memcpy(req->cdb, cmd.cdb, sizeof(req->cdb));
    req->xfer_len = xfer;
    req->param = rec + sizeof(cmd);
    req->fd = -1; /* the caller takes worker_fd from the worker */
    req->worker_fd = cmd.fd;
    return PRH_RECORD_COMMAND;
}

enum prh_record_kind prh_validate_record(const uint8_t *rec, size_t len,
                                         struct prh_received *fds,
                                         struct prh_request *req,
                                         uint32_t *code, const char **why)
{
    uint32_t type;

    if (fds->truncated)
        return reject(fds, why, "record or descriptors truncated");
    if (len < sizeof(type))
        return reject(fds, why, "record shorter than its type");
    memcpy(&type, rec, sizeof(type));
    switch (type) {
    case PRH_IPC_COMMAND:
        return check_command(rec, len, fds, req, why);
    case PRH_IPC_GOODBYE:
    case PRH_IPC_NOTICE:
        return check_event(rec, len, fds, type, code, why);
    default:
        return reject(fds, why, "unknown record type");
    }
}
