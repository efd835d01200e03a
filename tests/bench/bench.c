/* bench: connection set-up figures for a pr-helper socket (prhelper or
 * qemu-pr-helper), for `make bench`. Prints one line of key=value pairs.
 *
 *   bench setup SOCK HELD SAMPLES
 *       hold HELD connections (each handshaken), then time SAMPLES fresh
 *       connections one after another: connect() until the helper's
 *       feature word has arrived. Prints p50/p99/max in microseconds.
 *   bench storm SOCK N
 *       open N connections at once and wait until every one has its
 *       feature word. Prints the time until the last one, and how many
 *       got none within 10 s.
 *
 * Exit status: 0, 2 usage, 3 connection error. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#define STORM_TIMEOUT_MS 10000

static struct sockaddr_un addr = {.sun_family = AF_UNIX};

static double now_us(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec * 1e6 + (double)t.tv_nsec / 1e3;
}

static void __attribute__((noreturn)) die(const char *what)
{
    fprintf(stderr, "bench: %s: %s\n", what, strerror(errno));
    exit(3);
}

static void raise_fd_limit(unsigned want)
{
    struct rlimit rl = {want, want};
    if (setrlimit(RLIMIT_NOFILE, &rl) < 0)
        die("setrlimit");
}

/* connect, then wait for the 4-byte feature word. Returns the fd. */
static int handshake(void)
{
    unsigned char word[4];
    size_t got = 0;
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0 || connect(fd, (struct sockaddr *)&addr, sizeof(addr)) < 0)
        die("connect");
    while (got < sizeof(word)) {
        ssize_t n = read(fd, word + got, sizeof(word) - got);
        if (n <= 0)
            die("read of the feature word");
        got += (size_t)n;
    }
    return fd;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static int cmd_setup(unsigned held, unsigned samples)
{
    int *hold = calloc(held ? held : 1, sizeof(int));
    double *lat = calloc(samples, sizeof(double));
    if (!hold || !lat)
        die("calloc");
    raise_fd_limit(held + 64);
    for (unsigned i = 0; i < held; i++)
        hold[i] = handshake();
    for (unsigned i = 0; i < samples; i++) {
        double t0 = now_us();
        int fd = handshake();
        lat[i] = now_us() - t0;
        close(fd);
    }
    qsort(lat, samples, sizeof(double), cmp_double);
    printf("held=%u samples=%u p50_us=%.0f p99_us=%.0f max_us=%.0f\n", held, samples,
           lat[samples / 2], lat[samples * 99 / 100], lat[samples - 1]);
    for (unsigned i = 0; i < held; i++)
        close(hold[i]);
    return 0;
}

static int cmd_storm(unsigned n)
{
    struct pollfd *p = calloc(n, sizeof(*p));
    unsigned char word[4];
    unsigned pending = n, connected = 0;
    if (!p)
        die("calloc");
    raise_fd_limit(n + 64);

    double t0 = now_us();
    for (unsigned i = 0; i < n; i++) {
        p[i].fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
        if (p[i].fd < 0)
            die("socket");
        p[i].events = POLLOUT; /* until connected */
    }
    /* A full backlog answers EAGAIN: try those again as the helper accepts. */
    while (connected < n && now_us() - t0 < STORM_TIMEOUT_MS * 1e3) {
        for (unsigned i = 0; i < n; i++) {
            if (p[i].events != POLLOUT)
                continue;
            if (connect(p[i].fd, (struct sockaddr *)&addr, sizeof(addr)) == 0 || errno == EISCONN) {
                p[i].events = POLLIN;
                connected++;
            } else if (errno != EAGAIN) {
                die("connect");
            }
        }
        if (connected < n) {
            struct timespec pause = {0, 1000 * 1000};
            nanosleep(&pause, NULL);
        }
    }
    while (pending > 0) {
        double left_ms = STORM_TIMEOUT_MS - (now_us() - t0) / 1e3;
        if (left_ms <= 0 || poll(p, n, (int)left_ms) <= 0)
            break;
        for (unsigned i = 0; i < n; i++) {
            if (p[i].fd < 0 || p[i].events != POLLIN || !(p[i].revents & (POLLIN | POLLHUP)))
                continue;
            if (read(p[i].fd, word, sizeof(word)) == (ssize_t)sizeof(word)) {
                p[i].events = 0; /* done; keep it open */
                pending--;
            }
        }
    }
    double total_ms = (now_us() - t0) / 1e3;
    printf("conns=%u all_handshaken_ms=%.0f without_handshake_after_10s=%u\n", n,
           pending ? (double)STORM_TIMEOUT_MS : total_ms, pending);
    for (unsigned i = 0; i < n; i++)
        close(p[i].fd);
    return 0;
}

int main(int argc, char **argv)
{
    if (argc < 4 || strlen(argv[2]) >= sizeof(addr.sun_path)) {
        fprintf(stderr, "usage: bench setup SOCK HELD SAMPLES | bench storm SOCK N\n");
        return 2;
    }
    strcpy(addr.sun_path, argv[2]);
    if (strcmp(argv[1], "setup") == 0 && argc == 5)
        return cmd_setup((unsigned)atoi(argv[3]), (unsigned)atoi(argv[4]));
    if (strcmp(argv[1], "storm") == 0 && argc == 4)
        return cmd_storm((unsigned)atoi(argv[3]));
    fprintf(stderr, "usage: bench setup SOCK HELD SAMPLES | bench storm SOCK N\n");
    return 2;
}
