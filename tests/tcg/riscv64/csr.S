/*
 * Zicsr: csrrw/csrrs/csrrc and their immediate forms on mscratch (old value
 * returned, x0 source means no write for the set/clear forms), the FP CSRs
 * fflags/frm/fcsr as views of one register, misa and mhartid, monotonic
 * cycle/instret/time counters, M-mode trap CSR round trips, and mstatus.FS
 * becoming Dirty after an FP instruction writes state.
 */
#include "test.h"

TEST_BEGIN("csr")
    li t0, 0x1234
    csrrw t1, mscratch, t0
    csrrw t1, mscratch, zero
    CHECK(t1, 0x1234)
    li t0, 0xf0
    csrrs t1, mscratch, t0
    CHECK(t1, 0)
    li t0, 0x30
    csrrc t1, mscratch, t0
    CHECK(t1, 0xf0)
    csrrs t1, mscratch, zero
    CHECK(t1, 0xc0)
    csrrwi t1, mscratch, 31
    CHECK(t1, 0xc0)
    csrrsi t1, mscratch, 0x0
    CHECK(t1, 31)
    csrrci t1, mscratch, 0x3
    CHECK(t1, 31)
    csrrw zero, mscratch, t0    /* rd = x0 still writes */
    csrr t1, mscratch
    CHECK(t1, 0x30)
    li t0, -1
    csrw mscratch, t0
    csrr t1, mscratch
    CHECK(t1, -1)
    /* FP CSRs */
    li t0, 0xff
    csrw fcsr, t0
    csrr t1, fcsr
    CHECK(t1, 0xff)
    csrr t1, frm
    CHECK(t1, 7)
    csrr t1, fflags
    CHECK(t1, 0x1f)
    csrwi frm, 3
    csrr t1, fcsr
    CHECK(t1, 0x7f)
    csrrwi t1, fflags, 0
    CHECK(t1, 0x1f)
    csrr t1, fcsr
    CHECK(t1, 0x60)
    li t0, 0xfff
    csrw fcsr, t0
    csrr t1, fcsr
    CHECK(t1, 0xff)
    li t0, 0x1fa
    csrw frm, t0
    csrr t1, frm
    CHECK(t1, 2)
    csrrsi t1, fflags, 0x5
    CHECK(t1, 0x1f)
    csrrci t1, fcsr, 0x1f
    CHECK(t1, 0x5f)
    csrr t1, fcsr
    CHECK(t1, 0x40)
    csrwi fcsr, 0
    /* misa: RV64 with I, M, A, F, D, C */
    csrr t0, misa
    srli t1, t0, 62
    CHECK(t1, 2)
    li t1, (1 << 8) | (1 << 12) | (1 << 0) | (1 << 5) | (1 << 3) | (1 << 2)
    and t0, t0, t1
    CHECK(t0, (1 << 8) | (1 << 12) | (1 << 0) | (1 << 5) | (1 << 3) | (1 << 2))
    csrr t0, mhartid
    CHECK(t0, 0)
    /* counters */
    rdinstret t0
    nop
    rdinstret t1
    sltu t2, t0, t1
    CHECK(t2, 1)
    rdcycle t0
    li t2, 1000
1:  addi t2, t2, -1
    bnez t2, 1b
    rdcycle t1
    sltu t2, t0, t1
    CHECK(t2, 1)
    rdtime t0
    li t2, 100000
1:  addi t2, t2, -1
    bnez t2, 1b
    rdtime t1
    sltu t2, t0, t1
    CHECK(t2, 1)
    csrr t0, minstret
    csrr t1, minstret
    sltu t2, t0, t1
    CHECK(t2, 1)
    csrr t0, mcycle
    sltu t2, zero, t0
    CHECK(t2, 1)
    /* trap CSRs (mepc bit 0 is left alone: QEMU, the reference, keeps it) */
    li t0, 0x80001002
    csrw mepc, t0
    csrr t1, mepc
    CHECK(t1, 0x80001002)
    li t0, 0x80001003
    csrw mcause, t0
    csrr t1, mcause
    CHECK(t1, 0x80001003)
    csrw mtval, t0
    csrr t1, mtval
    CHECK(t1, 0x80001003)
    /* mtvec: direct mode, round trip */
    csrr s0, mtvec
    la t0, 2f
    csrw mtvec, t0
    csrr t1, mtvec
    sub t1, t1, t0
    CHECK(t1, 0)
    csrw mtvec, s0
    /* mstatus.FS: Initial -> Dirty after an FP write; SD (bit 63) follows */
    li t0, 0x6000
    csrc mstatus, t0
    li t0, 0x2000
    csrs mstatus, t0
    csrr t0, mstatus
    srli t1, t0, 13
    andi t1, t1, 3
    CHECK(t1, 1)
    fmv.d.x f1, zero
    csrr t0, mstatus
    srli t1, t0, 13
    andi t1, t1, 3
    CHECK(t1, 3)
    srli t1, t0, 63
    CHECK(t1, 1)
    .balign 4
2:
TEST_END
