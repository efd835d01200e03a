#include "ipc.h"

static const char *const event_text[PRH_EVENT_MAX] = {
    [PRH_CLOSE_CLIENT_EOF] = "client closed the connection",
    [PRH_CLOSE_CLIENT_IO] = "client socket error",
    [PRH_CLOSE_BAD_FEATURES] = "client requested unsupported features",
    [PRH_CLOSE_NO_FD] = "request without a file descriptor",
    [PRH_CLOSE_TOO_MANY_FDS] = "more than one file descriptor in a request",
    [PRH_CLOSE_BAD_OPCODE] = "invalid opcode",
    [PRH_CLOSE_BAD_LENGTH] = "transfer length above 8192",
    [PRH_CLOSE_EOF_MID_REQUEST] = "client vanished in the middle of a request",
    [PRH_CLOSE_BAD_REPLY] = "reply from the monitor failed the worker's check",
    [PRH_CLOSE_MONITOR_IO] = "could not send the request to the monitor",
    [PRH_NOTE_PR_OUT_LENGTH] = "PR OUT with a length in CDB bytes 5-6: answered INVALID FIELD",
};

const char *prh_event_text(uint32_t code)
{
    return code < PRH_EVENT_MAX ? event_text[code] : "unknown";
}
