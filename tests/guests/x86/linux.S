/*
 * linux.S - a stand-in for a bzImage: a boot protocol 2.06 header and
 * real-mode setup code that reports what the boot loader filled in (the
 * command line, loader type, heap end, initrd size and the initrd's
 * placement below initrd_addr_max) and exits through isa-debug-exit. It
 * runs where Linux's setup would: entered by SeaBIOS's linuxboot option ROM.
 */
#define COM1 0x3f8
    .code16
    .text
    .org 0x1f1
    .byte 1             /* setup_sects: setup is 2 * 512 bytes */
    .word 0             /* root_flags */
    .long 0x20          /* syssize (16-byte units) */
    .word 0             /* ram_size */
    .word 0xffff        /* vid_mode */
    .word 0             /* root_dev */
    .word 0xaa55        /* boot_flag */
    .org 0x200
    jmp setup_start     /* entry: CS = setup segment + 0x20, DS = setup segment */
    .ascii "HdrS"
    .word 0x0206        /* protocol 2.06 */
    .long 0             /* realmode_swtch */
    .word 0x1000        /* start_sys_seg */
    .word 0             /* kernel_version */
    .byte 0             /* type_of_loader */
    .byte 0x01          /* loadflags: LOADED_HIGH */
    .word 0             /* setup_move_size */
    .long 0x100000      /* code32_start */
    .long 0             /* ramdisk_image */
    .long 0             /* ramdisk_size */
    .long 0             /* bootsect_kludge */
    .word 0             /* heap_end_ptr */
    .byte 0, 0          /* ext_loader_ver, ext_loader_type */
    .long 0             /* cmd_line_ptr */
    .long 0x37ffffff    /* initrd_addr_max */
    .long 0x200000      /* kernel_alignment */
    .byte 0, 0          /* relocatable_kernel, min_alignment */
    .word 0             /* xloadflags */
    .long 255           /* cmdline_size */

setup_start:
    mov $msg_entered, %si
    call puts
    mov $msg_cmdline, %si
    call puts
    mov 0x228, %eax     /* cmd_line_ptr */
    mov %eax, %ebx
    shr $4, %eax
    mov %ax, %es
    and $15, %bx
1:  mov %es:(%bx), %al
    test %al, %al
    jz 2f
    call putc
    inc %bx
    jmp 1b
2:  call newline
    mov $msg_loader, %si
    call puts
    movzbl 0x210, %eax
    call puthex
    mov $msg_heap, %si
    call puts
    movzwl 0x224, %eax
    call puthex
    mov $msg_initrd, %si
    call puts
    mov 0x21c, %eax
    call puthex
    /* The initrd sits page-aligned below initrd_addr_max and RAM's top. */
    mov 0x218, %eax
    test $0xfff, %eax
    jnz fail
    cmp $0x100000, %eax
    jb fail
    mov $msg_ok, %si
    call puts
    mov $0x10, %al
    out %al, $0xf4
3:  hlt
    jmp 3b
fail:
    mov $msg_fail, %si
    call puts
    mov $0x7f, %al
    out %al, $0xf4
    jmp 3b

putc:
    push %dx
    mov $COM1, %dx
    out %al, %dx
    pop %dx
    ret
puts:
    lodsb
    test %al, %al
    jz 1f
    call putc
    jmp puts
1:  ret
newline:
    mov $'\n', %al
    jmp putc
/* %eax as 8 hex digits and a newline. */
puthex:
    mov %eax, %edx
    mov $8, %cx
1:  rol $4, %edx
    mov %dl, %al
    and $15, %al
    add $'0', %al
    cmp $'9', %al
    jbe 2f
    add $7, %al
2:  call putc
    loop 1b
    jmp newline

msg_entered: .asciz "setup entered\n"
msg_cmdline: .asciz "cmdline: "
msg_loader:  .asciz "type_of_loader: "
msg_heap:    .asciz "heap_end_ptr: "
msg_initrd:  .asciz "ramdisk_size: "
msg_ok:      .asciz "initrd placement: ok\n"
msg_fail:    .asciz "FAILED\n"
    .org 0x400
    .ascii "protected-mode kernel would start here"
    .org 0x600
