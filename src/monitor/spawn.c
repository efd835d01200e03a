#include "spawn.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "ipc.h"

#define CHILD_STACK_SIZE (16 * 1024)

struct child_args {
    const struct prh_spawn_config *c;
    int ipc_fd;
    int err; /* written by the child, read after it has exec'd or died */
};

/* Runs on its own stack in our address space, with every signal blocked
 * (the worker unblocks them): raw system calls only, so nothing touches
 * another thread's state (glibc's set*id() would signal every thread). */
static int become_worker(void *arg)
{
    struct child_args *a = arg;
    const struct prh_spawn_config *c = a->c;
    static char *const argv[] = {"prhelper-worker", NULL};
    static char *const argv_no_caps[] = {"prhelper-worker", PRH_WORKER_NO_CAPS_ARG, NULL};
    static char *const envp[] = {NULL};

    /* Ids first: changing them clears the parent-death signal. */
    if (syscall(SYS_setresgid, c->gid, c->gid, c->gid) < 0 ||
        syscall(SYS_setresuid, c->uid, c->uid, c->uid) < 0 ||
        syscall(SYS_prctl, PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0) < 0)
        goto fail;

    /* Lift the sources above the targets first, so no dup2 overwrites one. */
    int null_hi = (int)syscall(SYS_fcntl, c->devnull_fd, F_DUPFD_CLOEXEC, PRH_HIGH_FD);
    int ipc_hi = (int)syscall(SYS_fcntl, a->ipc_fd, F_DUPFD_CLOEXEC, PRH_HIGH_FD);
    if (null_hi < 0 || ipc_hi < 0 || syscall(SYS_dup2, null_hi, STDIN_FILENO) < 0 ||
        syscall(SYS_dup2, null_hi, STDOUT_FILENO) < 0 ||
        syscall(SYS_dup2, null_hi, STDERR_FILENO) < 0 || /* no log stream of ours */
        syscall(SYS_dup2, ipc_hi, PRH_WORKER_MONITOR_FD) < 0)
        goto fail;
    syscall(SYS_close, PRH_WORKER_CLIENT_FD); /* ASSIGN's fd lands here */

    /* Everything else goes, inherited fds (libvirt's pidfile lock) included;
     * the binary's fd is close-on-exec and goes at execveat(). */
    unsigned first = PRH_WORKER_MONITOR_FD + 1;
    if ((c->exe_fd > (int)first && syscall(SYS_close_range, first, c->exe_fd - 1, 0) < 0) ||
        syscall(SYS_close_range, c->exe_fd + 1, ~0U, 0) < 0)
        goto fail;

    syscall(SYS_execveat, c->exe_fd, "", c->no_capabilities ? argv_no_caps : argv, envp,
            AT_EMPTY_PATH);
fail:
    a->err = errno ? errno : EINVAL;
    syscall(SYS_exit, 127);
    return 127;
}

pid_t prh_spawn_worker(const struct prh_spawn_config *c, int ipc_fd, int *pidfd)
{
    /* The child runs on this buffer while we wait (CLONE_VFORK). */
    char stack[CHILD_STACK_SIZE] __attribute__((aligned(16)));
    struct child_args a = {c, ipc_fd, 0};
    sigset_t all, old;

    sigfillset(&all);
    pthread_sigmask(SIG_SETMASK, &all, &old);
    *pidfd = -1;
    pid_t pid = clone(become_worker, stack + sizeof(stack),
                      CLONE_VM | CLONE_VFORK | CLONE_PIDFD | SIGCHLD, &a, pidfd);
    int saved = errno;
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    if (pid < 0) {
        errno = saved;
        return -1;
    }
    if (a.err) {
        close(*pidfd);
        *pidfd = -1;
        errno = a.err; /* the child has exited; the main thread reaps it */
        return -1;
    }
    return pid;
}
