/*
 * reset.S - ROM guest (-bios): system resets keep RAM and restart the vCPU at
 * the reset vector.
 *
 * Tests: the i8042 reset line (outb 0xfe -> port 0x64), a triple fault
 * (empty IDT, then ud2: #UD -> #GP -> #DF -> shutdown; ud2 rather than int3
 * because KVM's instruction emulator, which runs guest kernel code on this
 * project's kvm-pvm, cannot emulate int3 outside real mode), that both reset
 * the machine rather than end it, that RAM survives a reset, and -no-reboot.
 * A boot counter lives in RAM (0x504, valid when 0x500 holds a magic number;
 * fresh RAM has none, so the first boot is 1). Each boot prints "boot N";
 * boot 1 resets through the i8042, boot 2 triple-faults, boot 3 powers off.
 * Expected output: "boot 1", "boot 2", "boot 3", exit status 0; with
 * -no-reboot: "boot 1" only, exit status 0.
 */
#include "lib.h"

#define BOOT_MAGIC      (RAM_VARS + 0)      /* dword: BOOT_MAGIC_VALUE if valid */
#define BOOT_COUNT      (RAM_VARS + 4)      /* byte */
#define BOOT_MAGIC_VALUE 0x4b455354         /* "TSEK" */

    .text
    .code16
start16:
    REAL_MODE_INIT                          /* ES = 0 */
    SERIAL_INIT
    cmpl    $BOOT_MAGIC_VALUE, %es:BOOT_MAGIC
    je      1f
    movl    $BOOT_MAGIC_VALUE, %es:BOOT_MAGIC
    movb    $0, %es:BOOT_COUNT
1:  incb    %es:BOOT_COUNT
    PUTS16  "boot "
    movzbl  %es:BOOT_COUNT, %eax
    call    putdec16
    PUTLN16 ""
    cmpb    $1, %es:BOOT_COUNT
    je      kbd_reset
    cmpb    $2, %es:BOOT_COUNT
    je      triple_fault
    movl    $0, %es:BOOT_MAGIC              /* a later power-on starts afresh */
    POWEROFF

kbd_reset:
    mov     $0xfe, %al                      /* pulse the CPU reset line */
    out     %al, $I8042_CMD
    HALT_FOREVER

triple_fault:
    ENTER_PROTECTED pm32
    .code32
pm32:
    PROTECTED_MODE_INIT
    lidt    empty_idt
    ud2
    HALT_FOREVER

    .balign 8
empty_idt:
    .word   0                               /* limit 0: no gate is valid */
    .long   0

    .code16
    SERIAL_ROUTINES 16
    GDT_TABLE

    RESET_VECTOR start16
