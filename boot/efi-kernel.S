/*
 * efi-kernel.S - the appliance kernel (baremu.elf without debug sections)
 * carried inside baremu.efi; efi-loader.c places its PT_LOAD segment.
 */
    .section .data
    .balign 4096
    .global efi_kernel_image, efi_kernel_image_end
efi_kernel_image:
    .incbin EFI_KERNEL_BLOB
efi_kernel_image_end:
    .section .note.GNU-stack, "", @progbits
