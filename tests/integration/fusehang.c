/* fusehang: a FUSE file system with one file, "f", whose close never
 * returns: the server answers FLUSH never. What any local user can build
 * with fusermount3; here the test mounts it directly (root).
 *
 * Usage: fusehang DIR   (runs until killed; killing it aborts the mount,
 * which releases every process stuck in close) */
#include <errno.h>
#include <fcntl.h>
#include <linux/fuse.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#define FILE_INODE 2

static int dev;

static void reply(uint64_t unique, int error, const void *body, size_t len)
{
    struct fuse_out_header h = {(uint32_t)(sizeof(h) + len), -error, unique};
    char buf[sizeof(h) + 256];
    memcpy(buf, &h, sizeof(h));
    if (len)
        memcpy(buf + sizeof(h), body, len);
    if (write(dev, buf, sizeof(h) + len) < 0 && errno != ENOENT)
        perror("fusehang: write");
}

static void fill_attr(struct fuse_attr *a, uint64_t ino)
{
    memset(a, 0, sizeof(*a));
    a->ino = ino;
    a->mode = ino == FUSE_ROOT_ID ? S_IFDIR | 0755 : S_IFREG | 0666;
    a->nlink = 1;
    a->size = ino == FUSE_ROOT_ID ? 0 : 4096;
}

static void serve(const struct fuse_in_header *in, const char *arg)
{
    switch (in->opcode) {
    case FUSE_INIT: {
        struct fuse_init_out out = {.major = FUSE_KERNEL_VERSION, .minor = 31,
                                    .max_write = 4096, .max_readahead = 4096};
        reply(in->unique, 0, &out, sizeof(out));
        break;
    }
    case FUSE_LOOKUP:
        if (strcmp(arg, "f") != 0) {
            reply(in->unique, ENOENT, NULL, 0);
        } else {
            struct fuse_entry_out out = {.nodeid = FILE_INODE, .generation = 1};
            fill_attr(&out.attr, FILE_INODE);
            reply(in->unique, 0, &out, sizeof(out));
        }
        break;
    case FUSE_GETATTR: {
        struct fuse_attr_out out = {0};
        fill_attr(&out.attr, in->nodeid);
        reply(in->unique, 0, &out, sizeof(out));
        break;
    }
    case FUSE_OPEN:
    case FUSE_OPENDIR: {
        struct fuse_open_out out = {.fh = 1};
        reply(in->unique, 0, &out, sizeof(out));
        break;
    }
    case FUSE_FLUSH:
        break; /* never answered: the closing process waits */
    case FUSE_FORGET:
    case FUSE_BATCH_FORGET:
    case FUSE_INTERRUPT:
        break; /* no reply expected (or wanted) */
    case FUSE_RELEASE:
    case FUSE_RELEASEDIR:
        reply(in->unique, 0, NULL, 0);
        break;
    default:
        reply(in->unique, ENOSYS, NULL, 0);
        break;
    }
}

int main(int argc, char **argv)
{
    static char buf[FUSE_MIN_READ_BUFFER + 65536];
    char opts[128];

    if (argc != 2) {
        fprintf(stderr, "usage: fusehang DIR\n");
        return 2;
    }
    dev = open("/dev/fuse", O_RDWR | O_CLOEXEC);
    if (dev < 0) {
        perror("fusehang: /dev/fuse");
        return 1;
    }
    snprintf(opts, sizeof(opts), "fd=%d,rootmode=40000,user_id=0,group_id=0,allow_other", dev);
    if (mount("fusehang", argv[1], "fuse.fusehang", MS_NOSUID | MS_NODEV, opts) < 0) {
        perror("fusehang: mount");
        return 1;
    }
    printf("mounted\n");
    fflush(stdout);
    for (;;) {
        ssize_t n = read(dev, buf, sizeof(buf));
        if (n < 0) {
            if (errno == EINTR || errno == ENOENT)
                continue;
            return errno == ENODEV ? 0 : 1; /* unmounted */
        }
        if ((size_t)n < sizeof(struct fuse_in_header))
            continue;
        struct fuse_in_header in;
        memcpy(&in, buf, sizeof(in));
        serve(&in, buf + sizeof(in));
    }
}
