/*
 * hello.S - ROM guest (-bios): walks the x86 boot modes.
 *
 * Tests: the reset vector at 0xFFFFFFF0 and the ROM alias below 1 MiB, real
 * mode, the switch to flat 32-bit protected mode (GDT, CR0.PE, far jump), the
 * switch to 64-bit long mode (PAE paging with identity-mapped 2 MiB pages
 * built in RAM, EFER.LME, CR0.PG, far jump to a 64-bit code segment), COM1
 * output and ACPI poweroff (exit status 0).
 * Prints, one line each:
 *   kestrel-guest: real mode ok
 *   kestrel-guest: protected mode ok
 *   kestrel-guest: long mode ok
 */
#include "lib.h"

    .text
    .code16
start16:
    REAL_MODE_INIT
    SERIAL_INIT
    PUTLN16 "kestrel-guest: real mode ok"
    ENTER_PROTECTED start32

    .code32
start32:
    PROTECTED_MODE_INIT
    PUTLN32 "kestrel-guest: protected mode ok"
    BUILD_PAGE_TABLES PT_BASE, 1
    ENTER_LONG PT_BASE, start64

    .code64
start64:
    LONG_MODE_INIT
    PUTLN64 "kestrel-guest: long mode ok"
    POWEROFF

    .code16
    SERIAL_ROUTINES 16
    .code32
    SERIAL_ROUTINES 32
    .code64
    SERIAL_ROUTINES 64
    GDT_TABLE

    RESET_VECTOR start16
