#include "validate.h"

#include <string.h>

#include "reply.h"
#include "route.h"
#include "scsi.h"

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

/* What every record must be before its type is looked at. Returns 0 with
 * *type, or -1 (rejected, *why set). */
static int record_type(const uint8_t *rec, size_t len, struct prh_received *fds,
                       uint32_t *type, const char **why)
{
    if (fds->truncated) {
        reject(fds, why, "record or descriptors truncated");
        return -1;
    }
    if (len < sizeof(*type)) {
        reject(fds, why, "record shorter than its type");
        return -1;
    }
    memcpy(type, rec, sizeof(*type));
    return 0;
}

enum prh_record_kind prh_validate_record(const uint8_t *rec, size_t len,
                                         struct prh_received *fds,
                                         struct prh_request *req,
                                         uint32_t *code, const char **why)
{
    uint32_t type;

    if (record_type(rec, len, fds, &type, why) < 0)
        return PRH_RECORD_INVALID;
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

/* Device numbers as the kernel makes them (MKDEV: 12 and 20 bits). */
#define MAJOR_LIMIT (1u << 12)
#define MINOR_LIMIT (1u << 20)

static enum prh_record_kind check_classify(const uint8_t *rec, size_t len,
                                           struct prh_received *fds,
                                           struct prh_own_record *out, const char **why)
{
    struct prh_ipc_classify c;
    if (len != sizeof(c))
        return reject(fds, why, "classify record of wrong length");
    if (fds->nfds != 0)
        return reject(fds, why, "classify record with a descriptor");
    memcpy(&c, rec, sizeof(c));
    if (c.major >= MAJOR_LIMIT || c.minor >= MINOR_LIMIT || c.reserved != 0)
        return reject(fds, why, "classify record with a device number out of range");
    out->classify = c;
    return PRH_RECORD_CLASSIFY;
}

static int status_known(int32_t status)
{
    return status == PRH_GOOD || status == PRH_CHECK_CONDITION || status == PRH_BUSY ||
           status == PRH_RESERVATION_CONFLICT || status == PRH_TASK_SET_FULL;
}

/* A report says what the worker sent its client; it must be an answer
 * the monitor itself could have sent (reply.h) by a route a worker runs. */
static enum prh_record_kind check_report(const uint8_t *rec, size_t len,
                                         struct prh_received *fds,
                                         struct prh_own_record *out, const char **why)
{
    struct prh_ipc_report r;
    uint32_t xfer = 0, param_len = 0;
    struct prh_sense refusal;

    if (len != sizeof(r))
        return reject(fds, why, "report record of wrong length");
    if (fds->nfds != 0)
        return reject(fds, why, "report record with a descriptor");
    memcpy(&r, rec, sizeof(r));
    if (r.major >= MAJOR_LIMIT || r.minor >= MINOR_LIMIT || r.reserved != 0)
        return reject(fds, why, "report record with a device number out of range");
    if (prh_request_shape(r.cdb, &xfer, &param_len) != PRH_SHAPE_OK || r.xfer_len != xfer)
        return reject(fds, why, "report record of a request that cannot be");
    if (r.route >= PRH_ROUTE_MAX || r.route == PRH_ROUTE_MONITOR_SG_IO ||
        r.route == PRH_ROUTE_MONITOR_IOCTL)
        return reject(fds, why, "report record naming a route no worker takes");
    if (!status_known(r.status) || prh_reply_allowed(r.cdb, r.xfer_len, r.status, r.data_len) < 0)
        return reject(fds, why, "report record with an answer that does not fit");
    if (r.status == PRH_CHECK_CONDITION ? r.sense_key == 0 || r.sense_key > 0x0f
                                        : (r.sense_key | r.asc | r.ascq) != 0)
        return reject(fds, why, "report record with sense that does not fit its status");
    if (prh_route_refuses((enum prh_route)r.route, &refusal) && r.status != PRH_CHECK_CONDITION)
        return reject(fds, why, "report record of a refusal that is no CHECK CONDITION");
    out->report = r;
    return PRH_RECORD_REPORT;
}

enum prh_record_kind prh_validate_own_record(const uint8_t *rec, size_t len,
                                             struct prh_received *fds,
                                             struct prh_own_record *out, uint32_t *code,
                                             const char **why)
{
    uint32_t type;

    if (record_type(rec, len, fds, &type, why) < 0)
        return PRH_RECORD_INVALID;
    switch (type) {
    case PRH_IPC_CLASSIFY:
        return check_classify(rec, len, fds, out, why);
    case PRH_IPC_REPORT:
        return check_report(rec, len, fds, out, why);
    case PRH_IPC_GOODBYE:
    case PRH_IPC_NOTICE:
        return check_event(rec, len, fds, type, code, why);
    default:
        return reject(fds, why, "unknown record type (a command, in the no-capability mode?)");
    }
}
