/* The one rule language of both seccomp filters. A process's powers are
 * tables of rows, one table per phase of its life; each row names a
 * system call, what happens to it (allowed, or refused with an errno),
 * and up to three argument comparisons, all of which must hold. Rows for
 * the same call are alternatives. Anything no row allows kills the
 * process.
 *
 * A comparison may be pinned to a value known only at start-up (the
 * worker binary's fd, the workers' ids...): the loader fills it in, and
 * leaves out a row whose pin has no value. */
#ifndef PRH_SECCOMP_RULES_H
#define PRH_SECCOMP_RULES_H

#include <seccomp.h>
#include <stddef.h>
#include <stdint.h>

enum prh_pin {
    PRH_PIN_NONE,
    PRH_PIN_WORKER_EXE_FD, /* the only file execveat() may run */
    PRH_PIN_PROC_CGROUP_FD, /* the only file the monitor reads after start */
    PRH_PIN_WORKER_UID,    /* the only ids a process may take */
    PRH_PIN_WORKER_GID,
    PRH_PIN_CHANNEL_FD,    /* the file-system helper's: its channel, */
    PRH_PIN_SYS_BLOCK_FD,  /* the directory it reads, */
    PRH_PIN_SOCKET_DIR_FD, /* the directory whose one entry it removes */
    PRH_PIN_MAX
};

/* Pin values; PRH_PIN_UNSET leaves the rows using that pin out. */
#define PRH_PIN_UNSET ((scmp_datum_t)-1)
typedef scmp_datum_t prh_pins[PRH_PIN_MAX];

struct prh_arg {
    unsigned index;       /* argument number */
    enum scmp_compare op; /* 0: no comparison */
    scmp_datum_t value;   /* for MASKED_EQ: the mask */
    scmp_datum_t value2;  /* for MASKED_EQ: the value */
    enum prh_pin pin;     /* set: compare EQ with the pinned value */
};

struct prh_rule {
    uint32_t action; /* SCMP_ACT_ALLOW or SCMP_ACT_ERRNO(e) */
    int syscall;
    struct prh_arg arg[3];
};

struct prh_rule_table {
    const char *phase; /* what part of the process's life it covers */
    const struct prh_rule *rules;
    size_t count;
};

#define PRH_NO_ARG {0, 0, 0, 0, PRH_PIN_NONE}
#define PRH_EQ(n, v) {n, SCMP_CMP_EQ, (scmp_datum_t)(v), 0, PRH_PIN_NONE}
#define PRH_MASKED_EQ(n, mask, v) \
    {n, SCMP_CMP_MASKED_EQ, (scmp_datum_t)(mask), (scmp_datum_t)(v), PRH_PIN_NONE}
#define PRH_PINNED(n, pin) {n, SCMP_CMP_EQ, 0, 0, pin}

#define PRH_ALLOW(name) {SCMP_ACT_ALLOW, SCMP_SYS(name), {PRH_NO_ARG, PRH_NO_ARG, PRH_NO_ARG}}
#define PRH_ALLOW_IF(name, ...) {SCMP_ACT_ALLOW, SCMP_SYS(name), {__VA_ARGS__}}
#define PRH_REFUSE(name, err) \
    {SCMP_ACT_ERRNO(err), SCMP_SYS(name), {PRH_NO_ARG, PRH_NO_ARG, PRH_NO_ARG}}

#define PRH_TABLE(phase, rows) {phase, rows, sizeof(rows) / sizeof((rows)[0])}

/* Builds one kill-by-default filter from the tables (a binary search on
 * the syscall number: every call pays for the evaluation) and loads it.
 * pins may be NULL when no row is pinned. Returns 0 or -1 (errno). */
int prh_seccomp_load(const struct prh_rule_table *tables, size_t ntables, const prh_pins pins);

#endif
