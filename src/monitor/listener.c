#include "listener.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/random.h>
#include <sys/un.h>
#include <systemd/sd-daemon.h>
#include <unistd.h>

#include "log.h"

static int use_activated(struct prh_listener *l, int n, int path_set, char *err,
                         size_t errlen)
{
    if (path_set) {
        snprintf(err, errlen, "-k cannot be used with socket activation");
        return -1;
    }
    if (n != 1) {
        snprintf(err, errlen, "socket activation passed %d sockets, expected exactly 1", n);
        return -1;
    }
    if (sd_is_socket_unix(SD_LISTEN_FDS_START, SOCK_STREAM, 1, NULL, 0) <= 0) {
        snprintf(err, errlen, "the activated socket is not a listening unix stream socket");
        return -1;
    }
    l->fd = SD_LISTEN_FDS_START;
    l->activated = 1;
    fcntl(l->fd, F_SETFD, FD_CLOEXEC);
    return 0;
}

/* Whether something accepts connections at path: a connect that is
 * refused means a stale file from an earlier run. */
static int somebody_listens(const struct sockaddr_un *addr)
{
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    if (fd < 0)
        return 0;
    int rc = connect(fd, (const struct sockaddr *)addr, sizeof(*addr));
    int live = rc == 0 || errno == EAGAIN || errno == EINPROGRESS;
    close(fd);
    return live;
}

/* A stale socket from an earlier run may go; a live one belongs to a
 * running instance, and anything else at the path is somebody's file:
 * both stay. */
static int clear_stale(int dir_fd, const char *name, const struct sockaddr_un *addr,
                       char *err, size_t errlen)
{
    struct stat st;
    if (fstatat(dir_fd, name, &st, AT_SYMLINK_NOFOLLOW) < 0) {
        if (errno == ENOENT)
            return 0;
        snprintf(err, errlen, "%s: %s", name, strerror(errno));
        return -1;
    }
    if (!S_ISSOCK(st.st_mode)) {
        snprintf(err, errlen, "%s exists and is not a socket", name);
        return -1;
    }
    if (somebody_listens(addr)) {
        snprintf(err, errlen, "another instance is serving %s", addr->sun_path);
        return -1;
    }
    if (unlinkat(dir_fd, name, 0) < 0) {
        snprintf(err, errlen, "cannot remove the stale socket %s: %s", name, strerror(errno));
        return -1;
    }
    return 0;
}

/* A directory of our own inside the socket's directory, which whoever may
 * write that directory (libvirt labels it for the VM's QEMU user) can
 * rename or replace but not enter: made 0700, opened without following a
 * link, and checked to be the one we made (ours, 0700). Returns its fd,
 * or -1. */
