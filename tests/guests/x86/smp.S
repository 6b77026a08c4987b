/*
 * smp.S - several CPUs (-smp 2 to 8) and the IPIs between their local APICs,
 * as an OS brings them up and uses them:
 *  - the BSP (APIC ID 0, IA32_APIC_BASE's BSP flag) takes the CPU count from
 *    CMOS 0x5f as SeaBIOS does and starts the APs with INIT, SIPI, SIPI to
 *    all excluding self (the SDM's sequence) at a real-mode trampoline at
 *    0x20000; each AP goes to protected mode, enables its APIC (flat logical
 *    model, LDR bit 24 + ID), checks CPUID's initial APIC ID and the BSP
 *    flag, and prints "AP <id> up";
 *  - a fixed IPI by physical destination to each AP in turn, whose handler
 *    answers with a fixed IPI to the BSP, which counts the answers;
 *  - a fixed IPI to all excluding self, and one to a logical flat-model
 *    destination (the APs of odd ID);
 *  - an NMI IPI to the last AP;
 *  - the PIT's IRQ 0 through I/O APIC pin 2 to the last AP (physical);
 *  - the last AP spinning in its handler (IF=0, PAUSE, no exits) until the
 *    BSP sets a flag, as SeaBIOS's APs wait for the lock its BSP holds:
 *    the spinner must not keep the BSP from running;
 *  - INIT to AP 1 (asserted, then the level de-assert Linux sends too),
 *    then SIPI to another trampoline (0x21000): AP 1 starts over, says so
 *    and answers an IPI again;
 *  - no interrupt or IPI reached a CPU it was not meant for.
 * CMOS 0x5f and fw_cfg's NB_CPUS must agree. Built with -DDISK (smpdisk.img)
 * it is a disk boot program SeaBIOS loads, after SeaBIOS woke the APs once
 * itself to count them: it checks first that the machine's MADT lists every
 * CPU, enabled, APIC IDs 0 to N - 1, and that every CPU of SeaBIOS's MP
 * table is enabled (woken), and then does all of the above.
 * Interrupts are taken in real mode through the IVT, shared by all CPUs
 * (the paravirtual KVM of our development machines cannot IRET in
 * protected mode), with FS in unreal mode on every CPU for the APIC pages.
 * Output is serialized: the CPUs a step is for print in APIC ID order, each
 * waiting for its turn (TICKET); the BSP prints only while they are all
 * waiting. Every wait is a spin with PAUSE and a budget of iterations rather
 * than of time: under baremu the vCPUs run round-robin on one thread, a
 * vCPU only while the others halt or use up their slice; the APs halt while
 * they have nothing to do. Status 33 on success.
 */
#ifdef DISK
#define BASE 0 /* loaded at 0x7c00 and on, CS and DS 0 */
#define NSECT 10
#endif
#include "guest.h"
#include "common.h"

#define TICKET 0x600    /* APIC ID whose turn it is to print, DONE after the last */
#define TARGETS 0x601   /* CPUs the current step is for, one bit per APIC ID */
#define PONGS 0x602     /* answers to fixed IPIs, counted by the BSP */
#define NMI_SEEN 0x603
#define PIT_TICKS 0x604
#define PIT_DONE 0x605
#define ERRORS 0x606    /* interrupts on a CPU they were not for, failed waits in handlers */
#define WRONG_CPU 0x607 /* the last CPU that got one */
#define NCPUS 0x608
#define LAST_AP 0x609   /* target of the NMI and of the I/O APIC */
#define ID_BAD 0x60a    /* CPUs whose CPUID initial APIC ID or BSP flag was wrong */
#define FLAG 0x60b      /* set by the BSP while the last AP spins for it */
#define SPIN_LOST 0x60c /* the last AP spun out its budget waiting for FLAG */
#define STARTS 0x610    /* times each CPU came up, by APIC ID */
#define VARS_END 0x620

#define DONE 0xff
#define SPIN 0x1000000 /* PAUSE iterations a wait may take: 50 round-robin rounds or more */
#define RESTART_AP 1
#define TRAMPOLINE1 0x20000 /* SIPI vector 0x20 (SeaBIOS's own is at 0x10000) */
#define TRAMPOLINE2 0x21000 /* SIPI vector 0x21 */
#define STACK_TOP 0x7000   /* the BSP's; each AP's is 1 KiB lower per APIC ID */

