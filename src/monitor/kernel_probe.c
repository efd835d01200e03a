#include "kernel_probe.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* BTF's layout (the kernel's Documentation/bpf/btf.rst): a header, then
 * type records and a string table at offsets from the header's end. */
#define BTF_MAGIC 0xeb9f
#define BTF_MAX_SIZE (256u << 20)

struct btf_header {
    uint16_t magic;
    uint8_t version, flags;
    uint32_t hdr_len;
    uint32_t type_off, type_len;
    uint32_t str_off, str_len;
};

struct btf_type {
    uint32_t name_off;
    uint32_t info; /* vlen: bits 0-15, kind: bits 24-28 */
    uint32_t size_or_type;
};

enum { KIND_INT = 1, KIND_ARRAY = 3, KIND_STRUCT = 4, KIND_UNION = 5, KIND_ENUM = 6,
       KIND_FUNC_PROTO = 13, KIND_VAR = 14, KIND_DATASEC = 15, KIND_DECL_TAG = 17,
       KIND_ENUM64 = 19, KIND_MAX = 19 };

/* Bytes that follow a type record of this kind, or -1 for a kind this
 * reader does not know (then it cannot walk on). */
static long extra_bytes(unsigned kind, unsigned vlen)
{
    switch (kind) {
    case KIND_INT:
    case KIND_VAR:
    case KIND_DECL_TAG:
        return 4;
    case KIND_ARRAY:
        return 12;
    case KIND_STRUCT:
    case KIND_UNION:
    case KIND_DATASEC:
    case KIND_ENUM64:
        return 12L * vlen;
    case KIND_ENUM:
    case KIND_FUNC_PROTO:
        return 8L * vlen;
    default:
        return kind <= KIND_MAX ? 0 : -1;
    }
}

int prh_btf_has_structs(const unsigned char *btf, size_t len, const char *const *names,
                        int nnames, char *why, size_t whylen)
{
    struct btf_header h;
    unsigned found = 0;

    if (len < sizeof(h)) {
        snprintf(why, whylen, "BTF too short");
        return 0;
    }
    memcpy(&h, btf, sizeof(h));
    if (h.magic != BTF_MAGIC || h.hdr_len < sizeof(h) || h.hdr_len > len ||
        (uint64_t)h.type_off + h.type_len > len - h.hdr_len ||
        (uint64_t)h.str_off + h.str_len > len - h.hdr_len) {
        snprintf(why, whylen, "BTF header not understood");
        return 0;
    }
    const unsigned char *types = btf + h.hdr_len + h.type_off;
    const char *strs = (const char *)btf + h.hdr_len + h.str_off;
    for (size_t off = 0; off + sizeof(struct btf_type) <= h.type_len;) {
        struct btf_type t;
        memcpy(&t, types + off, sizeof(t));
        unsigned kind = (t.info >> 24) & 0x1f, vlen = t.info & 0xffff;
        long extra = extra_bytes(kind, vlen);
        if (extra < 0) {
            snprintf(why, whylen, "BTF type kind %u not understood", kind);
            return 0;
        }
        if (kind == KIND_STRUCT && t.name_off < h.str_len) {
            const char *name = strs + t.name_off;
            size_t room = h.str_len - t.name_off;
            for (int i = 0; i < nnames; i++)
                if (strnlen(name, room) < room && strcmp(name, names[i]) == 0)
                    found |= 1u << i;
        }
        off += sizeof(t) + (size_t)extra;
    }
    for (int i = 0; i < nnames; i++)
        if (!(found & (1u << i))) {
            snprintf(why, whylen, "this kernel has no struct %s", names[i]);
            return 0;
        }
    return 1;
}

int prh_kernel_has_pr_read_ioctls(const char *btf_path, char *why, size_t whylen)
{
    static const char *const names[] = {"pr_read_keys", "pr_read_reservation"};
    struct stat st;
    int fd = open(btf_path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        snprintf(why, whylen, "%s: %s (a kernel without BTF cannot be told to have them)",
                 btf_path, strerror(errno));
        return 0;
    }
    /* sysfs reports a size for this file; read until EOF all the same. */
    size_t cap = fstat(fd, &st) == 0 && st.st_size > 0 ? (size_t)st.st_size : 1u << 20, len = 0;
    unsigned char *buf = NULL;
    for (;;) {
        if (len == cap || !buf) {
            if (buf)
                cap *= 2;
            unsigned char *more = cap <= BTF_MAX_SIZE ? realloc(buf, cap) : NULL;
            if (!more) {
                free(buf);
                close(fd);
                snprintf(why, whylen, "%s: too large or out of memory", btf_path);
                return 0;
            }
            buf = more;
        }
        ssize_t n = read(fd, buf + len, cap - len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            snprintf(why, whylen, "%s: %s", btf_path, strerror(errno));
            free(buf);
            close(fd);
            return 0;
        }
        if (n == 0)
            break;
        len += (size_t)n;
    }
    close(fd);
    int ok = prh_btf_has_structs(buf, len, names, 2, why, whylen);
    free(buf);
    return ok;
}
