/*
 * timer.S - a disk boot program doing what Linux's check_timer() does
 * (arch/x86/kernel/apic/io_apic.c): find the I/O APIC pin of the 8254's
 * IRQ 0, route it there as an edge vector with the 8259s masked and the
 * local APIC's LINT0 (ExtINT) masked, enable interrupts and count ticks
 * for a fixed time. Both sources an OS may use are checked and must agree:
 * the ACPI MADT's interrupt source override (Linux with ACPI) and the
 * firmware's MP table (Linux with pci=noacpi, acpi=noirq or without ACPI).
 * The PIT runs at 250 Hz (HZ=250, as Debian's kernel) in mode 2; 5 ticks
 * (Linux wants more than 4 jiffies) must arrive within 1 s of the ACPI PM
 * timer, 20 ms being what they take. Same output expected on QEMU (TCG).
 * Build with -DVERBOSE to print how long the 5 ticks took, in PM timer
 * microseconds and TSC cycles (Linux's check_timer() gives them 40e9 / HZ
 * = 160 million TSC cycles); they vary from run to run.
 */
#include "common.h"

#define NSECT 4
#define VEC 0x58
#define PIT_HZ 1193182
#define HZ 250
#define WINDOW 3579545 /* 1 s of the 3.579545 MHz PM timer */

    BOOT_SECTOR NSECT

main:
    UNREAL_FS

    /* The RSDP ("RSD PTR ", 16-byte aligned, in 0xe0000-0xfffff), then the RSDT. */
    mov $0xe0000, %edi
1:  FSL(0), %eax
    cmp $0x20445352, %eax
    jne 2f
    FSL(4), %eax
    cmp $0x20525450, %eax
    je 3f
2:  add $16, %edi
    cmp $0x100000, %edi
    jb 1b
    jmp fail
3:  FSL(16), %edi
    FSL(4), %ecx
    sub $36, %ecx
    shr $2, %ecx
    jz fail
    lea 36(%edi), %esi
4:  addr32 mov %fs:(%esi), %edi
    FSL(0), %eax
    cmp $0x50434146, %eax /* "FACP" */
    jne 5f
    FSL(76), %eax /* PM_TMR_BLK */
    mov %eax, pm_tmr
    jmp 6f
5:  cmp $0x43495041, %eax /* "APIC" */
    jne 6f
    mov %edi, madt
6:  add $4, %esi
    loop 4b
    cmpl $0, pm_tmr
    je fail

    /* MADT: IRQ 0's GSI is its interrupt source override's, else 0 (ACPI 5.2.12.5). */
    mov madt, %edi
    test %edi, %edi
    jz fail
    FSL(4), %ecx
    add %edi, %ecx
    add $44, %edi
7:  cmp %ecx, %edi
    jae 9f
    FSB(0), %eax
    cmp $2, %al
    jne 8f
    FSB(2), %eax /* bus 0 (ISA), source IRQ 0 */
    or %ah, %al
    FSB(3), %ebx
    or %bl, %al
    jnz 8f
    FSL(4), %eax
    mov %eax, madt_pin
8:  FSB(1), %eax
    test %eax, %eax
    jz fail
    add %eax, %edi
    jmp 7b
9:  mov $msg_madt, %si
    call puts
    mov madt_pin, %eax
    call putdec
    call newline

    /* The MP floating pointer "_MP_" (16-byte aligned, in 0xf0000-0xfffff), its table. */
    mov $0xf0000, %edi
10: FSL(0), %eax
    cmp $0x5f504d5f, %eax
    je 11f
    add $16, %edi
    cmp $0x100000, %edi
    jb 10b
    jmp fail
11: FSL(4), %edi
    test %edi, %edi
    jz fail
    FSL(0), %eax
    cmp $0x504d4350, %eax /* "PCMP" */
    jne fail
    FSW(34), %ecx /* entry count */
    add $44, %edi
    /* Processor entries are 20 bytes, the others 8; bus entries name the ISA bus. */
12: test %ecx, %ecx
    jz 16f
    FSB(0), %eax
    test %al, %al
    jnz 13f
    add $20, %edi
    dec %ecx
    jmp 12b
13: cmp $1, %al
    jne 14f
    FSL(2), %eax /* "ISA   " */
    cmp $0x20415349, %eax
    jne 15f
    FSB(1), %eax
    mov %al, isa_bus
    jmp 15f
14: cmp $3, %al /* I/O interrupt: type INT from the ISA bus, IRQ 0 */
    jne 15f
    FSB(1), %eax
    test %al, %al
    jnz 15f
    FSB(4), %eax
    cmp isa_bus, %al
    jne 15f
    FSB(5), %eax
    test %al, %al
    jnz 15f
    FSB(7), %eax
    mov %eax, mp_pin
15: add $8, %edi
    dec %ecx
    jmp 12b
