/*
 * The SiFive test finisher ("sifive-test"): one register through which a
 * guest ends the emulator. A write of 0x5555 powers off (exit status 0),
 * 0x3333 | code << 16 exits with status CODE, 0x7777 resets the machine.
 */
#ifndef HW_RISCV_SIFIVE_TEST_H
#define HW_RISCV_SIFIVE_TEST_H

#include "hw/qdev.h"

#define TYPE_SIFIVE_TEST "sifive-test"

#define SIFIVE_TEST_FAIL  0x3333
#define SIFIVE_TEST_PASS  0x5555
#define SIFIVE_TEST_RESET 0x7777

/* Creates and realizes the finisher at ADDR in system memory. */
DeviceState *sifive_test_create(uint64_t addr, GError **errp);

#endif
