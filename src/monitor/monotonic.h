/* CLOCK_MONOTONIC in nanoseconds, for what the monitor times itself. */
#ifndef PRH_MONOTONIC_H
#define PRH_MONOTONIC_H

#include <stdint.h>
#include <time.h>

static inline uint64_t prh_monotonic_ns(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (uint64_t)t.tv_sec * 1000000000ull + (uint64_t)t.tv_nsec;
}

#endif
