/* The monitor's seccomp allowlist, loaded once start-up is over. */
#ifndef PRH_MONITOR_FILTER_H
#define PRH_MONITOR_FILTER_H

#include <sys/types.h>

/* What the filter pins: the only file execveat() may run, the only file
 * pread() may read (/proc/self/cgroup, -1: none), and the only ids a
 * spawn child may take (the workers'). No call that takes a path is
 * allowed at all: an absolute path would ignore any directory fd pinned
 * (sysfs and the socket file are the file-system helper's, fshelper.h). */
struct prh_filter_pins {
    int worker_exe_fd;
    int proc_cgroup_fd;
    uid_t worker_uid;
    gid_t worker_gid;
};

/* The monitor's, in either mode (route.h): in the no-capability mode it
 * allows no SG_IO, no PR ioctl, no request fd from a worker and no
 * process start. Returns 0 or -1 (errno). */
int prh_monitor_filter_load(const struct prh_filter_pins *pins, int no_capabilities);

/* The spawner's (spawner.h), which its workers run under too. */
int prh_spawner_filter_load(const struct prh_filter_pins *pins);

#endif
