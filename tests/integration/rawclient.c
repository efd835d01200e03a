/* rawclient: a scriptable raw client for QEMU's pr-helper protocol, for the
 * host integration tests. It sends exactly the bytes and descriptors a
 * script asks for and prints what comes back, one line per event.
 *
 * Usage: rawclient [-S] SOCKET STEP...
 *        rawclient syslog-sink PATH   (a /dev/log stand-in: binds a datagram
 *                   socket at PATH, prints each message as a line, forever)
 *   -S              print all 96 sense bytes (default: the first 18)
 *
 * The connection is opened before the first step. Steps:
 *   hello N         read the 4-byte feature word (prints "features F"),
 *                   then send N as the requested features
 *   features        only read the feature word and print it
 *   want N          only send N as the requested features
 *   cdb HEX         set the next CDB (any length, normally 16 bytes; it
 *                   may carry parameter bytes too, or be any message that
 *                   needs fds attached, e.g. the feature word)
 *   fd PATH[:MODE][@CHUNK]
 *                   attach PATH (MODE ro, rw or wo; default ro) to chunk
 *                   CHUNK (default 0) of the next CDB; may be repeated
 *   keep-fds        keep attached fds open after sending (until exit)
 *   split N         send the CDB in chunks of N bytes (0: one chunk)
 *   gap MS          pause MS milliseconds between chunks (default 0)
 *   send            send the pending CDB with its fds now
 *   param HEX       send bytes (no fds); "param zeros:N" sends N zero bytes;
 *                   a pending CDB is sent first
 *   raw HEX         like param (for partial or stray bytes)
 *   reply           read one reply and print
 *                     "reply status=S size=N sense=HEX data=HEX"
 *                   or "closed" when the helper closes the connection
 *   req HEX PATH[:MODE]
 *                   shorthand: cdb HEX fd PATH:MODE reply
 *   stream HEX PATH[:MODE] SECONDS
 *                   send request HEX with PATH again and again, each after
 *                   the previous answer, for up to SECONDS; prints
 *                   "stream answered=N end=E": E is "refused" (a send
 *                   failed: the helper stopped reading), "lost" (a request
 *                   was sent and the connection closed without its answer),
 *                   or "time"
 *   expect-closed   wait until the helper closes the connection: prints
 *                   "closed", or "open" if it sends data instead
 *   sleep MS        pause
 *   pause           wait for a line (or EOF) on stdin, at most 60 s
 *   connect         close the connection and open a new one
 *   quit            close the connection and stop (the client "vanishes")
 *
 * Every receive and send times out after 10 s ("timeout", exit 4). Exit
 * status: 0 the script ran, 2 usage, 3 connection error, 4 timeout. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "fdio.h"
#include "hex.h"
#include "proto.h"

#define MAX_FDS 32
#define MAX_MESSAGE (PRH_CDB_SIZE + 2 * PRH_DATA_MAX)
#define IO_TIMEOUT_S 10

enum { EXIT_USAGE = 2, EXIT_CONN = 3, EXIT_TIMEOUT = 4 };

struct pending_fd {
    int fd;
    size_t chunk;
};

static const char *sock_path;
static int sock = -1;
static int full_sense;

static uint8_t cdb[MAX_MESSAGE];
static size_t cdb_len;
static int cdb_pending;
static struct pending_fd fds[MAX_FDS];
static size_t nfds;
static size_t split;
static unsigned gap_ms;

/* "rawclient: WHAT: DETAIL" on stderr, then exit with code. */
static void __attribute__((noreturn)) die(int code, const char *what, const char *detail)
{
    fprintf(stderr, "rawclient: %s: %s\n", what, detail);
    fflush(stdout);
    exit(code);
}

static void __attribute__((noreturn)) timed_out(void)
{
    printf("timeout\n");
    fflush(stdout);
    exit(EXIT_TIMEOUT);
}

static void sleep_ms(unsigned ms)
{
    struct timespec t = {(time_t)(ms / 1000), (long)(ms % 1000) * 1000000L};
    while (nanosleep(&t, &t) < 0 && errno == EINTR) {
    }
}

static void open_connection(void)
{
    struct sockaddr_un addr = {.sun_family = AF_UNIX};
    struct timeval tv = {IO_TIMEOUT_S, 0};

    if (strlen(sock_path) >= sizeof(addr.sun_path))
        die(EXIT_USAGE, "socket path too long", sock_path);
    memcpy(addr.sun_path, sock_path, strlen(sock_path) + 1);
    sock = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (sock < 0)
        die(EXIT_CONN, "socket", strerror(errno));
    if (setsockopt(sock, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)) < 0 ||
        setsockopt(sock, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv)) < 0)
        die(EXIT_CONN, "setsockopt", strerror(errno));
    if (connect(sock, (struct sockaddr *)&addr, sizeof(addr)) < 0)
        die(EXIT_CONN, "connect", strerror(errno));
}

