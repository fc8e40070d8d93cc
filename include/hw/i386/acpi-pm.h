/*
 * The ACPI fixed-hardware PM1 register blocks of an x86 board (ACPI 6.x,
 * 4.8.3): PM1a event (status + enable) and PM1a control, raising the SCI on
 * ISA IRQ 9 while an enabled status bit is set, and powering off on S5.
 */
#ifndef HW_I386_ACPI_PM_H
#define HW_I386_ACPI_PM_H

#include "hw/qdev.h"

#define TYPE_ACPI_PM            "acpi-pm"
#define ACPI_PM1_EVT_ADDR       0x600   /* 2 bytes status, 2 bytes enable */
#define ACPI_PM1_EVT_LEN        4
#define ACPI_PM1_CNT_ADDR       0x604
#define ACPI_PM1_CNT_LEN        2
#define ACPI_PM_TMR_OFFSET      8       /* from the event block */
#define ACPI_PM_TMR_LEN         4
#define ACPI_PM_TMR_FREQ        3579545
#define ACPI_PM_SCI_IRQ         9
#define ACPI_SLP_TYP_S5         0       /* the \_S5 package the DSDT declares */

/* A press of the power button: PWRBTN_STS, and an SCI if the guest enabled it. */
void acpi_pm_press_power_button(DeviceState *dev);
/*
 * Moves the registers: the event block to BASE, control to BASE + 4, the
 * timer to BASE + 8. BASE 0 stops decoding them. Realize maps them at
 * ACPI_PM1_EVT_ADDR.
 */
void acpi_pm_set_io_base(DeviceState *dev, uint16_t base);

#endif
