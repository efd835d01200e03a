#include "print.h"

#include <inttypes.h>
#include <string.h>

#include "scsi.h"

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

static unsigned tid_protocol(const struct prh_pr_descriptor *d)
{
    return d->tid_have ? d->tid[0] & 0x0f : 0x0f;
}

/* Capability flags: JSON member, and sg_persist's words. */
static const char *const flag_names[PRH_CAP_FLAGS][2] = {
    {"rlr_c", "Replace Lost Reservation Capable(RLR_C)"},
    {"crh", "Compatible Reservation Handling(CRH)"},
    {"sip_c", "Specify Initiator Ports Capable(SIP_C)"},
    {"atp_c", "All Target Ports Capable(ATP_C)"},
    {"ptpl_c", "Persist Through Power Loss Capable(PTPL_C)"},
    {"tmv", "Type Mask Valid(TMV)"},
    {"ptpl_a", "Persist Through Power Loss Active(PTPL_A)"},
};

/* ---- text ---------------------------------------------------------------- */

/* 16 bytes a line, each line indented by indent spaces. */
static void hex_dump(FILE *out, int indent, const uint8_t *p, size_t len)
{
    for (size_t i = 0; i < len; i++)
        fprintf(out, "%*s%02x%s", i % 16 ? 1 : indent, "", p[i],
                i % 16 == 15 || i + 1 == len ? "\n" : "");
}

static void text_capabilities(const struct prh_pr_in *in, FILE *out)
{
    const struct prh_pr_caps *c = &in->u.caps;
    if (in->len < 4) {
        fprintf(out, "Report capabilities response truncated (%zu bytes)\n", in->len);
        return;
    }
    /* sg_persist -c's layout, line for line */
    fprintf(out, "Report capabilities response:\n");
    for (int i = 0; i < PRH_CAP_FLAGS; i++) {
        if (i == PRH_CAP_FLAGS - 1) /* before PTPL_A */
            fprintf(out, "  Allow Commands: %u\n", c->allow_commands);
        fprintf(out, "  %s: %d\n", flag_names[i][1], c->flags[i]);
    }
    if (!c->have_mask)
        return;
    fprintf(out, "    Support indicated in Type mask:\n");
    for (int i = 0; i < PRH_CAP_TYPES; i++)
        fprintf(out, "      %s: %d\n", prh_pr_type_name(prh_cap_types[i]), c->type_set[i]);
}

static void text_keys(const struct prh_pr_in *in, FILE *out)
{
    if (in->u.keys.announced == 0) {
        fprintf(out, "  PR generation=0x%" PRIx32
                     ", there are NO registered reservation keys\n", in->generation);
        return;
    }
    fprintf(out, "  PR generation=0x%" PRIx32
                 ", %" PRIu32 " registered reservation keys follow:\n", in->generation,
            in->u.keys.announced);
    for (size_t i = 0; i < in->u.keys.count; i++)
        fprintf(out, "    0x%" PRIx64 "\n", prh_pr_in_key(in, i));
}

static void text_reservation(const struct prh_pr_in *in, FILE *out)
{
    const struct prh_pr_reservation *r = &in->u.reservation;
    if (!r->held) {
        fprintf(out, "  PR generation=0x%" PRIx32 ", there is NO reservation held\n",
                in->generation);
        return;
    }
    fprintf(out, "  PR generation=0x%" PRIx32 ", Reservation follows:\n", in->generation);
    if (r->complete)
        fprintf(out, "    Key=0x%" PRIx64 ", scope: %s, type: %s\n", r->key,
                scope_name(r->scope), prh_pr_type_name(r->type));
}

/* A descriptor's TransportID as sg_persist -s shows it; what it would
 * decode further for other protocols is shown in hex. */
static void text_transport_id(const struct prh_pr_descriptor *d, FILE *out)
{
    unsigned proto = tid_protocol(d);
    fprintf(out, "      Transport Id of initiator:\n");
    if (proto == 6 && d->tid_have >= 12) {
        fprintf(out, "        SAS address: 0x%016" PRIx64 "\n", prh_get_be64(d->tid + 4));
        return;
    }
    if (proto == 5 && d->tid_have > 4) {
        size_t n = d->tid_have - 4;
        fprintf(out, "        iSCSI name and session id: ");
        for (size_t i = 0; i < n && d->tid[4 + i]; i++)
            fputc(d->tid[4 + i] >= 0x20 && d->tid[4 + i] < 0x7f ? d->tid[4 + i] : '?', out);
        fputc('\n', out);
        return;
    }
    fprintf(out, "        protocol id 0x%x (%s):\n", proto, protocol_name(proto));
    hex_dump(out, 8, d->tid, d->tid_have);
}

