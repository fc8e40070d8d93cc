/*
 * calibrate.S - ROM guest (-bios) that measures kernel-mode CPU speed.
 *
 * Tests nothing by itself: from the reset vector it runs a tight real-mode
 * loop of 200000 iterations (dec + jnz: 400000 instructions), then writes 0
 * to the isa-debug-exit port 0x501 (needs -device isa-debug-exit), which
 * ends the process with exit status 1. Prints nothing. The harness times it:
 * with hardware-assisted KVM it takes well under 10 ms; on a software KVM
 * backend (kvm-pvm, about 0.5 M kernel-mode instructions/s) about a second.
 */
#include "lib.h"

#define ITERATIONS  200000

    .text
    .code16
start16:
    cli
    mov     $ITERATIONS, %ecx
1:  dec     %ecx
    jnz     1b
    mov     $DEBUG_EXIT_PORT, %dx
    xor     %al, %al
    out     %al, %dx                /* exit status (0 << 1) | 1 = 1 */
    HALT_FOREVER

    RESET_VECTOR start16
