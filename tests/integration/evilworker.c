/* evilworker: a compromised worker, for the host tests (--worker). Three
 * builds of this file, by EVIL_MODE:
 *   goodbye  says goodbye at once, then keeps running instead of exiting;
 *            the monitor must not let it outlive its session
 *   unread   takes its client, sends one request and exits without
 *            reading the monitor's DONE; the monitor must log that like
 *            any other worker going away
 *   park     the real worker's sandbox first (code run after a parser bug:
 *            the attacker has the worker's filter, nothing more), then puts
 *            as many descriptors in flight as it can, 253 copies of fd 0 a
 *            message to a client that never reads; Linux charges them to
 *            the workers' shared uid, which must not make any other
 *            connection's forwarding fail
 * Static: it runs under the monitor's filter, which allows no open() for a
 * dynamic loader. */
#include <stdint.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "fdio.h"
#include "ipc.h"
#if EVIL_MODE == 3
#include "sandbox.h"
#endif

#define SCM_MAX_FD 253 /* the kernel's most per message */

#if EVIL_MODE == 3
static void park_all(void)
{
    static union {
        struct cmsghdr h;
        char buf[CMSG_SPACE(SCM_MAX_FD * sizeof(int))];
    } c;
    char byte = 'x';
    struct iovec iov = {&byte, 1};
    struct msghdr m = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = c.buf,
                       .msg_controllen = sizeof(c.buf)};
    struct cmsghdr *h = CMSG_FIRSTHDR(&m);
    int fds[SCM_MAX_FD] = {0};
    h->cmsg_level = SOL_SOCKET;
    h->cmsg_type = SCM_RIGHTS;
    h->cmsg_len = CMSG_LEN(sizeof(fds));
    memcpy(CMSG_DATA(h), fds, sizeof(fds));
    while (syscall(SYS_sendmsg, PRH_WORKER_CLIENT_FD, &m, MSG_DONTWAIT) == 1)
        ;
}
#endif

int main(void)
{
#if EVIL_MODE != 3
    struct timespec pause = {0, 200 * 1000 * 1000};
#endif
#if EVIL_MODE == 1 /* goodbye */
    struct prh_ipc_event bye = {PRH_IPC_GOODBYE, PRH_CLOSE_CLIENT_EOF};
    prh_send_record(PRH_WORKER_MONITOR_FD, &bye, sizeof(bye), NULL, 0, -1);
    for (;;)
        syscall(SYS_nanosleep, &pause, NULL);
#else
    struct prh_ipc_event assign;
    struct prh_received fds;
#if EVIL_MODE == 3 /* park */
    const char *why;
    if (prh_worker_sandbox(0, &why) < 0) /* the SG_IO mode's worker */
        return 1;
    prh_recv_with_fds(PRH_WORKER_MONITOR_FD, &assign, sizeof(assign), &fds);
    uint8_t hello[4] = {0}; /* as a worker greets, so the client waits for a reply */
    prh_write_all(PRH_WORKER_CLIENT_FD, hello, sizeof(hello));
    park_all();
    /* Then hold them, in a call its filter allows: the monitor never
     * writes before a command. */
    prh_recv_with_fds(PRH_WORKER_MONITOR_FD, &assign, sizeof(assign), &fds);
    return 0;
#else /* unread */
    prh_recv_with_fds(PRH_WORKER_MONITOR_FD, &assign, sizeof(assign), &fds);
    struct prh_ipc_command cmd = {PRH_IPC_COMMAND, 0, STDIN_FILENO, {PRH_OP_PR_IN}};
    prh_send_record(PRH_WORKER_MONITOR_FD, &cmd, sizeof(cmd), NULL, 0, -1);
    syscall(SYS_nanosleep, &pause, NULL); /* DONE arrives, and stays unread */
    syscall(SYS_exit_group, 0);
    return 0;
#endif
#endif
}
