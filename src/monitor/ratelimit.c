#include "ratelimit.h"

#include "monotonic.h"

void prh_ratelimit_init(struct prh_ratelimit *r, uint32_t per_second, uint32_t burst)
{
    r->per_second = per_second;
    r->burst = burst;
    r->tokens_milli = (uint64_t)burst * 1000;
    r->last_ns = prh_monotonic_ns();
    r->suppressed = 0;
}

int prh_ratelimit_take(struct prh_ratelimit *r, unsigned long *suppressed)
{
    uint64_t t = prh_monotonic_ns(), cap = (uint64_t)r->burst * 1000;
    uint64_t gained = (t - r->last_ns) / 1000000u * r->per_second; /* ms x lines/s */
    if (gained > 0) {
        r->tokens_milli = r->tokens_milli + gained > cap ? cap : r->tokens_milli + gained;
        r->last_ns = t;
    }
    if (r->tokens_milli < 1000) {
        r->suppressed++;
        return 0;
    }
    r->tokens_milli -= 1000;
    *suppressed = r->suppressed;
    r->suppressed = 0;
    return 1;
}

unsigned long prh_ratelimit_flush(struct prh_ratelimit *r)
{
    unsigned long n = r->suppressed;
    r->suppressed = 0;
    return n;
}
