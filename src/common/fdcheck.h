/* What a request's fd is, and what a request on it gets before any device
 * is touched. The worker applies this to every fd a client sends, so only
 * block devices and sg nodes ever reach the monitor; the monitor applies
 * it again to its own view of the fd. One table, both sides. */
#ifndef PRH_FDCHECK_H
#define PRH_FDCHECK_H

#include <stdint.h>
#include <sys/types.h>

#include "scsi.h"

enum prh_fd_kind {
    PRH_FD_OTHER,         /* regular file, /dev/null, socket, O_PATH... */
    PRH_FD_BLOCK,         /* any block device: sd, dm-multipath, ... */
    PRH_FD_SCSI_GENERIC,  /* /dev/sgN (char major 21) */
};

struct prh_fd_info {
    enum prh_fd_kind kind;
    dev_t rdev;           /* 0 for non-devices */
    int read_only;        /* opened O_RDONLY (unknown: 1) */
};

/* fstat (path-free, so a seccomp rule can allow it) and, when the open
 * mode matters (want_mode), F_GETFL. Never fails: unknown is OTHER and
 * read-only. */
void prh_fd_inspect(int fd, int want_mode, struct prh_fd_info *info);

/* Whether the open mode matters for this opcode (PR OUT). */
int prh_opcode_writes(uint8_t opcode);

/* In qemu-pr-helper's order: a read-only fd may not change reservations
 * (05/20/00); a request on a non-device gets what SG_IO's ENOTTY gives
 * (0B/00/06). cdb: the request's first two bytes at least. Returns 1 with
 * *status (and *code for CHECK CONDITION) when answered, 0 when the
 * request needs the device. *note says which rule answered (PRH_NOTE_MAX:
 * an ordinary answer, nothing to report); a REGISTER gets a note of its
 * own, as it is the first command of QEMU's reservation migration. */
int prh_fd_precheck(const uint8_t *cdb, const struct prh_fd_info *info, int32_t *status,
                    struct prh_sense *code, uint32_t *note);

#endif
