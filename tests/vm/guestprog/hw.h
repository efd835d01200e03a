/* Port I/O, the serial console and PCI configuration space: all the
 * hardware the nested test program touches besides virtio-scsi. */
#ifndef GUESTPROG_HW_H
#define GUESTPROG_HW_H

#include <stdint.h>

static inline void outb(uint16_t port, uint8_t v) { __asm__ volatile("outb %0, %1" ::"a"(v), "Nd"(port)); }
static inline void outw(uint16_t port, uint16_t v) { __asm__ volatile("outw %0, %1" ::"a"(v), "Nd"(port)); }
static inline void outl(uint16_t port, uint32_t v) { __asm__ volatile("outl %0, %1" ::"a"(v), "Nd"(port)); }
static inline uint8_t inb(uint16_t port) { uint8_t v; __asm__ volatile("inb %1, %0" : "=a"(v) : "Nd"(port)); return v; }
static inline uint16_t inw(uint16_t port) { uint16_t v; __asm__ volatile("inw %1, %0" : "=a"(v) : "Nd"(port)); return v; }
static inline uint32_t inl(uint16_t port) { uint32_t v; __asm__ volatile("inl %1, %0" : "=a"(v) : "Nd"(port)); return v; }

void serial_init(void);
void put(const char *s);
void put_hex(const uint8_t *p, uint32_t n);
void put_u32(uint32_t v);
void put_x8(uint8_t v);
/* Blocks until a byte arrives on the serial port (the test's go-ahead). */
void serial_wait_byte(void);
/* A short wait that leaves QEMU's main loop alone. */
void pause_a_little(void);

uint32_t pci_read(uint8_t bus, uint8_t dev, uint8_t fn, uint8_t off);
void pci_write(uint8_t bus, uint8_t dev, uint8_t fn, uint8_t off, uint32_t v);

/* isa-debug-exit at its default port 0x501: QEMU exits with status
 * (code << 1) | 1. */
void qemu_exit(uint8_t code) __attribute__((noreturn));

#endif
