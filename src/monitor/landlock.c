#include "landlock.h"

#include <errno.h>
#include <linux/landlock.h>
#include <stdint.h>
#include <sys/syscall.h>
#include <unistd.h>

/* Newer than some kernel headers (Debian 12's stop at ABI 2). */
#ifndef LANDLOCK_ACCESS_FS_REFER
#define LANDLOCK_ACCESS_FS_REFER (1ULL << 13)
#endif
#ifndef LANDLOCK_ACCESS_FS_TRUNCATE
#define LANDLOCK_ACCESS_FS_TRUNCATE (1ULL << 14)
#endif

/* Every file-system right the running kernel knows, by ABI version. Not
 * IOCTL_DEV (ABI 5): the device fds come from clients, opened outside any
 * domain, and SG_IO on them is the monitor's job. */
static uint64_t handled_rights(long abi)
{
    uint64_t all = (1ULL << 13) - 1; /* ABI 1: EXECUTE ... MAKE_SYM */
    if (abi >= 2)
        all |= LANDLOCK_ACCESS_FS_REFER;
    if (abi >= 3)
        all |= LANDLOCK_ACCESS_FS_TRUNCATE;
    return all;
}

int prh_landlock_confine(int worker_exe_fd, const char **why)
{
    long abi = syscall(SYS_landlock_create_ruleset, NULL, 0, LANDLOCK_CREATE_RULESET_VERSION);
    if (abi < 0) {
        if (errno == ENOSYS || errno == EOPNOTSUPP) {
            *why = "the kernel has no Landlock (disabled or too old)";
            return 0;
        }
        if (errno == EPERM) { /* an outer filter (a unit's SystemCallFilter=) */
            *why = "Landlock is not allowed here (a seccomp filter around prhelper refuses it)";
            return 0;
        }
        *why = "landlock_create_ruleset";
        return -1;
    }
    struct landlock_ruleset_attr attr = {.handled_access_fs = handled_rights(abi)};
    int ruleset = (int)syscall(SYS_landlock_create_ruleset, &attr, sizeof(attr), 0);
    if (ruleset < 0) {
        *why = "landlock_create_ruleset";
        return -1;
    }
    /* Running a file reads it: both rights, on that one file. */
    struct landlock_path_beneath_attr worker = {
        .allowed_access = LANDLOCK_ACCESS_FS_EXECUTE | LANDLOCK_ACCESS_FS_READ_FILE,
        .parent_fd = worker_exe_fd,
    };
    int rc = (int)syscall(SYS_landlock_add_rule, ruleset, LANDLOCK_RULE_PATH_BENEATH, &worker, 0);
    if (rc == 0)
        rc = (int)syscall(SYS_landlock_restrict_self, ruleset, 0);
    int saved = errno;
    close(ruleset);
    errno = saved;
    if (rc < 0) {
        *why = "landlock_add_rule/restrict_self";
        return -1;
    }
    return 1;
}
