#include "route.h"

#include <string.h>

enum prh_cmd {
    CMD_PR_OUT,
    CMD_READ_KEYS,
    CMD_READ_RESERVATION,
    CMD_REPORT_CAPABILITIES,
    CMD_READ_FULL_STATUS,
    CMD_OTHER_PR_IN,
    CMD_MAX
};

#define SG {PRH_ROUTE_MONITOR_SG_IO, PRH_ROUTE_MONITOR_SG_IO, 0}
#define SG_MASKED {PRH_ROUTE_MONITOR_SG_IO, PRH_ROUTE_MONITOR_SG_IO, 1}
#define M_IOCTL {PRH_ROUTE_MONITOR_IOCTL, PRH_ROUTE_MONITOR_IOCTL, 0}
#define M_READ {PRH_ROUTE_MONITOR_IOCTL, PRH_ROUTE_MONITOR_SG_IO, 0}
#define W_IOCTL {PRH_ROUTE_WORKER_IOCTL, PRH_ROUTE_WORKER_IOCTL, 0}
#define W_READ {PRH_ROUTE_WORKER_IOCTL, PRH_ROUTE_REFUSED_NO_IOCTL, 0}
#define ANSWER {PRH_ROUTE_ANSWERED, PRH_ROUTE_ANSWERED, 0}
#define NO(why) {PRH_ROUTE_REFUSED_##why, PRH_ROUTE_REFUSED_##why, 0}
#define ROW(x) {x, x, x, x, x, x}

/* route.h's table, cell by cell: [mode][class][command]. */
static const struct prh_route_entry table[2][PRH_CLASS_MAX][CMD_MAX] = {
    [PRH_MODE_SG_IO] = {
        [PRH_CLASS_SG_NODE] = ROW(SG),
        [PRH_CLASS_DISK] = ROW(SG),
        [PRH_CLASS_MAP] = {M_IOCTL, M_READ, M_READ, SG_MASKED, SG, SG},
        [PRH_CLASS_NOT_WHOLE_LU] = ROW(NO(DEVICE)),
    },
    [PRH_MODE_NO_CAPS] = {
        [PRH_CLASS_SG_NODE] = ROW(NO(SG_NODE)),
        [PRH_CLASS_DISK] = {W_IOCTL, W_READ, W_READ, ANSWER, NO(COMMAND), NO(COMMAND)},
        [PRH_CLASS_MAP] = {W_IOCTL, W_READ, W_READ, ANSWER, NO(COMMAND), NO(COMMAND)},
        [PRH_CLASS_NOT_WHOLE_LU] = ROW(NO(DEVICE)),
    },
};

static enum prh_cmd command_of(const uint8_t cdb[PRH_CDB_SIZE])
{
    if (cdb[0] != PRH_OP_PR_IN)
        return CMD_PR_OUT;
    switch (cdb[1] & 0x1f) {
    case PRH_PRIN_READ_KEYS:
        return CMD_READ_KEYS;
    case PRH_PRIN_READ_RESERVATION:
        return CMD_READ_RESERVATION;
    case PRH_PRIN_REPORT_CAPABILITIES:
        return CMD_REPORT_CAPABILITIES;
    case PRH_PRIN_READ_FULL_STATUS:
        return CMD_READ_FULL_STATUS;
    default:
        return CMD_OTHER_PR_IN;
    }
}

struct prh_route_entry prh_route_of(enum prh_mode mode, enum prh_dev_class cls,
                                    const uint8_t cdb[PRH_CDB_SIZE], uint32_t xfer_len)
{
    if ((unsigned)mode > PRH_MODE_NO_CAPS || (unsigned)cls >= PRH_CLASS_MAX)
        return (struct prh_route_entry)NO(DEVICE);
    enum prh_cmd cmd = command_of(cdb);
    struct prh_route_entry e = table[mode][cls][cmd];
    /* Note 1: with no room for data, the map's own answer. */
    if (e.route == PRH_ROUTE_MONITOR_IOCTL && cmd != CMD_PR_OUT && xfer_len == 0)
        e.route = PRH_ROUTE_MONITOR_SG_IO;
    return e;
}

int prh_route_refuses(enum prh_route route, struct prh_sense *code)
{
    switch (route) {
    case PRH_ROUTE_REFUSED_DEVICE:
    case PRH_ROUTE_REFUSED_SG_NODE:
    case PRH_ROUTE_REFUSED_NO_IOCTL:
        *code = PRH_SENSE_INVALID_OPCODE; /* what the kernel answers on a partition */
        return 1;
    case PRH_ROUTE_REFUSED_COMMAND:
        *code = PRH_SENSE_INVALID_FIELD; /* qemu-pr-helper's multipath mode */
        return 1;
    default:
        return 0;
    }
}

const char *prh_route_name(enum prh_route route)
{
    static const char *const names[PRH_ROUTE_MAX] = {
        [PRH_ROUTE_MONITOR_SG_IO] = "sg",
        [PRH_ROUTE_MONITOR_IOCTL] = "block",
        [PRH_ROUTE_WORKER_IOCTL] = "worker-block",
        [PRH_ROUTE_ANSWERED] = "none",
        [PRH_ROUTE_REFUSED_DEVICE] = "none",
        [PRH_ROUTE_REFUSED_SG_NODE] = "none",
        [PRH_ROUTE_REFUSED_COMMAND] = "none",
        [PRH_ROUTE_REFUSED_NO_IOCTL] = "none",
    };
    return (unsigned)route < PRH_ROUTE_MAX ? names[route] : "none";
}

#define CAP_PTPL_C 0x01 /* byte 2 */
#define CAP_TMV 0x80    /* byte 3 */
/* Type mask, bytes 4-5: WR_EX_AR, EX_AC_RO, WR_EX_RO, EX_AC, WR_EX; EX_AC_AR. */
#define CAP_TYPES_HI 0xea
#define CAP_TYPES_LO 0x01

uint32_t prh_route_capabilities(uint8_t *out, uint32_t alloc_len)
{
    const uint8_t d[8] = {0, 8, CAP_PTPL_C, CAP_TMV, CAP_TYPES_HI, CAP_TYPES_LO, 0, 0};
    uint32_t n = alloc_len < sizeof(d) ? alloc_len : (uint32_t)sizeof(d);
    memcpy(out, d, n);
    return n;
}
