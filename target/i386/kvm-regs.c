/*
 * Reset state of an x86 KVM vCPU. The boot vCPU starts as the board asked
 * (architectural reset at F000:FFF0, flat 32-bit protected mode for PVH, or
 * 64-bit mode for the Linux 64-bit entry); application processors get the
 * architectural reset registers and wait for INIT/SIPI from the boot vCPU.
 * Everything a guest may have changed before a reboot is put back: FPU, XCR0,
 * MSRs (kvmclock and friends off), pending events, debug registers, local APIC.
 */
#include "util/osdep.h"
#include <sys/ioctl.h>
#include <asm/kvm_para.h>
#include "target/i386/kvm-x86.h"

#define CR0_PE (1u << 0)
#define CR0_ET (1u << 4)
#define CR0_NW (1u << 29)
#define CR0_CD (1u << 30)
#define CR0_PG (1u << 31)
#define CR4_PAE (1u << 5)
#define EFER_LME (1u << 8)
#define EFER_LMA (1u << 10)

#define APIC_DEFAULT_BASE 0xfee00000u
#define APIC_BASE_BSP     (1u << 8)
#define APIC_BASE_ENABLE  (1u << 11)

/* Segment descriptor types (S=1 code/data, S=0 system) */
#define SEG_TYPE_DATA_RW_ACCESSED  0x3
#define SEG_TYPE_CODE_RX_ACCESSED  0xb
#define SEG_TYPE_LDT               0x2
#define SEG_TYPE_TSS_BUSY          0xb

/* Local APIC register offsets (SDM vol. 3A, table 11-1) and reset values */
#define APIC_REG_ID      0x20
#define APIC_REG_VERSION 0x30
#define APIC_REG_DFR     0xe0
#define APIC_REG_SVR     0xf0
#define APIC_REG_LVT_CMCI 0x2f0
#define APIC_REG_LVT_TIMER 0x320
#define APIC_REG_LVT_LINT0 0x350
#define APIC_REG_LVT_ERROR 0x370
#define APIC_LVT_MASKED  0x10000u
#define APIC_LVT_EXTINT  0x700u

#define MSR_IA32_TSC            0x10
#define MSR_IA32_SYSENTER_CS    0x174
#define MSR_IA32_SYSENTER_ESP   0x175
#define MSR_IA32_SYSENTER_EIP   0x176
#define MSR_IA32_MISC_ENABLE    0x1a0
#define MSR_IA32_CR_PAT         0x277
#define MSR_MTRR_DEF_TYPE       0x2ff
#define MSR_STAR                0xc0000081
#define MSR_LSTAR               0xc0000082
#define MSR_CSTAR               0xc0000083
#define MSR_SYSCALL_MASK        0xc0000084
#define MSR_KERNEL_GS_BASE      0xc0000102

#define MISC_ENABLE_FAST_STRINGS 1u
#define PAT_DEFAULT 0x0007040600070406ull

typedef struct ResetMsr {
    uint32_t index;
    uint64_t value;
    bool paravirt;   /* set only when KVM lists it (KVM_GET_MSR_INDEX_LIST) */
} ResetMsr;

static const ResetMsr reset_msrs[] = {
    { MSR_IA32_TSC, 0 },
    { MSR_IA32_MISC_ENABLE, MISC_ENABLE_FAST_STRINGS },
    { MSR_IA32_SYSENTER_CS, 0 },
    { MSR_IA32_SYSENTER_ESP, 0 },
    { MSR_IA32_SYSENTER_EIP, 0 },
    { MSR_STAR, 0 },
    { MSR_LSTAR, 0 },
    { MSR_CSTAR, 0 },
    { MSR_SYSCALL_MASK, 0 },
    { MSR_KERNEL_GS_BASE, 0 },
    { MSR_IA32_CR_PAT, PAT_DEFAULT },
    { MSR_MTRR_DEF_TYPE, 0 },
    /* A rebooted guest must not find KVM still writing into its memory. */
    { MSR_KVM_SYSTEM_TIME, 0, true },
    { MSR_KVM_SYSTEM_TIME_NEW, 0, true },
    { MSR_KVM_ASYNC_PF_EN, 0, true },
    { MSR_KVM_STEAL_TIME, 0, true },
    { MSR_KVM_PV_EOI_EN, 0, true },
    { MSR_KVM_POLL_CONTROL, 1, true },
};

static void seg_set(struct kvm_segment *s, uint16_t selector, uint64_t base, uint32_t limit,
                    uint8_t type)
{
    *s = (struct kvm_segment) {
        .base = base,
        .limit = limit,
        .selector = selector,
        .type = type,
        .present = 1,
        .s = 1,
    };
}

/* Flat 4 GiB segment; CODE64 makes a 64-bit code segment (L=1, D=0). */
static void seg_set_flat(struct kvm_segment *s, uint16_t selector, uint8_t type, bool code64)
{
    seg_set(s, selector, 0, 0xffffffff, type);
    s->g = 1;
    s->db = !code64;
    s->l = code64;
}

