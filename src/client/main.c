/* prhelper-client: sends one persistent-reservation command through a
 * pr-helper socket, the way QEMU's pr-manager-helper does, and prints the
 * answer. For administrators and for testing helpers. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "commands.h"
#include "defaults.h"
#include "decode.h"
#include "print.h"
#include "fdio.h"
#include "helper_conn.h"
#include "scsi.h"


enum { EXIT_GOOD = 0, EXIT_STATUS = 1, EXIT_USAGE = 2, EXIT_CONN = 3 };

struct options {
    const char *socket_path, *device;
    const struct prh_command *cmd;
    const char *raw_cdb, *raw_param;
    int json, aptpl, access; /* access: 0 default, else O_RDONLY/O_RDWR + 1 */
    long alloc_len;          /* -1 when not given */
    unsigned given;          /* PRH_NEED_* bits for options present */
    uint64_t key, sa_key;
    uint8_t type;
};

/* A request ready to send. */
struct request {
    uint8_t cdb[PRH_CDB_SIZE];
    uint8_t param[PRH_DATA_MAX];
    size_t param_len;
};

static void usage(FILE *out)
{
    fprintf(out,
        "Usage: prhelper-client [OPTIONS] DEVICE COMMAND [ARGS]\n"
        "Send one persistent reservation command to DEVICE through a pr-helper.\n\n"
        "Options:\n"
        "  -k, --socket SOCK      helper socket (default " PRH_DEFAULT_SOCKET ")\n"
        "      --json             print one JSON object\n"
        "      --alloc-length N   PR IN allocation length, 0-8192 (default 8192)\n"
        "      --read-only        open DEVICE read-only (default for PR IN)\n"
        "      --read-write       open DEVICE read-write (default for PR OUT)\n"
        "      --key K            reservation key (hex)\n"
        "      --sa-key SK        service action reservation key (hex)\n"
        "      --type T           1-15 or wr-ex, ex-ac, wr-ex-ro, ex-ac-ro,\n"
        "                         wr-ex-ar, ex-ac-ar (also we, ea, we-ro, ...)\n"
        "      --aptpl            set APTPL in the parameter list\n"
        "  -h, --help             show this help\n"
        "  -V, --version          show the version\n\n"
        "Commands:\n"
        "  read-keys | read-reservation | report-capabilities | read-full-status\n"
        "  register [--key K] --sa-key SK     register-ignore --sa-key SK\n"
        "  reserve --key K --type T           release --key K --type T\n"
        "  clear --key K\n"
        "  preempt --key K --sa-key SK --type T\n"
        "  preempt-abort --key K --sa-key SK --type T\n"
        "  raw CDBHEX [PARAMHEX]              send bytes as given\n\n"
        "Exit status: 0 GOOD, 1 other SCSI status, 2 usage, 3 connection or\n"
        "protocol error.\n");
}

__attribute__((format(printf, 2, 3)))
static int fail(int code, const char *fmt, ...)
{
    va_list ap;
    fputs("prhelper-client: ", stderr);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    return code;
}

/* Checks that the command got exactly the key/type options it uses. */
static int check_pr_options(const struct options *o)
{
    static const char *const names[] = {"--key", "--sa-key", "--type"};
    unsigned needs = o->cmd->kind == PRH_CMD_PR_OUT ? o->cmd->needs : 0;
    unsigned accepts = needs | (needs & PRH_OPT_KEY ? PRH_NEED_KEY : 0);

    for (unsigned i = 0; i < 3; i++) {
        unsigned bit = 1u << i;
        if ((o->given & bit) && !(accepts & bit))
            return fail(EXIT_USAGE, "%s does not apply to %s", names[i], o->cmd->name);
        if ((needs & bit) && !(o->given & bit))
            return fail(EXIT_USAGE, "%s needs %s", o->cmd->name, names[i]);
    }
    if (o->aptpl && o->cmd->kind != PRH_CMD_PR_OUT)
        return fail(EXIT_USAGE, "--aptpl does not apply to %s", o->cmd->name);
    if (o->alloc_len >= 0 && o->cmd->kind != PRH_CMD_PR_IN)
        return fail(EXIT_USAGE, "--alloc-length does not apply to %s", o->cmd->name);
    return 0;
}

