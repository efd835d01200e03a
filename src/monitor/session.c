#include "session.h"

#include <errno.h>
#include <stdarg.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <time.h>
#include <unistd.h>

#include "cgroup.h"
#include "devfacts.h"
#include "execute.h"
#include "fshelper.h"
#include "fdio.h"
#include "ipc.h"
#include "log.h"
#include "peercgroup.h"
#include "reply.h"
#include "route.h"
#include "scsi.h"
#include "spawner.h"
#include "validate.h"

#define SESSION_STACK_SIZE (256 * 1024)
#define SPARE_RETRY_S 2

/* What clients may make us log (ratelimit.h): each connection 20 lines in
 * a row, then 2 a second; all clients together 200, then 50 a second,
 * well under journald's default of 10000 per 30 s for the unit. */
#define CONN_LINES_BURST 20
#define CONN_LINES_PER_S 2
#define CLIENT_LINES_BURST 200
#define CLIENT_LINES_PER_S 50

struct prh_session {
    struct prh_session *next, *prev;
    struct prh_monitor *mon;
    pthread_cond_t assigned;  /* a ready session waits here for its client */
    unsigned long id;
    int client_fd;            /* kept to stop the client's input at shutdown */
    int ipc_fd;
    pid_t worker;
    int pidfd;                /* the worker's: its request fds are taken through it */
    int lifeline;             /* no-capability mode: the worker lives while it is open */
    int told_no_getfd;        /* the reason pidfd_getfd fails was logged */
    unsigned cgroup_epoch;    /* the monitor's cgroup when the worker started:
                               * a ready one is listed only while current */
    struct ucred peer;
    uint64_t peer_cgroup;     /* its cgroup id, 0: unknown (peercgroup.h) */
    struct prh_ratelimit lines; /* what this connection may make us log */
    uint8_t record[PRH_IPC_MAX + 1]; /* +1: an oversized record shows */
    struct prh_result result;
};

void prh_monitor_init(struct prh_monitor *m, const struct prh_options *o,
                      const struct prh_spawn_config *spawn)
{
    memset(m, 0, sizeof(*m));
    pthread_mutex_init(&m->lock, NULL);
    m->timeout_ms = o->timeout_s * 1000;
    m->max_clients = o->max_clients;
    m->max_per_uid = o->max_per_uid;
    m->max_per_cgroup = o->max_per_cgroup;
    m->spare_workers = o->spare_workers;
    m->spawn = *spawn;
    m->no_capabilities = o->no_capabilities;
    pthread_mutex_init(&m->log_lock, NULL);
    prh_ratelimit_init(&m->client_lines, CLIENT_LINES_PER_S, CLIENT_LINES_BURST);
}

/* ---- lists (caller holds m->lock) -------------------------------------- */

static void list_add(struct prh_session **head, struct prh_session *s)
{
    s->prev = NULL;
    s->next = *head;
    if (s->next)
        s->next->prev = s;
    *head = s;
}

static void list_remove(struct prh_session **head, struct prh_session *s)
{
    if (s->prev)
        s->prev->next = s->next;
    else
        *head = s->next;
    if (s->next)
        s->next->prev = s->prev;
    s->next = s->prev = NULL;
}

/* A spare that cannot start (memory, threads, processes: TasksMax or
 * RLIMIT_NPROC) rests the spares for SPARE_RETRY_S, on every path: the
 * accept loop asks again only after that. Caller holds m->lock. */
static void spare_failed(struct prh_monitor *m)
{
    clock_gettime(CLOCK_MONOTONIC, &m->spare_failed);
}

/* The monitor moved to another cgroup: the ready workers stay in the old
 * one, so they end (their threads see their epoch is past) and new ones
 * start. */
static void retire_ready(struct prh_monitor *m)
{
    unsigned n = m->nready;
    m->cgroup_epoch++;
    while (m->ready) {
        struct prh_session *s = m->ready;
        list_remove(&m->ready, s);
        m->nready--;
        pthread_cond_signal(&s->assigned);
    }
    prh_log(LOG_INFO, "the monitor moved to another cgroup: %u workers started ahead replaced", n);
}