static void sregs_init_reset(struct kvm_sregs *sr)
{
    struct kvm_segment *data[] = { &sr->ds, &sr->es, &sr->fs, &sr->gs, &sr->ss };

    seg_set(&sr->cs, 0xf000, 0xffff0000, 0xffff, SEG_TYPE_CODE_RX_ACCESSED);
    for (size_t i = 0; i < ARRAY_SIZE(data); i++) {
        seg_set(data[i], 0, 0, 0xffff, SEG_TYPE_DATA_RW_ACCESSED);
    }
    sr->gdt.limit = 0xffff;
    sr->idt.limit = 0xffff;
    sr->cr0 = CR0_CD | CR0_NW | CR0_ET;
}

static void sregs_init_boot(struct kvm_sregs *sr, const X86BootState *boot)
{
    struct kvm_segment *data[] = { &sr->ds, &sr->es, &sr->fs, &sr->gs, &sr->ss };
    bool long64 = boot->mode == X86_BOOT_LONG64;

    seg_set_flat(&sr->cs, X86_BOOT_CS, SEG_TYPE_CODE_RX_ACCESSED, long64);
    for (size_t i = 0; i < ARRAY_SIZE(data); i++) {
        seg_set_flat(data[i], X86_BOOT_DS, SEG_TYPE_DATA_RW_ACCESSED, false);
    }
    sr->gdt.base = boot->gdt_base;
    sr->gdt.limit = boot->gdt_limit;
    /* An empty IDT: any exception before the guest loads its own is a triple fault. */
    sr->idt.limit = 0;
    sr->cr0 = CR0_PE | CR0_ET;
    if (long64) {
        sr->cr0 |= CR0_PG;
        sr->cr3 = boot->cr3;
        sr->cr4 = CR4_PAE;
        sr->efer = EFER_LME | EFER_LMA;
    }
}

static bool vcpu_set_sregs(const X86KvmVcpuInfo *vcpu, const X86BootState *boot, bool bsp,
                           GError **errp)
{
    struct kvm_sregs sr = { 0 };

    if (bsp && boot->mode != X86_BOOT_RESET) {
        sregs_init_boot(&sr, boot);
    } else {
        sregs_init_reset(&sr);
    }
    /*
     * VM entry wants a usable busy TSS; the PVH boot ABI asks for a 32-bit one
     * at 0 with limit 0x67. The LDT must be usable or marked unusable.
     */
    seg_set(&sr.tr, 0, 0, bsp && boot->mode != X86_BOOT_RESET ? 0x67 : 0xffff,
            SEG_TYPE_TSS_BUSY);
    sr.tr.s = 0;
    seg_set(&sr.ldt, 0, 0, 0xffff, SEG_TYPE_LDT);
    sr.ldt.s = 0;
    sr.apic_base = APIC_DEFAULT_BASE | APIC_BASE_ENABLE | (bsp ? APIC_BASE_BSP : 0);
    if (ioctl(vcpu->fd, KVM_SET_SREGS, &sr) < 0) {
        error_setg_errno(errp, errno, "KVM_SET_SREGS");
        return false;
    }
    return true;
}

static bool vcpu_set_regs(const X86KvmVcpuInfo *vcpu, const X86BootState *boot, bool bsp,
                          GError **errp)
{
    struct kvm_regs regs = { .rflags = 2 };

    if (bsp && boot->mode != X86_BOOT_RESET) {
        regs.rip = boot->rip;
        regs.rsp = boot->rsp;
        regs.rsi = boot->rsi;
        regs.rbx = boot->rbx;
    } else {
        regs.rip = 0xfff0;
        regs.rdx = vcpu->cpuid_signature;
    }
    if (ioctl(vcpu->fd, KVM_SET_REGS, &regs) < 0) {
        error_setg_errno(errp, errno, "KVM_SET_REGS");
        return false;
    }
    return true;
}

static bool vcpu_set_fpu(const X86KvmVcpuInfo *vcpu, GError **errp)
{
    struct kvm_fpu fpu = { .fcw = 0x37f, .mxcsr = 0x1f80 };
    struct kvm_xcrs xcrs = { .nr_xcrs = 1, .xcrs[0] = { .xcr = 0, .value = 1 } };

    if (ioctl(vcpu->fd, KVM_SET_FPU, &fpu) < 0) {
        error_setg_errno(errp, errno, "KVM_SET_FPU");
        return false;
    }
    if (vcpu->has_xcrs && ioctl(vcpu->fd, KVM_SET_XCRS, &xcrs) < 0) {
        error_setg_errno(errp, errno, "KVM_SET_XCRS");
        return false;
    }
    return true;
}

static bool msr_listed(const struct kvm_msr_list *list, uint32_t index)
{
    for (uint32_t i = 0; list && i < list->nmsrs; i++) {
        if (list->indices[i] == index) {
            return true;
        }
    }
    return false;
}

