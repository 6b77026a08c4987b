/* Entry at 0x80000000 in M-mode (QEMU virt -bios): stack, FPU on, main. */
    .section .text.init, "ax"
    .globl _start
_start:
    csrr t0, mhartid
    bnez t0, 2f
    la sp, __stack_top
    li t0, 0x6000          /* mstatus.FS = dirty */
    csrs mstatus, t0
    csrwi fcsr, 0
    call main
2:  wfi
    j 2b