#define VEC_PING 0x50
#define VEC_PONG 0x51
#define VEC_BCAST 0x52
#define VEC_LOGICAL 0x53
#define VEC_PIT 0x54
#define VEC_SPIN 0x55

/* ICR bits (SDM vol. 3A 10.6.1). */
#define ICR_NMI 0x400
#define ICR_INIT 0x500
#define ICR_SIPI 0x600
#define ICR_LOGICAL 0x800
#define ICR_BUSY 0x1000
#define ICR_ASSERT 0x4000
#define ICR_LEVEL 0x8000
#define ICR_ALL_BUT_SELF 0xc0000

/* Spin until it is the turn of APIC ID %bl, else jump to fail (either mode; clobbers ecx). */
.macro WAIT_TURN fail
    mov $SPIN, %ecx
.Lwait\@:
    cmpb %bl, TICKET
    je .Lturn\@
    pause
    dec %ecx
    jnz .Lwait\@
    jmp \fail
.Lturn\@:
.endm

/* The turn goes to the next target above APIC ID %bl, DONE after the last (clobbers eax, ecx). */
.macro NEXT_TURN
    movzbl TARGETS, %eax
    mov %bl, %cl
    inc %cl
    shr %cl, %eax
    jz .Lnone\@
    bsf %eax, %eax
    add %cl, %al
    jmp .Lset\@
.Lnone\@:
    mov $DONE, %al
.Lset\@:
    mov %al, TICKET
.endm

/* A far jump at a SIPI trampoline page to CS:label (run in real mode at vector << 12). */
.macro TRAMPOLINE page, label
    mov $\page, %edi
    addr32 movb $0xea, %fs:(%edi)
    addr32 movw $(\label - BASE), %fs:1(%edi)
    addr32 movw $(BASE >> 4), %fs:3(%edi)
.endm

#ifdef DISK
    BOOT_SECTOR NSECT
main:
#else
    RESET_VECTOR
    .code16
start16:
#endif
    cli
    cld
    xor %ax, %ax
    mov %ax, %ss
    mov %ax, %ds
    mov %ax, %es
    mov $STACK_TOP, %sp
    IVT_FILL unexpected
    movw $(nmi_isr - BASE), 2 * 4
    movw $(ping_isr - BASE), VEC_PING * 4
    movw $(pong_isr - BASE), VEC_PONG * 4
    movw $(bcast_isr - BASE), VEC_BCAST * 4
    movw $(logical_isr - BASE), VEC_LOGICAL * 4
    movw $(pit_isr - BASE), VEC_PIT * 4
    movw $(spin_isr - BASE), VEC_SPIN * 4
    movw $(spurious_isr - BASE), 0xff * 4
    mov $TICKET, %di
    mov $(VARS_END - TICKET), %cx
    xor %al, %al
    rep stosb
    PIC_INIT_MASKED
    UNREAL_FS

    /* The BSP: APIC ID 0, the BSP flag; the CPU count from CMOS 0x5f (count - 1) and fw_cfg. */
    xor %bl, %bl
    call check_id
    APIC_RD 0x20
    shr $24, %eax
    jnz fail_bsp_id
    incb STARTS
    mov $0x5f, %al
    out %al, $0x70
    in $0x71, %al
    inc %al
    cmp $2, %al
    jb fail_count
    cmp $8, %al
    ja fail_count
    mov %al, NCPUS
    dec %al
    mov %al, LAST_AP
    mov $0x510, %dx
    mov $5, %ax /* FW_CFG_NB_CPUS, 16 bits */
    out %ax, %dx
    inc %dx
    in %dx, %al
    mov %al, %cl
    in %dx, %al
    mov %al, %ch
    movzbw NCPUS, %ax
    cmp %ax, %cx
    jne fail_fw_cfg
#ifdef DISK
    PUTS16 msg_newline /* after SeaBIOS's "Booting from Hard Disk..." */
#endif
    PUTS16 msg_bsp
    movzbl NCPUS, %eax
    call putdigit
    PUTS16 msg_cpus