static unsigned sessions_of_uid(const struct prh_monitor *m, uid_t uid)
{
    unsigned n = 0;
    for (const struct prh_session *s = m->active; s; s = s->next)
        n += s->peer.uid == uid;
    return n;
}

static unsigned sessions_of_cgroup(const struct prh_monitor *m, uint64_t cgroup)
{
    unsigned n = 0;
    for (const struct prh_session *s = m->active; s; s = s->next)
        n += s->peer_cgroup == cgroup;
    return n;
}

/* ---- logging ------------------------------------------------------------ */

/* A line a client caused: within its connection's budget (s, when the line
 * belongs to one) and the budget of all clients, else counted; the counts
 * are said with the next line that passes. */
__attribute__((format(printf, 5, 6)))
static void client_log(struct prh_monitor *m, struct prh_session *s, int prio, const char *fields,
                       const char *fmt, ...)
{
    unsigned long own = 0, all = 0;
    char line[900];
    va_list ap;

    if (!prh_log_enabled(prio))
        return;
    if (s && !prh_ratelimit_take(&s->lines, &own))
        return;
    pthread_mutex_lock(&m->log_lock);
    int ok = prh_ratelimit_take(&m->client_lines, &all);
    pthread_mutex_unlock(&m->log_lock);
    if (!ok)
        return;
    if (all)
        prh_log(LOG_WARNING, "%lu lines caused by clients suppressed (rate limit)", all);
    if (own)
        prh_log(LOG_WARNING, "conn %lu: %lu lines suppressed (rate limit)", s->id, own);
    va_start(ap, fmt);
    vsnprintf(line, sizeof(line), fmt, ap);
    va_end(ap);
    prh_log_with(prio, fields, "%s", line);
}

static const char *opcode_name(uint8_t op)
{
    return op == PRH_OP_PR_IN ? "PR IN" : "PR OUT"; /* the only two (validate.c) */
}

static const char *action_name(uint8_t op, uint8_t sa)
{
    static const char *const in[] = {"READ KEYS", "READ RESERVATION",
                                     "REPORT CAPABILITIES", "READ FULL STATUS"};
    static const char *const out[] = {"REGISTER", "RESERVE", "RELEASE", "CLEAR",
                                      "PREEMPT", "PREEMPT AND ABORT",
                                      "REGISTER AND IGNORE", "REGISTER AND MOVE"};
    if (op == PRH_OP_PR_IN && sa < 4)
        return in[sa];
    if (op == PRH_OP_PR_OUT && sa < 8)
        return out[sa];
    return "UNKNOWN";
}

/* The journal fields of a connection's lines (prhelper(8) lists them). */
static int peer_fields(char *buf, size_t len, const struct prh_session *s)
{
    return snprintf(buf, len, "PRHELPER_CONN=%lu\nPRHELPER_PEER_PID=%d\nPRHELPER_PEER_UID=%u\n"
                    "PRHELPER_PEER_GID=%u\nPRHELPER_PEER_CGROUP=%llu\n", s->id, (int)s->peer.pid,
                    s->peer.uid, s->peer.gid, (unsigned long long)s->peer_cgroup);
}

