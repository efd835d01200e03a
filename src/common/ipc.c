#include "ipc.h"

static const char *const close_text[PRH_CLOSE_MAX] = {
    [PRH_CLOSE_CLIENT_EOF] = "client closed the connection",
    [PRH_CLOSE_CLIENT_IO] = "client socket error",
    [PRH_CLOSE_BAD_FEATURES] = "client requested unsupported features",
    [PRH_CLOSE_NO_FD] = "request without a file descriptor",
    [PRH_CLOSE_TOO_MANY_FDS] = "more than one file descriptor in a request",
    [PRH_CLOSE_BAD_OPCODE] = "invalid opcode",
    [PRH_CLOSE_BAD_LENGTH] = "transfer length above 8192",
    [PRH_CLOSE_EOF_MID_REQUEST] = "client vanished in the middle of a request",
    [PRH_CLOSE_BAD_DONE] = "unexpected record from the monitor",
    [PRH_CLOSE_MONITOR_IO] = "could not send the request to the monitor",
};

static const char *const note_text[PRH_NOTE_MAX] = {
    [PRH_NOTE_PR_OUT_LENGTH] = "PR OUT with a length in CDB bytes 5-6: answered INVALID FIELD",
    [PRH_NOTE_NOT_A_DEVICE] =
        "request on a file that is no block device or sg node: answered 0b/00/06",
    [PRH_NOTE_READ_ONLY] = "PR OUT through a read-only fd: answered 05/20/00",
    /* QEMU 11's destination opens the drive read-only while a migration
     * is incoming unless told otherwise; its first PR command (migrate-pr)
     * is this REGISTER, and the migration fails on it. */
    [PRH_NOTE_READ_ONLY_REGISTER] =
        "REGISTER through a read-only fd: answered 05/20/00; if this is the destination of a"
        " QEMU live migration (migrate-pr), its drive is open read-only while the migration is"
        " incoming and the migration fails: open it read-write, -drive ...,file.auto-read-only=off"
        " or -blockdev ...,\"auto-read-only\":false on the host_device node (prhelper(8), MIGRATION)",
};

const char *prh_close_text(uint32_t reason)
{
    return reason < PRH_CLOSE_MAX ? close_text[reason] : "unknown";
}

const char *prh_note_text(uint32_t note)
{
    return note < PRH_NOTE_MAX ? note_text[note] : "unknown";
}
