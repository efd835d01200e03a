#include "listener.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
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

/* The socket's access is set here, not left to the caller's umask: 0600,
 * or 0660 for a group (systemd's SocketMode= and SocketGroup=). The mask
 * covers the moment between bind() and chmod; listen() comes last, so
 * nobody connects before the mode is final. */
static int set_access(struct prh_listener *l, gid_t group, char *err, size_t errlen)
{
    mode_t mode = group == (gid_t)-1 ? 0600 : 0660;
    if ((group != (gid_t)-1 && fchownat(l->dir_fd, l->name, (uid_t)-1, group, AT_SYMLINK_NOFOLLOW) < 0) ||
        fchmodat(l->dir_fd, l->name, mode, 0) < 0) {
        snprintf(err, errlen, "cannot set the mode of socket %s: %s", l->name, strerror(errno));
        return -1;
    }
    return 0;
}

/* The socket file appears only once it accepts connections (libvirt waits
 * for the file, then QEMU connects at once): it is bound under a
 * temporary name, given its mode, put to listening, and then renamed into
 * place, never over anything that appeared there meanwhile. */
static int bind_path(struct prh_listener *l, const char *path, gid_t group, char *err,
                     size_t errlen)
{
    char dir[4096], base[4096], tmp[sizeof(l->name)];
    struct sockaddr_un addr = {.sun_family = AF_UNIX};
    struct sockaddr_un tmp_addr = {.sun_family = AF_UNIX};
    struct stat st;

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
    snprintf(tmp, sizeof(tmp), ".prhelper-%d", (int)getpid());
    if ((size_t)snprintf(tmp_addr.sun_path, sizeof(tmp_addr.sun_path), "%s/%s", dir_path, tmp) >=
        sizeof(tmp_addr.sun_path)) {
        snprintf(err, errlen, "socket path too long: %s", path);
        return -1;
    }
    unlinkat(l->dir_fd, tmp, 0); /* our pid's leftover: nobody else's */
    l->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    mode_t old_mask = umask(0177);
    int rc = l->fd < 0 ? -1 : bind(l->fd, (struct sockaddr *)&tmp_addr, sizeof(tmp_addr));
    umask(old_mask);
    if (rc < 0 || fstatat(l->dir_fd, tmp, &st, AT_SYMLINK_NOFOLLOW) < 0) {
        snprintf(err, errlen, "cannot listen on %s: %s", path, strerror(errno));
        return -1;
    }
    char name[sizeof(l->name)];
    memcpy(name, l->name, sizeof(name));
    memcpy(l->name, tmp, sizeof(tmp)); /* ours: prh_listener_close removes it */
    l->dev = st.st_dev;
    l->ino = st.st_ino;
    if (set_access(l, group, err, errlen) < 0)
        return -1;
    if (listen(l->fd, SOMAXCONN) < 0) {
        snprintf(err, errlen, "cannot listen on %s: %s", path, strerror(errno));
        return -1;
    }
    if (renameat2(l->dir_fd, tmp, l->dir_fd, name, RENAME_NOREPLACE) < 0) {
        if (errno == EEXIST)
            snprintf(err, errlen, "another instance is serving %s", path);
        else
            snprintf(err, errlen, "cannot listen on %s: %s", path, strerror(errno));
        return -1;
    }
    memcpy(l->name, name, sizeof(name));
    return 0;
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