/* Every PR OUT changes shared storage: always logged. The rest at -v. */
static void log_command(struct prh_session *s, const struct prh_request *req,
                        const struct prh_result *res, long usec)
{
    int prio = res->refusal ? LOG_WARNING : req->cdb[0] == PRH_OP_PR_OUT ? LOG_NOTICE : LOG_INFO;
    if (!prh_log_enabled(prio))
        return;
    struct prh_sense sk = prh_sense_parse(res->ans.sense);
    uint8_t sa = req->cdb[1] & 0x1f;
    const char *op = opcode_name(req->cdb[0]), *action = action_name(req->cdb[0], sa);
    const char *backend = res->backend;
    char op_field[16]; /* "PR OUT" -> PR_OUT */
    snprintf(op_field, sizeof(op_field), "%s", op);
    for (char *c = op_field; *c; c++)
        if (*c == ' ')
            *c = '_';
    char fields[768];
    int n = peer_fields(fields, sizeof(fields), s);
    snprintf(fields + n, sizeof(fields) - (size_t)n,
             "PRHELPER_DEVICE=%u:%u\nPRHELPER_OP=%s\nPRHELPER_SA=%s\nPRHELPER_TYPE=%u\n"
             "PRHELPER_STATUS=0x%02x\nPRHELPER_SENSE=%x/%02x/%02x\nPRHELPER_USEC=%ld\n"
             "PRHELPER_BACKEND=%s\n",
             major(res->rdev), minor(res->rdev), op_field, action,
             req->cdb[2] & 0x0f, (unsigned)res->ans.status, sk.key, sk.asc, sk.ascq, usec, backend);
    client_log(s->mon, s, prio, fields,
                 "conn %lu peer pid %d uid %u gid %u: dev %u:%u %s %s (sa 0x%02x type 0x%x)"
                 " len %u -> status 0x%02x sense %x/%02x/%02x via %s, %ld us%s%s",
                 s->id, (int)s->peer.pid, s->peer.uid, s->peer.gid, major(res->rdev),
                 minor(res->rdev), op, action, sa, req->cdb[2] & 0x0f, req->xfer_len,
                 (unsigned)res->ans.status, sk.key, sk.asc, sk.ascq,
                 strcmp(backend, "none") == 0 ? "none (device untouched)" : backend, usec,
                 res->refusal ? ": refused, the device is " : "", res->refusal ? res->refusal : "");
}

static long elapsed_us(const struct timespec *t0)
{
    struct timespec t1;
    clock_gettime(CLOCK_MONOTONIC, &t1);
    return (t1.tv_sec - t0->tv_sec) * 1000000L + (t1.tv_nsec - t0->tv_nsec) / 1000;
}

/* A worker's NOTICE or GOODBYE, in both modes. Returns 1 for GOODBYE: the
 * session ends. */
static int log_event(struct prh_session *s, enum prh_record_kind kind, uint32_t code)
{
    if (kind == PRH_RECORD_NOTICE) {
        client_log(s->mon, s, LOG_WARNING, NULL, "conn %lu peer pid %d: %s", s->id,
                   (int)s->peer.pid, prh_note_text(code));
        return 0;
    }
    client_log(s->mon, s, code == PRH_CLOSE_CLIENT_EOF ? LOG_INFO : LOG_WARNING, NULL,
               "conn %lu peer pid %d: closed: %s", s->id, (int)s->peer.pid, prh_close_text(code));
    return 1;
}

/* The worker's next record into s->record, in both modes; -1 (logged) when
 * the worker is gone. 0 is EOF, or an empty record, which no sane worker
 * sends. A worker gone with our last reply unread shows as ECONNRESET:
 * the same event. */
static ssize_t next_record(struct prh_session *s, struct prh_received *fds)
{
    ssize_t n = prh_recv_with_fds(s->ipc_fd, s->record, sizeof(s->record), fds);
    if (n > 0)
        return n;
    if (n < 0 && errno != ECONNRESET)
        client_log(s->mon, s, LOG_WARNING, NULL, "conn %lu: worker channel: %s", s->id,
                   strerror(errno));
    else
        client_log(s->mon, s, LOG_INFO, NULL, "conn %lu: worker %d went away", s->id,
                   (int)s->worker);
    prh_received_close(fds);
    return -1;
}

static void log_violation(struct prh_session *s, const char *why)
{
    client_log(s->mon, s, LOG_ERR, NULL, "conn %lu peer pid %d: worker %d violated the protocol"
               " (%s): killing it", s->id, (int)s->peer.pid, (int)s->worker, why);
}

/* ---- serving ------------------------------------------------------------ */

/* Writes the answer to the client, after the check that keeps QEMU's
 * asserts true. Returns 0, or -1 (logged) when the client cannot have it. */
