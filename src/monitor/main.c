/* prhelper: the monitor. It accepts connections and gives each one an
 * unprivileged, sandboxed worker that parses everything the client sends.
 * It never reads a client byte itself; it only re-checks the fixed-format
 * requests workers hand it, issues SG_IO (or, on multipath maps, the block
 * layer's PR ioctls) with the one capability it keeps, and answers. */
#include <errno.h>
#include <fcntl.h>
#include <malloc.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <systemd/sd-daemon.h>
#include <time.h>
#include <unistd.h>

#include "cgroup.h"
#include "filter.h"
#include "kernel_probe.h"
#include "landlock.h"
#include "listener.h"
#include "log.h"
#include "options.h"
#include "pidfile.h"
#include "privdrop.h"
#include "fshelper.h"
#include "session.h"
#include "spawner.h"
#include "spawn.h"

/* At shutdown: a request in flight gets its SG_IO timeout plus this; a
 * worker with nothing in flight this long to relay its last answer. */
#define DRAIN_GRACE_S 5
#define DRAIN_IDLE_S 2
/* At exit: time for the log writer to write what is queued. */
#define LOG_FLUSH_MS 1000

static struct prh_monitor monitor;
static int daemonized;
static pid_t spawner_pid = -1; /* the no-capability mode's (spawner.h) */
static int spawner_died;

/* One line, where someone will see it: stderr until -d detaches us. */
static void __attribute__((noreturn)) fail(const char *msg)
{
    if (daemonized)
        prh_log(LOG_ERR, "%s", msg);
    else
        fprintf(stderr, "prhelper: %s\n", msg);
    prh_log_stop_writer(LOG_FLUSH_MS);
    exit(1);
}

/* The worker binary, opened once: the monitor's filter lets execveat() run
 * this fd and nothing else, so a swapped file on disk changes nothing. */
static int open_worker(const char *path, char *err, size_t errlen)
{
    struct stat st;
    int fd = open(path, O_PATH | O_CLOEXEC);
    if (fd < 0) {
        snprintf(err, errlen, "worker %s: %s", path, strerror(errno));
        return -1;
    }
    int high = fcntl(fd, F_DUPFD_CLOEXEC, PRH_HIGH_FD);
    close(fd);
    if (high < 0 || fstat(high, &st) < 0 || !S_ISREG(st.st_mode) ||
        !(st.st_mode & S_IXOTH)) {
        snprintf(err, errlen, "worker %s is not a file anyone may execute", path);
        if (high >= 0)
            close(high);
        return -1;
    }
    return high;
}

/* Each connection holds a socketpair end, a pidfd and a device fd in
 * flight, and workers inherit this limit, which also caps the fds their uid
 * may have in flight over unix sockets: make room for max_clients. */
static void raise_fd_limit(unsigned max_clients)
{
    struct rlimit rl;
    rlim_t want = (rlim_t)max_clients * 4 + 64;
    if (getrlimit(RLIMIT_NOFILE, &rl) < 0)
        return;
    if (rl.rlim_max != RLIM_INFINITY && rl.rlim_max < want) {
        struct rlimit more = {want, want};
        if (setrlimit(RLIMIT_NOFILE, &more) == 0)
            return; /* root may raise the hard limit */
    }
    rl.rlim_cur = rl.rlim_max;
    if (setrlimit(RLIMIT_NOFILE, &rl) < 0 || (rl.rlim_max != RLIM_INFINITY && rl.rlim_max < want))
        prh_log(LOG_WARNING, "fd limit %llu is low for %u clients",
                (unsigned long long)rl.rlim_max, max_clients);
}

static int signal_fd(void)
{
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGHUP);
    sigaddset(&set, SIGCHLD);
    /* Blocked before any thread exists, so every thread inherits it. */
    sigprocmask(SIG_BLOCK, &set, NULL);
    signal(SIGPIPE, SIG_IGN);
    return signalfd(-1, &set, SFD_CLOEXEC);
}

