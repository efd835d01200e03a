#include "decode.h"

#include <inttypes.h>
#include <string.h>

#include "reply.h"
#include "scsi.h"

int prh_client_decode_reply_header(const uint8_t cdb[PRH_CDB_SIZE],
                                   const uint8_t *buf, size_t len,
                                   struct prh_client_reply *out)
{
    if (len < PRH_REPLY_HEADER_SIZE)
        return PRH_DECODE_INCOMPLETE;
    out->status = (int32_t)prh_get_be32(buf);
    out->size = prh_get_be32(buf + 4);
    memcpy(out->sense, buf + 8, PRH_SENSE_SIZE);
    out->data = NULL;
    if (prh_reply_allowed(cdb, prh_cdb_xfer_len(cdb), out->status, out->size) < 0)
        return PRH_DECODE_MALFORMED;
    return PRH_DECODE_OK;
}

int prh_client_decode_reply(const uint8_t cdb[PRH_CDB_SIZE], const uint8_t *buf,
                            size_t len, struct prh_client_reply *out)
{
    int rc = prh_client_decode_reply_header(cdb, buf, len, out);
    if (rc != PRH_DECODE_OK)
        return rc;
    /* Subtract rather than add: no overflow whatever size says. */
    if (len - PRH_REPLY_HEADER_SIZE < out->size)
        return PRH_DECODE_INCOMPLETE;
    if (len - PRH_REPLY_HEADER_SIZE > out->size)
        return PRH_DECODE_MALFORMED;
    out->data = buf + PRH_REPLY_HEADER_SIZE;
    return PRH_DECODE_OK;
}

const char *prh_status_name(int32_t status)
{
    static const struct {
        int32_t status;
        const char *name;
    } names[] = {
        {PRH_GOOD, "GOOD"}, {PRH_CHECK_CONDITION, "CHECK CONDITION"},
        {0x04, "CONDITION MET"}, {PRH_BUSY, "BUSY"},
        {PRH_RESERVATION_CONFLICT, "RESERVATION CONFLICT"},
        {PRH_TASK_SET_FULL, "TASK SET FULL"}, {0x30, "ACA ACTIVE"},
        {0x40, "TASK ABORTED"},
    };
    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
        if (names[i].status == status)
            return names[i].name;
    return "UNKNOWN";
}

const char *prh_sense_key_name(unsigned key)
{
    static const char *const names[16] = {
        "NO SENSE", "RECOVERED ERROR", "NOT READY", "MEDIUM ERROR",
        "HARDWARE ERROR", "ILLEGAL REQUEST", "UNIT ATTENTION", "DATA PROTECT",
        "BLANK CHECK", "VENDOR SPECIFIC", "COPY ABORTED", "ABORTED COMMAND",
        "EQUAL", "VOLUME OVERFLOW", "MISCOMPARE", "COMPLETED",
    };
    return names[key & 0x0f];
}

const char *prh_pr_type_name(unsigned type)
{
    switch (type) {
    case 1: return "Write Exclusive";
    case 3: return "Exclusive Access";
    case 5: return "Write Exclusive, registrants only";
    case 6: return "Exclusive Access, registrants only";
    case 7: return "Write Exclusive, all registrants";
    case 8: return "Exclusive Access, all registrants";
    default: return "reserved";
    }
}

static const char *scope_name(unsigned scope)
{
    return scope == 0 ? "LU_SCOPE" : scope == 2 ? "ELEMENT_SCOPE" : "reserved";
}

static const char *protocol_name(unsigned id)
{
    static const char *const names[16] = {
        "FCP", "SPI", "SSA", "SBP", "SRP", "iSCSI", "SAS", "ADT",
        "ATA", "UAS", "SOP", "PCIe", "reserved", "reserved", "reserved", "none",
    };
    return names[id & 0x0f];
}

static uint64_t get_be64(const uint8_t *p)
{
    return (uint64_t)prh_get_be32(p) << 32 | prh_get_be32(p + 4);
}

static void hex_run(FILE *out, const uint8_t *p, size_t len)
{
    for (size_t i = 0; i < len; i++)
        fprintf(out, "%02x", p[i]);
}

/* 16 bytes a line, each line indented by indent spaces. */
static void hex_dump(FILE *out, int indent, const uint8_t *p, size_t len)
{
    for (size_t i = 0; i < len; i++)
        fprintf(out, "%*s%02x%s", i % 16 ? 1 : indent, "", p[i],
                i % 16 == 15 || i + 1 == len ? "\n" : "");
}

/* Bytes outside printable ASCII become \u00XX: valid JSON whatever the
 * device sent. */
