/*
 * reset.S - every way a PC guest resets itself, in turn: the keyboard
 * controller's pulse (0xfe), the PIIX reset control register (0xcf9), port
 * 0x92's fast reset and a triple fault. CMOS byte 0x50 survives the
 * resets and counts the stage; each boot prints it.
 */
#include "guest.h"

#define STAGE 0x50

    RESET_VECTOR
    .code16
start16:
    cli
    xor %ax, %ax
    mov %ax, %ss
    mov %ax, %ds
    mov $0x7000, %sp
    mov $STAGE, %al
    out %al, $0x70
    in $0x71, %al
    mov %al, %bl
    PUTS16 msg_boot
    mov %bl, %al
    add $'0', %al
    mov $COM1, %dx
    out %al, %dx
    mov $'\n', %al
    out %al, %dx
    /* Next stage in CMOS, then reset the way this stage says. */
    mov $STAGE, %al
    out %al, $0x70
    mov %bl, %al
    inc %al
    out %al, $0x71
    cmp $0, %bl
    je by_i8042
    cmp $1, %bl
    je by_cf9
    cmp $2, %bl
    je by_port92
    cmp $3, %bl
    je by_triple_fault
    /* Done: leave CMOS as we found it. */
    mov $STAGE, %al
    out %al, $0x70
    xor %al, %al
    out %al, $0x71
    PUTS16 msg_done
    mov $0x10, %al
    out %al, $DEBUG_EXIT
1:  hlt
    jmp 1b

by_i8042:
    mov $0xfe, %al
    out %al, $0x64
    jmp hang
by_cf9:
    mov $0x06, %al
    mov $0xcf9, %dx
    out %al, %dx
    jmp hang
by_port92:
    in $0x92, %al
    or $1, %al
    out %al, $0x92
    jmp hang
by_triple_fault:
    /* In protected mode: real mode has no IDT limit to break. */
    ENTER_PROTECTED tf32
    /* Long mode (identity-mapped 1 GiB): the only mode where this host's KVM delivers exceptions. */
    mov $0x10000, %edi
    xor %eax, %eax
    mov $(3 * 4096 / 4), %ecx
    rep stosl
    movl $0x11003, 0x10000
    movl $0x12003, 0x11000
    mov $0x12000, %edi
    mov $0x83, %eax
    mov $512, %ecx
3:  mov %eax, (%edi)
    add $0x200000, %eax
    add $8, %edi
    loop 3b
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
    ljmp $0x18, $tf64
    .code64
tf64:
    lidt empty_idt
    int3
    .code16
hang:
    /* A reset that did not happen: fail after a while. */
    mov $0x1000, %cx
2:  loop 2b
    PUTS16 msg_noreset
    mov $0x7f, %al
    out %al, $DEBUG_EXIT
    jmp 1b

    PUTS_ROUTINES
    GDT
empty_idt:
    .word 0
    .long 0
msg_boot:    .asciz "boot, stage "
msg_done:    .asciz "every reset worked\n"
msg_noreset: .asciz "no reset happened\n"
