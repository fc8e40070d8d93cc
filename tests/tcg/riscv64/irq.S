/*
 * Interrupts through the CLINT and mip, with a trap vector of this test:
 * the machine software interrupt (msip) taken when mstatus.MIE is set, the
 * machine timer interrupt (mtimecmp) after wfi woke on it with MIE clear,
 * MSI before MTI when simultaneous, SSI, STI and SEI set in mip,
 * M-mode interrupts taken in U-mode whatever MIE, and vectored mtvec.
 */
#include "test.h"

    .option norvc

#define CLINT_MSIP     0x2000000
#define CLINT_MTIMECMP 0x2004000
#define CLINT_MTIME    0x200bff8
#define MSIE (1 << 3)
#define MTIE (1 << 7)

/* N-th logged mcause equals EXP. */
#define CHECK_LOG(n, exp) \
    la t0, irq_log; ld a0, (n) * 8(t0); li a1, exp; li a2, __LINE__; call test_check

TEST_BEGIN("irq")
    PMP_ALLOW_ALL
    li t0, CLINT_MTIMECMP
    li t1, -1
    sd t1, 0(t0)                /* no timer interrupt yet */
    csrci mstatus, 8
    la t0, irq_vec
    csrrw s2, mtvec, t0
    /* machine software interrupt: pending with MIE clear, taken once it is set */
    li t0, MSIE
    csrw mie, t0
    li t0, CLINT_MSIP
    li t1, 1
    sw t1, 0(t0)
    csrr t0, mip
    andi t0, t0, MSIE
    CHECK(t0, MSIE)
    ld t0, irq_n
    CHECK(t0, 0)
    csrsi mstatus, 8
    nop
    csrci mstatus, 8
    ld t0, irq_n
    CHECK(t0, 1)
    CHECK_LOG(0, 0x8000000000000003)
    /* timer: wfi with MIE clear wakes when MTIP is pending, then MIE takes it */
    li t0, MTIE
    csrw mie, t0
    li t0, CLINT_MTIME
    ld t1, 0(t0)
    li t2, 20000                /* 2 ms at 10 MHz */
    add t1, t1, t2
    li t0, CLINT_MTIMECMP
    sd t1, 0(t0)
1:  wfi
    csrr t0, mip
    andi t0, t0, MTIE
    beqz t0, 1b
    li t0, CLINT_MTIME
    ld t2, 0(t0)
    sltu t2, t2, t1
    CHECK(t2, 0)                /* woke no earlier than mtimecmp */
    csrsi mstatus, 8
    nop
    csrci mstatus, 8
    ld t0, irq_n
    CHECK(t0, 2)
    CHECK_LOG(1, 0x8000000000000007)
    /*
     * priority: MSI before MTI. QEMU 7.2, the reference, does not order the
     * S-level ones as the spec does (after all M-level ones: SEI, SSI, STI),
     * so those are raised one at a time through mip.
     */
    li t0, 0xaaa
    csrw mie, t0
    li t0, CLINT_MSIP
    li t1, 1
    sw t1, 0(t0)
    li t0, CLINT_MTIMECMP
    sd zero, 0(t0)
    csrsi mstatus, 8
    nop
    csrci mstatus, 8
    ld t0, irq_n
    CHECK(t0, 4)
    CHECK_LOG(2, 0x8000000000000003)
    CHECK_LOG(3, 0x8000000000000007)
    li t0, 0x2                  /* SSI alone */
    csrs mip, t0
    csrsi mstatus, 8
    nop
    csrci mstatus, 8
    CHECK_LOG(4, 0x8000000000000001)
    li t0, 0x20                 /* STI alone */
    csrs mip, t0
    csrsi mstatus, 8
    nop
    csrci mstatus, 8
    CHECK_LOG(5, 0x8000000000000005)
    li t0, 0x200                /* SEI alone */
    csrs mip, t0
    csrsi mstatus, 8
    nop
    csrci mstatus, 8
    CHECK_LOG(6, 0x8000000000000009)
    /* in U-mode, M-mode interrupts are taken even with MIE clear */
    li t0, MSIE
    csrw mie, t0
    li t0, CLINT_MSIP
    li t1, 1
    sw t1, 0(t0)
    li t0, 0x88                 /* MIE and MPIE clear */
    csrc mstatus, t0
    ENTER_U(1f)
1:  nop
    ecall                       /* back to M-mode through irq_vec */
    ld t0, irq_n
    CHECK(t0, 9)
    CHECK_LOG(7, 0x8000000000000003)
    CHECK_LOG(8, 8)
    /* vectored mtvec: the software interrupt enters at base + 12 */
    la t0, vec_table + 1
    csrw mtvec, t0
    li t0, CLINT_MSIP
    li t1, 1
    sw t1, 0(t0)
    csrsi mstatus, 8
    nop
    csrci mstatus, 8
    ld t0, irq_n
    CHECK(t0, 10)
    CHECK_LOG(9, 0x8000000000000003)
    ld t0, bad_vector
    CHECK(t0, 0)
    csrw mie, zero
    csrw mtvec, s2
TEST_END

/*
 * The test's trap vector: logs mcause; an interrupt's source is cleared (msip,
 * mtimecmp = -1, or the mip bit); an exception (ecall) returns in M-mode
 * after the instruction.
 */
    .balign 4
irq_vec:
    addi sp, sp, -32
    sd t0, 0(sp)
    sd t1, 8(sp)
    sd t2, 16(sp)
    la t1, irq_log
    ld t2, irq_n
    slli t0, t2, 3
    add t1, t1, t0
    csrr t0, mcause
    sd t0, 0(t1)
    addi t2, t2, 1
    sd t2, irq_n, t1
    bgez t0, 4f
    slli t0, t0, 1
    srli t0, t0, 1
    li t1, 3
    bne t0, t1, 1f
    li t1, CLINT_MSIP
    sw zero, 0(t1)
    j 9f
1:  li t1, 7
    bne t0, t1, 2f
    li t1, CLINT_MTIMECMP
    li t2, -1
    sd t2, 0(t1)
    j 9f
2:  li t1, 1
    sll t1, t1, t0
    csrc mip, t1
    j 9f
4:  csrr t0, mepc
    addi t0, t0, 4
    csrw mepc, t0
    li t0, 0x1800
    csrs mstatus, t0
9:  ld t0, 0(sp)
    ld t1, 8(sp)
    ld t2, 16(sp)
    addi sp, sp, 32
    mret

/* Vectored mode: only entry 3 (machine software interrupt) is expected. */
    .balign 64
vec_table:
    .rept 3
    j vec_bad
    .endr
    j irq_vec
    .rept 12
    j vec_bad
    .endr
vec_bad:
    sd sp, bad_vector, t6
    j irq_vec

    .bss
    .balign 8
irq_n:      .dword 0
bad_vector: .dword 0
irq_log:    .skip 8 * 16
