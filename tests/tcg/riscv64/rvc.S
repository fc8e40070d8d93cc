/*
 * The C extension, every RV64C instruction written explicitly so that each
 * is really assembled compressed: stack-pointer based and register based
 * loads/stores (integer and double), c.addi4spn/c.addi16sp, immediates and
 * their sign extension, c.lui, shifts, register ALU ops including the W
 * forms, c.j/c.jal-free jumps (c.jr, c.jalr link = pc + 2), c.beqz/c.bnez,
 * c.mv/c.add, and compressed code at odd halfword addresses.
 */
#include "test.h"

TEST_BEGIN("rvc")
    la s0, buf
    mv s1, sp
    addi sp, sp, -64
    c.addi4spn a3, sp, 16
    sub a4, a3, sp
    CHECK(a4, 16)
    c.addi16sp sp, -32
    sub a4, s1, sp
    CHECK(a4, 96)
    c.addi16sp sp, 32
    li a3, 0x1122334455667788
    c.sdsp a3, 8(sp)
    c.ldsp a4, 8(sp)
    CHECK(a4, 0x1122334455667788)
    c.lwsp a4, 12(sp)
    CHECK(a4, 0x11223344)
    c.swsp a3, 4(sp)
    c.lwsp a4, 4(sp)
    CHECK(a4, 0x55667788)
    li a3, 0x80000001
    c.swsp a3, 0(sp)
    c.lwsp a4, 0(sp)
    CHECK(a4, 0xffffffff80000001)
    li a3, 0x4008000000000000   /* 3.0 */
    c.sdsp a3, 16(sp)
    c.fldsp f8, 16(sp)
    c.fsdsp f8, 24(sp)
    c.ldsp a4, 24(sp)
    CHECK(a4, 0x4008000000000000)
    addi sp, sp, 64
    /* register based */
    li a3, -2
    c.sd a3, 8(s0)
    c.ld a4, 8(s0)
    CHECK(a4, -2)
    c.sw a3, 4(s0)
    c.lw a4, 4(s0)
    CHECK(a4, -2)
    c.fld f9, 8(s0)
    c.fsd f9, 16(s0)
    c.ld a4, 16(s0)
    CHECK(a4, -2)
    /* immediates */
    c.li a3, -32
    CHECK(a3, -32)
    c.li a3, 31
    c.addi a3, -1
    CHECK(a3, 30)
    li a3, 0x7fffffff
    c.addiw a3, 1
    CHECK(a3, 0xffffffff80000000)
    li a3, 0x100000005
    c.addiw a3, 0               /* sext.w */
    CHECK(a3, 5)
    c.lui a3, 0xfffe0           /* lui imm 0xfffe0 -> -0x20000 */
    CHECK(a3, 0xfffffffffffe0000)
    c.lui a3, 1
    CHECK(a3, 0x1000)
    c.nop
    /* shifts and ALU */
    li a3, 0x8000000000000010
    c.srli a3, 4
    CHECK(a3, 0x0800000000000001)
    li a3, 0x8000000000000010
    c.srai a3, 4
    CHECK(a3, 0xf800000000000001)
    c.slli a3, 63
    CHECK(a3, 0x8000000000000000)
    li a3, 0xff
    c.andi a3, -16
    CHECK(a3, 0xf0)
    li a3, 10
    li a4, 3
    c.sub a3, a4
    CHECK(a3, 7)
    c.xor a3, a4
    CHECK(a3, 4)
    c.or a3, a4
    CHECK(a3, 7)
    c.and a3, a4
    CHECK(a3, 3)
    li a3, 0x7fffffff
    li a4, 1
    c.addw a3, a4
    CHECK(a3, 0xffffffff80000000)
    li a3, 0
    c.subw a3, a4
    CHECK(a3, -1)
    li a3, 0x80000000
    li a4, 0
    c.subw a3, a4
    CHECK(a3, 0xffffffff80000000)
    c.mv a5, a3
    CHECK(a5, 0xffffffff80000000)
    c.add a5, a3
    CHECK(a5, 0xffffffff00000000)
    /* control transfer */
    li a3, 0
    c.beqz a3, 1f
    li a3, 1
1:  CHECK(a3, 0)
    li a3, 5
    c.bnez a3, 2f
    li a3, 0
2:  CHECK(a3, 5)
    li a3, 0
    c.bnez a3, 3f
    li a3, 7
3:  CHECK(a3, 7)
    li a3, 0
    c.j 4f
    li a3, 1
4:  CHECK(a3, 0)
    la a5, 5f
    c.jalr a5                   /* link = address of the next (2-byte) instruction */
6:  c.j 7f
5:  mv a3, ra
    la a4, 6b
    sub a4, a3, a4
    CHECK(a4, 0)
    c.jr a3
7:  la a5, 8f
    li a3, 0
    c.jr a5
    li a3, 1
8:  CHECK(a3, 0)
    /* a 32-bit instruction at a 2-mod-4 address */
    .balign 4
    c.nop
    li a3, 0
    .option push
    .option norvc
    addi a3, a3, 0x123
    .option pop
    CHECK(a3, 0x123)
TEST_END

    .data
    .balign 16
buf:
    .zero 64
