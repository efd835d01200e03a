#include "cgroup.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "procfile.h"

/* cgroup v2 is one line; v1 a line per hierarchy: room for both */
#define CGROUP_TEXT_MAX 4096

static int cgroup_fd = -1;
static char noted[CGROUP_TEXT_MAX]; /* only the accepting thread reads and writes it */

int prh_cgroup_open(char *err, size_t errlen)
{
    cgroup_fd = prh_procfile_open("/proc/self/cgroup");
    if (cgroup_fd < 0 || prh_procfile_read(cgroup_fd, noted, sizeof(noted)) < 0) {
        snprintf(err, errlen, "/proc/self/cgroup: %s: workers started ahead stay where"
                 " they started", strerror(errno));
        return -1;
    }
    return cgroup_fd;
}

int prh_cgroup_changed(void)
{
    char now[CGROUP_TEXT_MAX];
    if (cgroup_fd < 0 || prh_procfile_read(cgroup_fd, now, sizeof(now)) < 0)
        return 0;
    int changed = strcmp(now, noted) != 0;
    if (changed)
        memcpy(noted, now, sizeof(noted));
    return changed;
}
