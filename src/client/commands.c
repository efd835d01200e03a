#include "commands.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "hex.h"
#include "scsi.h"

static const struct prh_command commands[] = {
    {"read-keys", PRH_CMD_PR_IN, PRH_PRIN_READ_KEYS, 0},
    {"read-reservation", PRH_CMD_PR_IN, PRH_PRIN_READ_RESERVATION, 0},
    {"report-capabilities", PRH_CMD_PR_IN, PRH_PRIN_REPORT_CAPABILITIES, 0},
    {"read-full-status", PRH_CMD_PR_IN, PRH_PRIN_READ_FULL_STATUS, 0},
    /* An unregistered initiator registers with key 0, so --key is optional. */
    {"register", PRH_CMD_PR_OUT, PRH_PROUT_REGISTER,
     PRH_NEED_SA_KEY | PRH_OPT_KEY},
    {"register-ignore", PRH_CMD_PR_OUT, PRH_PROUT_REGISTER_IGNORE, PRH_NEED_SA_KEY},
    {"reserve", PRH_CMD_PR_OUT, PRH_PROUT_RESERVE, PRH_NEED_KEY | PRH_NEED_TYPE},
    {"release", PRH_CMD_PR_OUT, PRH_PROUT_RELEASE, PRH_NEED_KEY | PRH_NEED_TYPE},
    {"clear", PRH_CMD_PR_OUT, PRH_PROUT_CLEAR, PRH_NEED_KEY},
    {"preempt", PRH_CMD_PR_OUT, PRH_PROUT_PREEMPT,
     PRH_NEED_KEY | PRH_NEED_SA_KEY | PRH_NEED_TYPE},
    {"preempt-abort", PRH_CMD_PR_OUT, PRH_PROUT_PREEMPT_AND_ABORT,
     PRH_NEED_KEY | PRH_NEED_SA_KEY | PRH_NEED_TYPE},
    {"raw", PRH_CMD_RAW, 0, 0},
};

const struct prh_command *prh_command_find(const char *name)
{
    for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
        if (strcmp(commands[i].name, name) == 0)
            return &commands[i];
    return NULL;
}

static void put_be64(uint8_t *p, uint64_t v)
{
    for (int i = 7; i >= 0; i--) {
        p[i] = (uint8_t)v;
        v >>= 8;
    }
}

void prh_build_pr_in(uint8_t cdb[PRH_CDB_SIZE], uint8_t sa, uint16_t alloc_len)
{
    memset(cdb, 0, PRH_CDB_SIZE);
    cdb[0] = PRH_OP_PR_IN;
    cdb[1] = sa & 0x1f;
    cdb[7] = (uint8_t)(alloc_len >> 8);
    cdb[8] = (uint8_t)alloc_len;
}

void prh_build_pr_out(uint8_t cdb[PRH_CDB_SIZE], uint8_t param[PRH_PROUT_PARAM_LEN],
                      uint8_t sa, uint8_t type, uint64_t key, uint64_t sa_key,
                      int aptpl)
{
    memset(cdb, 0, PRH_CDB_SIZE);
    cdb[0] = PRH_OP_PR_OUT;
    cdb[1] = sa & 0x1f;
    cdb[2] = type & 0x0f; /* scope 0 (LU_SCOPE) in the high nibble */
    /* Only bytes 7-8: QEMU's client takes the length from there, and a
     * helper may reject a CDB with bytes 5-6 set. */
    cdb[8] = PRH_PROUT_PARAM_LEN;

    memset(param, 0, PRH_PROUT_PARAM_LEN);
    put_be64(param, key);
    put_be64(param + 8, sa_key);
    if (aptpl)
        param[20] |= 0x01;
}

static const char *skip_0x(const char *s)
{
    return (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) ? s + 2 : s;
}

int prh_parse_key(const char *s, uint64_t *key)
{
    uint64_t v = 0;
    size_t n = 0;

    for (s = skip_0x(s); *s; s++, n++) {
        int d = prh_hex_digit(*s);
        if (d < 0 || n >= 16)
            return -1;
        v = v << 4 | (uint64_t)d;
    }
    if (n == 0)
        return -1;
    *key = v;
    return 0;
}

int prh_parse_type(const char *s, uint8_t *type)
{
    static const struct {
        const char *name, *alias;
        uint8_t type;
    } names[] = {
        {"wr-ex", "we", 1},       {"ex-ac", "ea", 3},
        {"wr-ex-ro", "we-ro", 5}, {"ex-ac-ro", "ea-ro", 6},
        {"wr-ex-ar", "we-ar", 7}, {"ex-ac-ar", "ea-ar", 8},
    };

    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
        if (strcasecmp(s, names[i].name) == 0 || strcasecmp(s, names[i].alias) == 0) {
            *type = names[i].type;
            return 0;
        }
    }
    /* Any 4-bit value goes through, so tests can send reserved types. */
    if (!isdigit((unsigned char)s[0]))
        return -1;
    char *end;
    errno = 0;
    unsigned long v = strtoul(s, &end, 0);
    if (errno || *end || v > 15)
        return -1;
    *type = (uint8_t)v;
    return 0;
}

int prh_parse_hex(const char *s, uint8_t *out, size_t max, size_t *len)
{
    size_t n = 0;

    s = skip_0x(s);
    while (*s) {
        int hi = prh_hex_digit(s[0]);
        int lo = hi < 0 ? -1 : prh_hex_digit(s[1]);
        if (lo < 0 || n >= max)
            return -1;
        out[n++] = (uint8_t)(hi << 4 | lo);
        s += 2;
    }
    *len = n;
    return 0;
}
