/* Sv39: 4K/2M/1G pages, A/D updates, page faults per access type with the
 * faulting address, invalid/reserved PTEs, misaligned superpages, U/SUM/MXR,
 * non-canonical addresses, sfence.vma, MPRV. */
#define VM_LEVELS 3
#include "vm.h"

int main(void)
{
    vm_tests();
    pr("DONE vm-sv39\n");
    return 0;
}