#ifdef DISK
    call check_madt
    call check_mptable
#endif
    call apic_setup

    /* INIT, SIPI, SIPI to all excluding self; the APs print in turn. */
    TRAMPOLINE TRAMPOLINE1, ap_start
    TRAMPOLINE TRAMPOLINE2, ap_restart
    call all_aps
    xor %edx, %edx
    mov $(ICR_ALL_BUT_SELF | ICR_ASSERT | ICR_INIT), %eax
    call send_ipi
    mov $10000, %ecx
    call delay_us
    mov $(ICR_ALL_BUT_SELF | ICR_ASSERT | ICR_SIPI | (TRAMPOLINE1 >> 12)), %eax
    call send_ipi
    mov $200, %ecx
    call delay_us
    call send_ipi
    mov $200, %ecx
    call delay_us
    mov $DONE, %al
    mov $TICKET, %di
    mov $(msg_wait_up - BASE), %si
    call wait_byte
    PUTS16 msg_all_up

    /* A fixed IPI by physical destination to each AP in turn; each answers the BSP. */
    sti
    mov $1, %bl
1:  movzbl %bl, %edx
    shl $24, %edx
    mov $VEC_PING, %eax
    call send_ipi
    mov %bl, %al
    mov $PONGS, %di
    mov $(msg_wait_pong - BASE), %si
    call wait_byte
    inc %bl
    cmp NCPUS, %bl
    jb 1b
    PUTS16 msg_pongs

    /* A fixed IPI to all excluding self. */
    call all_aps
    xor %edx, %edx
    mov $(ICR_ALL_BUT_SELF | VEC_BCAST), %eax
    call send_ipi
    mov $DONE, %al
    mov $TICKET, %di
    mov $(msg_wait_bcast - BASE), %si
    call wait_byte

    /* A fixed IPI to logical destination 0xaa (flat model): the APs of odd APIC ID. */
    call all_aps
    andb $0xaa, TARGETS
    movb $1, TICKET
    PUTS16 msg_logical
    movzbl TARGETS, %eax
    call puthex8
    PUTS16 msg_newline
    movzbl TARGETS, %edx
    shl $24, %edx
    mov $(ICR_LOGICAL | VEC_LOGICAL), %eax
    call send_ipi
    mov $DONE, %al
    mov $TICKET, %di
    mov $(msg_wait_logical - BASE), %si
    call wait_byte

    /* An NMI to the last AP. */
    movzbl LAST_AP, %edx
    shl $24, %edx
    mov $ICR_NMI, %eax
    call send_ipi
    mov $1, %al
    mov $NMI_SEEN, %di
    mov $(msg_wait_nmi - BASE), %si
    call wait_byte

    /* The PIT's IRQ 0 on I/O APIC pin 2: vector VEC_PIT, edge, physical destination the last AP. */
    mov $IOAPIC, %edi
    movl $0x15, %eax
    addr32 mov %eax, %fs:(%edi)
    movzbl LAST_AP, %eax
    shl $24, %eax
    addr32 mov %eax, %fs:0x10(%edi)
    IOAPIC_WR 0x14, VEC_PIT
    mov $0x34, %al /* channel 0, lobyte/hibyte, mode 2, 100 Hz */
    out %al, $0x43
    mov $(11932 & 0xff), %al
    out %al, $0x40
    mov $(11932 >> 8), %al
    out %al, $0x40
    mov $1, %al
    mov $PIT_DONE, %di
    mov $(msg_wait_pit - BASE), %si
    call wait_byte
    IOAPIC_WR 0x14, 0x10000 | VEC_PIT
    mov $0x30, %al /* channel 0 in mode 0 without a count: stopped */
    out %al, $0x43

    /*
     * The last AP spins for FLAG in its handler without exits; sending the IPI ends the
     * BSP's slice under baremu, so the BSP sets FLAG only once the spinner was preempted.
     */
    movb $0, FLAG
    movb $0, PONGS
    movzbl LAST_AP, %edx
    shl $24, %edx
    mov $VEC_SPIN, %eax
    call send_ipi
    movb $1, FLAG
    mov $1, %al
    mov $PONGS, %di
    mov $(msg_wait_pong - BASE), %si
    call wait_byte
    cmpb $0, SPIN_LOST
    jne fail_spin

    /* INIT to AP 1 (assert, then de-assert), SIPI, SIPI to the other trampoline. */
    movb $(1 << RESTART_AP), TARGETS
    movb $RESTART_AP, TICKET
    mov $(RESTART_AP << 24), %edx
    mov $(ICR_ASSERT | ICR_LEVEL | ICR_INIT), %eax
    call send_ipi
    mov $(ICR_LEVEL | ICR_INIT), %eax
    call send_ipi
    mov $10000, %ecx
    call delay_us
    mov $(ICR_ASSERT | ICR_SIPI | (TRAMPOLINE2 >> 12)), %eax
    call send_ipi
    mov $200, %ecx
    call delay_us
    call send_ipi
    mov $200, %ecx
    call delay_us
    mov $DONE, %al
    mov $TICKET, %di
    mov $(msg_wait_restart - BASE), %si
    call wait_byte
    /* It answers a fixed IPI again. */
    movb $0, PONGS
    mov $(RESTART_AP << 24), %edx
    mov $VEC_PING, %eax
    call send_ipi
    mov $1, %al
    mov $PONGS, %di
    mov $(msg_wait_pong - BASE), %si
    call wait_byte
    cli

    /* Every CPU came up once, AP 1 twice; nothing went astray. */
    xor %bx, %bx
