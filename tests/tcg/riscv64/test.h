/*
 * Macros shared by the riscv64 ISA test programs (preprocessed assembly).
 * A test defines `test_main` (called with the runtime set up: stack, trap
 * handler, FPU on) and the string TEST_NAME; CHECK-style macros compare a
 * register with an expected value and report the source line of any mismatch;
 * the runtime (crt.S) prints a summary line and ends the machine through the
 * SiFive test finisher: pass when no check failed and no unexpected trap came.
 * Checks preserve every register but a0-a2, t6 and ra.
 */
#ifndef TESTS_TCG_RISCV64_TEST_H
#define TESTS_TCG_RISCV64_TEST_H

#define UART_BASE     0x10000000
#define FINISHER_BASE 0x100000

/* Compare integer register REG with the constant EXP. */
#define CHECK(reg, exp) \
    mv a0, reg; li a1, exp; li a2, __LINE__; call test_check

/* Compare integer register REG with register EXPREG (not a0). */
#define CHECK_EQ(reg, expreg) \
    mv a0, reg; mv a1, expreg; li a2, __LINE__; call test_check

/* Compare the raw 64 bits of FP register FREG (NaN-boxing included). */
#define CHECK_F(freg, exp) \
    fmv.x.d a0, freg; li a1, exp; li a2, __LINE__; call test_check

/* Read and clear fflags, compare with EXP (NV=0x10 DZ=0x8 OF=0x4 UF=0x2 NX=0x1). */
#define CHECK_FLAGS(exp) \
    csrrw a0, fflags, zero; li a1, exp; li a2, __LINE__; call test_check

/* Arm the trap handler: the next trap is expected; it records and skips the insn. */
#define EXPECT_TRAP \
    li t6, 1; sw t6, trap_expected, a0

/* Like EXPECT_TRAP, but the handler returns in M-mode (from a test running in S or U). */
#define EXPECT_TRAP_M \
    li t6, 2; sw t6, trap_expected, a0

/* Let S and U mode access all memory: PMP entry 0 is NAPOT over everything, RWX. */
#define PMP_ALLOW_ALL \
    li t0, -1; csrw pmpaddr0, t0; li t0, 0x1f; csrw pmpcfg0, t0

/* From M-mode, continue at LABEL in S-mode (mret with MPP = S). Clobbers t0. */
#define ENTER_S(label) \
    li t0, 0x1800; csrc mstatus, t0; li t0, 0x800; csrs mstatus, t0; \
    la t0, label; csrw mepc, t0; mret

/* From M-mode, continue at LABEL in U-mode (mret with MPP = U). Clobbers t0. */
#define ENTER_U(label) \
    li t0, 0x1800; csrc mstatus, t0; la t0, label; csrw mepc, t0; mret

/* Back to M-mode from S or U: an ecall that the handler returns from in M-mode. */
#define BACK_TO_M \
    EXPECT_TRAP_M; ecall

/* After an expected trap: compare mcause and mtval recorded by the handler. */
#define CHECK_TRAP(cause, tval) \
    ld a0, trap_cause; li a1, cause; li a2, __LINE__; call test_check; \
    ld a0, trap_tval; li a1, tval; li a2, __LINE__; call test_check; \
    lw a0, trap_expected; li a1, 0; li a2, __LINE__; call test_check

/* Like CHECK_TRAP with the expected mtval in register TVALREG (not a0-a2). */
#define CHECK_TRAP_REG(cause, tvalreg) \
    ld a0, trap_cause; li a1, cause; li a2, __LINE__; call test_check; \
    CHECK_TVAL_REG(tvalreg)

/* After an expected trap: the trap came and mtval equals register TVALREG. */
#define CHECK_TVAL_REG(tvalreg) \
    ld a0, trap_tval; mv a1, tvalreg; li a2, __LINE__; call test_check; \
    lw a0, trap_expected; li a1, 0; li a2, __LINE__; call test_check

/* After an expected trap: compare the recorded mepc with the address of LABEL. */
#define CHECK_EPC(label) \
    ld a0, trap_epc; la a1, label; li a2, __LINE__; call test_check

/* Print a string literal on the UART. */
#define PRINT(str) \
    la a0, 9001f; call test_puts; \
    .pushsection .rodata; 9001: .asciz str; .popsection

/* Load FP register FREG from 64 raw bits (through t6). */
#define LOAD_F(freg, bits) \
    li t6, bits; fmv.d.x freg, t6

/* Start of a test: its name (a string literal) and the entry test_main. */
#define TEST_BEGIN(name) \
    .pushsection .rodata; .globl test_name; test_name: .asciz name; .popsection; \
    .text; .globl test_main; test_main:

/* End of a test: summary and exit through the finisher. */
#define TEST_END j test_finish

#define FLAG_NV 0x10
#define FLAG_DZ 0x08
#define FLAG_OF 0x04
#define FLAG_UF 0x02
#define FLAG_NX 0x01

#endif
