/* Token buckets for what clients can make the monitor log. One bucket per
 * connection (its commands, notices and closing line) and one shared by
 * every line a client causes (connections opened and refused included),
 * so that no client can flood the journal until journald's per-unit rate
 * limit drops the monitor's own lines: the audit line of every PR OUT and
 * every connection. Lines over a limit are counted and said once, as
 * "N lines suppressed", with the next line that passes. */
#ifndef PRH_RATELIMIT_H
#define PRH_RATELIMIT_H

#include <stdint.h>

struct prh_ratelimit {
    uint64_t tokens_milli; /* lines we may log now, in thousandths */
    uint64_t last_ns;      /* CLOCK_MONOTONIC of the last refill */
    uint32_t per_second;   /* refill rate, lines a second */
    uint32_t burst;        /* most lines in a row */
    unsigned long suppressed; /* lines dropped since the last that passed */
};

/* A full bucket. */
void prh_ratelimit_init(struct prh_ratelimit *r, uint32_t per_second, uint32_t burst);

/* 1 when one more line may be logged now: *suppressed is then the number
 * dropped since the previous one (reset to 0 here). 0 when it must be
 * dropped (counted). Not locked: one thread per bucket, or the caller's
 * lock. */
int prh_ratelimit_take(struct prh_ratelimit *r, unsigned long *suppressed);

/* The lines dropped and not yet reported (reset to 0): for a last word. */
unsigned long prh_ratelimit_flush(struct prh_ratelimit *r);

#endif