static void json_string(FILE *out, const uint8_t *s, size_t len)
{
    fputc('"', out);
    for (size_t i = 0; i < len && s[i]; i++) {
        if (s[i] == '"' || s[i] == '\\')
            fprintf(out, "\\%c", s[i]);
        else if (s[i] < 0x20 || s[i] > 0x7e)
            fprintf(out, "\\u%04x", s[i]);
        else
            fputc(s[i], out);
    }
    fputc('"', out);
}

static const char *json_bool(int v)
{
    return v ? "true" : "false";
}

static void note_truncated(FILE *out, int json, int truncated)
{
    if (json)
        fprintf(out, ",\"truncated\":%s", json_bool(truncated));
    else if (truncated)
        fprintf(out, "  (reply truncated: raise --alloc-length to see the rest)\n");
}

/* The 8-byte header READ KEYS, READ RESERVATION and READ FULL STATUS share.
 * *avail: additional-length bytes actually present. -1 if len < 8. */
static int pr_header(const uint8_t *data, size_t len, uint32_t *gen,
                     size_t *avail, int *truncated)
{
    if (len < 8) {
        *truncated = 1;
        return -1;
    }
    uint32_t addl = prh_get_be32(data + 4);
    *gen = prh_get_be32(data);
    *avail = len - 8 < addl ? len - 8 : addl;
    *truncated = len - 8 < addl;
    return 0;
}

static void decode_read_keys(const uint8_t *data, size_t avail, uint32_t gen,
                             FILE *out, int json)
{
    size_t nkeys = avail / 8;
    uint32_t announced = prh_get_be32(data + 4) / 8;

    if (json) {
        fprintf(out, ",\"generation\":%" PRIu32 ",\"keys\":[", gen);
        for (size_t i = 0; i < nkeys; i++)
            fprintf(out, "%s\"0x%" PRIx64 "\"", i ? "," : "",
                    get_be64(data + 8 + 8 * i));
        fprintf(out, "]");
        return;
    }
    if (announced == 0) {
        fprintf(out, "  PR generation=0x%" PRIx32
                     ", there are NO registered reservation keys\n", gen);
        return;
    }
    fprintf(out, "  PR generation=0x%" PRIx32
                 ", %" PRIu32 " registered reservation keys follow:\n", gen, announced);
    for (size_t i = 0; i < nkeys; i++)
        fprintf(out, "    0x%" PRIx64 "\n", get_be64(data + 8 + 8 * i));
}

static int decode_read_reservation(const uint8_t *data, size_t avail,
                                   uint32_t gen, FILE *out, int json)
{
    /* An additional length of 0 means no reservation; a holder needs the
     * key (bytes 8-15) and scope/type (byte 21). */
    int held = prh_get_be32(data + 4) != 0;
    int complete = avail >= 14;

    if (json)
        fprintf(out, ",\"generation\":%" PRIu32 ",\"reservation\":", gen);
    else if (!held)
        fprintf(out, "  PR generation=0x%" PRIx32 ", there is NO reservation held\n", gen);
    else
        fprintf(out, "  PR generation=0x%" PRIx32 ", Reservation follows:\n", gen);
    if (!held || !complete) {
        if (json)
            fprintf(out, "null");
        return held && !complete;
    }
    uint64_t key = get_be64(data + 8);
    unsigned scope = data[21] >> 4, type = data[21] & 0x0f;
    if (json)
        fprintf(out, "{\"key\":\"0x%" PRIx64 "\",\"scope\":%u,\"scope_name\":\"%s\","
                     "\"type\":%u,\"type_name\":\"%s\"}",
                key, scope, scope_name(scope), type, prh_pr_type_name(type));
    else
        fprintf(out, "    Key=0x%" PRIx64 ", scope: %s, type: %s\n", key,
                scope_name(scope), prh_pr_type_name(type));
    return 0;
}

