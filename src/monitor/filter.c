/* The monitor's powers, phase by phase (the rule language is
 * src/common/seccomp_rules.h). Everything else kills it. */
#include "filter.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/fs.h>
#include <linux/sched.h>
#include <scsi/sg.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/socket.h>

#include "block_pr.h"
#include "peercgroup.h"
#include "seccomp_rules.h"
#include "worker_device.h"
#include "worker_startup.h"

/* Serving, in both modes: accept, talk to workers and clients, log. No
 * call that takes a path (the file-system helper removes the socket
 * file: fshelper.h). */
static const struct prh_rule serving[] = {
    PRH_ALLOW(accept4),
    PRH_ALLOW_IF(getsockopt, PRH_EQ(1, SOL_SOCKET), PRH_EQ(2, SO_PEERCRED)),
    PRH_ALLOW_IF(getsockopt, PRH_EQ(1, SOL_SOCKET), PRH_EQ(2, PRH_SO_PEERPIDFD)),
    PRH_ALLOW_IF(ioctl, PRH_EQ(1, PRH_PIDFD_GET_INFO)), /* the peer's cgroup (peercgroup.c) */
    PRH_ALLOW_IF(socketpair, PRH_EQ(0, AF_UNIX), PRH_EQ(1, SOCK_SEQPACKET | SOCK_CLOEXEC)),
    PRH_ALLOW(recvmsg),
    PRH_ALLOW(sendmsg),
    PRH_ALLOW(sendto), /* send(); syslog after -d */
    PRH_REFUSE(socket, EACCES), /* syslog's reconnect attempts fail softly */
    PRH_ALLOW(shutdown),
    PRH_ALLOW(read), /* signalfd */
    PRH_ALLOW(write),
    PRH_ALLOW(writev), /* answers and records without an fd (fdio.h) */
    PRH_ALLOW(close),
    PRH_ALLOW(poll),
    PRH_ALLOW(ppoll),
    PRH_ALLOW_IF(pread64, PRH_PINNED(0, PRH_PIN_PROC_CGROUP_FD)), /* cgroup.c */
    PRH_ALLOW_IF(fcntl, PRH_EQ(1, F_GETFD)),
    PRH_ALLOW_IF(fcntl, PRH_EQ(1, F_SETFD)),
};

/* The SG_IO mode's device work: take a request's fd, check it, run the
 * command (SG_IO, or the block layer's PR ioctls on a map: exactly those
 * pr_ioctl.c issues). */
static const struct prh_rule devices[] = {
    PRH_ALLOW_IF(pidfd_getfd, PRH_EQ(2, 0)), /* a request's fd from its worker */
    PRH_ALLOW(fstat), /* a request's fd: fdcheck.c calls it by number */
    PRH_ALLOW_IF(fcntl, PRH_EQ(1, F_GETFL)),
    PRH_ALLOW_IF(ioctl, PRH_EQ(1, BLKGETDISKSEQ)), /* a device's identity (fshelper.c) */
    PRH_ALLOW_IF(ioctl, PRH_EQ(1, SG_IO)),
    PRH_ALLOW_IF(ioctl, PRH_EQ(1, IOC_PR_REGISTER)),
    PRH_ALLOW_IF(ioctl, PRH_EQ(1, IOC_PR_RESERVE)),
    PRH_ALLOW_IF(ioctl, PRH_EQ(1, IOC_PR_RELEASE)),
    PRH_ALLOW_IF(ioctl, PRH_EQ(1, IOC_PR_PREEMPT)),
    PRH_ALLOW_IF(ioctl, PRH_EQ(1, IOC_PR_PREEMPT_ABORT)),
    PRH_ALLOW_IF(ioctl, PRH_EQ(1, IOC_PR_CLEAR)),
    PRH_ALLOW_IF(ioctl, PRH_EQ(1, IOC_PR_READ_KEYS)),
    PRH_ALLOW_IF(ioctl, PRH_EQ(1, IOC_PR_READ_RESERVATION)),
};

