#include "virtio_scsi.h"

#include "hw.h"

#define VENDOR_VIRTIO 0x1af4
#define DEVICE_SCSI_LEGACY 0x1004

/* Legacy virtio PCI I/O registers (BAR 0). */
#define R_GUEST_FEATURES 0x04
#define R_QUEUE_PFN 0x08
#define R_QUEUE_SIZE 0x0c
#define R_QUEUE_SELECT 0x0e
#define R_QUEUE_NOTIFY 0x10
#define R_STATUS 0x12
#define S_ACK 1
#define S_DRIVER 2
#define S_DRIVER_OK 4

#define REQUEST_QUEUE 2 /* 0 control, 1 event */
/* A legacy device decides the queue size: 256 from QEMU 7.2 and 11.1,
 * 1024 from 10.0 */
#define QMAX 1024
#define DESC_NEXT 1
#define DESC_WRITE 2

struct desc {
    uint64_t addr;
    uint32_t len;
    uint16_t flags;
    uint16_t next;
};

/* Legacy layout: descriptors, available ring, used ring on the next page. */
#define PAGE_UP(n) (((n) + 4095) & ~4095u)
static uint8_t ring[PAGE_UP(QMAX * 16 + 6 + QMAX * 2) + PAGE_UP(6 + QMAX * 8)]
    __attribute__((aligned(4096)));
static uint16_t io, qsize, avail_idx, used_seen;
static struct desc *descs;
static volatile uint16_t *avail;   /* flags, idx, ring[] */
static volatile uint16_t *used;    /* flags, idx, then {u32 id, u32 len}[] */

struct __attribute__((packed)) cmd_req {
    uint8_t lun[8];
    uint64_t tag;
    uint8_t task_attr, prio, crn;
    uint8_t cdb[VS_CDB_SIZE];
};

struct __attribute__((packed)) cmd_resp {
    uint32_t sense_len, resid;
    uint16_t status_qualifier;
    uint8_t status, response;
    uint8_t sense[VS_SENSE_SIZE];
};

static struct cmd_req req;
static struct cmd_resp resp;

static uint32_t align4k(uint32_t v) { return (v + 4095) & ~4095u; }

int vs_init(void)
{
    for (uint8_t dev = 0; dev < 32; dev++) {
        uint32_t id = pci_read(0, dev, 0, 0);
        if ((id & 0xffff) != VENDOR_VIRTIO || (id >> 16) != DEVICE_SCSI_LEGACY)
            continue;
        uint32_t bar0 = pci_read(0, dev, 0, 0x10);
        if (!(bar0 & 1)) {
            put("prtest: virtio-scsi BAR0 is not I/O\n");
            return -1;
        }
        io = (uint16_t)(bar0 & ~3u);
        pci_write(0, dev, 0, 0x04, pci_read(0, dev, 0, 0x04) | 0x5); /* I/O, bus master */
        outb(io + R_STATUS, 0);
        outb(io + R_STATUS, S_ACK);
        outb(io + R_STATUS, S_ACK | S_DRIVER);
        outl(io + R_GUEST_FEATURES, 0);
        outw(io + R_QUEUE_SELECT, REQUEST_QUEUE);
        qsize = inw(io + R_QUEUE_SIZE);
        if (qsize == 0 || qsize > QMAX) {
            put("prtest: request queue size unusable\n");
            return -1;
        }
        descs = (struct desc *)ring;
        avail = (volatile uint16_t *)(ring + 16 * qsize);
        used = (volatile uint16_t *)(ring + align4k(16 * qsize + 6 + 2 * qsize));
        outl(io + R_QUEUE_PFN, (uint32_t)ring >> 12);
        outb(io + R_STATUS, S_ACK | S_DRIVER | S_DRIVER_OK);
        put("prtest: virtio-scsi at 00:");
        put_x8(dev);
        put(".0, request queue of ");
        put_u32(qsize);
        put("\n");
        return 0;
    }
    put("prtest: no virtio-scsi device\n");
    return -1;
}

static void set_desc(uint16_t i, const void *addr, uint32_t len, uint16_t flags, uint16_t next)
{
    descs[i].addr = (uint32_t)addr;
    descs[i].len = len;
    descs[i].flags = flags;
    descs[i].next = next;
}

int vs_command(const uint8_t *cdb, uint32_t cdb_len, const uint8_t *out, uint32_t out_len,
               uint8_t *in, uint32_t in_len, struct vs_result *res)
{
    static uint64_t tag;
    uint8_t *r = (uint8_t *)&req;
    for (uint32_t i = 0; i < sizeof(req); i++)
        r[i] = 0;
    req.lun[0] = 1;    /* single-level LUN structure: target 0, LUN 0 */
    req.lun[2] = 0x40;
    req.tag = ++tag;
    for (uint32_t i = 0; i < cdb_len && i < VS_CDB_SIZE; i++)
        req.cdb[i] = cdb[i];

    /* Device-readable buffers first, then the writable ones. */
    uint16_t n = 0;
    set_desc(n, &req, sizeof(req), DESC_NEXT, (uint16_t)(n + 1)), n++;
    if (out_len)
        set_desc(n, out, out_len, DESC_NEXT, (uint16_t)(n + 1)), n++;
    set_desc(n, &resp, sizeof(resp), DESC_WRITE | (in_len ? DESC_NEXT : 0), (uint16_t)(n + 1)), n++;
    if (in_len)
        set_desc(n, in, in_len, DESC_WRITE, 0), n++;

    avail[2 + avail_idx % qsize] = 0;
    __asm__ volatile("" ::: "memory");
    avail[1] = ++avail_idx;
    __asm__ volatile("" ::: "memory");
    outw(io + R_QUEUE_NOTIFY, REQUEST_QUEUE);

    /* The used ring is plain memory; a real helper answers within
     * seconds (QEMU's own retries take about 5). A few minutes, then give up. */
    for (uint32_t spin = 0; used[1] == used_seen; spin++) {
        pause_a_little();
        if (spin > 2000000u)
            return -1;
    }
    used_seen = used[1];
    res->response = resp.response;
    res->status = resp.status;
    res->sense_len = resp.sense_len;
    res->resid = resp.resid;
    for (uint32_t i = 0; i < VS_SENSE_SIZE; i++)
        res->sense[i] = resp.sense[i];
    return 0;
}
