#include "filter.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/sched.h>
#include <scsi/sg.h>
#include <seccomp.h>
#include <stddef.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <signal.h>

/* One row per permitted call; up to two argument comparisons each. A
 * comparison with op 0 is unused. Rows for the same call are alternatives. */
struct rule {
    int syscall;
    unsigned nargs;
    struct scmp_arg_cmp arg[2];
};

#define ANY(name) {SCMP_SYS(name), 0, {{0, 0, 0, 0}, {0, 0, 0, 0}}}
#define ARG_EQ(n, v) {n, SCMP_CMP_EQ, (scmp_datum_t)(v), 0}
#define ARG_MASKED(n, mask, v) {n, SCMP_CMP_MASKED_EQ, (scmp_datum_t)(mask), (scmp_datum_t)(v)}
#define ONE(name, a) {SCMP_SYS(name), 1, {a, {0, 0, 0, 0}}}
#define TWO(name, a, b) {SCMP_SYS(name), 2, {a, b}}

/* Namespaces and other things a fork or thread never needs. */
#define CLONE_FORBIDDEN                                                        \
    (CLONE_NEWNS | CLONE_NEWCGROUP | CLONE_NEWUTS | CLONE_NEWIPC |             \
     CLONE_NEWUSER | CLONE_NEWPID | CLONE_NEWNET | CLONE_PTRACE | CLONE_UNTRACED)

static const struct rule fixed_rules[] = {
    /* Serving: accept, talk to workers, run the device command. */
    ANY(accept4),
    TWO(getsockopt, ARG_EQ(1, SOL_SOCKET), ARG_EQ(2, SO_PEERCRED)),
    TWO(socketpair, ARG_EQ(0, AF_UNIX), ARG_EQ(1, SOCK_SEQPACKET | SOCK_CLOEXEC)),
    ANY(recvmsg),
    ANY(sendmsg),
    ANY(sendto),          /* send(); syslog after -d */
    ANY(shutdown),
    ANY(read),            /* signalfd */
    ANY(write),
    ANY(close),
    ANY(poll),
    ANY(ppoll),
    ONE(ioctl, ARG_EQ(1, SG_IO)),
    ANY(fstat),           /* a request's fd: fdcheck.c calls it by number */
    ONE(fcntl, ARG_EQ(1, F_GETFL)),
    ONE(fcntl, ARG_EQ(1, F_GETFD)),
    ONE(fcntl, ARG_EQ(1, F_SETFD)),
    ONE(fcntl, ARG_EQ(1, F_DUPFD_CLOEXEC)),

    /* Workers: vfork-style spawn (and threads), the child's fd shuffle,
     * reaping. Workers die by their parent-death signal, never by ours. */
    ONE(clone, ARG_MASKED(0, CLONE_FORBIDDEN, 0)),
    ANY(dup2),
    ANY(dup3),
    ANY(close_range),
    TWO(prctl, ARG_EQ(0, PR_SET_PDEATHSIG), ARG_EQ(1, SIGKILL)),
    ANY(wait4),
    ANY(waitid),
    ONE(tgkill, ARG_EQ(2, SIGABRT)), /* abort() */

    /* What the worker does under this filter too (filters stack) until it
     * loads its own: a static binary's start-up and its sandbox set-up. */
    ANY(arch_prctl),
    ANY(set_tid_address),
    ANY(prlimit64),
    ANY(capget),
    ANY(capset),
    ANY(seccomp),
    ONE(prctl, ARG_EQ(0, PR_SET_NO_NEW_PRIVS)),
    TWO(prctl, ARG_EQ(0, PR_SET_DUMPABLE), ARG_EQ(1, 0)), /* never back to 1 */
    ONE(prctl, ARG_EQ(0, PR_GET_NO_NEW_PRIVS)),
    ONE(prctl, ARG_EQ(0, PR_CAPBSET_READ)),
    ONE(prctl, ARG_EQ(0, PR_CAPBSET_DROP)),
    ONE(prctl, ARG_EQ(0, PR_CAP_AMBIENT)),
    ONE(prctl, ARG_EQ(0, PR_GET_SECCOMP)),

    /* Memory, threads, time, signals, exit. */
    ANY(brk),
    ONE(mmap, ARG_MASKED(2, PROT_EXEC, 0)),
    ONE(mprotect, ARG_MASKED(2, PROT_EXEC, 0)),
    ANY(munmap),
    ANY(mremap),
    ANY(madvise),
    ANY(futex),
    ANY(set_robust_list),
    ANY(rseq),
    ANY(getrandom),
    ANY(gettid),
    ANY(getuid),
    ANY(geteuid),
    ANY(getgid),
    ANY(getegid),
    ANY(getpid),
    ANY(clock_gettime),
    ANY(clock_nanosleep),
    ANY(nanosleep),
    ANY(rt_sigprocmask),
    ONE(rt_sigaction, ARG_EQ(0, 32)), /* glibc's SIGCANCEL and SIGSETXID, */
    ONE(rt_sigaction, ARG_EQ(0, 33)), /* set up by the first pthread_create */
    ONE(rt_sigaction, ARG_EQ(0, SIGABRT)),
    ANY(rt_sigreturn),
    ANY(restart_syscall), /* the kernel resumes poll() and sleeps after SIGSTOP/SIGCONT */
    ANY(sched_yield),
    ANY(sched_getaffinity), /* sanitizer runtimes, at thread start */
    ANY(sigaltstack),
    ANY(exit),
    ANY(exit_group),
};

