/*
 * trap-entry.S - one stub per IDT vector: push a dummy error code where the
 * CPU pushes none, the vector number and every general register, then call
 * kern_trap_dispatch(struct kern_trap_frame *) and return with iretq.
 * SSE registers are not saved: the C code reached from here is built with
 * -mgeneral-regs-only.
 */
    .section .text
    .code64

.macro TRAP_STUB vec
    .align 16
trap_stub_\vec:
    .if (\vec == 8) || ((\vec >= 10) && (\vec <= 14)) || (\vec == 17) || (\vec == 21) || (\vec == 29) || (\vec == 30)
    .else
    pushq $0
    .endif
    pushq $\vec
    jmp trap_common
.endm

.altmacro
.macro TRAP_STUBS from, to
    TRAP_STUB %\from
    .if \to - \from
    TRAP_STUBS %(\from + 1), \to
    .endif
.endm

    TRAP_STUBS 0, 63
    TRAP_STUBS 64, 127
    TRAP_STUBS 128, 191
    TRAP_STUBS 192, 255

trap_common:
    push %rax
    push %rbx
    push %rcx
    push %rdx
    push %rsi
    push %rdi
    push %rbp
    push %r8
    push %r9
    push %r10
    push %r11
    push %r12
    push %r13
    push %r14
    push %r15
    cld
    mov %rsp, %rdi
    /* Keep the ABI's 16-byte alignment whatever the CPU pushed. */
    mov %rsp, %rbx
    and $~15, %rsp
    call kern_trap_dispatch
    mov %rbx, %rsp
    pop %r15
    pop %r14
    pop %r13
    pop %r12
    pop %r11
    pop %r10
    pop %r9
    pop %r8
    pop %rbp
    pop %rdi
    pop %rsi
    pop %rdx
    pop %rcx
    pop %rbx
    pop %rax
    add $16, %rsp /* vector and error code */
    iretq

.macro TRAP_ADDR vec
    .quad trap_stub_\vec
.endm
.macro TRAP_ADDRS from, to
    TRAP_ADDR %\from
    .if \to - \from
    TRAP_ADDRS %(\from + 1), \to
    .endif
.endm

    .section .rodata
    .align 8
    .global kern_trap_stubs
kern_trap_stubs:
    TRAP_ADDRS 0, 63
    TRAP_ADDRS 64, 127
    TRAP_ADDRS 128, 191
    TRAP_ADDRS 192, 255
