/*
 * mmio.S - the instruction forms a guest uses on MMIO, aimed at the pc's
 * local APIC (0xfee00000) and I/O APIC (0xfec00000) from 32-bit protected
 * mode, flat, and from long mode through 2 MiB pages at 1 GiB onto the
 * APICs, printing what each read returned. Under hardware-assisted
 * accelerators every one of these is an exit whose instruction the
 * accelerator (or KVM) decodes and redoes: the output must not depend on
 * which did it. Built by tests/suites/metal-svm.sh (not in the Makefile).
 */
#include "guest.h"

#define LAPIC 0xfee00000
#define IOAPIC 0xfec00000
#define PML4 0x20000

/* 64-bit: the same, keeping every register but rbp, rcx, rdx, rsi. */
.macro SHOW64 label
    push %rax
    lea \label(%rip), %rsi
    call puts64
    pop %rax
    call hex64
.endm

/* Print label and then %eax in hex; every register is kept. */
.macro SHOW label
    pusha
    push %eax
    PUTS \label
    pop %eax
    call hex32
    popa
.endm

    RESET_VECTOR
    .code16
start16:
    cli
    xor %ax, %ax
    mov %ax, %ss
    mov $0x7000, %sp
    ENTER_PROTECTED start32
    mov $LAPIC, %ebx

    /* Reads: moffs, ModRM with disp8, movzx byte/word, movsx byte. */
    mov LAPIC + 0x30, %eax
    SHOW m_moffs
    mov 0x30(%ebx), %eax
    SHOW m_disp8
    movzbl 0x30(%ebx), %eax
    SHOW m_movzb
    movzwl 0x30(%ebx), %eax
    SHOW m_movzw
    movsbl 0x32(%ebx), %eax
    SHOW m_movsb

    /* TPR (0x80): store an immediate, then read-modify-write with the ALU group. */
    movl $0x20, 0x80(%ebx)
    mov 0x80(%ebx), %eax
    SHOW m_movimm
    orl $0x50, 0x80(%ebx)
    andl $0xf0, 0x80(%ebx)
    addl $0x10, 0x80(%ebx)
    mov 0x80(%ebx), %eax
    SHOW m_alu
    mov $0x30, %ecx
    subl %ecx, 0x80(%ebx)
    xorl $0x0f, 0x80(%ebx)
    mov 0x80(%ebx), %eax
    SHOW m_alu2
    /* Flags from memory operands: cmp equal, test a clear bit. */
    cmpl $0x4f, 0x80(%ebx)
    pushf
    testl $0x80, 0x80(%ebx)
    pushf
    pop %eax
    and $0x8d5, %eax
    SHOW m_testfl
    pop %eax
    and $0x8d5, %eax
    SHOW m_cmpfl
    /* xchg returns the old value and stores the register. */
    mov $0x60, %ecx
    xchg %ecx, 0x80(%ebx)
    mov %ecx, %eax
    SHOW m_xchg
    mov 0x80(%ebx), %eax
    SHOW m_xchg2

    /* String moves between MMIO and RAM: movsl in, rep movsl out, stosl. */
    lea 0x30(%ebx), %esi
    mov $0x8000, %edi
    cld
    movsl
    mov 0x8000, %eax
    SHOW m_movsin
    movl $0x70, 0x8000
    mov $0x8000, %esi
    lea 0x80(%ebx), %edi
    mov $1, %ecx
    rep movsl
    mov 0x80(%ebx), %eax
    SHOW m_movsout
    mov $0x10, %eax
    lea 0x80(%ebx), %edi
    stosl
    mov 0x80(%ebx), %eax
    SHOW m_stos

    /* I/O APIC: index and data windows; redirection entry 0 read-modify-written. */
    movl $1, IOAPIC
    mov IOAPIC + 0x10, %eax
    SHOW m_iover
    movl $0x10, IOAPIC
    mov IOAPIC + 0x10, %eax
    SHOW m_redir
    andl $0xfffeffff, IOAPIC + 0x10
    orl $0x00000031, IOAPIC + 0x10
    mov IOAPIC + 0x10, %eax
    SHOW m_redir2

    /*
     * Long mode (4-level paging): identity for the first 2 MiB, 1 GiB onto the
     * I/O APIC's 2 MiB and 1 GiB + 2 MiB onto the local APIC's.
     */
    mov $PML4, %edi
    xor %eax, %eax
    mov $(4 * 4096 / 4), %ecx
    rep stosl
    movl $(PML4 + 0x1003), PML4
    movl $(PML4 + 0x2003), PML4 + 0x1000
    movl $(PML4 + 0x3003), PML4 + 0x1008
    movl $0x83, PML4 + 0x2000
    movl $(IOAPIC | 0x9b), PML4 + 0x3000 /* present, writable, PWT, PCD, 2 MiB */
    movl $(LAPIC | 0x9b), PML4 + 0x3008
    mov $PML4, %eax
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
    mov $0x40000000, %r12
    mov 0x200030(%r12), %eax /* the local APIC's version through the mapping */
    SHOW64 m_paged
    movl $1, (%r12)
    mov 0x10(%r12), %r9d /* REX.R destination */
    mov %r9d, %eax
    SHOW64 m_paged2
    addl $0x10, 0x200080(%r12)
    mov 0x200080(%r12), %eax
    SHOW64 m_paged3
    lea 0x200080(%r12), %rdi
    mov $0x30, %eax
    mov $1, %ecx
    rep stosl
    movzbq 0x200080(%r12), %rax
    SHOW64 m_paged4

    /* CR8 is the TPR: a MOV to CR8 shows in the APIC page, an MMIO write in CR8. */
    mov $9, %eax
    mov %rax, %cr8
    mov 0x200080(%r12), %eax
    SHOW64 m_cr8w
    movl $0xa0, 0x200080(%r12)
    mov %cr8, %rax
    SHOW64 m_cr8r

    lea m_done(%rip), %rsi
    call puts64
    DEBUG_EXIT_WITH 0x10

