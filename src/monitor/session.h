/* One client connection as the monitor sees it: a worker process, the
 * socketpair to it, and a thread that serves its requests. A thread per
 * connection means a hung device stalls only the connections using it. */
#ifndef PRH_SESSION_H
#define PRH_SESSION_H

#include <pthread.h>
#include <stdatomic.h>
#include <sys/socket.h>
#include <sys/types.h>

struct prh_session;

struct prh_monitor {
    unsigned timeout_ms;     /* SG_IO timeout */
    unsigned max_clients;
    int worker_exe_fd;
    int devnull_fd;
    atomic_int stopping;
    pthread_mutex_t lock;    /* guards the fields below */
    struct prh_session *sessions;
    unsigned nsessions;
    unsigned long next_id;
};

void prh_monitor_init(struct prh_monitor *m);

/* Takes client_fd (closed in every case): reads the peer's credentials,
 * spawns its worker and its serving thread. Returns 0 or -1 (logged). */
int prh_session_start(struct prh_monitor *m, int client_fd);

/* Shutdown: serving threads finish the request in flight, then stop their
 * workers and end. */
void prh_sessions_drain(struct prh_monitor *m);

/* Shutdown past its deadline: SIGKILL every remaining worker. */
void prh_sessions_kill(struct prh_monitor *m);

unsigned prh_sessions_count(struct prh_monitor *m);

#endif
