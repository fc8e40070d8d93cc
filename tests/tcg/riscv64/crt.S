/*
 * Runtime of the riscv64 ISA test programs: M-mode entry (stack, bss, trap
 * vector, FPU enabled with fcsr cleared), then the test's test_main; UART
 * output helpers for the ns16550a at 0x10000000; test_check, which counts
 * checks and prints a line for each mismatch; a trap handler that records
 * mcause/mtval/mepc and skips the trapping instruction when the test armed it
 * (EXPECT_TRAP; EXPECT_TRAP_M also returns in M-mode, which is how tests
 * running in S or U mode get back), and otherwise reports the unexpected
 * trap and fails; and
 * test_finish, which prints the summary and writes the SiFive test finisher
 * (0x5555 pass, 0x3333 | 1 << 16 fail). Uses only RV64I and Zicsr.
 */
#include "test.h"

    .section .text.init, "ax"
    .globl _start
_start:
    .option push
    .option norelax
    la gp, __global_pointer$
    .option pop
    la sp, __stack_top
    la t0, __bss_start
    la t1, __bss_end
1:  bgeu t0, t1, 2f
    sd zero, 0(t0)
    addi t0, t0, 8
    j 1b
2:  la t0, test_trap_entry
    csrw mtvec, t0
    li t0, 0x2000               /* mstatus.FS = Initial */
    csrs mstatus, t0
    csrwi fcsr, 0
    call test_main
    j test_finish

    .text
/* test_puts(a0 = string): clobbers a0-a2, t6. */
    .globl test_puts
test_puts:
    mv a2, a0
1:  lbu a0, 0(a2)
    beqz a0, 3f
    li t6, UART_BASE
2:  lbu a1, 5(t6)
    andi a1, a1, 0x20
    beqz a1, 2b
    sb a0, 0(t6)
    addi a2, a2, 1
    j 1b
3:  ret

/* test_putc(a0 = character): clobbers a1, t6. */
test_putc:
    li t6, UART_BASE
1:  lbu a1, 5(t6)
    andi a1, a1, 0x20
    beqz a1, 1b
    sb a0, 0(t6)
    ret

/* test_puthex(a0 = value): "0x" and 16 digits; clobbers a0-a4, t6. */
test_puthex:
    mv a3, ra
    mv a2, a0
    li a0, '0'
    call test_putc
    li a0, 'x'
    call test_putc
    li a4, 60
1:  srl a0, a2, a4
    andi a0, a0, 15
    addi a0, a0, '0'
    li a1, '9'
    bleu a0, a1, 2f
    addi a0, a0, 'a' - '9' - 1
2:  call test_putc
    addi a4, a4, -4
    bgez a4, 1b
    mv ra, a3
    ret

/* test_putdec(a0 = unsigned value): decimal without M; clobbers a0-a5, t6. */
test_putdec:
    mv a3, ra
    mv a2, a0
    la a4, pow10
    li a5, 0                    /* set once a digit was printed */
1:  ld a1, 0(a4)
    beqz a1, 4f
    li a0, '0'
2:  bltu a2, a1, 3f
    sub a2, a2, a1
    addi a0, a0, 1
    j 2b
3:  addi a4, a4, 8
    li a1, '0'
    bne a0, a1, 5f
    beqz a5, 1b
5:  li a5, 1
    call test_putc
    j 1b
4:  addi a0, a2, '0'
    call test_putc
    mv ra, a3
    ret

/*
 * test_check(a0 = value, a1 = expected, a2 = source line): counts the check;
 * a mismatch counts a failure and prints "FAIL line L: got X expected Y".
 * Preserves every register but a0-a2, t6 and ra.
 */
    .globl test_check
test_check:
    addi sp, sp, -16
    sd t5, 0(sp)
    la t6, check_count
    ld t5, 0(t6)
    addi t5, t5, 1
    sd t5, 0(t6)
    ld t5, 0(sp)
    addi sp, sp, 16
    bne a0, a1, 1f
    ret