/* Namespaces and other things a spawn or a thread never needs. */
#define CLONE_FORBIDDEN                                                        \
    (CLONE_NEWNS | CLONE_NEWCGROUP | CLONE_NEWUTS | CLONE_NEWIPC |             \
     CLONE_NEWUSER | CLONE_NEWPID | CLONE_NEWNET | CLONE_PTRACE | CLONE_UNTRACED)

/* Threads, and nothing else a clone could make. */
static const struct prh_rule threads[] = {
    PRH_ALLOW_IF(clone, PRH_MASKED_EQ(0, CLONE_FORBIDDEN | CLONE_THREAD, CLONE_THREAD)),
    PRH_REFUSE(clone3, ENOSYS), /* glibc falls back to clone, whose flags we see */
};

/* Spawning a worker (spawn.c): the vfork-style child takes the workers'
 * ids, dies with its thread, shuffles its fds and runs the one binary
 * opened at start. Workers die by their parent-death signal, never by
 * ours: no kill at all. */
static const struct prh_rule spawning[] = {
    PRH_ALLOW_IF(clone, PRH_MASKED_EQ(0, CLONE_FORBIDDEN | CLONE_THREAD, 0)),
    PRH_ALLOW_IF(setresgid, PRH_PINNED(0, PRH_PIN_WORKER_GID), PRH_PINNED(1, PRH_PIN_WORKER_GID),
                 PRH_PINNED(2, PRH_PIN_WORKER_GID)),
    PRH_ALLOW_IF(setresuid, PRH_PINNED(0, PRH_PIN_WORKER_UID), PRH_PINNED(1, PRH_PIN_WORKER_UID),
                 PRH_PINNED(2, PRH_PIN_WORKER_UID)),
    /* A session thread's real ids become its worker's, for pidfd_getfd
     * (session.c); the rest stay. */
    PRH_ALLOW_IF(setresgid, PRH_PINNED(0, PRH_PIN_WORKER_GID), PRH_EQ(1, (gid_t)-1),
                 PRH_EQ(2, (gid_t)-1)),
    PRH_ALLOW_IF(setresuid, PRH_PINNED(0, PRH_PIN_WORKER_UID), PRH_EQ(1, (uid_t)-1),
                 PRH_EQ(2, (uid_t)-1)),
    PRH_ALLOW_IF(prctl, PRH_EQ(0, PR_SET_PDEATHSIG), PRH_EQ(1, SIGKILL)),
    PRH_ALLOW_IF(fcntl, PRH_EQ(1, F_DUPFD_CLOEXEC)),
    PRH_ALLOW(dup2),
    PRH_ALLOW(dup3),
    PRH_ALLOW(close_range),
    PRH_ALLOW_IF(execveat, PRH_PINNED(0, PRH_PIN_WORKER_EXE_FD), PRH_EQ(4, AT_EMPTY_PATH)),
    PRH_ALLOW(wait4),
    PRH_ALLOW(waitid),
};

/* What the C library does for any of the above: memory (never
 * executable), threads, time, signals, exit. */
static const struct prh_rule runtime[] = {
    PRH_ALLOW(brk),
    PRH_ALLOW_IF(mmap, PRH_MASKED_EQ(2, PROT_EXEC, 0)),
    PRH_ALLOW_IF(mprotect, PRH_MASKED_EQ(2, PROT_EXEC, 0)),
    PRH_ALLOW(munmap),
    PRH_ALLOW(mremap),
    PRH_ALLOW(madvise),
    PRH_ALLOW(futex),
    PRH_ALLOW(set_robust_list),
    PRH_ALLOW(rseq),
    PRH_ALLOW(getrandom),
    PRH_ALLOW(gettid),
    PRH_ALLOW(getuid),
    PRH_ALLOW(geteuid),
    PRH_ALLOW(getgid),
    PRH_ALLOW(getegid),
    PRH_ALLOW(getpid),
    PRH_ALLOW(clock_gettime),
    PRH_ALLOW(clock_nanosleep),
    PRH_ALLOW(nanosleep),
    PRH_ALLOW(rt_sigprocmask),
    PRH_ALLOW_IF(rt_sigaction, PRH_EQ(0, 32)), /* glibc's SIGCANCEL and SIGSETXID, */
    PRH_ALLOW_IF(rt_sigaction, PRH_EQ(0, 33)), /* set up by the first pthread_create */
    PRH_ALLOW_IF(rt_sigaction, PRH_EQ(0, SIGABRT)),
    PRH_ALLOW_IF(tgkill, PRH_EQ(2, SIGABRT)), /* abort() */
    PRH_ALLOW(rt_sigreturn),
    PRH_ALLOW(restart_syscall), /* the kernel resumes poll() and sleeps after SIGCONT */
    PRH_ALLOW(sched_yield),
    PRH_ALLOW(sched_getaffinity), /* sanitizer runtimes, at thread start */
    PRH_ALLOW(sigaltstack),
    PRH_ALLOW(exit),
    PRH_ALLOW(exit_group),
};

