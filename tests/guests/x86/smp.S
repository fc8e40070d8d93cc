/*
 * smp.S - ROM guest (-bios): brings up the application processors.
 *
 * Tests: the in-kernel LAPIC's INIT and STARTUP IPIs (ICR, destination
 * shorthand "all excluding self"), APs starting in real mode at the SIPI
 * vector page (a trampoline copied to RAM at 0x8000, vector 0x08), a locked
 * read-modify-write (lock xadd) on shared RAM by several vCPUs at once, and
 * the LAPIC timer (periodic, vector 0x30) waking the halted BSP.
 * The BSP sends INIT, then SIPI, then sleeps on the 10 ms timer tick until
 * the AP counter stops growing (10 ticks without change once an AP is up, or
 * 100 ticks with none, at most 300 ticks), and prints
 *   "smp: N cpus up"
 * where N counts the BSP too (the harness runs -smp 4 and expects 4), then
 * powers off. Each AP does lock xadd on the counter and halts with IRQs off.
 */
#include "lib.h"

#define AP_COUNT    (RAM_VARS + 0)      /* dword, incremented by each AP */
#define TIMER_VEC   0x30
#define TICK_COUNT  10000000            /* LAPIC timer counts at 1 GHz: 10 ms */

    .text
    .code16
start16:
    REAL_MODE_INIT
    SERIAL_INIT
    ENTER_PROTECTED start32

    .code32
start32:
    PROTECTED_MODE_INIT
    movl    $0, AP_COUNT
    mov     $ap_trampoline, %esi        /* ROM -> RAM at the SIPI page */
    mov     $AP_TRAMPOLINE, %edi
    mov     $(ap_trampoline_end - ap_trampoline), %ecx
    rep movsb
    MASK_PIC
    LAPIC_ENABLE
    movl    $0, (LAPIC_BASE + LAPIC_ICR_HI)
    movl    $0x000c4500, (LAPIC_BASE + LAPIC_ICR_LO)   /* INIT, all but self */
    call    icr_wait
    movl    $(0x000c4600 | (AP_TRAMPOLINE >> 12)), (LAPIC_BASE + LAPIC_ICR_LO) /* SIPI */
    call    icr_wait
    BUILD_PAGE_TABLES PT_BASE, 1
    ENTER_LONG PT_BASE, start64

/* Wait (bounded) for the ICR delivery-status bit to clear. Clobbers ECX. */
icr_wait:
    mov     $1000, %ecx
1:  testl   $0x1000, (LAPIC_BASE + LAPIC_ICR_LO)
    jz      2f
    dec     %ecx
    jnz     1b
2:  ret

    .code64
start64:
    LONG_MODE_INIT
    lidt    idt_desc
    mov     $LAPIC_BASE, %ebx
    movl    $0xb, LAPIC_TIMER_DCR(%rbx)                 /* divide by 1 */
    movl    $(0x20000 | TIMER_VEC), LAPIC_LVT_TIMER(%rbx) /* periodic */
    movl    $TICK_COUNT, LAPIC_TIMER_ICR(%rbx)
    xor     %r8d, %r8d              /* last count seen */
    xor     %r9d, %r9d              /* ticks since it changed */
    xor     %r10d, %r10d            /* ticks in all */
    xor     %r11d, %r11d            /* ticks seen by the handler */
wait:
    sti
    hlt
    cli
    cmp     %r10d, %r11d            /* woken by a tick? */
    je      wait
    mov     %r11d, %r10d
    mov     AP_COUNT, %eax
    cmp     %eax, %r8d
    je      1f
    mov     %eax, %r8d
    xor     %r9d, %r9d
    jmp     wait
1:  inc     %r9d
    cmp     $300, %r10d
    jae     done
    test    %r8d, %r8d
    jz      2f
    cmp     $10, %r9d               /* some APs up, no news for 100 ms */
    jae     done
    jmp     wait
2:  cmp     $100, %r9d              /* none up after 1 s */
    jb      wait
done:
    movl    $0x10000, LAPIC_LVT_TIMER(%rbx)   /* mask the timer */
    movl    $0, LAPIC_TIMER_ICR(%rbx)
    PUTS64  "smp: "
    mov     AP_COUNT, %eax
    inc     %eax                    /* + the BSP */
    call    putdec64
    PUTLN64 " cpus up"
    POWEROFF

timer_isr:
    inc     %r11d                   /* the BSP main loop owns R11 for this */
    LAPIC_EOI64
    iretq

spurious_isr:
    iretq

unexpected_isr:
    PUTLN64 "FAIL unexpected interrupt"
    HALT_FOREVER

/* AP entry, copied to AP_TRAMPOLINE: real mode, CS = 0x0800, IP = 0.
 * Position independent; uses no stack. */
    .code16
ap_trampoline:
    cli
    xor     %ax, %ax
    mov     %ax, %ds
    mov     $1, %eax
    lock xaddl %eax, AP_COUNT
1:  hlt
    jmp     1b
ap_trampoline_end:

    .code64
    SERIAL_ROUTINES 64
    GDT_TABLE

    .balign 16
idt:
    IDT64_GATES TIMER_VEC, unexpected_isr
    IDT64_GATE  timer_isr
    IDT64_GATES (0xff-TIMER_VEC-1), unexpected_isr
    IDT64_GATE  spurious_isr            /* 0xff: LAPIC spurious vector */
idt_end:
idt_desc:
    .word   idt_end - idt - 1
    .quad   idt

    RESET_VECTOR start16
