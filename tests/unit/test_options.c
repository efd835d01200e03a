/* The monitor's command line (src/monitor/options.c). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "options.h"

#define MAX_ARGS 32

static struct prh_options opts;
static char err[256];
/* getopt_long permutes argv and keeps pointers into it: writable copies. */
static char argbuf[MAX_ARGS][128];
static char *argv[MAX_ARGS + 1];

/* Parses "prhelper" followed by the NULL-terminated arguments. */
static int parse_list(const char *const *args)
{
    int argc = 0;
    strcpy(argbuf[argc], "prhelper");
    argv[argc] = argbuf[argc];
    argc++;
    for (; *args; args++) {
        assert_true(argc < MAX_ARGS);
        assert_true(strlen(*args) < sizeof(argbuf[0]));
        strcpy(argbuf[argc], *args);
        argv[argc] = argbuf[argc];
        argc++;
    }
    argv[argc] = NULL;
    memset(&opts, 0xa5, sizeof(opts));
    memset(err, 0, sizeof(err));
    return prh_options_parse(argc, argv, &opts, err, sizeof(err));
}

#define PARSE(...) parse_list((const char *const[]){__VA_ARGS__, NULL})
#define PARSE_NONE() parse_list((const char *const[]){NULL})

static void expect_ok(int rc)
{
    assert_int_equal(rc, 0);
}

/* Fails with a message containing every fragment. */
static void expect_error(int rc, const char *frag1, const char *frag2)
{
    assert_int_equal(rc, -1);
    assert_true(strlen(err) > 0);
    assert_null(strchr(err, '\n'));
    if (frag1 && !strstr(err, frag1))
        fail_msg("error \"%s\" lacks \"%s\"", err, frag1);
    if (frag2 && !strstr(err, frag2))
        fail_msg("error \"%s\" lacks \"%s\"", err, frag2);
}

static void expect_defaults(void)
{
    assert_int_equal(opts.action, PRH_RUN);
    assert_string_equal(opts.socket_path, "/run/prhelper.sock");
    assert_int_equal(opts.socket_path_set, 0);
    assert_string_equal(opts.pidfile, "/run/prhelper.pid");
    assert_int_equal(opts.pidfile_set, 0);
    assert_int_equal(opts.daemonize, 0);
    assert_int_equal(opts.verbosity, 0);
    assert_null(opts.user);
    assert_null(opts.group);
    assert_int_equal(opts.timeout_s, 20);
    assert_string_equal(opts.worker_path, PRH_LIBEXECDIR "/prhelper-worker");
    assert_int_equal(opts.max_clients, 512);
    assert_int_equal(opts.max_per_uid, 128);
    assert_int_equal(opts.spare_workers, 4);
    assert_null(opts.socket_group);
    assert_null(opts.worker_user);
    assert_int_equal(opts.trace_given, 0);
    assert_int_equal(opts.keep_sys_admin, 0);
}

static void test_defaults(void **state)
{
    (void)state;
    expect_ok(PARSE_NONE());
    expect_defaults();
}

static void test_short_options(void **state)
{
    (void)state;
    expect_ok(PARSE("-d", "-f", "/tmp/p.pid", "-k", "/tmp/s.sock", "-T", "pr_*",
                    "-u", "alice", "-g", "disk", "-v"));
    assert_int_equal(opts.action, PRH_RUN);
    assert_int_equal(opts.daemonize, 1);
    assert_string_equal(opts.pidfile, "/tmp/p.pid");
    assert_int_equal(opts.pidfile_set, 1);
    assert_string_equal(opts.socket_path, "/tmp/s.sock");
    assert_int_equal(opts.socket_path_set, 1);
    assert_int_equal(opts.trace_given, 1);
    assert_string_equal(opts.user, "alice");
    assert_string_equal(opts.group, "disk");
    assert_int_equal(opts.verbosity, 1);
    assert_int_equal(opts.timeout_s, 20);
    assert_int_equal(opts.max_clients, 512);

    /* Attached arguments and clustered flags. */
    expect_ok(PARSE("-dvk/run/x.sock", "-fpid", "-ubob", "-g42", "-Tfoo"));
    assert_int_equal(opts.daemonize, 1);
    assert_int_equal(opts.verbosity, 1);
    assert_string_equal(opts.socket_path, "/run/x.sock");
    assert_string_equal(opts.pidfile, "pid");
    assert_string_equal(opts.user, "bob");
    assert_string_equal(opts.group, "42");
    assert_int_equal(opts.trace_given, 1);

    expect_ok(PARSE("-q"));
    assert_int_equal(opts.verbosity, -1);
}

