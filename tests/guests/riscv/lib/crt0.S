/* Entry at 0x80000000 in M-mode (QEMU virt -bios), trap entries, mode switching. */
#include "rt.h"

#define FRAME 256

    .section .text.init, "ax"
    .globl _start
_start:
    .option push
    .option norelax
    la gp, __global_pointer$
    .option pop
    csrr t0, mhartid
    bnez t0, park
    la sp, __stack_top
    la t0, __trap_stack_top
    csrw mscratch, t0
    la t0, m_trap_entry
    csrw mtvec, t0
    la t0, __strap_stack_top
    csrw sscratch, t0
    la t0, s_trap_entry
    csrw stvec, t0
    la t0, __bss_start
    la t1, __bss_end
1:  bgeu t0, t1, 2f
    sd zero, 0(t0)
    addi t0, t0, 8
    j 1b
2:  li t0, MSTATUS_FS
    csrs mstatus, t0
    csrwi fcsr, 0
    /* S/U-mode may touch everything until a test says otherwise: PMP entry 15
     * is a NAPOT region covering the whole address space. */
    li t0, -1
    csrw pmpaddr15, t0
    li t0, 0x1f << 56
    csrw pmpcfg2, t0
    call main
    call poweroff
park:
    wfi
    j park

/* Saves x1..x31 into a frame on the M trap stack (mscratch), calls
 * m_trap_c(regs), restores the (possibly modified) frame and returns. */
    .text
    .align 4
    .globl m_trap_entry
m_trap_entry:
    csrrw sp, mscratch, sp
    addi sp, sp, -FRAME
    .irp n,1,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
    sd x\n, \n*8(sp)
    .endr
    csrr t0, mscratch
    sd t0, 2*8(sp)
    mv a0, sp
    call m_trap_c
    addi t0, sp, FRAME
    csrw mscratch, t0
    .irp n,1,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
    ld x\n, \n*8(sp)
    .endr
    ld sp, 2*8(sp)
    mret

    .align 4
    .globl s_trap_entry
s_trap_entry:
    csrrw sp, sscratch, sp
    addi sp, sp, -FRAME
    .irp n,1,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
    sd x\n, \n*8(sp)
    .endr
    csrr t0, sscratch
    sd t0, 2*8(sp)
    mv a0, sp
    call s_trap_c
    addi t0, sp, FRAME
    csrw sscratch, t0
    .irp n,1,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
    ld x\n, \n*8(sp)
    .endr
    ld sp, 2*8(sp)
    sret

/* ulong enter_mode(int mode, ulong (*fn)(ulong), ulong arg) */
    .globl enter_mode
enter_mode:
    la t0, m_ctx
    sd ra, 0(t0)
    sd sp, 8(t0)
    sd s0, 16(t0)
    sd s1, 24(t0)
    sd s2, 32(t0)
    sd s3, 40(t0)
    sd s4, 48(t0)
    sd s5, 56(t0)
    sd s6, 64(t0)
    sd s7, 72(t0)
    sd s8, 80(t0)
    sd s9, 88(t0)
    sd s10, 96(t0)
    sd s11, 104(t0)
    sd gp, 112(t0)
    sd tp, 120(t0)
    li t1, MSTATUS_MPP
    csrc mstatus, t1
    slli t1, a0, 11
    csrs mstatus, t1
    csrw mepc, a1
    mv a0, a2
    la ra, exit_mode
    mret

/* void exit_mode(ulong v): ecall back to M; m_trap_c sends it to mode_return. */
    .globl exit_mode
exit_mode:
    li a7, RT_EXIT_MAGIC
    ecall
1:  j 1b

    .globl mode_return
mode_return:
    la t0, m_ctx
    ld ra, 0(t0)
    ld sp, 8(t0)
    ld s0, 16(t0)
    ld s1, 24(t0)
    ld s2, 32(t0)
    ld s3, 40(t0)
    ld s4, 48(t0)
    ld s5, 56(t0)
    ld s6, 64(t0)
    ld s7, 72(t0)
    ld s8, 80(t0)
    ld s9, 88(t0)
    ld s10, 96(t0)
    ld s11, 104(t0)
    ld gp, 112(t0)
    ld tp, 120(t0)
    ret

    .bss
    .align 4
m_ctx:
    .space 128
