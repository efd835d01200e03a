/* Client connections as the monitor sees them. Each is a thread with its
 * own worker (spawned by that thread, so it dies with it) and the
 * socketpair to it. A thread per connection means a hung device stalls
 * only the connections using it.
 *
 * A few sessions are started ahead, before any client: their worker is
 * running and sandboxed, waiting for ASSIGN. An accepted connection takes
 * one of them, so setting it up costs a hand-over, not a process start. */
#ifndef PRH_SESSION_H
#define PRH_SESSION_H

#include <pthread.h>
#include <stdatomic.h>
#include <sys/socket.h>
#include <sys/types.h>

#include "options.h"
#include "ratelimit.h"
#include "spawn.h"

struct prh_session;

struct prh_monitor {
    unsigned timeout_ms;     /* SG_IO timeout */
    unsigned max_clients;
    unsigned max_per_uid;
    unsigned max_per_cgroup;
    int told_no_cgroup;      /* the kernel cannot tell a peer's cgroup: said once */
    int told_outside;        /* nor of one outside our pid namespace: said once */
    unsigned spare_workers;  /* sessions kept ready for the next clients */
    struct prh_spawn_config spawn;
    int no_capabilities;     /* route.h's NO_CAPS mode: workers serve, via the spawner */
    atomic_int stopping;
    pthread_mutex_t lock;    /* guards the fields below */
    struct prh_session *active; /* serving a client */
    struct prh_session *ready;  /* worker running, waiting for a client */
    unsigned nactive, nready, nstarting;
    unsigned cgroup_epoch;   /* moves to another cgroup seen (cgroup.h) */
    struct timespec spare_failed; /* last failed start of a spare worker */
    atomic_uint nbusy;       /* requests being executed (no lock) */
    unsigned long next_id;
    pthread_mutex_t log_lock; /* guards client_lines */
    struct prh_ratelimit client_lines; /* every line clients cause (ratelimit.h) */
};

/* Limits from the command line; spawn is copied. */
void prh_monitor_init(struct prh_monitor *m, const struct prh_options *o,
                      const struct prh_spawn_config *spawn);

/* Takes client_fd (closed when refused): reads the peer's credentials,
 * admits it (--max-clients, --max-clients-per-uid) and hands it to a ready
 * session, or to a new one. Returns 0 or -1 (logged). */
int prh_session_start(struct prh_monitor *m, int client_fd);

/* Whether fewer sessions are ready (or starting) than spare_workers. */
int prh_sessions_want_spare(struct prh_monitor *m);

/* Starts one session ahead of its client. */
void prh_sessions_start_spare(struct prh_monitor *m);

/* Shutdown: no new requests from any client (their sockets stop reading,
 * so each worker relays the answer in flight, sees EOF and ends), and the
 * ready sessions end. */
void prh_sessions_drain(struct prh_monitor *m);

/* Sessions still serving, and how many of them have a request in flight. */
void prh_sessions_count(struct prh_monitor *m, unsigned *sessions, unsigned *busy);

#endif