2:  mov STARTS(%bx), %al
    cmp $RESTART_AP, %bl
    jne 3f
    dec %al
3:  cmp $1, %al
    jne fail_starts
    inc %bl
    cmp NCPUS, %bl
    jb 2b
    cmpb $0, ID_BAD
    jne fail_id
    PUTS16 msg_ids
    cmpb $0, ERRORS
    jne fail_errors
    PUTS16 msg_no_errors
    DEBUG_EXIT_WITH 0x10

fail_bsp_id:
    PUTS16 msg_bsp_id
    jmp fail
fail_count:
    PUTS16 msg_count
    jmp fail
fail_fw_cfg:
    PUTS16 msg_fw_cfg
    jmp fail
fail_spin:
    PUTS16 msg_spin_lost
    jmp fail
fail_starts:
    PUTS16 msg_starts
    jmp fail
fail_id:
    PUTS16 msg_id_bad
    movzbl ID_BAD, %eax
    call puthex8
    PUTS16 msg_newline
    jmp fail
fail_errors:
    PUTS16 msg_errors
    movzbl WRONG_CPU, %eax
    call putdigit
    PUTS16 msg_newline
fail:
    cli
    PUTS16 msg_fail
    DEBUG_EXIT_WITH 0x7f

/* TARGETS: every AP; TICKET: AP 1. */
all_aps:
    mov NCPUS, %cl
    mov $1, %al
    shl %cl, %al
    sub $2, %al
    mov %al, TARGETS
    movb $1, TICKET
    ret

/*
 * The BSP's local APIC: enabled, LINT0 masked, flat logical model with LDR
 * bit 24. The APs do the same in protected mode.
 */
apic_setup:
    APIC_WR 0xf0, 0x1ff    /* SVR: enabled, spurious vector 0xff */
    APIC_WR 0x80, 0        /* TPR */
    APIC_WR 0x350, 0x10700 /* LINT0: masked ExtINT */
    APIC_WR 0xe0, 0xffffffff /* DFR: flat */
    APIC_WR 0xd0, 0x01000000 /* LDR */
    ret

/*
 * Wait (IF as the caller has it) until the byte at DS:di is al, else print
 * "smp: timed out waiting for " and the string at CS:si and fail.
 */
wait_byte:
    mov $SPIN, %ecx
1:  cmp %al, (%di)
    je 2f
    pause
    dec %ecx
    jnz 1b
    cli
    push %si
    PUTS16 msg_timeout
    pop %si
    call puts16
    jmp fail
2:  ret

/* ICR delivery status idle, else fail (clobbers ecx). */
icr_idle:
    push %eax
    push %edi
    mov $SPIN, %ecx
1:  APIC_RD 0x300
    test $ICR_BUSY, %eax
    jz 2f
    pause
    dec %ecx
    jnz 1b
    pop %edi
    pop %eax
    jmp icr_stuck
