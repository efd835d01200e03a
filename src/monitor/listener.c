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

/* A stale socket from an earlier run may go; anything else at the path
 * is somebody's file and stays. */
static int clear_stale(int dir_fd, const char *name, char *err, size_t errlen)
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
    if (unlinkat(dir_fd, name, 0) < 0) {
        snprintf(err, errlen, "cannot remove the stale socket %s: %s", name, strerror(errno));
        return -1;
    }
    return 0;
}

static int bind_path(struct prh_listener *l, const char *path, char *err, size_t errlen)
{
    char dir[4096], base[4096];
    struct sockaddr_un addr = {.sun_family = AF_UNIX};
    struct stat st;

    if (strlen(path) >= sizeof(addr.sun_path) || strlen(path) >= sizeof(dir)) {
        snprintf(err, errlen, "socket path too long: %s", path);
        return -1;
    }
    strcpy(dir, path);
    strcpy(base, path);
    snprintf(l->name, sizeof(l->name), "%s", basename(base));
    l->dir_fd = open(dirname(dir), O_PATH | O_DIRECTORY | O_CLOEXEC);
    if (l->dir_fd < 0) {
        snprintf(err, errlen, "socket directory of %s: %s", path, strerror(errno));
        return -1;
    }
    if (clear_stale(l->dir_fd, l->name, err, errlen) < 0)
        return -1;
    memcpy(addr.sun_path, path, strlen(path) + 1);
    l->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (l->fd < 0 || bind(l->fd, (struct sockaddr *)&addr, sizeof(addr)) < 0 ||
        listen(l->fd, SOMAXCONN) < 0 ||
        fstatat(l->dir_fd, l->name, &st, AT_SYMLINK_NOFOLLOW) < 0) {
        snprintf(err, errlen, "cannot listen on %s: %s", path, strerror(errno));
        return -1;
    }
    l->dev = st.st_dev;
    l->ino = st.st_ino;
    return 0;
}

int prh_listener_open(struct prh_listener *l, const char *path, int path_set,
                      char *err, size_t errlen)
{
    int n = sd_listen_fds(1);

    memset(l, 0, sizeof(*l));
    l->fd = l->dir_fd = -1;
    if (n < 0) {
        snprintf(err, errlen, "socket activation: %s", strerror(-n));
        return -1;
    }
    return n > 0 ? use_activated(l, n, path_set, err, errlen)
                 : bind_path(l, path, err, errlen);
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

int prh_pidfile_write(const char *path, char *err, size_t errlen)
{
    char buf[32];
    struct flock lock = {.l_type = F_WRLCK, .l_whence = SEEK_SET};
    int fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0644);

    if (fd < 0) {
        snprintf(err, errlen, "pidfile %s: %s", path, strerror(errno));
        return -1;
    }
    if (fcntl(fd, F_SETLK, &lock) < 0) {
        snprintf(err, errlen, "pidfile %s is locked: another instance is running", path);
        close(fd);
        return -1;
    }
    int len = snprintf(buf, sizeof(buf), "%d\n", (int)getpid());
    if (ftruncate(fd, 0) < 0 || pwrite(fd, buf, (size_t)len, 0) != len) {
        snprintf(err, errlen, "pidfile %s: %s", path, strerror(errno));
        close(fd);
        return -1;
    }
    return fd;
}