static int decode_capabilities(const uint8_t *data, size_t len, FILE *out, int json)
{
    /* Mask bits in SPC order: {type, byte, bit}. */
    static const uint8_t mask_bits[][3] = {
        {7, 4, 7}, {6, 4, 6}, {5, 4, 5}, {3, 4, 3}, {1, 4, 1}, {8, 5, 0},
    };
    static const char *const flag_names[][2] = {
        {"crh", "Compatible Reservation Handling(CRH)"},
        {"sip_c", "Specify Initiator Ports Capable(SIP_C)"},
        {"atp_c", "All Target Ports Capable(ATP_C)"},
        {"ptpl_c", "Persist Through Power Loss Capable(PTPL_C)"},
        {"tmv", "Type Mask Valid(TMV)"},
        {"ptpl_a", "Persist Through Power Loss Active(PTPL_A)"},
    };

    if (len < 4) {
        if (!json)
            fprintf(out, "Report capabilities response truncated (%zu bytes)\n", len);
        return 1;
    }
    int flags[6] = {data[2] >> 4 & 1, data[2] >> 3 & 1, data[2] >> 2 & 1,
                    data[2] & 1,      data[3] >> 7 & 1, data[3] & 1};
    unsigned allow = data[3] >> 4 & 7;

    if (json) {
        fprintf(out, ",\"capabilities\":{\"length\":%u", prh_get_be16(data));
        for (int i = 0; i < 6; i++)
            fprintf(out, ",\"%s\":%s", flag_names[i][0], json_bool(flags[i]));
        fprintf(out, ",\"allow_commands\":%u", allow);
    } else {
        fprintf(out, "Report capabilities response:\n  Length: %u\n", prh_get_be16(data));
        for (int i = 0; i < 6; i++) {
            if (i == 5)
                fprintf(out, "  Allow Commands: %u\n", allow);
            fprintf(out, "  %s: %d\n", flag_names[i][1], flags[i]);
        }
    }
    if (len >= 6) {
        if (json)
            fprintf(out, ",\"type_mask\":%u,\"types\":[", prh_get_be16(data + 4));
        else
            fprintf(out, "    Support indicated in Type mask:\n");
        int first = 1;
        for (size_t i = 0; i < sizeof(mask_bits) / sizeof(mask_bits[0]); i++) {
            int set = data[mask_bits[i][1]] >> mask_bits[i][2] & 1;
            if (!json)
                fprintf(out, "      %s: %d\n", prh_pr_type_name(mask_bits[i][0]), set);
            else if (set) {
                fprintf(out, "%s%u", first ? "" : ",", mask_bits[i][0]);
                first = 0;
            }
        }
        if (json)
            fprintf(out, "]");
    }
    if (json)
        fprintf(out, "}");
    return len < 6;
}

static void print_transport_id(const uint8_t *tid, size_t len, uint32_t full,
                               FILE *out, int json)
{
    unsigned proto = len ? tid[0] & 0x0f : 0x0f;

    if (json) {
        fprintf(out, ",\"transport_id\":{\"protocol_id\":%u,\"protocol\":\"%s\""
                     ",\"length\":%" PRIu32 ",\"hex\":\"", proto,
                protocol_name(proto), full);
        hex_run(out, tid, len);
        fprintf(out, "\"");
        if (proto == 5 && len > 4) {
            fprintf(out, ",\"iscsi_name\":");
            json_string(out, tid + 4, len - 4);
        }
        fprintf(out, "}");
        return;
    }
    fprintf(out, "      Transport Id of initiator: protocol id 0x%x (%s)", proto,
            protocol_name(proto));
    if (proto == 6 && len >= 12)
        fprintf(out, ", SAS address: 0x%016" PRIx64, get_be64(tid + 4));
    fprintf(out, "\n");
    hex_dump(out, 8, tid, len);
}

static int decode_full_status(const uint8_t *data, size_t avail, uint32_t gen,
                              FILE *out, int json)
{
    const uint8_t *p = data + 8;
    size_t left = avail;
    int truncated = 0, n = 0;

    if (json)
        fprintf(out, ",\"generation\":%" PRIu32 ",\"descriptors\":[", gen);
    else
        fprintf(out, "  PR generation=0x%" PRIx32 "%s\n", gen,
                avail ? "" : ", there are NO registrants");
    while (left > 0) {
        if (left < 24) {
            truncated = 1; /* a partial descriptor: nothing useful in it */
            break;
        }
        uint32_t tid_len = prh_get_be32(p + 20);
        size_t have = left - 24 < tid_len ? left - 24 : tid_len;
        int all_tg_pt = p[12] >> 1 & 1, holder = p[12] & 1;
        unsigned scope = p[13] >> 4, type = p[13] & 0x0f;
        uint64_t key = get_be64(p);
        unsigned rtpi = prh_get_be16(p + 18);

        if (json) {
            fprintf(out, "%s{\"key\":\"0x%" PRIx64 "\",\"all_tg_pt\":%s,\"r_holder\":%s",
                    n ? "," : "", key, json_bool(all_tg_pt), json_bool(holder));
            if (holder)
                fprintf(out, ",\"scope\":%u,\"type\":%u,\"type_name\":\"%s\"",
                        scope, type, prh_pr_type_name(type));
            fprintf(out, ",\"relative_target_port\":%u", rtpi);
        } else {
            fprintf(out, "    Key=0x%" PRIx64 "\n      All target ports bit %s\n"
                         "      Relative port address: 0x%x\n",
                    key, all_tg_pt ? "set" : "clear", rtpi);
            if (holder)
                fprintf(out, "      << Reservation holder >>\n      scope: %s, type: %s\n",
                        scope_name(scope), prh_pr_type_name(type));
            else
                fprintf(out, "      not reservation holder\n");
        }
        print_transport_id(p + 24, have, tid_len, out, json);
        if (json)
            fprintf(out, "}");
        n++;
        if (have < tid_len) {
            truncated = 1;
            break;
        }
        p += 24 + have;
        left -= 24 + have;
    }
    if (json)
        fprintf(out, "]");
    return truncated;
}

