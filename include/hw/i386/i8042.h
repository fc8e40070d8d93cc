/*
 * A minimal i8042 keyboard controller for x86 boards: no keyboard or mouse
 * behind it yet, but the status register reads sane and the controller
 * commands that pulse the CPU reset line (0xFE, or 0xD1 with bit 0 clear)
 * reset the machine, as PC operating systems expect.
 */
#ifndef HW_I386_I8042_H
#define HW_I386_I8042_H

#include "hw/qdev.h"

#define TYPE_I8042          "i8042"
#define I8042_DATA_PORT     0x60
#define I8042_CMD_PORT      0x64
#define I8042_CMD_RESET     0xfe    /* pulse output line 0: CPU reset */

/* Creates and realizes the controller at ports 0x60 and 0x64. */
DeviceState *i8042_create(GError **errp);

#endif
