#include "session.h"

#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <time.h>
#include <unistd.h>

#include "execute.h"
#include "fdio.h"
#include "ipc.h"
#include "log.h"
#include "scsi.h"
#include "spawn.h"
#include "validate.h"

#define SESSION_STACK_SIZE (256 * 1024)

struct prh_session {
    struct prh_session *next, *prev;
    struct prh_monitor *mon;
    unsigned long id;
    int ipc_fd;
    int pidfd;
    pid_t worker;
    struct ucred peer;
    uint8_t record[PRH_IPC_MAX + 1]; /* +1: an oversized record shows */
    struct prh_result result;
};

void prh_monitor_init(struct prh_monitor *m)
{
    memset(m, 0, sizeof(*m));
    pthread_mutex_init(&m->lock, NULL);
    m->worker_exe_fd = -1;
    m->devnull_fd = -1;
}

static void kill_worker(struct prh_session *s)
{
    syscall(SYS_pidfd_send_signal, s->pidfd, SIGKILL, NULL, 0);
}

static const char *opcode_name(uint8_t op)
{
    switch (op) {
    case PRH_OP_PR_IN:
        return "PR IN";
    case PRH_OP_PR_OUT:
        return "PR OUT";
    default:
        return "CLEANUP";
    }
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
    return op == PRH_OP_CLEANUP ? "-" : "UNKNOWN";
}

/* Every PR OUT changes shared storage: always logged. The rest at -v. */
static void log_command(const struct prh_session *s, const struct prh_request *req,
                        const struct prh_result *res, long usec)
{
    int prio = req->cdb[0] == PRH_OP_PR_OUT ? LOG_NOTICE : LOG_INFO;
    if (!prh_log_enabled(prio))
        return;
    struct prh_sense sk = prh_sense_parse(res->sense);
    uint8_t sa = req->cdb[1] & 0x1f;
    prh_log(prio,
            "conn %lu peer pid %d uid %u gid %u: dev %u:%u %s %s (sa 0x%02x type 0x%x)"
            " len %u -> status 0x%02x sense %x/%02x/%02x%s, %ld us",
            s->id, (int)s->peer.pid, s->peer.uid, s->peer.gid, major(res->rdev),
            minor(res->rdev), opcode_name(req->cdb[0]), action_name(req->cdb[0], sa),
            sa, req->cdb[2] & 0x0f, req->xfer_len, (unsigned)res->status, sk.key,
            sk.asc, sk.ascq, res->touched_device ? "" : " (device untouched)", usec);
}

static long elapsed_us(const struct timespec *t0)
{
    struct timespec t1;
    clock_gettime(CLOCK_MONOTONIC, &t1);
    return (t1.tv_sec - t0->tv_sec) * 1000000L + (t1.tv_nsec - t0->tv_nsec) / 1000;
}

/* Runs one command and answers it. Returns 0, or -1 if the worker is gone. */
static int serve_command(struct prh_session *s, struct prh_request *req)
{
    struct prh_result *res = &s->result;
    struct timespec t0;
    struct prh_ipc_reply reply;

    clock_gettime(CLOCK_MONOTONIC, &t0);
    prh_execute(req, s->mon->timeout_ms, res);
    prh_close(req->fd);
    req->fd = -1;
    log_command(s, req, res, elapsed_us(&t0));

    reply.type = PRH_IPC_REPLY;
    reply.status = res->status;
    reply.data_len = res->data_len;
    memcpy(reply.sense, res->sense, sizeof(reply.sense));
    return prh_send_record(s->ipc_fd, &reply, sizeof(reply), res->data, res->data_len, -1);
}

/* Serves until the worker says goodbye, dies, misbehaves, or we stop.
 * Returns 1 after a goodbye: the worker is exiting by itself. */
static int serve(struct prh_session *s)
{
    for (;;) {
        struct prh_received fds;
        struct prh_request req;
        uint32_t code;
        const char *why;

        /* 0 is EOF, or an empty record, which no sane worker sends. */
        ssize_t n = prh_recv_with_fds(s->ipc_fd, s->record, sizeof(s->record), &fds);
        if (n <= 0) {
            if (n < 0)
                prh_log(LOG_WARNING, "conn %lu: worker channel: %s", s->id, strerror(errno));
            else if (!atomic_load(&s->mon->stopping))
                prh_log(LOG_INFO, "conn %lu: worker %d went away", s->id, (int)s->worker);
            prh_received_close(&fds);
            return 0;
        }
        switch (prh_validate_record(s->record, (size_t)n, &fds, &req, &code, &why)) {
        case PRH_RECORD_NOTICE:
            prh_log(LOG_WARNING, "conn %lu peer pid %d: %s", s->id, (int)s->peer.pid,
                    prh_event_text(code));
            break;
        case PRH_RECORD_GOODBYE:
            prh_log(code == PRH_CLOSE_CLIENT_EOF ? LOG_INFO : LOG_WARNING,
                    "conn %lu peer pid %d: closed: %s", s->id, (int)s->peer.pid,
                    prh_event_text(code));
            return 1;
        case PRH_RECORD_COMMAND:
            if (serve_command(s, &req) < 0)
                return 0;
            break;
        default:
            prh_log(LOG_ERR, "conn %lu peer pid %d: worker %d violated the protocol (%s):"
                             " killing it", s->id, (int)s->peer.pid, (int)s->worker, why);
            return 0;
        }
    }
}

