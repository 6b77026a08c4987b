/*
 * Guests that misbehave forever, selected by the symbol the linker enters:
 *   trap_loop   mtvec points at an illegal instruction: a trap storm
 *   wild_mmio   loads/stores all over the physical address space
 *   bad_paging  satp points at garbage page tables, then runs in S-mode
 *   spin        an empty loop with interrupts off
 * Each first prints a line on the UART so the test knows it started. The
 * emulator must keep serving the console (Ctrl-A x ends it) and not crash.
 */
    .equ UART, 0x10000000

    .macro say msg
    la    a0, \msg
    call  puts
    .endm

    .section .text.start
    .globl _start
_start:
    la    sp, stack_top
    li    t0, -1                  /* PMP: allow everything to S/U */
    csrw  pmpaddr0, t0
    li    t0, 0x1f
    csrw  pmpcfg0, t0
    la    t0, ENTRY_POINT
    jr    t0

    .text
trap_loop:
    say   m_trap
    la    t0, bad_vector
    csrw  mtvec, t0
bad_vector:
    .word 0                       /* illegal: traps to itself forever */

wild_mmio:
    say   m_wild
    la    t0, skip_trap
    csrw  mtvec, t0
    li    s0, 0x9e3779b97f4a7c15
    li    s1, 0
1:  mul   s1, s1, s0              /* a pseudo-random walk over addresses */
    addi  s1, s1, 1234
    srli  t1, s1, 20              /* keep clear of RAM's first MiB (code) */
    lw    t2, 0(t1)
    sw    t2, 0(t1)
    j     1b
skip_trap:                        /* step over the faulting instruction */
    csrr  t0, mepc
    addi  t0, t0, 4
    csrw  mepc, t0
    mret

bad_paging:
    say   m_paging
    la    t0, skip_trap
    csrw  mtvec, t0
    li    t0, 0xdeadbeef          /* PPN of garbage; Sv39 */
    li    t1, 8
    slli  t1, t1, 60
    or    t0, t0, t1
    csrw  satp, t0
    sfence.vma
    li    t0, 0x1800
    csrc  mstatus, t0
    li    t0, 0x0800
    csrs  mstatus, t0             /* MPP = S */
    la    t0, spin_s
    csrw  mepc, t0
    mret                          /* every fetch now page-faults */
spin_s:
    j     spin_s

spin:
    say   m_spin
    csrci mstatus, 8
1:  j     1b

puts:
    li    t1, UART
1:  lbu   t2, 0(a0)
    beqz  t2, 3f
2:  lbu   t3, 5(t1)
    andi  t3, t3, 0x20
    beqz  t3, 2b
    sb    t2, 0(t1)
    addi  a0, a0, 1
    j     1b
3:  ret

    .section .rodata
m_trap:   .string "HOSTILE trap_loop\n"
m_wild:   .string "HOSTILE wild_mmio\n"
m_paging: .string "HOSTILE bad_paging\n"
m_spin:   .string "HOSTILE spin\n"

    .bss
    .align 4
    .skip 4096
stack_top:
