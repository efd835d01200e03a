#include "fshelper.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <linux/capability.h>
#include <poll.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <linux/fs.h>
#include <linux/magic.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <unistd.h>

#include "fdio.h"
#include "log.h"
#include "monotonic.h"
#include "seccomp_rules.h"
#include "spawn.h"

#define ANSWER_TIMEOUT_MS 2000
#define READY_TIMEOUT_MS 5000
#define SYS_DEV_BLOCK "/sys/dev/block"

enum { REQ_CLASSIFY = 1, REQ_REMOVE = 2 };

struct request {
    uint32_t type;
    uint32_t major, minor; /* REQ_CLASSIFY */
};

struct answer {
    uint32_t value; /* a prh_dev_kind, or 0 / the errno of a removal */
};

/* The monitor's end. */
static int channel = -1;
static pthread_mutex_t channel_lock = PTHREAD_MUTEX_INITIALIZER;
static int told_broken;

/* ---- the helper process ------------------------------------------------- */

struct helper {
    int channel;
    int sys_fd;      /* /sys/dev/block */
    int dir_fd;      /* the socket's directory, or -1 */
    char name[108];  /* the socket file in it */
    dev_t dev;
    ino_t ino;
};

/* All it may do: its two requests, on the fds it was given. */
static int load_filter(const struct helper *h)
{
    const struct prh_rule rows[] = {
        PRH_ALLOW(read), /* the channel, and the files it opens below */
        PRH_ALLOW_IF(write, PRH_PINNED(0, PRH_PIN_CHANNEL_FD)),
        /* devfacts.c: read-only, below /sys/dev/block */
        PRH_ALLOW_IF(openat, PRH_PINNED(0, PRH_PIN_SYS_BLOCK_FD), PRH_EQ(2, O_RDONLY | O_CLOEXEC)),
        PRH_ALLOW_IF(openat, PRH_PINNED(0, PRH_PIN_SYS_BLOCK_FD),
                     PRH_EQ(2, O_RDONLY | O_DIRECTORY | O_CLOEXEC)),
        PRH_ALLOW_IF(newfstatat, PRH_PINNED(0, PRH_PIN_SYS_BLOCK_FD), PRH_EQ(3, 0)),
        PRH_ALLOW(getdents64),
        PRH_ALLOW(close),
        /* the socket file */
        PRH_ALLOW_IF(newfstatat, PRH_PINNED(0, PRH_PIN_SOCKET_DIR_FD),
                     PRH_EQ(3, AT_SYMLINK_NOFOLLOW)),
        PRH_ALLOW_IF(unlinkat, PRH_PINNED(0, PRH_PIN_SOCKET_DIR_FD), PRH_EQ(2, 0)),
        PRH_ALLOW(brk), /* free() of the filter's memory after loading it */
        PRH_ALLOW(munmap),
        PRH_ALLOW(restart_syscall),
        PRH_ALLOW(exit),
        PRH_ALLOW(exit_group),
    };
    const struct prh_rule_table table = PRH_TABLE("file-system helper", rows);
    prh_pins pins;
    for (int i = 0; i < PRH_PIN_MAX; i++)
        pins[i] = PRH_PIN_UNSET;
    pins[PRH_PIN_CHANNEL_FD] = (scmp_datum_t)h->channel;
    pins[PRH_PIN_SYS_BLOCK_FD] = (scmp_datum_t)h->sys_fd;
    if (h->dir_fd >= 0)
        pins[PRH_PIN_SOCKET_DIR_FD] = (scmp_datum_t)h->dir_fd;
    return prh_seccomp_load(&table, 1, pins);
}

/* The monitor's ids, no capability, no way back. */
static int drop(uid_t uid, gid_t gid, uid_t euid, gid_t egid)
{
    struct __user_cap_header_struct hd = {_LINUX_CAPABILITY_VERSION_3, 0};
    struct __user_cap_data_struct none[2] = {{0, 0, 0}, {0, 0, 0}};
    if (geteuid() == 0 && setgroups(0, NULL) < 0)
        return -1;
    if (setresgid(gid, egid, gid) < 0 || setresuid(uid, euid, uid) < 0 ||
        syscall(SYS_capset, &hd, none) < 0 || prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0 ||
        prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) < 0)
        return -1;
    return 0;
}

/* 0, or the errno that kept the file (another file under its name is
 * not ours: 0 too). */
