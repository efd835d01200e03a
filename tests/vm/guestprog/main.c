/* The nested test program: a guest with no OS that sends the SCSI commands
 * named on its command line through virtio-scsi, one at a time, and prints
 * what came back on the serial port, then ends QEMU (isa-debug-exit).
 *
 * Command line (after the kernel path QEMU puts first): tokens
 *   c=CDBHEX[,o=DATAHEX][,i=LENGTH]   one command
 *   w                                 wait for a byte on the serial port
 * Output, one line per token:
 *   prtest N resp=RR status=SS resid=R sense=HEX data=HEX
 *   prtest N wait
 * (sense: the bytes the device reported; data: what arrived of LENGTH,
 * with GOOD status only),
 * or "prtest N timeout". First "prtest: virtio-scsi at ...", last
 * "prtest: done". */
#include <stdint.h>

#include "hex.h" /* src/common: no library needed */
#include "hw.h"
#include "virtio_scsi.h"

#define DATA_MAX 8192
#define MB_INFO_CMDLINE (1u << 2)

static uint8_t out_buf[DATA_MAX], in_buf[DATA_MAX];

/* Hex digits up to ',' ' ' or the end; returns the bytes, -1 when bad. */
static int parse_hex(const char **s, uint8_t *out, uint32_t max)
{
    uint32_t n = 0;
    const char *p = *s;
    while (*p && *p != ',' && *p != ' ') {
        int hi = prh_hex_digit(p[0]), lo = p[1] ? prh_hex_digit(p[1]) : -1;
        if (hi < 0 || lo < 0 || n == max)
            return -1;
        out[n++] = (uint8_t)(hi << 4 | lo);
        p += 2;
    }
    *s = p;
    return (int)n;
}

static int parse_dec(const char **s, uint32_t *v)
{
    const char *p = *s;
    *v = 0;
    if (*p < '0' || *p > '9')
        return -1;
    while (*p >= '0' && *p <= '9')
        *v = *v * 10 + (uint32_t)(*p++ - '0');
    *s = p;
    return 0;
}

/* One token at *s (at "c="); advances past it. */
static void run_token(const char **s, uint32_t n)
{
    uint8_t cdb[VS_CDB_SIZE];
    uint32_t in_len = 0;
    int out_len = 0;
    const char *p = *s + 2;
    int cdb_len = parse_hex(&p, cdb, sizeof(cdb));
    while (cdb_len > 0 && *p == ',') {
        if (p[1] == 'o' && p[2] == '=') {
            p += 3;
            out_len = parse_hex(&p, out_buf, DATA_MAX);
        } else if (p[1] == 'i' && p[2] == '=') {
            p += 3;
            if (parse_dec(&p, &in_len) < 0 || in_len > DATA_MAX)
                cdb_len = -1;
        } else {
            cdb_len = -1;
        }
        if (out_len < 0)
            cdb_len = -1;
    }
    while (*p && *p != ' ')
        p++;
    *s = p;
    put("prtest ");
    put_u32(n);
    if (cdb_len <= 0) {
        put(" bad-token\n");
        return;
    }
    struct vs_result r;
    for (uint32_t i = 0; i < in_len; i++)
        in_buf[i] = 0;
    if (vs_command(cdb, (uint32_t)cdb_len, out_buf, (uint32_t)out_len, in_buf, in_len, &r) < 0) {
        put(" timeout\n");
        return;
    }
    uint32_t sense_len = r.sense_len < VS_SENSE_SIZE ? r.sense_len : VS_SENSE_SIZE;
    /* data only with GOOD: QEMU reports no residual otherwise */
    uint32_t got = r.status == 0 && r.resid < in_len ? in_len - r.resid : 0;
    put(" resp=");
    put_x8(r.response);
    put(" status=");
    put_x8(r.status);
    put(" resid=");
    put_u32(r.resid);
    put(" sense=");
    put_hex(r.sense, sense_len);
    put(" data=");
    put_hex(in_buf, got);
    put("\n");
}

void prog_main(const uint32_t *mb_info);
void prog_main(const uint32_t *mb_info)
{
    serial_init();
    put("prtest: start\n");
    if (vs_init() < 0)
        qemu_exit(1);
    const char *cmdline = (mb_info[0] & MB_INFO_CMDLINE) ? (const char *)mb_info[4] : "";
    uint32_t n = 0;
    for (const char *p = cmdline; *p;) {
        int start = p == cmdline || p[-1] == ' ';
        if (start && p[0] == 'c' && p[1] == '=') {
            run_token(&p, ++n);
        } else if (start && p[0] == 'w' && (p[1] == ' ' || p[1] == '\0')) {
            put("prtest ");
            put_u32(++n);
            put(" wait\n");
            serial_wait_byte();
            p++;
        } else {
            p++;
        }
    }
    put("prtest: done\n");
    qemu_exit(0);
}
