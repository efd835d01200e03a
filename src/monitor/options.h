/* The monitor's command line: qemu-pr-helper's options with the same
 * meaning, plus --timeout, --worker and --max-clients. */
#ifndef PRH_OPTIONS_H
#define PRH_OPTIONS_H

#include <stddef.h>

#include "defaults.h"

#ifndef PRH_LIBEXECDIR
#define PRH_LIBEXECDIR "/usr/libexec/prhelper"
#endif

#define PRH_DEFAULT_PIDFILE "/run/prhelper.pid"
#define PRH_DEFAULT_WORKER PRH_LIBEXECDIR "/prhelper-worker"
/* Well above qemu-pr-helper's 1 ms (which block devices raise to 7 s and
 * /dev/sg does not), below the 30 s most guests give a SCSI command. */
#define PRH_DEFAULT_TIMEOUT_S 20
#define PRH_MAX_TIMEOUT_S 3600
#define PRH_DEFAULT_MAX_CLIENTS 512
#define PRH_MAX_CLIENTS_LIMIT 65536
/* Per-uid and per-cgroup default: a quarter of --max-clients, so one
 * local user, or one VM (a cgroup under libvirt and KubeVirt, where every
 * VM's QEMU may run as one uid), cannot take every slot. */
#define PRH_PER_UID_DIVISOR 4
/* Workers kept started and sandboxed for the next connections. */
#define PRH_DEFAULT_SPARE_WORKERS 4
#define PRH_MAX_SPARE_WORKERS 256

enum prh_action { PRH_RUN, PRH_SHOW_HELP, PRH_SHOW_VERSION };

struct prh_options {
    enum prh_action action;
    const char *socket_path;
    int socket_path_set;
    const char *pidfile;
    int pidfile_set;
    int daemonize;
    int verbosity; /* -q: -1, default 0, each -v adds one */
    const char *user;
    const char *group;
    unsigned timeout_s;
    const char *worker_path;
    unsigned max_clients;
    unsigned max_per_uid;   /* 0 until parsed: then max_clients / 4, at least 1 */
    unsigned max_per_cgroup; /* 0 until parsed: as max_per_uid */
    const char *socket_group; /* NULL: socket mode 0600 */
    const char *worker_user;  /* NULL: privdrop.h's default */
    unsigned spare_workers;
    int keep_sys_admin; /* block PR ioctls on kernels before 6.5 */
    int no_capabilities; /* route.h's NO_CAPS mode */
    int trace_given; /* -T is accepted and ignored */
};

/* Parses argv. Returns 0, or -1 with one line (no newline) in err. */
int prh_options_parse(int argc, char **argv, struct prh_options *o, char *err,
                      size_t errlen);

void prh_options_usage(const char *argv0);

#endif
