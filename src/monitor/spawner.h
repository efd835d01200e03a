/* The no-capability mode's worker starter: a process of its own, forked
 * from the monitor before the monitor loads its filter. Filters stack (a
 * worker runs under the filters of all its ancestors), so a worker that
 * issues the PR ioctls must descend from a process whose filter allows
 * them: this one, which holds no device fd and reads nothing but the
 * monitor's requests. The monitor's own filter then allows neither the PR
 * ioctls, nor SG_IO, nor starting any process.
 *
 * Each worker is started by a thread of the spawner and dies with it (its
 * parent-death signal); that thread lives as long as the lifeline, a
 * socket whose other end the monitor's session holds. The session ends,
 * or the monitor dies: the lifeline hangs up, the thread ends, the worker
 * is killed. The spawner dies with the monitor (its channel hangs up, and
 * it has a parent-death signal of its own), and its workers with it. */
#ifndef PRH_SPAWNER_H
#define PRH_SPAWNER_H

#include <stddef.h>
#include <sys/types.h>

#include "spawn.h"

/* Forks the spawner (c: the binary, /dev/null, ids, the mode). After the
 * privilege drop and Landlock, before the monitor's filter. Returns its
 * pid, or -1 with one line in err. */
pid_t prh_spawner_start(const struct prh_spawn_config *c, char *err, size_t errlen);

/* Starts a worker with ipc_fd on its fd 4 (the caller keeps ipc_fd).
 * Returns the worker's pid and sets *lifeline (the caller's: closing it
 * kills the worker), or -1 with errno. Any thread. */
pid_t prh_spawner_spawn(int ipc_fd, int *lifeline);

#endif
