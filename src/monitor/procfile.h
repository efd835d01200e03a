/* The /proc files the monitor reads once its filter is loaded: opened at
 * start at a high fd, which the filter pins for pread(), and read again
 * from offset 0 whenever their text is wanted. */
#ifndef PRH_PROCFILE_H
#define PRH_PROCFILE_H

#include <stddef.h>

/* Opens path read-only at a high fd. Returns it, or -1 (errno). */
int prh_procfile_open(const char *path);

/* The whole text (at most len - 1 bytes), NUL-terminated. Returns its
 * length, or -1 (errno). */
long prh_procfile_read(int fd, char *buf, size_t len);

#endif