/* The no-capability mode's spawner (spawner.h): its requests and the
 * lifelines, and what the workers it starts do, as they run under this
 * filter too (filters stack): their start-up, their serving calls
 * (src/worker/sandbox.c; the rest are in runtime) and the PR ioctls on
 * their device fd. */
static const struct prh_rule spawner[] = {
    PRH_ALLOW(recvmsg), /* its requests; a worker's, from its client and the monitor */
    PRH_ALLOW(write),   /* answers, on each request's lifeline */
    PRH_ALLOW(read),    /* a lifeline's hang-up */
    PRH_ALLOW(poll),
    PRH_ALLOW(close),
    PRH_ALLOW(writev),  /* a worker's answers and records */
    PRH_ALLOW(fstat),
    PRH_ALLOW_IF(fcntl, PRH_EQ(1, F_GETFL)),
};

static int load(const struct prh_rule_table *tables, size_t n, const struct prh_filter_pins *p)
{
    prh_pins pins = {
        [PRH_PIN_NONE] = PRH_PIN_UNSET,
        [PRH_PIN_WORKER_EXE_FD] = (scmp_datum_t)p->worker_exe_fd,
        [PRH_PIN_PROC_CGROUP_FD] =
            p->proc_cgroup_fd < 0 ? PRH_PIN_UNSET : (scmp_datum_t)p->proc_cgroup_fd,
        [PRH_PIN_WORKER_UID] = p->worker_uid,
        [PRH_PIN_WORKER_GID] = p->worker_gid,
        [PRH_PIN_CHANNEL_FD] = PRH_PIN_UNSET,
        [PRH_PIN_SYS_BLOCK_FD] = PRH_PIN_UNSET,
        [PRH_PIN_SOCKET_DIR_FD] = PRH_PIN_UNSET,
    };
    return prh_seccomp_load(tables, n, pins);
}

int prh_monitor_filter_load(const struct prh_filter_pins *p, int no_capabilities)
{
    const struct prh_rule_table sg_mode[] = {
        PRH_TABLE("monitor serving", serving),
        PRH_TABLE("monitor devices", devices),
        PRH_TABLE("monitor threads", threads),
        PRH_TABLE("monitor spawning", spawning),
        PRH_TABLE("monitor runtime", runtime),
        prh_worker_startup_rules, /* filters stack: a worker starts under ours */
    };
    /* No device, no process: the spawner starts the workers. wait4 reaps
     * the spawner should it die. */
    static const struct prh_rule reaping[] = {PRH_ALLOW(wait4)};
    const struct prh_rule_table no_caps_mode[] = {
        PRH_TABLE("monitor serving", serving),
        PRH_TABLE("monitor threads", threads),
        PRH_TABLE("monitor reaping", reaping),
        PRH_TABLE("monitor runtime", runtime),
    };
    if (no_capabilities)
        return load(no_caps_mode, sizeof(no_caps_mode) / sizeof(no_caps_mode[0]), p);
    return load(sg_mode, sizeof(sg_mode) / sizeof(sg_mode[0]), p);
}

int prh_spawner_filter_load(const struct prh_filter_pins *p)
{
    const struct prh_rule_table tables[] = {
        PRH_TABLE("spawner", spawner),
        PRH_TABLE("spawner threads", threads),
        PRH_TABLE("spawner spawning", spawning),
        PRH_TABLE("spawner runtime", runtime),
        prh_worker_startup_rules,
        prh_worker_device_rules,
    };
    return load(tables, sizeof(tables) / sizeof(tables[0]), p);
}