2:  pop %edi
    pop %eax
    ret

/* Send an IPI: edx the ICR's high half (destination), eax its low half. */
send_ipi:
    push %edi
    push %ecx
    call icr_idle
    mov $(APIC + 0x310), %edi
    addr32 mov %edx, %fs:(%edi)
    mov $(APIC + 0x300), %edi
    addr32 mov %eax, %fs:(%edi)
    call icr_idle
    pop %ecx
    pop %edi
    ret

/* At least ecx microseconds on the masked APIC timer (1 GHz, divide by 1), polled. */
delay_us:
    push %eax
    push %edi
    push %ecx
    APIC_WR 0x320, 0x10000
    APIC_WR 0x3e0, 0xb
    pop %eax
    imul $1000, %eax
    mov $(APIC + 0x380), %edi
    addr32 mov %eax, %fs:(%edi)
    mov $SPIN, %ecx
1:  APIC_RD 0x390
    test %eax, %eax
    jz 2f
    pause
    dec %ecx
    jnz 1b
2:  pop %edi
    pop %eax
    ret

/* CPU %bl: CPUID's initial APIC ID is bl and IA32_APIC_BASE's BSP flag set on 0 only. */
check_id:
    push %ebx
    mov $1, %eax
    cpuid
    shr $24, %ebx
    pop %edx
    push %edx
    cmp %dl, %bl
    jne 1f
    mov $0x1b, %ecx
    rdmsr
    pop %edx /* rdmsr's high half took it */
    push %edx
    shr $8, %eax
    and $1, %al
    test %dl, %dl
    sete %ah
    cmp %ah, %al
    je 2f
1:  mov %dl, %cl
    mov $1, %al
    shl %cl, %al
    lock orb %al, ID_BAD
2:  pop %ebx
    ret

/* AL's low digit on COM1 (0-9). */
putdigit:
    add $'0', %al
    mov $COM1, %dx
    out %al, %dx
    ret

/* AL as two hex digits. */
puthex8:
    push %ax
    shr $4, %al
    call puthexdigit
    pop %ax
    and $0xf, %al
puthexdigit:
    and $0xf, %al
    cmp $10, %al
    jb 1f
    add $('a' - '0' - 10), %al
1:  jmp putdigit

/* "AP <bl>" then the string at CS:si. */
ap_say:
    push %si
    PUTS16 msg_ap
    mov %bl, %al
    call putdigit
    pop %si
    jmp puts16

icr_stuck:
    cli
    PUTS16 msg_icr
    jmp fail

/*
 * The APs: SIPI vector 0x20 comes here, 0x21 to ap_restart. Protected mode,
 * the APIC ID from the APIC, a stack by APIC ID, the APIC enabled, then
 * "AP <id> up" in turn, and back to real mode to wait for interrupts.
 */
ap_start:
    mov $msg_up, %ebp
    jmp 1f
ap_restart:
    mov $msg_up_again, %ebp
1:  cli
    xor %ax, %ax
    mov %ax, %ds
    lgdtl %cs:(gdt_desc - BASE)
    mov %cr0, %eax
    or $1, %eax
    mov %eax, %cr0
    ljmpl $0x08, $ap_pm
    .code32
ap_pm:
    mov $0x10, %ax
    mov %ax, %ds
    mov %ax, %es
    mov %ax, %ss
    mov %ax, %fs
    mov %ax, %gs
    mov APIC + 0x20, %ebx
    shr $24, %ebx
    and $7, %ebx
    mov %ebx, %esp
    shl $10, %esp
    neg %esp
    add $STACK_TOP, %esp
    lock incb STARTS(%ebx)
    movl $0x1ff, APIC + 0xf0     /* SVR: enabled, spurious vector 0xff */
    movl $0, APIC + 0x80         /* TPR */
    movl $0x10000, APIC + 0x350  /* LINT0 masked */
    movl $0xffffffff, APIC + 0xe0 /* DFR: flat */
    mov %bl, %cl
    add $24, %cl
    mov $1, %eax
    shl %cl, %eax
    mov %eax, APIC + 0xd0        /* LDR: bit 24 + APIC ID */
    WAIT_TURN ap_lost
    PUTS msg_ap
    mov %bl, %al
    add $'0', %al
    mov $COM1, %dx
    out %al, %dx
    mov %ebp, %esi
    call puts_flat
    NEXT_TURN
