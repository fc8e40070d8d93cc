/*
 * Register dump of an x86 KVM vCPU, printed with error reports (entry
 * failures, internal errors) and -d int logs (triple faults).
 */
#include "util/osdep.h"
#include <sys/ioctl.h>
#include "target/i386/kvm-x86.h"

static void dump_seg(FILE *f, const char *name, const struct kvm_segment *s)
{
    fprintf(f, "%-4s=%04x %016" PRIx64 " %08x type=%x s=%u dpl=%u p=%u db=%u l=%u g=%u%s\n",
            name, s->selector, (uint64_t)s->base, s->limit, s->type, s->s, s->dpl,
            s->present, s->db, s->l, s->g, s->unusable ? " unusable" : "");
}

void x86_kvm_dump_regs(int vcpu_fd, FILE *f)
{
    struct kvm_regs r;
    struct kvm_sregs s;

    if (ioctl(vcpu_fd, KVM_GET_REGS, &r) < 0 || ioctl(vcpu_fd, KVM_GET_SREGS, &s) < 0) {
        fprintf(f, "(registers unavailable: %s)\n", g_strerror(errno));
        return;
    }
    fprintf(f, "RAX=%016llx RBX=%016llx RCX=%016llx RDX=%016llx\n",
            r.rax, r.rbx, r.rcx, r.rdx);
    fprintf(f, "RSI=%016llx RDI=%016llx RBP=%016llx RSP=%016llx\n",
            r.rsi, r.rdi, r.rbp, r.rsp);
    fprintf(f, "R8 =%016llx R9 =%016llx R10=%016llx R11=%016llx\n",
            r.r8, r.r9, r.r10, r.r11);
    fprintf(f, "R12=%016llx R13=%016llx R14=%016llx R15=%016llx\n",
            r.r12, r.r13, r.r14, r.r15);
    fprintf(f, "RIP=%016llx RFL=%08llx\n", r.rip, r.rflags);
    dump_seg(f, "ES", &s.es);
    dump_seg(f, "CS", &s.cs);
    dump_seg(f, "SS", &s.ss);
    dump_seg(f, "DS", &s.ds);
    dump_seg(f, "FS", &s.fs);
    dump_seg(f, "GS", &s.gs);
    dump_seg(f, "LDT", &s.ldt);
    dump_seg(f, "TR", &s.tr);
    fprintf(f, "GDT=     %016llx %08x\n", s.gdt.base, s.gdt.limit);
    fprintf(f, "IDT=     %016llx %08x\n", s.idt.base, s.idt.limit);
    fprintf(f, "CR0=%08llx CR2=%016llx CR3=%016llx CR4=%08llx CR8=%llx\n",
            s.cr0, s.cr2, s.cr3, s.cr4, s.cr8);
    fprintf(f, "EFER=%016llx APIC_BASE=%016llx\n", s.efer, s.apic_base);
}