static int private_dir(int dir_fd, char *name, size_t len)
{
    for (int attempt = 0; attempt < 8; attempt++) {
        unsigned r;
        struct stat st;
        if (getrandom(&r, sizeof(r), 0) != (ssize_t)sizeof(r))
            return -1;
        snprintf(name, len, ".prhelper-%d-%08x", (int)getpid(), r);
        if (mkdirat(dir_fd, name, 0700) < 0) {
            if (errno == EEXIST)
                continue;
            return -1;
        }
        int fd = openat(dir_fd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (fd >= 0 && fstat(fd, &st) == 0 && S_ISDIR(st.st_mode) && st.st_uid == geteuid() &&
            (st.st_mode & 07777) == 0700)
            return fd;
        if (fd >= 0)
            close(fd);
        /* Swapped under us: leave whatever is there now, try a new name. */
    }
    errno = EAGAIN;
    return -1;
}

/* Binds the socket inside that private directory, with its final mode
 * (from the umask at bind time: 0600, or 0660 for a group, as systemd's
 * SocketMode= and SocketGroup=) and group, where nobody else can touch the
 * file; then puts it to listening and renames it into place, never over
 * anything. No call here follows a path an outsider could change. */
static int bind_private(struct prh_listener *l, int priv_fd, const char *final, gid_t group,
                        char *err, size_t errlen)
{
    struct sockaddr_un addr = {.sun_family = AF_UNIX, .sun_path = "s"};
    struct stat st;
    int cwd = open(".", O_PATH | O_DIRECTORY | O_CLOEXEC);

    l->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (l->fd < 0 || fchdir(priv_fd) < 0) {
        snprintf(err, errlen, "cannot listen on %s: %s", final, strerror(errno));
        if (cwd >= 0)
            close(cwd);
        return -1;
    }
    mode_t old_mask = umask(group == (gid_t)-1 ? 0177 : 0117);
    int rc = bind(l->fd, (struct sockaddr *)&addr, sizeof(addr));
    int saved = errno;
    umask(old_mask);
    if (cwd < 0 || fchdir(cwd) < 0)
        rc = chdir("/") < 0 ? -1 : rc; /* the old one is gone: as daemon() would */
    if (cwd >= 0)
        close(cwd);
    errno = saved;
    if (rc < 0 || (group != (gid_t)-1 &&
                   fchownat(priv_fd, "s", (uid_t)-1, group, AT_SYMLINK_NOFOLLOW) < 0) ||
        fstatat(priv_fd, "s", &st, AT_SYMLINK_NOFOLLOW) < 0 || listen(l->fd, SOMAXCONN) < 0) {
        snprintf(err, errlen, "cannot listen on %s: %s", final, strerror(errno));
        unlinkat(priv_fd, "s", 0);
        return -1;
    }
    l->dev = st.st_dev;
    l->ino = st.st_ino;
    if (renameat2(priv_fd, "s", l->dir_fd, l->name, RENAME_NOREPLACE) < 0) {
        if (errno == EEXIST)
            snprintf(err, errlen, "another instance is serving %s", final);
        else
            snprintf(err, errlen, "cannot listen on %s: %s", final, strerror(errno));
        unlinkat(priv_fd, "s", 0);
        return -1;
    }
    /* What now has the name must be the socket we bound. */
    if (fstatat(l->dir_fd, l->name, &st, AT_SYMLINK_NOFOLLOW) < 0 || st.st_dev != l->dev ||
        st.st_ino != l->ino || !S_ISSOCK(st.st_mode)) {
        snprintf(err, errlen, "%s was replaced as it was created: not serving it", final);
        return -1;
    }
    return 0;
}

/* The socket file appears only once it accepts connections (libvirt waits
 * for the file, then QEMU connects at once). */
static int bind_path(struct prh_listener *l, const char *path, gid_t group, char *err,
                     size_t errlen)
{
    char dir[4096], base[4096], priv_name[64];
    struct sockaddr_un addr = {.sun_family = AF_UNIX};

    if (strlen(path) >= sizeof(addr.sun_path) || strlen(path) >= sizeof(dir)) {
        snprintf(err, errlen, "socket path too long: %s", path);
        return -1;
    }
    strcpy(dir, path);
    strcpy(base, path);
    snprintf(l->name, sizeof(l->name), "%s", basename(base));
    const char *dir_path = dirname(dir);
    l->dir_fd = open(dir_path, O_PATH | O_DIRECTORY | O_CLOEXEC);
    if (l->dir_fd < 0) {
        snprintf(err, errlen, "socket directory of %s: %s", path, strerror(errno));
        return -1;
    }
    memcpy(addr.sun_path, path, strlen(path) + 1);
    if (clear_stale(l->dir_fd, l->name, &addr, err, errlen) < 0)
        return -1;
    int priv_fd = private_dir(l->dir_fd, priv_name, sizeof(priv_name));
    if (priv_fd < 0) {
        snprintf(err, errlen, "cannot make a private directory beside %s: %s", path,
                 strerror(errno));
        return -1;
    }
    int rc = bind_private(l, priv_fd, path, group, err, errlen);
    close(priv_fd);
    unlinkat(l->dir_fd, priv_name, AT_REMOVEDIR); /* empty; or somebody's empty one */
    if (rc < 0) {
        l->dev = 0; /* nothing of ours to remove at the close */
        l->ino = 0;
    }
    return rc;
}

int prh_listener_open(struct prh_listener *l, const char *path, int path_set,
                      gid_t group, char *err, size_t errlen)
{
    int n = sd_listen_fds(1);

    memset(l, 0, sizeof(*l));
    l->fd = l->dir_fd = -1;
    if (n < 0) {
        snprintf(err, errlen, "socket activation: %s", strerror(-n));
        return -1;
    }
    return n > 0 ? use_activated(l, n, path_set, err, errlen)
                 : bind_path(l, path, group, err, errlen);
}

void prh_listener_close(struct prh_listener *l)
{
    struct stat st;

    if (l->fd >= 0)
        close(l->fd);
    l->fd = -1;
    if (l->dir_fd < 0)
        return;
    /* A newer instance may have replaced our socket: leave that one alone. */
    if (fstatat(l->dir_fd, l->name, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
        st.st_dev == l->dev && st.st_ino == l->ino &&
        unlinkat(l->dir_fd, l->name, 0) < 0)
        prh_log(LOG_NOTICE, "could not remove socket %s: %s", l->name, strerror(errno));
    close(l->dir_fd);
    l->dir_fd = -1;
}

void prh_listener_hand_over(struct prh_listener *l)
{
    if (l->dir_fd >= 0)
        close(l->dir_fd);
    l->dir_fd = -1;
}