/* Fills o from argv; returns 0, or the exit status to leave with. */
static int parse_args(int argc, char **argv, struct options *o)
{
    enum { OPT_JSON = 256, OPT_ALLOC, OPT_RO, OPT_RW, OPT_KEY, OPT_SA_KEY,
           OPT_TYPE, OPT_APTPL };
    static const struct option longopts[] = {
        {"socket", required_argument, NULL, 'k'},
        {"help", no_argument, NULL, 'h'},
        {"version", no_argument, NULL, 'V'},
        {"json", no_argument, NULL, OPT_JSON},
        {"alloc-length", required_argument, NULL, OPT_ALLOC},
        {"read-only", no_argument, NULL, OPT_RO},
        {"read-write", no_argument, NULL, OPT_RW},
        {"key", required_argument, NULL, OPT_KEY},
        {"sa-key", required_argument, NULL, OPT_SA_KEY},
        {"type", required_argument, NULL, OPT_TYPE},
        {"aptpl", no_argument, NULL, OPT_APTPL},
        {NULL, 0, NULL, 0},
    };
    int c;
    char *end;

    opterr = 0; /* our own messages, with our prefix */
    while ((c = getopt_long(argc, argv, ":k:hV", longopts, NULL)) != -1) {
        switch (c) {
        case 'k': o->socket_path = optarg; break;
        case 'h': usage(stdout); return -1;
        case 'V': printf("prhelper-client " PRH_VERSION "\n"); return -1;
        case OPT_JSON: o->json = 1; break;
        case OPT_RO: o->access = O_RDONLY + 1; break;
        case OPT_RW: o->access = O_RDWR + 1; break;
        case OPT_APTPL: o->aptpl = 1; break;
        case OPT_ALLOC:
            errno = 0;
            o->alloc_len = strtol(optarg, &end, 0);
            if (errno || end == optarg || *end || o->alloc_len < 0 ||
                o->alloc_len > PRH_DATA_MAX)
                return fail(EXIT_USAGE, "--alloc-length must be 0-%d", PRH_DATA_MAX);
            break;
        case OPT_KEY:
        case OPT_SA_KEY:
            if (prh_parse_key(optarg, c == OPT_KEY ? &o->key : &o->sa_key) < 0)
                return fail(EXIT_USAGE, "invalid key '%s' (up to 16 hex digits)", optarg);
            o->given |= c == OPT_KEY ? PRH_NEED_KEY : PRH_NEED_SA_KEY;
            break;
        case OPT_TYPE:
            if (prh_parse_type(optarg, &o->type) < 0)
                return fail(EXIT_USAGE, "invalid reservation type '%s'", optarg);
            o->given |= PRH_NEED_TYPE;
            break;
        case ':':
            return fail(EXIT_USAGE, "option %s needs an argument", argv[optind - 1]);
        default:
            if (optopt)
                return fail(EXIT_USAGE, "unknown option -%c (try --help)", optopt);
            return fail(EXIT_USAGE, "unknown option %s (try --help)", argv[optind - 1]);
        }
    }

    int left = argc - optind;
    if (left < 2)
        return fail(EXIT_USAGE, "need DEVICE and COMMAND (try --help)");
    o->device = argv[optind];
    o->cmd = prh_command_find(argv[optind + 1]);
    if (!o->cmd)
        return fail(EXIT_USAGE, "unknown command '%s' (try --help)", argv[optind + 1]);
    if (o->cmd->kind == PRH_CMD_RAW) {
        if (left < 3 || left > 4)
            return fail(EXIT_USAGE, "raw needs CDBHEX and optionally PARAMHEX");
        o->raw_cdb = argv[optind + 2];
        o->raw_param = left == 4 ? argv[optind + 3] : NULL;
    } else if (left > 2) {
        return fail(EXIT_USAGE, "unexpected argument '%s'", argv[optind + 2]);
    }
    return check_pr_options(o);
}

