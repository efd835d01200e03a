#include "sandbox.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <poll.h>
#include <signal.h>
#include <linux/capability.h>
#include <stddef.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "defaults.h"
#include "ipc.h"
#include "seccomp_rules.h"
#include "worker_device.h"


static int capget_raw(struct __user_cap_data_struct data[2])
{
    struct __user_cap_header_struct h = {_LINUX_CAPABILITY_VERSION_3, 0};
    return (int)syscall(SYS_capget, &h, data);
}

static int capset_empty(void)
{
    struct __user_cap_header_struct h = {_LINUX_CAPABILITY_VERSION_3, 0};
    struct __user_cap_data_struct data[2] = {{0, 0, 0}, {0, 0, 0}};
    return (int)syscall(SYS_capset, &h, data);
}

/* Empties the bounding set where we may (needs CAP_SETPCAP); a worker
 * spawned by the monitor inherits an empty one already. */
static void drop_bounding_set(void)
{
    for (int cap = 0; cap < 64; cap++) {
        if (prctl(PR_CAPBSET_READ, cap, 0, 0, 0) < 0)
            break; /* past CAP_LAST_CAP */
        prctl(PR_CAPBSET_DROP, cap, 0, 0, 0);
    }
}

static int become_unprivileged(const char **why)
{
    drop_bounding_set();
    if (getuid() == 0 || geteuid() == 0 || getgid() == 0 || getegid() == 0) {
        if (setgroups(0, NULL) < 0 || setresgid(PRH_NOBODY, PRH_NOBODY, PRH_NOBODY) < 0 ||
            setresuid(PRH_NOBODY, PRH_NOBODY, PRH_NOBODY) < 0) {
            *why = "cannot leave uid 0";
            return -1;
        }
    }
    if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) < 0 && errno != EINVAL) {
        *why = "cannot clear ambient capabilities";
        return -1;
    }
    if (capset_empty() < 0) {
        *why = "cannot clear capabilities";
        return -1;
    }
    struct __user_cap_data_struct data[2];
    if (capget_raw(data) < 0 || data[0].effective || data[0].permitted ||
        data[0].inheritable || data[1].effective || data[1].permitted ||
        data[1].inheritable || getuid() == 0 || geteuid() == 0) {
        *why = "privileges still held after dropping them";
        return -1;
    }
    return 0;
}

static int set_limit(int resource, rlim_t value)
{
    struct rlimit rl = {value, value};
    return setrlimit(resource, &rl);
}

/* No files written, no processes, no core dumps. RLIMIT_NOFILE stays as
 * the monitor set it: Linux charges the fds in flight over unix sockets to
 * the sending *user* against the sender's RLIMIT_NOFILE, and every worker
 * shares one uid, so a small limit makes sendmsg() fail with ETOOMANYREFS
 * once a few dozen workers forward at the same time. The worker's fds are
 * bounded anyway: its filter allows no call that creates one, and recvmsg
 * takes at most PRH_FDS_MAX per read. */
static int set_limits(const char **why)
{
    if (set_limit(RLIMIT_FSIZE, 0) < 0 || set_limit(RLIMIT_NPROC, 0) < 0 ||
        set_limit(RLIMIT_CORE, 0) < 0 || set_limit(RLIMIT_MEMLOCK, 0) < 0) {
        *why = "cannot set resource limits";
        return -1;
    }
    return 0;
}

/* Serving: everything the worker does once its filter is loaded, and
 * nothing else (the rule language is src/common/seccomp_rules.h; what it
 * does before, under the monitor's filter, is src/common/worker_startup.c).
 * The two sockets are pinned by number; fd 2 is /dev/null, never written. */
static const struct prh_rule serving[] = {
    PRH_ALLOW_IF(recvmsg, PRH_EQ(0, PRH_WORKER_CLIENT_FD)),
    PRH_ALLOW_IF(recvmsg, PRH_EQ(0, PRH_WORKER_MONITOR_FD)), /* ASSIGN, DONE */
    /* No sendmsg: nothing a worker sends can carry a descriptor, so none
     * is ever in flight on the workers' shared uid (ipc.h). */
    PRH_ALLOW_IF(writev, PRH_EQ(0, PRH_WORKER_MONITOR_FD)),  /* records */
    PRH_ALLOW_IF(writev, PRH_EQ(0, PRH_WORKER_CLIENT_FD)),   /* handshake, own answers */
    PRH_ALLOW(fstat),                        /* type of a received fd */
    PRH_ALLOW_IF(fcntl, PRH_EQ(1, F_GETFL)), /* and its open mode, nothing else */
    PRH_ALLOW(close),                        /* received fds */
    PRH_ALLOW(brk),                          /* free() of filter memory */
    PRH_ALLOW(munmap),
    PRH_ALLOW(rt_sigreturn),
    PRH_ALLOW(restart_syscall), /* issued by the kernel after SIGCONT */
    PRH_ALLOW(exit),
    PRH_ALLOW(exit_group),
};

static int load_filter(int own_device, const char **why)
{
    const struct prh_rule_table tables[] = {
        PRH_TABLE("worker serving", serving),
        prh_worker_device_rules, /* the no-capability mode only */
    };
    if (prh_seccomp_load(tables, own_device ? 2 : 1, NULL) < 0) {
        *why = "cannot load the seccomp filter";
        return -1;
    }
    return 0;
}

/* The monitor asked for this before exec, but an SELinux or AppArmor
 * transition at exec clears it: ask again, then check the monitor did not
 * die in between (its end of our channel would have hung up). */
static int die_with_monitor(const char **why)
{
    struct pollfd p = {PRH_WORKER_MONITOR_FD, 0, 0};
    if (prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0) < 0 || poll(&p, 1, 0) < 0 ||
        (p.revents & (POLLHUP | POLLERR | POLLNVAL))) {
        *why = "the monitor is gone";
        return -1;
    }
    return 0;
}

int prh_worker_sandbox(int own_device, const char **why)
{
    /* The monitor spawns with all blocked. SIGPIPE stays blocked: a
     * client gone mid-answer is EPIPE from writev, not our death. */
    sigset_t pipe_only;
    sigemptyset(&pipe_only);
    sigaddset(&pipe_only, SIGPIPE);
    sigprocmask(SIG_SETMASK, &pipe_only, NULL);
    if (die_with_monitor(why) < 0 || become_unprivileged(why) < 0 || set_limits(why) < 0)
        return -1;
    /* Dumpable stays as exec left it: the monitor takes each request's fd
     * with pidfd_getfd(), which the kernel allows only on a dumpable
     * process of the caller's uid. Nothing else of that uid could look:
     * the workers' filters allow no ptrace, open or process_vm call. */
    if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0) {
        *why = "cannot set no_new_privs";
        return -1;
    }
    return load_filter(own_device, why);
}