ap_to_real:
    /* 16-bit segments of real-mode limits, then real mode; FS keeps its flat limit. */
    mov $0x20, %ax
    mov %ax, %ds
    mov %ax, %es
    mov %ax, %ss
    mov %ax, %gs
    ljmp $0x18, $(ap_pm16 - BASE)
ap_lost:
    lock incb ERRORS
    mov %bl, WRONG_CPU
    jmp ap_to_real
    .code16
ap_pm16:
    mov %cr0, %eax
    and $~1, %eax
    mov %eax, %cr0
    ljmp $(BASE >> 4), $(ap_real - BASE)
ap_real:
    xor %ax, %ax
    mov %ax, %ds
    mov %ax, %es
    mov %ax, %ss
    mov %ax, %gs
    /* CPUID in real mode: the check shares the BSP's code. */
    call check_id
    sti
ap_park:
    hlt
    jmp ap_park

/* Interrupt handlers, on any CPU: each checks it runs where it should. */

/* ebx = this CPU's APIC ID (clobbers eax, edi). */
.macro MY_ID
    APIC_RD 0x20
    shr $24, %eax
    mov %eax, %ebx
.endm

/* A fixed IPI from the BSP: say so and answer. */
ping_isr:
    pushal
    MY_ID
    test %bl, %bl
    jz wrong_cpu
    mov $(msg_ping - BASE), %si
    call ap_say
    APIC_WR 0xb0, 0
    xor %edx, %edx
    mov $VEC_PONG, %eax
    call send_ipi
    popal
    iret

/* The BSP counts the answers. */
pong_isr:
    pushal
    MY_ID
    test %bl, %bl
    jnz wrong_cpu
    incb PONGS
    APIC_WR 0xb0, 0
    popal
    iret

bcast_isr:
    pushal
    mov $(msg_bcast - BASE), %si
    jmp turn_isr
logical_isr:
    pushal
    mov $(msg_logical_got - BASE), %si
/* For the CPUs in TARGETS: the string at CS:si in turn. */
turn_isr:
    MY_ID
    movzbl TARGETS, %eax
    bt %bx, %ax
    jnc wrong_cpu
    WAIT_TURN lost_turn
    call ap_say
    NEXT_TURN
    APIC_WR 0xb0, 0
    popal
    iret

nmi_isr:
    pushal
    MY_ID
    cmp LAST_AP, %bl
    jne wrong_nmi
    mov $(msg_nmi - BASE), %si
    call ap_say
    movb $1, NMI_SEEN
    popal
    iret

pit_isr:
    pushal
    MY_ID
    cmp LAST_AP, %bl
    jne wrong_cpu
    incb PIT_TICKS
    cmpb $3, PIT_TICKS
    jne 1f
    mov $(msg_pit - BASE), %si
    call ap_say
    movb $1, PIT_DONE
1:  APIC_WR 0xb0, 0
    popal
    iret

/* Spin (IF=0, no exits) until the BSP sets FLAG, then say so and answer. */
spin_isr:
    pushal
    MY_ID
    cmp LAST_AP, %bl
    jne wrong_cpu
    mov $SPIN, %ecx
1:  cmpb $1, FLAG
    je 2f
    pause
    dec %ecx
    jnz 1b
    movb $1, SPIN_LOST
    jmp 3f
2:  mov $(msg_spun - BASE), %si
    call ap_say
3:  APIC_WR 0xb0, 0
    xor %edx, %edx
    mov $VEC_PONG, %eax
    call send_ipi
    popal
    iret

spurious_isr:
    iret

unexpected:
    pushal
    MY_ID
wrong_cpu:
    APIC_WR 0xb0, 0
wrong_nmi:
    lock incb ERRORS
    mov %bl, WRONG_CPU
    popal
    iret
lost_turn:
    lock incb ERRORS
    mov %bl, WRONG_CPU
    APIC_WR 0xb0, 0
    popal
    iret

