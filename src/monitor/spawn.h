/* Starts one worker for one client connection. */
#ifndef PRH_SPAWN_H
#define PRH_SPAWN_H

#include <sys/types.h>

/* Descriptor numbers at and above this are free for the monitor's own
 * long-lived fds (the pinned worker binary), so the child's dup2() onto
 * 0-4 never clobbers them. */
#define PRH_HIGH_FD 10

/* fork, then in the child: die with the parent, default signal mask, only
 * /dev/null on 0-1, the log stream on 2, client_fd on 3, ipc_fd on 4, and
 * execveat() of the binary opened at start. Nothing else crosses. Returns
 * the worker's pid or -1. The caller keeps (and later closes) its fds. */
pid_t prh_spawn_worker(int worker_exe_fd, int devnull_fd, int client_fd, int ipc_fd);

#endif
