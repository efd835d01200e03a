#include "scsi.h"

#include <errno.h>
#include <string.h>

const struct prh_sense PRH_SENSE_INVALID_OPCODE = {0x05, 0x20, 0x00};
const struct prh_sense PRH_SENSE_INVALID_FIELD = {0x05, 0x24, 0x00};
const struct prh_sense PRH_SENSE_INVALID_PARAM = {0x05, 0x26, 0x00};
const struct prh_sense PRH_SENSE_PARAM_LIST_LENGTH = {0x05, 0x1a, 0x00};
const struct prh_sense PRH_SENSE_IO_ERROR = {0x0b, 0x00, 0x06};
const struct prh_sense PRH_SENSE_NO_MEDIUM = {0x02, 0x3a, 0x00};
const struct prh_sense PRH_SENSE_TARGET_FAILURE = {0x04, 0x44, 0x00};
const struct prh_sense PRH_SENSE_READ_ERROR = {0x03, 0x11, 0x00};
const struct prh_sense PRH_SENSE_SPACE_ALLOC_FAILED = {0x07, 0x27, 0x07};
const struct prh_sense PRH_SENSE_LUN_NOT_RESPONDING = {0x0b, 0x05, 0x00};
const struct prh_sense PRH_SENSE_COMMAND_TIMEOUT = {0x0b, 0x2e, 0x02};
const struct prh_sense PRH_SENSE_LUN_COMM_FAILURE = {0x0b, 0x08, 0x00};
const struct prh_sense PRH_SENSE_COMMAND_ABORTED = {0x0b, 0x2f, 0x02};
const struct prh_sense PRH_SENSE_RESET = {0x06, 0x29, 0x00};
const struct prh_sense PRH_SENSE_I_T_NEXUS_LOSS = {0x06, 0x29, 0x07};

/* Linux host byte values (include/scsi/scsi_status.h, DID_*). */
enum {
    HOST_OK = 0x00,
    HOST_NO_CONNECT = 0x01,
    HOST_BUS_BUSY = 0x02,
    HOST_TIME_OUT = 0x03,
    HOST_BAD_TARGET = 0x04,
    HOST_ABORT = 0x05,
    HOST_RESET = 0x08,
    HOST_TRANSPORT_DISRUPTED = 0x0e,
    HOST_TARGET_FAILURE = 0x10,
    HOST_NEXUS_FAILURE = 0x11,
    HOST_ALLOC_FAILURE = 0x12,
    HOST_MEDIUM_ERROR = 0x13,
};

/* The sg driver_status value QEMU looks at. */
enum {
    DRIVER_TIMEOUT = 0x06,
};

void prh_sense_build(uint8_t out[PRH_SENSE_SIZE], struct prh_sense code)
{
    memset(out, 0, PRH_SENSE_SIZE);
    out[0] = 0x70;
    out[2] = code.key;
    out[7] = 10; /* additional sense length: 18 bytes in all */
    out[12] = code.asc;
    out[13] = code.ascq;
}

struct prh_sense prh_sense_parse(const uint8_t sense[PRH_SENSE_SIZE])
{
    struct prh_sense s = {0, 0, 0};
    switch (sense[0] & 0x7f) {
    case 0x70:
    case 0x71:
        s.key = sense[2] & 0x0f;
        s.asc = sense[12];
        s.ascq = sense[13];
        break;
    case 0x72:
    case 0x73:
        s.key = sense[1] & 0x0f;
        s.asc = sense[2];
        s.ascq = sense[3];
        break;
    default:
        break;
    }
    return s;
}