#ifdef DISK
/*
 * The MADT (found through the RSDP and the RSDT) lists NCPUS enabled local
 * APICs (type 0), APIC IDs 0 to NCPUS - 1 in order.
 */
check_madt:
    mov $0xe0000, %edi
1:  FSL(0), %eax
    cmp $0x20445352, %eax /* "RSD " */
    jne 2f
    FSL(4), %eax
    cmp $0x20525450, %eax /* "PTR " */
    je 3f
2:  add $16, %edi
    cmp $0x100000, %edi
    jb 1b
    jmp fail_no_madt
3:  FSL(16), %edi /* the RSDT */
    FSL(4), %ecx
    sub $36, %ecx
    shr $2, %ecx
    jz fail_no_madt
    lea 36(%edi), %esi
4:  addr32 mov %fs:(%esi), %edi
    FSL(0), %eax
    cmp $0x43495041, %eax /* "APIC" */
    je 5f
    add $4, %esi
    loop 4b
    jmp fail_no_madt
5:  FSL(4), %ecx
    add %edi, %ecx
    add $44, %edi
    xor %bl, %bl /* enabled so far: the next APIC ID expected */
6:  cmp %ecx, %edi
    jae 8f
    FSB(0), %eax
    test %al, %al
    jnz 7f
    FSL(4), %eax /* flags: bit 0 enabled */
    test $1, %al
    jz 7f
    FSB(3), %eax /* APIC ID */
    cmp %bl, %al
    jne fail_bad_madt
    inc %bl
7:  FSB(1), %eax
    test %eax, %eax
    jz fail_bad_madt
    add %eax, %edi
    jmp 6b
8:  cmp NCPUS, %bl
    jne fail_bad_madt
    PUTS16 msg_madt
    movzbl %bl, %eax
    call putdigit
    PUTS16 msg_madt2
    ret
fail_no_madt:
    PUTS16 msg_no_madt
    jmp fail
fail_bad_madt:
    PUTS16 msg_bad_madt
    jmp fail

/*
 * SeaBIOS's MP table ("_MP_" in 0xf0000-0xfffff): SeaBIOS lists the first
 * CPU of each package (by CPUID's logical processor count: QEMU's -smp 4 is
 * one package, so CPU 0 alone) and marks enabled those that answered its
 * own INIT, SIPI, SIPI: each entry must be enabled, APIC IDs ascending and
 * below NCPUS, the first APIC 0 and the BSP, no other the BSP.
 */
check_mptable:
    mov $0xf0000, %edi
1:  FSL(0), %eax
    cmp $0x5f504d5f, %eax /* "_MP_" */
    je 2f
    add $16, %edi
    cmp $0x100000, %edi
    jb 1b
    jmp fail_no_mp
2:  FSL(4), %edi
    test %edi, %edi
    jz fail_no_mp
    FSL(0), %eax
    cmp $0x504d4350, %eax /* "PCMP" */
    jne fail_no_mp
    FSW(34), %ecx /* entry count */
    add $44, %edi
    xor %bl, %bl /* the lowest APIC ID the next entry may have */
    /* Processor entries (type 0) are 20 bytes, the others 8. */
3:  test %ecx, %ecx
    jz 6f
    FSB(0), %eax
    test %al, %al
    jz 4f
    add $8, %edi
    dec %ecx
    jmp 3b
4:  FSB(3), %eax /* flags: bit 0 enabled, bit 1 the BSP */
    test $1, %al
    jz fail_bad_mp
    shr $1, %al
    and $1, %al
    test %bl, %bl
    sete %ah
    cmp %ah, %al
    jne fail_bad_mp
    FSB(1), %eax /* APIC ID */
    cmp %bl, %al
    jb fail_bad_mp
    test %bl, %bl
    jnz 5f
    test %al, %al /* the first is APIC 0 */
    jnz fail_bad_mp
5:  cmp NCPUS, %al
    jae fail_bad_mp
    inc %al
    mov %al, %bl
    add $20, %edi
    dec %ecx
    jmp 3b
6:  test %bl, %bl
    jz fail_bad_mp
    PUTS16 msg_mp
    ret
fail_no_mp:
    PUTS16 msg_no_mp
    jmp fail
fail_bad_mp:
    PUTS16 msg_bad_mp
    jmp fail
