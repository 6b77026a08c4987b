/*
 * common.h - real-mode and APIC set-up shared by the x86 test guests: unreal
 * mode, APIC and I/O APIC access through FS, the 8259s, the IVT, decimal
 * output and, for the disk boot programs, the boot sector that loads them.
 *
 * -bios images include guest.h first (BASE 0xf0000, code at CS f000); the
 * disk boot programs (linked at 0x7c00, CS and DS 0) include this alone and
 * get BASE 0. Every guest defines gdt_desc (the flat data segment is GDT
 * selector 0x10), and the disk programs `fail` and `main` for BOOT_SECTOR.
 */
#ifndef BASE
#define BASE 0
#endif
#ifndef COM1
#define COM1 0x3f8
#endif
#define APIC 0xfee00000
#define IOAPIC 0xfec00000

/* Byte, word or dword at flat address %edi + off through FS (unreal mode). */
#define FSB(off) addr32 movzbl %fs:off(%edi)
#define FSW(off) addr32 movzwl %fs:off(%edi)
#define FSL(off) addr32 movl %fs:off(%edi)

/*
 * Unreal mode: FS is loaded with the flat data segment in protected mode and
 * keeps its 4 GiB limit after the return to real mode (clobbers eax, bx).
 */
.macro UNREAL_FS
#if BASE
    lgdtl %cs:(gdt_desc - BASE)
#else
    lgdtl gdt_desc
#endif
    mov %cr0, %eax
    or $1, %eax
    mov %eax, %cr0
    mov $0x10, %bx
    mov %bx, %fs
    and $~1, %eax
    mov %eax, %cr0
    xor %ax, %ax
    mov %ax, %fs
.endm

/* 32-bit local APIC and I/O APIC register access through FS (clobber eax, edi). */
.macro APIC_RD reg
    mov $(APIC + \reg), %edi
    addr32 mov %fs:(%edi), %eax
.endm
.macro APIC_WR reg, val
    mov $(APIC + \reg), %edi
    movl $\val, %eax
    addr32 mov %eax, %fs:(%edi)
.endm
.macro IOAPIC_WR reg, val
    mov $IOAPIC, %edi
    movl $\reg, %eax
    addr32 mov %eax, %fs:(%edi)
    movl $\val, %eax
    addr32 mov %eax, %fs:0x10(%edi)
.endm

/* Both 8259s masked (the local APICs only). */
.macro PIC_MASK
    mov $0xff, %al
    out %al, $0x21
    out %al, $0xa1
.endm

/* Both 8259s initialised as a BIOS does, but with vectors 0x20/0x28, then masked. */
.macro PIC_INIT_MASKED
    mov $0x11, %al
    out %al, $0x20
    out %al, $0xa0
    mov $0x20, %al
    out %al, $0x21
    mov $0x28, %al
    out %al, $0xa1
    mov $0x04, %al
    out %al, $0x21
    mov $0x02, %al
    out %al, $0xa1
    mov $0x01, %al
    out %al, $0x21
    out %al, $0xa1
    PIC_MASK
.endm

/* Every real-mode vector (IVT at 0, DS 0) to CS:handler (clobbers di, cx). */
.macro IVT_FILL handler
    xor %di, %di
    mov $256, %cx
.Livt\@:
    movw $(\handler - BASE), (%di)
    movw $(BASE >> 4), 2(%di)
    add $4, %di
    loop .Livt\@
.endm

/* 16-bit: eax in decimal on COM1 (clobbers eax, bx, ecx, edx). */
.macro PUTDEC_ROUTINE
putdec:
    mov $10, %ecx
    xor %bx, %bx
1:  xor %edx, %edx
    div %ecx
    push %dx
    inc %bx
    test %eax, %eax
    jnz 1b
2:  pop %ax
    add $'0', %al
    mov $COM1, %dx
    out %al, %dx
    dec %bx
    jnz 2b
    ret
.endm

/*
 * Disk boot programs: the boot sector SeaBIOS loads at 0x7c00 reads the
 * nsect sectors after it to 0x7e00 (int 13h extensions) and goes to main.
 */
.macro BOOT_SECTOR nsect
    .code16
    .text
    .globl _start
_start:
    cli
    xor %ax, %ax
    mov %ax, %ds
    mov %ax, %es
    mov %ax, %ss
    mov $0x7c00, %sp
    ljmp $0, $1f
1:  mov $dap, %si
    mov $0x42, %ah
    int $0x13
    jc fail
    jmp main
dap:
    .byte 16, 0
    .word \nsect
    .word 0x7e00, 0
    .quad 1
    .org 510
    .word 0xaa55
.endm

/* Disk boot programs: print the string at DS:si; the flat GDT (0x08 code32, 0x10 data). */
.macro DISK_ROUTINES
puts:
    mov $COM1, %dx
1:  lodsb
    test %al, %al
    jz 2f
    out %al, %dx
    jmp 1b
2:  ret

    .balign 8
gdt:
    .quad 0
    .quad 0x00cf9b000000ffff
    .quad 0x00cf93000000ffff
gdt_end:
gdt_desc:
    .word gdt_end - gdt - 1
    .long gdt
.endm
