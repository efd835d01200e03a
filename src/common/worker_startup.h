/* What a worker does between its exec and loading its own filter: the
 * start-up of a static glibc binary and the sandbox set-up of
 * src/worker/sandbox.c. It runs under the monitor's filter then (filters
 * stack), which grants exactly this table; a call the set-up gains must
 * be added here, and tests/sandbox runs the set-up under that filter. */
#ifndef PRH_WORKER_STARTUP_H
#define PRH_WORKER_STARTUP_H

#include "seccomp_rules.h"

extern const struct prh_rule_table prh_worker_startup_rules;

#endif
