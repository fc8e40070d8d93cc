/*
 * RV64I base integer instructions: register and immediate arithmetic, logic
 * and comparisons, shifts (register amounts use only their low 6 or 5 bits),
 * the 32-bit W forms with their sign extension, lui/auipc, every branch taken
 * and not taken, jal/jalr (jalr clears bit 0 of the target), loads and stores
 * of every width with sign and zero extension, and writes to x0 discarded.
 */
#include "test.h"

    .option norvc

TEST_BEGIN("rv64i")
    /* add/sub/addi, wrapping */
    li t0, 0x7fffffffffffffff
    li t1, 1
    add t2, t0, t1
    CHECK(t2, 0x8000000000000000)
    sub t2, zero, t1
    CHECK(t2, -1)
    addi t2, t0, -2048
    CHECK(t2, 0x7ffffffffffff7ff)
    addi t2, zero, 2047
    CHECK(t2, 2047)
    /* logic */
    li t0, 0xff00ff00ff00ff00
    li t1, 0x0ff00ff00ff00ff0
    and t2, t0, t1
    CHECK(t2, 0x0f000f000f000f00)
    or t2, t0, t1
    CHECK(t2, 0xfff0fff0fff0fff0)
    xor t2, t0, t1
    CHECK(t2, 0xf0f0f0f0f0f0f0f0)
    andi t2, t0, -256
    CHECK(t2, 0xff00ff00ff00ff00)
    ori t2, t0, 0x0ff
    CHECK(t2, 0xff00ff00ff00ffff)
    xori t2, t0, -1
    CHECK(t2, 0x00ff00ff00ff00ff)
    /* comparisons */
    li t0, -1
    li t1, 1
    slt t2, t0, t1
    CHECK(t2, 1)
    sltu t2, t0, t1
    CHECK(t2, 0)
    slti t2, t0, 0
    CHECK(t2, 1)
    sltiu t2, t1, -1            /* immediate sign-extended, then unsigned */
    CHECK(t2, 1)
    sltiu t2, zero, 1           /* seqz */
    CHECK(t2, 1)
    sltu t2, zero, t0           /* snez */
    CHECK(t2, 1)
    slt t2, t1, t1
    CHECK(t2, 0)
    /* shifts: register amounts masked to 6 bits */
    li t0, 0x8000000000000001
    li t1, 65
    sll t2, t0, t1
    CHECK(t2, 2)
    srl t2, t0, t1
    CHECK(t2, 0x4000000000000000)
    sra t2, t0, t1
    CHECK(t2, 0xc000000000000000)
    li t1, 64
    sll t2, t0, t1
    CHECK(t2, 0x8000000000000001)
    li t1, -1                   /* 63 */
    sra t2, t0, t1
    CHECK(t2, -1)
    srl t2, t0, t1
    CHECK(t2, 1)
    slli t2, t0, 63
    CHECK(t2, 0x8000000000000000)
    srli t2, t0, 63
    CHECK(t2, 1)
    srai t2, t0, 4
    CHECK(t2, 0xf800000000000000)
    /* W forms: 32-bit result sign-extended, shift amounts masked to 5 bits */
    li t0, 0x7fffffff
    li t1, 1
    addw t2, t0, t1
    CHECK(t2, 0xffffffff80000000)
    li t0, 0x123456789abcdef0
    addiw t2, t0, 0
    CHECK(t2, 0xffffffff9abcdef0)
    addiw t2, t0, -0x700
    CHECK(t2, 0xffffffff9abcd7f0)
    subw t2, t0, t0
    CHECK(t2, 0)
    li t0, 0
    li t1, 0x80000000
    subw t2, t0, t1
    CHECK(t2, 0xffffffff80000000)
    li t0, 0x00000000ffffffff
    li t1, 33                   /* masked to 1 */
    sllw t2, t0, t1
    CHECK(t2, 0xfffffffffffffffe)
    srlw t2, t0, t1
    CHECK(t2, 0x7fffffff)
    sraw t2, t0, t1
    CHECK(t2, -1)
    li t0, 0xffffffff80000000
    li t1, 31
    srlw t2, t0, t1
    CHECK(t2, 1)
    srlw t2, t0, zero
    CHECK(t2, 0xffffffff80000000)
    sraw t2, t0, t1
    CHECK(t2, -1)
    slliw t2, t0, 0
    CHECK(t2, 0xffffffff80000000)
    li t0, 0x0000000140000001
    slliw t2, t0, 1
    CHECK(t2, 0xffffffff80000002)
    srliw t2, t0, 0
    CHECK(t2, 0x40000001)
    li t0, 0xffffffff00000000 | 0x87654321
    sraiw t2, t0, 8
    CHECK(t2, 0xffffffffff876543)
    srliw t2, t0, 8
    CHECK(t2, 0x876543)
    /* lui/auipc */
    lui t2, 0x80000
    CHECK(t2, 0xffffffff80000000)
    lui t2, 0x7ffff
    CHECK(t2, 0x7ffff000)
