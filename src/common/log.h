/* One log line per call, written with a single write() so lines from
 * threads never interleave. On stderr each line starts with a syslog
 * priority prefix ("<5>") that journald turns into the entry's priority;
 * after -d the lines go to syslog instead. */
#ifndef PRH_LOG_H
#define PRH_LOG_H

#include <syslog.h>

/* Lines above this priority (numerically larger) are dropped. */
extern int prh_log_threshold;

void prh_log_use_syslog(const char *ident);

__attribute__((format(printf, 2, 3)))
void prh_log(int priority, const char *fmt, ...);

#define prh_log_enabled(priority) ((priority) <= prh_log_threshold)

#endif
