/*
 * Privilege modes: misa S and U and mstatus UXL/SXL; M -> S -> U and back
 * with mret, sret and ecall (causes 8, 9, mstatus MPP/SPP/SPIE); illegal
 * instructions in lower modes (M and S CSRs from U, M CSRs from S, mret/sret
 * /wfi/sfence.vma where not allowed, TSR, TVM, TW) with mtval = the bits;
 * counter access through mcounteren/scounteren; delegation of ecall and
 * illegal instructions to an S-mode handler (medeleg) and of the supervisor
 * software interrupt (mideleg, sip.SSIP); the WARL masks of medeleg,
 * mideleg, sie/sip, sstatus; satp writes of unsupported modes being ignored.
 */
#include "test.h"

    .option norvc

TEST_BEGIN("priv")
    PMP_ALLOW_ALL
    csrr t0, misa
    li t1, (1 << 18) | (1 << 20)
    and t0, t0, t1
    CHECK(t0, (1 << 18) | (1 << 20))
    csrr t0, mstatus
    srli t0, t0, 32
    andi t0, t0, 0xf
    CHECK(t0, 0xa)
    /* M -> S, then ecall from S (cause 9, MPP = S) */
    ENTER_S(1f)
1:  BACK_TO_M
    ld a0, trap_cause
    CHECK(a0, 9)
    /* M -> U, ecall from U (cause 8, MPP = U) */
    ENTER_U(1f)
1:  BACK_TO_M
    ld a0, trap_cause
    CHECK(a0, 8)
    /* mret with MPP = U leaves MPP = U; with MPP = M, MPP becomes U after */
    la t0, 1f
    csrw mepc, t0
    li t0, 0x1800
    csrs mstatus, t0
    mret
1:  csrr t0, mstatus
    srli t0, t0, 11
    andi t0, t0, 3
    CHECK(t0, 0)

    /* Illegal from U: M and S CSRs, privileged instructions, counters (mcounteren = 0) */
    csrw mcounteren, zero
    csrw scounteren, zero
    ENTER_U(1f)
1:  EXPECT_TRAP
    csrr a0, mstatus
    CHECK_TRAP(2, 0x30002573)
    EXPECT_TRAP
    csrr a0, sstatus
    CHECK_TRAP(2, 0x10002573)
    EXPECT_TRAP
    csrw sscratch, a0
    CHECK_TRAP(2, 0x14051073)
    EXPECT_TRAP
    mret
    CHECK_TRAP(2, 0x30200073)
    EXPECT_TRAP
    sret
    CHECK_TRAP(2, 0x10200073)
    EXPECT_TRAP
    wfi
    CHECK_TRAP(2, 0x10500073)
    EXPECT_TRAP
    sfence.vma
    CHECK_TRAP(2, 0x12000073)
    EXPECT_TRAP
    rdtime a0
    CHECK_TRAP(2, 0xc0102573)
    EXPECT_TRAP
    rdcycle a0
    CHECK_TRAP(2, 0xc0002573)
    BACK_TO_M
    /* Illegal from S: M CSRs, mret; S CSRs are fine */
    ENTER_S(1f)
1:  EXPECT_TRAP
    csrr a0, mscratch
    CHECK_TRAP(2, 0x34002573)
    EXPECT_TRAP
    csrr a0, mhartid
    CHECK_TRAP(2, 0xf1402573)
    EXPECT_TRAP
    mret
    CHECK_TRAP(2, 0x30200073)
    EXPECT_TRAP
    rdtime a0
    CHECK_TRAP(2, 0xc0102573)
    li t0, 0x5a
    csrw sscratch, t0
    csrr t1, sscratch
    CHECK(t1, 0x5a)
    sfence.vma
    BACK_TO_M
    /* Counters: mcounteren lets S read time; U also needs scounteren */
    li t0, 7
    csrw mcounteren, t0
    ENTER_S(1f)
1:  rdtime a0
    rdcycle a0
    li t0, 2
    csrw scounteren, t0         /* time only */
    csrr t1, scounteren
    CHECK(t1, 2)
    BACK_TO_M
    ENTER_U(1f)
1:  rdtime a0
    EXPECT_TRAP
    rdcycle a0
    CHECK_TRAP(2, 0xc0002573)
    BACK_TO_M
    /* TSR, TVM, TW trap sret, satp/sfence.vma and wfi in S-mode */
    li t0, (1 << 20) | (1 << 21) | (1 << 22)
    csrs mstatus, t0
    ENTER_S(1f)
