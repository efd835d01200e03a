#include "devfacts.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#define MAX_SLAVES 64

/* Whether DEV/rel exists (any kind of entry). */
static int has(int dir, const char *dev, const char *rel)
{
    char path[128];
    struct stat st;
    snprintf(path, sizeof(path), "%s/%s", dev, rel);
    return fstatat(dir, path, &st, 0) == 0;
}

/* DEV/rel as a number (the "size" file: 512-byte sectors). */
static int read_number(int dir, const char *dev, const char *rel, unsigned long long *out)
{
    char path[160], text[32];
    snprintf(path, sizeof(path), "%s/%s", dev, rel);
    int fd = openat(dir, path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return -1;
    ssize_t n = read(fd, text, sizeof(text) - 1);
    close(fd);
    if (n <= 0)
        return -1;
    text[n] = '\0';
    char *end;
    errno = 0;
    *out = strtoull(text, &end, 10);
    return errno || end == text || (*end != '\n' && *end != '\0') ? -1 : 0;
}

/* The names in DEV/slaves (links to the devices under a map), read with
 * getdents64 into a buffer of our own: no allocation. */
static int slaves_of(int dir, const char *dev, char names[][64], int max)
{
    char path[128];
    char buf[4096] __attribute__((aligned(8)));
    int n = 0;
    snprintf(path, sizeof(path), "%s/slaves", dev);
    int fd = openat(dir, path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0)
        return -1;
    for (;;) {
        long got = syscall(SYS_getdents64, fd, buf, sizeof(buf));
        if (got <= 0) {
            close(fd);
            return got < 0 ? -1 : n;
        }
        for (long off = 0; off < got;) {
            struct dirent64 *d = (struct dirent64 *)(buf + off);
            off += d->d_reclen;
            if (d->d_name[0] == '.')
                continue;
            if (n == max || strlen(d->d_name) >= 64) {
                close(fd);
                return -1;
            }
            snprintf(names[n++], 64, "%s", d->d_name);
        }
    }
}

/* A map is whole when each device under it is a whole disk, itself no
 * map, of exactly the map's size: a single-target table of that length
 * must start at 0 (device-mapper refuses a target past the device's
 * end), and the kernel passes neither SG_IO nor the PR ioctls through a
 * table of more than one target. */
static enum prh_dev_kind classify_map(int dir, const char *dev)
{
    char slaves[MAX_SLAVES][64];
    unsigned long long map_size, slave_size;
    int n = slaves_of(dir, dev, slaves, MAX_SLAVES);
    if (n <= 0 || read_number(dir, dev, "size", &map_size) < 0 || map_size == 0)
        return PRH_DEV_MAP_PARTIAL;
    for (int i = 0; i < n; i++) {
        char partition[96], dm[96], size[96]; /* names are below 64 (slaves_of) */
        snprintf(partition, sizeof(partition), "slaves/%.63s/partition", slaves[i]);
        snprintf(dm, sizeof(dm), "slaves/%.63s/dm", slaves[i]);
        snprintf(size, sizeof(size), "slaves/%.63s/size", slaves[i]);
        if (has(dir, dev, partition) || has(dir, dev, dm) ||
            read_number(dir, dev, size, &slave_size) < 0 || slave_size != map_size)
            return PRH_DEV_MAP_PARTIAL;
    }
    return PRH_DEV_MAP_WHOLE;
}

enum prh_dev_kind prh_devfacts_classify(int dir, dev_t rdev)
{
    char dev[32];
    snprintf(dev, sizeof(dev), "%u:%u", major(rdev), minor(rdev));
    if (!has(dir, dev, "."))
        return PRH_DEV_UNKNOWN;
    if (has(dir, dev, "partition"))
        return PRH_DEV_PARTITION;
    if (has(dir, dev, "dm"))
        return classify_map(dir, dev);
    return PRH_DEV_WHOLE;
}

int prh_dev_kind_allowed(enum prh_dev_kind kind)
{
    return kind == PRH_DEV_WHOLE || kind == PRH_DEV_MAP_WHOLE;
}

enum prh_dev_class prh_dev_kind_class(enum prh_dev_kind kind)
{
    return kind == PRH_DEV_WHOLE       ? PRH_CLASS_DISK
           : kind == PRH_DEV_MAP_WHOLE ? PRH_CLASS_MAP
                                       : PRH_CLASS_NOT_WHOLE_LU;
}

const char *prh_dev_kind_refusal(enum prh_dev_kind kind)
{
    switch (kind) {
    case PRH_DEV_WHOLE:
    case PRH_DEV_MAP_WHOLE:
        return "";
    case PRH_DEV_PARTITION:
        return "a partition: its fd does not authorise reservations on the whole LU";
    case PRH_DEV_MAP_PARTIAL:
        return "a device-mapper map that is not a whole LU (part of a disk, a partition or"
               " another map under it): its fd does not authorise reservations on the LU";
    default:
        return "not in sysfs: what it is cannot be told";
    }
}
