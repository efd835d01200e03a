/* The worker's confinement, applied before it reads one client byte. */
#ifndef PRH_WORKER_SANDBOX_H
#define PRH_WORKER_SANDBOX_H

/* Non-root uid (drops to 65534 if started as root), every capability set
 * emptied, no_new_privs, not dumpable, rlimits, then the kill-by-default
 * seccomp filter; own_device adds worker_device.h's rows (the
 * no-capability mode). Returns 0, or -1 with a message in why. */
int prh_worker_sandbox(int own_device, const char **why);

#endif
