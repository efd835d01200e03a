/* The real filters, tried from outside: each case forks a child that sets
 * up the worker's sandbox (or loads the monitor's filter), makes one system
 * call, and reports back by how it ends. A forbidden call must end the
 * child with SIGSYS; an allowed one must return. Needs root (the worker
 * set-up drops from it, the monitor filter is loaded as root would). */
#include <errno.h>
#include <fcntl.h>
#include <linux/sched.h>
#include <sched.h>
#include <scsi/sg.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "block_pr.h"
#include <linux/fs.h>
#include "pr_ioctl.h"
#include "filter.h"
#include "landlock.h"
#include "ipc.h"
#include "sandbox.h"

#define SURVIVED 42

typedef long (*probe_fn)(void);

static int worker_exe_fd = -1; /* any O_PATH fd: the pin the filter gets */
static int proc_devices_fd = -1; /* a file pread() may not read */
static int proc_cgroup_fd = -1;

#define WORKER_ID 4343 /* the workers' uid and gid the monitor's filter pins */

/* What the child runs before its probe. */
enum sandbox {
    WORKER,  /* the worker's set-up alone */
    MONITOR, /* the monitor's filter */
    STACKED, /* what a real worker runs under: the monitor's filter, the
              * spawn child's change of ids, then the worker's set-up */
    /* The no-capability mode's (route.h) */
    MONITOR_NO_CAPS, /* the monitor's filter in that mode */
    SPAWNER,         /* the spawner's filter (spawner.h) */
    WORKER_NO_CAPS,  /* the worker's set-up in that mode */
    STACKED_NO_CAPS, /* a real worker of that mode: the spawner's filter,
                      * the change of ids, the worker's set-up */
};

/* As main.c confines the monitor: Landlock where the kernel has it, then
 * the filter. */
static int load_monitor_filter(enum sandbox sb)
{
    struct prh_filter_pins pins = {worker_exe_fd, proc_cgroup_fd, WORKER_ID, WORKER_ID};
    const char *why;
    if (prh_landlock_confine(worker_exe_fd, &why) < 0)
        return -1;
    if (sb == SPAWNER || sb == STACKED_NO_CAPS)
        return prh_spawner_filter_load(&pins);
    return prh_monitor_filter_load(&pins, sb == MONITOR_NO_CAPS);
}

static int enter(enum sandbox sb)
{
    const char *why;
    if (sb == WORKER || sb == WORKER_NO_CAPS)
        return prh_worker_sandbox(sb == WORKER_NO_CAPS, &why);
    if (load_monitor_filter(sb) < 0)
        return -1;
    if (sb == MONITOR || sb == MONITOR_NO_CAPS || sb == SPAWNER)
        return 0;
    /* As spawn.c's child does: raw calls, all three ids. */
    if (syscall(SYS_setresgid, WORKER_ID, WORKER_ID, WORKER_ID) < 0 ||
        syscall(SYS_setresuid, WORKER_ID, WORKER_ID, WORKER_ID) < 0)
        return -1;
    return prh_worker_sandbox(sb == STACKED_NO_CAPS, &why);
}

/* Child: sandbox, probe, then _exit(SURVIVED) if the probe came back.
 * With stop_midway the child is stopped and continued while the probe
 * runs: the kernel resumes an interrupted sleep through restart_syscall. */
static int run_in_child(enum sandbox sb, probe_fn probe, int stop_midway)
{
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        int pair[2];
        /* The worker expects its client on 3 and the monitor on 4. */
        if (socketpair(AF_UNIX, SOCK_SEQPACKET, 0, pair) < 0 ||
            dup2(pair[0], PRH_WORKER_CLIENT_FD) < 0 ||
            dup2(pair[1], PRH_WORKER_MONITOR_FD) < 0)
            _exit(1);
        if (enter(sb) < 0) {
            fprintf(stderr, "enter: %s\n", strerror(errno));
            _exit(2);
        }
        probe();
        /* Straight to the kernel: a sanitizer's _exit() hook would make
         * calls of its own, which the filter rightly refuses. */
        syscall(SYS_exit_group, SURVIVED);
    }
    if (stop_midway) {
        struct timespec pause = {0, 100 * 1000 * 1000};
        nanosleep(&pause, NULL);
        kill(pid, SIGSTOP);
        nanosleep(&pause, NULL);
        kill(pid, SIGCONT);
    }
    int status;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    if (WIFSIGNALED(status))
        return -WTERMSIG(status);
    return WEXITSTATUS(status);
}

