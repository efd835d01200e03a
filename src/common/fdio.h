/* Socket I/O with file descriptors attached (SCM_RIGHTS), retrying EINTR. */
#ifndef PRH_FDIO_H
#define PRH_FDIO_H

#include <stddef.h>
#include <sys/types.h>

/* Most descriptors one recvmsg collects; more arrive as "truncated". */
#define PRH_FDS_MAX 8

struct prh_received {
    int fds[PRH_FDS_MAX];
    size_t nfds;
    int truncated; /* MSG_TRUNC or MSG_CTRUNC: data or fds were lost */
};

/* recvmsg of up to len bytes; the fds that came with them land in r (all
 * O_CLOEXEC). Returns bytes read, 0 at EOF, -1 with errno on error (no fds
 * are left open then). */
ssize_t prh_recv_with_fds(int sock, void *buf, size_t len, struct prh_received *r);

/* Closes every fd in r and empties it. */
void prh_received_close(struct prh_received *r);

/* One record of the two buffers (the second may be empty): sendmsg with fd
 * attached when fd >= 0, else writev. For SOCK_SEQPACKET: the whole record
 * or -1. */
int prh_send_record(int sock, const void *a, size_t alen, const void *b,
                    size_t blen, int fd);

/* One record of a with nfds (at most 2) descriptors attached. */
int prh_send_fds(int sock, const void *a, size_t alen, const int *fds, int nfds);

/* Writes all of a and then b (either may be empty) on a stream socket:
 * one writev unless the kernel takes less, then the rest; EINTR retried.
 * No fd ever travels. SIGPIPE must be ignored or blocked. Returns 0 or -1. */
int prh_send_all(int sock, const void *a, size_t alen, const void *b, size_t blen);

/* prh_send_all of one buffer. */
int prh_write_all(int sock, const void *buf, size_t len);

/* Closes every fd but the n in keep (any order; keep is sorted here), by
 * close_range(2): a helper process's start, where nothing inherited may
 * stay open. */
void prh_close_all_but(int *keep, int n);

/* close() that keeps errno. */
void prh_close(int fd);

#endif
