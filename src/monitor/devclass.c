#include "devclass.h"

#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/sysmacros.h>

#include "procfile.h"

static int proc_fd = -1;
static atomic_uint dm_major; /* 0: not known (yet) */
static pthread_mutex_t reread = PTHREAD_MUTEX_INITIALIZER;
#define MAJORS 4096
static uint8_t listed[MAJORS / 8]; /* under reread: block majors last read */

/* The "Block devices:" section, lines like "253 device-mapper": notes
 * every major listed, returns device-mapper's (0: not there). */
static unsigned parse_block_majors(const char *text)
{
    unsigned dm = 0;
    const char *p = strstr(text, "\nBlock devices:\n");
    if (!p)
        return 0;
    p = strchr(p + 1, '\n');
    while (p && p[1] != '\0') {
        char *end;
        unsigned long m = strtoul(p + 1, &end, 10);
        if (end != p + 1 && m > 0 && m < MAJORS) {
            listed[m / 8] |= (uint8_t)(1u << (m % 8));
            if (strncmp(end, " device-mapper\n", 15) == 0)
                dm = (unsigned)m;
        }
        p = strchr(p + 1, '\n');
    }
    return dm;
}

static void learn(void)
{
    char buf[8192];
    if (prh_procfile_read(proc_fd, buf, sizeof(buf)) < 0)
        return;
    unsigned m = parse_block_majors(buf);
    if (m)
        atomic_store(&dm_major, m);
}

int prh_devclass_open(char *err, size_t errlen)
{
    int high = prh_procfile_open("/proc/devices");
    if (high < 0) {
        snprintf(err, errlen, "/proc/devices: %s: device-mapper maps get SG_IO", strerror(errno));
        return -1;
    }
    proc_fd = high;
    learn();
    return high;
}

int prh_devclass_is_dm(dev_t rdev)
{
    unsigned m = atomic_load(&dm_major);
    if (m == 0 && proc_fd >= 0) {
        /* A major /proc/devices did not list may be dm's, registered
         * since (its major is dynamic): read again. sd's never is. */
        unsigned maj = major(rdev);
        pthread_mutex_lock(&reread);
        if (atomic_load(&dm_major) == 0 &&
            (maj >= MAJORS || !(listed[maj / 8] & (1u << (maj % 8)))))
            learn();
        pthread_mutex_unlock(&reread);
        m = atomic_load(&dm_major);
    }
    return m != 0 && major(rdev) == m;
}

unsigned prh_devclass_dm_major(void)
{
    return atomic_load(&dm_major);
}
