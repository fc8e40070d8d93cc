/*
 * pit-irq.S - ROM guest (-bios): the 8254 PIT's timer interrupt arrives on
 * IOAPIC pin 2, as the MADT's IRQ 0 -> GSI 2 override promises (on real PCs
 * the timer is wired there, and Linux checks it).
 *
 * Tests: the in-kernel PIT (channel 0, mode 2, ~1 ms), the accelerator's
 * routing of ISA line 0 to IOAPIC pin 2, LAPIC delivery and EOI. Pin 0 is
 * routed to a different vector that fails the test if it fires.
 * Prints "pit irq on ioapic pin 2 ok" after two ticks, then powers off.
 */
#include "lib.h"

#define IRQ_COUNT   (RAM_VARS + 0)      /* dword: ticks seen on pin 2 */
#define PIN2_VEC    0x22
#define PIN0_VEC    0x20

    .text
    .code16
start16:
    REAL_MODE_INIT
    SERIAL_INIT
    ENTER_PROTECTED start32

    .code32
start32:
    PROTECTED_MODE_INIT
    movl    $0, IRQ_COUNT
    MASK_PIC
    IOAPIC_ROUTE 2, PIN2_VEC, 0
    IOAPIC_ROUTE 0, PIN0_VEC, 0
    LAPIC_ENABLE
    BUILD_PAGE_TABLES PT_BASE, 1
    ENTER_LONG PT_BASE, start64

    .code64
start64:
    LONG_MODE_INIT
    lidt    idt_desc
    mov     $0x34, %al                  /* channel 0, lobyte/hibyte, mode 2 */
    out     %al, $0x43
    mov     $1193, %ax                  /* 1.193182 MHz / 1193 = ~1 kHz */
    out     %al, $0x40
    mov     %ah, %al
    out     %al, $0x40
1:  cmpl    $2, IRQ_COUNT
    jae     2f
    sti
    hlt
    cli
    jmp     1b
2:  mov     $0x30, %al                  /* channel 0 back to mode 0: stop ticking */
    out     %al, $0x43
    PUTLN64 "pit irq on ioapic pin 2 ok"
    POWEROFF

pin2_isr:
    incl    IRQ_COUNT
    LAPIC_EOI64
    iretq

spurious_isr:
    iretq

unexpected_isr:
    PUTLN64 "FAIL unexpected interrupt"
    HALT_FOREVER

    SERIAL_ROUTINES 64
    GDT_TABLE

    .balign 16
idt:
    IDT64_GATES PIN2_VEC, unexpected_isr
    IDT64_GATE  pin2_isr
    IDT64_GATES (0xff-PIN2_VEC-1), unexpected_isr
    IDT64_GATE  spurious_isr            /* 0xff: LAPIC spurious vector */
idt_end:
idt_desc:
    .word   idt_end - idt - 1
    .quad   idt

    RESET_VECTOR start16
