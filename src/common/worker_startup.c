#include "worker_startup.h"

#include <errno.h>
#include <sys/prctl.h>

static const struct prh_rule rows[] = {
    /* A static binary's start-up. It asks for /proc/self/exe and copes
     * without it: glibc 2.36 (Debian 12) through readlink, 2.41 (Debian
     * 13) through readlinkat. */
    PRH_ALLOW(arch_prctl),
    PRH_ALLOW(set_tid_address),
    PRH_REFUSE(readlink, EACCES),
    PRH_REFUSE(readlinkat, EACCES),
    /* sandbox.c: check the monitor is alive, shed capabilities, set
     * limits, no_new_privs, load its own filter. */
    PRH_ALLOW(poll),
    PRH_ALLOW(prlimit64),
    PRH_ALLOW(capget),
    PRH_ALLOW(capset),
    PRH_ALLOW(seccomp),
    PRH_ALLOW_IF(prctl, PRH_EQ(0, PR_SET_NO_NEW_PRIVS)),
    PRH_ALLOW_IF(prctl, PRH_EQ(0, PR_GET_NO_NEW_PRIVS)),
    PRH_ALLOW_IF(prctl, PRH_EQ(0, PR_CAPBSET_READ)),
    PRH_ALLOW_IF(prctl, PRH_EQ(0, PR_CAPBSET_DROP)),
    /* Clearing only: a raise would carry a capability across an exec. */
    PRH_ALLOW_IF(prctl, PRH_EQ(0, PR_CAP_AMBIENT), PRH_EQ(1, PR_CAP_AMBIENT_CLEAR_ALL)),
    PRH_ALLOW_IF(prctl, PRH_EQ(0, PR_GET_SECCOMP)),
};

const struct prh_rule_table prh_worker_startup_rules = PRH_TABLE("worker start-up", rows);
