#include "fdio.h"

#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <sys/syscall.h>
#include <unistd.h>

void prh_close(int fd)
{
    int saved = errno;
    if (fd >= 0)
        close(fd);
    errno = saved;
}

void prh_received_close(struct prh_received *r)
{
    for (size_t i = 0; i < r->nfds; i++)
        prh_close(r->fds[i]);
    r->nfds = 0;
}

ssize_t prh_recv_with_fds(int sock, void *buf, size_t len, struct prh_received *r)
{
    union {
        struct cmsghdr align;
        char buf[CMSG_SPACE(sizeof(int) * PRH_FDS_MAX)];
    } control;
    struct iovec iov = {.iov_base = buf, .iov_len = len};
    struct msghdr msg = {
        .msg_iov = &iov,
        .msg_iovlen = 1,
        .msg_control = control.buf,
        .msg_controllen = sizeof(control.buf),
    };
    ssize_t n;

    r->nfds = 0;
    r->truncated = 0;
    do {
        n = recvmsg(sock, &msg, MSG_CMSG_CLOEXEC);
    } while (n < 0 && errno == EINTR);
    if (n < 0)
        return -1;

    for (struct cmsghdr *c = CMSG_FIRSTHDR(&msg); c; c = CMSG_NXTHDR(&msg, c)) {
        if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS)
            continue;
        size_t count = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
        const unsigned char *data = CMSG_DATA(c);
        for (size_t i = 0; i < count; i++) {
            int fd;
            memcpy(&fd, data + i * sizeof(int), sizeof(int));
            if (r->nfds < PRH_FDS_MAX) {
                r->fds[r->nfds++] = fd;
            } else {
                prh_close(fd);
                r->truncated = 1;
            }
        }
    }
    if (msg.msg_flags & (MSG_TRUNC | MSG_CTRUNC))
        r->truncated = 1;
    return n;
}

/* One record of iov; with fds attached by sendmsg, else by writev: a
 * filter then tells at the call that no descriptor can travel (the
 * worker's has no sendmsg at all). */
static int send_msg(int sock, struct iovec *iov, int niov, size_t total, const int *fds,
                    int nfds)
{
    union {
        struct cmsghdr align;
        char buf[CMSG_SPACE(sizeof(int) * 2)];
    } control;
    struct msghdr msg = {.msg_iov = iov, .msg_iovlen = (size_t)niov};
    ssize_t n;

    if (nfds < 0 || nfds > 2) {
        errno = EINVAL;
        return -1;
    }
    if (nfds > 0) {
        memset(&control, 0, sizeof(control));
        msg.msg_control = control.buf;
        msg.msg_controllen = CMSG_SPACE(sizeof(int) * (size_t)nfds);
        struct cmsghdr *c = CMSG_FIRSTHDR(&msg);
        c->cmsg_level = SOL_SOCKET;
        c->cmsg_type = SCM_RIGHTS;
        c->cmsg_len = CMSG_LEN(sizeof(int) * (size_t)nfds);
        memcpy(CMSG_DATA(c), fds, sizeof(int) * (size_t)nfds);
    }
    do {
        n = nfds > 0 ? sendmsg(sock, &msg, MSG_NOSIGNAL) : writev(sock, iov, niov);
    } while (n < 0 && errno == EINTR);
    if (n < 0)
        return -1;
    if ((size_t)n != total) {
        errno = EMSGSIZE;
        return -1;
    }
    return 0;
}

int prh_send_record(int sock, const void *a, size_t alen, const void *b,
                    size_t blen, int fd)
{
    struct iovec iov[2] = {
        {.iov_base = (void *)a, .iov_len = alen},
        {.iov_base = (void *)b, .iov_len = blen},
    };
    return send_msg(sock, iov, blen ? 2 : 1, alen + blen, &fd, fd >= 0 ? 1 : 0);
}

int prh_send_fds(int sock, const void *a, size_t alen, const int *fds, int nfds)
{
    struct iovec iov = {.iov_base = (void *)a, .iov_len = alen};
    return send_msg(sock, &iov, 1, alen, fds, nfds);
}

int prh_send_all(int sock, const void *a, size_t alen, const void *b, size_t blen)
{
    struct iovec iov[2] = {
        {.iov_base = (void *)a, .iov_len = alen},
        {.iov_base = (void *)b, .iov_len = blen},
    };

    /* One writev in the normal case; more only after a partial write.
     * Callers ignore or block SIGPIPE: a gone peer is EPIPE. */
    while (iov[0].iov_len + iov[1].iov_len > 0) {
        ssize_t n = writev(sock, iov, 2);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            return -1;
        }
        for (int i = 0; i < 2; i++) {
            size_t take = (size_t)n < iov[i].iov_len ? (size_t)n : iov[i].iov_len;
            iov[i].iov_base = (char *)iov[i].iov_base + take;
            iov[i].iov_len -= take;
            n -= (ssize_t)take;
        }
    }
    return 0;
}

int prh_write_all(int sock, const void *buf, size_t len)
{
    return prh_send_all(sock, buf, len, NULL, 0);
}

void prh_close_all_but(int *keep, int n)
{
    for (int i = 0; i < n; i++) /* ascending */
        for (int j = i + 1; j < n; j++)
            if (keep[j] < keep[i]) {
                int t = keep[i];
                keep[i] = keep[j];
                keep[j] = t;
            }
    unsigned from = 0;
    for (int i = 0; i < n; i++) {
        if (keep[i] > (int)from)
            syscall(SYS_close_range, from, keep[i] - 1, 0);
        from = (unsigned)keep[i] + 1;
    }
    syscall(SYS_close_range, from, ~0U, 0);
}