#endif

/*
 * 0x08 code32 and 0x10 data, flat; 0x18 code16 at BASE and 0x20 data16 for
 * the way back to real mode. Accessed bits preset (the GDT is in ROM).
 */
    .balign 8
gdt:
    .quad 0
    .quad 0x00cf9b000000ffff
    .quad 0x00cf93000000ffff
    .quad 0x00009b000000ffff | ((BASE & 0xffffff) << 16)
    .quad 0x000093000000ffff
gdt_end:
gdt_desc:
    .word gdt_end - gdt - 1
    .long gdt

    PUTS_ROUTINES
msg_bsp:        .asciz "smp: the BSP is APIC 0; CMOS 0x5f and fw_cfg NB_CPUS say "
msg_cpus:       .asciz " CPUs\n"
msg_ap:         .asciz "AP "
msg_up:         .asciz " up\n"
msg_up_again:   .asciz " up again after INIT, from SIPI vector 0x21\n"
msg_all_up:     .asciz "smp: INIT, SIPI, SIPI to all excluding self: every AP up, in turn\n"
msg_ping:       .asciz ": fixed IPI by physical destination, answering the BSP\n"
msg_pongs:      .asciz "smp: every AP answered\n"
msg_bcast:      .asciz ": fixed IPI to all excluding self\n"
msg_logical:    .asciz "smp: fixed IPI to logical destination 0x"
msg_logical_got: .asciz ": fixed IPI by logical destination (flat model)\n"
msg_nmi:        .asciz ": NMI\n"
msg_pit:        .asciz ": PIT IRQ 0 through I/O APIC pin 2, 3 times\n"
msg_spun:       .asciz ": spun in its handler (IF=0, no exits) until the BSP set a flag\n"
msg_spin_lost:  .asciz "smp: the BSP did not run while the last AP spun without exits\n"
msg_ids:        .asciz "smp: CPUID initial APIC IDs and BSP flags right; AP 1 up twice, the others once\n"
msg_no_errors:  .asciz "smp: no interrupt reached a CPU it was not for\n"
msg_newline:    .asciz "\n"
msg_timeout:    .asciz "smp: timed out waiting for "
msg_wait_up:    .asciz "the APs to come up\n"
msg_wait_pong:  .asciz "an AP's answer\n"
msg_wait_bcast: .asciz "the broadcast IPI\n"
msg_wait_logical: .asciz "the logical IPI\n"
msg_wait_nmi:   .asciz "the NMI\n"
msg_wait_pit:   .asciz "the PIT's interrupts\n"
msg_wait_restart: .asciz "AP 1 to start again\n"
msg_icr:        .asciz "smp: the ICR stays busy\n"
msg_bsp_id:     .asciz "smp: the BSP's APIC ID is not 0\n"
msg_count:      .asciz "smp: CMOS 0x5f: not 2 to 8 CPUs\n"
msg_fw_cfg:     .asciz "smp: fw_cfg NB_CPUS differs from CMOS 0x5f\n"
msg_starts:     .asciz "smp: a CPU came up more or fewer times than it should\n"
msg_id_bad:     .asciz "smp: CPUID initial APIC ID or BSP flag wrong on the CPUs of mask 0x"
msg_errors:     .asciz "smp: an interrupt reached a CPU it was not for, or a turn never came; the last on APIC "
msg_fail:       .asciz "FAILED\n"
#ifdef DISK
msg_madt:       .asciz "smp: the MADT lists "
msg_madt2:      .asciz " enabled local APICs, APIC IDs 0 and up\n"
msg_mp:         .asciz "smp: every CPU of SeaBIOS's MP table enabled (it woke them), APIC 0 the BSP\n"
msg_no_madt:    .asciz "smp: no MADT through the RSDP and RSDT\n"
msg_bad_madt:   .asciz "smp: the MADT's enabled local APICs are not APIC IDs 0 to N - 1\n"
msg_no_mp:      .asciz "smp: no MP table\n"
msg_bad_mp:     .asciz "smp: SeaBIOS's MP table lists a CPU disabled (it did not wake), or wrong IDs or BSP\n"
    .org NSECT * 512 + 512 - 1
    .byte 0
#endif