hex64: /* %eax as 8 hex digits and a newline */
    mov %eax, %ebp
    mov $8, %ecx
    mov $COM1, %dx
1:  rol $4, %ebp
    mov %ebp, %eax
    and $15, %eax
    cmp $10, %al
    jb 2f
    add $('a' - '0' - 10), %al
2:  add $'0', %al
    out %al, %dx
    loop 1b
    mov $'\n', %al
    out %al, %dx
    ret
puts64:
    mov $COM1, %dx
1:  lodsb
    test %al, %al
    jz 2f
    out %al, %dx
    jmp 1b
2:  ret
    .code32

hex32:
    mov %eax, %ebp
    mov $8, %ecx
    mov $COM1, %dx
1:  rol $4, %ebp
    mov %ebp, %eax
    and $15, %eax
    cmp $10, %al
    jb 2f
    add $('a' - '0' - 10), %al
2:  add $'0', %al
    out %al, %dx
    loop 1b
    mov $'\n', %al
    out %al, %dx
    ret

    PUTS_ROUTINES
    GDT
m_moffs:   .asciz "lapic version (mov moffs): "
m_disp8:   .asciz "lapic version (mov disp8): "
m_movzb:   .asciz "lapic version (movzb): "
m_movzw:   .asciz "lapic version (movzw): "
m_movsb:   .asciz "lapic version byte 2 (movsb): "
m_movimm:  .asciz "tpr after movl $0x20: "
m_alu:     .asciz "tpr after or/and/add: "
m_alu2:    .asciz "tpr after sub/xorl: "
m_cmpfl:   .asciz "flags after cmpl: "
m_testfl:  .asciz "flags after testl: "
m_xchg:    .asciz "xchg old tpr: "
m_xchg2:   .asciz "xchg new tpr: "
m_movsin:  .asciz "movsl from lapic: "
m_movsout: .asciz "tpr after rep movsl: "
m_stos:    .asciz "tpr after stosl: "
m_iover:   .asciz "ioapic version: "
m_redir:   .asciz "ioapic redir 0: "
m_redir2:  .asciz "ioapic redir 0 after and/or: "
m_paged:   .asciz "paged lapic version: "
m_paged2:  .asciz "paged ioapic version (r9d): "
m_paged3:  .asciz "paged tpr after addl: "
m_paged4:  .asciz "paged tpr after rep stosl (movzbq): "
m_cr8w:    .asciz "tpr after mov to cr8: "
m_cr8r:    .asciz "cr8 after tpr write: "
m_done:    .asciz "mmio done\n"
