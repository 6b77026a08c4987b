/*
 * modes.S - real mode, 32-bit protected mode and long mode (low half,
 * identity-mapped) with port I/O to the UART, a write to the BIOS ROM that
 * must not stick (an MMIO exit under KVM) and isa-debug-exit.
 */
#include "guest.h"

    RESET_VECTOR
    .code16
start16:
    cli
    xor %ax, %ax
    mov %ax, %ss
    mov $0x7000, %sp
    PUTS16 msg_real
    /* Real-mode arithmetic and a stack round trip. */
    mov $0x1234, %ax
    push %ax
    pop %bx
    cmp $0x1234, %bx
    jne fail16
    PUTS16 msg_stack
    ENTER_PROTECTED start32
    PUTS msg_prot

    /* The ROM at the top of 4 GiB ignores writes; the copy below 1 MiB reads the same. */
    mov $0xfffffff0, %edi
    mov (%edi), %al
    mov %al, %bl
    notb (%edi)
    mov (%edi), %al
    cmp %al, %bl
    jne rom_changed
    cmp 0xffff0, %bl
    jne rom_changed
    PUTS msg_rom_ok
    jmp long
rom_changed:
    PUTS msg_rom_bad

long:
    /* Identity map the first 1 GiB with 2 MiB pages at 0x10000. */
    mov $0x10000, %edi
    xor %eax, %eax
    mov $(3 * 4096 / 4), %ecx
    rep stosl
    movl $0x11003, 0x10000
    movl $0x12003, 0x11000
    mov $0x12000, %edi
    mov $0x83, %eax
    mov $512, %ecx
1:  mov %eax, (%edi)
    movl $0, 4(%edi)
    add $0x200000, %eax
    add $8, %edi
    loop 1b
    mov $0x10000, %eax
    mov %eax, %cr3
    mov %cr4, %eax
    or $0x20, %eax /* PAE */
    mov %eax, %cr4
    mov $0xc0000080, %ecx
    rdmsr
    or $0x100, %eax /* LME */
    wrmsr
    mov %cr0, %eax
    or $0x80000000, %eax
    mov %eax, %cr0
    ljmp $0x18, $start64
    .code64
start64:
    lea msg_long(%rip), %rsi
    call puts64
    /* 64-bit registers work: r8 * 3 across the 32-bit boundary. */
    mov $0x100000000, %r8
    lea (%r8, %r8, 2), %r9
    shr $32, %r9
    cmp $3, %r9
    jne fail64
    /* Page tables in RAM are live: a store through the mapping is seen at 2 MiB + x. */
    movq $0x1122334455667788, %rax
    mov %rax, 0x300000
    cmp 0x300000, %rax
    jne fail64
    lea msg_regs(%rip), %rsi
    call puts64
    mov $0x10, %al
    out %al, $DEBUG_EXIT
2:  hlt
    jmp 2b
fail64:
    mov $0x7f, %al
    out %al, $DEBUG_EXIT
    jmp 2b
puts64:
    mov $COM1, %dx
1:  lodsb
    test %al, %al
    jz 2f
    out %al, %dx
    jmp 1b
2:  ret

    .code16
fail16:
    PUTS16 msg_fail
    mov $0x7e, %al
    out %al, $DEBUG_EXIT
3:  hlt
    jmp 3b

    PUTS_ROUTINES
    GDT
msg_real:   .asciz "real mode: ok\n"
msg_stack:  .asciz "real mode stack: ok\n"
msg_prot:   .asciz "protected mode: ok\n"
msg_rom_ok: .asciz "rom write ignored: ok\n"
msg_rom_bad:.asciz "rom write ignored: FAILED\n"
msg_long:   .asciz "long mode: ok\n"
msg_regs:   .asciz "64-bit registers and paging: ok\n"
msg_fail:   .asciz "FAILED\n"