static int build_request(const struct options *o, struct request *rq)
{
    size_t len;

    memset(rq, 0, sizeof(*rq));
    switch (o->cmd->kind) {
    case PRH_CMD_PR_IN:
        prh_build_pr_in(rq->cdb, o->cmd->service_action,
                        (uint16_t)(o->alloc_len < 0 ? PRH_DEFAULT_ALLOC_LEN : o->alloc_len));
        break;
    case PRH_CMD_PR_OUT:
        prh_build_pr_out(rq->cdb, rq->param, o->cmd->service_action, o->type,
                         o->key, o->sa_key, o->aptpl);
        rq->param_len = PRH_PROUT_PARAM_LEN;
        break;
    case PRH_CMD_RAW:
        /* Zero padding to 16 bytes comes from the memset above. */
        if (prh_parse_hex(o->raw_cdb, rq->cdb, PRH_CDB_SIZE, &len) < 0 || len == 0)
            return fail(EXIT_USAGE, "CDBHEX must be 1-16 bytes of hex");
        if (o->raw_param &&
            prh_parse_hex(o->raw_param, rq->param, sizeof(rq->param), &rq->param_len) < 0)
            return fail(EXIT_USAGE, "PARAMHEX must be at most %d bytes of hex",
                        PRH_DATA_MAX);
        break;
    }
    return 0;
}

/* PR IN only reads; everything else may change the device. */
static int open_flags(const struct options *o, const struct request *rq)
{
    if (o->access)
        return o->access - 1;
    return rq->cdb[0] == PRH_OP_PR_IN ? O_RDONLY : O_RDWR;
}

/* Connects, sends rq and prints the reply; returns the exit status. */
static int run(const struct options *o, const struct request *rq, int devfd)
{
    uint32_t supported = 0;
    uint8_t buf[PRH_HELPER_BUF_SIZE];
    struct prh_client_reply reply;
    int rc, sock = prh_helper_open(o->socket_path);

    if (sock < 0)
        return fail(EXIT_CONN, "cannot connect to %s: %s", o->socket_path, strerror(errno));
    rc = prh_helper_handshake(sock, &supported);
    if (rc != PRH_HELPER_OK)
        rc = fail(EXIT_CONN, "handshake: %s", prh_helper_strerror(rc));
    else if ((rc = prh_helper_send(sock, rq->cdb, devfd, rq->param, rq->param_len)) != PRH_HELPER_OK)
        rc = fail(EXIT_CONN, "sending the command: %s", prh_helper_strerror(rc));
    else if ((rc = prh_helper_recv_reply(sock, rq->cdb, buf, &reply)) == PRH_HELPER_MALFORMED)
        rc = fail(EXIT_CONN, "malformed reply (status %d, payload size %u)",
                  (int)reply.status, (unsigned)reply.size);
    else if (rc != PRH_HELPER_OK)
        rc = fail(EXIT_CONN, "reading the reply: %s", prh_helper_strerror(rc));
    else {
        prh_print_reply(o->cmd->name, rq->cdb, &reply, o->cmd->kind == PRH_CMD_RAW,
                        stdout, o->json);
        rc = reply.status == PRH_GOOD ? EXIT_GOOD : EXIT_STATUS;
    }
    prh_close(sock);
    return rc;
}

int main(int argc, char **argv)
{
    struct options o = {.socket_path = PRH_DEFAULT_SOCKET, .alloc_len = -1};
    struct request rq;
    signal(SIGPIPE, SIG_IGN); /* a helper gone mid-write is EPIPE */
    int rc = parse_args(argc, argv, &o);

    if (rc != 0)
        return rc < 0 ? EXIT_GOOD : rc; /* -1: --help, --version */
    if ((rc = build_request(&o, &rq)) != 0)
        return rc;

    int devfd = open(o.device, open_flags(&o, &rq) | O_CLOEXEC | O_NOCTTY);
    if (devfd < 0)
        return fail(EXIT_CONN, "cannot open %s: %s", o.device, strerror(errno));
    rc = run(&o, &rq, devfd);
    prh_close(devfd);
    if (fflush(stdout) != 0 || ferror(stdout))
        return fail(EXIT_CONN, "writing output: %s", strerror(errno));
    return rc;
}
