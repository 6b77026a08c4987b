/*
 * mb.S - a Multiboot 1 kernel: checks the boot magic and prints the
 * command line, the module count, each module's command line and first
 * line of contents from the Multiboot information, then exits through
 * isa-debug-exit.
 */
#define COM1 0x3f8
    .section .multiboot, "a"
    .align 4
    .long 0x1badb002
    .long 0x00000003
    .long -(0x1badb002 + 0x00000003)

    .text
    .code32
    .globl mb_start
mb_start:
    mov $0x80000, %esp
    cmp $0x2badb002, %eax
    jne fail
    mov %ebx, %ebp
    lea msg_magic, %esi
    call puts
    lea msg_cmdline, %esi
    call puts
    mov 16(%ebp), %esi
    call puts
    call newline
    testl $8, (%ebp)
    jz fail
    lea msg_mods, %esi
    call puts
    mov 20(%ebp), %eax
    add $'0', %al
    mov $COM1, %dx
    out %al, %dx
    call newline
    mov 20(%ebp), %ecx
    mov 24(%ebp), %ebx
1:  test %ecx, %ecx
    jz 3f
    lea msg_mod, %esi
    call puts
    mov 8(%ebx), %esi
    call puts
    lea msg_sep, %esi
    call puts
    /* The first line of the module (up to 60 bytes). */
    mov (%ebx), %esi
    mov 4(%ebx), %edi
    mov $60, %ah
2:  cmp %edi, %esi
    jae 4f
    lodsb
    cmp $'\n', %al
    je 4f
    mov $COM1, %dx
    out %al, %dx
    dec %ah
    jnz 2b
4:  call newline
    /* Modules are page-aligned (header flag 0). */
    testl $0xfff, (%ebx)
    jnz fail
    add $16, %ebx
    dec %ecx
    jmp 1b
3:  mov $0x10, %al
    out %al, $0xf4
5:  hlt
    jmp 5b
fail:
    lea msg_fail, %esi
    call puts
    mov $0x7f, %al
    out %al, $0xf4
    jmp 5b

puts:
    push %eax
    push %edx
    mov $COM1, %dx
1:  lodsb
    test %al, %al
    jz 2f
    out %al, %dx
    jmp 1b
2:  pop %edx
    pop %eax
    ret
newline:
    push %eax
    push %edx
    mov $'\n', %al
    mov $COM1, %dx
    out %al, %dx
    pop %edx
    pop %eax
    ret

msg_magic:   .asciz "multiboot magic: ok\n"
msg_cmdline: .asciz "cmdline: "
msg_mods:    .asciz "modules: "
msg_mod:     .asciz "module: "
msg_sep:     .asciz " -> "
msg_fail:    .asciz "FAILED\n"