static int answer_client(struct prh_session *s, const struct prh_request *req,
                         const struct prh_result *res)
{
    uint8_t header[PRH_REPLY_HEADER_SIZE];

    if (prh_reply_allowed(req->cdb, req->xfer_len, res->ans.status, res->ans.data_len) < 0) {
        client_log(s->mon, s, LOG_ERR, NULL, "conn %lu: answer (status 0x%x, %u bytes) does not fit the request:"
                " closing the connection", s->id, (unsigned)res->ans.status, res->ans.data_len);
        return -1;
    }
    prh_reply_header_encode(header, res->ans.status, res->ans.data_len, res->ans.sense);
    if (prh_send_all(s->client_fd, header, sizeof(header), res->ans.data, res->ans.data_len) < 0) {
        client_log(s->mon, s, LOG_INFO, NULL, "conn %lu: client gone before its answer: %s", s->id,
                   strerror(errno));
        return -1;
    }
    return 0;
}

/* Runs one command, answers the client, then tells the worker (DONE).
 * Returns 0, or -1 when the worker is gone. A client that cannot have its
 * answer is shut out: its worker then sees EOF and says goodbye. */
static int serve_command(struct prh_session *s, struct prh_request *req)
{
    struct prh_result *res = &s->result;
    struct prh_ipc_event done = {PRH_IPC_DONE, 0};
    struct timespec t0;

    atomic_fetch_add(&s->mon->nbusy, 1);
    clock_gettime(CLOCK_MONOTONIC, &t0);
    prh_execute(req, s->mon->timeout_ms, res);
    prh_close(req->fd); /* the worker still holds its copy: never the last */
    req->fd = -1;
    log_command(s, req, res, elapsed_us(&t0));
    if (answer_client(s, req, res) < 0)
        shutdown(s->client_fd, SHUT_RDWR);
    int rc = prh_send_record(s->ipc_fd, &done, sizeof(done), NULL, 0, -1);
    atomic_fetch_sub(&s->mon->nbusy, 1);
    return rc;
}

/* Takes the request's fd from the worker (pidfd_getfd: workers send no
 * descriptors, ipc.h). Returns 0 with req->fd set; 1 when the kernel or a
 * policy refuses it (req->fd stays -1: answered ABORTED COMMAND, like a
 * helper that cannot reach the device); -1 when the worker named an fd it
 * does not hold, a violation. */
static int take_fd(struct prh_session *s, struct prh_request *req)
{
    req->fd = (int)syscall(SYS_pidfd_getfd, s->pidfd, req->worker_fd, 0);
    if (req->fd >= 0)
        return 0;
    if (errno == EBADF)
        return -1;
    if (!s->told_no_getfd) {
        s->told_no_getfd = 1;
        client_log(s->mon, s, LOG_ERR, NULL, "conn %lu: cannot take the request's fd from worker %d: %s (the"
                " monitor needs ptrace access to its workers: kernel.yama.ptrace_scope 0 or 1,"
                " and an LSM policy that allows it; see SECURITY.md)",
                s->id, (int)s->worker, strerror(errno));
    }
    return 1;
}

/* Serves until the worker says goodbye, goes away or misbehaves. At
 * shutdown too: the worker ends by itself once its client's input stops. */
static void serve(struct prh_session *s)
{
    for (;;) {
        struct prh_received fds;
        struct prh_request req;
        uint32_t code;
        const char *why;

        ssize_t n = next_record(s, &fds);
        if (n < 0)
            return;
        enum prh_record_kind kind = prh_validate_record(s->record, (size_t)n, &fds, &req, &code, &why);
        switch (kind) {
        case PRH_RECORD_NOTICE:
        case PRH_RECORD_GOODBYE:
            if (log_event(s, kind, code))
                return;
            break;
        case PRH_RECORD_COMMAND:
            if (take_fd(s, &req) < 0) {
                client_log(s->mon, s, LOG_ERR, NULL, "conn %lu peer pid %d: worker %d violated the protocol (a"
                        " command naming fd %d, which it does not hold): killing it", s->id,
                        (int)s->peer.pid, (int)s->worker, req.worker_fd);
                return;
            }
            if (serve_command(s, &req) < 0)
                return;
            break;
        default:
            log_violation(s, why);
            return;
        }
    }
}

