#include "log.h"

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

__attribute__((format(printf, 3, 0)))
static void vlog(int priority, const char *fields, const char *fmt, va_list ap)
{
    char line[1024];

    if (use_syslog) {
        vsyslog(priority, fmt, ap);
        return;
    }
    int prefix = snprintf(line, sizeof(line), "<%d>", priority);
    int n = prefix + vsnprintf(line + prefix, sizeof(line) - (size_t)prefix - 1, fmt, ap);
    if (n > (int)sizeof(line) - 2)
        n = (int)sizeof(line) - 2;
    line[n] = '\0';
    if (journal_fd >= 0 && send_journal(priority, fields, line + prefix) == 0)
        return;
    line[n++] = '\n';
    if (write(STDERR_FILENO, line, (size_t)n) < 0) {
        /* Nowhere left to report it. */
    }
}

void prh_log_with(int priority, const char *fields, const char *fmt, ...)
{
    va_list ap;
    if (!prh_log_enabled(priority))
        return;
    va_start(ap, fmt);
    vlog(priority, fields, fmt, ap);
    va_end(ap);
}
