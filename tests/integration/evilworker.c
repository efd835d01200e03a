/* evilworker: a compromised worker, for the host tests (--worker). Two
 * builds of this file, by EVIL_MODE:
 *   goodbye  says goodbye at once, then keeps running instead of exiting;
 *            the monitor must not let it outlive its session
 *   unread   takes its client, sends one request and exits without
 *            reading the monitor's DONE; the monitor must log that like
 *            any other worker going away
 * Static: it runs under the monitor's filter, which allows no open() for a
 * dynamic loader. */
#include <stdint.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "fdio.h"
#include "ipc.h"

int main(void)
{
    struct timespec pause = {0, 200 * 1000 * 1000};
#if EVIL_MODE == 1 /* goodbye */
    struct prh_ipc_event bye = {PRH_IPC_GOODBYE, PRH_CLOSE_CLIENT_EOF};
    prh_send_record(PRH_WORKER_MONITOR_FD, &bye, sizeof(bye), NULL, 0, -1);
    for (;;)
        syscall(SYS_nanosleep, &pause, NULL);
#else /* unread */
    struct prh_ipc_event assign;
    struct prh_received fds;
    prh_recv_with_fds(PRH_WORKER_MONITOR_FD, &assign, sizeof(assign), &fds);
    struct prh_ipc_command cmd = {PRH_IPC_COMMAND, 0, {PRH_OP_PR_IN}};
    prh_send_record(PRH_WORKER_MONITOR_FD, &cmd, sizeof(cmd), NULL, 0, STDIN_FILENO);
    syscall(SYS_nanosleep, &pause, NULL); /* DONE arrives, and stays unread */
    syscall(SYS_exit_group, 0);
    return 0;
#endif
}