/* ---- the no-capability mode -------------------------------------------- */

/* Why route.h refused, worded after log_command's "the device is". */
static const char *route_refusal(enum prh_route route, dev_t rdev)
{
    switch (route) {
    case PRH_ROUTE_REFUSED_DEVICE:
        return prh_dev_kind_refusal(prh_fshelper_classify_seq(rdev, 0));
    case PRH_ROUTE_REFUSED_SG_NODE:
        return "an sg node, which has no PR ioctls: give QEMU the disk's block device";
    case PRH_ROUTE_REFUSED_COMMAND:
        return "reached through the block layer's PR ioctls, which cannot express this command";
    case PRH_ROUTE_REFUSED_NO_IOCTL:
        return "without the PR READ ioctls (its kernel or its driver)";
    default:
        return NULL;
    }
}

/* The audit line of a request the worker ran, from its report (every
 * field the worker's word: SECURITY.md). */
static void log_report(struct prh_session *s, const struct prh_ipc_report *r)
{
    struct prh_result *res = &s->result;
    struct prh_request req;

    memset(&req, 0, sizeof(req));
    memcpy(req.cdb, r->cdb, sizeof(req.cdb));
    req.xfer_len = r->xfer_len;
    req.fd = req.worker_fd = -1;
    memset(res->ans.sense, 0, sizeof(res->ans.sense));
    res->ans.status = r->status;
    res->ans.data_len = r->data_len;
    if (r->status == PRH_CHECK_CONDITION)
        prh_sense_build(res->ans.sense, (struct prh_sense){r->sense_key, r->asc, r->ascq});
    res->rdev = makedev(r->major, r->minor);
    res->backend = prh_route_name((enum prh_route)r->route);
    res->refusal = route_refusal((enum prh_route)r->route, res->rdev);
    log_command(s, &req, res, (long)r->usec);
    if (r->err == EPERM && r->cdb[0] == PRH_OP_PR_OUT)
        client_log(s->mon, s, LOG_WARNING, NULL, "conn %lu: dev %u:%u refused a PR ioctl (EPERM):"
                   " a partition, or a kernel before 6.5", s->id, r->major, r->minor);
}

/* The worker's questions and reports, until it says goodbye, goes away or
 * misbehaves. */
static void serve_own(struct prh_session *s)
{
    for (;;) {
        struct prh_received fds;
        struct prh_own_record rec;
        uint32_t code;
        const char *why;

        ssize_t n = next_record(s, &fds);
        if (n < 0)
            return;
        enum prh_record_kind kind = prh_validate_own_record(s->record, (size_t)n, &fds, &rec, &code, &why);
        switch (kind) {
        case PRH_RECORD_NOTICE:
        case PRH_RECORD_GOODBYE:
            if (log_event(s, kind, code))
                return;
            break;
        case PRH_RECORD_CLASSIFY: {
            dev_t rdev = makedev(rec.classify.major, rec.classify.minor);
            enum prh_dev_kind dk = prh_fshelper_classify_seq(rdev, rec.classify.diskseq);
            struct prh_ipc_event ev = {PRH_IPC_CLASS, prh_dev_kind_class(dk)};
            if (prh_send_record(s->ipc_fd, &ev, sizeof(ev), NULL, 0, -1) < 0)
                return;
            break;
        }
        case PRH_RECORD_REPORT:
            log_report(s, &rec.report);
            break;
        default:
            log_violation(s, why);
            return;
        }
    }
}

/* ---- lifecycle ---------------------------------------------------------- */

