#include "pidfile.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

int prh_pidfile_lock(const char *path, char *err, size_t errlen)
{
    struct flock lock = {.l_type = F_WRLCK, .l_whence = SEEK_SET};
    int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0644);

    if (fd < 0) {
        snprintf(err, errlen, "pidfile %s: %s", path, strerror(errno));
        return -1;
    }
    if (fcntl(fd, F_OFD_SETLK, &lock) < 0) {
        snprintf(err, errlen, "pidfile %s is locked: another instance is running", path);
        close(fd);
        return -1;
    }
    return fd;
}

int prh_pidfile_write(int fd, const char *path, char *err, size_t errlen)
{
    char buf[32];
    int len = snprintf(buf, sizeof(buf), "%d\n", (int)getpid());
    if (ftruncate(fd, 0) < 0 || pwrite(fd, buf, (size_t)len, 0) != len) {
        snprintf(err, errlen, "pidfile %s: %s", path, strerror(errno));
        return -1;
    }
    return 0;
}
