#include "spawn.h"

#include <fcntl.h>
#include <linux/close_range.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "ipc.h"

/* Only async-signal-safe calls between fork and exec: the monitor has
 * threads, and their locks may be held by now. */
static void __attribute__((noreturn))
become_worker(pid_t parent, int exe_fd, int devnull_fd, int client_fd, int ipc_fd)
{
    static char *const argv[] = {"prhelper-worker", NULL};
    static char *const envp[] = {NULL};
    sigset_t none;

    if (prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0) < 0 || getppid() != parent)
        _exit(127);
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, NULL);

    /* Lift the sources above the targets first, so no dup2 overwrites one. */
    int null_hi = fcntl(devnull_fd, F_DUPFD_CLOEXEC, PRH_HIGH_FD);
    int client_hi = fcntl(client_fd, F_DUPFD_CLOEXEC, PRH_HIGH_FD);
    int ipc_hi = fcntl(ipc_fd, F_DUPFD_CLOEXEC, PRH_HIGH_FD);
    if (null_hi < 0 || client_hi < 0 || ipc_hi < 0 ||
        dup2(null_hi, STDIN_FILENO) < 0 || dup2(null_hi, STDOUT_FILENO) < 0 ||
        dup2(client_hi, PRH_WORKER_CLIENT_FD) < 0 || dup2(ipc_hi, PRH_WORKER_MONITOR_FD) < 0)
        _exit(127);

    /* Everything else goes, inherited fds (libvirt's pidfile lock) included;
     * the binary's fd is close-on-exec and goes at execveat(). */
    unsigned first = PRH_WORKER_MONITOR_FD + 1;
    if ((exe_fd > (int)first && syscall(SYS_close_range, first, exe_fd - 1, 0) < 0) ||
        syscall(SYS_close_range, exe_fd + 1, ~0U, 0) < 0)
        _exit(127);

    syscall(SYS_execveat, exe_fd, "", argv, envp, AT_EMPTY_PATH);
    _exit(127);
}

pid_t prh_spawn_worker(int worker_exe_fd, int devnull_fd, int client_fd, int ipc_fd)
{
    pid_t parent = getpid();
    pid_t pid = fork();
    if (pid == 0)
        become_worker(parent, worker_exe_fd, devnull_fd, client_fd, ipc_fd);
    return pid;
}
