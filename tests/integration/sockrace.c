/* sockrace: whoever may write a socket's directory, racing the monitor's
 * start (for the host tests). Every entry that appears in DIR under a name
 * other than FINAL is swapped at once: a file or socket for a symlink to
 * VICTIM, a directory renamed away and a symlink to VICTIM's directory put
 * in its place. A monitor that follows a path it does not own changes
 * VICTIM. Runs for SECONDS (or until SIGTERM), then prints how many swaps
 * it made.
 *
 *   sockrace DIR FINAL VICTIM SECONDS */
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static int dir_fd;
static unsigned long serial, swaps;
static volatile sig_atomic_t stop;

static void on_term(int sig)
{
    (void)sig;
    stop = 1;
}

static void swap(const char *name, const char *victim, const char *victim_dir)
{
    struct stat st;
    char tmp[64], away[64];
    if (fstatat(dir_fd, name, &st, AT_SYMLINK_NOFOLLOW) < 0 || S_ISLNK(st.st_mode))
        return;
    snprintf(tmp, sizeof(tmp), ".race-%lu", serial++);
    if (S_ISDIR(st.st_mode)) {
        snprintf(away, sizeof(away), ".race-away-%lu", serial++);
        if (renameat(dir_fd, name, dir_fd, away) < 0)
            return;
        if (symlinkat(victim_dir, dir_fd, name) == 0)
            swaps++;
        return;
    }
    if (symlinkat(victim, dir_fd, tmp) == 0 && renameat(dir_fd, tmp, dir_fd, name) == 0)
        swaps++;
    else
        unlinkat(dir_fd, tmp, 0);
}

int main(int argc, char **argv)
{
    if (argc != 5) {
        fprintf(stderr, "usage: sockrace DIR FINAL VICTIM SECONDS\n");
        return 2;
    }
    const char *final = argv[2], *victim = argv[3];
    char vdir[PATH_MAX];
    snprintf(vdir, sizeof(vdir), "%s", victim);
    const char *victim_dir = dirname(vdir);
    dir_fd = open(argv[1], O_PATH | O_DIRECTORY);
    int in = inotify_init1(IN_CLOEXEC);
    if (dir_fd < 0 || in < 0 || inotify_add_watch(in, argv[1], IN_CREATE | IN_MOVED_TO) < 0) {
        perror("sockrace");
        return 1;
    }
    time_t end = time(NULL) + atoi(argv[4]);
    char buf[4096] __attribute__((aligned(8)));
    signal(SIGTERM, on_term);
    while (!stop && time(NULL) < end) {
        struct pollfd p = {in, POLLIN, 0};
        if (poll(&p, 1, 200) <= 0)
            continue;
        ssize_t n = read(in, buf, sizeof(buf));
        for (char *c = buf; n > 0 && c < buf + n;) {
            struct inotify_event *ev = (struct inotify_event *)c;
            if (ev->len && strcmp(ev->name, final) != 0 && strncmp(ev->name, ".race", 5) != 0)
                swap(ev->name, victim, victim_dir);
            c += sizeof(*ev) + ev->len;
        }
    }
    printf("%lu swaps\n", swaps);
    return 0;
}
