/* Multiboot entry of the nested test program: QEMU's -kernel loads this
 * ELF and jumps here in 32-bit protected mode, paging off, with the
 * multiboot info pointer in %ebx. */
#define MB_MAGIC 0x1BADB002
#define MB_FLAGS 0x00000000 /* an ELF image: no address fields needed */

.section .multiboot, "a"
.align 4
.long MB_MAGIC
.long MB_FLAGS
.long -(MB_MAGIC + MB_FLAGS)

.section .bss
.align 16
stack_bottom:
.skip 65536
stack_top:

.section .text
.global _start
_start:
    mov $stack_top, %esp
    push %ebx
    call prog_main
1:  cli
    hlt
    jmp 1b

.section .note.GNU-stack, "", @progbits
