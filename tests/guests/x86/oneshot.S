/*
 * oneshot.S - the local APIC timer in one-shot mode, re-armed by its own
 * interrupt handler, while the guest waits busily (no HLT, a port read of
 * the ACPI PM timer only now and then), as a tickless kernel
 * with high-resolution timers does between events. A timer armed inside a
 * run slice must interrupt the guest on time: the hardware-assisted
 * accelerators handle the APIC's MMIO without leaving their run loop, and
 * used to deliver such an interrupt only at the end of the 10 ms slice,
 * about 100 a second whatever the period.
 *
 * A PERIOD_US one-shot for WINDOW_MS or more of the PM timer (port 0x608 on
 * baremu's -M pc, 3.579545 MHz, 24 bits), twice: with the timer read every
 * 2000 PAUSEs (an exit about every 100 us: the accelerator must end its
 * slice at the timer's expiry) and every million (no exit for 10 ms or more:
 * its host timer must be re-armed for it). Of the interrupts due in the time
 * each took, at least a third must arrive (the handler's own exits take time,
 * much of it in an emulator of an emulator; late timers gave a fifth or
 * less) and never more (the timer cannot fire more often than its period).
 * The counts are printed only with -DVERBOSE: they vary from run to run.
 * Status 33 on success.
 */
#include "guest.h"
#include "common.h"

#define PM_TMR 0x608
#define TICKS 0x600
#define DUE 0x604 /* interrupts due in the time a measure took */
#define VEC 0x40
#define PERIOD_US 2000
#define WINDOW_MS 1000
#define PM_PER_PERIOD (3579545 * PERIOD_US / 1000000) /* 7159 */
#define PM_WINDOW (3579545 * WINDOW_MS / 1000)
#define RELOAD (PERIOD_US*1000/16) /* initial count at 62.5 MHz */

    RESET_VECTOR
    .code16
start16:
    cli
    xor %ax, %ax
    mov %ax, %ss
    mov %ax, %ds
    mov %ax, %es
    mov $0x7000, %sp
    /* Every vector to "unexpected", then the timer's and the spurious one. */
    IVT_FILL unexpected
    movw $(timer_isr - BASE), VEC * 4
    movw $(spurious - BASE), 0xff * 4
    movl $0, TICKS
    PIC_MASK
    UNREAL_FS

    APIC_WR 0xf0, 0x1ff   /* SVR: enabled, spurious vector 0xff */
    APIC_WR 0x80, 0       /* TPR */
    APIC_WR 0x350, 0x10000 /* LINT0 masked */
    APIC_WR 0x3e0, 0x3    /* divide by 16: 62.5 MHz from the 1 GHz bus clock */
    /* Phase 1: the PM timer read every 2000 PAUSEs (an exit about every 100 us). */
    mov $2000, %ebp
    call measure
    PUTS16 msg_ok1
    /* Phase 2: a million PAUSEs between reads, no exit for 10 ms or more. */
    mov $1000000, %ebp
    call measure
    PUTS16 msg_ok2
    mov $0x10, %al /* status 33 */
    out %al, $DEBUG_EXIT
halt:
    hlt
    jmp halt

/*
 * The one-shot re-armed by its handler for at least WINDOW_MS of the PM timer,
 * which is read every ebp PAUSEs; fails the run unless between a third and all
 * of the interrupts due in the time it took arrived.
 */
measure:
    movl $0, TICKS
    APIC_WR 0x320, VEC    /* LVT timer: one-shot */
    mov $PM_TMR, %dx
    in %dx, %eax
    mov %eax, %ebx
    APIC_WR 0x380, RELOAD
    sti
2:  mov %ebp, %ecx
3:  pause
    addr32 loop 3b
    in %dx, %eax
    sub %ebx, %eax
    and $0xffffff, %eax
    cmp $PM_WINDOW, %eax
    jb 2b
    cli
    mov %eax, %esi /* PM ticks elapsed */
    APIC_WR 0x320, 0x10000 | VEC /* masked: no more */
    /* due = elapsed / (PM ticks per period) */
    mov %esi, %eax
    xor %edx, %edx
    mov $PM_PER_PERIOD, %ecx
    div %ecx
    mov %eax, DUE
#ifdef VERBOSE
    PUTS16 msg_count
    mov TICKS, %eax
    call putdec
    PUTS16 msg_count2
    mov DUE, %eax
    call putdec
    PUTS16 msg_count3
#endif
    mov DUE, %eax
    xor %edx, %edx
    mov $3, %ecx
    div %ecx
    cmp %eax, TICKS
    jb too_few
    mov DUE, %eax
    inc %eax
    cmp %eax, TICKS
    ja too_many
    ret

too_few:
    PUTS16 msg_few
    jmp fail
too_many:
    PUTS16 msg_many
fail:
    PUTS16 msg_fail
    mov $0x7f, %al
    out %al, $DEBUG_EXIT
    jmp halt

timer_isr:
    push %eax
    push %edi
    incl %ss:TICKS
    APIC_WR 0xb0, 0 /* EOI */
    APIC_WR 0x380, RELOAD
    pop %edi
    pop %eax
    iret
spurious:
    iret
unexpected:
    PUTS16 msg_unexpected
    jmp fail

#ifdef VERBOSE
    PUTDEC_ROUTINE
#endif

    GDT
    PUTS_ROUTINES
#define STR_(x) #x
#define STR(x) STR_(x)
msg_ok1:
    .ascii "oneshot: a " STR(PERIOD_US) " us one-shot APIC timer re-armed by its handler, "
    .asciz "guest busy with exits: on time\n"
msg_ok2:
    .ascii "oneshot: a " STR(PERIOD_US) " us one-shot APIC timer re-armed by its handler, "
    .asciz "guest busy without exits: on time\n"
msg_few:
    .asciz "oneshot: fewer than a third of the interrupts due arrived (late timers)\n"
msg_many:
    .asciz "oneshot: more interrupts than the period allows\n"
msg_unexpected:
    .asciz "oneshot: unexpected interrupt\n"
msg_fail:
    .asciz "FAILED\n"
#ifdef VERBOSE
msg_count:
    .asciz "oneshot: "
msg_count2:
    .asciz " interrupts, "
msg_count3:
    .asciz " due\n"
#endif
