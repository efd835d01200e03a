#include "options.h"
#include "privdrop.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { OPT_TIMEOUT = 256, OPT_WORKER, OPT_MAX_CLIENTS, OPT_MAX_PER_UID, OPT_MAX_PER_CGROUP, OPT_SOCKET_GROUP,
       OPT_WORKER_USER, OPT_SPARE_WORKERS, OPT_KEEP_SYS_ADMIN, OPT_NO_CAPABILITIES };

static const struct option long_options[] = {
    {"help", no_argument, NULL, 'h'},
    {"version", no_argument, NULL, 'V'},
    {"daemon", no_argument, NULL, 'd'},
    {"pidfile", required_argument, NULL, 'f'},
    {"socket", required_argument, NULL, 'k'},
    {"trace", required_argument, NULL, 'T'},
    {"user", required_argument, NULL, 'u'},
    {"group", required_argument, NULL, 'g'},
    {"quiet", no_argument, NULL, 'q'},
    {"verbose", no_argument, NULL, 'v'},
    {"timeout", required_argument, NULL, OPT_TIMEOUT},
    {"worker", required_argument, NULL, OPT_WORKER},
    {"max-clients", required_argument, NULL, OPT_MAX_CLIENTS},
    {"max-clients-per-uid", required_argument, NULL, OPT_MAX_PER_UID},
    {"max-clients-per-cgroup", required_argument, NULL, OPT_MAX_PER_CGROUP},
    {"socket-group", required_argument, NULL, OPT_SOCKET_GROUP},
    {"worker-user", required_argument, NULL, OPT_WORKER_USER},
    {"spare-workers", required_argument, NULL, OPT_SPARE_WORKERS},
    {"keep-sys-admin", no_argument, NULL, OPT_KEEP_SYS_ADMIN},
    {"no-capabilities", no_argument, NULL, OPT_NO_CAPABILITIES},
    {NULL, 0, NULL, 0},
};

/* The option getopt stopped at: "-x" inside a group like "-dx", or the
 * long option as written. */
static const char *offending(char **argv, char *buf, size_t len)
{
    const char *arg = argv[optind - 1];
    if (strncmp(arg, "--", 2) == 0 || optopt <= 0 || optopt > 127)
        return arg;
    snprintf(buf, len, "-%c", optopt);
    return buf;
}

static int parse_unsigned(const char *s, unsigned min, unsigned max, unsigned *out)
{
    char *end;
    errno = 0;
    if (*s < '0' || *s > '9')
        return -1;
    unsigned long v = strtoul(s, &end, 10);
    if (errno || *end || v < min || v > max)
        return -1;
    *out = (unsigned)v;
    return 0;
}

/* optarg as a number in [min, max], or one line: "OPT wants WHAT from ...". */
static int number_arg(const char *opt, const char *what, unsigned min, unsigned max,
                      unsigned *out, char *err, size_t errlen)
{
    if (parse_unsigned(optarg, min, max, out) == 0)
        return 0;
    snprintf(err, errlen, "%s wants %s from %u to %u: %s", opt, what, min, max, optarg);
    return -1;
}

