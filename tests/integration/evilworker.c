/* evilworker: a compromised worker, for the host tests (--worker). Two
 * builds of this file, by EVIL_MODE:
 *   goodbye  says goodbye at once, then keeps running instead of exiting;
 *            the monitor must not let it outlive its session
 *   unread   takes its client, sends one request and exits without
 *            reading the answer; the monitor must log that like any other
 *            worker going away
 * Static, raw system calls only: it runs under the monitor's filter, which
 * allows no open() for a dynamic loader. */
#include <stdint.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "ipc.h"

static void send_record(const void *rec, size_t len, int fd)
{
    union {
        struct cmsghdr align;
        char buf[CMSG_SPACE(sizeof(int))];
    } control;
    struct iovec iov = {(void *)rec, len};
    struct msghdr msg = {.msg_iov = &iov, .msg_iovlen = 1};
    if (fd >= 0) {
        memset(&control, 0, sizeof(control));
        msg.msg_control = control.buf;
        msg.msg_controllen = sizeof(control.buf);
        struct cmsghdr *c = CMSG_FIRSTHDR(&msg);
        c->cmsg_level = SOL_SOCKET;
        c->cmsg_type = SCM_RIGHTS;
        c->cmsg_len = CMSG_LEN(sizeof(int));
        memcpy(CMSG_DATA(c), &fd, sizeof(int));
    }
    syscall(SYS_sendmsg, PRH_WORKER_MONITOR_FD, &msg, MSG_NOSIGNAL);
}

int main(void)
{
    struct timespec pause = {0, 200 * 1000 * 1000};
#if EVIL_MODE == 1 /* goodbye */
    struct prh_ipc_event bye = {PRH_IPC_GOODBYE, PRH_CLOSE_CLIENT_EOF};
    send_record(&bye, sizeof(bye), -1);
    for (;;)
        syscall(SYS_nanosleep, &pause, NULL);
#else /* unread */
    char assign[64];
    struct iovec iov = {assign, sizeof(assign)};
    struct msghdr msg = {.msg_iov = &iov, .msg_iovlen = 1};
    syscall(SYS_recvmsg, PRH_WORKER_MONITOR_FD, &msg, 0);
    struct prh_ipc_command cmd = {PRH_IPC_COMMAND, 0, {PRH_OP_PR_IN}};
    send_record(&cmd, sizeof(cmd), STDIN_FILENO); /* /dev/null */
    syscall(SYS_nanosleep, &pause, NULL);        /* the answer arrives, unread */
    syscall(SYS_exit_group, 0);
    return 0;
#endif
}
