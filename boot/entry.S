/*
 * entry.S - the appliance's entry points.
 *
 * _start32: Multiboot 1 (QEMU -kernel, GRUB "multiboot") and Multiboot 2
 * (GRUB "multiboot2") enter here in 32-bit protected mode without paging,
 * %eax = loader magic, %ebx = its info structure. We build identity-mapped
 * page tables for the low 4 GiB, enter long mode and continue at entry64.
 *
 * kern_efi_entry: the UEFI loader jumps here in long mode (on the firmware's
 * page tables, after ExitBootServices) with %rdi = KERN_BOOT_EFI and %rsi =
 * struct kern_boot_info *. We switch to our own GDT and page tables, since
 * the firmware's may live in memory the kernel is about to reuse.
 *
 * Both headers use the "address" fields (Multiboot 1 flag 16, Multiboot 2
 * address tag) so that loaders place the image as a flat blob: QEMU 7.2's
 * Multiboot loader refuses ELF64 files otherwise, and the same ELF64 then
 * boots everywhere. The linker script keeps file offsets and addresses in
 * step (one PT_LOAD segment) for that.
 */
#include "kernel/boot-info.h"

#define MB1_MAGIC 0x1BADB002
#define MB1_FLAGS ((1 << 0) | (1 << 1) | (1 << 16)) /* page-aligned modules, memory map, addresses */
#define MB2_MAGIC 0xE85250D6

#define CR0_PE (1 << 0)
#define CR0_MP (1 << 1)
#define CR0_EM (1 << 2)
#define CR0_PG (1 << 31)
#define CR4_PAE (1 << 5)
#define CR4_OSFXSR (1 << 9)
#define CR4_OSXMMEXCPT (1 << 10)
#define MSR_EFER 0xC0000080
#define EFER_LME (1 << 8)

#define GDT_CODE64 0x08
#define GDT_DATA 0x10

    .section .multiboot, "a"
    .align 4
mb1_header:
    .long MB1_MAGIC
    .long MB1_FLAGS
    .long -(MB1_MAGIC + MB1_FLAGS)
    .long mb1_header      /* header_addr */
    .long __image_start   /* load_addr */
    .long __load_end      /* load_end_addr */
    .long __bss_end       /* bss_end_addr */
    .long _start32        /* entry_addr */

    .align 8
mb2_header:
    .long MB2_MAGIC
    .long 0 /* i386 protected mode */
    .long mb2_header_end - mb2_header
    .long -(MB2_MAGIC + (mb2_header_end - mb2_header))
    /* address tag */
    .short 2, 0
    .long 24
    .long mb2_header
    .long __image_start
    .long __load_end
    .long __bss_end
    /* entry address tag (padded to 8) */
    .short 3, 0
    .long 12
    .long _start32
    .long 0
    /* module alignment tag: page-aligned modules */
    .short 6, 0
    .long 8
    /* end tag */
    .short 0, 0
    .long 8
mb2_header_end:

    .section .text.boot, "ax"
    .code32
    .global _start32
_start32:
    cli
    cld
    mov $kern_stack_top, %esp
    mov %eax, %edi
    mov %ebx, %esi

    /* A CPU without long mode gets a message on COM1 instead of a triple fault. */
    mov $0x80000000, %eax
    cpuid
    cmp $0x80000001, %eax
    jb no_long_mode
    mov $0x80000001, %eax
    cpuid
    bt $29, %edx
    jnc no_long_mode

    /* Identity map 0..4 GiB with 2 MiB pages: PML4[0] -> PDPT[0..3] -> 4 PDs. */
    mov $kern_boot_pd, %ebx
    xor %ecx, %ecx
1:  mov %ecx, %eax
    shl $21, %eax
    or $0x87, %eax /* present, writable, user (the kernel runs in ring 3), 2 MiB */
    mov %eax, (%ebx, %ecx, 8)
    mov %ecx, %eax
    shr $11, %eax /* bits 32+ of the address: ecx * 2 MiB >> 32 */
    mov %eax, 4(%ebx, %ecx, 8)
    inc %ecx
    cmp $2048, %ecx
    jb 1b
    mov $kern_boot_pdpt, %ebx
    xor %ecx, %ecx
2:  mov %ecx, %eax
    shl $12, %eax
    add $kern_boot_pd + 0x7, %eax
    mov %eax, (%ebx, %ecx, 8)
    inc %ecx
    cmp $4, %ecx
    jb 2b
    mov $kern_boot_pdpt + 0x7, %eax
    mov %eax, kern_boot_pml4

    mov %cr4, %eax
    or $CR4_PAE, %eax
    mov %eax, %cr4
    mov $kern_boot_pml4, %eax
    mov %eax, %cr3
    mov $MSR_EFER, %ecx
    rdmsr
    or $EFER_LME, %eax
    wrmsr
    mov %cr0, %eax
    or $(CR0_PG | CR0_PE), %eax
    mov %eax, %cr0
    lgdt gdt_ptr
    ljmp $GDT_CODE64, $entry64_from32

no_long_mode:
    mov $msg_no_lm, %esi
3:  lodsb
    test %al, %al
    jz 4f
    mov $0x3f8, %dx
    out %al, %dx
    jmp 3b
4:  hlt
    jmp 4b

    .code64
entry64_from32:
    /* Upper halves of registers are undefined after the mode switch. */
    mov %edi, %edi
    mov %esi, %esi
    jmp entry64

    .global kern_efi_entry
kern_efi_entry:
    cli
    cld
    mov $kern_stack_top, %rsp
    push %rdi
    push %rsi
    call kern_build_boot_tables
    pop %rsi
    pop %rdi
    lgdt gdt_ptr
    mov $kern_boot_pml4, %rax
    mov %rax, %cr3
    /* Reload CS with a far return: there is no 64-bit ljmp to an immediate. */
    pushq $GDT_CODE64
    lea entry64(%rip), %rax
    push %rax
    lretq

entry64:
    mov $GDT_DATA, %ax
    mov %ax, %ds
    mov %ax, %es
    mov %ax, %ss
    xor %eax, %eax
    mov %ax, %fs
    mov %ax, %gs
    mov $kern_stack_top, %rsp

    /* SSE: the emulator and newlib use host floating point. */
    mov %cr0, %rax
    and $~CR0_EM, %rax
    or $CR0_MP, %rax
    mov %rax, %cr0
    mov %cr4, %rax
    or $(CR4_OSFXSR | CR4_OSXMMEXCPT), %rax
    mov %rax, %cr4
    fninit

    xor %ebp, %ebp /* ends the backtrace */
    call kern_start /* (magic, info): continues in ring 3, never returns */
5:  hlt
    jmp 5b

    .section .rodata
msg_no_lm:
    .asciz "baremu: this CPU has no 64-bit mode; the appliance needs an x86_64 PC\r\n"

    .align 16
gdt:
    .quad 0
    .quad 0x00AF9A000000FFFF /* 0x08: 64-bit code */
    .quad 0x00CF92000000FFFF /* 0x10: data */
gdt_end:
gdt_ptr:
    .short gdt_end - gdt - 1
    .quad gdt

    .section .bss
    .align 4096
    .global kern_boot_pml4, kern_boot_pdpt, kern_boot_pd
kern_boot_pml4:
    .skip 4096
kern_boot_pdpt:
    .skip 4096
kern_boot_pd:
    .skip 4 * 4096
    .align 16
    .global kern_stack_top
kern_stack:
    .skip 256 * 1024
kern_stack_top:
