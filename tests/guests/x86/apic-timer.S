/*
 * apic-timer.S - ROM guest (-bios): the local APIC timer in one-shot and
 * periodic mode, and the CMOS RTC's periodic interrupt.
 *
 * Tests: LAPIC timer one-shot (1 ms, vector 0x30): one interrupt, then the
 * current count reads 0; the RTC periodic interrupt (register A rate 6:
 * 1024 Hz, register B PIE) on ISA IRQ 8 through IOAPIC pin 8 (vector 0x28),
 * acknowledged by reading register C; five RTC ticks later the one-shot
 * timer still fired only once; then periodic mode (1 ms) ticks four times.
 * Prints "lapic oneshot ok", "rtc periodic ok" and "lapic periodic ok",
 * then powers off. Any failure prints a line starting with FAIL.
 */
#include "lib.h"

#define TICKS       (RAM_VARS + 0)      /* dword: LAPIC timer interrupts */
#define RTC_TICKS   (RAM_VARS + 4)      /* dword: RTC interrupts */
#define RTC_VEC     0x28
#define TIMER_VEC   0x30
#define LAPIC_TIMER_CCR 0x390
#define RTC_INDEX   0x70
#define RTC_DATA    0x71

    .text
    .code16
start16:
    REAL_MODE_INIT
    SERIAL_INIT
    ENTER_PROTECTED start32

    .code32
start32:
    PROTECTED_MODE_INIT
    movl    $0, TICKS
    movl    $0, RTC_TICKS
    MASK_PIC
    IOAPIC_ROUTE 8, RTC_VEC, 0          /* edge, active high, fixed, to APIC 0 */
    LAPIC_ENABLE
    BUILD_PAGE_TABLES PT_BASE, 1
    ENTER_LONG PT_BASE, start64

    .code64
start64:
    LONG_MODE_INIT
    lidt    idt_desc
    mov     $LAPIC_BASE, %ebx
    movl    $0xb, LAPIC_TIMER_DCR(%rbx)         /* divide by 1: 1 GHz */
    movl    $TIMER_VEC, LAPIC_LVT_TIMER(%rbx)   /* one-shot */
    movl    $1000000, LAPIC_TIMER_ICR(%rbx)     /* 1 ms */
1:  cmpl    $1, TICKS
    jae     2f
    sti
    hlt
    cli
    jmp     1b
2:  cmpl    $0, LAPIC_TIMER_CCR(%rbx)
    je      3f
    PUTLN64 "FAIL one-shot current count is not 0 after expiry"
    POWEROFF
3:  PUTLN64 "lapic oneshot ok"

    mov     $0x0a, %al                  /* register A: 32.768 kHz base, rate 6 */
    out     %al, $RTC_INDEX
    mov     $0x26, %al
    out     %al, $RTC_DATA
    mov     $0x0c, %al                  /* clear stale flags */
    out     %al, $RTC_INDEX
    in      $RTC_DATA, %al
    mov     $0x0b, %al                  /* register B: PIE, 24 h */
    out     %al, $RTC_INDEX
    mov     $0x42, %al
    out     %al, $RTC_DATA
4:  cmpl    $5, RTC_TICKS
    jae     5f
    sti
    hlt
    cli
    jmp     4b
5:  mov     $0x0b, %al                  /* PIE off */
    out     %al, $RTC_INDEX
    mov     $0x02, %al
    out     %al, $RTC_DATA
    cmpl    $1, TICKS
    je      6f
    PUTLN64 "FAIL one-shot timer fired more than once"
    POWEROFF
6:  PUTLN64 "rtc periodic ok"

    movl    $(0x20000 | TIMER_VEC), LAPIC_LVT_TIMER(%rbx)     /* periodic */
    movl    $1000000, LAPIC_TIMER_ICR(%rbx)
7:  cmpl    $5, TICKS
    jae     8f
    sti
    hlt
    cli
    jmp     7b
8:  movl    $0x10000, LAPIC_LVT_TIMER(%rbx)    /* mask and stop */
    movl    $0, LAPIC_TIMER_ICR(%rbx)
    PUTLN64 "lapic periodic ok"
    POWEROFF

timer_isr:
    incl    TICKS
    LAPIC_EOI64
    iretq

rtc_isr:
    push    %rax
    mov     $0x0c, %al                  /* reading register C acknowledges */
    out     %al, $RTC_INDEX
    in      $RTC_DATA, %al
    incl    RTC_TICKS
    pop     %rax
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
    IDT64_GATES RTC_VEC, unexpected_isr
    IDT64_GATE  rtc_isr
    IDT64_GATES (TIMER_VEC-RTC_VEC-1), unexpected_isr
    IDT64_GATE  timer_isr
    IDT64_GATES (0xff-TIMER_VEC-1), unexpected_isr
    IDT64_GATE  spurious_isr            /* 0xff: LAPIC spurious vector */
idt_end:
idt_desc:
    .word   idt_end - idt - 1
    .quad   idt

    RESET_VECTOR start16
