/* The pidfile (-f, or -d): taken before anything else is touched, so a
 * second instance fails before it can disturb the first one's socket. */
#ifndef PRH_PIDFILE_H
#define PRH_PIDFILE_H

#include <stddef.h>

/* Opens path and takes an open-file-description lock on it, which daemon()'s
 * fork keeps. Returns the fd (kept open while we run) or -1 with err. */
int prh_pidfile_lock(const char *path, char *err, size_t errlen);

/* Writes our pid (call after daemon()). Returns 0 or -1 with err. */
int prh_pidfile_write(int fd, const char *path, char *err, size_t errlen);

#endif
