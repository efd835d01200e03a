#include "log.h"

#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#define JOURNAL_SOCKET "/run/systemd/journal/socket"
#define LINE_MAX_LEN 1016  /* a line's text */
#define FIELDS_MAX_LEN 768 /* its journal fields */
#define QUEUE_LINES 256    /* lines waiting for the writer thread */

int prh_log_threshold = LOG_NOTICE;
static int use_syslog;
static int journal_fd = -1;
static const char *journal_ident = "prhelper";

void prh_log_use_syslog(const char *ident)
{
    /* Everything syslog() needs, now, before a seccomp filter forbids
     * opening files: LOG_NDELAY connects the socket, and tzset() reads
     * /etc/localtime, which glibc otherwise opens at the first message. */
    tzset();
    openlog(ident, LOG_PID | LOG_NDELAY, LOG_DAEMON);
    use_syslog = 1;
}

/* systemd says which stream is the journal: JOURNAL_STREAM=DEV:INODE. */
static int stderr_is_journal(void)
{
    const char *js = getenv("JOURNAL_STREAM");
    unsigned long long dev, ino;
    struct stat st;
    return js && sscanf(js, "%llu:%llu", &dev, &ino) == 2 && fstat(STDERR_FILENO, &st) == 0 &&
           st.st_dev == dev && st.st_ino == ino;
}

int prh_log_use_journal(const char *ident)
{
    struct sockaddr_un a = {.sun_family = AF_UNIX, .sun_path = JOURNAL_SOCKET};
    if (!stderr_is_journal())
        return 0;
    int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (fd < 0 || connect(fd, (struct sockaddr *)&a, sizeof(a)) < 0) {
        if (fd >= 0)
            close(fd);
        return 0;
    }
    journal_fd = fd;
    journal_ident = ident;
    return 1;
}

/* journald's native protocol: one datagram of NAME=value lines. Fails
 * (the caller writes the stderr line instead) when journald is gone or
 * its socket is full: a stalled journal never stalls a request. */
static int send_journal(int priority, const char *fields, const char *message)
{
    char entry[2048];
    int n = snprintf(entry, sizeof(entry), "PRIORITY=%d\nSYSLOG_IDENTIFIER=%s\n%sMESSAGE=%s\n",
                     priority, journal_ident, fields ? fields : "", message);
    if (n < 0 || n >= (int)sizeof(entry))
        return -1;
    return send(journal_fd, entry, (size_t)n, MSG_NOSIGNAL | MSG_DONTWAIT) == n ? 0 : -1;
}

/* Where a line goes: syslog after -d, else the journal's socket when it
 * takes it, else stderr. Any of them may block (a full pipe, a stalled
 * journald): only the writer thread calls this once it runs. */
static void emit(int priority, const char *fields, const char *text)
{
    char line[LINE_MAX_LEN + 8];

    if (use_syslog) {
        syslog(priority, "%s", text);
        return;
    }
    if (journal_fd >= 0 && send_journal(priority, fields, text) == 0)
        return;
    int n = snprintf(line, sizeof(line), "<%d>%s\n", priority, text);
    if (n > (int)sizeof(line) - 1) {
        n = (int)sizeof(line) - 1;
        line[n - 1] = '\n';
    }
    if (write(STDERR_FILENO, line, (size_t)n) < 0) {
        /* Nowhere left to report it. */
    }
}

/* Lines wait here for the writer thread: a thread that logs copies its
 * line in and goes on, and when the queue is full the line is counted
 * and dropped, never waited for. */
struct queued_line {
    int priority;
    char fields[FIELDS_MAX_LEN];
    char text[LINE_MAX_LEN];
};

static struct {
    pthread_mutex_t lock;
    pthread_cond_t ready;
    struct queued_line lines[QUEUE_LINES];
    unsigned head, count;
    unsigned long dropped;
    int running, stopping;
    pthread_t thread;
} q = {.lock = PTHREAD_MUTEX_INITIALIZER, .ready = PTHREAD_COND_INITIALIZER};

static void *writer(void *arg)
{
    static struct queued_line line; /* only this thread uses it */
    (void)arg;
    pthread_mutex_lock(&q.lock);
    for (;;) {
        while (q.count == 0 && q.dropped == 0 && !q.stopping)
            pthread_cond_wait(&q.ready, &q.lock);
        if (q.count == 0 && q.dropped == 0)
            break; /* stopping, all written */
        unsigned long dropped = q.dropped;
        int have = q.count > 0;
        q.dropped = 0;
        if (have) {
            line = q.lines[q.head];
            q.head = (q.head + 1) % QUEUE_LINES;
            q.count--;
        }
        pthread_mutex_unlock(&q.lock);
        if (dropped) {
            char text[96];
            snprintf(text, sizeof(text), "%lu log lines dropped: the log did not take them in time",
                     dropped);
            emit(LOG_WARNING, NULL, text);
        }
        if (have)
            emit(line.priority, line.fields[0] ? line.fields : NULL, line.text);
        pthread_mutex_lock(&q.lock);
    }
    pthread_mutex_unlock(&q.lock);
    return NULL;
}

int prh_log_start_writer(void)
{
    int rc = pthread_create(&q.thread, NULL, writer, NULL);
    if (rc == 0)
        q.running = 1;
    return rc == 0 ? 0 : -1;
}

void prh_log_stop_writer(unsigned timeout_ms)
{
    struct timespec until;
    if (!q.running)
        return;
    pthread_mutex_lock(&q.lock);
    q.stopping = 1;
    pthread_cond_signal(&q.ready);
    pthread_mutex_unlock(&q.lock);
    clock_gettime(CLOCK_REALTIME, &until);
    until.tv_sec += timeout_ms / 1000;
    until.tv_nsec += (long)(timeout_ms % 1000) * 1000000L;
    if (until.tv_nsec >= 1000000000L) {
        until.tv_sec++;
        until.tv_nsec -= 1000000000L;
    }
    /* A log stream that never drains must not keep us from exiting. */
    if (pthread_timedjoin_np(q.thread, NULL, &until) == 0)
        q.running = 0;
}

void prh_log_with(int priority, const char *fields, const char *fmt, ...)
{
    char text[LINE_MAX_LEN];
    va_list ap;

    if (!prh_log_enabled(priority))
        return;
    va_start(ap, fmt);
    vsnprintf(text, sizeof(text), fmt, ap);
    va_end(ap);
    pthread_mutex_lock(&q.lock);
    if (!q.running || q.stopping) {
        pthread_mutex_unlock(&q.lock);
        emit(priority, fields, text); /* start-up, or the last words */
        return;
    }
    if (q.count == QUEUE_LINES) {
        q.dropped++;
    } else {
        struct queued_line *l = &q.lines[(q.head + q.count) % QUEUE_LINES];
        l->priority = priority;
        snprintf(l->fields, sizeof(l->fields), "%s", fields ? fields : "");
        snprintf(l->text, sizeof(l->text), "%s", text);
        q.count++;
        pthread_cond_signal(&q.ready);
    }
    pthread_mutex_unlock(&q.lock);
}
