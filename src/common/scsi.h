/* SCSI status codes, sense codes and the SG_IO result mapping QEMU uses,
 * so that guests see exactly what they would see with qemu-pr-helper. */
#ifndef PRH_SCSI_H
#define PRH_SCSI_H

#include <stdint.h>

#include "proto.h"

enum prh_scsi_status {
    PRH_GOOD = 0x00,
    PRH_CHECK_CONDITION = 0x02,
    PRH_BUSY = 0x08,
    PRH_RESERVATION_CONFLICT = 0x18,
    PRH_TASK_SET_FULL = 0x28,
};

/* PR IN service actions (SPC-4 6.15). */
enum {
    PRH_PRIN_READ_KEYS = 0x00,
    PRH_PRIN_READ_RESERVATION = 0x01,
    PRH_PRIN_REPORT_CAPABILITIES = 0x02,
    PRH_PRIN_READ_FULL_STATUS = 0x03,
};

/* PR OUT service actions (SPC-4 6.16). */
enum {
    PRH_PROUT_REGISTER = 0x00,
    PRH_PROUT_RESERVE = 0x01,
    PRH_PROUT_RELEASE = 0x02,
    PRH_PROUT_CLEAR = 0x03,
    PRH_PROUT_PREEMPT = 0x04,
    PRH_PROUT_PREEMPT_AND_ABORT = 0x05,
    PRH_PROUT_REGISTER_IGNORE = 0x06,
    PRH_PROUT_REGISTER_AND_MOVE = 0x07,
};

struct prh_sense {
    uint8_t key, asc, ascq;
};

/* The sense codes this project generates itself. */
extern const struct prh_sense PRH_SENSE_INVALID_OPCODE;   /* 05/20/00 */
extern const struct prh_sense PRH_SENSE_INVALID_FIELD;    /* 05/24/00 */
extern const struct prh_sense PRH_SENSE_INVALID_PARAM;    /* 05/26/00 */
extern const struct prh_sense PRH_SENSE_PARAM_LIST_LENGTH; /* 05/1a/00 */
extern const struct prh_sense PRH_SENSE_IO_ERROR;         /* 0b/00/06 */
extern const struct prh_sense PRH_SENSE_NO_MEDIUM;        /* 02/3a/00 */
extern const struct prh_sense PRH_SENSE_TARGET_FAILURE;   /* 04/44/00 */
extern const struct prh_sense PRH_SENSE_READ_ERROR;       /* 03/11/00 */
extern const struct prh_sense PRH_SENSE_SPACE_ALLOC_FAILED; /* 07/27/07 */
extern const struct prh_sense PRH_SENSE_LUN_NOT_RESPONDING; /* 0b/05/00 */
extern const struct prh_sense PRH_SENSE_COMMAND_TIMEOUT;  /* 0b/2e/02 */
extern const struct prh_sense PRH_SENSE_LUN_COMM_FAILURE; /* 0b/08/00 */
extern const struct prh_sense PRH_SENSE_COMMAND_ABORTED;  /* 0b/2f/02 */
extern const struct prh_sense PRH_SENSE_RESET;            /* 06/29/00 */
extern const struct prh_sense PRH_SENSE_I_T_NEXUS_LOSS;   /* 06/29/07 */

/* Fixed-format (0x70) sense, 18 meaningful bytes; the rest of the 96-byte
 * buffer is zeroed. */
void prh_sense_build(uint8_t out[PRH_SENSE_SIZE], struct prh_sense code);

/* Key/ASC/ASCQ of a fixed (0x70/0x71) or descriptor (0x72/0x73) sense
 * buffer; all zero when the buffer holds neither. */
struct prh_sense prh_sense_parse(const uint8_t sense[PRH_SENSE_SIZE]);

/* Status for an ioctl that failed with errno_value; *code is set when the
 * result is CHECK CONDITION (QEMU's scsi_sense_from_errno). */
int prh_status_from_errno(int errno_value, struct prh_sense *code);

/* Status for a non-zero SG_IO host_status (QEMU's
 * scsi_sense_from_host_status); GOOD for DID_OK, the generic I/O error
 * for host codes QEMU does not list. */
int prh_status_from_host(unsigned host_status, struct prh_sense *code);

/* What SG_IO reported, reduced to the fields the mapping uses. */
struct prh_sgio_outcome {
    int ioctl_errno;        /* 0 when the ioctl itself succeeded */
    unsigned host_status;
    unsigned driver_status;
    unsigned device_status; /* io_hdr.status */
    int resid;
};

/* The whole mapping: fills sense (unless the device already wrote it) and
 * returns the status. The caller zeroes sense before SG_IO, as QEMU does. */
int prh_status_from_sgio(const struct prh_sgio_outcome *o,
                         uint8_t sense[PRH_SENSE_SIZE]);

/* Bytes of a GOOD transfer of dxfer_len bytes with the given residual,
 * clamped to [0, dxfer_len] whatever the driver reported. */
uint32_t prh_transferred(uint32_t dxfer_len, int resid);

#endif
