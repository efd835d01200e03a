/* seprobe: one access the worker's SELinux domain must not have, for the
 * SELinux guest (tests/vm/selinux-tests.sh). Run there as
 *   runcon -t prhelper_worker_t seprobe ACTION [PATH]
 * from a file labelled prhelper_worker_exec_t, the domain's only entry
 * point, so that it runs with the worker's SELinux rules and nothing else:
 * no seccomp filter, no Landlock, root's uid and capabilities. What it
 * shows is what the policy alone stops if everything else in the worker
 * failed. Prints "ACTION PATH: allowed" or "...: denied (errno)" on stderr
 * and exits 0 when the access was allowed, 1 when refused, 2 on a usage
 * error.
 *   open PATH      open(2) a file or device read/write (read-only for a file)
 *   inet           socket(AF_INET, SOCK_STREAM)
 *   connect PATH   connect(2) a new AF_UNIX stream socket to PATH
 *   exec PATH      execve(2) PATH
 * Static, so that no loader opens libraries under the domain. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

static int report(const char *what, const char *path, int rc)
{
    if (rc >= 0) {
        fprintf(stderr, "%s %s: allowed\n", what, path);
        return 0;
    }
    fprintf(stderr, "%s %s: denied (%s)\n", what, path, strerror(errno));
    return 1;
}

int main(int argc, char **argv)
{
    if (argc == 3 && strcmp(argv[1], "open") == 0) {
        struct stat st;
        int mode = stat(argv[2], &st) == 0 && S_ISREG(st.st_mode) ? O_RDONLY : O_RDWR;
        return report("open", argv[2], open(argv[2], mode | O_CLOEXEC));
    }
    if (argc == 2 && strcmp(argv[1], "inet") == 0)
        return report("socket", "AF_INET", socket(AF_INET, SOCK_STREAM, 0));
    if (argc == 3 && strcmp(argv[1], "connect") == 0) {
        struct sockaddr_un sa = {.sun_family = AF_UNIX};
        if (strlen(argv[2]) >= sizeof sa.sun_path)
            return 2;
        strcpy(sa.sun_path, argv[2]);
        int s = socket(AF_UNIX, SOCK_STREAM, 0);
        if (s < 0)
            return report("socket", "AF_UNIX", s);
        return report("connect", argv[2], connect(s, (struct sockaddr *)&sa, sizeof sa));
    }
    if (argc == 3 && strcmp(argv[1], "exec") == 0) {
        char *const args[] = {argv[2], NULL};
        execv(argv[2], args);
        return report("exec", argv[2], -1);
    }
    fprintf(stderr, "usage: seprobe open PATH | inet | connect PATH | exec PATH\n");
    return 2;
}
