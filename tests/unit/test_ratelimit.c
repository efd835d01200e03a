/* ratelimit.c: a burst passes, the rest is counted, the rate refills, and
 * the count is handed over once with the next line that passes. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include <cmocka.h>

#include "ratelimit.h"

static void test_burst_then_counted(void **state)
{
    (void)state;
    struct prh_ratelimit r;
    unsigned long sup = 99;
    prh_ratelimit_init(&r, 1, 5);
    for (int i = 0; i < 5; i++) {
        assert_int_equal(prh_ratelimit_take(&r, &sup), 1);
        assert_int_equal(sup, 0);
    }
    for (int i = 0; i < 7; i++)
        assert_int_equal(prh_ratelimit_take(&r, &sup), 0);
    assert_int_equal(prh_ratelimit_flush(&r), 7);
    assert_int_equal(prh_ratelimit_flush(&r), 0);
}

static void test_refill_reports_suppressed(void **state)
{
    (void)state;
    struct prh_ratelimit r;
    unsigned long sup = 0;
    prh_ratelimit_init(&r, 20, 1); /* one line every 50 ms */
    assert_int_equal(prh_ratelimit_take(&r, &sup), 1);
    assert_int_equal(prh_ratelimit_take(&r, &sup), 0);
    assert_int_equal(prh_ratelimit_take(&r, &sup), 0);
    struct timespec t = {0, 120 * 1000 * 1000};
    nanosleep(&t, NULL);
    assert_int_equal(prh_ratelimit_take(&r, &sup), 1);
    assert_int_equal(sup, 2);
    /* the burst caps what a long pause saves up */
    assert_int_equal(prh_ratelimit_take(&r, &sup), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_burst_then_counted),
        cmocka_unit_test(test_refill_reports_suppressed),
    };
    return cmocka_run_group_tests_name("ratelimit", tests, NULL, NULL);
}
