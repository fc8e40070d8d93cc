/*
 * The RISC-V CLINT (core-local interruptor, SiFive layout): per hart a
 * machine software interrupt bit (msip, at +4*hart) and a timer compare
 * register (mtimecmp, at +0x4000 + 8*hart), and one 64-bit mtime at +0xbff8
 * counting at a fixed frequency from the host's monotonic clock.
 *
 * Each hart has two output lines, driven at level: MSIP (msip bit 0) and
 * MTIP (mtime >= mtimecmp). The board wires them to its harts.
 */
#ifndef HW_RISCV_CLINT_H
#define HW_RISCV_CLINT_H

#include "hw/irq.h"
#include "hw/qdev.h"

#define TYPE_RISCV_CLINT "riscv-clint"

#define CLINT_MSIP          0x0
#define CLINT_MTIMECMP      0x4000
#define CLINT_MTIME         0xbff8
#define CLINT_SIZE          0x10000
#define CLINT_MAX_HARTS     64

/*
 * Creates and realizes a CLINT at ADDR for NUM_HARTS harts, mtime counting
 * at FREQ_HZ. SOFT[i] and TIMER[i] (arrays of NUM_HARTS, entries may be NULL)
 * are hart i's MSIP and MTIP lines.
 */
DeviceState *riscv_clint_create(uint64_t addr, unsigned num_harts, uint64_t freq_hz,
                                const qemu_irq *soft, const qemu_irq *timer, GError **errp);
/*
 * The current mtime of the CLINT DEV (a DeviceState *, untyped so it can be
 * the harts' time source). Any thread.
 */
uint64_t riscv_clint_read_mtime(void *dev);

#endif
