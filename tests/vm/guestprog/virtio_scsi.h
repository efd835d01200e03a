/* A polling driver for one legacy (transitional) virtio-scsi PCI function:
 * one request queue, one command at a time, no interrupts. */
#ifndef GUESTPROG_VIRTIO_SCSI_H
#define GUESTPROG_VIRTIO_SCSI_H

#include <stdint.h>

#define VS_CDB_SIZE 32
#define VS_SENSE_SIZE 96

struct vs_result {
    uint8_t response;   /* virtio-scsi response: 0 OK */
    uint8_t status;     /* SCSI status */
    uint32_t sense_len;
    uint32_t resid;
    uint8_t sense[VS_SENSE_SIZE];
};

/* Finds and sets up the device. Returns 0, or -1 (message printed). */
int vs_init(void);

/* One command to target 0 LUN 0: cdb (cdb_len bytes), then either out_len
 * bytes of data-out or room for in_len bytes of data-in. Returns 0, or -1
 * when the device did not complete it. */
int vs_command(const uint8_t *cdb, uint32_t cdb_len, const uint8_t *out, uint32_t out_len,
               uint8_t *in, uint32_t in_len, struct vs_result *res);

#endif
