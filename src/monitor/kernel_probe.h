/* Whether the running kernel has what the no-capability mode needs: the
 * block layer's IOC_PR_READ_KEYS and IOC_PR_READ_RESERVATION (Linux 6.19,
 * which also lets any writer of a device issue the PR OUT ones, as 6.5
 * did). The monitor holds no device to try them on, so it asks the
 * kernel's own type information (BTF, /sys/kernel/btf/vmlinux): those
 * ioctls' argument structs, struct pr_read_keys and struct
 * pr_read_reservation, exist in a kernel exactly when its block layer
 * implements them (the kernel's pr_ops has callbacks of those names since
 * 6.5: member names do not count, only struct types). */
#ifndef PRH_KERNEL_PROBE_H
#define PRH_KERNEL_PROBE_H

#include <stddef.h>

#define PRH_KERNEL_BTF "/sys/kernel/btf/vmlinux"

/* Returns 1 when both structs are there; 0 when not, or when the kernel
 * cannot tell (no BTF): *why says which, in one line. */
int prh_kernel_has_pr_read_ioctls(const char *btf_path, char *why, size_t whylen);

/* The same test on a BTF blob in memory (unit tests). */
int prh_btf_has_structs(const unsigned char *btf, size_t len, const char *const *names,
                        int nnames, char *why, size_t whylen);

#endif
