/* The monitor's seccomp allowlist, loaded once start-up is over. */
#ifndef PRH_MONITOR_FILTER_H
#define PRH_MONITOR_FILTER_H

/* worker_exe_fd: the only file execveat() may run. socket_dir_fd: the only
 * directory whose entries unlinkat() and fstatat() may touch (-1: none). Returns 0 or -1 (errno). */
int prh_monitor_filter_load(int worker_exe_fd, int socket_dir_fd);

#endif
