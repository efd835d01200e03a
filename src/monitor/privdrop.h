/* The monitor's privilege drop. After it: a non-root uid holding only
 * CAP_SYS_RAWIO (effective and permitted; with --keep-sys-admin also
 * CAP_SYS_ADMIN, which kernels before 6.5 demand for the block layer's PR
 * ioctls; with --no-capabilities nothing, and the workers share the
 * monitor's ids, as nothing may change ids then), empty bounding,
 * inheritable and ambient sets, no_new_privs, not dumpable.
 *
 * Two users: the monitor's (M) and the workers' (W). The monitor's ids
 * are real M, effective W, saved M. The kernel lets a process signal
 * another when the sender's real or effective uid is the target's real or
 * saved uid: so the monitor may signal its workers, while neither a worker
 * (real and effective W) nor any other process of another uid, "nobody"
 * included, may signal the monitor. Unix fds in flight are charged to the
 * real uid, so workers and monitor do not share that quota either. With W
 * among its ids, the monitor's spawn child can become W without
 * CAP_SETUID. */
#ifndef PRH_PRIVDROP_H
#define PRH_PRIVDROP_H

#include <stddef.h>
#include <sys/types.h>

#include "defaults.h"

#define PRH_USER "prhelper"               /* the monitor's system user */
#define PRH_WORKER_USER "prhelper-worker" /* the workers' system user */

/* Resolves -u/-g (names or numbers). Without -u: the user "prhelper" when
 * it exists, else 65534. Without -g: the user's primary group when the
 * user has an entry, else 65534. Returns 0, or -1 with one line in err. */
int prh_resolve_ids(const char *user, const char *group, uid_t *uid, gid_t *gid,
                    char *err, size_t errlen);

/* The workers' ids: --worker-user, else "prhelper-worker" when it exists,
 * else 65534, unless that is the monitor's uid: then the monitor's ids
 * (*shared set: workers share the monitor's uid). Returns 0 or -1 with err. */
int prh_resolve_worker_ids(const char *user, uid_t monitor_uid, gid_t monitor_gid,
                           uid_t *uid, gid_t *gid, int *shared, char *err, size_t errlen);

/* A group name or number. Returns 0, or -1 with one line in err. */
int prh_resolve_group(const char *group, gid_t *gid, char *err, size_t errlen);

/* Whether the ids can be changed here: started as root, or holding
 * CAP_SETUID and CAP_SETGID (a systemd unit's AmbientCapabilities=). */
int prh_can_change_ids(void);

/* What the drop keeps: CAP_SYS_RAWIO in the SG_IO mode, CAP_SYS_ADMIN
 * with --keep-sys-admin, nothing at all with --no-capabilities. */
#define PRH_KEEP_SYS_RAWIO 1u
#define PRH_KEEP_SYS_ADMIN 2u

/* Returns 0, or -1 with the failing step in *why (errno set). */
int prh_drop_privileges(uid_t uid, gid_t gid, uid_t worker_uid, gid_t worker_gid,
                        unsigned keep, const char **why);

#endif
