/*
 * guest.h - shared pieces of the x86 test guests (64 KiB -bios images):
 * the reset vector, a flat GDT, UART output and isa-debug-exit.
 */
#ifndef BASE
#define BASE 0xf0000 /* the code's CS base (smp.S built as a disk boot program sets 0) */
#endif
#define COM1 0x3f8
#define DEBUG_EXIT 0xf4

/* Print the NUL-terminated string at label (32/64-bit code, flat segments). */
.macro PUTS label
    lea \label, %esi
    call puts_flat
.endm

/* Reset vector: f000:fff0 with CS base ffff0000 runs this; go to start16 with CS base f0000. */
.macro RESET_VECTOR
    .section .reset, "ax"
    .code16
    .globl reset
reset:
    ljmp $0xf000, $(start16 - BASE)
    .balign 16, 0xf4
    .text
.endm

/*
 * Flat 4 GiB segments: 0x08 code32, 0x10 data, 0x18 code64. The accessed
 * bits are preset: the GDT is in ROM, where the CPU cannot set them (KVM
 * retries such a segment load forever on this host).
 */
.macro GDT
    .balign 8
gdt:
    .quad 0
    .quad 0x00cf9b000000ffff
    .quad 0x00cf93000000ffff
    .quad 0x00af9b000000ffff
gdt_end:
gdt_desc:
    .word gdt_end - gdt - 1
    .long gdt
.endm

/* 16-bit: print the string at CS:label (CS base f0000). */
.macro PUTS16 label
    mov $(\label - BASE), %si
    call puts16
.endm

.macro PUTS_ROUTINES
    .code16
puts16:
    mov $COM1, %dx
1:  cs lodsb
    test %al, %al
    jz 2f
    out %al, %dx
    jmp 1b
2:  ret
    .code32
puts_flat:
    mov $COM1, %dx
1:  lodsb
    test %al, %al
    jz 2f
    out %al, %dx
    jmp 1b
2:  ret
.endm

/* Real mode to 32-bit flat protected mode, continuing at label (interrupts off). */
.macro ENTER_PROTECTED label
    .code16
    lgdtl %cs:(gdt_desc - BASE)
    mov %cr0, %eax
    or $1, %eax
    mov %eax, %cr0
    ljmpl $0x08, $\label
    .code32
\label:
    mov $0x10, %ax
    mov %ax, %ds
    mov %ax, %es
    mov %ax, %ss
    mov %ax, %fs
    mov %ax, %gs
    mov $0x7000, %esp
.endm

/* End the run: exit status (code << 1) | 1. */
.macro DEBUG_EXIT_WITH code
    mov $\code, %al
    out %al, $DEBUG_EXIT
9:  hlt
    jmp 9b
.endm
