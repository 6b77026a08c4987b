/*
 * apic.S - the local APIC and I/O APIC from real mode (interrupts through
 * the IVT: the paravirtual KVM here cannot IRET in protected mode), with FS
 * in "unreal" mode (a 4 GiB limit kept from protected mode) to reach the
 * APIC pages at 0xfee00000 and 0xfec00000:
 *  - the version register, software enable through SVR;
 *  - the LVT timer, periodic, waking HLT: 5 interrupts counted, the vector
 *    in service (ISR) inside the handler and retired by EOI;
 *  - TPR: a self-IPI below the task priority waits in IRR until TPR drops;
 *  - the PIT's IRQ 0 through I/O APIC pin 2 as a programmed vector, with
 *    both 8259s masked;
 *  - power off through ACPI S5 (PM1a_CNT at 0x604; on QEMU the PIIX4 PM
 *    function's I/O base is programmed first, a no-op on baremu), so the
 *    run ends with status 0 without isa-debug-exit.
 * The reference is QEMU's TCG: under the paravirtual KVM here, QEMU's
 * in-kernel APIC shows an empty ISR inside the handler.
 */
#include "guest.h"
#include "common.h"

#define TIMER_TICKS 0x600
#define ISR_SEEN 0x602
#define IPI_SEEN 0x604
#define PIT_TICKS 0x606
#define SPURIOUS 0x608

#define VEC_TIMER 0x40
#define VEC_PIT 0x41
#define VEC_IPI 0x45

    RESET_VECTOR
    .code16
start16:
    cli
    xor %ax, %ax
    mov %ax, %ss
    mov %ax, %ds
    mov %ax, %es
    mov $0x7000, %sp
    PUTS16 msg_start

    IVT_FILL unexpected
    movw $(timer_handler - BASE), VEC_TIMER * 4
    movw $(pit_handler - BASE), VEC_PIT * 4
    movw $(ipi_handler - BASE), VEC_IPI * 4
    movw $(spurious_handler - BASE), 0xff * 4
    movw $0, TIMER_TICKS
    movw $0, ISR_SEEN
    movw $0, IPI_SEEN
    movw $0, PIT_TICKS
    movw $0, SPURIOUS

    /* Both 8259s initialised (vectors 0x20/0x28) and fully masked: the APICs only. */
    PIC_INIT_MASKED
    UNREAL_FS

    APIC_RD 0x30
    cmp $0x14, %al
    jne fail
    PUTS16 msg_version
    APIC_WR 0xf0, 0x1ff /* SVR: enabled, spurious vector 0xff */
    APIC_WR 0x80, 0     /* TPR */
    APIC_WR 0x350, 0x10000 /* LINT0 masked: the PIC is not used */

    /* Timer: periodic, divide by 16, 62500 counts = 1 ms of a 1 GHz bus. */
    APIC_WR 0x3e0, 0x3
    APIC_WR 0x320, 0x20000 | VEC_TIMER
    APIC_WR 0x380, 62500
    sti
2:  hlt
    cmpw $5, TIMER_TICKS
    jb 2b
    cli
    APIC_WR 0x320, 0x10000 | VEC_TIMER
    APIC_WR 0x380, 0
    PUTS16 msg_timer
    cmpw $5, ISR_SEEN
    jb fail_isr_handler
    APIC_RD 0x120 /* ISR 0x40-0x5f: empty after the EOIs */
    test %eax, %eax
    jnz fail_isr_after
    PUTS16 msg_isr

    /* TPR 0x50 holds back a self-IPI of vector 0x45 (class 4) until TPR is lowered. */
    APIC_WR 0x80, 0x50
    APIC_WR 0x300, 0x40000 | VEC_IPI /* fixed, shorthand self */
    sti
    mov $1000, %cx
3:  loop 3b
    cli
    cmpw $0, IPI_SEEN
    jne fail
    APIC_RD 0x220 /* IRR 0x40-0x5f: bit 5 is 0x45 */
    test $0x20, %eax
    jz fail
    APIC_WR 0x80, 0
    sti
    mov $1000, %cx
4:  cmpw $0, IPI_SEEN
    jne 5f
    loop 4b
