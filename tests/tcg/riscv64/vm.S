/*
 * Virtual memory in S-mode, Sv39 then Sv48 (the same tables under a new
 * root): identity gigapages for the program and the devices, 4 KiB pages at
 * 0x40000000 with every kind of PTE. Checks the A and D bits the walk sets,
 * load/store/fetch page faults (13, 15, 12) with tval = the address for
 * invalid PTEs, missing permissions, W without R, a misaligned megapage, a
 * pointer PTE at the last level and non-canonical addresses; U pages from S
 * with and without sstatus.SUM; execute-only pages with and without MXR;
 * sfence.vma making a changed PTE visible; and M-mode loads with MPRV using
 * the translation and protection of MPP.
 */
#include "test.h"

    .option norvc

#define VA 0x40000000
#define SV39 (8 << 60)
#define SV48 (9 << 60)
#define MSTATUS_MPRV (1 << 17)
#define SUM (1 << 18)
#define MXR (1 << 19)

/* REG = the PTE of the page at address register AREG with FLAGS. */
#define MKPTE(reg, areg, flags) \
    srli reg, areg, 12; slli reg, reg, 10; ori reg, reg, flags

/* Table TBL[IDX] = PTE of the address of symbol TARGET with FLAGS (clobbers t0-t2). */
#define SETPTE(tbl, idx, target, flags) \
    la t1, target; MKPTE(t0, t1, flags); la t2, tbl; sd t0, (idx) * 8(t2)

/* A load from VA that must fault with CAUSE and tval = VA (through t3). */
#define LOAD_FAULT(addr, cause) \
    EXPECT_TRAP; li t3, addr; ld a0, 0(t3); CHECK_TRAP_REG(cause, t3)
#define STORE_FAULT(addr, cause) \
    EXPECT_TRAP; li t3, addr; sd zero, 0(t3); CHECK_TRAP_REG(cause, t3)

TEST_BEGIN("vm")
    PMP_ALLOW_ALL
    li t0, 0x1111
    sd t0, page_a, t1
    li t0, 0x2222
    sd t0, page_b, t1
    /* level 2: devices and RAM as identity gigapages, VA 1 GiB -> level 1 */
    li t0, 0xc7                 /* 0x00000000, V R W A D */
    sd t0, pt_l2, t1
    li t1, 0x80000000
    MKPTE(t0, t1, 0xcf)         /* V R W X A D */
    la t2, pt_l2
    sd t0, 16(t2)
    SETPTE(pt_l2, 1, pt_l1, 0x01)
    SETPTE(pt_l1, 0, pt_l0, 0x01)
    li t1, 0x80001000           /* a megapage leaf on a 4 KiB boundary: misaligned */
    MKPTE(t0, t1, 0x43)
    la t2, pt_l1
    sd t0, 8(t2)
    SETPTE(pt_l0, 0, page_a, 0x07)  /* V R W, A and D clear */
    SETPTE(pt_l0, 1, page_a, 0xd7)  /* V R W U A D */
    SETPTE(pt_l0, 2, page_a, 0x49)  /* V X A: execute-only */
    SETPTE(pt_l0, 4, page_a, 0x43)  /* V R A: read-only */
    SETPTE(pt_l0, 5, page_a, 0xc5)  /* V W A D: reserved (W without R) */
    SETPTE(pt_l0, 6, page_b, 0xc7)
    SETPTE(pt_l0, 7, page_b, 0x01)  /* a pointer at the last level */
    SETPTE(pt_l3, 0, pt_l2, 0x01)   /* Sv48 root: the first 512 GiB are the Sv39 tables */

    la t0, pt_l2
    srli t0, t0, 12
    li t1, SV39
    or t0, t0, t1
    csrw satp, t0
    csrr t1, satp
    CHECK_EQ(t1, t0)
    ENTER_S(s_tests)
sv39_done:
    /* The same from the Sv48 root; the A and D bits are already set now. */
    la t0, pt_l3
    srli t0, t0, 12
    li t1, SV48
    or t0, t0, t1
    csrw satp, t0
    ENTER_S(s_tests)
sv48_done:
    /* M-mode: no translation, and nothing at 0x8000000000: access fault */
    LOAD_FAULT(0x0000008000000000, 5)
    /* MPRV: M-mode loads with the translation of MPP */
    li t0, 0x1800
    csrc mstatus, t0            /* MPP = U */
    EXPECT_TRAP
    li t3, VA
    li t0, MSTATUS_MPRV
    csrs mstatus, t0
    ld a0, 0(t3)                /* not a U page: fault */
    csrc mstatus, t0
    CHECK_TRAP_REG(13, t3)
    li t0, 0x1800
    csrc mstatus, t0            /* MPP = U again (the trap set it to M) */
    li t3, VA + 0x1000
    li t0, MSTATUS_MPRV
    csrs mstatus, t0
    ld a1, 0(t3)                /* a U page: fine */
    csrc mstatus, t0
    CHECK(a1, 0x3333)
    li t0, 0x800
    csrs mstatus, t0            /* MPP = S, SUM = 0 */
    EXPECT_TRAP
    li t3, VA + 0x1000
    li t0, MSTATUS_MPRV
    csrs mstatus, t0
    ld a0, 0(t3)
    csrc mstatus, t0
    CHECK_TRAP_REG(13, t3)
    csrw satp, zero
