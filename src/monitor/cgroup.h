/* Which cgroup the monitor is in, for its spare workers. libvirt moves the
 * helper's recorded pid into the VM's cgroup once the socket exists, and
 * the process moves with all its threads but without its children: a
 * worker started ahead would serve that VM from outside its cgroup. So
 * the monitor reads /proc/self/cgroup again whenever a client arrives,
 * and a change retires the workers started before it (session.c). */
#ifndef PRH_CGROUP_H
#define PRH_CGROUP_H

#include <stddef.h>

/* Opens /proc/self/cgroup (before the filter loads, which pins its fd for
 * pread) and notes its text. Returns the fd, or -1 with err: then no move
 * is ever seen. */
int prh_cgroup_open(char *err, size_t errlen);

/* Whether the text differs from the one noted last (it is noted anew).
 * For the accepting thread only. */
int prh_cgroup_changed(void);

#endif
