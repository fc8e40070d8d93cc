/*
 * The RISC-V PLIC (platform-level interrupt controller) in the layout of the
 * SiFive PLIC and QEMU's virt board: source priorities at +0 (4 bytes per
 * source), pending bits at +0x1000, per-context enable bits at +0x2000 +
 * 0x80 * context, and per-context threshold and claim/complete registers at
 * +0x200000 + 0x1000 * context. Source 0 does not exist. Sources are level
 * inputs (plic_get_source); each context has one output line, high while a
 * pending, enabled source's priority exceeds the context's threshold.
 */
#ifndef HW_RISCV_PLIC_H
#define HW_RISCV_PLIC_H

#include "hw/irq.h"
#include "hw/qdev.h"

#define TYPE_RISCV_PLIC "riscv-plic"

#define PLIC_PRIORITY_BASE   0x0
#define PLIC_PENDING_BASE    0x1000
#define PLIC_ENABLE_BASE     0x2000
#define PLIC_ENABLE_STRIDE   0x80
#define PLIC_CONTEXT_BASE    0x200000
#define PLIC_CONTEXT_STRIDE  0x1000
#define PLIC_MAX_SOURCES     1024
#define PLIC_MAX_CONTEXTS    64

/*
 * Creates and realizes a PLIC at ADDR (a window of SIZE bytes) with
 * NUM_SOURCES sources (including the absent source 0), priorities of
 * PRIO_BITS bits, and NUM_CONTEXTS contexts whose output lines are
 * OUTPUTS[0..NUM_CONTEXTS-1] (entries may be NULL).
 */
DeviceState *riscv_plic_create(uint64_t addr, uint64_t size, unsigned num_sources,
                               unsigned prio_bits, unsigned num_contexts,
                               const qemu_irq *outputs, GError **errp);
/* The input line of source SRC (1 to num_sources - 1). */
qemu_irq riscv_plic_get_source(DeviceState *dev, unsigned src);

#endif