static int spawn(struct prh_session *s)
{
    int pair[2];
    if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, pair) < 0)
        return -1;
    if (s->mon->no_capabilities)
        s->worker = prh_spawner_spawn(pair[1], &s->lifeline);
    else
        s->worker = prh_spawn_worker(&s->mon->spawn, pair[1], &s->pidfd);
    prh_close(pair[1]);
    if (s->worker < 0) {
        prh_close(pair[0]);
        return -1;
    }
    s->ipc_fd = pair[0];
    return 0;
}

static int assign(struct prh_session *s)
{
    struct prh_ipc_event ev = {PRH_IPC_ASSIGN, 0};
    return prh_send_record(s->ipc_fd, &ev, sizeof(ev), NULL, 0, s->client_fd);
}

/* Gives the client to the session's worker: the ready one if it took it,
 * else (none yet, or it died while it waited) a new one. */
static int hand_over(struct prh_session *s)
{
    if (s->ipc_fd >= 0 && assign(s) == 0)
        return 0;
    prh_close(s->ipc_fd);
    prh_close(s->pidfd);
    prh_close(s->lifeline); /* that worker dies */
    s->ipc_fd = s->pidfd = s->lifeline = -1;
    return spawn(s) < 0 ? -1 : assign(s);
}

static void session_free(struct prh_session *s)
{
    prh_close(s->ipc_fd);
    prh_close(s->pidfd);
    prh_close(s->lifeline);
    prh_close(s->client_fd);
    pthread_cond_destroy(&s->assigned);
    free(s);
}

/* Ready sessions: start the worker, then wait for a client (or the stop).
 * Returns 1 with a client assigned; 0 when the session must end. */
static int wait_for_client(struct prh_session *s)
{
    struct prh_monitor *m = s->mon;
    pthread_mutex_lock(&m->lock);
    s->cgroup_epoch = m->cgroup_epoch;
    pthread_mutex_unlock(&m->lock);
    int ok = spawn(s) == 0;
    if (!ok)
        prh_log(LOG_ERR, "cannot start a worker: %s", strerror(errno));
    pthread_mutex_lock(&m->lock);
    m->nstarting--;
    if (!ok)
        spare_failed(m);
    if (ok && s->cgroup_epoch != m->cgroup_epoch)
        ok = 0; /* the monitor moved while this worker started */
    if (ok) {
        list_add(&m->ready, s);
        m->nready++;
        while (s->client_fd < 0 && s->cgroup_epoch == m->cgroup_epoch &&
               !atomic_load(&m->stopping))
            pthread_cond_wait(&s->assigned, &m->lock);
        if (s->client_fd < 0) { /* retired (off the list) or stopping, never assigned */
            if (s->cgroup_epoch == m->cgroup_epoch) {
                list_remove(&m->ready, s);
                m->nready--;
            }
            ok = 0;
        }
    }
    pthread_mutex_unlock(&m->lock);
    return ok;
}

/* pidfd_getfd() needs this thread's real ids to be its worker's (the
 * kernel's ptrace check on real credentials). Only this thread's: a raw
 * call changes the caller's credentials alone, and the process's, which
 * decide who may signal it (the main thread's), stay the monitor's own. */
static void take_workers_real_ids(const struct prh_monitor *m)
{
    if (syscall(SYS_setresgid, (unsigned long)m->spawn.gid, (unsigned long)(gid_t)-1,
                (unsigned long)(gid_t)-1) < 0 ||
        syscall(SYS_setresuid, (unsigned long)m->spawn.uid, (unsigned long)(uid_t)-1,
                (unsigned long)(uid_t)-1) < 0)
        prh_log(LOG_ERR, "cannot take the workers' real ids: %s", strerror(errno));
}

