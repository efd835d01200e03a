/* The monitor's privilege drop: after it, a non-root uid holding only
 * CAP_SYS_RAWIO (effective and permitted), empty bounding, inheritable and
 * ambient sets, no_new_privs, not dumpable. */
#ifndef PRH_PRIVDROP_H
#define PRH_PRIVDROP_H

#include <sys/types.h>

#define PRH_NOBODY 65534

/* Resolves -u/-g (names or numbers). Without -u: 65534. Without -g: the
 * user's primary group when -u names one, else 65534. Returns 0, or -1
 * with one line in err. */
int prh_resolve_ids(const char *user, const char *group, uid_t *uid, gid_t *gid,
                    char *err, size_t errlen);

/* A group name or number. Returns 0, or -1 with one line in err. */
int prh_resolve_group(const char *group, gid_t *gid, char *err, size_t errlen);

/* Returns 0, or -1 with the failing step in *why (errno set). */
int prh_drop_privileges(uid_t uid, gid_t gid, const char **why);

#endif