static void close_connection(void)
{
    prh_close(sock);
    sock = -1;
}

/* Parses HEX (or "zeros:N") into a malloc'd buffer. */
static uint8_t *parse_bytes(const char *s, size_t *len)
{
    if (strncmp(s, "zeros:", 6) == 0) {
        char *end;
        unsigned long n = strtoul(s + 6, &end, 0);
        if (*end || n > 1024 * 1024)
            die(EXIT_USAGE, "bad byte count", s);
        *len = n;
        uint8_t *buf = calloc(1, n ? n : 1);
        if (!buf)
            die(EXIT_CONN, "malloc", "out of memory");
        return buf;
    }
    size_t n = strlen(s);
    if (n % 2)
        die(EXIT_USAGE, "odd number of hex digits", s);
    uint8_t *buf = malloc(n / 2 + 1);
    if (!buf)
        die(EXIT_CONN, "malloc", "out of memory");
    for (size_t i = 0; i < n / 2; i++) {
        int hi = prh_hex_digit(s[2 * i]), lo = prh_hex_digit(s[2 * i + 1]);
        if (hi < 0 || lo < 0)
            die(EXIT_USAGE, "bad hex", s);
        buf[i] = (uint8_t)(hi << 4 | lo);
    }
    *len = n / 2;
    return buf;
}

static unsigned long parse_num(const char *s)
{
    char *end;
    errno = 0;
    unsigned long v = strtoul(s, &end, 0);
    if (errno || end == s || *end)
        die(EXIT_USAGE, "bad number", s);
    return v;
}

/* PATH[:MODE][@CHUNK] */
static void add_fd(const char *spec)
{
    char path[4096];
    int flags = O_RDONLY;
    size_t chunk = 0;

    if (nfds == MAX_FDS)
        die(EXIT_USAGE, "too many fds", spec);
    snprintf(path, sizeof(path), "%s", spec);
    char *at = strrchr(path, '@');
    if (at) {
        *at = '\0';
        chunk = parse_num(at + 1);
    }
    char *colon = strrchr(path, ':');
    if (colon) {
        if (strcmp(colon + 1, "ro") == 0)
            flags = O_RDONLY;
        else if (strcmp(colon + 1, "rw") == 0)
            flags = O_RDWR;
        else if (strcmp(colon + 1, "wo") == 0)
            flags = O_WRONLY;
        else
            die(EXIT_USAGE, "bad fd mode", spec);
        *colon = '\0';
    }
    int fd = open(path, flags | O_CLOEXEC | O_NOCTTY);
    if (fd < 0)
        die(EXIT_CONN, "cannot open", path);
    fds[nfds].fd = fd;
    fds[nfds].chunk = chunk;
    nfds++;
}

static int send_chunk_failed; /* the last CDB could not be sent whole */
static int keep_fds;          /* leave sent fds open */

static void send_error(void)
{
    if (errno == EAGAIN || errno == EWOULDBLOCK)
        timed_out();
    /* The helper may have closed already: the next read tells. */
    if (errno != EPIPE && errno != ECONNRESET)
        die(EXIT_CONN, "send", strerror(errno));
}

/* One sendmsg with the fds assigned to this chunk. */
static int send_chunk(const uint8_t *data, size_t len, size_t chunk)
{
    union {
        struct cmsghdr align;
        char buf[CMSG_SPACE(sizeof(int) * MAX_FDS)];
    } control;
    int list[MAX_FDS];
    size_t n = 0;

    for (size_t i = 0; i < nfds; i++)
        if (fds[i].chunk == chunk)
            list[n++] = fds[i].fd;

    struct iovec iov = {.iov_base = (void *)data, .iov_len = len};
    struct msghdr msg = {.msg_iov = &iov, .msg_iovlen = 1};
    if (n) {
        memset(&control, 0, sizeof(control));
        msg.msg_control = control.buf;
        msg.msg_controllen = CMSG_SPACE(sizeof(int) * n);
        struct cmsghdr *c = CMSG_FIRSTHDR(&msg);
        c->cmsg_level = SOL_SOCKET;
        c->cmsg_type = SCM_RIGHTS;
        c->cmsg_len = CMSG_LEN(sizeof(int) * n);
        memcpy(CMSG_DATA(c), list, sizeof(int) * n);
    }
    ssize_t r;
    do {
        r = sendmsg(sock, &msg, MSG_NOSIGNAL);
    } while (r < 0 && errno == EINTR);
    if (r < 0) {
        send_error();
        return -1;
    }
    if ((size_t)r != len) {
        /* Not expected for small chunks on a unix socket; send the rest
         * without fds. */
        if (prh_write_all(sock, data + r, len - (size_t)r) < 0) {
            send_error();
            return -1;
        }
    }
    return 0;
}