static void reap_workers(void)
{
    int status;
    pid_t pid;
    while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
        if (pid == spawner_pid) {
            prh_log(LOG_ERR, "the worker spawner %d %s %d: no worker can start, stopping",
                    (int)pid, WIFSIGNALED(status) ? "was killed by signal" : "exited with status",
                    WIFSIGNALED(status) ? WTERMSIG(status) : WEXITSTATUS(status));
            spawner_died = 1;
            continue;
        }
        if (WIFSIGNALED(status)) {
            int sig = WTERMSIG(status);
            prh_log(sig == SIGKILL ? LOG_INFO : LOG_WARNING,
                    "worker %d killed by SIG%s%s", (int)pid, sigabbrev_np(sig),
                    sig == SIGSYS ? " (seccomp: forbidden system call)" : "");
        } else if (WEXITSTATUS(status) != 0) {
            prh_log(LOG_WARNING, "worker %d exited with status %d", (int)pid,
                    WEXITSTATUS(status));
        }
    }
}

/* Returns 1 when a stop signal arrived. */
static int handle_signals(int sfd)
{
    struct signalfd_siginfo si;
    int stop = 0;
    while (read(sfd, &si, sizeof(si)) == (ssize_t)sizeof(si)) {
        if (si.ssi_signo == SIGCHLD)
            reap_workers();
        else
            stop = 1;
        if (spawner_died)
            stop = 1;
        struct pollfd p = {sfd, POLLIN, 0};
        if (poll(&p, 1, 0) <= 0)
            break;
    }
    return stop;
}

/* Accepts first; tops up the ready sessions whenever nothing waits. */
static void serve(int listen_fd, int sfd)
{
    struct pollfd fds[2] = {{listen_fd, POLLIN, 0}, {sfd, POLLIN, 0}};
    for (;;) {
        int want_spare = prh_sessions_want_spare(&monitor);
        int n = poll(fds, 2, want_spare ? 0 : -1);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            prh_log(LOG_ERR, "poll: %s", strerror(errno));
            return;
        }
        if (n == 0) {
            prh_sessions_start_spare(&monitor);
            continue;
        }
        if ((fds[1].revents & POLLIN) && handle_signals(sfd))
            return;
        if (!(fds[0].revents & POLLIN))
            continue;
        int client = accept4(listen_fd, NULL, NULL, SOCK_CLOEXEC);
        if (client >= 0) {
            prh_session_start(&monitor, client);
        } else if (errno != EINTR && errno != EAGAIN && errno != ECONNABORTED) {
            /* Out of fds or memory: say so, then give it a moment. */
            prh_log(LOG_ERR, "accept: %s", strerror(errno));
            struct timespec pause = {0, 100 * 1000 * 1000};
            nanosleep(&pause, NULL);
        }
    }
}

static time_t now_s(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec;
}

/* Requests in flight get their answer (up to one SG_IO timeout), workers
 * relay it and end. Whatever is left when we return dies with us: each
 * worker has a parent-death signal, and nothing here waits on a worker
 * stuck in the kernel (say, closing a client's file that blocks). */
static void drain(int sfd, unsigned timeout_s)
{
    time_t start = now_s();
    unsigned sessions, busy;

    prh_sessions_drain(&monitor);
    for (;;) {
        reap_workers();
        prh_sessions_count(&monitor, &sessions, &busy);
        if (sessions == 0)
            return;
        time_t waited = now_s() - start;
        if (waited >= (time_t)timeout_s + DRAIN_GRACE_S ||
            (busy == 0 && waited >= DRAIN_IDLE_S)) {
            prh_log(LOG_WARNING, "%u connections did not end within %lds (%u requests in"
                    " flight): their workers are killed", sessions, (long)waited, busy);
            return;
        }
        struct pollfd p = {sfd, POLLIN, 0};
        if (poll(&p, 1, 50) > 0)
            handle_signals(sfd);
    }
}

