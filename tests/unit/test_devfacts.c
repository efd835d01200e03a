/* devfacts.c on a tree shaped like sysfs: /sys/dev/block/MAJ:MIN links to
 * device directories, partitions carry a "partition" file, maps a "dm"
 * directory and "slaves" links, every device a "size" in sectors. */
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <cmocka.h>

#include "devfacts.h"

static char root[] = "/tmp/prh-devfacts.XXXXXX";
static int dev_block = -1;

static void put(const char *rel, const char *text)
{
    char path[256];
    snprintf(path, sizeof(path), "%s/%s", root, rel);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
}

static void dir(const char *rel)
{
    char path[256];
    snprintf(path, sizeof(path), "%s/%s", root, rel);
    assert_int_equal(mkdir(path, 0755), 0);
}

static void link_to(const char *target, const char *rel)
{
    char path[256];
    snprintf(path, sizeof(path), "%s/%s", root, rel);
    assert_int_equal(symlink(target, path), 0);
}

/* A device directory with its size, and its /sys/dev/block link. */
static void device(const char *name, const char *majmin, const char *sectors)
{
    char rel[128], target[128];
    snprintf(rel, sizeof(rel), "devices/%s", name);
    dir(rel);
    snprintf(rel, sizeof(rel), "devices/%s/size", name);
    put(rel, sectors);
    snprintf(rel, sizeof(rel), "dev/block/%s", majmin);
    snprintf(target, sizeof(target), "../../devices/%s", name);
    link_to(target, rel);
}

/* A map: its "dm" directory and "slaves" links to the devices under it. */
static void map(const char *name, const char *majmin, const char *sectors, const char *slaves)
{
    char rel[128], target[128], list[128];
    device(name, majmin, sectors);
    snprintf(rel, sizeof(rel), "devices/%s/dm", name);
    dir(rel);
    snprintf(rel, sizeof(rel), "devices/%s/slaves", name);
    dir(rel);
    snprintf(list, sizeof(list), "%s", slaves);
    for (char *s = strtok(list, " "); s; s = strtok(NULL, " ")) {
        snprintf(rel, sizeof(rel), "devices/%s/slaves/%s", name, strrchr(s, '/') ? strrchr(s, '/') + 1 : s);
        snprintf(target, sizeof(target), "../../%s", s);
        link_to(target, rel);
    }
}

static int setup(void **state)
{
    (void)state;
    if (!mkdtemp(root))
        return -1;
    dir("dev");
    dir("dev/block");
    dir("devices");
    device("sdb", "8:16", "1000\n");
    device("sdc", "8:32", "1000\n");
    device("sdb/sdb1", "8:17", "500\n");
    put("devices/sdb/sdb1/partition", "1\n");
    device("loop0", "7:0", "2048\n");
    map("dm-0", "253:0", "1000\n", "sdb");                   /* one whole disk */
    map("dm-1", "253:1", "500\n", "sdb");                    /* part of it (LVM) */
    map("dm-2", "253:2", "500\n", "sdb/sdb1");               /* over a partition */
    map("dm-3", "253:3", "1000\n", "dm-0");                  /* over a map */
    map("dm-4", "253:4", "1000\n", "sdb sdc");               /* multipath: two paths */
    map("dm-5", "253:5", "1000\n", "");                      /* nothing under it */
    map("dm-6", "253:6", "1000\n", "sdb sdb/sdb1");          /* one path a partition */
    char path[256];
    snprintf(path, sizeof(path), "%s/dev/block", root);
    dev_block = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    return dev_block < 0 ? -1 : 0;
}

static int teardown(void **state)
{
    (void)state;
    char cmd[300];
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", root);
    close(dev_block);
    return system(cmd) == 0 ? 0 : -1;
}

static enum prh_dev_kind kind(unsigned maj, unsigned min)
{
    return prh_devfacts_classify(dev_block, makedev(maj, min));
}

static void test_disks_and_partitions(void **state)
{
    (void)state;
    assert_int_equal(kind(8, 16), PRH_DEV_WHOLE);
    assert_int_equal(kind(7, 0), PRH_DEV_WHOLE);
    assert_int_equal(kind(8, 17), PRH_DEV_PARTITION);
    assert_int_equal(kind(9, 9), PRH_DEV_UNKNOWN);
}

static void test_maps(void **state)
{
    (void)state;
    assert_int_equal(kind(253, 0), PRH_DEV_MAP_WHOLE);
    assert_int_equal(kind(253, 4), PRH_DEV_MAP_WHOLE);
    assert_int_equal(kind(253, 1), PRH_DEV_MAP_PARTIAL);
    assert_int_equal(kind(253, 2), PRH_DEV_MAP_PARTIAL);
    assert_int_equal(kind(253, 3), PRH_DEV_MAP_PARTIAL);
    assert_int_equal(kind(253, 5), PRH_DEV_MAP_PARTIAL);
    assert_int_equal(kind(253, 6), PRH_DEV_MAP_PARTIAL);
}

static void test_allowed_and_refusals(void **state)
{
    (void)state;
    assert_true(prh_dev_kind_allowed(PRH_DEV_WHOLE));
    assert_true(prh_dev_kind_allowed(PRH_DEV_MAP_WHOLE));
    for (int k = 0; k < PRH_DEV_KIND_MAX; k++) {
        int allowed = prh_dev_kind_allowed((enum prh_dev_kind)k);
        assert_int_equal(prh_dev_kind_refusal((enum prh_dev_kind)k)[0] == '\0', allowed);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_disks_and_partitions),
        cmocka_unit_test(test_maps),
        cmocka_unit_test(test_allowed_and_refusals),
    };
    return cmocka_run_group_tests_name("devfacts", tests, setup, teardown);
}
