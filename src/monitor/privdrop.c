#include "privdrop.h"

#include <cap-ng.h>
#include <errno.h>
#include <grp.h>
#include <limits.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <linux/securebits.h>
#include <sys/prctl.h>
#include <unistd.h>

static int parse_id(const char *s, unsigned long *out)
{
    char *end;
    errno = 0;
    if (*s < '0' || *s > '9')
        return -1;
    *out = strtoul(s, &end, 10);
    /* (uid_t)-1 means "unchanged" to setresuid(): never a valid id. */
    return errno || *end || *out >= UINT_MAX ? -1 : 0;
}

int prh_resolve_group(const char *group, gid_t *gid, char *err, size_t errlen)
{
    unsigned long n;
    struct group *gr = getgrnam(group);
    if (gr) {
        *gid = gr->gr_gid;
    } else if (parse_id(group, &n) == 0) {
        *gid = (gid_t)n;
    } else {
        snprintf(err, errlen, "invalid group '%s'", group);
        return -1;
    }
    return 0;
}

/* A system user's ids when it exists (and is not root), else nobody's. */
static void system_user(const char *name, uid_t *uid, gid_t *gid)
{
    struct passwd *pw = getpwnam(name);
    int found = pw && pw->pw_uid != 0;
    *uid = found ? pw->pw_uid : PRH_NOBODY;
    *gid = found ? pw->pw_gid : PRH_NOBODY;
}

int prh_resolve_ids(const char *user, const char *group, uid_t *uid, gid_t *gid,
                    char *err, size_t errlen)
{
    unsigned long n;

    *uid = PRH_NOBODY;
    *gid = PRH_NOBODY;
    if (!user) {
        system_user(PRH_USER, uid, gid);
    } else {
        struct passwd *pw = getpwnam(user);
        if (pw) {
            *uid = pw->pw_uid;
            *gid = pw->pw_gid;
        } else if (parse_id(user, &n) == 0) {
            *uid = (uid_t)n;
        } else {
            snprintf(err, errlen, "invalid user '%s'", user);
            return -1;
        }
    }
    if (group && prh_resolve_group(group, gid, err, errlen) < 0)
        return -1;
    if (*uid == 0) {
        snprintf(err, errlen, "refusing to run as uid 0: pick another user with -u");
        return -1;
    }
    /* Group 0 owns much of /dev and /etc: as refused as uid 0. */
    if (*gid == 0) {
        snprintf(err, errlen, "refusing to run as gid 0: pick another group with -g");
        return -1;
    }
    return 0;
}

int prh_resolve_worker_ids(const char *user, uid_t monitor_uid, gid_t monitor_gid,
                           uid_t *uid, gid_t *gid, int *shared, char *err, size_t errlen)
{
    *shared = 0;
    if (user)
        return prh_resolve_ids(user, NULL, uid, gid, err, errlen);
    system_user(PRH_WORKER_USER, uid, gid);
    if (*gid == 0) {
        snprintf(err, errlen, "refusing to run workers as gid 0: give " PRH_WORKER_USER
                 " another primary group");
        return -1;
    }
    if (*uid == monitor_uid) {
        *gid = monitor_gid;
        *shared = 1;
    }
    return 0;
}

int prh_can_change_ids(void)
{
    if (getuid() == 0 || geteuid() == 0)
        return 1;
    if (capng_get_caps_process() != 0)
        return 0;
    return capng_have_capability(CAPNG_EFFECTIVE, CAP_SETUID) == 1 &&
           capng_have_capability(CAPNG_EFFECTIVE, CAP_SETGID) == 1;
}

/* Set while CAP_SETPCAP is ours (started as root), inherited by every
 * worker: no ambient capability can be raised again, and uid 0 would
 * bring none; locked, so no later call undoes them. */
#define LOCKED_SECUREBITS                                                        \
    (SECBIT_NO_CAP_AMBIENT_RAISE | SECBIT_NO_CAP_AMBIENT_RAISE_LOCKED | SECBIT_NOROOT | \
     SECBIT_NOROOT_LOCKED)

/* Read back what the kernel holds, rather than trusting the calls above.
 * Started unprivileged, we cannot shed supplementary groups or the bounding
 * set (systemd's CapabilityBoundingSet=); neither lets us gain anything:
 * with no_new_privs no exec raises a capability. */
