/*
 * An S-mode payload for OpenSBI on the virt board, in the RISC-V Linux Image
 * format so -kernel takes it the way it takes Linux. It is position
 * independent: tests/functional/test_riscv_virt.py cuts the loaded bytes out
 * of the ELF and boots them as a flat Image at 0x80200000. It checks what
 * OpenSBI hands over (S-mode, a0 = the id of the hart it runs on, a1 = the
 * device tree), asks the SBI for a timer interrupt 1 ms ahead and waits for
 * it with wfi, prints through the legacy console call, and shuts down through
 * SBI SRST (which OpenSBI does with the test finisher). A failure prints
 * "FAIL: step" and hangs.
 *
 * OpenSBI 1.1 picks its cold-boot hart by lottery, so with several harts the
 * payload may start on any of them: a0 is checked with SBI HSM's
 * hart_get_status, which says STARTED only for the hart making the call (the
 * others wait, stopped). The timer may fire before the payload reaches wfi
 * (a slow host thread), so it waits with sstatus.SIE clear (wfi still wakes
 * for a pending, enabled interrupt) and takes the interrupt afterwards; with
 * SIE set an interrupt taken just before the wfi would leave that wfi
 * waiting for one that already came.
 */
#define SBI_LEGACY_PUTCHAR  1
#define SBI_EXT_TIME        0x54494d45
#define SBI_EXT_HSM         0x48534d
#define SBI_HSM_STATUS      2           /* hart_get_status */
#define SBI_HSM_STARTED     0
#define SBI_EXT_SRST        0x53525354
#define SSTATUS_SIE         2
#define SIE_STIE            (1 << 5)

    .section .text.init, "ax"
    .globl _start
_start:
    /* the Image header (Documentation/riscv/boot-image-header.rst) */
    j start                     /* code0 */
    .balign 8
    .dword 0x200000             /* text_offset */
    .dword image_end - _start   /* image_size */
    .dword 0                    /* flags: little-endian */
    .word 2                     /* version 0.2 */
    .word 0
    .dword 0
    .ascii "RISCV\0\0\0"        /* magic (deprecated) */
    .ascii "RSC\x05"            /* magic2 */
    .word 0

start:
    mv s0, a0
    mv s1, a1
    la sp, stack_top
    lla t0, trap
    csrw stvec, t0
    la a0, s_start
    call puts

    /* S-mode: sstatus reads (an M-only hart would trap to nobody) */
    csrr t0, sstatus
    mv a0, s0
    li a7, SBI_EXT_HSM
    li a6, SBI_HSM_STATUS
    ecall
    mv t0, a0
    mv t1, a1
    la a0, s_hart
    bnez t0, fail
    li t2, SBI_HSM_STARTED
    bne t1, t2, fail
    lwu t0, 0(s1)
    li t1, 0xedfe0dd0
    la a0, s_fdt
    bne t0, t1, fail
    la a0, s_handover
    call puts

    /* timer: sbi_set_timer(time + 10000) and wait */
    rdtime a0
    li t0, 10000
    add a0, a0, t0
    li a7, SBI_EXT_TIME
    li a6, 0
    ecall
    mv t2, a0
    la a0, s_timer
    bnez t2, fail
    li t0, SIE_STIE
    csrw sie, t0
1:  wfi
    csrsi sstatus, SSTATUS_SIE  /* the interrupt, if pending, is taken here */
    csrci sstatus, SSTATUS_SIE
    lla t0, timer_seen
    ld t0, 0(t0)
    beqz t0, 1b
    la a0, s_timer
    call puts

    /* shutdown */
    li a7, SBI_EXT_SRST
    li a6, 0
    li a0, 0
    li a1, 0
    ecall
    la a0, s_srst
fail:
    mv s2, a0
    la a0, s_fail
    call puts
    mv a0, s2
    call puts
2:  j 2b

/* puts(a0) through the legacy console; clobbers a0, a7, t5 */
puts:
    mv t5, a0
1:  lbu a0, 0(t5)
    beqz a0, 2f
    li a7, SBI_LEGACY_PUTCHAR
    ecall
    addi t5, t5, 1
    j 1b
2:  ret

/* The supervisor timer interrupt: note it and push the timer away. */
    .balign 4
trap:
    csrr t0, scause
    bgez t0, 3f
    lla t1, timer_seen
    sd t0, 0(t1)
    li a0, -1
    li a7, SBI_EXT_TIME
    li a6, 0
    ecall
    sret
3:  la a0, s_trap
    j fail

s_start:    .asciz "payload started\n"
s_handover: .asciz "S-mode, a0 = this hart, device tree in a1 ok\n"
s_timer:    .asciz "sbi timer interrupt ok\n"
s_srst:     .asciz "SBI shutdown returned\n"
s_hart:     .asciz "a0 is not this hart (SBI HSM status)\n"
s_fdt:      .asciz "a1 is not a device tree\n"
s_trap:     .asciz "unexpected exception\n"
s_fail:     .asciz "FAIL: "
    .balign 8
timer_seen: .dword 0
    .balign 16
    .space 1024
stack_top:
image_end:
