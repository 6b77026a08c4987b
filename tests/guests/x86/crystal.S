/*
 * crystal.S - CPUID leaf 0x15 against the local APIC timer. Linux on Intel
 * CPUs takes the leaf's "core crystal clock" as the APIC timer's clock and
 * then does not calibrate that timer (lapic_timer_period = crystal / HZ),
 * so a hypervisor that shows the leaf must name the clock its APIC timer
 * counts at, and a TSC/crystal ratio the TSC keeps to. Linux computes
 * crystal kHz * ebx in 32 bits: that must not overflow either.
 *
 * The guest counts 100 ms of crystal clocks on the APIC timer (divide by
 * 1, one-shot, masked and polled: it counts all the same) and checks that
 * the TSC moved by that time * ebx / eax, within 25%. For the appliance
 * under Bochs (metal-vmx.sh); a CPU without the leaf fails it.
 */
#include "guest.h"

#define APIC 0xfee00000
#define VARS 0x600 /* den, num, crystal Hz, count, TSC at start */

    RESET_VECTOR
    .code16
start16:
    cli
    xor %ax, %ax
    mov %ax, %ss
    mov $0x7000, %sp
    PUTS16 msg_start
    ENTER_PROTECTED pm

    xor %eax, %eax
    cpuid
    cmp $0x15, %eax
    jb no_leaf
    mov $0x15, %eax
    xor %ecx, %ecx
    cpuid
    test %eax, %eax
    jz no_leaf
    test %ebx, %ebx
    jz no_leaf
    cmp $1000000, %ecx /* under 1 MHz: no crystal (0), or not an APIC timer clock */
    jb bad_crystal
    mov %eax, VARS
    mov %ebx, VARS + 4
    mov %ecx, VARS + 8
    mov %ecx, %eax
    xor %edx, %edx
    mov $1000, %esi
    div %esi
    mul %ebx /* Linux's crystal_khz * ebx_numerator: 32 bits */
    test %edx, %edx
    jnz overflow
    PUTS msg_leaf

    movl $0x1ff, APIC + 0xf0 /* SVR: software-enabled */
    movl $0x10040, APIC + 0x320 /* LVT timer: masked, one-shot */
    movl $0xb, APIC + 0x3e0 /* divide by 1 */
    mov VARS + 8, %eax
    xor %edx, %edx
    mov $10, %esi
    div %esi
    mov %eax, VARS + 12 /* 100 ms of crystal clocks */
    mov %eax, %ebx
    rdtsc
    mov %eax, VARS + 16
    mov %ebx, APIC + 0x380
1:  mov APIC + 0x390, %eax
    test %eax, %eax
    jnz 1b
    rdtsc
    sub VARS + 16, %eax
    mov %eax, %edi /* TSC cycles measured */
    mov VARS + 12, %eax
    mull VARS + 4
    divl VARS /* TSC cycles expected */
    mov %eax, %ecx
    shr $2, %ecx
    mov %eax, %edx
    sub %ecx, %edx
    cmp %edx, %edi
    jb too_fast
    add %ecx, %eax
    cmp %eax, %edi
    ja too_slow
    PUTS msg_timer
    DEBUG_EXIT_WITH 0x10

no_leaf:
    PUTS msg_no_leaf
    jmp fail
bad_crystal:
    PUTS msg_bad_crystal
    jmp fail
overflow:
    PUTS msg_overflow
    jmp fail
too_fast:
    PUTS msg_too_fast
    jmp fail
too_slow:
    PUTS msg_too_slow
fail:
    PUTS msg_fail
    DEBUG_EXIT_WITH 0x7f

    GDT
    PUTS_ROUTINES
msg_start:       .asciz "crystal: real mode\n"
msg_leaf:        .asciz "crystal: leaf 0x15 names a crystal of 1 MHz or more and a TSC ratio\n"
msg_timer:       .asciz "crystal: 100 ms of APIC timer at the crystal's rate took as long on the TSC\n"
msg_no_leaf:     .asciz "crystal: no CPUID leaf 0x15 with a TSC/crystal ratio\n"
msg_bad_crystal: .asciz "crystal: leaf 0x15 names no crystal (or one under 1 MHz)\n"
msg_overflow:    .asciz "crystal: crystal kHz * numerator overflows 32 bits (as Linux computes it)\n"
msg_too_fast:    .asciz "crystal: the APIC timer ran out before the TSC said it should\n"
msg_too_slow:    .asciz "crystal: the APIC timer ran out after the TSC said it should\n"
msg_fail:        .asciz "FAILED\n"