static void expect_killed(enum sandbox sb, probe_fn probe)
{
    assert_int_equal(run_in_child(sb, probe, 0), -SIGSYS);
}

static void expect_allowed(enum sandbox sb, probe_fn probe)
{
    assert_int_equal(run_in_child(sb, probe, 0), SURVIVED);
}

/* Probes: raw syscall() so libc cannot substitute another call. */
static long do_openat(void) { return syscall(SYS_openat, AT_FDCWD, "/etc/passwd", O_RDONLY); }
static long do_open(void) { return syscall(SYS_open, "/etc/passwd", O_RDONLY); }
static long do_ioctl_tty(void) { struct termios t; return syscall(SYS_ioctl, 0, TCGETS, &t); }
static long do_ioctl_sgio(void)
{
    struct sg_io_hdr h;
    memset(&h, 0, sizeof(h));
    h.interface_id = 'S';
    return syscall(SYS_ioctl, 0, SG_IO, &h); /* /dev/null or a tty: ENOTTY */
}
/* The kernel truncates ioctl's request to 32 bits; the filter compares
 * all 64, so SG_IO with junk above must not pass as SG_IO. */
static long do_ioctl_sgio_high(void) { return syscall(SYS_ioctl, 0, (1UL << 32) | SG_IO, 0); }
/* The block layer's PR requests, each on /dev/null (ENOTTY). */
static long do_ioctl_pr_all(void)
{
    static const unsigned long requests[] = {
        IOC_PR_REGISTER, IOC_PR_RESERVE,  IOC_PR_RELEASE,  IOC_PR_PREEMPT,
        IOC_PR_PREEMPT_ABORT, IOC_PR_CLEAR, IOC_PR_READ_KEYS, IOC_PR_READ_RESERVATION};
    uint8_t arg[32] = {0};
    for (size_t i = 0; i < sizeof(requests) / sizeof(requests[0]); i++)
        syscall(SYS_ioctl, 0, requests[i], arg);
    return 0;
}
/* One PR request (pr_index into pr_ioctl.h's list) on fd pr_fd. */
static int pr_index, pr_fd;
static long do_ioctl_pr_one(void)
{
    uint8_t arg[32] = {0};
    return syscall(SYS_ioctl, pr_fd, prh_pr_ioctl_requests[pr_index], arg);
}
static long do_ioctl_sgio_device_fd(void) { return syscall(SYS_ioctl, PRH_WORKER_DEVICE_FD, SG_IO, 0); }
static long do_ioctl_tty_device_fd(void) { struct termios t; return syscall(SYS_ioctl, PRH_WORKER_DEVICE_FD, TCGETS, &t); }
static long do_ioctl_diskseq_device_fd(void) { uint64_t q; return syscall(SYS_ioctl, PRH_WORKER_DEVICE_FD, BLKGETDISKSEQ, &q); }
static long do_dup3_to_device_fd(void) { return syscall(SYS_dup3, 0, PRH_WORKER_DEVICE_FD, O_CLOEXEC); }
static long do_dup3_elsewhere(void) { return syscall(SYS_dup3, 0, PRH_WORKER_DEVICE_FD + 1, O_CLOEXEC); }
static long do_clone_process(void) { return syscall(SYS_clone, SIGCHLD, 0, 0, 0, 0) == 0 ? (syscall(SYS_exit, 0), 0) : 0; }
static long do_ioctl_pr_high(void) { return syscall(SYS_ioctl, 0, (1UL << 32) | IOC_PR_REGISTER, 0); }
static long do_pread_proc_devices(void) { char b[64]; return syscall(SYS_pread64, proc_devices_fd, b, sizeof(b), 0); }
static long do_pread_proc_cgroup(void) { char b[64]; return syscall(SYS_pread64, proc_cgroup_fd, b, sizeof(b), 0); }
static long do_pread_other(void) { char b[64]; return syscall(SYS_pread64, 0, b, sizeof(b), 0); }
static long do_socket(void) { return syscall(SYS_socket, AF_INET, SOCK_STREAM, 0); }
static long do_connect(void)
{
    struct sockaddr_un { sa_family_t f; char p[108]; } a = {AF_UNIX, "/run/x"};
    return syscall(SYS_connect, PRH_WORKER_CLIENT_FD, &a, sizeof(a));
}
static long do_execve(void)
{
    char *argv[] = {"/bin/true", NULL};
    return syscall(SYS_execve, "/bin/true", argv, NULL);
}
static long do_execveat_other(void)
{
    char *argv[] = {"true", NULL};
    return syscall(SYS_execveat, AT_FDCWD, "/bin/true", argv, NULL, 0);
}
static long do_ptrace(void) { return syscall(SYS_ptrace, PTRACE_TRACEME, 0, 0, 0); }
static long do_kill(void) { return syscall(SYS_kill, getppid(), 0); }
static long do_kill_term(void) { return syscall(SYS_kill, 1, SIGTERM); }
static long do_setuid(void) { return syscall(SYS_setuid, 0); }
static long do_fork(void) { return syscall(SYS_fork); }
static long do_clone_newuser(void) { return syscall(SYS_clone, CLONE_NEWUSER | SIGCHLD, 0, 0, 0, 0); }
static long do_mmap_exec(void)
{
    return syscall(SYS_mmap, 0, 4096, PROT_READ | PROT_EXEC, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
}
static long do_mprotect_exec(void)
{
    static char page[4096] __attribute__((aligned(4096)));
    return syscall(SYS_mprotect, page, sizeof(page), PROT_READ | PROT_EXEC);
}
static long do_mmap(void)
{
    return syscall(SYS_mmap, 0, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
}
/* The pinned fd with an absolute path: the kernel would ignore the fd and
 * run the path. Landlock refuses it (EACCES); /bin/false would exit 1. */
static long do_execveat_pinned_abs(void)
{
    char *argv[] = {"false", NULL};
    long rc = syscall(SYS_execveat, worker_exe_fd, "/bin/false", argv, NULL, AT_EMPTY_PATH);
    return rc == -1 && errno == EACCES ? 0 : (_exit(8), 0);
}
static long do_unlinkat_abs(void) { return syscall(SYS_unlinkat, 0, "/tmp/prhelper-nonexistent", 0); }
static long do_fstatat_abs(void)
{
    struct stat st;
    return syscall(SYS_newfstatat, 0, "/etc/passwd", &st, AT_SYMLINK_NOFOLLOW);
}
static long do_ambient_raise(void) { return syscall(SYS_prctl, PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, 17, 0, 0); }
static long do_fcntl_setfl(void) { return syscall(SYS_fcntl, 0, F_SETFL, O_NONBLOCK); }
static long do_prctl_dumpable(void) { return syscall(SYS_prctl, 4 /* PR_SET_DUMPABLE */, 1, 0, 0, 0); }
static long do_unlinkat(void) { return syscall(SYS_unlinkat, AT_FDCWD, "/tmp/prhelper-nonexistent", 0); }
static long do_worker_io(void)
{
    char byte = 'x';
    struct iovec iov = {&byte, 1};
    struct msghdr m = {.msg_iov = &iov, .msg_iovlen = 1};
    if (syscall(SYS_writev, PRH_WORKER_MONITOR_FD, &iov, 1) != 1)
        _exit(3);
    if (syscall(SYS_recvmsg, PRH_WORKER_CLIENT_FD, &m, 0) != 1)
        _exit(4);
    return syscall(SYS_writev, PRH_WORKER_CLIENT_FD, &iov, 1);
}
/* No descriptor can leave a worker: sendmsg on its client or its monitor
 * (even without SCM_RIGHTS) kills it, and so does a write to fd 2. */
static long do_sendmsg_fd(int sock)
{
    char byte = 'x';
    union { struct cmsghdr h; char buf[CMSG_SPACE(sizeof(int))]; } c;
    struct iovec iov = {&byte, 1};
    struct msghdr m = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = c.buf,
                       .msg_controllen = sizeof(c.buf)};
    struct cmsghdr *h = CMSG_FIRSTHDR(&m);
    int fd = 0;
    h->cmsg_level = SOL_SOCKET;
    h->cmsg_type = SCM_RIGHTS;
    h->cmsg_len = CMSG_LEN(sizeof(int));
    memcpy(CMSG_DATA(h), &fd, sizeof(fd));
    return syscall(SYS_sendmsg, sock, &m, 0);
}
static long do_sendmsg_fd_client(void) { return do_sendmsg_fd(PRH_WORKER_CLIENT_FD); }
static long do_sendmsg_fd_monitor(void) { return do_sendmsg_fd(PRH_WORKER_MONITOR_FD); }
static long do_write_stderr(void) { return syscall(SYS_write, STDERR_FILENO, "", 0); }
/* The monitor takes a request's fd from a worker: only with flags 0. */
static long do_pidfd_getfd(void) { return syscall(SYS_pidfd_getfd, -1, 0, 0) == -1 ? 0 : (_exit(7), 0); }
static long do_pidfd_getfd_flags(void) { return syscall(SYS_pidfd_getfd, -1, 0, 1); }
static long do_recvmsg_other_fd(void)
{
    char byte;
    struct iovec iov = {&byte, 1};
    struct msghdr m = {.msg_iov = &iov, .msg_iovlen = 1};
    return syscall(SYS_recvmsg, 0, &m, MSG_DONTWAIT);
}
static long do_getpid(void) { return syscall(SYS_getpid); }
/* Without a pending restart the kernel answers EINTR: allowed, survives. */
static long do_restart_syscall(void) { return syscall(SYS_restart_syscall); }
static long do_poll_sleep(void) { return syscall(SYS_poll, NULL, 0, 400); }
static long do_nanosleep(void)
{
    struct timespec t = {0, 400 * 1000 * 1000};
    return syscall(SYS_nanosleep, &t, NULL);
}

/* A thread that makes a 32-bit call (int 0x80): the filter's action for
 * a foreign architecture must end the whole process, not that thread. */
static char foreign_stack[16384] __attribute__((aligned(16)));
static int foreign_call(void *arg)
{
    (void)arg;
    long nr = 20; /* getpid on i386 */
    __asm__ volatile("int $0x80" : "+a"(nr) : : "memory");
    syscall(SYS_exit, 0);
    return 0;
}
static long do_foreign_arch_in_thread(void)
{
    if (clone(foreign_call, foreign_stack + sizeof(foreign_stack),
              CLONE_VM | CLONE_FS | CLONE_FILES | CLONE_SIGHAND | CLONE_THREAD | CLONE_SYSVSEM,
              NULL) < 0)
        _exit(6);
    struct timespec t = {0, 300 * 1000 * 1000};
    return syscall(SYS_nanosleep, &t, NULL); /* the process must not get here */
}

/* Worker: everything outside its few calls kills it. */
static void worker_forbids_open(void **s) { (void)s; expect_killed(WORKER, do_openat); expect_killed(WORKER, do_open); }
static void worker_forbids_ioctl(void **s)
{
    (void)s;
    expect_killed(WORKER, do_ioctl_tty);
    expect_killed(WORKER, do_ioctl_sgio);
    expect_killed(WORKER, do_ioctl_pr_all);
    expect_killed(WORKER, do_pread_proc_devices);
    expect_killed(WORKER, do_pread_proc_cgroup);
}
static void worker_forbids_socket(void **s) { (void)s; expect_killed(WORKER, do_socket); expect_killed(WORKER, do_connect); }
static void worker_forbids_exec(void **s) { (void)s; expect_killed(WORKER, do_execve); expect_killed(WORKER, do_execveat_other); }
static void worker_forbids_ptrace_kill(void **s) { (void)s; expect_killed(WORKER, do_ptrace); expect_killed(WORKER, do_kill); }
static void worker_forbids_ids_and_fork(void **s) { (void)s; expect_killed(WORKER, do_setuid); expect_killed(WORKER, do_fork); }
static void worker_forbids_memory(void **s) { (void)s; expect_killed(WORKER, do_mmap_exec); expect_killed(WORKER, do_mprotect_exec); expect_killed(WORKER, do_mmap); }
static void worker_sends_no_descriptor(void **s)
{
    (void)s;
    expect_killed(WORKER, do_sendmsg_fd_client);
    expect_killed(WORKER, do_sendmsg_fd_monitor);
    expect_killed(WORKER, do_write_stderr);
    expect_killed(STACKED, do_sendmsg_fd_client);
    expect_killed(WORKER, do_pidfd_getfd);
}
static void monitor_takes_fds_by_pidfd(void **s)
{
    (void)s;
    expect_allowed(MONITOR, do_pidfd_getfd);
    expect_killed(MONITOR, do_pidfd_getfd_flags);
}
static void worker_forbids_other_fds(void **s) { (void)s; expect_killed(WORKER, do_recvmsg_other_fd); expect_killed(WORKER, do_getpid); }
static void worker_allows_its_io(void **s) { (void)s; expect_allowed(WORKER, do_worker_io); }

/* SIGSTOP/SIGCONT (Ctrl-Z, kill -STOP, cgroup freeze) must never kill. */
static void worker_allows_restart_syscall(void **s) { (void)s; expect_allowed(WORKER, do_restart_syscall); }
static void monitor_allows_restart_syscall(void **s) { (void)s; expect_allowed(MONITOR, do_restart_syscall); }
static void monitor_survives_stop_in_poll(void **s)
{
    (void)s;
    assert_int_equal(run_in_child(MONITOR, do_poll_sleep, 1), SURVIVED);
    assert_int_equal(run_in_child(MONITOR, do_nanosleep, 1), SURVIVED);
}

/* A real worker: its set-up must pass the monitor's filter (the table in
 * src/common/worker_startup.c), and then both filters hold. */
static void stacked_worker_starts_and_serves(void **s) { (void)s; expect_allowed(STACKED, do_worker_io); }
static void stacked_worker_forbids(void **s)
{
    (void)s;
    expect_killed(STACKED, do_openat);
    expect_killed(STACKED, do_ioctl_sgio);
    expect_killed(STACKED, do_kill);
    expect_killed(STACKED, do_setuid);
}
static void stacked_worker_survives_stop(void **s) { (void)s; assert_int_equal(run_in_child(STACKED, do_restart_syscall, 1), SURVIVED); }

/* The no-capability mode. Its monitor: no SG_IO, no PR ioctl on any fd,
 * no request fd from a worker, no process; threads and serving as ever. */
static void monitor_no_caps_forbids_every_device_call(void **s)
{
    (void)s;
    expect_killed(MONITOR_NO_CAPS, do_ioctl_sgio);
    for (pr_fd = 0; pr_fd <= PRH_WORKER_DEVICE_FD; pr_fd += PRH_WORKER_DEVICE_FD)
        for (pr_index = 0; pr_index < 8; pr_index++)
            expect_killed(MONITOR_NO_CAPS, do_ioctl_pr_one);
    expect_killed(MONITOR_NO_CAPS, do_pidfd_getfd);
    expect_killed(MONITOR_NO_CAPS, do_clone_process);
    expect_killed(MONITOR_NO_CAPS, do_fork);
    expect_killed(MONITOR_NO_CAPS, do_execveat_other);
}
static void monitor_no_caps_serves(void **s) { (void)s; expect_allowed(MONITOR_NO_CAPS, do_poll_sleep); expect_allowed(MONITOR_NO_CAPS, do_getpid); }
/* Its worker: the PR ioctls and the disk sequence number on the device fd
 * only, nothing else new; the SG_IO mode's worker has none of them. */
static void worker_no_caps_pr_ioctls_on_device_fd_only(void **s)
{
    (void)s;
    for (pr_index = 0; pr_index < 8; pr_index++) {
        pr_fd = PRH_WORKER_DEVICE_FD;
        expect_allowed(WORKER_NO_CAPS, do_ioctl_pr_one);
        expect_allowed(STACKED_NO_CAPS, do_ioctl_pr_one);
        expect_killed(WORKER, do_ioctl_pr_one);
        pr_fd = PRH_WORKER_CLIENT_FD;
        expect_killed(WORKER_NO_CAPS, do_ioctl_pr_one);
        pr_fd = PRH_WORKER_DEVICE_FD + 1;
        expect_killed(WORKER_NO_CAPS, do_ioctl_pr_one);
    }
    expect_allowed(WORKER_NO_CAPS, do_ioctl_diskseq_device_fd);
    expect_killed(WORKER_NO_CAPS, do_ioctl_sgio_device_fd);
    expect_killed(WORKER_NO_CAPS, do_ioctl_tty_device_fd);
    expect_killed(WORKER_NO_CAPS, do_ioctl_sgio);
    expect_allowed(WORKER_NO_CAPS, do_dup3_to_device_fd);
    expect_killed(WORKER_NO_CAPS, do_dup3_elsewhere);
    expect_killed(WORKER, do_dup3_to_device_fd);
    expect_killed(WORKER_NO_CAPS, do_openat);
    expect_killed(WORKER_NO_CAPS, do_sendmsg_fd_monitor);
}
static void stacked_no_caps_worker_starts_and_serves(void **s)
{
    (void)s;
    expect_allowed(STACKED_NO_CAPS, do_worker_io);
    expect_killed(STACKED_NO_CAPS, do_ioctl_sgio_device_fd);
    expect_killed(STACKED_NO_CAPS, do_openat);
    expect_killed(STACKED_NO_CAPS, do_kill);
}
/* The spawner: no path, no SG_IO, no other ioctl. */
static void spawner_forbids(void **s)
{
    (void)s;
    expect_killed(SPAWNER, do_openat);
    expect_killed(SPAWNER, do_ioctl_sgio);
    expect_killed(SPAWNER, do_ioctl_tty);
    expect_killed(SPAWNER, do_pidfd_getfd);
    expect_killed(SPAWNER, do_socket);
    expect_killed(SPAWNER, do_execveat_other);
}

/* Monitor: SG_IO and the block PR requests are its ioctls; pread only of
 * /proc/devices and /proc/self/cgroup; no paths, no sockets, no other exec. */
static void monitor_allows_sgio(void **s) { (void)s; expect_allowed(MONITOR, do_ioctl_sgio); }
static void monitor_allows_block_pr(void **s) { (void)s; expect_allowed(MONITOR, do_ioctl_pr_all); }
static void monitor_reads_its_proc_files_only(void **s)
{
    (void)s;
    expect_killed(MONITOR, do_pread_proc_devices); /* sysfs is the file-system helper's */
    expect_allowed(MONITOR, do_pread_proc_cgroup);
    expect_killed(MONITOR, do_pread_other);
}
static void monitor_forbids_other_ioctl(void **s)
{
    (void)s;
    expect_killed(MONITOR, do_ioctl_tty);
    expect_killed(MONITOR, do_ioctl_sgio_high);
    expect_killed(MONITOR, do_ioctl_pr_high);
}
static void monitor_forbids_open(void **s) { (void)s; expect_killed(MONITOR, do_openat); expect_killed(MONITOR, do_open); }
static void monitor_forbids_exec(void **s) { (void)s; expect_killed(MONITOR, do_execve); expect_killed(MONITOR, do_execveat_other); }
static void monitor_forbids_ptrace(void **s) { (void)s; expect_killed(MONITOR, do_ptrace); expect_killed(MONITOR, do_kill_term); }
static void monitor_forbids_namespaces(void **s) { (void)s; expect_killed(MONITOR, do_clone_newuser); expect_killed(MONITOR, do_setuid); }
static void monitor_forbids_exec_memory(void **s) { (void)s; expect_killed(MONITOR, do_mmap_exec); expect_killed(MONITOR, do_mprotect_exec); }
static void monitor_forbids_misc(void **s)
{
    (void)s;
    expect_killed(MONITOR, do_fcntl_setfl);
    expect_killed(MONITOR, do_prctl_dumpable);
    expect_killed(MONITOR, do_unlinkat);
}
/* socket() fails softly (EACCES) so syslog's reconnect cannot kill us. */
static long do_socket_expect_eacces(void) { return do_socket() == -1 && errno == EACCES ? 0 : (_exit(5), 0); }
static void monitor_refuses_socket(void **s) { (void)s; expect_allowed(MONITOR, do_socket_expect_eacces); }
/* A static worker's C library asks for /proc/self/exe before its main,
 * under the filter that spawned it: glibc 2.36 (Debian 12) through
 * readlink, 2.41 (Debian 13) through readlinkat. Refused, never fatal. */
static long do_readlink_exe_expect_eacces(void)
{
    char b[64];
    int refused = syscall(SYS_readlink, "/proc/self/exe", b, sizeof b) == -1 && errno == EACCES;
    refused = refused && syscall(SYS_readlinkat, AT_FDCWD, "/proc/self/exe", b, sizeof b) == -1 && errno == EACCES;
    return refused ? 0 : (_exit(5), 0);
}
static void spawners_refuse_readlink(void **s)
{
    (void)s;
    expect_allowed(MONITOR, do_readlink_exe_expect_eacces);
    expect_allowed(SPAWNER, do_readlink_exe_expect_eacces);
}
/* What a compromised monitor could try with absolute paths: it runs
 * nothing but its worker, removes and inspects no file by path, and
 * raises no ambient capability. */
static void monitor_paths_pinned(void **s)
{
    (void)s;
    if (syscall(SYS_landlock_create_ruleset, NULL, 0, 1UL /* VERSION */) < 0)
        fail_msg("this kernel has no Landlock: the exec pin cannot be tested");
    expect_allowed(MONITOR, do_execveat_pinned_abs);
    expect_killed(MONITOR, do_unlinkat_abs);
    expect_killed(MONITOR, do_fstatat_abs);
    expect_killed(MONITOR, do_ambient_raise);
    expect_killed(STACKED, do_ambient_raise);
}
static void foreign_arch_kills_process(void **s)
{
    (void)s;
    expect_killed(MONITOR, do_foreign_arch_in_thread);
    expect_killed(STACKED, do_foreign_arch_in_thread);
}

static int setup(void **s)
{
    (void)s;
    /* Above 4: each child puts its worker sockets on 3 and 4. */
    worker_exe_fd = fcntl(open("/bin/true", O_PATH | O_CLOEXEC), F_DUPFD_CLOEXEC, 10);
    proc_devices_fd = open("/proc/devices", O_RDONLY | O_CLOEXEC);
    proc_cgroup_fd = open("/proc/self/cgroup", O_RDONLY | O_CLOEXEC);
    int nul = open("/dev/null", O_RDWR);
    if (worker_exe_fd < 0 || proc_devices_fd < 0 || proc_cgroup_fd < 0 || nul < 0 ||
        dup2(nul, 0) < 0)
        return -1;
    close(nul);
    return 0;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(worker_forbids_open),
        cmocka_unit_test(worker_forbids_ioctl),
        cmocka_unit_test(worker_forbids_socket),
        cmocka_unit_test(worker_forbids_exec),
        cmocka_unit_test(worker_forbids_ptrace_kill),
        cmocka_unit_test(worker_forbids_ids_and_fork),
        cmocka_unit_test(worker_forbids_memory),
        cmocka_unit_test(worker_forbids_other_fds),
        cmocka_unit_test(worker_sends_no_descriptor),
        cmocka_unit_test(monitor_takes_fds_by_pidfd),
        cmocka_unit_test(worker_allows_its_io),
        cmocka_unit_test(worker_allows_restart_syscall),
        cmocka_unit_test(monitor_allows_restart_syscall),
        cmocka_unit_test(monitor_survives_stop_in_poll),
        cmocka_unit_test(stacked_worker_starts_and_serves),
        cmocka_unit_test(stacked_worker_forbids),
        cmocka_unit_test(stacked_worker_survives_stop),
        cmocka_unit_test(monitor_no_caps_forbids_every_device_call),
        cmocka_unit_test(monitor_no_caps_serves),
        cmocka_unit_test(worker_no_caps_pr_ioctls_on_device_fd_only),
        cmocka_unit_test(stacked_no_caps_worker_starts_and_serves),
        cmocka_unit_test(spawner_forbids),
        cmocka_unit_test(monitor_allows_sgio),
        cmocka_unit_test(monitor_allows_block_pr),
        cmocka_unit_test(monitor_reads_its_proc_files_only),
        cmocka_unit_test(monitor_forbids_other_ioctl),
        cmocka_unit_test(monitor_forbids_open),
        cmocka_unit_test(monitor_forbids_exec),
        cmocka_unit_test(monitor_forbids_ptrace),
        cmocka_unit_test(monitor_forbids_namespaces),
        cmocka_unit_test(monitor_forbids_exec_memory),
        cmocka_unit_test(monitor_forbids_misc),
        cmocka_unit_test(monitor_refuses_socket),
        cmocka_unit_test(spawners_refuse_readlink),
        cmocka_unit_test(foreign_arch_kills_process),
        cmocka_unit_test(monitor_paths_pinned),
    };
    return cmocka_run_group_tests_name("sandbox", tests, setup, NULL);
}
