#include "helper_conn.h"

#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "fdio.h"

int prh_helper_open(const char *path)
{
    struct sockaddr_un addr = {.sun_family = AF_UNIX};
    size_t len = strlen(path);

    if (len >= sizeof(addr.sun_path)) {
        errno = ENAMETOOLONG;
        return -1;
    }
    memcpy(addr.sun_path, path, len + 1);
    int sock = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (sock < 0)
        return -1;
    /* connect() interrupted by a signal keeps going in the background, so
     * it is not simply retried; this client installs no handlers anyway. */
    if (connect(sock, (struct sockaddr *)&addr, sizeof(addr)) < 0) {
        prh_close(sock);
        return -1;
    }
    return sock;
}

/* A peer that went away while we write looks like a close, not an error. */
static int io_error(void)
{
    return errno == EPIPE || errno == ECONNRESET ? PRH_HELPER_CLOSED : PRH_HELPER_ERRNO;
}

/* Reads exactly len bytes; EOF before that is PRH_HELPER_CLOSED. */
static int read_exact(int sock, uint8_t *buf, size_t len)
{
    while (len > 0) {
        ssize_t n = read(sock, buf, len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return io_error();
        if (n == 0)
            return PRH_HELPER_CLOSED;
        buf += n;
        len -= (size_t)n;
    }
    return PRH_HELPER_OK;
}

int prh_helper_handshake(int sock, uint32_t *supported)
{
    uint8_t buf[4];
    int rc = read_exact(sock, buf, sizeof(buf));
    if (rc != PRH_HELPER_OK)
        return rc;
    *supported = prh_get_be32(buf);
    prh_put_be32(buf, 0);
    return prh_write_all(sock, buf, sizeof(buf)) < 0 ? io_error() : PRH_HELPER_OK;
}

int prh_helper_send(int sock, const uint8_t cdb[PRH_CDB_SIZE], int devfd,
                  const uint8_t *param, size_t param_len)
{
    /* The fd travels with the CDB alone; the parameters go after it as a
     * plain stream, which copes with partial writes. */
    if (prh_send_record(sock, cdb, PRH_CDB_SIZE, NULL, 0, devfd) < 0)
        return io_error();
    if (param_len && prh_write_all(sock, param, param_len) < 0)
        return io_error();
    return PRH_HELPER_OK;
}

int prh_helper_recv_reply(int sock, const uint8_t cdb[PRH_CDB_SIZE], uint8_t *buf,
                        struct prh_client_reply *r)
{
    int rc = read_exact(sock, buf, PRH_REPLY_HEADER_SIZE);
    if (rc != PRH_HELPER_OK)
        return rc;
    /* Validate the size before reading the payload, so a lying helper can
     * neither overrun buf (a raw CDB may ask for up to 65535 bytes) nor make
     * us wait for bytes that never come. */
    if (prh_client_decode_reply_header(cdb, buf, PRH_REPLY_HEADER_SIZE, r) != PRH_DECODE_OK ||
        r->size > PRH_DATA_MAX)
        return PRH_HELPER_MALFORMED;
    rc = read_exact(sock, buf + PRH_REPLY_HEADER_SIZE, r->size);
    if (rc != PRH_HELPER_OK)
        return rc;
    if (prh_client_decode_reply(cdb, buf, PRH_REPLY_HEADER_SIZE + r->size, r) != PRH_DECODE_OK)
        return PRH_HELPER_MALFORMED;
    return PRH_HELPER_OK;
}

const char *prh_helper_strerror(int rc)
{
    switch (rc) {
    case PRH_HELPER_CLOSED: return "helper closed the connection";
    case PRH_HELPER_MALFORMED: return "malformed reply";
    default: return strerror(errno);
    }
}
