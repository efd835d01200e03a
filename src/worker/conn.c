#include "conn.h"

#include <string.h>

#include "ipc.h"

void prh_conn_init(struct prh_conn *c)
{
    c->state = PRH_CONN_FEATURES;
    c->have = 0;
    c->fd = -1;
    c->xfer_len = 0;
    c->close_reason = PRH_CLOSE_CLIENT_EOF;
}

size_t prh_conn_want(const struct prh_conn *c)
{
    switch (c->state) {
    case PRH_CONN_FEATURES:
        return sizeof(c->word) - c->have;
    case PRH_CONN_CDB:
        return sizeof(c->cdb) - c->have;
    case PRH_CONN_PARAM:
        return c->xfer_len - c->have;
    default:
        return 0;
    }
}

static enum prh_conn_event conn_close(struct prh_conn *c, uint32_t reason)
{
    prh_close(c->fd);
    c->fd = -1;
    c->state = PRH_CONN_CLOSED;
    c->close_reason = reason;
    return PRH_EV_CLOSE;
}

/* Like qemu-pr-helper: the first fd of a CDB is the request's; a second one,
 * in the same chunk or a later one, ends the connection. */
static int stash_cdb_fds(struct prh_conn *c, struct prh_received *fds)
{
    int too_many = fds->truncated;
    for (size_t i = 0; i < fds->nfds; i++) {
        if (c->fd < 0) {
            c->fd = fds->fds[i];
        } else {
            prh_close(fds->fds[i]);
            too_many = 1;
        }
    }
    fds->nfds = 0;
    return too_many;
}

static enum prh_conn_event cdb_complete(struct prh_conn *c)
{
    uint32_t param_len;

    if (c->fd < 0)
        return conn_close(c, PRH_CLOSE_NO_FD);
    switch (prh_request_shape(c->cdb, &c->xfer_len, &param_len)) {
    case PRH_SHAPE_BAD_OPCODE:
        return conn_close(c, PRH_CLOSE_BAD_OPCODE);
    case PRH_SHAPE_BAD_LENGTH:
        return conn_close(c, PRH_CLOSE_BAD_LENGTH);
    case PRH_SHAPE_OK:
        break;
    }
    c->have = 0;
    if (param_len > 0) {
        c->state = PRH_CONN_PARAM;
        return PRH_EV_MORE;
    }
    c->state = PRH_CONN_REQUEST;
    return PRH_EV_REQUEST;
}

enum prh_conn_event prh_conn_feed(struct prh_conn *c, const uint8_t *data,
                                  size_t n, struct prh_received *fds)
{
    size_t want = prh_conn_want(c);

    if (c->state == PRH_CONN_CDB) {
        if (stash_cdb_fds(c, fds))
            return conn_close(c, PRH_CLOSE_TOO_MANY_FDS);
    } else {
        /* qemu-pr-helper reads these bytes without accepting descriptors,
         * so the kernel discards any that come along: do the same. */
        prh_received_close(fds);
    }
    if (c->state == PRH_CONN_REQUEST || c->state == PRH_CONN_CLOSED || n > want)
        return conn_close(c, PRH_CLOSE_CLIENT_IO); /* caller broke the contract */

    if (n == 0) {
        /* Between requests: nothing of the next one has arrived yet. */
        int between = c->have == 0 && c->fd < 0;
        return conn_close(c, between ? PRH_CLOSE_CLIENT_EOF : PRH_CLOSE_EOF_MID_REQUEST);
    }

    switch (c->state) {
    case PRH_CONN_FEATURES:
        memcpy(c->word + c->have, data, n);
        c->have += n;
        if (c->have < sizeof(c->word))
            return PRH_EV_MORE;
        if (prh_get_be32(c->word) & ~PRH_FEATURES_SUPPORTED)
            return conn_close(c, PRH_CLOSE_BAD_FEATURES);
        c->have = 0;
        c->state = PRH_CONN_CDB;
        return PRH_EV_MORE;
    case PRH_CONN_CDB:
        memcpy(c->cdb + c->have, data, n);
        c->have += n;
        return c->have < sizeof(c->cdb) ? PRH_EV_MORE : cdb_complete(c);
    case PRH_CONN_PARAM:
        memcpy(c->param + c->have, data, n);
        c->have += n;
        if (c->have < c->xfer_len)
            return PRH_EV_MORE;
        c->state = PRH_CONN_REQUEST;
        return PRH_EV_REQUEST;
    default:
        return conn_close(c, PRH_CLOSE_CLIENT_IO);
    }
}

int prh_conn_take_fd(struct prh_conn *c)
{
    int fd = c->fd;
    c->fd = -1;
    return fd;
}

int prh_conn_local_answer(const struct prh_conn *c, struct prh_sense *code)
{
    if (c->cdb[0] == PRH_OP_PR_OUT && prh_pr_out_length_high_set(c->cdb)) {
        *code = PRH_SENSE_INVALID_FIELD;
        return 1;
    }
    return 0;
}

void prh_conn_request_done(struct prh_conn *c)
{
    prh_close(c->fd);
    c->fd = -1;
    c->have = 0;
    c->xfer_len = 0;
    c->state = PRH_CONN_CDB;
}

void prh_conn_destroy(struct prh_conn *c)
{
    prh_close(c->fd);
    c->fd = -1;
}
