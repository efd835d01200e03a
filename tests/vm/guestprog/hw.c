#include "hw.h"

#define COM1 0x3f8

void serial_init(void)
{
    outb(COM1 + 1, 0x00); /* no interrupts */
    outb(COM1 + 3, 0x80); /* divisor latch */
    outb(COM1 + 0, 0x01); /* 115200 */
    outb(COM1 + 1, 0x00);
    outb(COM1 + 3, 0x03); /* 8N1 */
    outb(COM1 + 2, 0xc7);
}

static void put_char(char c)
{
    while (!(inb(COM1 + 5) & 0x20))
        ;
    outb(COM1, (uint8_t)c);
}

void pause_a_little(void)
{
    /* Port reads take QEMU's big lock; spinning on them would starve its
     * main loop (QMP, the helper's socket). Plain instructions do not. */
    for (volatile uint32_t i = 0; i < 20000; i++)
        __asm__ volatile("pause");
}

void serial_wait_byte(void)
{
    while (!(inb(COM1 + 5) & 0x01))
        pause_a_little();
    (void)inb(COM1);
}

void put(const char *s)
{
    while (*s)
        put_char(*s++);
}

void put_x8(uint8_t v)
{
    static const char digits[] = "0123456789abcdef";
    put_char(digits[v >> 4]);
    put_char(digits[v & 15]);
}

void put_hex(const uint8_t *p, uint32_t n)
{
    for (uint32_t i = 0; i < n; i++)
        put_x8(p[i]);
}

void put_u32(uint32_t v)
{
    char buf[11];
    int i = 10;
    buf[i] = '\0';
    do {
        buf[--i] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    put(buf + i);
}

#define PCI_ADDR 0xcf8
#define PCI_DATA 0xcfc

static uint32_t pci_address(uint8_t bus, uint8_t dev, uint8_t fn, uint8_t off)
{
    return 0x80000000u | (uint32_t)bus << 16 | (uint32_t)dev << 11 | (uint32_t)fn << 8 | (off & 0xfc);
}

uint32_t pci_read(uint8_t bus, uint8_t dev, uint8_t fn, uint8_t off)
{
    outl(PCI_ADDR, pci_address(bus, dev, fn, off));
    return inl(PCI_DATA);
}

void pci_write(uint8_t bus, uint8_t dev, uint8_t fn, uint8_t off, uint32_t v)
{
    outl(PCI_ADDR, pci_address(bus, dev, fn, off));
    outl(PCI_DATA, v);
}

void qemu_exit(uint8_t code)
{
    outb(0x501, code);
    for (;;)
        __asm__ volatile("cli; hlt");
}
