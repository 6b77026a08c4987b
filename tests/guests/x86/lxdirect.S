/*
 * lxdirect.S - a stand-in bzImage for direct boots (-M microvm): a boot
 * protocol 2.06 header and a 32-bit "kernel" that reports what the 32-bit
 * boot protocol promises (CS 0x10, DS 0x18, interrupts off, ESI = the zero
 * page, EBX/EDI zero), the command line, the initrd, the e820 map, the ACPI
 * RSDP in the BIOS area, the local APIC's version and the first virtio-mmio
 * slot, then powers off through ACPI S5 (status 0).
 */
#define COM1 0x3f8

    .section .setup, "ax"
    .code16
    .org 0x1f1
    .byte 1             /* setup_sects */
    .word 0             /* root_flags */
    .long 0x20          /* syssize */
    .word 0             /* ram_size */
    .word 0xffff        /* vid_mode */
    .word 0             /* root_dev */
    .word 0xaa55        /* boot_flag */
    .org 0x200
    .byte 0xeb, 0x44    /* jump over the header: the header ends at 0x202 + 0x44 */
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
    .org 0x400

    .section .kernel, "ax"
    .code32
kstart:
    mov %esi, %ebp
    mov %ebx, %edx
    or %edi, %edx
    mov $0x7000, %esp
    mov %cs, %ax
    cmp $0x10, %ax
    jne fail
    mov %ds, %ax
    cmp $0x18, %ax
    jne fail
    mov %ss, %ax
    cmp $0x18, %ax
    jne fail
    pushf
    pop %eax
    test $0x200, %eax
    jnz fail
    test %edx, %edx
    jnz fail
    mov $msg_entry, %esi
    call puts
    mov %ebp, %eax
    call puthex_nl

    mov $msg_cmdline, %esi
    call puts
    mov 0x228(%ebp), %esi
    call puts
    mov $msg_nl, %esi
    call puts

    mov $msg_loader, %esi
    call puts
    movzbl 0x210(%ebp), %eax
    call puthex_nl

    /* The initrd: its size, and it holds what the test wrote ('i' bytes). */
    mov $msg_initrd, %esi
    call puts
    mov 0x21c(%ebp), %eax
    call puthex_nl
    mov 0x218(%ebp), %edi
    cmpb $'i', (%edi)
    jne fail
    test $0xfff, %edi
    jnz fail

    /* e820 */
    movzbl 0x1e8(%ebp), %ecx
    test %ecx, %ecx
    jz fail
    lea 0x2d0(%ebp), %ebx
1:  push %ecx
    mov $msg_e820, %esi
    call puts
    mov (%ebx), %eax
    call puthex
    mov $msg_sp, %esi
    call puts
    mov 8(%ebx), %eax
    call puthex
    mov $msg_sp, %esi
    call puts
    mov 16(%ebx), %eax
    call puthex_nl
    add $20, %ebx
    pop %ecx
    loop 1b

    /* RSDP in 0xe0000-0xfffff, checksum over 20 bytes; its RSDT's signature. */
    mov $0xe0000, %edi
2:  cmpl $0x20445352, (%edi)
    jne 3f
    cmpl $0x20525450, 4(%edi)
    jne 3f
    xor %al, %al
    xor %ecx, %ecx
4:  add (%edi,%ecx), %al
    inc %ecx
    cmp $20, %ecx
    jb 4b
    test %al, %al
    jz 5f
3:  add $16, %edi
    cmp $0x100000, %edi
    jb 2b
    jmp fail
5:  mov $msg_rsdp, %esi
    call puts
    mov %edi, %eax
    call puthex_nl
    mov 16(%edi), %eax
    cmpl $0x54445352, (%eax) /* "RSDT" */
    jne fail

    /* Local APIC version; virtio-mmio slot 0: magic, version, device ID. */
    mov $msg_apic, %esi
    call puts
    mov 0xfee00030, %eax
    and $0xff, %eax
    call puthex_nl
    cmpl $0x74726976, 0xfeb00000
    jne fail
    mov $msg_virtio, %esi
    call puts
    mov 0xfeb00004, %eax
    call puthex
    mov $msg_sp, %esi
    call puts
    mov 0xfeb00008, %eax
    call puthex_nl

    /* ACPI S5: SLP_TYP 0 with SLP_EN in PM1a_CNT. */
    mov $msg_s5, %esi
    call puts
    mov $0x604, %dx
    mov $0x2000, %ax
    out %ax, %dx
    mov $0x10000000, %ecx
6:  loop 6b
    mov $msg_on, %esi
    call puts
fail:
    mov $msg_fail, %esi
    call puts
    mov $0x7f, %al
    out %al, $0xf4
7:  hlt
    jmp 7b

puts:
    push %edx
    mov $COM1, %dx
1:  lodsb
    test %al, %al
    jz 2f
    out %al, %dx
    jmp 1b
2:  pop %edx
    ret

/* eax as 8 hex digits (then a newline for puthex_nl). */
puthex:
    push %ecx
    push %edx
    push %ebx
    mov %eax, %ebx
    mov $8, %ecx
    mov $COM1, %dx
1:  rol $4, %ebx
    mov %bl, %al
    and $15, %al
    add $'0', %al
    cmp $'9', %al
    jbe 2f
    add $('a' - '9' - 1), %al
2:  out %al, %dx
    loop 1b
    pop %ebx
    pop %edx
    pop %ecx
    ret
puthex_nl:
    call puthex
    push %esi
    mov $msg_nl, %esi
    call puts
    pop %esi
    ret

msg_entry:   .asciz "lxdirect: 32-bit entry: CS 0x10, DS 0x18, IF 0, EBX/EDI 0, zero page at "
msg_cmdline: .asciz "lxdirect: command line: "
msg_loader:  .asciz "lxdirect: type_of_loader "
msg_initrd:  .asciz "lxdirect: initrd bytes "
msg_e820:    .asciz "lxdirect: e820 "
msg_rsdp:    .asciz "lxdirect: ACPI RSDP at "
msg_apic:    .asciz "lxdirect: local APIC version "
msg_virtio:  .asciz "lxdirect: virtio-mmio slot 0: version, device "
msg_s5:      .asciz "lxdirect: S5\n"
msg_on:      .asciz "lxdirect: still running after S5\n"
msg_fail:    .asciz "FAILED\n"
msg_sp:      .asciz " "
msg_nl:      .asciz "\n"
