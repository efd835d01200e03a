/* Messages between a worker and the monitor, on a SOCK_SEQPACKET socketpair:
 * one message per record, so lengths are exact and a short or long record is
 * visible (MSG_TRUNC). Host byte order: both ends are on the same machine.
 *
 *   monitor -> worker  PRH_IPC_ASSIGN   event, exactly 1 fd: the client
 *   worker -> monitor  PRH_IPC_COMMAND  header + param_len bytes, no fd: the
 *                                       device fd's number in the worker
 *   monitor -> worker  PRH_IPC_DONE     event, no fd: the command is answered
 *   worker -> monitor  PRH_IPC_NOTICE   event, no fd; something to log
 *   worker -> monitor  PRH_IPC_GOODBYE  event, no fd; the worker exits
 *
 * In the no-capability mode (route.h) no command reaches the monitor: the
 * worker runs it on its client's fd, answers the client itself and tells
 * the monitor what it did.
 *   worker -> monitor  PRH_IPC_CLASSIFY what a block device is (devfacts.h),
 *                                       when the worker knows no recent
 *                                       answer for it
 *   monitor -> worker  PRH_IPC_CLASS    event, code a prh_dev_class
 *   worker -> monitor  PRH_IPC_REPORT   a request answered: the audit line
 *
 * A worker is started before it has a client (the monitor keeps a few
 * ready); ASSIGN hands it the one connection it will ever serve. The
 * monitor writes each command's answer to the client itself (it keeps the
 * client socket; it writes there, never reads), then sends DONE: until
 * then the worker answers nothing else and keeps the command's fd open,
 * so the monitor's close of its copy is never the last one.
 *
 * Workers never send a descriptor: the monitor takes a command's fd from
 * its worker with pidfd_getfd(2). Linux charges descriptors in flight over
 * unix sockets to the sending user, whom all workers share, so a worker
 * that could send them could park thousands and make every other
 * connection's forwarding fail; with no sendmsg in a worker's filter, none
 * can be in flight from any worker.
 */
#ifndef PRH_IPC_H
#define PRH_IPC_H

#include <stddef.h>
#include <stdint.h>

#include "proto.h"

/* Where a worker of the no-capability mode keeps a request's device fd
 * while it runs the command: its filter allows the PR ioctls on this
 * number only. */
#define PRH_WORKER_DEVICE_FD 5

/* The worker's one argument in that mode (spawn.c passes it). */
#define PRH_WORKER_NO_CAPS_ARG "--no-capabilities"

/* Descriptors a worker starts with (everything else is closed):
 * 0, 1 and 2 /dev/null (no log stream of the monitor's), 4 the monitor.
 * The client arrives with ASSIGN and lands on 3, the lowest free number. */
#define PRH_WORKER_CLIENT_FD 3
#define PRH_WORKER_MONITOR_FD 4

/* Fd numbers a command may name: a worker holds 0-4 and what its client
 * sent with the current request. */
#define PRH_WORKER_FD_LIMIT 1024

enum prh_ipc_type {
    PRH_IPC_ASSIGN = 0x41534e31,  /* "ASN1" */
    PRH_IPC_COMMAND = 0x434d4431, /* "CMD1" */
    PRH_IPC_DONE = 0x444f4e31,    /* "DON1" */
    PRH_IPC_GOODBYE = 0x42594531, /* "BYE1" */
    PRH_IPC_NOTICE = 0x4e4f5431,  /* "NOT1" */
    PRH_IPC_CLASSIFY = 0x434c5331, /* "CLS1" */
    PRH_IPC_CLASS = 0x4b4e4431,   /* "KND1" */
    PRH_IPC_REPORT = 0x52505431,  /* "RPT1" */
};

struct prh_ipc_command {
    uint32_t type;
    uint32_t param_len; /* PR OUT parameter bytes following the header */
    int32_t fd;         /* the device fd's number in the worker */
    uint8_t cdb[PRH_CDB_SIZE];
};

/* ASSIGN and DONE (code 0), GOODBYE (a prh_close_reason), NOTICE (a
 * prh_note). */
struct prh_ipc_event {
    uint32_t type;
    uint32_t code;
};

struct prh_ipc_classify {
    uint32_t type;
    uint32_t major, minor;
    uint32_t reserved;  /* 0 */
    uint64_t diskseq;   /* BLKGETDISKSEQ of the worker's fd, 0: none */
};

/* What the worker did with one request; every field is the worker's word
 * (SECURITY.md says what that is worth). */
struct prh_ipc_report {
    uint32_t type;
    uint32_t major, minor; /* the fd's device (fstat) */
    uint32_t xfer_len;     /* as derived from the CDB */
    uint32_t route;        /* a prh_route: what ran it */
    int32_t status;        /* the SCSI status sent to the client */
    uint32_t data_len;     /* PR IN bytes sent */
    uint32_t usec;         /* from the request's fd to its answer */
    int32_t err;           /* the last ioctl's errno, 0: none */
    uint8_t sense_key, asc, ascq, reserved; /* of a CHECK CONDITION */
    uint8_t cdb[PRH_CDB_SIZE];
};

_Static_assert(sizeof(struct prh_ipc_command) == 28, "command record layout");
_Static_assert(sizeof(struct prh_ipc_classify) == 24, "classify record layout");
_Static_assert(sizeof(struct prh_ipc_report) == 56, "report record layout");
_Static_assert(sizeof(struct prh_ipc_event) == 8, "event record layout");

/* Largest record either side ever sends. */
#define PRH_IPC_MAX (sizeof(struct prh_ipc_command) + PRH_DATA_MAX)

/* Why a worker ended its client connection (GOODBYE). The monitor logs
 * the text; a value out of range is itself a protocol violation. */
enum prh_close_reason {
    PRH_CLOSE_CLIENT_EOF,      /* client closed the connection */
    PRH_CLOSE_CLIENT_IO,       /* read or write error on the client socket */
    PRH_CLOSE_BAD_FEATURES,    /* requested a feature bit (none exists) */
    PRH_CLOSE_NO_FD,           /* CDB without a file descriptor */
    PRH_CLOSE_TOO_MANY_FDS,    /* more than one fd with one CDB */
    PRH_CLOSE_BAD_OPCODE,      /* not PR IN / PR OUT */
    PRH_CLOSE_BAD_LENGTH,      /* transfer length above 8192 */
    PRH_CLOSE_EOF_MID_REQUEST, /* client vanished inside a request */
    PRH_CLOSE_BAD_DONE,        /* a record from the monitor other than DONE */
    PRH_CLOSE_MONITOR_IO,      /* the request could not be sent to the monitor */
    PRH_CLOSE_MAX
};

/* A request the worker answered itself, without the monitor (NOTICE). */
enum prh_note {
    PRH_NOTE_PR_OUT_LENGTH, /* PR OUT with CDB bytes 5-6 set: INVALID FIELD */
    PRH_NOTE_NOT_A_DEVICE,  /* fd is no block device or sg node: 0B/00/06 */
    PRH_NOTE_READ_ONLY,     /* PR OUT through a read-only fd: 05/20/00 */
    PRH_NOTE_READ_ONLY_REGISTER, /* the same for a REGISTER (migration's hint) */
    PRH_NOTE_MAX
};

const char *prh_close_text(uint32_t reason);
const char *prh_note_text(uint32_t note);

#endif
