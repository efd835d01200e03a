#include "execute.h"

#include <errno.h>
#include <scsi/sg.h>
#include <string.h>
#include <sys/ioctl.h>

#include "fshelper.h"
#include "fdcheck.h"
#include "scsi.h"

const char *prh_backend_name(enum prh_backend backend)
{
    switch (backend) {
    case PRH_BACKEND_SG:
        return "sg";
    case PRH_BACKEND_BLOCK:
        return "block";
    default:
        return "none";
    }
}

void prh_execute(const struct prh_request *req, unsigned timeout_ms,
                 struct prh_result *res)
{
    uint8_t opcode = req->cdb[0];
    struct prh_fd_info fd;
    struct prh_sense code;
    uint32_t note;

    res->status = PRH_GOOD;
    res->data_len = 0;
    res->backend = PRH_BACKEND_NONE;
    res->refusal = NULL;
    res->rdev = 0;
    memset(res->sense, 0, sizeof(res->sense));

    if (req->fd < 0) { /* not taken from the worker (session.c): no device to reach */
        res->status = PRH_CHECK_CONDITION;
        prh_sense_build(res->sense, PRH_SENSE_IO_ERROR);
        return;
    }
    prh_fd_inspect(req->fd, prh_opcode_writes(opcode), &fd);
    res->rdev = fd.rdev;
    if (prh_fd_precheck(req->cdb, &fd, &res->status, &code, &note)) {
        if (res->status == PRH_CHECK_CONDITION)
            prh_sense_build(res->sense, code);
        return;
    }
    /* An sg node is a whole LU; a block device is what sysfs says. */
    enum prh_dev_kind kind =
        fd.kind == PRH_FD_BLOCK ? prh_fshelper_classify(fd.rdev, req->fd) : PRH_DEV_WHOLE;
    if (!prh_dev_kind_allowed(kind)) {
        /* What the kernel answers a PR ioctl on a partition (EPERM). */
        res->status = PRH_CHECK_CONDITION;
        prh_sense_build(res->sense, PRH_SENSE_INVALID_OPCODE);
        res->refusal = prh_dev_kind_refusal(kind);
        return;
    }
    if (kind == PRH_DEV_MAP_WHOLE)
        prh_execute_block(req, timeout_ms, res);
    else
        prh_execute_sg(req, timeout_ms, res);
}

void prh_execute_sg(const struct prh_request *req, unsigned timeout_ms,
                    struct prh_result *res)
{
    uint8_t opcode = req->cdb[0];

    /* PR IN offers the whole buffer, as qemu-pr-helper does; the device
     * honours the allocation length and the reply is clamped to it. */
    uint32_t dxfer_len = opcode == PRH_OP_PR_IN ? PRH_DATA_MAX : req->xfer_len;
    /* A device that moves fewer bytes than it reports (no residual) must
     * not hand QEMU the previous answer's bytes. */
    if (opcode == PRH_OP_PR_OUT)
        memcpy(res->data, req->param, req->xfer_len);
    else
        memset(res->data, 0, dxfer_len);

    struct sg_io_hdr io;
    memset(&io, 0, sizeof(io));
    io.interface_id = 'S';
    io.cmd_len = PRH_CDB_SIZE;
    io.cmdp = (unsigned char *)req->cdb;
    io.sbp = res->sense;
    io.mx_sb_len = PRH_SENSE_SIZE;
    io.timeout = timeout_ms;
    io.dxfer_direction = opcode == PRH_OP_PR_IN ? SG_DXFER_FROM_DEV : SG_DXFER_TO_DEV;
    io.dxferp = res->data;
    io.dxfer_len = dxfer_len;

    int rc = ioctl(req->fd, SG_IO, &io);
    struct prh_sgio_outcome o = {
        .ioctl_errno = rc < 0 ? errno : 0,
        .host_status = io.host_status,
        .driver_status = io.driver_status,
        .device_status = io.status,
        .resid = io.resid,
    };
    res->backend = PRH_BACKEND_SG;
    res->status = prh_status_from_sgio(&o, res->sense);
    if (res->status == PRH_GOOD && opcode == PRH_OP_PR_IN) {
        uint32_t got = prh_transferred(dxfer_len, io.resid);
        res->data_len = got < req->xfer_len ? got : req->xfer_len;
    }
}