int prh_options_parse(int argc, char **argv, struct prh_options *o, char *err,
                      size_t errlen)
{
    char name[8];
    int ch;

    *o = (struct prh_options){
        .action = PRH_RUN,
        .socket_path = PRH_DEFAULT_SOCKET,
        .pidfile = PRH_DEFAULT_PIDFILE,
        .timeout_s = PRH_DEFAULT_TIMEOUT_S,
        .worker_path = PRH_DEFAULT_WORKER,
        .max_clients = PRH_DEFAULT_MAX_CLIENTS,
        .spare_workers = PRH_DEFAULT_SPARE_WORKERS,
    };
    optind = 0; /* reset getopt, also between unit tests */
    opterr = 0;
    while ((ch = getopt_long(argc, argv, ":hVdf:k:T:u:g:qv", long_options, NULL)) != -1) {
        switch (ch) {
        case 'h':
            o->action = PRH_SHOW_HELP;
            return 0;
        case 'V':
            o->action = PRH_SHOW_VERSION;
            return 0;
        case 'd':
            o->daemonize = 1;
            break;
        case 'f':
            o->pidfile = optarg;
            o->pidfile_set = 1;
            break;
        case 'k':
            if (optarg[0] != '/') {
                snprintf(err, errlen, "socket path must be absolute: %s", optarg);
                return -1;
            }
            o->socket_path = optarg;
            o->socket_path_set = 1;
            break;
        case 'T':
            o->trace_given = 1;
            break;
        case 'u':
            o->user = optarg;
            break;
        case 'g':
            o->group = optarg;
            break;
        case 'q':
            o->verbosity = -1;
            break;
        case 'v':
            if (o->verbosity < 0)
                o->verbosity = 0;
            o->verbosity++;
            break;
        case OPT_TIMEOUT:
            if (number_arg("--timeout", "seconds", 1, PRH_MAX_TIMEOUT_S, &o->timeout_s, err,
                           errlen) < 0)
                return -1;
            break;
        case OPT_WORKER:
            if (optarg[0] != '/') {
                snprintf(err, errlen, "worker path must be absolute: %s", optarg);
                return -1;
            }
            o->worker_path = optarg;
            break;
        case OPT_MAX_CLIENTS:
            if (number_arg("--max-clients", "a number", 1, PRH_MAX_CLIENTS_LIMIT,
                           &o->max_clients, err, errlen) < 0)
                return -1;
            break;
        case OPT_MAX_PER_UID:
            if (number_arg("--max-clients-per-uid", "a number", 1, PRH_MAX_CLIENTS_LIMIT,
                           &o->max_per_uid, err, errlen) < 0)
                return -1;
            break;
        case OPT_MAX_PER_CGROUP:
            if (number_arg("--max-clients-per-cgroup", "a number", 1, PRH_MAX_CLIENTS_LIMIT,
                           &o->max_per_cgroup, err, errlen) < 0)
                return -1;
            break;
        case OPT_SOCKET_GROUP:
            o->socket_group = optarg;
            break;
        case OPT_WORKER_USER:
            o->worker_user = optarg;
            break;
        case OPT_SPARE_WORKERS:
            if (number_arg("--spare-workers", "a number", 0, PRH_MAX_SPARE_WORKERS,
                           &o->spare_workers, err, errlen) < 0)
                return -1;
            break;
        case OPT_KEEP_SYS_ADMIN:
            o->keep_sys_admin = 1;
            break;
        case OPT_NO_CAPABILITIES:
            o->no_capabilities = 1;
            break;
        case ':':
            snprintf(err, errlen, "option %s needs an argument", offending(argv, name, sizeof(name)));
            return -1;
        default:
            snprintf(err, errlen, "unknown option %s (try --help)", offending(argv, name, sizeof(name)));
            return -1;
        }
    }
    if (o->no_capabilities && (o->keep_sys_admin || o->worker_user)) {
        snprintf(err, errlen, "--no-capabilities keeps no capability and its workers share"
                 " the monitor's user: --%s does not go with it",
                 o->keep_sys_admin ? "keep-sys-admin" : "worker-user");
        return -1;
    }
    if (optind < argc) {
        snprintf(err, errlen, "unexpected argument: %s", argv[optind]);
        return -1;
    }
    if (o->max_per_uid == 0)
        o->max_per_uid = o->max_clients / PRH_PER_UID_DIVISOR ? o->max_clients / PRH_PER_UID_DIVISOR : 1;
    if (o->max_per_cgroup == 0)
        o->max_per_cgroup = o->max_clients / PRH_PER_UID_DIVISOR ? o->max_clients / PRH_PER_UID_DIVISOR : 1;
    return 0;
}

void prh_options_usage(const char *argv0)
{
    printf("Usage: %s [OPTIONS]\n"
           "Privilege-separated SCSI persistent reservation helper for QEMU\n"
           "\n"
           "  -h, --help                display this help and exit\n"
           "  -V, --version             output version information and exit\n"
           "\n"
           "  -d, --daemon              run in the background\n"
           "  -f, --pidfile=PATH        PID file (written with -d or -f;\n"
           "                            default '%s')\n"
           "  -k, --socket=PATH         path to the unix socket, mode 0600\n"
           "                            (default '%s')\n"
           "      --socket-group=GROUP  socket mode 0660 with this group (e.g. kvm)\n"
           "  -T, --trace=PATTERN       accepted for compatibility, ignored\n"
           "  -u, --user=USER           user to run as (default '" PRH_USER "' if it\n"
           "                            exists, else 65534)\n"
           "      --worker-user=USER    user the workers run as (default\n"
           "                            '" PRH_WORKER_USER "' if it exists, else 65534)\n"
           "  -g, --group=GROUP         group to run as (default: USER's group,\n"
           "                            else 65534)\n"
           "  -q, --quiet               log errors and warnings only\n"
           "  -v, --verbose             log every command (twice: debug)\n"
           "      --timeout=SECONDS     SG_IO timeout (default %u)\n"
           "      --worker=PATH         worker binary (default '%s')\n"
           "      --max-clients=N       concurrent connections (default %u)\n"
           "      --max-clients-per-uid=N\n"
           "                            connections one peer uid may hold\n"
           "                            (default: a quarter of --max-clients)\n"
           "      --max-clients-per-cgroup=N\n"
           "                            connections one peer cgroup (a VM) may hold\n"
           "                            (default: a quarter of --max-clients)\n"
           "      --spare-workers=N     workers kept ready for new connections\n"
           "                            (default %u)\n"
           "      --keep-sys-admin      keep CAP_SYS_ADMIN too: kernels before 6.5\n"
           "                            allow reservations on multipath maps only\n"
           "                            with it (see SECURITY.md)\n"
           "      --no-capabilities     no process keeps any capability: each worker\n"
           "                            issues the block layer's PR ioctls on its\n"
           "                            client's fd (Linux 6.19; see prhelper(8))\n",
           argv0, PRH_DEFAULT_PIDFILE, PRH_DEFAULT_SOCKET, PRH_DEFAULT_TIMEOUT_S,
           PRH_DEFAULT_WORKER, PRH_DEFAULT_MAX_CLIENTS, PRH_DEFAULT_SPARE_WORKERS);
}
