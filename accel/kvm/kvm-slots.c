/*
 * KVM memory slots from the memory API: a listener on address_space_memory
 * turns every RAM section of the flat view into a slot (ROM read-only, so
 * guest writes to it become MMIO exits the memory API drops) and removes it
 * when the section goes away. Slot ids are recycled, lowest free first.
 * Anything that is not a slot reaches the memory API as an MMIO exit.
 */
#include "util/osdep.h"
#include <sys/ioctl.h>
#include "accel/kvm/kvm-int.h"

/* KVM maps whole host pages: the part of a section it can take. */
static bool slot_range(MemoryRegionSection *sec, uint64_t *gpa, uint64_t *size, void **host)
{
    uint64_t page = (uint64_t)sysconf(_SC_PAGESIZE);
    uint64_t start = ROUND_UP(sec->offset_within_address_space, page);
    uint64_t end = ROUND_DOWN(sec->offset_within_address_space + sec->size, page);
    uint8_t *ram = memory_region_get_ram_ptr(sec->mr);

    if (!memory_region_is_ram(sec->mr) || !ram || end <= start) {
        return false;
    }
    *host = ram + sec->offset_within_region + (start - sec->offset_within_address_space);
    if ((uintptr_t)*host & (page - 1)) {
        return false;
    }
    *gpa = start;
    *size = end - start;
    return true;
}

static bool slot_set(KVMState *s, unsigned id, uint64_t gpa, uint64_t size, void *host,
                     bool readonly)
{
    struct kvm_userspace_memory_region mem = {
        .slot = id,
        .flags = readonly ? KVM_MEM_READONLY : 0,
        .guest_phys_addr = gpa,
        .memory_size = size,
        .userspace_addr = (uintptr_t)host,
    };

    if (ioctl(s->vm_fd, KVM_SET_USER_MEMORY_REGION, &mem) < 0) {
        error_report("KVM: cannot %s memory slot %u at 0x%" PRIx64 ": %s",
                     size ? "set" : "delete", id, gpa, g_strerror(errno));
        return false;
    }
    return true;
}

static void kvm_region_add(MemoryListener *l, MemoryRegionSection *sec)
{
    KVMState *s = container_of(l, KVMState, listener);
    uint64_t gpa, size;
    void *host;
    unsigned id;

    if (!slot_range(sec, &gpa, &size, &host)) {
        return;
    }
    id = 0;
    while (id < s->nr_slots && s->slots[id].used) {
        id++;
    }
    if (id == s->nr_slots) {
        error_report("KVM: all %u memory slots are in use; %s at 0x%" PRIx64
                     " stays out of the guest's direct reach", s->nr_slots, sec->mr->name, gpa);
        return;
    }
    if (slot_set(s, id, gpa, size, host, sec->readonly || sec->mr->type == MR_ROM)) {
        s->slots[id] = (KVMSlot) { .used = true, .gpa = gpa, .size = size };
    }
}

static void kvm_region_del(MemoryListener *l, MemoryRegionSection *sec)
{
    KVMState *s = container_of(l, KVMState, listener);
    uint64_t gpa, size;
    void *host;

    if (!slot_range(sec, &gpa, &size, &host)) {
        return;
    }
    for (unsigned id = 0; id < s->nr_slots; id++) {
        if (s->slots[id].used && s->slots[id].gpa == gpa && s->slots[id].size == size) {
            slot_set(s, id, gpa, 0, NULL, false);
            s->slots[id].used = false;
            return;
        }
    }
}

void kvm_slots_init(KVMState *s, unsigned nr_slots)
{
    s->nr_slots = nr_slots;
    s->slots = g_new0(KVMSlot, nr_slots);
    s->listener.region_add = kvm_region_add;
    s->listener.region_del = kvm_region_del;
    memory_system_init();
    memory_listener_register(&s->listener, &address_space_memory);
}
