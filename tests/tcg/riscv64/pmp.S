/*
 * Physical memory protection for S-mode (satp Bare) and M-mode: an NA4
 * entry allowing reads of one word, a NAPOT page with no rights, a TOR
 * range allowing only execution, and a NAPOT entry over everything; loads
 * and stores fault with the access-fault causes (5, 7) and mtval = the
 * address; M-mode ignores unlocked entries but not locked ones, and a locked
 * entry's pmpaddr and pmpcfg byte ignore writes.
 */
#include "test.h"

    .option norvc

/* An access in the current mode that must fault with CAUSE, tval = the address (t3). */
#define FAULT(insn, sym, cause) \
    EXPECT_TRAP; la t3, sym; insn a0, 0(t3); CHECK_TRAP_REG(cause, t3)

TEST_BEGIN("pmp")
    li t0, 0x1234
    sw t0, page_p, t1
    la t0, page_p
    srli t0, t0, 2
    csrw pmpaddr0, t0           /* NA4: the first word of page_p */
    la t0, page_q
    srli t0, t0, 2
    ori t0, t0, 0x1ff
    csrw pmpaddr1, t0           /* NAPOT: page_q */
    la t0, page_r
    srli t0, t0, 2
    csrw pmpaddr2, t0           /* TOR base */
    la t0, page_r + 4096
    srli t0, t0, 2
    csrw pmpaddr3, t0           /* TOR top */
    li t0, -1
    csrw pmpaddr4, t0           /* NAPOT: everything */
    li t0, 0x1f0c001811         /* e0 NA4 R, e1 NAPOT -, e2 OFF, e3 TOR X, e4 NAPOT RWX */
    csrw pmpcfg0, t0
    csrr t1, pmpcfg0
    CHECK_EQ(t1, t0)
    ENTER_S(1f)
1:  FAULT(sw, page_p, 7)
    la t3, page_p
    lw a1, 0(t3)
    CHECK(a1, 0x1234)
    FAULT(lw, page_q, 5)
    FAULT(sw, page_q, 7)
    FAULT(lw, page_r, 5)
    la t3, page_s               /* the catch-all entry */
    li t0, 0x77
    sd t0, 0(t3)
    ld a1, 0(t3)
    CHECK(a1, 0x77)
    BACK_TO_M
    /* M-mode: unlocked entries do not apply */
    la t3, page_q
    li t0, 0x55
    sd t0, 0(t3)
    ld a1, 0(t3)
    CHECK(a1, 0x55)
    /* Lock entry 1: now M-mode too; its pmpaddr and cfg byte ignore writes */
    li t0, 0x80 << 8
    csrs pmpcfg0, t0
    FAULT(ld, page_q, 5)
    FAULT(sd, page_q, 7)
    csrr t1, pmpaddr1
    csrw pmpaddr1, zero
    csrr t2, pmpaddr1
    CHECK_EQ(t2, t1)
    li t0, 0xff << 8
    csrc pmpcfg0, t0
    csrr t1, pmpcfg0
    srli t1, t1, 8
    andi t1, t1, 0xff
    CHECK(t1, 0x98)
TEST_END

    .bss
    .balign 4096
page_p: .skip 4096
page_q: .skip 4096
page_r: .skip 4096
page_s: .skip 4096
