/*
 * cr8.S - CR8 and the local APIC's TPR are one register (SDM vol. 3A
 * 11.8.6.1): from long mode, a MOV to CR8 shows in the TPR at 0xfee00080
 * (bits 7:4) and a TPR write shows in CR8.
 */
#include "guest.h"

    RESET_VECTOR
    .code16
start16:
    cli
    xor %ax, %ax
    mov %ax, %ss
    mov $0x7000, %sp
    ENTER_PROTECTED start32
    /* Identity map the first GiB and the top one (APIC page uncached) with 2 MiB pages. */
    mov $0x10000, %edi
    xor %eax, %eax
    mov $(4 * 4096 / 4), %ecx
    rep stosl
    movl $0x11003, 0x10000
    movl $0x12003, 0x11000
    movl $0x13003, 0x11018
    mov $0x12000, %edi
    mov $0x83, %eax
    mov $512, %ecx
1:  mov %eax, (%edi)
    add $0x200000, %eax
    add $8, %edi
    loop 1b
    movl $(0xfee00000 | 0x93), 0x13000 + 8 * 0x1f7
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
    mov $5, %eax
    mov %rax, %cr8
    mov $0xfee00080, %ebx
    mov (%rbx), %eax
    and $0xf0, %eax
    cmp $0x50, %eax
    jne fail
    lea msg_to_tpr(%rip), %rsi
    call puts64
    movl $0x30, (%rbx)
    mov %cr8, %rax
    cmp $3, %rax
    jne fail
    lea msg_to_cr8(%rip), %rsi
    call puts64
    xor %eax, %eax
    mov %rax, %cr8
    mov $0x10, %al
    out %al, $DEBUG_EXIT
2:  hlt
    jmp 2b
fail:
    lea msg_fail(%rip), %rsi
    call puts64
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

    PUTS_ROUTINES
    GDT
msg_to_tpr: .asciz "cr8 5 -> TPR 0x50: ok\n"
msg_to_cr8: .asciz "TPR 0x30 -> cr8 3: ok\n"
msg_fail:   .asciz "FAILED\n"
