/* Which cgroup a client is in: under libvirt and KubeVirt, one VM. The
 * monitor limits connections per cgroup as well as per uid, because every
 * VM's QEMU may run as one uid (KubeVirt: 107, against one node-wide
 * helper). Read without a pid-reuse race: the peer's pidfd from the
 * socket (SO_PEERPIDFD, Linux 6.5), then its cgroup id from the pidfd
 * (PIDFD_GET_INFO, Linux 6.13), never through a pid. */
#ifndef PRH_PEERCGROUP_H
#define PRH_PEERCGROUP_H

#include <linux/ioctl.h>
#include <stdint.h>
#include <sys/types.h>

/* Newer than Debian 12's headers: the socket option (Linux 6.5), and the
 * first version of <linux/pidfd.h>'s info structure and its ioctl (6.13). */
#define PRH_SO_PEERPIDFD 77
struct prh_pidfd_info {
    uint64_t mask;
    uint64_t cgroupid;
    uint32_t pid, tgid, ppid, ruid, rgid, euid, egid, suid, sgid, fsuid, fsgid;
    uint32_t spare0[1];
};
_Static_assert(sizeof(struct prh_pidfd_info) == 64, "PIDFD_INFO_SIZE_VER0");
#define PRH_PIDFD_INFO_CGROUPID (1ULL << 2)
#define PRH_PIDFD_GET_INFO _IOWR(0xFF, 11, struct prh_pidfd_info)

enum prh_peer_cgroup {
    PRH_PEER_CGROUP_KNOWN,
    PRH_PEER_CGROUP_UNSUPPORTED, /* the kernel cannot tell: per-uid only */
    PRH_PEER_CGROUP_OUTSIDE,     /* nor for a peer outside our pid namespace */
    PRH_PEER_CGROUP_FAILED,      /* it could, but not for this peer (gone) */
};

/* The cgroup id of client_fd's peer, as it was when it connected;
 * peer_pid is SO_PEERCRED's, 0 for a process our pid namespace does not
 * hold (a helper in a container of its own, QEMU in another): the kernel
 * gives no pidfd information about those. */
enum prh_peer_cgroup prh_peer_cgroup(int client_fd, pid_t peer_pid, uint64_t *id);

#endif
