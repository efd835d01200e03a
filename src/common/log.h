/* One log line per call, written with a single write() so lines from
 * threads never interleave, by a thread of its own once the daemon runs,
 * so that a log stream that blocks (a full pipe, a stalled journald) never
 * blocks a thread that logs. On stderr each line starts with a syslog
 * priority prefix ("<5>") that journald turns into the entry's priority;
 * after -d the lines go to syslog instead. Under systemd, when stderr is
 * the journal, each line is a journal entry of its own instead, sent over
 * journald's native socket with the caller's fields (PRHELPER_*, listed
 * in prhelper(8)), so that `journalctl PRHELPER_OP=PR_OUT` finds them. */
#ifndef PRH_LOG_H
#define PRH_LOG_H

#include <syslog.h>

/* Lines above this priority (numerically larger) are dropped. */
extern int prh_log_threshold;

void prh_log_use_syslog(const char *ident);

/* Connects to journald's socket, before the filter, when JOURNAL_STREAM
 * says stderr is the journal. Returns 1 when entries go there. */
int prh_log_use_journal(const char *ident);

/* From here on lines go through a writer thread (never blocking the
 * caller: a full queue drops and counts lines); before, and after a stop,
 * each call writes its line itself. Returns 0 or -1. */
int prh_log_start_writer(void);

/* Writes what is queued and ends the thread, waiting at most timeout_ms
 * (a log stream that never drains is left behind). */
void prh_log_stop_writer(unsigned timeout_ms);

/* A line with journal fields: "NAME=value\n" lines (no other newline),
 * or NULL; without the journal the fields are dropped. */
__attribute__((format(printf, 3, 4)))
void prh_log_with(int priority, const char *fields, const char *fmt, ...);

#define prh_log(priority, ...) prh_log_with(priority, NULL, __VA_ARGS__)

#define prh_log_enabled(priority) ((priority) <= prh_log_threshold)

#endif
