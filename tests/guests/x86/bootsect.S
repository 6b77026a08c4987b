/*
 * bootsect.S - a boot sector for disk boot tests: loaded by the firmware
 * at 0:7c00 with DL = the boot drive, it prints through COM1 (and reads
 * the drive number) and ends the run through isa-debug-exit.
 */
#define COM1 0x3f8
    .code16
    .text
    .globl _start
_start:
    cli
    xor %ax, %ax
    mov %ax, %ds
    mov %ax, %ss
    mov $0x7c00, %sp
    mov %dl, %bl
    mov $msg - _start + 0x7c00, %si
    call puts
    /* The BIOS boots hard disks as drive 0x80. */
    cmp $0x80, %bl
    jne 2f
    mov $msg_drive - _start + 0x7c00, %si
    call puts
    mov $0x10, %al
    out %al, $0xf4
2:  mov $0x7f, %al
    out %al, $0xf4
3:  hlt
    jmp 3b
puts:
    mov $COM1, %dx
1:  lodsb
    test %al, %al
    jz 4f
    out %al, %dx
    jmp 1b
4:  ret
msg:       .asciz "\r\nboot sector loaded\r\n"
msg_drive: .asciz "boot drive 0x80: ok\r\n"
    .org 510
    .byte 0x55, 0xaa
