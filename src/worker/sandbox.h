/* The worker's confinement, applied before it reads one client byte. */
#ifndef PRH_WORKER_SANDBOX_H
#define PRH_WORKER_SANDBOX_H

/* Non-root uid (drops to 65534 if started as root), every capability set
 * emptied, no_new_privs, not dumpable, rlimits, then the kill-by-default
 * seccomp filter. Returns 0, or -1 with a message in why. */
int prh_worker_sandbox(const char **why);

#endif
