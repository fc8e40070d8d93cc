/*
 * firstinsn.S - ROM guest (-bios) whose very first instructions, at the reset
 * vector 0xFFFFFFF0, exit the machine.
 *
 * Tests: that the vCPU starts at the reset vector; measures (bench) the time
 * from process start to the first guest instruction. It runs
 *   mov $0x501, %dx ; out %al, %dx
 * on the isa-debug-exit port (needs -device isa-debug-exit), so the process
 * ends with status (AL << 1) | 1, i.e. 1 since EAX is 0 after reset. Prints
 * nothing. If the write does nothing it halts.
 */
#include "lib.h"

    .pushsection .reset, "ax"
    .code16
reset_vector:
    mov     $DEBUG_EXIT_PORT, %dx
    out     %al, %dx
    cli
    hlt
    jmp     reset_vector
    .popsection