1:  EXPECT_TRAP
    sret
    CHECK_TRAP(2, 0x10200073)
    EXPECT_TRAP
    csrr a0, satp
    CHECK_TRAP(2, 0x18002573)
    EXPECT_TRAP
    sfence.vma
    CHECK_TRAP(2, 0x12000073)
    EXPECT_TRAP
    wfi
    CHECK_TRAP(2, 0x10500073)
    BACK_TO_M
    li t0, (1 << 20) | (1 << 21) | (1 << 22)
    csrc mstatus, t0

    csrci mstatus, 8            /* MIE off: mie gets MTIE below, and MTIP is pending */
    /* WARL masks (QEMU, the reference, also has the H extension's bits) */
    li t0, -1
    csrw medeleg, t0
    csrr t1, medeleg
    li t2, 0xb3ff
    and t1, t1, t2
    CHECK(t1, 0xb3ff)
    csrw mideleg, t0
    csrr t1, mideleg
    li t2, 0xaaa
    and t1, t1, t2
    CHECK(t1, 0x222)
    li t0, 0xaaa
    csrw mie, t0
    csrr t1, mie
    CHECK(t1, 0xaaa)
    csrr t1, sie
    CHECK(t1, 0x222)
    li t0, -1
    csrw mie, zero
    csrw sie, t0
    csrr t1, mie
    li t2, 0xaaa
    and t1, t1, t2
    CHECK(t1, 0x222)
    csrw mie, zero
    csrw mideleg, zero
    csrw medeleg, zero
    csrr t1, sstatus
    li t2, 0x8000000300000000 | 0x6000
    not t2, t2
    and t1, t1, t2
    CHECK(t1, 0)
    /* satp: Bare accepted, the reserved modes 11 and 1 ignored */
    csrw satp, zero
    li t0, (11 << 60) | 0x1234
    csrw satp, t0
    csrr t1, satp
    CHECK(t1, 0)
    li t0, (1 << 60) | 0x1234
    csrw satp, t0
    csrr t1, satp
    CHECK(t1, 0)

    /* Delegation: U ecall and illegal instructions go to the S handler */
    la t0, s_handler
    csrw stvec, t0
    li t0, (1 << 8) | (1 << 2)
    csrw medeleg, t0
    ENTER_U(1f)
1:  ecall
2:  csrr a0, sstatus            /* illegal in U: to S */
3:  ld t0, s_count
    CHECK(t0, 2)
    ld t0, s_cause0
    CHECK(t0, 8)
    ld t0, s_cause1
    CHECK(t0, 2)
    ld t0, s_tval1
    CHECK(t0, 0x10002573)
    ld t0, s_epc0
    la t1, 1b
    CHECK_EQ(t0, t1)
    ld t0, s_status
    andi t0, t0, 0x100          /* SPP = U */
    CHECK(t0, 0)
    EXPECT_TRAP_M
    ebreak                      /* not delegated to S: M (and back in M-mode) */
    ld a0, trap_cause
    CHECK(a0, 3)
    /* ecall from S is not delegated (bit 9 clear): M */
    ENTER_S(1f)
1:  BACK_TO_M
    ld a0, trap_cause
    CHECK(a0, 9)
    csrw medeleg, zero
    /* The supervisor software interrupt, delegated: taken in S with SIE */
    li t0, 2
    csrw mideleg, t0
    csrs mie, t0
    sd zero, s_count, t1
    ENTER_S(1f)
1:  csrsi sip, 2                /* pending, but SIE = 0 */
    csrr t0, sip
    CHECK(t0, 2)
    ld t0, s_count
    CHECK(t0, 0)
    csrsi sstatus, 2            /* SIE = 1: taken now */
    ld t0, s_count
    CHECK(t0, 1)
    ld t0, s_cause0
    li t1, 0x8000000000000001
    CHECK_EQ(t0, t1)
    ld t0, s_status
    andi t0, t0, 0x120          /* SPP = S, SPIE = 1 */
    CHECK(t0, 0x120)
    csrr t0, sstatus
    andi t0, t0, 2              /* sret restored SIE */
    CHECK(t0, 2)
    csrci sstatus, 2
    BACK_TO_M
    csrw mie, zero
    csrw mideleg, zero
    /* A delegated interrupt is not taken in M-mode, even with MIE */
    li t0, 2
    csrw mideleg, t0
    csrw mie, t0
    csrs mip, t0
    csrsi mstatus, 8
    nop
    csrci mstatus, 8
    csrr t0, mip
    andi t0, t0, 2
    CHECK(t0, 2)
    csrc mip, t0
    csrw mie, zero
    csrw mideleg, zero
TEST_END

/*
 * S-mode trap handler: records scause/stval/sepc/sstatus of the first two
 * traps and counts them; skips the instruction of an exception; clears
 * sip.SSIP for the software interrupt.
 */
    .balign 4
s_handler:
    csrw sscratch, t0
    csrr t0, sstatus
    sd t0, s_status, t6
    ld t0, s_count
    bnez t0, 1f
    csrr t0, scause
    sd t0, s_cause0, t6
    csrr t0, sepc
    sd t0, s_epc0, t6
    j 2f
1:  csrr t0, scause
    sd t0, s_cause1, t6
    csrr t0, stval
    sd t0, s_tval1, t6
2:  ld t0, s_count
    addi t0, t0, 1
    sd t0, s_count, t6
    csrr t0, scause
    bltz t0, 3f
    csrr t0, sepc
    addi t0, t0, 4
    csrw sepc, t0
    j 4f
3:  csrci sip, 2
4:  csrr t0, sscratch
    sret

    .bss
    .balign 8
s_count:  .dword 0
s_cause0: .dword 0
s_epc0:   .dword 0
s_cause1: .dword 0
s_tval1:  .dword 0
s_status: .dword 0
