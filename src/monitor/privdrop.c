#include "privdrop.h"

#include <cap-ng.h>
#include <errno.h>
#include <grp.h>
#include <limits.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
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

int prh_resolve_ids(const char *user, const char *group, uid_t *uid, gid_t *gid,
                    char *err, size_t errlen)
{
    unsigned long n;

    *uid = PRH_NOBODY;
    *gid = PRH_NOBODY;
    if (user) {
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
    return 0;
}

/* Read back what the kernel holds, rather than trusting the calls above.
 * Started unprivileged, we cannot shed supplementary groups or a bounding
 * set that systemd limited to CAP_SYS_RAWIO; neither lets us gain more. */
static int verify(uid_t uid, gid_t gid, int started_as_root)
{
    uid_t r, e, s;
    gid_t rg, eg, sg;
    if (getresuid(&r, &e, &s) < 0 || r != uid || e != uid || s != uid)
        return -1;
    if (getresgid(&rg, &eg, &sg) < 0 || rg != gid || eg != gid || sg != gid)
        return -1;
    if (started_as_root && getgroups(0, NULL) != 0)
        return -1;
    capng_get_caps_process();
    if (capng_have_capability(CAPNG_EFFECTIVE, CAP_SYS_RAWIO) != 1 ||
        capng_have_capability(CAPNG_PERMITTED, CAP_SYS_RAWIO) != 1)
        return -1;
    for (int cap = 0; cap <= CAP_LAST_CAP; cap++) {
        if (cap != CAP_SYS_RAWIO &&
            (capng_have_capability(CAPNG_EFFECTIVE, (unsigned)cap) ||
             capng_have_capability(CAPNG_PERMITTED, (unsigned)cap)))
            return -1;
        if (capng_have_capability(CAPNG_INHERITABLE, (unsigned)cap) ||
            capng_have_capability(CAPNG_AMBIENT, (unsigned)cap))
            return -1;
        if (capng_have_capability(CAPNG_BOUNDING_SET, (unsigned)cap) &&
            (started_as_root || cap != CAP_SYS_RAWIO))
            return -1;
    }
    return 0;
}

int prh_drop_privileges(uid_t uid, gid_t gid, const char **why)
{
    int started_as_root = getuid() == 0 || geteuid() == 0;

    capng_clear(CAPNG_SELECT_ALL);
    if (capng_update(CAPNG_ADD, CAPNG_EFFECTIVE | CAPNG_PERMITTED, CAP_SYS_RAWIO) < 0) {
        *why = "capng_update";
        return -1;
    }
    if (started_as_root) {
        /* Keeps CAP_SYS_RAWIO across the uid change, empties the bounding
         * and ambient sets, drops supplementary groups. */
        int rc = capng_change_id((int)uid, (int)gid,
                                 CAPNG_DROP_SUPP_GRP | CAPNG_CLEAR_BOUNDING | CAPNG_CLEAR_AMBIENT);
        if (rc != 0) {
            *why = "capng_change_id";
            errno = errno ? errno : EPERM;
            return -1;
        }
    } else {
        /* Started unprivileged with the capability (systemd User= plus
         * AmbientCapabilities=): the ids stay, the sets still shrink. */
        if (getuid() != uid || getgid() != gid) {
            *why = "changing user without root";
            errno = EPERM;
            return -1;
        }
        if (setgroups(0, NULL) < 0 && errno != EPERM) {
            *why = "setgroups";
            return -1;
        }
        if (capng_apply(CAPNG_SELECT_ALL) < 0 && capng_apply(CAPNG_SELECT_CAPS) < 0) {
            *why = "capng_apply";
            errno = EPERM;
            return -1;
        }
    }
    if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) < 0) {
        *why = "PR_SET_DUMPABLE";
        return -1;
    }
    if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0) {
        *why = "PR_SET_NO_NEW_PRIVS";
        return -1;
    }
    if (verify(uid, gid, started_as_root) < 0) {
        *why = "privileges differ from the intended set after the drop";
        errno = EPERM;
        return -1;
    }
    return 0;
}