static void *session_thread(void *arg)
{
    struct prh_session *s = arg;
    struct prh_monitor *m = s->mon;

    if (!m->no_capabilities) /* no pidfd_getfd there */
        take_workers_real_ids(m);

    if (s->client_fd < 0 && !wait_for_client(s)) {
        session_free(s);
        return NULL; /* the worker, if any, dies with this thread */
    }
    if (hand_over(s) < 0) {
        client_log(m, NULL, LOG_ERR, NULL, "conn %lu: cannot start a worker: %s", s->id, strerror(errno));
    } else {
        char fields[256];
        peer_fields(fields, sizeof(fields), s);
        client_log(m, NULL, LOG_NOTICE, fields, "conn %lu from pid %d uid %u gid %u cgroup %llu:"
                   " worker %d", s->id, (int)s->peer.pid, s->peer.uid, s->peer.gid,
                   (unsigned long long)s->peer_cgroup, (int)s->worker);
        if (m->no_capabilities)
            serve_own(s);
        else
            serve(s);
    }
    unsigned long dropped = prh_ratelimit_flush(&s->lines);
    if (dropped)
        client_log(m, NULL, LOG_WARNING, NULL, "conn %lu: %lu lines suppressed (rate limit)", s->id,
                   dropped);
    pthread_mutex_lock(&m->lock);
    list_remove(&m->active, s);
    m->nactive--;
    pthread_mutex_unlock(&m->lock);
    session_free(s);
    return NULL; /* the worker dies with this thread: parent-death signal */
}

static struct prh_session *session_new(struct prh_monitor *m)
{
    struct prh_session *s = calloc(1, sizeof(*s));
    if (!s)
        return NULL;
    s->mon = m;
    s->client_fd = s->ipc_fd = s->pidfd = s->lifeline = -1;
    prh_ratelimit_init(&s->lines, CONN_LINES_PER_S, CONN_LINES_BURST);
    pthread_cond_init(&s->assigned, NULL);
    return s;
}

static int thread_start(struct prh_session *s)
{
    pthread_attr_t attr;
    pthread_t thread;
    pthread_attr_init(&attr);
    pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
    pthread_attr_setstacksize(&attr, SESSION_STACK_SIZE);
    int rc = pthread_create(&thread, &attr, session_thread, s);
    pthread_attr_destroy(&attr);
    errno = rc;
    return rc == 0 ? 0 : -1;
}

int prh_sessions_want_spare(struct prh_monitor *m)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    pthread_mutex_lock(&m->lock);
    /* After a failed start (out of processes, a broken worker binary)
     * wait a moment rather than retrying in a loop. */
    int resting = m->spare_failed.tv_sec && now.tv_sec - m->spare_failed.tv_sec < SPARE_RETRY_S;
    int want = !resting && !atomic_load(&m->stopping) &&
               m->nready + m->nstarting < m->spare_workers;
    pthread_mutex_unlock(&m->lock);
    return want;
}

void prh_sessions_start_spare(struct prh_monitor *m)
{
    struct prh_session *s = session_new(m);
    if (!s) {
        prh_log(LOG_ERR, "cannot start a spare worker: out of memory");
        pthread_mutex_lock(&m->lock);
        spare_failed(m);
        pthread_mutex_unlock(&m->lock);
        return;
    }
    pthread_mutex_lock(&m->lock);
    m->nstarting++;
    pthread_mutex_unlock(&m->lock);
    if (thread_start(s) < 0) {
        int err = errno;
        pthread_mutex_lock(&m->lock);
        m->nstarting--;
        spare_failed(m);
        pthread_mutex_unlock(&m->lock);
        prh_log(LOG_ERR, "cannot start a session thread: %s", strerror(err));
        session_free(s);
    }
}