static int add_rule(scmp_filter_ctx ctx, const struct rule *r)
{
    return seccomp_rule_add_array(ctx, SCMP_ACT_ALLOW, r->syscall, r->nargs, r->arg);
}

/* setres[ug]id with all three ids equal to v: the spawn child becoming a
 * worker. Nothing else may change an id. */
static int add_ids_rule(scmp_filter_ctx ctx, int syscall, unsigned v)
{
    struct scmp_arg_cmp all[3] = {ARG_EQ(0, v), ARG_EQ(1, v), ARG_EQ(2, v)};
    return seccomp_rule_add_array(ctx, SCMP_ACT_ALLOW, syscall, 3, all);
}

int prh_monitor_filter_load(const struct prh_filter_pins *pins)
{
    int worker_exe_fd = pins->worker_exe_fd;
    int socket_dir_fd = pins->socket_dir_fd;
    scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_KILL_PROCESS);
    int rc = ctx ? 0 : -ENOMEM;

    /* A binary search on the syscall number instead of a chain of ~90
     * comparisons: every call of the monitor, and of each worker (which
     * runs under this filter and its own), pays for the evaluation. */
    if (rc == 0)
        rc = seccomp_attr_set(ctx, SCMP_FLTATR_CTL_OPTIMIZE, 2);
    for (size_t i = 0; rc == 0 && i < sizeof(fixed_rules) / sizeof(fixed_rules[0]); i++)
        rc = add_rule(ctx, &fixed_rules[i]);

    /* The pinned worker binary is the only thing that may ever run. */
    const struct rule exec_worker =
        TWO(execveat, ARG_EQ(0, worker_exe_fd), ARG_EQ(4, AT_EMPTY_PATH));
    if (rc == 0)
        rc = add_rule(ctx, &exec_worker);
    if (rc == 0)
        rc = add_ids_rule(ctx, SCMP_SYS(setresgid), pins->worker_gid);
    if (rc == 0)
        rc = add_ids_rule(ctx, SCMP_SYS(setresuid), pins->worker_uid);
    if (rc == 0 && socket_dir_fd >= 0) {
        const struct rule unlink_socket = TWO(unlinkat, ARG_EQ(0, socket_dir_fd), ARG_EQ(2, 0));
        const struct rule stat_socket =
            TWO(newfstatat, ARG_EQ(0, socket_dir_fd), ARG_EQ(3, AT_SYMLINK_NOFOLLOW));
        rc = add_rule(ctx, &unlink_socket);
        if (rc == 0)
            rc = add_rule(ctx, &stat_socket);
    }
    /* glibc tries clone3 first and falls back to clone, whose flags we can
     * inspect; socket() fails softly for syslog's reconnect attempts. */
    if (rc == 0)
        rc = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(ENOSYS), SCMP_SYS(clone3), 0);
    if (rc == 0)
        rc = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EACCES), SCMP_SYS(socket), 0);
    /* A static glibc binary (the worker) asks for /proc/self/exe at start
     * and copes without it. */
    if (rc == 0)
        rc = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EACCES), SCMP_SYS(readlink), 0);
    if (rc == 0)
        rc = seccomp_load(ctx);
    seccomp_release(ctx);
    if (rc != 0) {
        errno = -rc;
        return -1;
    }
    return 0;
}
