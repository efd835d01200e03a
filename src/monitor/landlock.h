/* Landlock, where the kernel has it: from start-up on, the monitor, and
 * every worker (which inherits the domain), may execute exactly one file,
 * the worker binary opened at start, and reach no other file by path at
 * all. The seccomp filter allows execveat() only on that file's fd with
 * AT_EMPTY_PATH, but cannot read the path argument (a pointer), and an
 * absolute path there ignores the fd: this is what makes "the monitor can
 * run only its worker" true. */
#ifndef PRH_LANDLOCK_H
#define PRH_LANDLOCK_H

/* After no_new_privs, before the seccomp filter. Returns 1 when applied,
 * 0 when the kernel has no Landlock (*why says so), -1 on an error
 * (errno, *why). */
int prh_landlock_confine(int worker_exe_fd, const char **why);

#endif
