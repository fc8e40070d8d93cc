/*
 * The 16550A UART ("isa-serial"): a PC COM port at an I/O base with one ISA
 * interrupt line, connected to a character device; and the same UART
 * memory-mapped ("serial-mm", the ns16550a of device-tree boards).
 */
#ifndef HW_CHAR_SERIAL_H
#define HW_CHAR_SERIAL_H

#include "hw/irq.h"
#include "hw/qdev.h"

#define TYPE_ISA_SERIAL "isa-serial"
#define TYPE_SERIAL_MM "serial-mm"

/* PC COM1..COM4: I/O base and IRQ. */
#define SERIAL_COM1_IOBASE 0x3f8
#define SERIAL_COM2_IOBASE 0x2f8
#define SERIAL_COM3_IOBASE 0x3e8
#define SERIAL_COM4_IOBASE 0x2e8
#define SERIAL_COM1_IRQ 4
#define SERIAL_COM2_IRQ 3
#define SERIAL_COM3_IRQ 4
#define SERIAL_COM4_IRQ 3

/*
 * Creates and realizes a UART at IOBASE on ISA line IRQ, attached to CHR
 * (NULL: output is discarded, no input). NULL with *errp set on failure.
 */
DeviceState *serial_isa_create(uint32_t iobase, uint32_t irq, Chardev *chr, GError **errp);

/*
 * Creates and realizes a memory-mapped UART: register n at ADDR + (n << REGSHIFT)
 * in system memory, interrupt on IRQ (NULL: none), attached to CHR as above.
 */
DeviceState *serial_mm_create(uint64_t addr, unsigned regshift, qemu_irq irq, Chardev *chr,
                              GError **errp);

#endif
