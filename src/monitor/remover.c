#include "remover.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <linux/capability.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "fdio.h"
#include "seccomp_rules.h"

#define ANSWER_TIMEOUT_MS 1000
#define READY_TIMEOUT_MS 5000

/* All it may do: wait for the monitor's byte (or its end), check the
 * socket is still the one bound, remove it, answer, exit. */
static int load_filter(int channel, int dir_fd)
{
    const struct prh_rule rows[] = {
        PRH_ALLOW_IF(read, PRH_EQ(0, channel)),
        PRH_ALLOW_IF(write, PRH_EQ(0, channel)),
        PRH_ALLOW_IF(newfstatat, PRH_EQ(0, dir_fd), PRH_EQ(3, AT_SYMLINK_NOFOLLOW)),
        PRH_ALLOW_IF(unlinkat, PRH_EQ(0, dir_fd), PRH_EQ(2, 0)),
        PRH_ALLOW(brk), /* free() of the filter's memory after loading it */
        PRH_ALLOW(munmap),
        PRH_ALLOW(restart_syscall),
        PRH_ALLOW(exit),
        PRH_ALLOW(exit_group),
    };
    const struct prh_rule_table table = PRH_TABLE("socket remover", rows);
    return prh_seccomp_load(&table, 1, NULL);
}

/* The monitor's ids, no capability, no way back. */
static int drop(uid_t uid, gid_t gid, uid_t euid, gid_t egid)
{
    struct __user_cap_header_struct h = {_LINUX_CAPABILITY_VERSION_3, 0};
    struct __user_cap_data_struct none[2] = {{0, 0, 0}, {0, 0, 0}};
    if (geteuid() == 0 && setgroups(0, NULL) < 0)
        return -1;
    if (setresgid(gid, egid, gid) < 0 || setresuid(uid, euid, uid) < 0 ||
        syscall(SYS_capset, &h, none) < 0 || prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0 ||
        prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) < 0)
        return -1;
    return 0;
}

/* 0, or the errno that kept the file (another file under its name is
 * not ours: 0 too). */
static int remove_socket(const struct prh_listener *l)
{
    struct stat st;
    if (fstatat(l->dir_fd, l->name, &st, AT_SYMLINK_NOFOLLOW) < 0)
        return errno == ENOENT ? 0 : errno;
    if (st.st_dev != l->dev || st.st_ino != l->ino)
        return 0;
    return unlinkat(l->dir_fd, l->name, 0) < 0 ? errno : 0;
}

static void __attribute__((noreturn)) serve(const struct prh_listener *l, int channel)
{
    char byte;
    ssize_t n;
    do {
        n = read(channel, &byte, 1);
    } while (n < 0 && errno == EINTR);
    unsigned char answer = (unsigned char)remove_socket(l);
    if (n == 1 && write(channel, &answer, 1) < 0) {
        /* The monitor stopped waiting: nothing else to tell. */
    }
    syscall(SYS_exit_group, 0);
    __builtin_unreachable();
}

int prh_remover_start(struct prh_listener *l, uid_t uid, gid_t gid, uid_t euid, gid_t egid,
                      char *err, size_t errlen)
{
    int sv[2];
    l->remover_fd = -1;
    if (l->dir_fd < 0)
        return 0; /* systemd's socket: not ours to remove */
    if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0) {
        snprintf(err, errlen, "socket remover: %s", strerror(errno));
        return -1;
    }
    pid_t child = fork();
    if (child == 0) {
        /* Twice, so that init (or the nearest subreaper) is its parent. */
        if (fork() != 0)
            _exit(0);
        setsid();
        /* Everything but the channel and the directory goes, the
         * listening socket first: a remover must not keep it alive. */
        int keep_lo = sv[1] < l->dir_fd ? sv[1] : l->dir_fd;
        int keep_hi = sv[1] < l->dir_fd ? l->dir_fd : sv[1];
        syscall(SYS_close_range, 0, keep_lo - 1, 0);
        if (keep_hi > keep_lo + 1)
            syscall(SYS_close_range, keep_lo + 1, keep_hi - 1, 0);
        syscall(SYS_close_range, keep_hi + 1, ~0U, 0);
        prctl(PR_SET_NAME, "prhelper-rm", 0, 0, 0);
        if (drop(uid, gid, euid, egid) < 0 || load_filter(sv[1], l->dir_fd) < 0)
            syscall(SYS_exit_group, 1);
        if (write(sv[1], "", 1) != 1) /* ready */
            syscall(SYS_exit_group, 1);
        serve(l, sv[1]);
    }
    close(sv[1]);
    int status = 0;
    char ready;
    struct pollfd p = {sv[0], POLLIN, 0};
    if (child < 0 || waitpid(child, &status, 0) != child || !WIFEXITED(status) ||
        WEXITSTATUS(status) != 0 || poll(&p, 1, READY_TIMEOUT_MS) != 1 ||
        read(sv[0], &ready, 1) != 1) {
        snprintf(err, errlen, "cannot start the socket remover: %s",
                 child < 0 ? strerror(errno) : "it did not get ready");
        close(sv[0]);
        return -1;
    }
    l->remover_fd = sv[0];
    return 0;
}

int prh_remover_remove_now(struct prh_listener *l)
{
    unsigned char answer = 0;
    if (l->remover_fd < 0)
        return 0;
    struct pollfd p = {l->remover_fd, POLLIN, 0};
    int ok = write(l->remover_fd, "", 1) == 1 && poll(&p, 1, ANSWER_TIMEOUT_MS) == 1 &&
             read(l->remover_fd, &answer, 1) == 1;
    prh_close(l->remover_fd);
    l->remover_fd = -1;
    errno = ok ? answer : ETIMEDOUT;
    return ok && answer == 0 ? 0 : -1;
}
