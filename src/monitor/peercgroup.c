#include "peercgroup.h"

#include <errno.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

enum prh_peer_cgroup prh_peer_cgroup(int client_fd, pid_t peer_pid, uint64_t *id)
{
    int pidfd = -1;
    socklen_t len = sizeof(pidfd);
    *id = 0;
    if (peer_pid == 0)
        return PRH_PEER_CGROUP_OUTSIDE;
    if (getsockopt(client_fd, SOL_SOCKET, PRH_SO_PEERPIDFD, &pidfd, &len) < 0)
        return errno == ENOPROTOOPT ? PRH_PEER_CGROUP_UNSUPPORTED : PRH_PEER_CGROUP_FAILED;
    struct prh_pidfd_info info = {.mask = PRH_PIDFD_INFO_CGROUPID};
    int rc = ioctl(pidfd, PRH_PIDFD_GET_INFO, &info);
    int err = errno;
    close(pidfd);
    if (rc < 0)
        return err == ENOTTY || err == EINVAL ? PRH_PEER_CGROUP_UNSUPPORTED
                                              : PRH_PEER_CGROUP_FAILED;
    if (!(info.mask & PRH_PIDFD_INFO_CGROUPID))
        return PRH_PEER_CGROUP_UNSUPPORTED; /* no cgroup v2 */
    *id = info.cgroupid;
    return PRH_PEER_CGROUP_KNOWN;
}
