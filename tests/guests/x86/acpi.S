/*
 * acpi.S - a disk boot program that checks the ACPI tables the firmware
 * installed, as an OS would find them: the RSDP by its signature in
 * 0xe0000-0xfffff (checksums of 20 and, for revision 2, 36 bytes), the
 * RSDT and every table it lists (signature and checksum), the FADT's SCI
 * and PM1a_CNT, the DSDT's \_S5 package, the MADT's local APIC, I/O APIC
 * and IRQ 0 -> GSI 2 override; then it powers off through ACPI S5 with the
 * SLP_TYP the DSDT names. The boot sector loads the rest of the program
 * (int 13h extensions) and reaches the tables above 1 MiB with FS in
 * unreal mode. Same output expected on QEMU (whose tables differ in
 * detail, not in these points).
 */
#include "common.h"

#define NSECT 4

    BOOT_SECTOR NSECT

main:
    UNREAL_FS

    /* The RSDP: "RSD PTR " on a 16-byte boundary with a valid checksum. */
    mov $0xe0000, %edi
1:  FSL(0), %eax
    cmp $0x20445352, %eax /* "RSD " */
    jne 2f
    FSL(4), %eax
    cmp $0x20525450, %eax /* "PTR " */
    jne 2f
    mov $20, %ecx
    call csum
    jz 3f
2:  add $16, %edi
    cmp $0x100000, %edi
    jb 1b
    jmp fail
3:  FSB(15), %eax /* revision 2 and up: the extended checksum too */
    cmp $2, %al
    jb 4f
    mov $36, %ecx
    call csum
    jnz fail
4:  mov $msg_rsdp, %si
    call puts

    FSL(16), %edi /* RSDT */
    mov $0x54445352, %eax /* "RSDT" */
    call table_ok
    jnz fail
    FSL(4), %ecx
    sub $36, %ecx
    shr $2, %ecx
    jz fail
    lea 36(%edi), %esi
5:  push %ecx
    push %esi
    addr32 mov %fs:(%esi), %edi
    FSL(0), %eax
    call table_ok
    jnz fail
    cmp $0x50434146, %eax /* "FACP" */
    jne 6f
    mov %edi, facp
6:  cmp $0x43495041, %eax /* "APIC" */
    jne 7f
    mov %edi, madt
7:  pop %esi
    pop %ecx
    add $4, %esi
    dec %ecx
    jnz 5b
    mov $msg_rsdt, %si
    call puts

    /* FADT: SCI on IRQ 9, a PM1a control block, the DSDT. */
    mov facp, %edi
    test %edi, %edi
    jz fail
    addr32 movzwl %fs:46(%edi), %eax
    cmp $9, %eax
    jne fail
    FSL(64), %eax
    test %eax, %eax
    jz fail
    mov %eax, pm1a_cnt
    FSL(40), %edi
    mov $0x54445344, %eax /* "DSDT" */
    call table_ok
    jnz fail
    mov $msg_fadt, %si
    call puts

    /* \_S5: the name, then PackageOp, a one-byte PkgLength, NumElements, SLP_TYPa. */
    FSL(4), %ecx
    sub $8, %ecx
8:  FSL(0), %eax
    cmp $0x5f35535f, %eax /* "_S5_" */
    je 9f
    inc %edi
    loop 8b
    jmp fail
9:  FSB(4), %eax
    cmp $0x12, %al
    jne fail
    FSB(7), %eax /* Zero (0x00), One (0x01) or BytePrefix (0x0a) value */
    cmp $0x0a, %al
    jne 10f
    FSB(8), %eax
    jmp 11f
10: cmp $1, %al
    ja fail
11: mov %eax, slp_typ
    mov $msg_s5, %si
    call puts

    /* MADT: local APIC 0 enabled, the I/O APIC at 0xfec00000, IRQ 0 on GSI 2. */
    mov madt, %edi
    test %edi, %edi
    jz fail
    FSL(4), %ecx
    add %edi, %ecx
    add $44, %edi
12: cmp %ecx, %edi
    jae 16f
    FSB(0), %eax
    cmp $0, %al
    jne 13f
    FSL(4), %eax
    test $1, %al
    jz 15f
    orb $1, found
    jmp 15f
13: cmp $1, %al
    jne 14f
    FSL(4), %eax
    cmp $0xfec00000, %eax
    jne 15f
    orb $2, found
    jmp 15f
14: cmp $2, %al
    jne 15f
    FSB(3), %eax
    test %al, %al
    jnz 15f
    FSL(4), %eax
    cmp $2, %eax
    jne 15f
    orb $4, found
15: FSB(1), %eax
    test %eax, %eax
    jz fail
    add %eax, %edi
    jmp 12b
16: cmpb $7, found
    jne fail
    mov $msg_madt, %si
    call puts

    /* S5: SLP_TYPa with SLP_EN in PM1a_CNT. */
    mov $msg_off, %si
    call puts
    mov slp_typ, %eax
    shl $10, %eax
    or $0x2000, %eax
    mov pm1a_cnt, %edx
    out %ax, %dx
    mov $1024, %bx
17: mov $0xffff, %cx
18: loop 18b
    dec %bx
    jnz 17b
    mov $msg_on, %si
    call puts
fail:
    mov $msg_fail, %si
    call puts
    mov $0x7f, %al
    out %al, $0xf4
19: hlt
    jmp 19b

/* ZF set if the ecx bytes at flat edi sum to 0. */
csum:
    push %edi
    push %ecx
    xor %bl, %bl
1:  addr32 addb %fs:(%edi), %bl
    inc %edi
    loop 1b
    pop %ecx
    pop %edi
    test %bl, %bl
    ret

/* ZF set if the table at edi has signature eax and sums to 0 over its length. */
table_ok:
    push %eax
    FSL(0), %ebx
    cmp %eax, %ebx
    jne 1f
    FSL(4), %ecx
    cmp $36, %ecx
    jb 1f
    call csum
    pop %eax
    ret
1:  pop %eax
    or $1, %bl /* clears ZF */
    ret

    DISK_ROUTINES
facp: .long 0
madt: .long 0
pm1a_cnt: .long 0
slp_typ: .long 0
found: .byte 0
msg_rsdp: .asciz "acpi: RSDP found, checksums ok\n"
msg_rsdt: .asciz "acpi: RSDT and every table it lists check out\n"
msg_fadt: .asciz "acpi: FADT with SCI 9 and PM1a_CNT, DSDT checks out\n"
msg_s5:   .asciz "acpi: DSDT names \\_S5\n"
msg_madt: .asciz "acpi: MADT: local APIC, I/O APIC at 0xfec00000, IRQ 0 on GSI 2\n"
msg_off:  .asciz "acpi: S5\n"
msg_on:   .asciz "acpi: still running after S5\n"
msg_fail: .asciz "FAILED\n"
    .org NSECT * 512 + 512 - 1
    .byte 0
