/* prhelper-worker: speaks QEMU's protocol with one client and forwards
 * vetted requests to the monitor on fd 4, which answers the client itself
 * and then says DONE; in the no-capability mode it runs them itself
 * (own_device.h). It holds nothing worth stealing: no capabilities, no
 * files, and a filter that kills it for any system call outside the few it
 * needs. It starts before it has a client; the monitor's ASSIGN record
 * brings the client's socket, which lands on fd 3. */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "conn.h"
#include "fdcheck.h"
#include "fdio.h"
#include "ipc.h"
#include "own_device.h"
#include "proto.h"
#include "sandbox.h"

static struct prh_conn conn;
static int own_device; /* the no-capability mode: own_device.h */

static void tell_monitor(uint32_t type, uint32_t code)
{
    struct prh_ipc_event ev = {type, code};
    prh_send_record(PRH_WORKER_MONITOR_FD, &ev, sizeof(ev), NULL, 0, -1);
}

/* A request answered here, without the monitor (logged there): a status
 * and sense, never data. */
static int answer_locally(uint32_t note, int32_t status, struct prh_sense code)
{
    uint8_t sense[PRH_SENSE_SIZE];
    uint8_t header[PRH_REPLY_HEADER_SIZE];

    if (note < PRH_NOTE_MAX)
        tell_monitor(PRH_IPC_NOTICE, note);
    memset(sense, 0, sizeof(sense));
    if (status == PRH_CHECK_CONDITION)
        prh_sense_build(sense, code);
    prh_reply_header_encode(header, status, 0, sense);
    return prh_write_all(PRH_WORKER_CLIENT_FD, header, sizeof(header));
}

/* Waits for the monitor's DONE. Returns 0, or -1 when the monitor sent
 * anything else or went away. */
static int wait_done(void)
{
    struct prh_received fds;
    struct prh_ipc_event ev;

    ssize_t n = prh_recv_with_fds(PRH_WORKER_MONITOR_FD, &ev, sizeof(ev), &fds);
    int ok = n == (ssize_t)sizeof(ev) && fds.nfds == 0 && !fds.truncated &&
             ev.type == PRH_IPC_DONE && ev.code == 0;
    prh_received_close(&fds);
    return ok ? 0 : -1;
}

/* Hands the request to the monitor, which takes the fd from us, answers
 * the client and says DONE; then the fd is closed here at once (the last
 * close: the monitor never does it, as it may block). Not at the next
 * request: the open file would outlive the client's own fd, and with it
 * the locks QEMU holds on it (OFD locks belong to the open file), which
 * then refuse QEMU's own re-lock after a failed migration. Returns 0, or
 * the reason the connection must end. */
static uint32_t forward_request(int fd)
{
    struct prh_ipc_command cmd = {PRH_IPC_COMMAND, 0, fd, {0}};

    memcpy(cmd.cdb, conn.cdb, sizeof(cmd.cdb));
    if (conn.cdb[0] == PRH_OP_PR_OUT)
        cmd.param_len = conn.xfer_len;
    /* The fd's number only: the monitor takes the fd itself (ipc.h). */
    if (prh_send_record(PRH_WORKER_MONITOR_FD, &cmd, sizeof(cmd), conn.param,
                        cmd.param_len, -1) < 0) {
        prh_close(fd);
        return PRH_CLOSE_MONITOR_IO;
    }
    int done = wait_done();
    prh_close(fd);
    return done < 0 ? PRH_CLOSE_BAD_DONE : 0;
}

/* Answers one complete request: here when the CDB or the fd settles it,
 * else through the monitor, whose DONE ends it. One at a time, so that
 * answers never overtake or interleave, whatever a client that does not
 * wait for them sends. Returns 0 or a close reason. */
static uint32_t handle_request(void)
{
    struct prh_fd_info info;
    struct prh_sense code;
    int32_t status;
    uint32_t note;

    if (prh_conn_local_answer(&conn, &code))
        return answer_locally(PRH_NOTE_PR_OUT_LENGTH, PRH_CHECK_CONDITION, code) < 0
                   ? PRH_CLOSE_CLIENT_IO : 0;
    int fd = prh_conn_take_fd(&conn);
    prh_fd_inspect(fd, prh_opcode_writes(conn.cdb[0]), &info);
    if (!prh_fd_precheck(conn.cdb, &info, &status, &code, &note))
        return own_device ? prh_own_device_serve(&conn, fd, &info) /* closes it */
                          : forward_request(fd); /* closes it after DONE */
    /* Answer first: closing a client's file may block (a FUSE server that
     * never answers FLUSH), which then stalls this connection only. */
    uint32_t end = answer_locally(note, status, code) < 0 ? PRH_CLOSE_CLIENT_IO : 0;
    prh_close(fd);
    return end;
}

static uint32_t serve(void)
{
    uint8_t chunk[PRH_DATA_MAX];
    uint8_t hello[4];

    prh_conn_init(&conn);
    prh_put_be32(hello, PRH_FEATURES_SUPPORTED);
    if (prh_write_all(PRH_WORKER_CLIENT_FD, hello, sizeof(hello)) < 0)
        return PRH_CLOSE_CLIENT_IO;

    for (;;) {
        struct prh_received fds;
        size_t want = prh_conn_want(&conn);
        ssize_t n = prh_recv_with_fds(PRH_WORKER_CLIENT_FD, chunk,
                                      want < sizeof(chunk) ? want : sizeof(chunk), &fds);
        if (n < 0)
            return PRH_CLOSE_CLIENT_IO;

        enum prh_conn_event ev = prh_conn_feed(&conn, chunk, (size_t)n, &fds);
        if (ev == PRH_EV_CLOSE)
            return conn.close_reason;
        if (ev != PRH_EV_REQUEST)
            continue;
        uint32_t end = handle_request();
        prh_conn_request_done(&conn);
        if (end)
            return end;
    }
}

/* Waits for ASSIGN: exactly one fd, which must be the client's number. */
static int wait_for_client(void)
{
    struct prh_received fds;
    struct prh_ipc_event ev;
    ssize_t n = prh_recv_with_fds(PRH_WORKER_MONITOR_FD, &ev, sizeof(ev), &fds);

    if (n == (ssize_t)sizeof(ev) && !fds.truncated && fds.nfds == 1 &&
        fds.fds[0] == PRH_WORKER_CLIENT_FD && ev.type == PRH_IPC_ASSIGN && ev.code == 0)
        return 0;
    prh_received_close(&fds);
    return -1;
}

int main(int argc, char **argv)
{
    const char *why = NULL;

    /* The monitor's spawn passes the mode, and nothing else. */
    own_device = argc == 2 && strcmp(argv[1], PRH_WORKER_NO_CAPS_ARG) == 0;
    if (argc > 2 || (argc == 2 && !own_device)) {
        fprintf(stderr, "prhelper-worker: started by prhelper only\n");
        return 1;
    }
    if (prh_worker_sandbox(own_device, &why) < 0) {
        fprintf(stderr, "prhelper-worker: %s: %s\n", why, strerror(errno));
        return 1;
    }
    if (wait_for_client() < 0)
        return 0; /* the monitor stopped, or handed over no client */
    uint32_t reason = serve();
    tell_monitor(PRH_IPC_GOODBYE, reason);
    prh_conn_destroy(&conn);
    return 0;
}
