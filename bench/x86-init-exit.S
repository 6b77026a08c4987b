/*
 * x86-init-exit.S - the /init of the boot-to-init benchmark (bench/x86-linux.sh):
 * the first user instruction Linux runs asks for port 0xf4 (ioperm) and
 * writes 0x10 to isa-debug-exit, so the emulator ends with status 33 the
 * moment init is reached, as Firecracker's boot-time figure stops at a
 * write from init to a magic port. No libc: nothing runs before the write.
 */
    .globl _start
    .text
_start:
    mov $173, %eax /* ioperm(0xf4, 1, 1) */
    mov $0xf4, %edi
    mov $1, %esi
    mov $1, %edx
    syscall
    mov $0x10, %al /* isa-debug-exit: status (0x10 << 1) | 1 = 33 */
    mov $0xf4, %dx
    outb %al, %dx
1:  pause /* not reached: the write ends the VM */
    jmp 1b
