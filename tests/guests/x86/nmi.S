/*
 * nmi.S - an NMI from the monitor (QMP inject-nmi, HMP nmi) reaches the
 * guest, and NMIs are held while an NMI handler runs (SDM vol. 3A 6.7.1
 * "Handling Multiple NMIs"):
 *  - the local APIC enabled with LINT1 as NMI (QEMU delivers the monitor's
 *    NMI through LINT1, masked after reset: an OS unmasks it as this does);
 *  - "waiting for an NMI" is printed and the CPU halts with IF=0: only an
 *    NMI ends that (the test then sends inject-nmi);
 *  - the handler sends itself a second NMI through the ICR and spins: it
 *    must not come while the first handler runs, and must come right after
 *    its IRET, before the next instruction (a hypervisor opening an NMI
 *    window there, not at some later exit).
 * Real mode (interrupts through the IVT, as apic.S: the paravirtual KVM on
 * the dev machine cannot IRET in protected mode), FS "unreal" for the APIC.
 * Status 33 (0x10) when all held, 0x7f/0x7e on a failure. Built with
 * -DSELF_NMI it sends itself the first NMI too (no monitor needed).
 */
#include "guest.h"

#define APIC 0xfee00000
#define NMIS 0x600      /* NMI handler entries */
#define AFTER_IRET 0x602 /* NMIS seen by the first instruction after the first handler's IRET */
#define SPIN 2000000

.macro APIC_WR reg, val
    mov $(APIC + \reg), %edi
    movl $\val, %eax
    addr32 mov %eax, %fs:(%edi)
.endm

    RESET_VECTOR
    .code16
start16:
    cli
    xor %ax, %ax
    mov %ax, %ss
    mov %ax, %ds
    mov %ax, %es
    mov $0x7000, %sp

    xor %di, %di
    mov $256, %cx
1:  movw $(unexpected - BASE), (%di)
    movw $0xf000, 2(%di)
    add $4, %di
    loop 1b
    movw $(nmi_handler - BASE), 2 * 4
    movw $0, NMIS
    movw $0, AFTER_IRET

    /* Both 8259s masked: nothing but NMIs comes in. */
    mov $0xff, %al
    out %al, $0x21
    out %al, $0xa1

    /* Unreal mode: FS keeps the flat data segment's 4 GiB limit back in real mode. */
    lgdtl %cs:(gdt_desc - BASE)
    mov %cr0, %eax
    or $1, %eax
    mov %eax, %cr0
    mov $0x10, %bx
    mov %bx, %fs
    and $~1, %eax
    mov %eax, %cr0
    xor %ax, %ax
    mov %ax, %fs

    APIC_WR 0xf0, 0x1ff    /* SVR: software-enabled, spurious vector 0xff */
    APIC_WR 0x350, 0x10000 /* LINT0 masked */
    APIC_WR 0x360, 0x400   /* LINT1: NMI, unmasked */
    PUTS16 msg_wait
#ifdef SELF_NMI
    /*
     * Where no monitor can be reached (Bochs): the first NMI too through the ICR. It may
     * come before or after the next instruction, so that is no hlt, which the second
     * NMI's IRET could return to: we would sleep for good.
     */
    APIC_WR 0x310, 0
    APIC_WR 0x300, 0x4400
2:
#else
    /* IF=0: only an NMI ends this hlt. The first handler's IRET comes back after it. */
2:  hlt
#endif
    mov NMIS, %ax
    cmp $0, %ax
    je 2b
    mov %ax, AFTER_IRET
    cmp $2, %ax
    je 3f
    PUTS16 msg_late
    /* Late, not lost: it still has to come (maybe it already has, during the message). */
4:  cmpw $2, NMIS
    jb 4b
    jmp fail
3:  PUTS16 msg_at_once
    mov $0x10, %al
    out %al, $DEBUG_EXIT
7:  hlt
    jmp 7b

nmi_handler:
    pushal /* the interrupted code may be printing (the late path) */
    incw NMIS
    cmpw $1, NMIS
    jne second
    PUTS16 msg_first
    APIC_WR 0x310, 0       /* ICR high: destination APIC ID 0 (ourselves) */
    APIC_WR 0x300, 0x4400  /* ICR low: NMI, physical, assert */
    /* Still inside the handler: the NMI just sent must wait for our IRET. */
    mov $SPIN, %ecx
5:  cmpw $1, NMIS
    jne nested
    addr32 loop 5b
    PUTS16 msg_held
    popal
    iret
second:
    cmpw $2, NMIS
    jne nested
    PUTS16 msg_second
    popal
    iret

nested:
    PUTS16 msg_nested
fail:
    mov $0x7f, %al
    out %al, $DEBUG_EXIT
    jmp 7b

unexpected:
    PUTS16 msg_unexpected
    mov $0x7e, %al
    out %al, $DEBUG_EXIT
    jmp 7b

    GDT
    PUTS_ROUTINES
msg_wait:       .asciz "nmi: LINT1 is NMI, waiting for an NMI\n"
msg_first:      .asciz "nmi: handler entered (NMI 1), sending a second NMI to itself\n"
msg_held:       .asciz "nmi: NMI 2 held while the handler runs\n"
msg_second:     .asciz "nmi: handler entered (NMI 2)\n"
msg_at_once:    .asciz "nmi: NMI 2 came right after the IRET\n"
msg_late:       .asciz "nmi: NMI 2 did not come right after the IRET\n"
msg_nested:     .asciz "nmi: NMI nested inside the handler\n"
msg_unexpected: .asciz "nmi: unexpected interrupt\n"
