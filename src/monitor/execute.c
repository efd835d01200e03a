#include "execute.h"

#include <errno.h>
#include <fcntl.h>
#include <scsi/sg.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include "scsi.h"

#define SCSI_GENERIC_MAJOR 21

enum prh_fd_kind prh_fd_classify(int fd, dev_t *rdev, int *read_only)
{
    struct stat st;
    int flags = fcntl(fd, F_GETFL);

    *rdev = 0;
    *read_only = 1;
    if (flags < 0 || fstat(fd, &st) < 0)
        return PRH_FD_OTHER;
    *read_only = (flags & O_ACCMODE) == O_RDONLY;
    if (flags & O_PATH)
        return PRH_FD_OTHER; /* no I/O possible through it */
    if (S_ISBLK(st.st_mode)) {
        *rdev = st.st_rdev;
        return PRH_FD_BLOCK;
    }
    if (S_ISCHR(st.st_mode)) {
        *rdev = st.st_rdev;
        if (major(st.st_rdev) == SCSI_GENERIC_MAJOR)
            return PRH_FD_SCSI_GENERIC;
    }
    return PRH_FD_OTHER;
}

static void answer(struct prh_result *res, struct prh_sense code)
{
    res->status = PRH_CHECK_CONDITION;
    prh_sense_build(res->sense, code);
}

void prh_execute(const struct prh_request *req, unsigned timeout_ms,
                 struct prh_result *res)
{
    uint8_t opcode = req->cdb[0];
    int read_only;
    enum prh_fd_kind kind = prh_fd_classify(req->fd, &res->rdev, &read_only);

    res->status = PRH_GOOD;
    res->data_len = 0;
    res->touched_device = 0;
    memset(res->sense, 0, sizeof(res->sense));

    /* Same order as qemu-pr-helper: a read-only fd may not change
     * reservations, whatever it points to. */
    if (opcode != PRH_OP_PR_IN && read_only) {
        answer(res, PRH_SENSE_INVALID_OPCODE);
        return;
    }
    if (opcode == PRH_OP_CLEANUP)
        return; /* no multipath here: nothing to release, GOOD */
    if (kind == PRH_FD_OTHER) {
        /* What SG_IO's ENOTTY would have produced, without the ioctl. */
        answer(res, PRH_SENSE_IO_ERROR);
        return;
    }

    /* PR IN offers the whole buffer, as qemu-pr-helper does; the device
     * honours the allocation length and the reply is clamped to it. */
    uint32_t dxfer_len = opcode == PRH_OP_PR_IN ? PRH_DATA_MAX : req->xfer_len;
    if (opcode == PRH_OP_PR_OUT)
        memcpy(res->data, req->param, req->xfer_len);

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
    res->touched_device = 1;
    res->status = prh_status_from_sgio(&o, res->sense);
    if (res->status == PRH_GOOD && opcode == PRH_OP_PR_IN) {
        uint32_t got = prh_transferred(dxfer_len, io.resid);
        res->data_len = got < req->xfer_len ? got : req->xfer_len;
    }
}
