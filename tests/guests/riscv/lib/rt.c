/* Runtime for the RISC-V ISA test guests (see rt.h). */
#include "rt.h"

volatile int trap_count;
volatile struct trap_rec trap_log[TRAP_LOG_MAX];
volatile int strap_count;
volatile struct trap_rec strap_log[TRAP_LOG_MAX];
volatile ulong trap_resume;
int (*m_trap_hook)(ulong *regs, ulong cause);
int (*s_trap_hook)(ulong *regs, ulong cause);

extern char mode_return[];

void *memset(void *d, int c, unsigned long n)
{
    unsigned char *p = d;
    while (n--)
        *p++ = (unsigned char)c;
    return d;
}

void *memcpy(void *d, const void *s, unsigned long n)
{
    unsigned char *p = d;
    const unsigned char *q = s;
    while (n--)
        *p++ = *q++;
    return d;
}

void putch(char c)
{
    while (!(mmio_r8(UART_BASE + 5) & 0x20))
        ;
    mmio_w8(UART_BASE, (uint8_t)c);
}

void putstr(const char *s)
{
    while (*s)
        putch(*s++);
}

static void put_num(unsigned long v, int base, int neg, int width, char pad)
{
    char buf[24];
    int n = 0;
    do {
        buf[n++] = "0123456789abcdef"[v % base];
        v /= base;
    } while (v);
    if (neg)
        buf[n++] = '-';
    while (width-- > n)
        putch(pad);
    while (n)
        putch(buf[--n]);
}

void vpr(const char *fmt, va_list ap)
{
    for (; *fmt; fmt++) {
        if (*fmt != '%') {
            putch(*fmt);
            continue;
        }
        fmt++;
        char pad = ' ';
        int width = 0, lng = 0;
        if (*fmt == '0') {
            pad = '0';
            fmt++;
        }
        while (*fmt >= '0' && *fmt <= '9')
            width = width * 10 + (*fmt++ - '0');
        while (*fmt == 'l') {
            lng = 1;
            fmt++;
        }
        switch (*fmt) {
        case 'd': {
            long v = lng ? va_arg(ap, long) : va_arg(ap, int);
            put_num(v < 0 ? -(unsigned long)v : (unsigned long)v, 10, v < 0, width, pad);
            break;
        }
        case 'u':
            put_num(lng ? va_arg(ap, unsigned long) : va_arg(ap, unsigned), 10, 0, width, pad);
            break;
        case 'x':
            put_num(lng ? va_arg(ap, unsigned long) : va_arg(ap, unsigned), 16, 0, width, pad);
            break;
        case 's':
            putstr(va_arg(ap, const char *));
            break;
        case 'c':
            putch((char)va_arg(ap, int));
            break;
        case '%':
            putch('%');
            break;
        default:
            putch('?');
        }
    }
}

void pr(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vpr(fmt, ap);
    va_end(ap);
}

void poweroff(void)
{
    mmio_w32(FINISHER_BASE, 0x5555);
    for (;;)
        asm volatile("wfi");
}

int insn_len(ulong a)
{
    return (*(volatile uint16_t *)a & 3) == 3 ? 4 : 2;
}

void trap_reset(void)
{
    trap_count = 0;
    strap_count = 0;
    trap_resume = 0;
}

static void log_trap(volatile struct trap_rec *log, volatile int *count, ulong cause, ulong tval,
                     ulong epc, ulong prev)
{
    int n = *count;
    if (n < TRAP_LOG_MAX) {
        log[n].cause = cause;
        log[n].tval = tval;
        log[n].epc = epc;
        log[n].prev_priv = prev;
    }
    *count = n + 1;
}

/* Instruction fetch faults report the target, so resume at the caller's ra. */
static int is_fetch_fault(ulong cause)
{
    return cause == 0 || cause == 1 || cause == 12;
}

/* Interrupts would retrigger forever: turn off their enable (and source where we
 * own it) unless the test installed a hook that does better. */