static void flush_cdb(void)
{
    if (!cdb_pending)
        return;
    send_chunk_failed = 0;
    size_t step = split ? split : (cdb_len ? cdb_len : 1);
    size_t chunks = cdb_len ? (cdb_len + step - 1) / step : 0;
    for (size_t i = 0; i < nfds; i++)
        if (fds[i].chunk >= chunks && !(chunks == 0 && fds[i].chunk == 0))
            die(EXIT_USAGE, "fd", "attached to a chunk past the end of the CDB");
    if (cdb_len == 0) {
        /* An fd with no data cannot travel on a stream socket; send one
         * byte-less message anyway and let the kernel decide. */
        send_chunk(cdb, 0, 0);
    }
    for (size_t i = 0; i < chunks; i++) {
        size_t off = i * step;
        size_t len = cdb_len - off < step ? cdb_len - off : step;
        if (i > 0 && gap_ms)
            sleep_ms(gap_ms);
        if (send_chunk(cdb + off, len, i) < 0) {
            send_chunk_failed = 1;
            break;
        }
    }
    for (size_t i = 0; i < nfds && !keep_fds; i++)
        prh_close(fds[i].fd);
    nfds = 0;
    cdb_pending = 0;
}

static void send_bytes(const uint8_t *data, size_t len)
{
    flush_cdb();
    if (len && prh_write_all(sock, data, len) < 0)
        send_error();
}

/* Reads exactly len bytes. Returns len, or how many came before EOF/reset. */
static size_t read_exact(uint8_t *buf, size_t len)
{
    size_t got = 0;
    while (got < len) {
        ssize_t n = read(sock, buf + got, len - got);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
            timed_out();
        if (n < 0 && errno != ECONNRESET)
            die(EXIT_CONN, "read", strerror(errno));
        if (n <= 0)
            break;
        got += (size_t)n;
    }
    return got;
}

static void print_closed(size_t got)
{
    if (got == 0)
        printf("closed\n");
    else
        printf("closed after %zu bytes\n", got);
}

static void print_hex(const uint8_t *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        printf("%02x", p[i]);
}

static void read_features(void)
{
    uint8_t word[4];
    size_t got = read_exact(word, sizeof(word));
    if (got < sizeof(word)) {
        print_closed(got);
        return;
    }
    printf("features %u\n", (unsigned)prh_get_be32(word));
}

static void send_features(unsigned long v)
{
    uint8_t word[4];
    prh_put_be32(word, (uint32_t)v);
    send_bytes(word, sizeof(word));
}

static void read_reply(void)
{
    static uint8_t buf[PRH_REPLY_HEADER_SIZE + 65536];

    flush_cdb();
    size_t got = read_exact(buf, PRH_REPLY_HEADER_SIZE);
    if (got < PRH_REPLY_HEADER_SIZE) {
        print_closed(got);
        return;
    }
    int32_t status = (int32_t)prh_get_be32(buf);
    uint32_t size = prh_get_be32(buf + 4);
    printf("reply status=%d size=%u sense=", (int)status, (unsigned)size);
    print_hex(buf + 8, full_sense ? PRH_SENSE_SIZE : 18);
    if (size > 65536) {
        printf(" data=<%u bytes: not read>\n", (unsigned)size);
        return;
    }
    got = read_exact(buf + PRH_REPLY_HEADER_SIZE, size);
    printf(" data=");
    print_hex(buf + PRH_REPLY_HEADER_SIZE, got);
    printf("\n");
    if (got < size)
        print_closed(PRH_REPLY_HEADER_SIZE + got);
}

static void stream(const char *hex, const char *spec, unsigned long seconds)
{
    static uint8_t buf[PRH_REPLY_HEADER_SIZE + PRH_DATA_MAX];
    size_t len;
    unsigned long answered = 0;
    const char *end = "time";
    uint8_t *req = parse_bytes(hex, &len);
    time_t stop = time(NULL) + (time_t)seconds;

    flush_cdb();
    while (time(NULL) < stop) {
        memcpy(cdb, req, len);
        cdb_len = len;
        cdb_pending = 1;
        add_fd(spec);
        flush_cdb();
        if (send_chunk_failed) {
            end = "refused";
            break;
        }
        size_t got = read_exact(buf, PRH_REPLY_HEADER_SIZE);
        if (got < PRH_REPLY_HEADER_SIZE) {
            end = "lost";
            break;
        }
        uint32_t size = prh_get_be32(buf + 4);
        if (size > PRH_DATA_MAX || read_exact(buf, size) < size) {
            end = "lost";
            break;
        }
        answered++;
    }
    free(req);
    printf("stream answered=%lu end=%s\n", answered, end);
}