static void text_full_status(const struct prh_pr_in *in, FILE *out)
{
    struct prh_pr_descriptor d;
    size_t pos = 0;

    fprintf(out, "  PR generation=0x%" PRIx32 "%s\n", in->generation,
            in->avail ? "" : ", there are NO registrants");
    while (prh_pr_in_descriptor(in, &pos, &d)) {
        fprintf(out, "    Key=0x%" PRIx64 "\n      All target ports bit %s\n"
                     "      Relative port address: 0x%x\n",
                d.key, d.all_tg_pt ? "set" : "clear", d.relative_port);
        if (d.holder)
            fprintf(out, "      << Reservation holder >>\n      scope: %s,  type: %s\n",
                    scope_name(d.scope), prh_pr_type_name(d.type));
        else
            fprintf(out, "      not reservation holder\n");
        text_transport_id(&d, out);
    }
}

static void text_pr_in(const struct prh_pr_in *in, FILE *out)
{
    switch (in->kind) {
    case PRH_PR_IN_UNKNOWN:
        hex_dump(out, 2, in->data, in->len);
        return; /* no decoding, nothing to call truncated */
    case PRH_PR_IN_SHORT:
        fprintf(out, "  PR IN reply of %zu bytes: too short for its header\n", in->len);
        break;
    case PRH_PR_IN_CAPABILITIES:
        text_capabilities(in, out);
        break;
    case PRH_PR_IN_KEYS:
        text_keys(in, out);
        break;
    case PRH_PR_IN_RESERVATION:
        text_reservation(in, out);
        break;
    case PRH_PR_IN_FULL_STATUS:
        text_full_status(in, out);
        break;
    }
    if (in->truncated)
        fprintf(out, "  (reply truncated: raise --alloc-length to see the rest)\n");
}

static void text_reply(const uint8_t cdb[PRH_CDB_SIZE], const struct prh_client_reply *r,
                       int raw, int decode, FILE *out)
{
    int check = r->status == PRH_CHECK_CONDITION;
    struct prh_sense s = prh_sense_parse(r->sense);
    size_t size = r->data ? r->size : 0;

    if (check)
        fprintf(out, "status: CHECK CONDITION, sense key 0x%x asc 0x%x ascq 0x%x (%s)\n",
                s.key, s.asc, s.ascq, prh_sense_key_name(s.key));
    else if (!decode)
        fprintf(out, "status: %s (0x%" PRIx32 ")\n", prh_status_name(r->status),
                (uint32_t)r->status);
    if (raw && check) {
        fprintf(out, "sense:\n");
        hex_dump(out, 2, r->sense, prh_sense_length(r->sense));
    }
    if (decode) {
        struct prh_pr_in in;
        prh_pr_in_decode(cdb[1] & 0x1f, r->data, size, &in);
        text_pr_in(&in, out);
    } else if (raw && size) {
        fprintf(out, "data (%zu bytes):\n", size);
        hex_dump(out, 2, r->data, size);
    }
}

/* ---- JSON ---------------------------------------------------------------- */

