/* The client's commands: which CDB each one sends, and the parsers for the
 * values a user types (keys, reservation types, hex strings). */
#ifndef PRH_CLIENT_COMMANDS_H
#define PRH_CLIENT_COMMANDS_H

#include <stddef.h>
#include <stdint.h>

#include "proto.h"

#define PRH_PROUT_PARAM_LEN 24 /* the basic PR OUT parameter list */
#define PRH_DEFAULT_ALLOC_LEN 8192

enum prh_cmd_kind { PRH_CMD_PR_IN, PRH_CMD_PR_OUT, PRH_CMD_RAW };

/* Which options a PR OUT command needs (N) or accepts (N | ...OPT). */
enum {
    PRH_NEED_KEY = 1 << 0,
    PRH_NEED_SA_KEY = 1 << 1,
    PRH_NEED_TYPE = 1 << 2,
    PRH_OPT_KEY = 1 << 3, /* --key may be left out (defaults to 0) */
};

struct prh_command {
    const char *name;
    enum prh_cmd_kind kind;
    uint8_t service_action;
    unsigned needs;
};

/* NULL when name is not a command. */
const struct prh_command *prh_command_find(const char *name);

/* Fills cdb for PERSISTENT RESERVE IN. */
void prh_build_pr_in(uint8_t cdb[PRH_CDB_SIZE], uint8_t sa, uint16_t alloc_len);

/* Fills cdb and the 24-byte param list for PERSISTENT RESERVE OUT (scope 0). */
void prh_build_pr_out(uint8_t cdb[PRH_CDB_SIZE], uint8_t param[PRH_PROUT_PARAM_LEN],
                      uint8_t sa, uint8_t type, uint64_t key, uint64_t sa_key,
                      int aptpl);

/* Hex key, optional 0x prefix, 1-16 digits. 0 on success, -1 otherwise. */
int prh_parse_key(const char *s, uint64_t *key);

/* Reservation type as a number (1-15) or a name (wr-ex, ea-ar, ...). */
int prh_parse_type(const char *s, uint8_t *type);

/* Hex string of whole bytes (optional 0x) into out[0..max). Sets *len. */
int prh_parse_hex(const char *s, uint8_t *out, size_t max, size_t *len);

#endif