int prh_status_from_errno(int errno_value, struct prh_sense *code)
{
    switch (errno_value) {
    case 0:
        return PRH_GOOD;
    case EDOM:
        return PRH_TASK_SET_FULL;
    case EBADE:
        return PRH_RESERVATION_CONFLICT;
    case ENODEV:
    case EREMOTEIO:
        *code = PRH_SENSE_TARGET_FAILURE;
        return PRH_CHECK_CONDITION;
    case ENODATA:
        *code = PRH_SENSE_READ_ERROR;
        return PRH_CHECK_CONDITION;
    case ENOMEDIUM:
        *code = PRH_SENSE_NO_MEDIUM;
        return PRH_CHECK_CONDITION;
    case ENOMEM:
        *code = PRH_SENSE_TARGET_FAILURE;
        return PRH_CHECK_CONDITION;
    case EINVAL:
        *code = PRH_SENSE_INVALID_FIELD;
        return PRH_CHECK_CONDITION;
    case ENOSPC:
        *code = PRH_SENSE_SPACE_ALLOC_FAILED;
        return PRH_CHECK_CONDITION;
    default:
        *code = PRH_SENSE_IO_ERROR;
        return PRH_CHECK_CONDITION;
    }
}

int prh_status_from_host(unsigned host_status, struct prh_sense *code)
{
    switch (host_status) {
    case HOST_NO_CONNECT:
        *code = PRH_SENSE_LUN_NOT_RESPONDING;
        return PRH_CHECK_CONDITION;
    case HOST_BUS_BUSY:
        return PRH_BUSY;
    case HOST_TIME_OUT:
        *code = PRH_SENSE_COMMAND_TIMEOUT;
        return PRH_CHECK_CONDITION;
    case HOST_BAD_TARGET:
        *code = PRH_SENSE_LUN_COMM_FAILURE;
        return PRH_CHECK_CONDITION;
    case HOST_ABORT:
        *code = PRH_SENSE_COMMAND_ABORTED;
        return PRH_CHECK_CONDITION;
    case HOST_RESET:
        *code = PRH_SENSE_RESET;
        return PRH_CHECK_CONDITION;
    case HOST_TRANSPORT_DISRUPTED:
        *code = PRH_SENSE_I_T_NEXUS_LOSS;
        return PRH_CHECK_CONDITION;
    case HOST_TARGET_FAILURE:
        *code = PRH_SENSE_TARGET_FAILURE;
        return PRH_CHECK_CONDITION;
    case HOST_NEXUS_FAILURE:
        return PRH_RESERVATION_CONFLICT;
    case HOST_ALLOC_FAILURE:
        *code = PRH_SENSE_SPACE_ALLOC_FAILED;
        return PRH_CHECK_CONDITION;
    case HOST_MEDIUM_ERROR:
        *code = PRH_SENSE_READ_ERROR;
        return PRH_CHECK_CONDITION;
    case HOST_OK:
        return PRH_GOOD;
    default:
        /* QEMU 7.2 answers GOOD here (DID_ERROR, DID_PARITY, ...), which
         * would tell a guest that a failed REGISTER worked: report the
         * generic I/O error instead. A documented difference. */
        *code = PRH_SENSE_IO_ERROR;
        return PRH_CHECK_CONDITION;
    }
}

int prh_status_from_sgio(const struct prh_sgio_outcome *o,
                         uint8_t sense[PRH_SENSE_SIZE])
{
    struct prh_sense code = PRH_SENSE_IO_ERROR;
    int status;

    if (o->ioctl_errno != 0) {
        status = prh_status_from_errno(o->ioctl_errno, &code);
    } else if (o->host_status != HOST_OK) {
        status = prh_status_from_host(o->host_status, &code);
    } else if (o->driver_status & DRIVER_TIMEOUT) {
        return PRH_BUSY;
    } else {
        /* The device's own status and sense pass through untouched. */
        return (int)(o->device_status & 0xff);
    }
    if (status == PRH_CHECK_CONDITION)
        prh_sense_build(sense, code);
    return status;
}

uint32_t prh_transferred(uint32_t dxfer_len, int resid)
{
    if (resid <= 0)
        return dxfer_len;
    if ((uint32_t)resid >= dxfer_len)
        return 0;
    return dxfer_len - (uint32_t)resid;
}