TEST_END

/* Run in S-mode for each root; returns to M-mode and jumps to sv39_done or sv48_done. */
s_tests:
    /* A on the first load, D on the first store (Sv39 pass only) */
    csrr s1, satp
    srli s1, s1, 60
    li t0, VA
    ld a1, 0(t0)
    li t0, 9
    beq s1, t0, 1f
    CHECK(a1, 0x1111)
    ld t0, pt_l0
    andi t0, t0, 0xc0
    CHECK(t0, 0x40)
    li t0, VA
    li t1, 0x3333
    sd t1, 0(t0)
    ld t0, pt_l0
    andi t0, t0, 0xc0
    CHECK(t0, 0xc0)
1:  ld t0, page_a
    CHECK(t0, 0x3333)
    /* faults */
    LOAD_FAULT(VA + 0x3000, 13)
    STORE_FAULT(VA + 0x3000, 15)
    STORE_FAULT(VA + 0x4000, 15)
    li t0, VA + 0x4000
    ld a1, 0(t0)
    CHECK(a1, 0x3333)
    LOAD_FAULT(VA + 0x5000, 13)
    LOAD_FAULT(VA + 0x7000, 13)
    LOAD_FAULT(VA + 0x200000, 13)
    li t0, 9
    beq s1, t0, 3f
    LOAD_FAULT(0x0000004000000000, 13)  /* not canonical in Sv39 */
    j 2f
3:  LOAD_FAULT(0x0000008000000000, 13)  /* Sv48: level 3 entry 1 is invalid */
    LOAD_FAULT(0x0000800000000000, 13)  /* not canonical in Sv48 */
    /* SUM */
2:  LOAD_FAULT(VA + 0x1000, 13)
    STORE_FAULT(VA + 0x1000, 15)
    li t0, SUM
    csrs sstatus, t0
    li t0, VA + 0x1000
    ld a1, 0(t0)
    CHECK(a1, 0x3333)
    li t0, SUM
    csrc sstatus, t0
    /* MXR */
    LOAD_FAULT(VA + 0x2000, 13)
    li t0, MXR
    csrs sstatus, t0
    li t0, VA + 0x2000
    ld a1, 0(t0)
    CHECK(a1, 0x3333)
    li t0, MXR
    csrc sstatus, t0
    /* instruction page fault: a trap vector of its own returns to ra */
    BACK_TO_M
    la t0, ret_to_ra
    csrrw s2, mtvec, t0
    ENTER_S(3f)
3:  li t3, VA + 0x3000
    jalr t3
    ld a0, trap_cause
    CHECK(a0, 12)
    ld a0, trap_tval
    CHECK_EQ(a0, t3)
    ecall                       /* to M-mode, through ret_to_ra */
    csrw mtvec, s2
    ENTER_S(4f)
    /* sfence.vma makes a changed PTE visible */
4:  li t0, VA + 0x6000
    ld a1, 0(t0)
    CHECK(a1, 0x2222)
    SETPTE(pt_l0, 6, page_a, 0xc7)
    sfence.vma
    li t0, VA + 0x6000
    ld a1, 0(t0)
    CHECK(a1, 0x3333)
    SETPTE(pt_l0, 6, page_b, 0xc7)
    sfence.vma
    BACK_TO_M
    csrr t0, satp
    srli t0, t0, 60
    li t1, 9
    beq t0, t1, sv48_done
    j sv39_done

/*
 * M-mode trap vector for the fetch fault: records mcause and mtval in the
 * runtime's variables and returns to ra; an ecall returns in M-mode after the
 * ecall instead.
 */
    .balign 4
ret_to_ra:
    csrw mscratch, t0
    csrr t0, mcause
    addi t0, t0, -9
    beqz t0, 1f
    csrr t0, mcause
    sd t0, trap_cause, t6
    csrr t0, mtval
    sd t0, trap_tval, t6
    csrw mepc, ra
    csrr t0, mscratch
    mret
1:  csrr t0, mepc
    addi t0, t0, 4
    csrw mepc, t0
    li t0, 0x1800
    csrs mstatus, t0
    csrr t0, mscratch
    mret

    .bss
    .balign 4096
pt_l3:  .skip 4096
pt_l2:  .skip 4096
pt_l1:  .skip 4096
pt_l0:  .skip 4096
page_a: .skip 4096
page_b: .skip 4096
