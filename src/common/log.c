#include "log.h"

#include <stdarg.h>
#include <stdio.h>
#include <time.h>
#include <unistd.h>

int prh_log_threshold = LOG_NOTICE;
static int use_syslog;

void prh_log_use_syslog(const char *ident)
{
    /* Everything syslog() needs, now, before a seccomp filter forbids
     * opening files: LOG_NDELAY connects the socket, and tzset() reads
     * /etc/localtime, which glibc otherwise opens at the first message. */
    tzset();
    openlog(ident, LOG_PID | LOG_NDELAY, LOG_DAEMON);
    use_syslog = 1;
}

void prh_log(int priority, const char *fmt, ...)
{
    char line[1024];
    va_list ap;
    int n;

    if (!prh_log_enabled(priority))
        return;
    va_start(ap, fmt);
    if (use_syslog) {
        vsyslog(priority, fmt, ap);
        va_end(ap);
        return;
    }
    n = snprintf(line, sizeof(line), "<%d>", priority);
    n += vsnprintf(line + n, sizeof(line) - (size_t)n - 1, fmt, ap);
    va_end(ap);
    if (n > (int)sizeof(line) - 2)
        n = (int)sizeof(line) - 2;
    line[n++] = '\n';
    if (write(STDERR_FILENO, line, (size_t)n) < 0) {
        /* Nowhere left to report it. */
    }
}