/* After a protocol violation: the helper should close without a word. */
static void expect_closed(void)
{
    uint8_t byte;
    flush_cdb();
    size_t got = read_exact(&byte, 1);
    printf(got ? "open\n" : "closed\n");
}

static void wait_stdin(void)
{
    char line[256];
    struct pollfd p = {STDIN_FILENO, POLLIN, 0};
    fflush(stdout);
    if (poll(&p, 1, 60 * 1000) > 0 && read(STDIN_FILENO, line, sizeof(line)) < 0) {
        /* EOF or error: either way, carry on */
    }
}

static const char *arg(int argc, char **argv, int *i)
{
    if (*i + 1 >= argc)
        die(EXIT_USAGE, argv[*i], "needs an argument");
    return argv[++*i];
}

static void usage(void)
{
    fprintf(stderr, "usage: rawclient [-S] SOCKET STEP... (see the source for steps)\n");
    exit(EXIT_USAGE);
}

static void __attribute__((noreturn)) syslog_sink(const char *path)
{
    struct sockaddr_un a = {.sun_family = AF_UNIX};
    char msg[4096];
    int s = socket(AF_UNIX, SOCK_DGRAM, 0);

    if (strlen(path) >= sizeof(a.sun_path))
        die(EXIT_USAGE, path, "path too long");
    strcpy(a.sun_path, path);
    unlink(path);
    if (s < 0 || bind(s, (struct sockaddr *)&a, sizeof(a)) < 0 || chmod(path, 0666) < 0)
        die(EXIT_CONN, path, strerror(errno));
    for (;;) {
        ssize_t n = recv(s, msg, sizeof(msg) - 1, 0);
        if (n > 0)
            printf("%.*s\n", (int)n, msg);
    }
}

int main(int argc, char **argv)
{
    int i = 1;

    setvbuf(stdout, NULL, _IOLBF, 0);
    signal(SIGPIPE, SIG_IGN);
    if (argc == 3 && strcmp(argv[1], "syslog-sink") == 0)
        syslog_sink(argv[2]);
    if (i < argc && strcmp(argv[i], "-S") == 0) {
        full_sense = 1;
        i++;
    }
    if (i >= argc)
        usage();
    sock_path = argv[i++];
    open_connection();

    for (; i < argc; i++) {
        const char *step = argv[i];
        if (strcmp(step, "hello") == 0) {
            unsigned long v = parse_num(arg(argc, argv, &i));
            read_features();
            send_features(v);
        } else if (strcmp(step, "features") == 0) {
            read_features();
        } else if (strcmp(step, "want") == 0) {
            send_features(parse_num(arg(argc, argv, &i)));
        } else if (strcmp(step, "cdb") == 0 || strcmp(step, "req") == 0) {
            size_t len;
            flush_cdb();
            uint8_t *b = parse_bytes(arg(argc, argv, &i), &len);
            if (len > sizeof(cdb))
                die(EXIT_USAGE, "cdb", "message too long");
            memcpy(cdb, b, len);
            free(b);
            cdb_len = len;
            cdb_pending = 1;
            if (strcmp(step, "req") == 0) {
                add_fd(arg(argc, argv, &i));
                read_reply();
            }
        } else if (strcmp(step, "keep-fds") == 0) {
            keep_fds = 1;
        } else if (strcmp(step, "stream") == 0) {
            const char *hex = arg(argc, argv, &i);
            const char *spec = arg(argc, argv, &i);
            stream(hex, spec, parse_num(arg(argc, argv, &i)));
        } else if (strcmp(step, "fd") == 0) {
            add_fd(arg(argc, argv, &i));
        } else if (strcmp(step, "split") == 0) {
            split = parse_num(arg(argc, argv, &i));
        } else if (strcmp(step, "gap") == 0) {
            gap_ms = (unsigned)parse_num(arg(argc, argv, &i));
        } else if (strcmp(step, "send") == 0) {
            flush_cdb();
        } else if (strcmp(step, "param") == 0 || strcmp(step, "raw") == 0) {
            size_t len;
            uint8_t *b = parse_bytes(arg(argc, argv, &i), &len);
            send_bytes(b, len);
            free(b);
        } else if (strcmp(step, "reply") == 0) {
            read_reply();
        } else if (strcmp(step, "expect-closed") == 0) {
            expect_closed();
        } else if (strcmp(step, "sleep") == 0) {
            sleep_ms((unsigned)parse_num(arg(argc, argv, &i)));
        } else if (strcmp(step, "pause") == 0) {
            wait_stdin();
        } else if (strcmp(step, "connect") == 0) {
            flush_cdb();
            close_connection();
            open_connection();
        } else if (strcmp(step, "quit") == 0) {
            flush_cdb();
            close_connection();
            return 0;
        } else {
            die(EXIT_USAGE, "unknown step", step);
        }
    }
    flush_cdb();
    close_connection();
    return 0;
}
