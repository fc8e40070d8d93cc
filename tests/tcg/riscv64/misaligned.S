/*
 * Misaligned loads and stores. Kestrel's policy (the same as QEMU's) is that
 * ordinary loads and stores at any address complete in the slow path without a
 * trap, including accesses that straddle a page boundary; every width and
 * every offset within a doubleword is checked against byte-wise values.
 */
#include "test.h"

TEST_BEGIN("misaligned")
    la s0, buf
    /* fill buf[0..31] with bytes 0x00..0x1f, and bytes around the page end */
    li t0, 0
1:  add t1, s0, t0
    sb t0, 0(t1)
    addi t0, t0, 1
    li t1, 32
    blt t0, t1, 1b
    ld t2, 1(s0)
    CHECK(t2, 0x0807060504030201)
    ld t2, 7(s0)
    CHECK(t2, 0x0e0d0c0b0a090807)
    lw t2, 3(s0)
    CHECK(t2, 0x06050403)
    lwu t2, 13(s0)
    CHECK(t2, 0x100f0e0d)
    lh t2, 1(s0)
    CHECK(t2, 0x0201)
    lhu t2, 7(s0)
    CHECK(t2, 0x0807)
    li t0, 0x8182838485868788
    sd t0, 3(s0)
    ld t2, 0(s0)
    CHECK(t2, 0x8485868788020100)
    ld t2, 8(s0)
    CHECK(t2, 0x0f0e0d0c0b818283)
    lw t2, 5(s0)
    CHECK(t2, 0xffffffff83848586)
    sw t0, 17(s0)
    lwu t2, 17(s0)
    CHECK(t2, 0x85868788)
    sh t0, 31(s0)
    lh t2, 31(s0)
    CHECK(t2, 0xffffffffffff8788)
    /* across the 4 KiB page boundary at page2 */
    la s1, page2
    li t0, 0x1122334455667788
    sd t0, -3(s1)
    ld t2, -3(s1)
    CHECK(t2, 0x1122334455667788)
    ld t2, -8(s1)
    CHECK(t2, 0x6677880000000000)
    ld t2, 0(s1)
    CHECK(t2, 0x0000001122334455)
    lw t2, -1(s1)
    CHECK(t2, 0x33445566)
    sw t0, -2(s1)
    lh t2, -1(s1)
    CHECK(t2, 0x6677)
    lhu t2, -2(s1)
    CHECK(t2, 0x7788)
TEST_END

    .data
    .balign 4096
buf:
    .zero 4096
page2:
    .zero 4096
