/* The client side of QEMU's protocol as a pure state machine: it owns no
 * socket, so unit tests and the fuzzer drive it with any byte stream and
 * any fd arrivals. The I/O loop reads at most prh_conn_want() bytes at a
 * time, so one request never swallows the start of the next. */
#ifndef PRH_CONN_H
#define PRH_CONN_H

#include <stddef.h>
#include <stdint.h>

#include "fdio.h"
#include "proto.h"
#include "scsi.h"

enum prh_conn_state {
    PRH_CONN_FEATURES, /* reading the client's 4-byte feature word */
    PRH_CONN_CDB,      /* reading the 16-byte CDB (and its fd) */
    PRH_CONN_PARAM,    /* reading the PR OUT parameter list */
    PRH_CONN_REQUEST,  /* a complete request waits to be answered */
    PRH_CONN_CLOSED,
};

enum prh_conn_event {
    PRH_EV_MORE,    /* feed more bytes */
    PRH_EV_REQUEST, /* a complete request: cdb, fd, xfer_len, param */
    PRH_EV_CLOSE,   /* close the connection; close_reason says why */
};

struct prh_conn {
    enum prh_conn_state state;
    size_t have;        /* bytes of the current piece received so far */
    uint8_t word[4];
    uint8_t cdb[PRH_CDB_SIZE];
    int fd;             /* the request's fd, owned until taken; -1 if none */
    uint32_t xfer_len;  /* PR IN allocation / PR OUT parameter length */
    uint32_t close_reason;
    uint8_t param[PRH_DATA_MAX];
};

void prh_conn_init(struct prh_conn *c);

/* Bytes the machine wants next; 0 in REQUEST and CLOSED. */
size_t prh_conn_want(const struct prh_conn *c);

/* Feeds n bytes (n <= prh_conn_want(); n == 0 means the client hung up)
 * and the fds that arrived with them. Takes ownership of every fd in fds:
 * keeps the request's one fd, closes the rest. */
enum prh_conn_event prh_conn_feed(struct prh_conn *c, const uint8_t *data,
                                  size_t n, struct prh_received *fds);

/* The request's fd; the caller owns it afterwards. */
int prh_conn_take_fd(struct prh_conn *c);

/* True when the worker must answer this request itself, without the device:
 * a PR OUT whose CDB bytes 5-6 are non-zero disagrees with the parameter list
 * the client sent (CHECK CONDITION, *code). */
int prh_conn_local_answer(const struct prh_conn *c, struct prh_sense *code);

/* After the reply: closes the fd if still held and waits for the next CDB. */
void prh_conn_request_done(struct prh_conn *c);

/* Releases the held fd, if any. */
void prh_conn_destroy(struct prh_conn *c);

#endif
