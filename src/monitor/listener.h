/* Where clients connect: a socket we bind, or the one systemd hands us. */
#ifndef PRH_LISTENER_H
#define PRH_LISTENER_H

#include <sys/types.h>

struct prh_listener {
    int fd;
    int activated;     /* from systemd: not ours to remove */
    int dir_fd;        /* directory of a socket file we created, or -1 */
    char name[108];    /* its name inside dir_fd */
    dev_t dev;         /* and identity, so we only ever remove our own */
    ino_t ino;
};

/* path_set: -k was given. The socket file gets mode 0600, or 0660 and
 * this group unless group is (gid_t)-1. A live socket at path is never
 * replaced. Returns 0, or -1 with one line in err. */
int prh_listener_open(struct prh_listener *l, const char *path, int path_set,
                      gid_t group, char *err, size_t errlen);

/* Stops listening; removes the socket file if we created it and it is
 * still the same file (during start-up: the file-system helper removes it
 * later, fshelper.h). */
void prh_listener_close(struct prh_listener *l);

/* The file is the file-system helper's to remove from now on: lets go of
 * its directory. */
void prh_listener_hand_over(struct prh_listener *l);

#endif