int prh_decode_pr_in(unsigned sa, const uint8_t *data, size_t len, FILE *out,
                     int json)
{
    uint32_t gen = 0;
    size_t avail = 0;
    int truncated = 0;

    if (sa == PRH_PRIN_REPORT_CAPABILITIES) {
        truncated = decode_capabilities(data, len, out, json);
        note_truncated(out, json, truncated);
        return truncated;
    }
    if (sa > PRH_PRIN_READ_FULL_STATUS) {
        if (!json)
            hex_dump(out, 2, data, len);
        return 0;
    }
    if (pr_header(data, len, &gen, &avail, &truncated) < 0) {
        if (!json)
            fprintf(out, "  PR IN reply of %zu bytes: too short for its header\n", len);
        note_truncated(out, json, 1);
        return 1;
    }
    if (sa == PRH_PRIN_READ_KEYS)
        decode_read_keys(data, avail, gen, out, json);
    else if (sa == PRH_PRIN_READ_RESERVATION)
        truncated |= decode_read_reservation(data, avail, gen, out, json);
    else
        truncated |= decode_full_status(data, avail, gen, out, json);
    note_truncated(out, json, truncated);
    return truncated;
}

/* How much of the 96-byte sense the device filled in. */
static size_t sense_length(const uint8_t *sense)
{
    unsigned code = sense[0] & 0x7f;
    if (code < 0x70 || code > 0x73)
        return 18;
    size_t n = 8 + (size_t)sense[7];
    return n < PRH_SENSE_SIZE ? n : PRH_SENSE_SIZE;
}

void prh_print_reply(const char *command, const uint8_t cdb[PRH_CDB_SIZE],
                     const struct prh_client_reply *r, int raw, FILE *out, int json)
{
    int check = r->status == PRH_CHECK_CONDITION;
    struct prh_sense s = prh_sense_parse(r->sense);
    int decode = !raw && r->status == PRH_GOOD && cdb[0] == PRH_OP_PR_IN;
    size_t size = r->data ? r->size : 0;

    if (json) {
        fprintf(out, "{\"command\":");
        json_string(out, (const uint8_t *)command, strlen(command));
        fprintf(out, ",\"status\":%" PRId32 ",\"status_name\":\"%s\",\"sense\":",
                r->status, prh_status_name(r->status));
        if (check) {
            fprintf(out, "{\"key\":%u,\"asc\":%u,\"ascq\":%u,\"key_name\":\"%s\",\"hex\":\"",
                    s.key, s.asc, s.ascq, prh_sense_key_name(s.key));
            hex_run(out, r->sense, sense_length(r->sense));
            fprintf(out, "\"}");
        } else {
            fprintf(out, "null");
        }
        fprintf(out, ",\"data_hex\":\"");
        hex_run(out, r->data, size);
        fprintf(out, "\"");
        if (decode)
            prh_decode_pr_in(cdb[1] & 0x1f, r->data, size, out, 1);
        fprintf(out, "}\n");
        return;
    }
    if (check)
        fprintf(out, "status: CHECK CONDITION, sense key 0x%x asc 0x%x ascq 0x%x (%s)\n",
                s.key, s.asc, s.ascq, prh_sense_key_name(s.key));
    else if (!decode)
        fprintf(out, "status: %s (0x%" PRIx32 ")\n", prh_status_name(r->status),
                (uint32_t)r->status);
    if (raw && check) {
        fprintf(out, "sense:\n");
        hex_dump(out, 2, r->sense, sense_length(r->sense));
    }
    if (decode)
        prh_decode_pr_in(cdb[1] & 0x1f, r->data, size, out, 0);
    else if (raw && size) {
        fprintf(out, "data (%zu bytes):\n", size);
        hex_dump(out, 2, r->data, size);
    }
}
