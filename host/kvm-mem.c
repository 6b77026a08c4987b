/*
 * kvm-mem.c - KVM memory slots from the machine's flattened memory map.
 *
 * Every commit of the address space recomputes the wanted slots (RAM and,
 * read-only where KVM allows, ROM ranges; page-aligned parts only) and
 * applies the difference: removals first, since KVM refuses overlapping
 * slots. What gets no slot still works: the accesses exit as MMIO and the
 * main loop does them through the address space.
 */
#include <errno.h>
#include <string.h>
#include <sys/ioctl.h>

#include "emu-core/log.h"
#include "host/kvm-internal.h"

static int kvm_slot_set(int id, const struct kvm_slot *s, bool remove)
{
    struct kvm_userspace_memory_region r = {
        .slot = (uint32_t)id,
        .flags = s->flags,
        .guest_phys_addr = s->gpa,
        .memory_size = remove ? 0 : s->size,
        .userspace_addr = (uint64_t)(uintptr_t)s->hva,
    };

    return ioctl(kvm.vm_fd, KVM_SET_USER_MEMORY_REGION, &r) < 0 ? -errno : 0;
}

static bool kvm_slot_equal(const struct kvm_slot *a, const struct kvm_slot *b)
{
    return a->gpa == b->gpa && a->size == b->size && a->hva == b->hva && a->flags == b->flags;
}

/* The slots the map asks for; returns how many (at most max). */
static int kvm_wanted_slots(const struct address_space *as, struct kvm_slot *want, int max)
{
    static bool warned_rom;
    int n = 0;

    for (size_t i = 0; i < as->nranges; i++) {
        const struct flat_range *fr = &as->ranges[i];
        struct mem_region *mr = fr->mr;
        if (mr->kind != MR_RAM && mr->kind != MR_ROM)
            continue;
        uint64_t start = (fr->start + MEM_PAGE_SIZE - 1) & ~(MEM_PAGE_SIZE - 1);
        uint64_t end = (fr->start + fr->size) & ~(MEM_PAGE_SIZE - 1);
        uint8_t *hva = mr->ram->host + fr->offset + (start - fr->start);
        if (end <= start || ((uintptr_t)hva & (MEM_PAGE_SIZE - 1)))
            continue;
        uint32_t flags = 0;
        if (mr->kind == MR_ROM) {
            /* Code cannot be fetched through exits: without read-only slots ROM becomes RAM. */
            if (kvm.readonly_mem)
                flags = KVM_MEM_READONLY;
            else if (!warned_rom)
                warn_report("kvm: no read-only memory slots here; the guest can write its ROM");
            warned_rom = true;
        }
        if (n == max) {
            warn_report("kvm: more than %d RAM ranges; the rest run through exits", max);
            break;
        }
        want[n++] = (struct kvm_slot){
            .used = true, .gpa = start, .size = end - start, .hva = hva, .flags = flags};
    }
    return n;
}

void kvm_mem_commit(struct mem_listener *l, struct address_space *as)
{
    struct kvm_slot want[KVM_MAX_SLOTS];
    bool keep[KVM_MAX_SLOTS] = {false};
    int n = kvm_wanted_slots(as, want, kvm.max_slots), ret;

    (void)l;
    for (int id = 0; id < kvm.max_slots; id++) {
        struct kvm_slot *s = &kvm.slots[id];
        if (!s->used)
            continue;
        bool found = false;
        for (int j = 0; j < n && !found; j++) {
            if (!keep[j] && kvm_slot_equal(s, &want[j]))
                keep[j] = found = true;
        }
        if (found)
            continue;
        if ((ret = kvm_slot_set(id, s, true)) < 0)
            error_report("kvm: removing slot %d: %s", id, strerror(-ret));
        s->used = false;
    }
    for (int j = 0; j < n; j++) {
        if (keep[j])
            continue;
        int id = 0;
        while (id < kvm.max_slots && kvm.slots[id].used)
            id++;
        if (id == kvm.max_slots)
            break; /* kvm_wanted_slots capped n, so this cannot happen */
        if ((ret = kvm_slot_set(id, &want[j], false)) < 0) {
            error_report("kvm: slot at 0x%llx (+0x%llx): %s", (unsigned long long)want[j].gpa,
                         (unsigned long long)want[j].size, strerror(-ret));
            continue;
        }
        kvm.slots[id] = want[j];
    }
}