static void hex_run(FILE *out, const uint8_t *p, size_t len)
{
    for (size_t i = 0; i < len; i++)
        fprintf(out, "%02x", p[i]);
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

static void json_capabilities(const struct prh_pr_in *in, FILE *out)
{
    const struct prh_pr_caps *c = &in->u.caps;
    if (in->len < 4)
        return;
    fprintf(out, ",\"capabilities\":{\"length\":%u", c->length);
    for (int i = 0; i < PRH_CAP_FLAGS; i++)
        fprintf(out, ",\"%s\":%s", flag_names[i][0], json_bool(c->flags[i]));
    fprintf(out, ",\"allow_commands\":%u", c->allow_commands);
    if (c->have_mask) {
        int first = 1;
        fprintf(out, ",\"type_mask\":%u,\"types\":[", c->type_mask);
        for (int i = 0; i < PRH_CAP_TYPES; i++) {
            if (!c->type_set[i])
                continue;
            fprintf(out, "%s%u", first ? "" : ",", prh_cap_types[i]);
            first = 0;
        }
        fprintf(out, "]");
    }
    fprintf(out, "}");
}

static void json_full_status(const struct prh_pr_in *in, FILE *out)
{
    struct prh_pr_descriptor d;
    size_t pos = 0;
    int n = 0;

    fprintf(out, ",\"generation\":%" PRIu32 ",\"descriptors\":[", in->generation);
    while (prh_pr_in_descriptor(in, &pos, &d)) {
        fprintf(out, "%s{\"key\":\"0x%" PRIx64 "\",\"all_tg_pt\":%s,\"r_holder\":%s",
                n++ ? "," : "", d.key, json_bool(d.all_tg_pt), json_bool(d.holder));
        if (d.holder)
            fprintf(out, ",\"scope\":%u,\"type\":%u,\"type_name\":\"%s\"", d.scope, d.type,
                    prh_pr_type_name(d.type));
        fprintf(out, ",\"relative_target_port\":%u", d.relative_port);
        unsigned proto = tid_protocol(&d);
        fprintf(out, ",\"transport_id\":{\"protocol_id\":%u,\"protocol\":\"%s\""
                     ",\"length\":%" PRIu32 ",\"hex\":\"", proto, protocol_name(proto),
                d.tid_len);
        hex_run(out, d.tid, d.tid_have);
        fprintf(out, "\"");
        if (proto == 5 && d.tid_have > 4) {
            fprintf(out, ",\"iscsi_name\":");
            json_string(out, d.tid + 4, d.tid_have - 4);
        }
        fprintf(out, "}}");
    }
    fprintf(out, "]");
}

/* Members of the enclosing object, each preceded by a comma. */
static void json_pr_in(const struct prh_pr_in *in, FILE *out)
{
    switch (in->kind) {
    case PRH_PR_IN_UNKNOWN:
        return;
    case PRH_PR_IN_SHORT:
        break;
    case PRH_PR_IN_CAPABILITIES:
        json_capabilities(in, out);
        break;
    case PRH_PR_IN_KEYS:
        fprintf(out, ",\"generation\":%" PRIu32 ",\"keys\":[", in->generation);
        for (size_t i = 0; i < in->u.keys.count; i++)
            fprintf(out, "%s\"0x%" PRIx64 "\"", i ? "," : "", prh_pr_in_key(in, i));
        fprintf(out, "]");
        break;
    case PRH_PR_IN_RESERVATION: {
        const struct prh_pr_reservation *r = &in->u.reservation;
        fprintf(out, ",\"generation\":%" PRIu32 ",\"reservation\":", in->generation);
        if (r->held && r->complete)
            fprintf(out, "{\"key\":\"0x%" PRIx64 "\",\"scope\":%u,\"scope_name\":\"%s\","
                         "\"type\":%u,\"type_name\":\"%s\"}",
                    r->key, r->scope, scope_name(r->scope), r->type, prh_pr_type_name(r->type));
        else
            fprintf(out, "null");
        break;
    }
    case PRH_PR_IN_FULL_STATUS:
        json_full_status(in, out);
        break;
    }
    fprintf(out, ",\"truncated\":%s", json_bool(in->truncated));
}

static void json_reply(const char *command, const uint8_t cdb[PRH_CDB_SIZE],
                       const struct prh_client_reply *r, int decode, FILE *out)
{
    struct prh_sense s = prh_sense_parse(r->sense);
    size_t size = r->data ? r->size : 0;

    fprintf(out, "{\"command\":");
    json_string(out, (const uint8_t *)command, strlen(command));
    fprintf(out, ",\"status\":%" PRId32 ",\"status_name\":\"%s\",\"sense\":", r->status,
            prh_status_name(r->status));
    if (r->status == PRH_CHECK_CONDITION) {
        fprintf(out, "{\"key\":%u,\"asc\":%u,\"ascq\":%u,\"key_name\":\"%s\",\"hex\":\"",
                s.key, s.asc, s.ascq, prh_sense_key_name(s.key));
        hex_run(out, r->sense, prh_sense_length(r->sense));
        fprintf(out, "\"}");
    } else {
        fprintf(out, "null");
    }
    fprintf(out, ",\"data_hex\":\"");
    hex_run(out, r->data, size);
    fprintf(out, "\"");
    if (decode) {
        struct prh_pr_in in;
        prh_pr_in_decode(cdb[1] & 0x1f, r->data, size, &in);
        json_pr_in(&in, out);
    }
    fprintf(out, "}\n");
}

void prh_print_reply(const char *command, const uint8_t cdb[PRH_CDB_SIZE],
                     const struct prh_client_reply *r, int raw, FILE *out, int json)
{
    int decode = !raw && r->status == PRH_GOOD && cdb[0] == PRH_OP_PR_IN;
    if (json)
        json_reply(command, cdb, r, decode, out);
    else
        text_reply(cdb, r, raw, decode, out);
}