5:  cli
    cmpw $1, IPI_SEEN
    jne fail
    PUTS16 msg_tpr

    /* The PIT's IRQ 0 arrives at I/O APIC pin 2: vector 0x41, edge, to APIC 0. */
    IOAPIC_WR 0x15, 0
    IOAPIC_WR 0x14, VEC_PIT
    mov $0x34, %al
    out %al, $0x43
    mov $(11932 & 0xff), %al
    out %al, $0x40
    mov $(11932 >> 8), %al
    out %al, $0x40
    sti
6:  hlt
    cmpw $3, PIT_TICKS
    jb 6b
    cli
    IOAPIC_WR 0x14, 0x10000 | VEC_PIT
    PUTS16 msg_pit
    cmpw $0, SPURIOUS
    jne fail

    /*
     * ACPI S5: on QEMU, the PIIX4 PM function (00:01.3) gets I/O base 0x600
     * (PMBA 0x40) and its I/O enabled (PMREGMISC 0x80); baremu's PM block is
     * fixed at 0x600 and nothing answers at 00:01.3. SLP_TYP 0 is S5 on both.
     */
    PUTS16 msg_s5
    mov $0x80000b40, %eax
    mov $0xcf8, %dx
    out %eax, %dx
    mov $0x601, %eax
    mov $0xcfc, %dx
    out %eax, %dx
    mov $0x80000b80, %eax
    mov $0xcf8, %dx
    out %eax, %dx
    mov $0xcfc, %dx
    mov $1, %al
    out %al, %dx
    mov $0x604, %dx
    mov $0x2000, %ax
    out %ax, %dx
    /* QEMU's vCPU runs on for a while after the request: give its main loop time. */
    mov $1024, %bx
8:  mov $0xffff, %cx
9:  loop 9b
    dec %bx
    jnz 8b
    PUTS16 msg_still_on
    mov $0x7d, %al
    out %al, $DEBUG_EXIT
7:  hlt
    jmp 7b

fail_isr_handler:
    PUTS16 msg_isr_handler
    jmp fail
fail_isr_after:
    PUTS16 msg_isr_after
fail:
    PUTS16 msg_fail
    mov $0x7f, %al
    out %al, $DEBUG_EXIT
    jmp 7b

timer_handler:
    push %eax
    push %edi
    incw %ss:TIMER_TICKS
    APIC_RD 0x120 /* ISR: 0x40 is bit 0 */
    test $1, %eax
    jz 1f
    incw %ss:ISR_SEEN
1:  APIC_WR 0xb0, 0
    pop %edi
    pop %eax
    iret

pit_handler:
    push %eax
    push %edi
    incw %ss:PIT_TICKS
    APIC_WR 0xb0, 0
    pop %edi
    pop %eax
    iret

ipi_handler:
    push %eax
    push %edi
    incw %ss:IPI_SEEN
    APIC_WR 0xb0, 0
    pop %edi
    pop %eax
    iret

spurious_handler:
    incw %ss:SPURIOUS
    iret

unexpected:
    PUTS16 msg_unexpected
    mov $0x7e, %al
    out %al, $DEBUG_EXIT
    jmp 7b

    GDT
    PUTS_ROUTINES
msg_start:     .asciz "apic: real mode\n"
msg_version:   .asciz "apic: version 0x14\n"
msg_timer:     .asciz "apic: 5 periodic timer interrupts woke hlt\n"
msg_isr:       .asciz "apic: vector in service in the handler, ISR empty after EOI\n"
msg_tpr:       .asciz "apic: TPR held a self-IPI in IRR until lowered\n"
msg_pit:       .asciz "ioapic: PIT IRQ 0 on pin 2 as vector 0x41, 3 times\n"
msg_s5:        .asciz "acpi: S5 through PM1a_CNT\n"
msg_still_on:  .asciz "acpi: still running after S5\n"
msg_isr_handler: .asciz "apic: vector not in service in the handler\n"
msg_isr_after: .asciz "apic: ISR not empty after EOI\n"
msg_fail:      .asciz "FAILED\n"
msg_unexpected: .asciz "unexpected interrupt\n"
