/* Zifencei: code patched by stores then fence.i executes the new instructions
 * (32-bit and compressed, in place and in a copied buffer). Only behaviour the
 * spec defines is checked: every patch is followed by fence.i. */
#include "rt.h"

ulong patch_fn(void);
ulong patch_c_fn(void);
ulong inline_patch(void);
extern uint32_t patch_slot[];
extern uint16_t patch_c_slot[];
extern uint32_t inline_slot[];
asm(".pushsection .text\n .align 3\n .option push\n .option norvc\n"
    "patch_fn:\n .globl patch_slot\npatch_slot:\n li a0, 0\n ret\n"
    " .option rvc\n .align 2\npatch_c_fn:\n .globl patch_c_slot\npatch_c_slot:\n c.li a0, 0\n"
    " c.jr ra\n"
    " .option norvc\n .align 2\ninline_patch:\n la t0, inline_slot\n li t1, 0x00700513\n"
    " sw t1, 0(t0)\n fence.i\n .globl inline_slot\ninline_slot:\n li a0, 0\n ret\n"
    " .option pop\n .popsection");

static uint32_t buf[16] __attribute__((aligned(64)));

int main(void)
{
    pr("patch_fn = %lx\n", patch_fn());
    for (ulong i = 1; i <= 3; i++) {
        patch_slot[0] = 0x00000513 | (i << 20); /* li a0, i */
        asm volatile("fence.i" ::: "memory");
        pr("after patch %lx + fence.i: %lx\n", i, patch_fn());
    }
    pr("patch_c_fn = %lx\n", patch_c_fn());
    patch_c_slot[0] = 0x4515; /* c.li a0, 5 */
    asm volatile("fence.i" ::: "memory");
    pr("after c.li patch + fence.i: %lx\n", patch_c_fn());
    pr("inline patch: %lx\n", inline_patch());
    pr("inline patch again: %lx\n", inline_patch());
    /* Build a function in a data buffer. */
    buf[0] = 0x02a00513; /* li a0, 42 */
    buf[1] = 0x00008067; /* ret */
    asm volatile("fence.i" ::: "memory");
    ulong (*f)(void) = (ulong(*)(void))buf;
    pr("buffer fn: %lx\n", f());
    buf[0] = 0x02b00513; /* li a0, 43 */
    asm volatile("fence.i" ::: "memory");
    pr("buffer fn patched: %lx\n", f());
    /* An illegal instruction patched in, then patched back out. */
    buf[0] = 0xffffffff;
    asm volatile("fence.i" ::: "memory");
    trap_reset();
    ulong r = f();
    pr_trap("buffer fn illegal", 0, (ulong)buf);
    (void)r;
    buf[0] = 0x02c00513;
    asm volatile("fence.i" ::: "memory");
    pr("buffer fn restored: %lx\n", f());
    pr("DONE fencei\n");
    return 0;
}
