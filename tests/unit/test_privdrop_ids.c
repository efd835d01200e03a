/* -u/-g resolution (prh_resolve_ids in src/monitor/privdrop.c); the drop
 * itself needs root and is left to the integration tests. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <string.h>

#include "privdrop.h"

static uid_t uid;
static gid_t gid;
static char err[256];

static int resolve(const char *user, const char *group)
{
    uid = (uid_t)12345;
    gid = (gid_t)54321;
    memset(err, 0, sizeof(err));
    return prh_resolve_ids(user, group, &uid, &gid, err, sizeof(err));
}

static void expect_ids(int rc, unsigned long want_uid, unsigned long want_gid)
{
    if (rc != 0)
        fail_msg("unexpected error: %s", err);
    assert_int_equal(uid, want_uid);
    assert_int_equal(gid, want_gid);
}

static void expect_error(int rc, const char *frag)
{
    assert_int_equal(rc, -1);
    assert_true(strlen(err) > 0);
    if (!strstr(err, frag))
        fail_msg("error \"%s\" lacks \"%s\"", err, frag);
}

static void test_no_user_is_nobody(void **state)
{
    (void)state;
    expect_ids(resolve(NULL, NULL), 65534, 65534);
    assert_int_equal(PRH_NOBODY, 65534);
}

static void test_root_refused(void **state)
{
    (void)state;
    expect_error(resolve("root", NULL), "uid 0");
    expect_error(resolve("0", NULL), "uid 0");
    expect_error(resolve("00", NULL), "uid 0");
    /* A harmless group does not make root acceptable. */
    expect_error(resolve("root", "65534"), "uid 0");
}

/* Group 0 is refused as uid 0 is: by number and by name. */
static void test_gid_zero_refused(void **state)
{
    (void)state;
    expect_error(resolve("1234", "0"), "gid 0");
    expect_error(resolve(NULL, "0"), "gid 0");
    if (getgrnam("root"))
        expect_error(resolve("1234", "root"), "gid 0");
}

static void test_nobody_by_name(void **state)
{
    (void)state;
    struct passwd *pw = getpwnam("nobody");
    if (!pw)
        skip();
    gid_t nobody_gid = pw->pw_gid;
    expect_ids(resolve("nobody", NULL), 65534, nobody_gid);
}

static void test_named_user_takes_primary_group(void **state)
{
    (void)state;
    /* Any non-root account whose primary group is not 65534. */
    unsigned long want_uid = 0, want_gid = 0;
    char name[64] = "";
    setpwent();
    for (struct passwd *pw; (pw = getpwent()) != NULL;) {
        if (pw->pw_uid != 0 && pw->pw_gid != PRH_NOBODY && pw->pw_gid != pw->pw_uid &&
            strlen(pw->pw_name) < sizeof(name)) {
            want_uid = pw->pw_uid;
            want_gid = pw->pw_gid;
            strcpy(name, pw->pw_name);
            break;
        }
    }
    endpwent();
    if (!name[0])
        skip();
    struct passwd *check = getpwnam(name);
    if (!check || check->pw_uid != want_uid || check->pw_gid != want_gid)
        skip(); /* a duplicate name: not this test's business */
    expect_ids(resolve(name, NULL), want_uid, want_gid);
    /* -g overrides the primary group. */
    expect_ids(resolve(name, "4321"), want_uid, 4321);
}

static void test_numeric_user(void **state)
{
    (void)state;
    expect_ids(resolve("1234", NULL), 1234, 65534);
    expect_ids(resolve("1", NULL), 1, 65534); /* a number is not a name */
    expect_ids(resolve("4294967294", NULL), 4294967294ul, 65534);
}

static void test_group_numeric_and_name(void **state)
{
    (void)state;
    expect_ids(resolve("1234", "4321"), 1234, 4321);
    expect_ids(resolve(NULL, "4321"), 65534, 4321);
    expect_ids(resolve("nobody", "4321"), 65534, 4321);
    expect_ids(resolve(NULL, "4294967294"), 65534, 4294967294ul);

    struct group *gr = getgrnam("nogroup");
    if (!gr)
        gr = getgrnam("nobody");
    if (!gr)
        skip();
    char name[64];
    snprintf(name, sizeof(name), "%s", gr->gr_name);
    gid_t want = gr->gr_gid;
    expect_ids(resolve("1234", name), 1234, want);

    gr = getgrnam("daemon");
    if (gr && gr->gr_gid != PRH_NOBODY) {
        want = gr->gr_gid;
        expect_ids(resolve("1234", "daemon"), 1234, want);
    }
}

static void test_invalid_user(void **state)
{
    (void)state;
    const char *bad[] = {"no-such-user-prh", "", "-1", "12abc", " 12", "+12", "1.0",
                         "4294967295", "4294967296", "99999999999999999999999"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        expect_error(resolve(bad[i], NULL), "invalid user");
}

static void test_invalid_group(void **state)
{
    (void)state;
    const char *bad[] = {"no-such-group-prh", "", "-1", "7x", "4294967295",
                         "99999999999999999999999"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        expect_error(resolve("1234", bad[i]), "invalid group");
        expect_error(resolve(NULL, bad[i]), "invalid group");
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_no_user_is_nobody),
        cmocka_unit_test(test_root_refused),
        cmocka_unit_test(test_nobody_by_name),
        cmocka_unit_test(test_gid_zero_refused),
        cmocka_unit_test(test_named_user_takes_primary_group),
        cmocka_unit_test(test_numeric_user),
        cmocka_unit_test(test_group_numeric_and_name),
        cmocka_unit_test(test_invalid_user),
        cmocka_unit_test(test_invalid_group),
    };
    return cmocka_run_group_tests_name("privdrop_ids", tests, NULL, NULL);
}
