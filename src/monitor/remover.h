/* The socket file's remover: the one process of prhelper that may remove
 * a file once start-up is over, so that the monitor's filter needs no
 * path-taking call at all (an absolute path would ignore any directory
 * fd a filter pins). Forked at start, before the monitor drops its
 * privileges, it takes the monitor's ids without any capability, reads
 * nothing but one byte from the monitor, and removes exactly the socket
 * the monitor bound (checked by device and inode), when asked at a stop
 * or when the monitor is gone (a SIGKILL included), then exits. It is not
 * the monitor's child: libvirt and the tests see the monitor's children as
 * its workers only. */
#ifndef PRH_REMOVER_H
#define PRH_REMOVER_H

#include <sys/types.h>

#include "listener.h"

/* Starts it for the socket file of l (nothing to do for an activated
 * socket: returns 0 and leaves l->remover_fd at -1). The ids are the
 * monitor's after the drop (privdrop.h). Returns 0, or -1 with err. */
int prh_remover_start(struct prh_listener *l, uid_t uid, gid_t gid, uid_t euid, gid_t egid,
                      char *err, size_t errlen);

/* Asks it to remove the file now, waits up to a second for the answer,
 * and lets it go. Returns 0 when removed (or nothing of ours was there),
 * else -1 with errno (ETIMEDOUT: no answer). */
int prh_remover_remove_now(struct prh_listener *l);

#endif
