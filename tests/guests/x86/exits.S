/*
 * exits.S - the exit-rate workload of bench/x86.sh: COUNT port writes to
 * an unclaimed port (each one a VM exit handled by the emulator), then
 * isa-debug-exit. Built with COUNT=0 too, to subtract start-up time.
 */
#include "guest.h"

    RESET_VECTOR
    .code16
start16:
    cli
    mov $COUNT, %ecx
    test %ecx, %ecx
    jz 2f
    mov $0x80, %dx
1:  out %al, %dx
    dec %ecx
    jnz 1b
2:  mov $0x10, %al
    out %al, $DEBUG_EXIT
3:  hlt
    jmp 3b