static uint32_t remove_socket(const struct helper *h)
{
    struct stat st;
    if (h->dir_fd < 0)
        return 0;
    if (fstatat(h->dir_fd, h->name, &st, AT_SYMLINK_NOFOLLOW) < 0)
        return errno == ENOENT ? 0 : (uint32_t)errno;
    if (st.st_dev != h->dev || st.st_ino != h->ino)
        return 0;
    return unlinkat(h->dir_fd, h->name, 0) < 0 ? (uint32_t)errno : 0;
}

/* Until the monitor is gone: then the socket goes too (a second time
 * after REQ_REMOVE finds nothing of ours), and so does the helper. The
 * requests in flight at a stop still get their answers meanwhile. */
static void __attribute__((noreturn)) serve(const struct helper *h)
{
    for (;;) {
        struct request rq;
        struct answer a;
        ssize_t n = read(h->channel, &rq, sizeof(rq));
        if (n < 0 && errno == EINTR)
            continue;
        if (n == (ssize_t)sizeof(rq) && rq.type == REQ_CLASSIFY)
            a.value = prh_devfacts_classify(h->sys_fd, makedev(rq.major, rq.minor));
        else if (n == (ssize_t)sizeof(rq) && rq.type == REQ_REMOVE)
            a.value = remove_socket(h);
        else
            break; /* EOF: the monitor is gone; or a record it never sends */
        if (write(h->channel, &a, sizeof(a)) != (ssize_t)sizeof(a))
            break;
    }
    remove_socket(h);
    syscall(SYS_exit_group, 0);
    __builtin_unreachable();
}

static void __attribute__((noreturn)) become_helper(struct helper *h, uid_t uid, gid_t gid,
                                                     uid_t euid, gid_t egid)
{
    /* Twice, so that init (or the nearest subreaper) is its parent. */
    if (fork() != 0)
        _exit(0);
    setsid();
    int keep[3] = {h->channel, h->sys_fd, h->dir_fd}, n = h->dir_fd >= 0 ? 3 : 2;
    /* The listening socket goes first of all: we must not keep it alive. */
    prh_close_all_but(keep, n);
    prctl(PR_SET_NAME, "prhelper-fs", 0, 0, 0);
    if (drop(uid, gid, euid, egid) < 0 || load_filter(h) < 0)
        syscall(SYS_exit_group, 1);
    struct answer ready = {0};
    if (write(h->channel, &ready, sizeof(ready)) != (ssize_t)sizeof(ready))
        syscall(SYS_exit_group, 1);
    serve(h);
}

/* ---- the monitor's side ------------------------------------------------- */

int prh_fshelper_start(const struct prh_listener *l, uid_t uid, gid_t gid, uid_t euid,
                       gid_t egid, char *err, size_t errlen)
{
    struct helper h = {.dir_fd = -1};
    int sv[2];

    int sys = open(SYS_DEV_BLOCK, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (sys < 0) {
        snprintf(err, errlen, "%s: %s: needed to tell whole disks from partitions", SYS_DEV_BLOCK,
                 strerror(errno));
        return -1;
    }
    /* Container runtimes hide it under an empty tmpfs by default: no
     * block device could be told from a partition, each is refused. */
    struct statfs fs;
    if (fstatfs(sys, &fs) == 0 && fs.f_type != SYSFS_MAGIC)
        prh_log(LOG_WARNING, "%s is not sysfs (a container's mask: podman run --security-opt"
                " unmask=%s): every request on a block device will be refused, only SCSI"
                " generic devices served", SYS_DEV_BLOCK, SYS_DEV_BLOCK);
    if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0) {
        snprintf(err, errlen, "file-system helper: %s", strerror(errno));
        close(sys);
        return -1;
    }
    h.channel = sv[1];
    h.sys_fd = sys;
    if (l && l->dir_fd >= 0) {
        h.dir_fd = l->dir_fd;
        snprintf(h.name, sizeof(h.name), "%s", l->name);
        h.dev = l->dev;
        h.ino = l->ino;
    }
    pid_t child = fork();
    if (child == 0)
        become_helper(&h, uid, gid, euid, egid);
    close(sv[1]);
    close(sys);
    int status = 0;
    struct answer ready;
    struct pollfd p = {sv[0], POLLIN, 0};
    if (child < 0 || waitpid(child, &status, 0) != child || !WIFEXITED(status) ||
        WEXITSTATUS(status) != 0 || poll(&p, 1, READY_TIMEOUT_MS) != 1 ||
        read(sv[0], &ready, sizeof(ready)) != (ssize_t)sizeof(ready)) {
        snprintf(err, errlen, "cannot start the file-system helper: %s",
                 child < 0 ? strerror(errno) : "it did not get ready");
        close(sv[0]);
        return -1;
    }
    /* Above the fds a spawn child shuffles (spawn.h). */
    channel = fcntl(sv[0], F_DUPFD_CLOEXEC, PRH_HIGH_FD);
    close(sv[0]);
    return channel < 0 ? -1 : 0;
}