int prh_session_start(struct prh_monitor *m, int client_fd)
{
    struct ucred peer;
    socklen_t len = sizeof(peer);
    const char *refused = NULL;
    unsigned limit = 0;

    if (getsockopt(client_fd, SOL_SOCKET, SO_PEERCRED, &peer, &len) < 0) {
        prh_log(LOG_ERR, "connection without peer credentials: %s", strerror(errno));
        prh_close(client_fd);
        return -1;
    }
    uint64_t cgroup = 0;
    enum prh_peer_cgroup cg = prh_peer_cgroup(client_fd, peer.pid, &cgroup);
    if (cg == PRH_PEER_CGROUP_FAILED) {
        /* The kernel can tell, but not for this one (it is gone): nothing
         * would count it. */
        client_log(m, NULL, LOG_WARNING, NULL, "connection from pid %d uid %u refused: its cgroup"
                   " cannot be read", (int)peer.pid, peer.uid);
        prh_close(client_fd);
        return -1;
    }
    if (cg == PRH_PEER_CGROUP_UNSUPPORTED && !m->told_no_cgroup) {
        m->told_no_cgroup = 1; /* the accepting thread only */
        prh_log(LOG_WARNING, "this kernel cannot tell a client's cgroup (SO_PEERPIDFD and"
                " PIDFD_GET_INFO, Linux 6.13): only --max-clients-per-uid limits one client");
    }
    if (cg == PRH_PEER_CGROUP_OUTSIDE && !m->told_outside) {
        m->told_outside = 1;
        prh_log(LOG_WARNING, "a client outside this pid namespace (uid %u): the cgroups of such"
                " clients cannot be read, only --max-clients-per-uid limits them (run prhelper"
                " in the host's pid namespace for --max-clients-per-cgroup)", peer.uid);
    }
    struct prh_session *fresh = session_new(m);
    int moved = prh_cgroup_changed();

    /* Admission and the hand-over in one locked section: the counts cannot
     * change between the check and the increment. */
    pthread_mutex_lock(&m->lock);
    if (moved)
        retire_ready(m);
    unsigned long id = ++m->next_id;
    struct prh_session *s = m->ready;
    int was_ready = s != NULL;
    if (m->nactive >= m->max_clients) {
        refused = "connections already";
        limit = m->max_clients;
    } else if (sessions_of_uid(m, peer.uid) >= m->max_per_uid) {
        refused = "connections from this uid already";
        limit = m->max_per_uid;
    } else if (cgroup != 0 && sessions_of_cgroup(m, cgroup) >= m->max_per_cgroup) {
        refused = "connections from this cgroup already";
        limit = m->max_per_cgroup;
    } else if (!s && !fresh) {
        refused = "sessions: out of memory";
    }
    if (!refused) {
        if (was_ready) {
            list_remove(&m->ready, s);
            m->nready--;
        } else {
            s = fresh;
            fresh = NULL;
        }
        s->id = id;
        s->peer = peer;
        s->peer_cgroup = cgroup;
        s->client_fd = client_fd;
        list_add(&m->active, s);
        m->nactive++;
        pthread_cond_signal(&s->assigned);
    }
    pthread_mutex_unlock(&m->lock);

    if (fresh)
        session_free(fresh);
    if (refused) {
        client_log(m, NULL, LOG_WARNING, NULL, "conn %lu from pid %d uid %u cgroup %llu refused: %u %s",
                   id, (int)peer.pid, peer.uid, (unsigned long long)cgroup, limit, refused);
        prh_close(client_fd);
        return -1;
    }
    if (was_ready)
        return 0; /* its thread takes over (and may be done with s already) */
    if (thread_start(s) < 0) {
        client_log(m, NULL, LOG_ERR, NULL, "conn %lu: cannot start a session thread: %s", id, strerror(errno));
        pthread_mutex_lock(&m->lock);
        list_remove(&m->active, s);
        m->nactive--;
        pthread_mutex_unlock(&m->lock);
        session_free(s); /* closes client_fd */
        return -1;
    }
    return 0;
}

void prh_sessions_drain(struct prh_monitor *m)
{
    pthread_mutex_lock(&m->lock);
    atomic_store(&m->stopping, 1);
    for (struct prh_session *s = m->active; s; s = s->next)
        shutdown(s->client_fd, SHUT_RD);
    for (struct prh_session *s = m->ready; s; s = s->next)
        pthread_cond_signal(&s->assigned);
    pthread_mutex_unlock(&m->lock);
}

void prh_sessions_count(struct prh_monitor *m, unsigned *sessions, unsigned *busy)
{
    pthread_mutex_lock(&m->lock);
    *sessions = m->nactive + m->nready + m->nstarting;
    pthread_mutex_unlock(&m->lock);
    *busy = atomic_load(&m->nbusy);
}
