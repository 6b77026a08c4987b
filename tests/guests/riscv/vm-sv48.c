/* Sv48: the Sv39 checks with four levels, plus a 512 GiB terapage. */
#define VM_LEVELS 4
#include "vm.h"

int main(void)
{
    vm_tests();
    /* A terapage mapping physical 0..512G at 512G. */
    vm_setup();
    map(root_s, 1UL << 39, 0, 3, PTE_R | AD | PTE_V);
    set_root(root_s);
    ulong sym = (ulong)&pt_next;
    trap_reset();
    ulong v = enter_mode(PRV_S, op_load, (1UL << 39) + sym);
    pr("512G alias load: %lx traps=%d\n", v == pt_next, trap_count);
    map(root_s, 2UL << 39, 0x40000000UL, 3, PTE_R | AD | PTE_V);
    set_root(root_s);
    access("misaligned 512G", PRV_S, LOAD, 2UL << 39);
    csr_write(satp, 0);
    asm volatile("sfence.vma");
    pr("DONE vm-sv48\n");
    return 0;
}