1:  addi sp, sp, -64
    sd ra, 0(sp)
    sd a3, 8(sp)
    sd a4, 16(sp)
    sd a5, 24(sp)
    sd a0, 32(sp)
    sd a1, 40(sp)
    sd a2, 48(sp)
    ld a0, fail_count
    addi a0, a0, 1
    sd a0, fail_count, a1
    la a0, str_fail
    call test_puts
    ld a0, 48(sp)
    call test_putdec
    la a0, str_got
    call test_puts
    ld a0, 32(sp)
    call test_puthex
    la a0, str_exp
    call test_puts
    ld a0, 40(sp)
    call test_puthex
    li a0, '\n'
    call test_putc
    ld ra, 0(sp)
    ld a3, 8(sp)
    ld a4, 16(sp)
    ld a5, 24(sp)
    addi sp, sp, 64
    ret

/*
 * Trap vector. An armed trap (trap_expected != 0) is recorded in trap_cause,
 * trap_tval and trap_epc, disarmed, and the trapping instruction skipped (2 or
 * 4 bytes from its low bits), returning to the trapping mode (trap_expected 1)
 * or to M-mode (2); any other trap is reported and fails the test.
 */
    .balign 4
test_trap_entry:
    addi sp, sp, -32
    sd t0, 0(sp)
    sd t1, 8(sp)
    sd t2, 16(sp)
    csrr t0, mcause
    sd t0, trap_cause, t1
    csrr t0, mtval
    sd t0, trap_tval, t1
    csrr t0, mepc
    sd t0, trap_epc, t1
    lw t1, trap_expected
    beqz t1, 2f
    li t2, 2
    bne t1, t2, 0f
    li t2, 0x1800               /* armed with 2: return in M-mode (MPP = M) */
    csrs mstatus, t2
0:  sw zero, trap_expected, t1
    lhu t1, 0(t0)
    andi t1, t1, 3
    li t2, 3
    addi t0, t0, 2
    bne t1, t2, 1f
    addi t0, t0, 2
1:  csrw mepc, t0
    ld t0, 0(sp)
    ld t1, 8(sp)
    ld t2, 16(sp)
    addi sp, sp, 32
    mret
2:  la a0, str_trap
    call test_puts
    ld a0, trap_cause
    call test_puthex
    la a0, str_mepc
    call test_puts
    ld a0, trap_epc
    call test_puthex
    la a0, str_mtval
    call test_puts
    ld a0, trap_tval
    call test_puthex
    li a0, '\n'
    call test_putc
    ld a0, fail_count
    addi a0, a0, 1
    sd a0, fail_count, a1
    /* fall through */

/* Prints "NAME: N checks, M failed" and PASS/FAIL, then ends the machine. */
    .globl test_finish
test_finish:
    la a0, test_name
    call test_puts
    la a0, str_colon
    call test_puts
    ld a0, check_count
    call test_putdec
    la a0, str_checks
    call test_puts
    ld a0, fail_count
    call test_putdec
    la a0, str_failed
    call test_puts
    ld t0, fail_count
    li t1, FINISHER_BASE
    bnez t0, 1f
    la a0, str_pass
    call test_puts
    li t2, 0x5555
    sw t2, 0(t1)
    j 2f
1:  la a0, str_failmsg
    call test_puts
    li t2, 0x13333              /* fail, exit code 1 */
    li t1, FINISHER_BASE
    sw t2, 0(t1)
2:  wfi
    j 2b

    .section .rodata
    .balign 8
pow10:
    .dword 10000000000000000000, 1000000000000000000, 100000000000000000
    .dword 10000000000000000, 1000000000000000, 100000000000000, 10000000000000
    .dword 1000000000000, 100000000000, 10000000000, 1000000000, 100000000
    .dword 10000000, 1000000, 100000, 10000, 1000, 100, 10, 0
str_fail:    .asciz "FAIL line "
str_got:     .asciz ": got "
str_exp:     .asciz " expected "
str_trap:    .asciz "unexpected trap: mcause="
str_mepc:    .asciz " mepc="
str_mtval:   .asciz " mtval="
str_colon:   .asciz ": "
str_checks:  .asciz " checks, "
str_failed:  .asciz " failed\n"
str_pass:    .asciz "PASS\n"
str_failmsg: .asciz "FAIL\n"

    .bss
    .balign 8
    .globl trap_cause, trap_tval, trap_epc, trap_expected
check_count:   .dword 0
fail_count:    .dword 0
trap_cause:    .dword 0
trap_tval:     .dword 0
trap_epc:      .dword 0
trap_expected: .word 0
