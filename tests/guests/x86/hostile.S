/*
 * hostile.S - a guest that never stops misbehaving: from long mode (4 GiB
 * identity-mapped) it does random port I/O of every size, long rep ins/outs
 * to random ports, and random MMIO/RAM loads and stores anywhere below
 * 4 GiB, forever (only isa-debug-exit is spared, so the run does not end).
 * The emulator must keep serving its console: Ctrl-A x still quits.
 */
#include "guest.h"

    RESET_VECTOR
    .code16
start16:
    cli
    xor %ax, %ax
    mov %ax, %ss
    mov $0x7000, %sp
    PUTS16 msg
    ENTER_PROTECTED start32
    /* PML4 at 0x10000, PDPT at 0x11000, four page directories from 0x12000 (2 MiB pages). */
    mov $0x10000, %edi
    xor %eax, %eax
    mov $(6 * 4096 / 4), %ecx
    rep stosl
    movl $0x11003, 0x10000
    movl $0x12003, 0x11000
    movl $0x13003, 0x11008
    movl $0x14003, 0x11010
    movl $0x15003, 0x11018
    mov $0x12000, %edi
    mov $0x83, %eax
    xor %edx, %edx
    mov $2048, %ecx
1:  mov %eax, (%edi)
    mov %edx, 4(%edi)
    add $0x200000, %eax
    adc $0, %edx
    add $8, %edi
    loop 1b
    mov $0x10000, %eax
    mov %eax, %cr3
    mov %cr4, %eax
    or $0x20, %eax
    mov %eax, %cr4
    mov $0xc0000080, %ecx
    rdmsr
    or $0x100, %eax
    wrmsr
    mov %cr0, %eax
    or $0x80000000, %eax
    mov %eax, %cr0
    ljmp $0x18, $start64
    .code64
start64:
    mov $0x2545f4914f6cdd1d, %r8 /* xorshift state; everything lives in registers */
loop64:
    mov %r8, %rax
    shl $13, %rax
    xor %rax, %r8
    mov %r8, %rax
    shr $7, %rax
    xor %rax, %r8
    mov %r8, %rax
    shl $17, %rax
    xor %rax, %r8
    mov %r8, %rdx
    and $0xffff, %edx
    mov %edx, %eax
    and $0xfffc, %eax
    cmp $0xf4, %eax /* spare isa-debug-exit */
    je loop64
    mov %r8, %rax
    shr $16, %rax
    mov %r8, %rcx
    shr $48, %rcx
    and $7, %ecx
    cmp $0, %ecx
    je do_outb
    cmp $1, %ecx
    je do_outw
    cmp $2, %ecx
    je do_outl
    cmp $3, %ecx
    je do_in
    cmp $4, %ecx
    je do_rep
    /* Memory: a random address below 4 GiB, load or store. */
    mov %r8, %rdi
    shr $20, %rdi
    mov %edi, %edi
    and $~7, %edi
    bt $56, %r8
    jnc 2f
    mov %rax, (%rdi)
    jmp loop64
2:  mov (%rdi), %rax
    jmp loop64
do_outb:
    out %al, %dx
    jmp loop64
do_outw:
    out %ax, %dx
    jmp loop64
do_outl:
    out %eax, %dx
    jmp loop64
do_in:
    in %dx, %eax
    in %dx, %ax
    in %dx, %al
    jmp loop64
do_rep:
    /* 4096 bytes from or into the first MiB's RAM above our page tables. */
    mov $0x20000, %rsi
    mov $0x20000, %rdi
    mov $4096, %rcx
    test $0x100, %rax
    jz 3f
    rep outsb
    jmp loop64
3:  rep insb
    jmp loop64

    PUTS_ROUTINES
    GDT
msg: .asciz "HOSTILE x86 guest\n"