static bool vcpu_set_msrs(const X86KvmVcpuInfo *vcpu, GError **errp)
{
    struct {
        struct kvm_msrs hdr;
        struct kvm_msr_entry entries[ARRAY_SIZE(reset_msrs)];
    } msrs = { 0 };
    int r;

    for (size_t i = 0; i < ARRAY_SIZE(reset_msrs); i++) {
        if (!reset_msrs[i].paravirt || msr_listed(vcpu->msrs, reset_msrs[i].index)) {
            msrs.entries[msrs.hdr.nmsrs].index = reset_msrs[i].index;
            msrs.entries[msrs.hdr.nmsrs].data = reset_msrs[i].value;
            msrs.hdr.nmsrs++;
        }
    }
    r = ioctl(vcpu->fd, KVM_SET_MSRS, &msrs);
    if (r < 0) {
        error_setg_errno(errp, errno, "KVM_SET_MSRS");
        return false;
    }
    /* KVM stops at the first MSR it refuses and returns how many it set. */
    if ((uint32_t)r < msrs.hdr.nmsrs) {
        error_setg(errp, "KVM_SET_MSRS: KVM refused MSR 0x%" PRIx32, msrs.entries[r].index);
        return false;
    }
    return true;
}

static bool vcpu_clear_events(const X86KvmVcpuInfo *vcpu, GError **errp)
{
    struct kvm_vcpu_events events = { .flags = KVM_VCPUEVENT_VALID_NMI_PENDING };
    struct kvm_debugregs dregs = { .dr6 = 0xffff0ff0, .dr7 = 0x400 };

    if (ioctl(vcpu->fd, KVM_SET_VCPU_EVENTS, &events) < 0) {
        error_setg_errno(errp, errno, "KVM_SET_VCPU_EVENTS");
        return false;
    }
    if (ioctl(vcpu->fd, KVM_SET_DEBUGREGS, &dregs) < 0) {
        error_setg_errno(errp, errno, "KVM_SET_DEBUGREGS");
        return false;
    }
    return true;
}

static void apic_set_reg(struct kvm_lapic_state *apic, unsigned offset, uint32_t value)
{
    memcpy(&apic->regs[offset], &value, sizeof(value));
}

/* Power-up state of the local APIC (SDM vol. 3A, 11.4.7.1), keeping its id and version. */
static bool vcpu_reset_lapic(const X86KvmVcpuInfo *vcpu, bool bsp, GError **errp)
{
    struct kvm_lapic_state old, apic = { 0 };

    if (ioctl(vcpu->fd, KVM_GET_LAPIC, &old) < 0) {
        error_setg_errno(errp, errno, "KVM_GET_LAPIC");
        return false;
    }
    memcpy(&apic.regs[APIC_REG_ID], &old.regs[APIC_REG_ID], 4);
    memcpy(&apic.regs[APIC_REG_VERSION], &old.regs[APIC_REG_VERSION], 4);
    apic_set_reg(&apic, APIC_REG_DFR, 0xffffffff);
    apic_set_reg(&apic, APIC_REG_SVR, 0xff);
    apic_set_reg(&apic, APIC_REG_LVT_CMCI, APIC_LVT_MASKED);
    for (unsigned off = APIC_REG_LVT_TIMER; off <= APIC_REG_LVT_ERROR; off += 0x10) {
        apic_set_reg(&apic, off, APIC_LVT_MASKED);
    }
    /*
     * The boot processor's LINT0 takes the 8259's interrupts (virtual wire),
     * as firmware leaves it and guests booted without firmware expect.
     */
    if (bsp) {
        apic_set_reg(&apic, APIC_REG_LVT_LINT0, APIC_LVT_EXTINT);
    }
    if (ioctl(vcpu->fd, KVM_SET_LAPIC, &apic) < 0) {
        error_setg_errno(errp, errno, "KVM_SET_LAPIC");
        return false;
    }
    return true;
}

bool x86_kvm_reset_vcpu(const X86KvmVcpuInfo *vcpu, const X86BootState *boot, GError **errp)
{
    bool bsp = vcpu->index == 0;
    struct kvm_mp_state mp = {
        .mp_state = bsp || vcpu->user_irqchip ? KVM_MP_STATE_RUNNABLE
                                              : KVM_MP_STATE_UNINITIALIZED,
    };

    /* SREGS first: it sets the APIC base the LAPIC state is loaded under. */
    if (!vcpu_set_sregs(vcpu, boot, bsp, errp) || !vcpu_set_regs(vcpu, boot, bsp, errp) ||
        !vcpu_set_fpu(vcpu, errp) || !vcpu_set_msrs(vcpu, errp) ||
        !vcpu_clear_events(vcpu, errp) ||
        (!vcpu->user_irqchip && !vcpu_reset_lapic(vcpu, bsp, errp))) {
        return false;
    }
    if (ioctl(vcpu->fd, KVM_SET_MP_STATE, &mp) < 0) {
        error_setg_errno(errp, errno, "KVM_SET_MP_STATE");
        return false;
    }
    return true;
}
