/*
 * firstbyte.S - ROM guest (-bios) whose first instructions, at the reset
 * vector 0xFFFFFFF0, write 'K' to COM1's transmit register and halt.
 *
 * Bench: the time from process start until the first guest instruction has
 * run is the time until that byte reaches the serial console (one PIO exit,
 * no UART setup needed: THR accepts a byte after reset), so it excludes the
 * process exit and the kernel's VM teardown that firstinsn.bin includes.
 */
#include "lib.h"

    .pushsection .reset, "ax"
    .code16
reset_vector:
    mov     $0x3f8, %dx
    mov     $'K', %al
    out     %al, %dx
1:  cli
    hlt
    jmp     1b
    .popsection
