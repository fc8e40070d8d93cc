/*
 * serial-irq.S - ROM guest (-bios): a COM1 interrupt through the IOAPIC and
 * the local APIC.
 *
 * Tests: IOAPIC redirection entry for ISA IRQ 4 (pin 4 -> vector 0x24, edge,
 * fixed, physical destination APIC id 0), LAPIC software enable (SVR bit 8)
 * and EOI, the 16550A THR-empty interrupt (IER bit 1 raises IRQ 4 at once as
 * the transmitter is idle), IDT delivery and waking a halted vCPU (sti; hlt)
 * by a device interrupt. The 8259 PICs are masked so that the interrupt can
 * only come through the IOAPIC. The IOAPIC and LAPIC are programmed in 32-bit
 * protected mode (paging off); the interrupt is taken in 64-bit long mode
 * because the handler must return (iretq; see "Interrupts" in lib.h for why
 * not a 32-bit iret).
 * Prints "serial irq ok" (by polling, after the handler has counted the
 * interrupt and turned IER off again), then powers off. Without an interrupt
 * it stays halted (the harness times out); an unexpected vector prints
 * "FAIL unexpected interrupt" and halts.
 */
#include "lib.h"

#define IRQ_COUNT   (RAM_VARS + 0)      /* dword: interrupts seen */
#define SERIAL_VEC  0x24

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
    IOAPIC_ROUTE 4, SERIAL_VEC, 0       /* edge, active high, fixed, to APIC 0 */
    LAPIC_ENABLE
    BUILD_PAGE_TABLES PT_BASE, 1
    ENTER_LONG PT_BASE, start64

    .code64
start64:
    LONG_MODE_INIT
    lidt    idt_desc
    mov     $(COM1 + UART_IER), %dx
    mov     $0x02, %al                  /* ETBEI: THR empty interrupt */
    out     %al, %dx
1:  cmpl    $0, IRQ_COUNT
    jne     2f
    sti                                 /* the interrupt shadow of sti keeps */
    hlt                                 /* an IRQ from slipping in before hlt */
    cli
    jmp     1b
2:  PUTLN64 "serial irq ok"
    POWEROFF

/* IRQ 4: acknowledge the UART (read IIR, clear IER), count, EOI. */
serial_isr:
    push    %rax
    push    %rdx
    mov     $(COM1 + UART_IIR), %dx
    in      %dx, %al
    mov     $(COM1 + UART_IER), %dx
    xor     %al, %al
    out     %al, %dx
    incl    IRQ_COUNT
    LAPIC_EOI64
    pop     %rdx
    pop     %rax
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
    IDT64_GATES SERIAL_VEC, unexpected_isr
    IDT64_GATE  serial_isr
    IDT64_GATES (0xff-SERIAL_VEC-1), unexpected_isr
    IDT64_GATE  spurious_isr            /* 0xff: LAPIC spurious vector */
idt_end:
idt_desc:
    .word   idt_end - idt - 1
    .quad   idt

    RESET_VECTOR start16