/* One request and its answer, one at a time. Returns 0 or -1. */
static int ask(const struct request *rq, struct answer *a)
{
    struct pollfd p = {0, POLLIN, 0};
    int ok;
    pthread_mutex_lock(&channel_lock);
    p.fd = channel;
    ok = channel >= 0 && write(channel, rq, sizeof(*rq)) == (ssize_t)sizeof(*rq) &&
         poll(&p, 1, ANSWER_TIMEOUT_MS) == 1 && read(channel, a, sizeof(*a)) == (ssize_t)sizeof(*a);
    if (!ok && channel >= 0 && !told_broken) {
        told_broken = 1;
        prh_log(LOG_ERR, "the file-system helper does not answer: every request on a block"
                " device is refused from now on");
    }
    pthread_mutex_unlock(&channel_lock);
    return ok ? 0 : -1;
}

/* Recent answers, by device number and disk sequence number (0 where the
 * kernel has none, before 5.15): a small table, oldest replaced. */
#define CACHE_ENTRIES 64
#define CACHE_TTL_NS 1000000000ull
static struct {
    dev_t rdev;
    uint64_t diskseq;
    uint64_t at_ns; /* 0: empty */
    enum prh_dev_kind kind;
} cache[CACHE_ENTRIES];
static pthread_mutex_t cache_lock = PTHREAD_MUTEX_INITIALIZER;

static int cached(dev_t rdev, uint64_t seq, uint64_t now, enum prh_dev_kind *kind)
{
    int hit = 0;
    pthread_mutex_lock(&cache_lock);
    for (int i = 0; i < CACHE_ENTRIES && !hit; i++)
        if (cache[i].at_ns && cache[i].rdev == rdev && cache[i].diskseq == seq &&
            now - cache[i].at_ns < CACHE_TTL_NS) {
            *kind = cache[i].kind;
            hit = 1;
        }
    pthread_mutex_unlock(&cache_lock);
    return hit;
}

static void remember(dev_t rdev, uint64_t seq, uint64_t now, enum prh_dev_kind kind)
{
    int slot = 0;
    pthread_mutex_lock(&cache_lock);
    for (int i = 0; i < CACHE_ENTRIES; i++) {
        if (cache[i].rdev == rdev && cache[i].diskseq == seq) {
            slot = i;
            break;
        }
        if (cache[i].at_ns < cache[slot].at_ns)
            slot = i;
    }
    cache[slot].rdev = rdev;
    cache[slot].diskseq = seq;
    cache[slot].at_ns = now;
    cache[slot].kind = kind;
    pthread_mutex_unlock(&cache_lock);
}

enum prh_dev_kind prh_fshelper_classify(dev_t rdev, int fd)
{
    uint64_t seq = 0;
    if (ioctl(fd, BLKGETDISKSEQ, &seq) < 0)
        seq = 0;
    return prh_fshelper_classify_seq(rdev, seq);
}

enum prh_dev_kind prh_fshelper_classify_seq(dev_t rdev, uint64_t seq)
{
    struct request rq = {REQ_CLASSIFY, major(rdev), minor(rdev)};
    struct answer a;
    uint64_t now = prh_monotonic_ns();
    enum prh_dev_kind kind;
    if (cached(rdev, seq, now, &kind))
        return kind;
    if (ask(&rq, &a) < 0 || a.value >= PRH_DEV_KIND_MAX)
        return PRH_DEV_UNKNOWN; /* not remembered: asked again next time */
    remember(rdev, seq, now, (enum prh_dev_kind)a.value);
    return (enum prh_dev_kind)a.value;
}

int prh_fshelper_remove_socket(void)
{
    struct request rq = {REQ_REMOVE, 0, 0};
    struct answer a;
    int rc = ask(&rq, &a);
    if (rc < 0) {
        errno = ETIMEDOUT;
        return -1;
    }
    errno = (int)a.value;
    return a.value == 0 ? 0 : -1;
}
