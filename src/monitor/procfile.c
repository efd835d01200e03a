#include "procfile.h"

#include <errno.h>
#include <fcntl.h>
#include <unistd.h>

#include "spawn.h"

int prh_procfile_open(const char *path)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return -1;
    int high = fcntl(fd, F_DUPFD_CLOEXEC, PRH_HIGH_FD);
    int saved = errno;
    close(fd);
    errno = saved;
    return high;
}

long prh_procfile_read(int fd, char *buf, size_t len)
{
    size_t n = 0;
    ssize_t r = 0;
    /* seq_file: reading from offset 0 regenerates the whole text */
    while (n < len - 1 && (r = pread(fd, buf + n, len - 1 - n, (off_t)n)) > 0)
        n += (size_t)r;
    buf[n] = '\0';
    return r < 0 && n == 0 ? -1 : (long)n;
}
