/*
 * Synchronous traps in M-mode: illegal 32-bit and 16-bit encodings (mcause 2,
 * mtval = the instruction bits, only the 16-bit parcel for a compressed one),
 * reserved compressed encodings, unknown CSRs and writes to read-only CSRs, FP
 * instructions with mstatus.FS off, ecall (11), ebreak and c.ebreak (3), with
 * mepc pointing at the trapping instruction; and mret returning to mepc with
 * MPIE copied into MIE.
 */
#include "test.h"

#define ILLEGAL32(bits) \
    EXPECT_TRAP; 9003: .word bits; CHECK_TRAP(2, bits); CHECK_EPC(9003b)
#define ILLEGAL16(bits) \
    EXPECT_TRAP; 9003: .half bits; CHECK_TRAP(2, bits); CHECK_EPC(9003b)

TEST_BEGIN("illegal")
    ILLEGAL32(0xfe000033)       /* OP with funct7 0x7f */
    ILLEGAL32(0x00007003)       /* LOAD funct3 7 */
    ILLEGAL32(0x0000403b)       /* OP-32 funct3 4 funct7 0 */
    ILLEGAL32(0x4000101b)       /* OP-IMM-32 slliw with funct7 0x20 */
    ILLEGAL32(0x0200105b)       /* reserved major opcode 0x5b */
    ILLEGAL32(0x00001063 | (2 << 12))   /* BRANCH funct3 2 */
    ILLEGAL32(0x10500073 | (1 << 7))    /* wfi with rd != 0 */
    ILLEGAL16(0x0000)           /* the all-zero parcel */
    ILLEGAL16(0x0004)           /* c.addi4spn with imm 0 */
    ILLEGAL16(0x6081)           /* c.lui ra, 0 */
    ILLEGAL16(0x6101)           /* c.addi16sp 0 */
    ILLEGAL16(0x8002)           /* c.jr x0 */
    ILLEGAL16(0x4002)           /* c.lwsp x0 */
    ILLEGAL16(0x6002)           /* c.ldsp x0 */
    ILLEGAL16(0x2001)           /* c.addiw x0 */
    ILLEGAL16(0x8000)           /* quadrant 0 funct3 4 (reserved) */
    ILLEGAL16(0x9c41)           /* c.subw-space reserved: funct6 100111 funct2 10 */
    /* CSRs: unknown, write to read-only, read-only read with rs1 != 0 */
    ILLEGAL32(0x80102573)       /* csrr a0, 0x801 */
    ILLEGAL32(0xc0059573)       /* csrrw a0, cycle, a1 */
    ILLEGAL32(0xf1459073)       /* csrw mhartid, a1 */
    ILLEGAL32(0xc005a573)       /* csrrs a0, cycle, a1 */
    /* FP with mstatus.FS = Off */
    li t0, 0x6000
    csrc mstatus, t0
    ILLEGAL32(0x00b50553)       /* fadd.s f10, f10, f11 */
    ILLEGAL32(0x00102573)       /* csrr a0, fflags */
    li t0, 0x2000
    csrs mstatus, t0
    /* ecall, ebreak */
    EXPECT_TRAP
1:  ecall
    ld a0, trap_cause
    CHECK(a0, 11)
    CHECK_EPC(1b)
    EXPECT_TRAP
2:  ebreak
    ld a0, trap_cause
    CHECK(a0, 3)
    CHECK_EPC(2b)
    EXPECT_TRAP
3:  c.ebreak
    ld a0, trap_cause
    CHECK(a0, 3)
    CHECK_EPC(3b)
    /* mret: to mepc, MIE = MPIE, MPIE = 1, MPP = least privilege (stays M here) */
    la t0, 4f
    csrw mepc, t0
    li t0, 0x1880               /* MPP = M, MPIE = 1 */
    csrs mstatus, t0
    li t0, 0x8                  /* MIE = 0 before */
    csrc mstatus, t0
    csrw mie, zero              /* no interrupt source enabled */
    mret
    li t1, 1
    CHECK(t1, 0)                /* not reached */
4:  csrr t0, mstatus
    andi t1, t0, 0x88
    CHECK(t1, 0x88)
    csrci mstatus, 8
TEST_END