static void test_long_options(void **state)
{
    (void)state;
    expect_ok(PARSE("--daemon", "--pidfile=/a.pid", "--socket", "/b.sock", "--trace=x",
                    "--user", "carol", "--group=kvm", "--verbose", "--timeout=5",
                    "--worker", "/opt/w", "--max-clients=9"));
    assert_int_equal(opts.action, PRH_RUN);
    assert_int_equal(opts.daemonize, 1);
    assert_string_equal(opts.pidfile, "/a.pid");
    assert_int_equal(opts.pidfile_set, 1);
    assert_string_equal(opts.socket_path, "/b.sock");
    assert_int_equal(opts.socket_path_set, 1);
    assert_int_equal(opts.trace_given, 1);
    assert_string_equal(opts.user, "carol");
    assert_string_equal(opts.group, "kvm");
    assert_int_equal(opts.verbosity, 1);
    assert_int_equal(opts.timeout_s, 5);
    assert_string_equal(opts.worker_path, "/opt/w");
    assert_int_equal(opts.max_clients, 9);

    expect_ok(PARSE("--pidfile", "/c.pid", "--socket=/d.sock", "--trace", "y",
                    "--user=dave", "--group", "users", "--quiet", "--timeout", "7",
                    "--worker=/opt/v", "--max-clients", "10"));
    assert_string_equal(opts.pidfile, "/c.pid");
    assert_string_equal(opts.socket_path, "/d.sock");
    assert_int_equal(opts.trace_given, 1);
    assert_string_equal(opts.user, "dave");
    assert_string_equal(opts.group, "users");
    assert_int_equal(opts.verbosity, -1);
    assert_int_equal(opts.timeout_s, 7);
    assert_string_equal(opts.worker_path, "/opt/v");
    assert_int_equal(opts.max_clients, 10);
    assert_int_equal(opts.daemonize, 0);
}

static void test_socket_must_be_absolute(void **state)
{
    (void)state;
    expect_error(PARSE("-k", "prhelper.sock"), "absolute", "prhelper.sock");
    expect_error(PARSE("-k", "./s"), "absolute", NULL);
    expect_error(PARSE("--socket=run/s"), "absolute", "run/s");
    expect_error(PARSE("--socket="), "absolute", NULL);
    expect_ok(PARSE("-k", "/s"));
    assert_string_equal(opts.socket_path, "/s");
}

