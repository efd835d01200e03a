#include "fdcheck.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "ipc.h"

#define SCSI_GENERIC_MAJOR 21

void prh_fd_inspect(int fd, int want_mode, struct prh_fd_info *info)
{
    struct stat st;

    info->kind = PRH_FD_OTHER;
    info->rdev = 0;
    info->read_only = 1;
    if (want_mode) {
        int flags = fcntl(fd, F_GETFL);
        if (flags < 0)
            return;
        info->read_only = (flags & O_ACCMODE) == O_RDONLY;
        if (flags & O_PATH)
            return; /* no I/O possible through it */
    }
    /* glibc's fstat() is newfstatat(fd, "", AT_EMPTY_PATH), whose path a
     * filter cannot pin; fstat proper takes only the fd. (Without the mode,
     * an O_PATH fd of a device passes here and its SG_IO fails with EBADF:
     * the same 0B/00/06 answer.) */
    if (syscall(SYS_fstat, fd, &st) < 0)
        return;
    if (S_ISBLK(st.st_mode)) {
        info->kind = PRH_FD_BLOCK;
        info->rdev = st.st_rdev;
    } else if (S_ISCHR(st.st_mode)) {
        info->rdev = st.st_rdev;
        if (major(st.st_rdev) == SCSI_GENERIC_MAJOR)
            info->kind = PRH_FD_SCSI_GENERIC;
    }
}

int prh_opcode_writes(uint8_t opcode)
{
    return opcode != PRH_OP_PR_IN;
}

int prh_fd_precheck(const uint8_t *cdb, const struct prh_fd_info *info, int32_t *status,
                    struct prh_sense *code, uint32_t *note)
{
    if (prh_opcode_writes(cdb[0]) && info->read_only) {
        *status = PRH_CHECK_CONDITION;
        *code = PRH_SENSE_INVALID_OPCODE;
        *note = (cdb[1] & 0x1f) == PRH_PROUT_REGISTER ? PRH_NOTE_READ_ONLY_REGISTER
                                                      : PRH_NOTE_READ_ONLY;
        return 1;
    }
    if (info->kind != PRH_FD_OTHER)
        return 0;
    *note = PRH_NOTE_NOT_A_DEVICE;
    *status = PRH_CHECK_CONDITION;
    *code = PRH_SENSE_IO_ERROR;
    return 1;
}
