/* The client side of the pr-helper socket protocol: connect, feature
 * handshake, one command (CDB with the device fd, then PR OUT parameters),
 * one reply. */
#ifndef PRH_CLIENT_HELPER_CONN_H
#define PRH_CLIENT_HELPER_CONN_H

#include <stddef.h>
#include <stdint.h>

#include "decode.h"
#include "proto.h"

enum {
    PRH_HELPER_OK = 0,
    PRH_HELPER_ERRNO = -1,       /* see errno */
    PRH_HELPER_CLOSED = -2,      /* the helper closed the connection */
    PRH_HELPER_MALFORMED = -3,   /* reply QEMU would assert on */
};

/* Buffer size prh_helper_recv_reply needs. */
#define PRH_HELPER_BUF_SIZE (PRH_REPLY_HEADER_SIZE + PRH_DATA_MAX)

/* Connected socket (close-on-exec) or -1 with errno. */
int prh_helper_open(const char *path);

/* Reads the helper's feature word into *supported and requests none, as
 * QEMU does (no feature bit is defined). */
int prh_helper_handshake(int sock, uint32_t *supported);

/* Sends cdb with devfd attached, then param_len parameter bytes. */
int prh_helper_send(int sock, const uint8_t cdb[PRH_CDB_SIZE], int devfd,
                  const uint8_t *param, size_t param_len);

/* Reads the reply to cdb into buf[PRH_HELPER_BUF_SIZE] and decodes it into r
 * (r->data points into buf). */
int prh_helper_recv_reply(int sock, const uint8_t cdb[PRH_CDB_SIZE], uint8_t *buf,
                        struct prh_client_reply *r);

/* Text for a non-OK result (uses errno for PRH_HELPER_ERRNO). */
const char *prh_helper_strerror(int rc);

#endif