static void test_timeout_bounds(void **state)
{
    (void)state;
    const char *bad[] = {"0", "3601", "abc", "-1", "+5", " 5", "5s", "", "1.5",
                         "4294967297", "99999999999999999999999", "0x10"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        expect_error(PARSE("--timeout", bad[i]), "--timeout", NULL);
    expect_ok(PARSE("--timeout=1"));
    assert_int_equal(opts.timeout_s, 1);
    expect_ok(PARSE("--timeout", "3600"));
    assert_int_equal(opts.timeout_s, 3600);
    expect_ok(PARSE("--timeout=0020"));
    assert_int_equal(opts.timeout_s, 20);
}

static void test_max_clients_bounds(void **state)
{
    (void)state;
    const char *bad[] = {"0", "65537", "-1", "x", "", "100000", "4294967296"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        expect_error(PARSE("--max-clients", bad[i]), "--max-clients", NULL);
    expect_ok(PARSE("--max-clients=1"));
    assert_int_equal(opts.max_clients, 1);
    expect_ok(PARSE("--max-clients=65536"));
    assert_int_equal(opts.max_clients, 65536);
}

/* Per uid and per cgroup: a quarter of --max-clients unless given, never 0;
 * each option sets its own limit only. */
static void test_max_clients_per_uid_and_cgroup(void **state)
{
    (void)state;
    expect_ok(PARSE("--max-clients=100"));
    assert_int_equal(opts.max_per_uid, 25);
    assert_int_equal(opts.max_per_cgroup, 25);
    expect_ok(PARSE("--max-clients=3"));
    assert_int_equal(opts.max_per_uid, 1);
    assert_int_equal(opts.max_per_cgroup, 1);
    expect_ok(PARSE("--max-clients-per-uid=7", "--max-clients=100"));
    assert_int_equal(opts.max_per_uid, 7);
    assert_int_equal(opts.max_per_cgroup, 25);
    expect_ok(PARSE("--max-clients-per-cgroup=2", "--max-clients=100"));
    assert_int_equal(opts.max_per_uid, 25);
    assert_int_equal(opts.max_per_cgroup, 2);
    const char *bad[] = {"0", "65537", "-1", "x", ""};
    const char *option[] = {"--max-clients-per-uid", "--max-clients-per-cgroup"};
    for (size_t o = 0; o < 2; o++)
        for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
            expect_error(PARSE(option[o], bad[i]), option[o], NULL);
}

static void test_spare_workers_and_users(void **state)
{
    (void)state;
    expect_ok(PARSE("--spare-workers=0", "--socket-group=kvm", "--worker-user=w"));
    assert_int_equal(opts.spare_workers, 0);
    assert_string_equal(opts.socket_group, "kvm");
    assert_string_equal(opts.worker_user, "w");
    expect_ok(PARSE("--spare-workers=256"));
    assert_int_equal(opts.spare_workers, 256);
    expect_error(PARSE("--spare-workers=257"), "--spare-workers", NULL);
    expect_error(PARSE("--spare-workers=-1"), "--spare-workers", NULL);
}

static void test_keep_sys_admin(void **state)
{
    (void)state;
    expect_ok(PARSE("--keep-sys-admin"));
    assert_int_equal(opts.keep_sys_admin, 1);
    expect_error(PARSE("--keep-sys-admin=1"), "--keep-sys-admin", NULL);
}

static void test_no_capabilities(void **state)
{
    (void)state;
    expect_ok(PARSE("--no-capabilities"));
    assert_int_equal(opts.no_capabilities, 1);
    expect_error(PARSE("--no-capabilities", "--keep-sys-admin"), "--keep-sys-admin", NULL);
    expect_error(PARSE("--no-capabilities", "--worker-user=nobody"), "--worker-user", NULL);
}

static void test_worker_must_be_absolute(void **state)
{
    (void)state;
    expect_error(PARSE("--worker", "prhelper-worker"), "absolute", "prhelper-worker");
    expect_error(PARSE("--worker="), "absolute", NULL);
    expect_ok(PARSE("--worker=/usr/lib/w"));
    assert_string_equal(opts.worker_path, "/usr/lib/w");
}

static void test_quiet_verbose_counting(void **state)
{
    (void)state;
    expect_ok(PARSE("-v"));
    assert_int_equal(opts.verbosity, 1);
    expect_ok(PARSE("-vv"));
    assert_int_equal(opts.verbosity, 2);
    expect_ok(PARSE("-v", "--verbose", "-v"));
    assert_int_equal(opts.verbosity, 3);
    expect_ok(PARSE("-q"));
    assert_int_equal(opts.verbosity, -1);
    expect_ok(PARSE("-q", "-q"));
    assert_int_equal(opts.verbosity, -1);
    expect_ok(PARSE("-q", "-v"));
    assert_int_equal(opts.verbosity, 1);
    expect_ok(PARSE("-v", "-v", "-q"));
    assert_int_equal(opts.verbosity, -1);
}

static void test_trace_ignored(void **state)
{
    (void)state;
    expect_ok(PARSE("-T", "pr_manager_*"));
    assert_int_equal(opts.trace_given, 1);
    /* Nothing else changes. */
    opts.trace_given = 0;
    expect_defaults();
    expect_ok(PARSE("--trace=events=/tmp/x"));
    assert_int_equal(opts.trace_given, 1);
    expect_error(PARSE("-T"), "needs an argument", "-T");
}

static void test_help_and_version(void **state)
{
    (void)state;
    expect_ok(PARSE("-h"));
    assert_int_equal(opts.action, PRH_SHOW_HELP);
    expect_ok(PARSE("--help"));
    assert_int_equal(opts.action, PRH_SHOW_HELP);
    expect_ok(PARSE("-V"));
    assert_int_equal(opts.action, PRH_SHOW_VERSION);
    expect_ok(PARSE("--version"));
    assert_int_equal(opts.action, PRH_SHOW_VERSION);
    expect_ok(PARSE("-d", "-V"));
    assert_int_equal(opts.action, PRH_SHOW_VERSION);
    /* Like qemu-pr-helper, -h acts at once: later options are not read. */
    expect_ok(PARSE("-h", "--timeout=0"));
    assert_int_equal(opts.action, PRH_SHOW_HELP);
}

static void test_unknown_option(void **state)
{
    (void)state;
    expect_error(PARSE("-x"), "unknown option", "-x");
    expect_error(PARSE("--bogus"), "unknown option", "--bogus");
    expect_error(PARSE("--ver"), "unknown option", "--ver"); /* ambiguous prefix */
    expect_error(PARSE("--help=yes"), "unknown option", NULL);
    expect_error(PARSE("-dx"), "unknown option -x ", NULL); /* the letter, not the group */
    expect_error(PARSE("-xd"), "unknown option -x ", NULL);
}

static void test_missing_argument(void **state)
{
    (void)state;
    const char *opts_with_arg[] = {"-f", "-k", "-T", "-u", "-g", "--pidfile", "--socket",
                                   "--trace", "--user", "--group", "--timeout",
                                   "--worker", "--max-clients"};
    for (size_t i = 0; i < sizeof(opts_with_arg) / sizeof(opts_with_arg[0]); i++)
        expect_error(PARSE("-d", opts_with_arg[i]), "needs an argument", opts_with_arg[i]);
}

static void test_positional_argument(void **state)
{
    (void)state;
    expect_error(PARSE("extra"), "unexpected argument", "extra");
    expect_error(PARSE("-d", "extra"), "unexpected argument", "extra");
    expect_error(PARSE("extra", "-d"), "unexpected argument", "extra");
    expect_error(PARSE("--", "-d"), "unexpected argument", "-d");
    expect_ok(PARSE("-d", "--"));
}

static void test_parse_resets_between_calls(void **state)
{
    (void)state;
    expect_error(PARSE("-d", "-x"), "unknown option", NULL);
    expect_ok(PARSE_NONE());
    expect_defaults();
    /* A parse that stopped in the middle of a cluster. */
    expect_error(PARSE("-vk"), "needs an argument", NULL);
    expect_ok(PARSE("-v"));
    assert_int_equal(opts.verbosity, 1);
    expect_ok(PARSE("-k", "/a", "-v", "-d"));
    assert_string_equal(opts.socket_path, "/a");
    expect_ok(PARSE("-d"));
    assert_string_equal(opts.socket_path, "/run/prhelper.sock");
    assert_int_equal(opts.verbosity, 0);
}

static void test_error_buffer_truncated(void **state)
{
    (void)state;
    char small[8];
    char *args[] = {argbuf[0], argbuf[1], NULL};
    strcpy(argbuf[0], "prhelper");
    strcpy(argbuf[1], "--timeout=99999");
    memset(small, 'z', sizeof(small));
    assert_int_equal(prh_options_parse(2, args, &opts, small, sizeof(small)), -1);
    assert_int_equal(small[sizeof(small) - 1], '\0');
    assert_int_equal(strlen(small), sizeof(small) - 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_defaults),
        cmocka_unit_test(test_short_options),
        cmocka_unit_test(test_long_options),
        cmocka_unit_test(test_socket_must_be_absolute),
        cmocka_unit_test(test_timeout_bounds),
        cmocka_unit_test(test_max_clients_bounds),
        cmocka_unit_test(test_max_clients_per_uid_and_cgroup),
        cmocka_unit_test(test_spare_workers_and_users),
        cmocka_unit_test(test_keep_sys_admin),
        cmocka_unit_test(test_no_capabilities),
        cmocka_unit_test(test_worker_must_be_absolute),
        cmocka_unit_test(test_quiet_verbose_counting),
        cmocka_unit_test(test_trace_ignored),
        cmocka_unit_test(test_help_and_version),
        cmocka_unit_test(test_unknown_option),
        cmocka_unit_test(test_missing_argument),
        cmocka_unit_test(test_positional_argument),
        cmocka_unit_test(test_parse_resets_between_calls),
        cmocka_unit_test(test_error_buffer_truncated),
    };
    return cmocka_run_group_tests_name("options", tests, NULL, NULL);
}
