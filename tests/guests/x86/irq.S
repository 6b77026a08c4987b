/*
 * irq.S - interrupts in real mode (the paravirtual KVM here cannot emulate
 * a 32-bit protected-mode IRET, neither under QEMU nor under baremu): the
 * 8259 pair programmed as a PC BIOS does but with vectors 0x20/0x28, the
 * 8254's channel 0 at 100 Hz waking HLT through IRQ 0, the ISR seen from
 * the handler, PIT read-back status, and the UART's transmit interrupt on
 * IRQ 4.
 */
#include "guest.h"

#define TICKS 0x600
#define ISR_SEEN 0x602
#define UART_IRQS 0x604
#define UART_IIR 0x606

    RESET_VECTOR
    .code16
start16:
    cli
    xor %ax, %ax
    mov %ax, %ss
    mov %ax, %ds
    mov %ax, %es
    mov $0x7000, %sp
    PUTS16 msg_start

    /* IVT: every vector to "unexpected", then the ones we use. */
    xor %di, %di
    mov $256, %cx
1:  movw $(unexpected - BASE), (%di)
    movw $0xf000, 2(%di)
    add $4, %di
    loop 1b
    movw $(timer_handler - BASE), 0x20 * 4
    movw $(uart_handler - BASE), 0x24 * 4
    movw $0, TICKS
    movw $0, ISR_SEEN
    movw $0, UART_IRQS

    /*
     * QEMU's local APIC passes the PIC's output on only while it is disabled
     * or LINT0 is in ExtINT mode: disable it (our pc has no local APIC).
     */
    mov $0x1b, %ecx
    rdmsr
    and $~0x800, %eax
    wrmsr

    /* ICW1-4 for both chips: edge, cascade, 8086 mode; then mask all but IRQ 0. */
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
    mov $0xfe, %al
    out %al, $0x21
    mov $0xff, %al
    out %al, $0xa1
    in $0x21, %al
    cmp $0xfe, %al
    jne fail
    PUTS16 msg_pic

    /* PIT channel 0, lo/hi, mode 2, 11932 (100 Hz); read-back status of channel 0. */
    mov $0x34, %al
    out %al, $0x43
    mov $(11932 & 0xff), %al
    out %al, $0x40
    mov $(11932 >> 8), %al
    out %al, $0x40
    mov $0xe2, %al /* read-back: status only, channel 0 */
    out %al, $0x43
    in $0x40, %al
    and $0x3f, %al
    cmp $0x34, %al
    jne fail
    PUTS16 msg_status

    sti
2:  hlt
    cmpw $5, TICKS
    jb 2b
    cli
    PUTS16 msg_ticks
    cmpw $1, ISR_SEEN
    jne fail
    PUTS16 msg_isr

    /* UART: THR-empty interrupt on IRQ 4. */
    mov $0xef, %al /* IRQ 4 only */
    out %al, $0x21
    mov $0x08, %al /* MCR OUT2: the PC's interrupt enable */
    mov $(COM1 + 4), %dx
    out %al, %dx
    mov $0x02, %al /* IER: THRE */
    mov $(COM1 + 1), %dx
    out %al, %dx
    sti
    mov $0xffff, %cx
3:  cmpw $0, UART_IRQS
    jne 4f
    loop 3b
4:  cli
    xor %al, %al
    mov $(COM1 + 1), %dx
    out %al, %dx
    cmpw $1, UART_IRQS
    jne fail
    cmpw $0x02, UART_IIR
    jne fail
    PUTS16 msg_uart
    mov $0x10, %al
    out %al, $DEBUG_EXIT
5:  hlt
    jmp 5b

fail:
    PUTS16 msg_fail
    mov $0x7f, %al
    out %al, $DEBUG_EXIT
    jmp 5b

timer_handler:
    push %ax
    incw TICKS
    mov $0x0b, %al /* OCW3: read ISR */
    out %al, $0x20
    in $0x20, %al
    xor %ah, %ah
    mov %ax, ISR_SEEN
    mov $0x0a, %al /* back to IRR */
    out %al, $0x20
    mov $0x20, %al
    out %al, $0x20
    pop %ax
    iret

uart_handler:
    push %ax
    push %dx
    incw UART_IRQS
    mov $(COM1 + 2), %dx
    in %dx, %al
    xor %ah, %ah
    mov %ax, UART_IIR
    xor %al, %al /* IER off: one interrupt is enough */
    mov $(COM1 + 1), %dx
    out %al, %dx
    mov $0x20, %al
    out %al, $0x20
    pop %dx
    pop %ax
    iret

unexpected:
    PUTS16 msg_unexpected
    mov $0x7e, %al
    out %al, $DEBUG_EXIT
    jmp 5b

    PUTS_ROUTINES
msg_start:  .asciz "real mode: ok\n"
msg_pic:    .asciz "pic mask: ok\n"
msg_status: .asciz "pit read-back status: ok\n"
msg_ticks:  .asciz "pit: 5 ticks woke hlt\n"
msg_isr:    .asciz "isr in handler: ok\n"
msg_uart:   .asciz "uart thre irq: ok\n"
msg_fail:   .asciz "FAILED\n"
msg_unexpected: .asciz "unexpected interrupt\n"
