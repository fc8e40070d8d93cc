/*
 * demo.S - ROM guest (-bios): the interactive demo, an interrupt-driven echo.
 *
 * Prints the banner
 *   "Kestrel demo guest: type and it echoes; Ctrl-a x quits"
 * then echoes every byte received on COM1, turning CR into CR LF. Never
 * powers off (Ctrl-a x in Kestrel's serial mux ends it). Receiving is
 * interrupt driven: IER.ERBFI raises ISA IRQ 4, routed by the IOAPIC (pin 4
 * -> vector 0x24, edge) to the LAPIC; the handler drains the receive FIFO, so
 * the line drops and the next byte makes a fresh edge. Between bytes the vCPU
 * sits in hlt (idle on the host). Runs in 64-bit long mode (see serial-irq.S).
 */
#include "lib.h"

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
    MASK_PIC
    IOAPIC_ROUTE 4, SERIAL_VEC, 0       /* edge, active high, fixed, to APIC 0 */
    LAPIC_ENABLE
    BUILD_PAGE_TABLES PT_BASE, 1
    ENTER_LONG PT_BASE, start64

    .code64
start64:
    LONG_MODE_INIT
    lidt    idt_desc
    PUTLN64 "Kestrel demo guest: type and it echoes; Ctrl-a x quits"
    mov     $(COM1 + UART_IER), %dx
    mov     $0x01, %al                  /* ERBFI: received data available */
    out     %al, %dx
idle:
    cli
    call    echo_rx                     /* anything that came before the IRQ */
    sti
    hlt
    jmp     idle

/* Echo every byte waiting in the receive FIFO. Clobbers RAX, RCX, RDX. */
echo_rx:
1:  mov     $(COM1 + UART_LSR), %dx
    in      %dx, %al
    test    $LSR_DR, %al
    jz      2f
    mov     $(COM1 + UART_RBR), %dx
    in      %dx, %al
    cmp     $'\r', %al
    jne     3f
    call    putc64
    mov     $'\n', %al
3:  call    putc64
    jmp     1b
2:  ret

serial_isr:
    push    %rax
    push    %rcx
    push    %rdx
    mov     $(COM1 + UART_IIR), %dx
    in      %dx, %al
    call    echo_rx
    LAPIC_EOI64
    pop     %rdx
    pop     %rcx
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
