/* Fuzzes the worker's client-protocol state machine with a whole client
 * byte stream. Input: chunks, each one control byte (top two bits: fds
 * attached, 0-3; low six: length - 1) and that many stream bytes, fed the
 * way the worker feeds them (at most prh_conn_want() at a time, fds with
 * the first piece). A chunk with no bytes left is the client hanging up.
 * Every fd is real, with a number never reused in one run, so "closed
 * exactly once, never leaked" is checked, not assumed. */
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "conn.h"
#include "ipc.h"

#define FD_BASE 600
#define FDS_PER_INPUT 96

static int template_fd = -1;
static int created[FDS_PER_INPUT];
static int ncreated;
static int taken[FDS_PER_INPUT]; /* handed to us by prh_conn_take_fd */

static int fd_is_open(int fd)
{
    return fcntl(fd, F_GETFD) >= 0;
}

static int new_fd(void)
{
    if (ncreated == FDS_PER_INPUT)
        return -1;
    int fd = fcntl(template_fd, F_DUPFD_CLOEXEC, FD_BASE + ncreated);
    if (fd != FD_BASE + ncreated)
        abort(); /* numbers must be fresh for the close-once check */
    created[ncreated++] = fd;
    return fd;
}

static void check_all_closed(void)
{
    for (int i = 0; i < ncreated; i++) {
        if (fd_is_open(created[i]))
            abort(); /* leaked by the state machine */
    }
}

static void handle_request(struct prh_conn *c)
{
    struct prh_sense code;
    if (c->xfer_len > PRH_DATA_MAX)
        abort();
    int fd = prh_conn_take_fd(c);
    if (fd < 0 || !fd_is_open(fd))
        abort(); /* a request always comes with its live fd */
    taken[fd - FD_BASE] = 1;
    close(fd);
    if (prh_conn_local_answer(c, &code) && c->cdb[0] != PRH_OP_PR_OUT)
        abort();
    prh_conn_request_done(c);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static struct prh_conn conn;
    size_t pos = 0;
    int closed = 0;

    if (template_fd < 0)
        template_fd = open("/dev/null", O_RDWR | O_CLOEXEC);
    ncreated = 0;
    memset(taken, 0, sizeof(taken));
    prh_conn_init(&conn);

    while (pos < size && !closed) {
        uint8_t ctl = data[pos++];
        size_t len = (size_t)(ctl & 0x3f) + 1;
        struct prh_received fds = {.nfds = 0, .truncated = 0};
        for (int i = 0; i < (ctl >> 6); i++) {
            int fd = new_fd();
            if (fd >= 0)
                fds.fds[fds.nfds++] = fd;
        }
        if (len > size - pos)
            len = size - pos;
        if (len == 0) { /* hang-up */
            if (prh_conn_feed(&conn, data + pos, 0, &fds) != PRH_EV_CLOSE)
                abort();
            break;
        }
        while (len > 0 && !closed) {
            size_t want = prh_conn_want(&conn);
            size_t n = len < want ? len : want;
            if (want == 0)
                abort(); /* only REQUEST and CLOSED want nothing */
            switch (prh_conn_feed(&conn, data + pos, n, &fds)) {
            case PRH_EV_REQUEST:
                handle_request(&conn);
                break;
            case PRH_EV_CLOSE:
                if (conn.close_reason >= PRH_CLOSE_MAX)
                    abort();
                closed = 1;
                break;
            case PRH_EV_MORE:
                break;
            }
            if (fds.nfds != 0)
                abort(); /* the machine owns every fd it was given */
            pos += n;
            len -= n;
        }
    }
    prh_conn_destroy(&conn);
    check_all_closed();
    return 0;
}