static int log_threshold(int verbosity)
{
    if (verbosity < 0)
        return LOG_WARNING;
    return verbosity == 0 ? LOG_NOTICE : verbosity == 1 ? LOG_INFO : LOG_DEBUG;
}

int main(int argc, char **argv)
{
    struct prh_options o;
    struct prh_listener listener;
    char err[512];
    const char *why;
    uid_t uid;
    gid_t gid;

    if (prh_options_parse(argc, argv, &o, err, sizeof(err)) < 0)
        fail(err);
    if (o.action == PRH_SHOW_HELP) {
        prh_options_usage(argv[0]);
        return 0;
    }
    if (o.action == PRH_SHOW_VERSION) {
        printf("prhelper " PRH_VERSION "\n");
        return 0;
    }
    prh_log_threshold = log_threshold(o.verbosity);
    if (!o.daemonize)
        prh_log_use_journal("prhelper"); /* under systemd: entries with fields */
    if (prh_resolve_ids(o.user, o.group, &uid, &gid, err, sizeof(err)) < 0)
        fail(err);
    int shared_uid;
    uid_t wuid;
    gid_t wgid;
    if (prh_resolve_worker_ids(o.worker_user, uid, gid, &wuid, &wgid, &shared_uid, err,
                               sizeof(err)) < 0)
        fail(err);
    if (o.no_capabilities) {
        /* Nothing may change ids: the workers share ours (SECURITY.md). */
        wuid = uid;
        wgid = gid;
        shared_uid = 0; /* by design, not a missing user: no warning */
        char why_not[256];
        if (!prh_kernel_has_pr_read_ioctls(PRH_KERNEL_BTF, why_not, sizeof(why_not))) {
            snprintf(err, sizeof(err), "--no-capabilities needs the block layer's PR READ ioctls"
                     " (Linux 6.19), and %s: not starting (without the option, the SG_IO mode"
                     " serves this kernel)", why_not);
            fail(err);
        }
    } else if (!shared_uid && (wuid != uid || wgid != gid) && !prh_can_change_ids()) {
        wuid = uid; /* a unit without CAP_SETUID/CAP_SETGID: see README */
        wgid = gid;
        shared_uid = 1;
    }

    raise_fd_limit(o.max_clients);
    int sfd = signal_fd();
    if (sfd < 0)
        fail("signalfd failed");
    struct prh_spawn_config spawn = {.uid = wuid, .gid = wgid, .no_capabilities = o.no_capabilities};
    spawn.exe_fd = open_worker(o.worker_path, err, sizeof(err));
    if (spawn.exe_fd < 0)
        fail(err);
    spawn.devnull_fd = open("/dev/null", O_RDWR | O_CLOEXEC);
    if (spawn.devnull_fd < 0)
        fail("cannot open /dev/null");
    prh_monitor_init(&monitor, &o, &spawn);
    char cgroup_err[160] = "";
    int proc_cgroup_fd = prh_cgroup_open(cgroup_err, sizeof(cgroup_err));
    gid_t socket_gid = (gid_t)-1;
    if (o.socket_group && prh_resolve_group(o.socket_group, &socket_gid, err, sizeof(err)) < 0)
        fail(err);
    /* The pidfile lock first: a second instance must fail before it
     * touches the first one's socket. */
    int pid_fd = -1;
    if (o.daemonize || o.pidfile_set) {
        pid_fd = prh_pidfile_lock(o.pidfile, err, sizeof(err));
        if (pid_fd < 0)
            fail(err);
    }
    if (prh_listener_open(&listener, o.socket_path, o.socket_path_set, socket_gid, err,
                          sizeof(err)) < 0) {
        prh_listener_close(&listener);
        fail(err);
    }

    if (o.daemonize) {
        if (daemon(0, 0) < 0)
            fail("cannot daemonize");
        prh_log_use_syslog("prhelper");
        daemonized = 1;
    }
    /* Before the drop (it takes the same ids) and before any thread. */
    if (prh_fshelper_start(&listener, uid, gid, wuid, wgid, err, sizeof(err)) < 0) {
        prh_listener_close(&listener);
        fail(err);
    }
    prh_listener_hand_over(&listener);
    /* From here no thread blocks on the log (log.h); the filter below
     * covers the writer thread too (it syncs every thread). */
    if (prh_log_start_writer() < 0)
        fail("cannot start the log writer thread");
    if (pid_fd >= 0 && prh_pidfile_write(pid_fd, o.pidfile, err, sizeof(err)) < 0)
        fail(err);
    unsigned keep = o.no_capabilities ? 0
                    : PRH_KEEP_SYS_RAWIO | (o.keep_sys_admin ? PRH_KEEP_SYS_ADMIN : 0);
    if (prh_drop_privileges(uid, gid, wuid, wgid, keep, &why) < 0) {
        snprintf(err, sizeof(err), "cannot drop privileges: %s: %s", why, strerror(errno));
        fail(err);
    }
    if (o.trace_given)
        prh_log(LOG_INFO, "-T trace patterns are accepted for compatibility and ignored");
    if (o.no_capabilities)
        prh_log(LOG_NOTICE, "prhelper " PRH_VERSION " serving %s as uid %u gid %u with no"
                " capability in any process: workers issue the PR ioctls on their clients'"
                " fds", listener.activated ? "the activated socket" : o.socket_path, uid, gid);
    else
        prh_log(LOG_NOTICE, "prhelper " PRH_VERSION " serving %s as uid %u gid %u, workers uid %u"
                " gid %u, SG_IO timeout %us", listener.activated ? "the activated socket" : o.socket_path,
                uid, gid, wuid, wgid, o.timeout_s);
    if (o.keep_sys_admin)
        prh_log(LOG_INFO, "CAP_SYS_ADMIN kept for the block layer's PR ioctls on maps");
    if (proc_cgroup_fd < 0)
        prh_log(LOG_WARNING, "%s", cgroup_err);
    if (shared_uid)
        prh_log(LOG_WARNING, "workers share uid %u with the monitor: create the users " PRH_USER
                " and " PRH_WORKER_USER " (see README)", uid);
    sd_notify(0, "READY=1"); /* needs socket(): before the filter */
    /* Past its 8th arena glibc's malloc reads /sys/devices/system/cpu/online
     * to size them, an open() the filter forbids: fix the count now. */
    mallopt(M_ARENA_MAX, 4);
    struct prh_filter_pins pins = {spawn.exe_fd, proc_cgroup_fd, wuid, wgid};
    const char *landlock_why = NULL;
    int landlocked = prh_landlock_confine(spawn.exe_fd, &landlock_why);
    if (landlocked < 0) {
        snprintf(err, sizeof(err), "cannot confine with Landlock: %s: %s", landlock_why,
                 strerror(errno));
        fail(err);
    }
    if (landlocked == 0)
        prh_log(LOG_WARNING, "%s: only the seccomp filter limits what the monitor may run", landlock_why);
    if (o.no_capabilities) {
        /* Under Landlock, before our filter: the workers descend from it. */
        spawner_pid = prh_spawner_start(&spawn, err, sizeof(err));
        if (spawner_pid < 0)
            fail(err);
    }
    if (prh_monitor_filter_load(&pins, o.no_capabilities) < 0) {
        snprintf(err, sizeof(err), "cannot load the seccomp filter: %s", strerror(errno));
        fail(err);
    }

    serve(listener.fd, sfd);
    prh_log(LOG_NOTICE, "stopping: no new connections");
    prh_listener_close(&listener);
    if (prh_fshelper_remove_socket() < 0 && !listener.activated)
        prh_log(LOG_NOTICE, "could not remove socket %s: %s", o.socket_path, strerror(errno));
    drain(sfd, o.timeout_s);
    prh_log(LOG_NOTICE, "stopped");
    prh_log_stop_writer(LOG_FLUSH_MS);
    return spawner_died ? 1 : 0; /* a unit's Restart= brings it back */
}