1:  auipc t2, 0
    la t0, 1b
    sub t2, t2, t0
    CHECK(t2, 0)
2:  auipc t2, 0xfffff
    la t0, 2b
    sub t2, t2, t0
    CHECK(t2, -4096)
    /* x0 stays zero */
    li t0, 5
    add zero, t0, t0
    addi zero, zero, 1
    lui zero, 1
    CHECK(zero, 0)

    /* branches: each taken (t2 = 1) and not taken (t2 = 0) */
#define BR(insn, a, b, exp) \
    li t0, a; li t1, b; li t2, 1; insn t0, t1, 9002f; li t2, 0; 9002: CHECK(t2, exp)
    BR(beq, 5, 5, 1)
    BR(beq, 5, 6, 0)
    BR(bne, 5, 6, 1)
    BR(bne, -1, -1, 0)
    BR(blt, -1, 0, 1)
    BR(blt, 0, -1, 0)
    BR(blt, 3, 3, 0)
    BR(bge, 3, 3, 1)
    BR(bge, -2, -1, 0)
    BR(bge, 0, 0x8000000000000000, 1)
    BR(bltu, 0, -1, 1)
    BR(bltu, -1, 0, 0)
    BR(bgeu, -1, 0, 1)
    BR(bgeu, 1, 2, 0)
    BR(bgeu, 7, 7, 1)
    /* backward branch loop */
    li t0, 0
    li t1, 100
3:  addi t0, t0, 1
    blt t0, t1, 3b
    CHECK(t0, 100)

    /* jal/jalr link values, jalr clears bit 0 of the target */
    jal t0, 4f
5:  li t2, 0
4:  la t1, 5b
    sub t2, t0, t1
    CHECK(t2, 0)
    la t1, 6f
    addi t1, t1, 1
    li t2, 0
    jalr t0, 0(t1)
    li t2, 99
6:  li t2, 0
    CHECK(t2, 0)
    la t1, 7f
    addi t1, t1, -16
    jalr t0, 16(t1)             /* offset added before clearing bit 0 */
    li t2, 98
7:  CHECK(t2, 0)
    la t1, 8f
    jalr t1, t1                 /* rd == rs1: target read before the link write */
    j 9f
8:  la t0, 8b
    sub t0, t0, t1
    CHECK(t0, 4)                /* link = the "j 9f" just before label 8 */
9:

    /* loads and stores */
    la s0, buf
    li t0, 0x8182838485868788
    sd t0, 0(s0)
    lb t2, 0(s0)
    CHECK(t2, 0xffffffffffffff88)
    lbu t2, 0(s0)
    CHECK(t2, 0x88)
    lb t2, 1(s0)
    CHECK(t2, 0xffffffffffffff87)
    lh t2, 0(s0)
    CHECK(t2, 0xffffffffffff8788)
    lhu t2, 6(s0)
    CHECK(t2, 0x8182)
    lw t2, 4(s0)
    CHECK(t2, 0xffffffff81828384)
    lwu t2, 4(s0)
    CHECK(t2, 0x81828384)
    ld t2, 0(s0)
    CHECK(t2, 0x8182838485868788)
    li t0, 0x1122334455667788
    sb t0, 8(s0)
    sh t0, 10(s0)
    sw t0, 12(s0)
    ld t2, 8(s0)
    CHECK(t2, 0x5566778877880088)
    sd t0, 16(s0)
    ld t2, 16(s0)
    CHECK(t2, 0x1122334455667788)
    addi s1, s0, 2047
    addi s1, s1, 1
    sd t0, -8(s1)
    ld t2, 2040(s0)
    CHECK(t2, 0x1122334455667788)
    lb t2, -2048(s1)            /* negative offset */
    CHECK(t2, 0xffffffffffffff88)
    lw zero, 0(s0)              /* load to x0 still happens, result dropped */
    CHECK(zero, 0)
    fence
    fence rw, rw
TEST_END

    .data
    .balign 8
buf:
    .zero 4096
