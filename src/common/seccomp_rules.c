#include "seccomp_rules.h"

#include <errno.h>

/* Adds one row; 1 when its pin has no value and it is left out. */
static int add_row(scmp_filter_ctx ctx, const struct prh_rule *r, const prh_pins pins)
{
    struct scmp_arg_cmp cmp[3];
    unsigned n = 0;

    for (unsigned i = 0; i < 3 && r->arg[i].op != 0; i++) {
        const struct prh_arg *a = &r->arg[i];
        cmp[n] = (struct scmp_arg_cmp){a->index, a->op, a->value, a->value2};
        if (a->pin != PRH_PIN_NONE) {
            if (!pins || pins[a->pin] == PRH_PIN_UNSET)
                return 1;
            cmp[n].datum_a = pins[a->pin];
        }
        n++;
    }
    return seccomp_rule_add_array(ctx, r->action, r->syscall, n, cmp);
}

int prh_seccomp_load(const struct prh_rule_table *tables, size_t ntables, const prh_pins pins)
{
    scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_KILL_PROCESS);
    int rc = ctx ? seccomp_attr_set(ctx, SCMP_FLTATR_CTL_OPTIMIZE, 2) : -ENOMEM;
    /* A call from another architecture (int 0x80 on x86_64) would only
     * kill the calling thread by libseccomp's default: the whole process. */
    if (rc == 0)
        rc = seccomp_attr_set(ctx, SCMP_FLTATR_ACT_BADARCH, SCMP_ACT_KILL_PROCESS);
    /* Every thread, also those started before (the log writer). */
    if (rc == 0)
        rc = seccomp_attr_set(ctx, SCMP_FLTATR_CTL_TSYNC, 1);

    for (size_t t = 0; rc == 0 && t < ntables; t++)
        for (size_t i = 0; rc == 0 && i < tables[t].count; i++)
            if ((rc = add_row(ctx, &tables[t].rules[i], pins)) == 1)
                rc = 0;
    if (rc == 0)
        rc = seccomp_load(ctx);
    seccomp_release(ctx);
    if (rc != 0) {
        errno = rc < 0 ? -rc : EINVAL;
        return -1;
    }
    return 0;
}
