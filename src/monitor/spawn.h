/* Starts one worker. Each worker is the child of the session thread that
 * spawned it, with a parent-death signal: when that thread ends, on any
 * path, the kernel kills the worker. So a worker never outlives its
 * session, and the monitor needs no right to signal it. */
#ifndef PRH_SPAWN_H
#define PRH_SPAWN_H

#include <sys/types.h>

/* Descriptor numbers at and above this are free for the monitor's own
 * long-lived fds (the pinned worker binary), so the child's dup2() onto
 * 0-4 never clobbers them. */
#define PRH_HIGH_FD 10

struct prh_spawn_config {
    int exe_fd;      /* the worker binary, opened at start */
    int devnull_fd;
    uid_t uid;       /* the workers' own ids (privdrop.h) */
    gid_t gid;
    int no_capabilities; /* the worker's mode (route.h), its one argument */
};

/* vfork-style (the child shares our memory until it execs, so the cost
 * does not grow with the monitor), then in the child: the workers' uid and
 * gid, death with the calling thread, /dev/null on 0-2 (no log stream of
 * the monitor's), ipc_fd on 4, 3 left free for the client, and execveat()
 * of the binary opened at start. Nothing else crosses. Returns the
 * worker's pid and sets *pidfd (the caller's to close; the monitor takes
 * request fds through it), or -1 with errno (also when the exec failed).
 * The caller keeps ipc_fd. */
pid_t prh_spawn_worker(const struct prh_spawn_config *c, int ipc_fd, int *pidfd);

#endif