static int verify(uid_t uid, gid_t gid, uid_t wuid, gid_t wgid, unsigned keep,
                  int started_as_root)
{
    uid_t r, e, s;
    gid_t rg, eg, sg;
    if (getresuid(&r, &e, &s) < 0 || r != uid || e != wuid || s != uid)
        return -1;
    if (getresgid(&rg, &eg, &sg) < 0 || rg != gid || eg != wgid || sg != gid)
        return -1;
    if (started_as_root && getgroups(0, NULL) != 0)
        return -1;
    /* No way back to privileges: no_new_privs, not dumpable, and no
     * securebit that keeps capabilities across a change of ids. */
    int bits = prctl(PR_GET_SECUREBITS, 0, 0, 0, 0);
    if (prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0) != 1 || prctl(PR_GET_DUMPABLE, 0, 0, 0, 0) != 0 ||
        bits < 0 || (bits & SECBIT_KEEP_CAPS) || (started_as_root && bits != LOCKED_SECUREBITS))
        return -1;
    /* Unread, libcap-ng's state is the one before the drop. */
    if (capng_get_caps_process() != 0)
        return -1;
    for (int cap = 0; cap <= CAP_LAST_CAP; cap++) {
        int kept = (cap == CAP_SYS_RAWIO && (keep & PRH_KEEP_SYS_RAWIO)) ||
                   (cap == CAP_SYS_ADMIN && (keep & PRH_KEEP_SYS_ADMIN));
        if (kept && (capng_have_capability(CAPNG_EFFECTIVE, (unsigned)cap) != 1 ||
                     capng_have_capability(CAPNG_PERMITTED, (unsigned)cap) != 1))
            return -1;
        if (!kept &&
            (capng_have_capability(CAPNG_EFFECTIVE, (unsigned)cap) ||
             capng_have_capability(CAPNG_PERMITTED, (unsigned)cap)))
            return -1;
        if (capng_have_capability(CAPNG_INHERITABLE, (unsigned)cap) ||
            capng_have_capability(CAPNG_AMBIENT, (unsigned)cap))
            return -1;
        if (started_as_root && capng_have_capability(CAPNG_BOUNDING_SET, (unsigned)cap))
            return -1;
    }
    return 0;
}

/* Real and saved ids the monitor's, effective the workers'. Capabilities
 * survive the change (keep-caps), and are cut to CAP_SYS_RAWIO after. */
static int change_ids(uid_t uid, gid_t gid, uid_t wuid, gid_t wgid, const char **why)
{
    if (prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0) < 0) {
        *why = "PR_SET_KEEPCAPS";
        return -1;
    }
    if (setgroups(0, NULL) < 0) {
        *why = "setgroups";
        return -1;
    }
    if (setresgid(gid, wgid, gid) < 0) {
        *why = "setresgid";
        return -1;
    }
    if (setresuid(uid, wuid, uid) < 0) {
        *why = "setresuid";
        return -1;
    }
    prctl(PR_SET_KEEPCAPS, 0, 0, 0, 0);
    return 0;
}

int prh_drop_privileges(uid_t uid, gid_t gid, uid_t worker_uid, gid_t worker_gid,
                        unsigned keep, const char **why)
{
    int started_as_root = getuid() == 0 || geteuid() == 0;

    if ((keep & PRH_KEEP_SYS_ADMIN) && !started_as_root) {
        if (capng_get_caps_process() != 0 || capng_have_capability(CAPNG_PERMITTED, CAP_SYS_ADMIN) != 1) {
            *why = "--keep-sys-admin, but CAP_SYS_ADMIN is not ours to keep";
            errno = EPERM;
            return -1;
        }
    }
    capng_clear(CAPNG_SELECT_ALL);
    if (((keep & PRH_KEEP_SYS_RAWIO) &&
         capng_update(CAPNG_ADD, CAPNG_EFFECTIVE | CAPNG_PERMITTED, CAP_SYS_RAWIO) < 0) ||
        ((keep & PRH_KEEP_SYS_ADMIN) &&
         capng_update(CAPNG_ADD, CAPNG_EFFECTIVE | CAPNG_PERMITTED, CAP_SYS_ADMIN) < 0)) {
        *why = "capng_update";
        return -1;
    }
    if (started_as_root) {
        /* The bounding set empties while CAP_SETPCAP is still ours. */
        if (capng_apply(CAPNG_SELECT_BOUNDS) < 0) {
            *why = "clearing the bounding set";
            errno = EPERM;
            return -1;
        }
        /* KEEP_CAPS for change_ids(), which clears it again. */
        if (prctl(PR_SET_SECUREBITS, LOCKED_SECUREBITS | SECBIT_KEEP_CAPS, 0, 0, 0) < 0) {
            *why = "PR_SET_SECUREBITS";
            return -1;
        }
    } else if (getuid() != uid || getgid() != gid) {
        /* Started unprivileged (systemd User= plus AmbientCapabilities=):
         * the real ids stay. */
        *why = "changing user without root";
        errno = EPERM;
        return -1;
    }
    if ((uid != worker_uid || gid != worker_gid || started_as_root) &&
        change_ids(uid, gid, worker_uid, worker_gid, why) < 0)
        return -1;
    if (!started_as_root && setgroups(0, NULL) < 0 && errno != EPERM) {
        *why = "setgroups";
        return -1;
    }
    if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) < 0 && errno != EINVAL) {
        *why = "clearing ambient capabilities";
        return -1;
    }
    /* Unprivileged we may lack CAP_SETPCAP: then the bounding set stays as
     * systemd limited it, which grants nothing more. */
    if (capng_apply(CAPNG_SELECT_BOTH) < 0 && capng_apply(CAPNG_SELECT_CAPS) < 0) {
        *why = "capng_apply";
        errno = EPERM;
        return -1;
    }
    if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) < 0) {
        *why = "PR_SET_DUMPABLE";
        return -1;
    }
    if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0) {
        *why = "PR_SET_NO_NEW_PRIVS";
        return -1;
    }
    if (verify(uid, gid, worker_uid, worker_gid, keep, started_as_root) < 0) {
        *why = "privileges differ from the intended set after the drop";
        errno = EPERM;
        return -1;
    }
    return 0;
}