16: cmpl $-1, mp_pin
    je fail
    mov $msg_mp, %si
    call puts
    mov mp_pin, %eax
    call putdec
    call newline
    mov madt_pin, %eax
    cmp mp_pin, %eax
    jne fail_differ

    /* check_timer(): 8259s masked, LINT0 masked, the pin as an edge vector, the PIT at HZ. */
    movw $isr, VEC * 4
    movw $0, VEC * 4 + 2
    PIC_MASK
    APIC_WR 0xf0, 0x1ff   /* SVR: enabled */
    APIC_WR 0x80, 0       /* TPR */
    APIC_WR 0x350, 0x10700 /* LINT0: masked ExtINT */
    mov madt_pin, %eax
    call route
    mov $0x34, %al /* channel 0, lobyte/hibyte, mode 2 */
    out %al, $0x43
    mov $((PIT_HZ + HZ / 2) / HZ), %ax
    out %al, $0x40
    mov %ah, %al
    out %al, $0x40

    /*
     * Linux spins on the TSC for 40e9 / HZ cycles or until jiffies moved on by 5. Here: until
     * 5 ticks or 1 s of the PM timer, reading it only every few thousand PAUSEs (port reads in
     * a tight loop starve QEMU's timers of its global lock).
     */
    movl $0, ticks
    mov pm_tmr, %edx
    in %dx, %eax
    mov %eax, pm_start
    rdtsc
    mov %eax, tsc_start
    mov %edx, tsc_start + 4
    mov pm_tmr, %edx
    sti
17: mov $4000, %ecx
19: pause
    cmpl $5, ticks
    jae 20f
    addr32 loop 19b
    in %dx, %eax
    sub pm_start, %eax
    and $0xffffff, %eax
    cmp $WINDOW, %eax
    jb 17b
20: mov pm_tmr, %edx
    in %dx, %eax
    sub pm_start, %eax
    and $0xffffff, %eax
    mov %eax, pm_elapsed
    rdtsc
    sub tsc_start, %eax
    sbb tsc_start + 4, %edx
    mov %eax, tsc_elapsed
    mov %edx, tsc_elapsed + 4
    cli
    /* Mask the pin again (bit 16 of the low half). */
    mov madt_pin, %eax
    shl $1, %eax
    add $0x10, %eax
    mov $IOAPIC, %edi
    mov %eax, %fs:(%edi)
    movl $0x10000 | VEC, %fs:0x10(%edi)
#ifdef VERBOSE
    mov $msg_count, %si
    call puts
    mov ticks, %eax
    call putdec
    mov $msg_us, %si
    call puts
    mov pm_elapsed, %eax /* PM timer ticks * 1000000 / 3579545 */
    mov $1000000, %ecx
    mul %ecx
    mov $3579545, %ecx
    div %ecx
    call putdec
    mov $msg_tsc, %si
    call puts
    mov tsc_elapsed, %eax /* in thousands */
    mov tsc_elapsed + 4, %edx
    mov $1000, %ecx
    div %ecx
    call putdec
    mov $msg_tsc2, %si
    call puts
#endif
    cmpl $5, ticks
    jb fail_ticks
    mov $msg_ok, %si
    call puts
    mov $0x10, %al /* status 33 */
    out %al, $0xf4
18: hlt
    jmp 18b

fail_differ:
    mov $msg_differ, %si
    call puts
    jmp fail
fail_ticks:
    mov $msg_ticks, %si
    call puts
fail:
    mov $msg_fail, %si
    call puts
    mov $0x7f, %al
    out %al, $0xf4
    jmp 18b

/* I/O APIC pin eax: vector VEC, fixed, physical destination APIC 0, edge, active high. */
route:
    shl $1, %eax
    add $0x10, %eax
    mov $IOAPIC, %edi
    inc %eax
    mov %eax, %fs:(%edi)
    movl $0, %fs:0x10(%edi)
    dec %eax
    mov %eax, %fs:(%edi)
    movl $VEC, %fs:0x10(%edi)
    ret

isr:
    push %eax
    push %edi
    incl %cs:ticks
    APIC_WR 0xb0, 0 /* EOI */
    pop %edi
    pop %eax
    iret

    PUTDEC_ROUTINE

newline:
    mov $10, %al
    mov $COM1, %dx
    out %al, %dx
    ret

    DISK_ROUTINES
madt: .long 0
pm_tmr: .long 0
madt_pin: .long 0
mp_pin: .long -1
ticks: .long 0
pm_start: .long 0
pm_elapsed: .long 0
tsc_start: .quad 0
tsc_elapsed: .quad 0
isa_bus: .byte 0xff
msg_madt:   .asciz "timer: ACPI MADT: IRQ 0 on I/O APIC pin "
msg_mp:     .asciz "timer: MP table: IRQ 0 on I/O APIC pin "
msg_differ: .asciz "timer: the MADT and the MP table disagree\n"
msg_count:  .asciz "timer: "
msg_us:     .asciz " ticks in us: "
msg_tsc:    .asciz ", TSC cycles: "
msg_tsc2:   .asciz " thousand\n"
msg_ticks:  .asciz "timer: fewer than 5 ticks in 1 s\n"
msg_ok:     .asciz "timer: IRQ 0 through that pin, edge, 8259s and LINT0 masked: ticks arrive\n"
msg_fail:   .asciz "FAILED\n"
    .org NSECT * 512 + 512 - 1
    .byte 0