static void quiet_irq(ulong code, int s_mode)
{
    if (code == 3)
        mmio_w32(CLINT_MSIP, 0);
    if (code == 7)
        mmio_w64(CLINT_MTIMECMP, ~0UL);
    if (s_mode)
        csr_clear(sie, 1UL << code);
    else
        csr_clear(mie, 1UL << code);
}

void m_trap_c(ulong *regs)
{
    ulong cause = csr_read(mcause), epc = csr_read(mepc);
    ulong mstatus = csr_read(mstatus);
    ulong prev = (mstatus >> 11) & 3;

    if ((cause == 8 || cause == 9 || cause == 11) && regs[17] == RT_EXIT_MAGIC) {
        csr_set(mstatus, MSTATUS_MPP);
        csr_write(mepc, (ulong)mode_return);
        return;
    }
    log_trap(trap_log, &trap_count, cause, csr_read(mtval), epc, prev);
    if (m_trap_hook && m_trap_hook(regs, cause))
        return;
    if ((long)cause < 0) {
        quiet_irq(cause & 0xff, 0);
        return;
    }
    if (trap_resume) {
        csr_write(mepc, trap_resume);
        trap_resume = 0;
    } else if (is_fetch_fault(cause)) {
        csr_write(mepc, regs[1]);
    } else {
        csr_write(mepc, epc + insn_len(epc));
    }
}

void s_trap_c(ulong *regs)
{
    ulong cause = csr_read(scause), epc = csr_read(sepc);
    ulong prev = (csr_read(sstatus) >> 8) & 1;

    /* enter_mode()'s exit ecall from U, delegated to S: pass it on to M. */
    if (cause == 8 && regs[17] == RT_EXIT_MAGIC) {
        extern char __strap_stack_top[];
        csr_write(sscratch, (ulong)__strap_stack_top);
        exit_mode(regs[10]);
    }
    log_trap(strap_log, &strap_count, cause, csr_read(stval), epc, prev);
    if (s_trap_hook && s_trap_hook(regs, cause))
        return;
    if ((long)cause < 0) {
        quiet_irq(cause & 0xff, 1);
        return;
    }
    if (trap_resume) {
        csr_write(sepc, trap_resume);
        trap_resume = 0;
    } else if (is_fetch_fault(cause)) {
        csr_write(sepc, regs[1]);
    } else {
        csr_write(sepc, epc + insn_len(epc));
    }
}

static void pr_one(const char *label, volatile struct trap_rec *log, int count, ulong tval_base,
                   ulong epc_base)
{
    if (!count) {
        pr("%s: no trap\n", label);
        return;
    }
    pr("%s: cause=%lx tval=%lx epc=%lx", label, log[0].cause, log[0].tval - tval_base,
       log[0].epc - epc_base);
    if (count > 1)
        pr(" (+%d more)", count - 1);
    putch('\n');
}

void pr_trap(const char *label, ulong tval_base, ulong epc_base)
{
    pr_one(label, trap_log, trap_count, tval_base, epc_base);
}

void pr_strap(const char *label, ulong tval_base, ulong epc_base)
{
    pr_one(label, strap_log, strap_count, tval_base, epc_base);
}

void pr_causes(const char *label)
{
    pr("%s:", label);
    if (!trap_count)
        putstr(" none");
    for (int i = 0; i < trap_count && i < TRAP_LOG_MAX; i++)
        pr(" %lx", trap_log[i].cause);
    putch('\n');
}

/* As pr_causes(), in ascending order: for sets whose order is not compared. */
void pr_causes_sorted(const char *label)
{
    int n = trap_count < TRAP_LOG_MAX ? trap_count : TRAP_LOG_MAX;
    unsigned long c[TRAP_LOG_MAX];
    for (int i = 0; i < n; i++) {
        unsigned long v = trap_log[i].cause;
        int j = i;
        for (; j > 0 && c[j - 1] > v; j--)
            c[j] = c[j - 1];
        c[j] = v;
    }
    pr("%s:", label);
    if (!n)
        putstr(" none");
    for (int i = 0; i < n; i++)
        pr(" %lx", c[i]);
    putch('\n');
}
