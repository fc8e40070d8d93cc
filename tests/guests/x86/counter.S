/*
 * counter.S - ROM guest (-bios): a slow counter on COM1 that answers the
 * ACPI power button, for the monitor tests (stop/cont, system_reset,
 * system_powerdown).
 *
 * Prints "counter: boot" (from real mode, at every boot), then in 64-bit
 * long mode "count N" for N = 1, 2, ... every 200 ms, paced by the local
 * APIC timer (periodic, 1 GHz bus / 1, vector 0x30) with the vCPU halted in
 * between. The ACPI SCI (ISA IRQ 9) is routed through IOAPIC pin 9, level
 * triggered, active high, to vector 0x29, and the power button is enabled in
 * PM1a_EN (0x602). On an SCI with PWRBTN_STS (bit 8 of PM1a_STS, 0x600) set,
 * the handler clears the status (write 1) and flags it; the main loop prints
 * "counter: power button" and powers off through PM1a_CNT (0x604 = SLP_EN,
 * S5). An unexpected vector prints "FAIL unexpected interrupt" and halts.
 */
#include "lib.h"

#define TICKS       (RAM_VARS + 0)      /* dword: timer interrupts seen */
#define PWRBTN      (RAM_VARS + 4)      /* dword: power button presses seen */
#define SCI_VEC     0x29
#define TIMER_VEC   0x30
#define TICK_COUNT  200000000           /* LAPIC timer counts at 1 GHz: 200 ms */
#define PM1_STS     0x600
#define PM1_EN      0x602
#define PM1_PWRBTN  0x0100

    .text
    .code16
start16:
    REAL_MODE_INIT
    SERIAL_INIT
    PUTLN16 "counter: boot"
    ENTER_PROTECTED start32

    .code32
start32:
    PROTECTED_MODE_INIT
    movl    $0, TICKS
    movl    $0, PWRBTN
    MASK_PIC
    IOAPIC_ROUTE 9, (0x8000 | SCI_VEC), 0   /* level, active high, fixed, to APIC 0 */
    LAPIC_ENABLE
    BUILD_PAGE_TABLES PT_BASE, 1
    ENTER_LONG PT_BASE, start64

    .code64
start64:
    LONG_MODE_INIT
    lidt    idt_desc
    mov     $PM1_EN, %dx
    mov     $PM1_PWRBTN, %ax
    out     %ax, %dx
    mov     $LAPIC_BASE, %ebx
    movl    $0xb, LAPIC_TIMER_DCR(%rbx)                 /* divide by 1 */
    movl    $(0x20000 | TIMER_VEC), LAPIC_LVT_TIMER(%rbx) /* periodic */
    movl    $TICK_COUNT, LAPIC_TIMER_ICR(%rbx)
    xor     %r12d, %r12d                /* ticks printed */
wait:
    cli
    cmpl    $0, PWRBTN
    jne     power_button
    cmp     TICKS, %r12d
    jne     tick
    sti                                 /* the interrupt shadow of sti keeps */
    hlt                                 /* an IRQ from slipping in before hlt */
    jmp     wait
tick:
    mov     TICKS, %r12d
    PUTS64  "count "
    mov     %r12d, %eax
    call    putdec64
    PUTLN64 ""
    jmp     wait
power_button:
    PUTLN64 "counter: power button"
    POWEROFF

timer_isr:
    incl    TICKS
    LAPIC_EOI64
    iretq

/* SCI: acknowledge the power button (PM1a_STS is write-1-to-clear), EOI. */
sci_isr:
    push    %rax
    push    %rdx
    mov     $PM1_STS, %dx
    in      %dx, %ax
    test    $PM1_PWRBTN, %ax
    jz      1f
    mov     $PM1_PWRBTN, %ax
    out     %ax, %dx
    incl    PWRBTN
1:  LAPIC_EOI64
    pop     %rdx
    pop     %rax
    iretq

spurious_isr:
    iretq

unexpected_isr:
    PUTLN64 "FAIL unexpected interrupt"
    HALT_FOREVER

    SERIAL_ROUTINES 64
    .code16
    SERIAL_ROUTINES 16
    GDT_TABLE

    .balign 16
idt:
    IDT64_GATES SCI_VEC, unexpected_isr
    IDT64_GATE  sci_isr
    IDT64_GATES (TIMER_VEC-SCI_VEC-1), unexpected_isr
    IDT64_GATE  timer_isr
    IDT64_GATES (0xff-TIMER_VEC-1), unexpected_isr
    IDT64_GATE  spurious_isr            /* 0xff: LAPIC spurious vector */
idt_end:
idt_desc:
    .word   idt_end - idt - 1
    .quad   idt

    RESET_VECTOR start16
