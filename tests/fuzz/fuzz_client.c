/* Fuzzes prhelper-client's parsing and printing of helper replies: a
 * hostile or broken helper must not crash the admin CLI. Input: byte 0
 * picks PR IN or PR OUT (bit 0) and the output mode (bits 1-2), byte 1 the
 * service action, bytes 2-3 the allocation length; the rest is the reply. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "decode.h"
#include "print.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static FILE *sink;
    uint8_t cdb[PRH_CDB_SIZE] = {0};
    struct prh_client_reply reply;

    if (size < 4)
        return 0;
    if (!sink)
        sink = fopen("/dev/null", "w");
    cdb[0] = (data[0] & 1) ? PRH_OP_PR_OUT : PRH_OP_PR_IN;
    cdb[1] = data[1] & 0x1f;
    cdb[7] = data[2];
    cdb[8] = data[3];

    /* An exact-size copy, so any read past the reply is caught by ASan. */
    size_t len = size - 4;
    uint8_t *buf = malloc(len ? len : 1);
    if (!buf)
        return 0;
    memcpy(buf, data + 4, len);
    if (prh_client_decode_reply(cdb, buf, len, &reply) == PRH_DECODE_OK) {
        if (reply.size > prh_cdb_xfer_len(cdb) || (cdb[0] == PRH_OP_PR_OUT && reply.size))
            abort(); /* accepted what QEMU's client asserts against */
        prh_print_reply("fuzz", cdb, &reply, (data[0] >> 1) & 1, sink, (data[0] >> 2) & 1);
    }
    free(buf);
    return 0;
}
