#include "spawner.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "fdio.h"
#include "filter.h"

#define SPAWN_REQUEST 0x53504e31 /* "SPN1" */
#define ANSWER_TIMEOUT_MS 5000
#define THREAD_STACK_SIZE (128 * 1024)

struct spawn_answer {
    int32_t pid;
    int32_t err;
};

/* The monitor's end. */
static int channel = -1;

/* ---- the spawner process ------------------------------------------------ */

static struct prh_spawn_config config;

struct job {
    int ipc_fd, lifeline;
};

/* Holds its worker's life: it ends when the lifeline hangs up. */
static void *worker_thread(void *arg)
{
    struct job j = *(struct job *)arg;
    struct spawn_answer a = {-1, 0};
    int pidfd = -1;

    free(arg);
    a.pid = prh_spawn_worker(&config, j.ipc_fd, &pidfd);
    a.err = a.pid < 0 ? errno : 0;
    close(j.ipc_fd);
    if (pidfd >= 0)
        close(pidfd);
    if (write(j.lifeline, &a, sizeof(a)) == (ssize_t)sizeof(a) && a.pid > 0) {
        struct pollfd p = {j.lifeline, POLLIN, 0};
        char byte;
        /* Nothing is ever sent here: readable means hung up. */
        while (poll(&p, 1, -1) < 0 && errno == EINTR)
            ;
        (void)!read(j.lifeline, &byte, 1);
    }
    close(j.lifeline);
    return NULL; /* the worker's parent-death signal fires */
}

/* One request: the record and exactly two fds (the worker's channel end,
 * the lifeline). Returns -1 when the monitor is gone. */
static int serve_one(void)
{
    uint32_t type = 0;
    struct prh_received fds;
    ssize_t n = prh_recv_with_fds(channel, &type, sizeof(type), &fds);
    if (n <= 0) {
        prh_received_close(&fds);
        return -1;
    }
    if (n != sizeof(type) || type != SPAWN_REQUEST || fds.nfds != 2 || fds.truncated) {
        prh_received_close(&fds); /* the monitor's own bug: nothing to start */
        return 0;
    }
    struct job *j = malloc(sizeof(*j));
    pthread_attr_t attr;
    pthread_t t;
    pthread_attr_init(&attr);
    pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
    pthread_attr_setstacksize(&attr, THREAD_STACK_SIZE);
    if (j) {
        j->ipc_fd = fds.fds[0];
        j->lifeline = fds.fds[1];
    }
    if (!j || pthread_create(&t, &attr, worker_thread, j) != 0) {
        struct spawn_answer a = {-1, j ? EAGAIN : ENOMEM};
        (void)!write(fds.fds[1], &a, sizeof(a));
        prh_received_close(&fds);
        free(j);
    }
    pthread_attr_destroy(&attr);
    return 0;
}

static void __attribute__((noreturn)) become_spawner(int fd, pid_t monitor)
{
    int keep[3] = {fd, config.devnull_fd, config.exe_fd};
    prh_close_all_but(keep, 3);
    channel = fd;
    prctl(PR_SET_NAME, "prhelper-spawn", 0, 0, 0);
    /* Workers reap themselves: no zombies, no wait. */
    signal(SIGCHLD, SIG_IGN);
    if (prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0) < 0 || getppid() != monitor)
        syscall(SYS_exit_group, 1);
    struct prh_filter_pins pins = {config.exe_fd, -1, config.uid, config.gid};
    if (prh_spawner_filter_load(&pins) < 0)
        syscall(SYS_exit_group, 1);
    struct spawn_answer ready = {0, 0};
    if (write(channel, &ready, sizeof(ready)) != (ssize_t)sizeof(ready))
        syscall(SYS_exit_group, 1);
    while (serve_one() == 0)
        ;
    syscall(SYS_exit_group, 0); /* its threads, then their workers, die */
    __builtin_unreachable();
}

/* ---- the monitor's side ------------------------------------------------- */

static int read_answer(int fd, struct spawn_answer *a)
{
    struct pollfd p = {fd, POLLIN, 0};
    return poll(&p, 1, ANSWER_TIMEOUT_MS) == 1 && read(fd, a, sizeof(*a)) == (ssize_t)sizeof(*a)
               ? 0 : -1;
}

pid_t prh_spawner_start(const struct prh_spawn_config *c, char *err, size_t errlen)
{
    int sv[2];
    struct spawn_answer ready;

    if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0) {
        snprintf(err, errlen, "worker spawner: %s", strerror(errno));
        return -1;
    }
    config = *c;
    pid_t monitor = getpid();
    pid_t child = fork();
    if (child == 0) {
        close(sv[0]);
        become_spawner(sv[1], monitor);
    }
    close(sv[1]);
    if (child < 0 || read_answer(sv[0], &ready) < 0) {
        snprintf(err, errlen, "cannot start the worker spawner: %s",
                 child < 0 ? strerror(errno) : "it did not get ready");
        close(sv[0]);
        return -1;
    }
    /* Above the fds a spawn child shuffles (spawn.h). */
    channel = fcntl(sv[0], F_DUPFD_CLOEXEC, PRH_HIGH_FD);
    close(sv[0]);
    return channel < 0 ? -1 : child;
}

pid_t prh_spawner_spawn(int ipc_fd, int *lifeline)
{
    int sv[2];
    struct spawn_answer a;
    uint32_t type = SPAWN_REQUEST;

    *lifeline = -1;
    if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0)
        return -1;
    int fds[2] = {ipc_fd, sv[1]};
    int rc = prh_send_fds(channel, &type, sizeof(type), fds, 2);
    close(sv[1]);
    if (rc < 0 || read_answer(sv[0], &a) < 0 || a.pid <= 0) {
        int e = rc < 0 ? errno : a.pid <= 0 && a.err ? a.err : ETIMEDOUT;
        close(sv[0]);
        errno = e;
        return -1;
    }
    *lifeline = sv[0];
    return a.pid;
}