static void session_unlink(struct prh_session *s)
{
    struct prh_monitor *m = s->mon;
    pthread_mutex_lock(&m->lock);
    if (s->prev)
        s->prev->next = s->next;
    else
        m->sessions = s->next;
    if (s->next)
        s->next->prev = s->prev;
    m->nsessions--;
    prh_close(s->ipc_fd);
    s->ipc_fd = -1;
    pthread_mutex_unlock(&m->lock);
}

static void *session_thread(void *arg)
{
    struct prh_session *s = arg;
    if (!serve(s))
        kill_worker(s); /* dead already, or it must not outlive us */
    session_unlink(s);
    prh_close(s->pidfd);
    free(s);
    return NULL;
}

static int spawn(struct prh_session *s, int client_fd)
{
    int pair[2];
    if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, pair) < 0)
        return -1;
    s->worker = prh_spawn_worker(s->mon->worker_exe_fd, s->mon->devnull_fd, client_fd, pair[1]);
    prh_close(pair[1]);
    if (s->worker < 0) {
        prh_close(pair[0]);
        return -1;
    }
    /* Only the main thread reaps, and it is here: the pid is still ours. */
    s->pidfd = (int)syscall(SYS_pidfd_open, s->worker, 0);
    if (s->pidfd < 0) {
        int saved = errno;
        kill(s->worker, SIGKILL);
        prh_close(pair[0]);
        errno = saved;
        return -1;
    }
    s->ipc_fd = pair[0];
    return 0;
}

int prh_session_start(struct prh_monitor *m, int client_fd)
{
    struct prh_session *s = NULL;
    socklen_t len = sizeof(struct ucred);
    pthread_attr_t attr;
    pthread_t thread;
    int rc = -1;

    pthread_mutex_lock(&m->lock);
    int full = m->nsessions >= m->max_clients;
    unsigned long id = ++m->next_id;
    pthread_mutex_unlock(&m->lock);
    if (full) {
        prh_log(LOG_WARNING, "conn %lu refused: %u connections already", id, m->max_clients);
        prh_close(client_fd);
        return -1;
    }
    s = calloc(1, sizeof(*s));
    if (!s)
        goto out;
    s->mon = m;
    s->id = id;
    s->ipc_fd = s->pidfd = -1;
    if (getsockopt(client_fd, SOL_SOCKET, SO_PEERCRED, &s->peer, &len) < 0)
        goto out;
    if (spawn(s, client_fd) < 0)
        goto out;
    prh_log(LOG_NOTICE, "conn %lu from pid %d uid %u gid %u: worker %d", id,
            (int)s->peer.pid, s->peer.uid, s->peer.gid, (int)s->worker);

    pthread_mutex_lock(&m->lock);
    s->next = m->sessions;
    if (s->next)
        s->next->prev = s;
    m->sessions = s;
    m->nsessions++;
    pthread_mutex_unlock(&m->lock);

    pthread_attr_init(&attr);
    pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
    pthread_attr_setstacksize(&attr, SESSION_STACK_SIZE);
    rc = pthread_create(&thread, &attr, session_thread, s);
    pthread_attr_destroy(&attr);
    if (rc != 0) {
        errno = rc;
        rc = -1;
        kill_worker(s);
        session_unlink(s);
        goto out;
    }
    s = NULL;
out:
    if (rc < 0)
        prh_log(LOG_ERR, "conn %lu: cannot start a worker: %s", id, strerror(errno));
    if (s) {
        prh_close(s->ipc_fd);
        prh_close(s->pidfd);
        free(s);
    }
    prh_close(client_fd);
    return rc;
}

void prh_sessions_drain(struct prh_monitor *m)
{
    atomic_store(&m->stopping, 1);
    pthread_mutex_lock(&m->lock);
    for (struct prh_session *s = m->sessions; s; s = s->next)
        shutdown(s->ipc_fd, SHUT_RD); /* wakes an idle thread with EOF */
    pthread_mutex_unlock(&m->lock);
}

void prh_sessions_kill(struct prh_monitor *m)
{
    pthread_mutex_lock(&m->lock);
    for (struct prh_session *s = m->sessions; s; s = s->next)
        kill_worker(s);
    pthread_mutex_unlock(&m->lock);
}

unsigned prh_sessions_count(struct prh_monitor *m)
{
    pthread_mutex_lock(&m->lock);
    unsigned n = m->nsessions;
    pthread_mutex_unlock(&m->lock);
    return n;
}
