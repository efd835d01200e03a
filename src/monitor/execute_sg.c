#include "execute.h"

#include <errno.h>
#include <scsi/sg.h>
#include <string.h>
#include <sys/ioctl.h>

#include "scsi.h"

void prh_execute_sg(const struct prh_request *req, unsigned timeout_ms, struct prh_answer *a)
{
    uint8_t opcode = req->cdb[0];

    a->status = PRH_GOOD;
    a->data_len = 0;
    memset(a->sense, 0, sizeof(a->sense));
    /* PR IN offers the whole buffer, as qemu-pr-helper does; the device
     * honours the allocation length and the reply is clamped to it. */
    uint32_t dxfer_len = opcode == PRH_OP_PR_IN ? PRH_DATA_MAX : req->xfer_len;
    /* A device that moves fewer bytes than it reports (no residual) must
     * not hand QEMU the previous answer's bytes. */
    if (opcode == PRH_OP_PR_OUT)
        memcpy(a->data, req->param, req->xfer_len);
    else
        memset(a->data, 0, dxfer_len);

    struct sg_io_hdr io;
    memset(&io, 0, sizeof(io));
    io.interface_id = 'S';
    io.cmd_len = PRH_CDB_SIZE;
    io.cmdp = (unsigned char *)req->cdb;
    io.sbp = a->sense;
    io.mx_sb_len = PRH_SENSE_SIZE;
    io.timeout = timeout_ms;
    io.dxfer_direction = opcode == PRH_OP_PR_IN ? SG_DXFER_FROM_DEV : SG_DXFER_TO_DEV;
    io.dxferp = a->data;
    io.dxfer_len = dxfer_len;

    int rc = ioctl(req->fd, SG_IO, &io);
    struct prh_sgio_outcome o = {
        .ioctl_errno = rc < 0 ? errno : 0,
        .host_status = io.host_status,
        .driver_status = io.driver_status,
        .device_status = io.status,
        .resid = io.resid,
    };
    a->status = prh_status_from_sgio(&o, a->sense);
    if (a->status == PRH_GOOD && opcode == PRH_OP_PR_IN) {
        uint32_t got = prh_transferred(dxfer_len, io.resid);
        a->data_len = got < req->xfer_len ? got : req->xfer_len;
    }
}
