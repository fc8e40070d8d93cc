/*
 * Minimal i8042 keyboard controller ("i8042", created by the board). There is
 * no keyboard or mouse behind it yet; it exists so that the guest finds a
 * sane status register at 0x64 and can reset the machine the PC way: command
 * 0xFE (or any 0xF0-0xFF pulse with bit 0 clear) pulses the reset line, and
 * command 0xD1 followed by an output-port byte with bit 0 clear holds it low.
 * The controller commands that only move bytes (read/write the command byte,
 * self tests, output port) work so that probing code gets plausible answers.
 */
#include "util/osdep.h"

#include "exec/memory.h"
#include "hw/i386/i8042.h"
#include "hw/qdev.h"
#include "sysemu/runstate.h"
#include "util/log.h"

#define STAT_OBF            0x01    /* output buffer full */
#define STAT_SYS            0x04    /* system flag, mirrors CTR bit 2 */
#define STAT_CMD            0x08    /* last write went to the command port */
#define STAT_UNLOCKED       0x10    /* keyboard not inhibited */

#define CTR_SYS             0x04
#define CTR_KBD_DISABLE     0x10
#define CTR_AUX_DISABLE     0x20

#define OUTPORT_RESET       0x01    /* low: CPU held in reset */
#define OUTPORT_A20         0x02

#define CMD_READ_CTR        0x20
#define CMD_WRITE_CTR       0x60
#define CMD_AUX_DISABLE     0xa7
#define CMD_AUX_ENABLE      0xa8
#define CMD_SELF_TEST       0xaa
#define CMD_KBD_TEST        0xab
#define CMD_KBD_DISABLE     0xad
#define CMD_KBD_ENABLE      0xae
#define CMD_READ_OUTPORT    0xd0
#define CMD_WRITE_OUTPORT   0xd1
#define CMD_PULSE_FIRST     0xf0    /* 0xf0-0xff: pulse output lines whose bit is 0 */

typedef struct I8042State {
    DeviceState parent_obj;
    MemoryRegion data_io;
    MemoryRegion cmd_io;
    bool mapped;
    uint8_t ctr;        /* controller command byte */
    uint8_t outport;
    uint8_t obuf;
    bool obf;
    bool last_was_cmd;
    uint8_t pending;    /* command waiting for its data byte, or 0 */
} I8042State;

static void i8042_queue(I8042State *s, uint8_t byte)
{
    s->obuf = byte;
    s->obf = true;
}

static void i8042_write_outport(I8042State *s, uint8_t val)
{
    s->outport = val;
    if (!(val & OUTPORT_A20)) {
        log_mask_printf(LOG_UNIMP, "i8042: A20 gate cannot be disabled, ignored\n");
    }
    if (!(val & OUTPORT_RESET)) {
        runstate_request_reset(SHUTDOWN_CAUSE_GUEST_RESET);
    }
}

static uint64_t i8042_data_read(void *opaque, uint64_t addr, unsigned size)
{
    I8042State *s = opaque;

    s->obf = false;
    return s->obuf;
}

static void i8042_data_write(void *opaque, uint64_t addr, uint64_t val, unsigned size)
{
    I8042State *s = opaque;
    uint8_t cmd = s->pending;

    s->last_was_cmd = false;
    s->pending = 0;
    switch (cmd) {
    case CMD_WRITE_CTR:
        s->ctr = val;
        break;
    case CMD_WRITE_OUTPORT:
        i8042_write_outport(s, val);
        break;
    default:
        log_mask_printf(LOG_UNIMP, "i8042: no keyboard attached, byte 0x%02x dropped\n",
                        (unsigned)(val & 0xff));
        break;
    }
}

static uint64_t i8042_status_read(void *opaque, uint64_t addr, unsigned size)
{
    I8042State *s = opaque;

    return (s->obf ? STAT_OBF : 0) | (s->ctr & CTR_SYS ? STAT_SYS : 0) |
           (s->last_was_cmd ? STAT_CMD : 0) | STAT_UNLOCKED;
}

static void i8042_cmd_write(void *opaque, uint64_t addr, uint64_t val, unsigned size)
{
    I8042State *s = opaque;
    uint8_t cmd = val;

    s->last_was_cmd = true;
    s->pending = 0;
    if (cmd >= CMD_PULSE_FIRST) {
        if (!(cmd & OUTPORT_RESET)) {
            runstate_request_reset(SHUTDOWN_CAUSE_GUEST_RESET);
        }
        return;
    }
    switch (cmd) {
    case CMD_READ_CTR:
        i8042_queue(s, s->ctr);
        break;
    case CMD_WRITE_CTR:
    case CMD_WRITE_OUTPORT:
        s->pending = cmd;
        break;
    case CMD_AUX_DISABLE:
        s->ctr |= CTR_AUX_DISABLE;
        break;
    case CMD_AUX_ENABLE:
        s->ctr &= ~CTR_AUX_DISABLE;
        break;
    case CMD_SELF_TEST:
        i8042_queue(s, 0x55);
        break;
    case CMD_KBD_TEST:
        i8042_queue(s, 0x00);
        break;
    case CMD_KBD_DISABLE:
        s->ctr |= CTR_KBD_DISABLE;
        break;
    case CMD_KBD_ENABLE:
        s->ctr &= ~CTR_KBD_DISABLE;
        break;
    case CMD_READ_OUTPORT:
        i8042_queue(s, s->outport);
        break;
    default:
        log_mask_printf(LOG_UNIMP, "i8042: controller command 0x%02x not implemented\n", cmd);
        break;
    }
}

static const MemoryRegionOps i8042_data_ops = {
    .read = i8042_data_read,
    .write = i8042_data_write,
    .valid = { .min_access_size = 1, .max_access_size = 1 },
};

static const MemoryRegionOps i8042_cmd_ops = {
    .read = i8042_status_read,
    .write = i8042_cmd_write,
    .valid = { .min_access_size = 1, .max_access_size = 1 },
};

static bool i8042_realize(DeviceState *dev, GError **errp)
{
    I8042State *s = DEVICE_CAST(I8042State, dev);

    memory_region_init_io(&s->data_io, &i8042_data_ops, s, "i8042-data", 1);
    memory_region_init_io(&s->cmd_io, &i8042_cmd_ops, s, "i8042-cmd", 1);
    memory_region_add_subregion(get_system_io(), I8042_DATA_PORT, &s->data_io);
    memory_region_add_subregion(get_system_io(), I8042_CMD_PORT, &s->cmd_io);
    s->mapped = true;
    return true;
}

/* As firmware leaves it: self test passed (SYS), both ports enabled, A20 on. */
static void i8042_reset(DeviceState *dev)
{
    I8042State *s = DEVICE_CAST(I8042State, dev);

    s->ctr = CTR_SYS;
    s->outport = OUTPORT_RESET | OUTPORT_A20;
    s->obuf = 0;
    s->obf = false;
    s->last_was_cmd = false;
    s->pending = 0;
}

static void i8042_finalize(DeviceState *dev)
{
    I8042State *s = DEVICE_CAST(I8042State, dev);

    if (s->mapped) {
        memory_region_del_subregion(get_system_io(), &s->data_io);
        memory_region_del_subregion(get_system_io(), &s->cmd_io);
        memory_region_finalize(&s->data_io);
        memory_region_finalize(&s->cmd_io);
    }
}

static int i8042_post_load(void *opaque, int version_id)
{
    I8042State *s = opaque;

    if (s->pending != 0 && s->pending != CMD_WRITE_CTR && s->pending != CMD_WRITE_OUTPORT) {
        return -EINVAL;
    }
    return 0;
}

static const VMStateField i8042_vmstate_fields[] = {
    VMSTATE_UINT8(ctr, I8042State),
    VMSTATE_UINT8(outport, I8042State),
    VMSTATE_UINT8(obuf, I8042State),
    VMSTATE_BOOL(obf, I8042State),
    VMSTATE_BOOL(last_was_cmd, I8042State),
    VMSTATE_UINT8(pending, I8042State),
    VMSTATE_END_OF_LIST(),
};

static const VMStateDescription i8042_vmstate = {
    .name = TYPE_I8042,
    .version_id = 1,
    .minimum_version_id = 1,
    .fields = i8042_vmstate_fields,
    .post_load = i8042_post_load,
};

static const TypeInfo i8042_info = {
    .name = TYPE_I8042,
    .parent = "device",
    .instance_size = sizeof(I8042State),
    .desc = "i8042 keyboard controller (reset line only, no keyboard)",
    .realize = i8042_realize,
    .reset = i8042_reset,
    .finalize = i8042_finalize,
    .vmsd = &i8042_vmstate,
};

DeviceState *i8042_create(GError **errp)
{
    DeviceState *dev = qdev_new(TYPE_I8042);

    return qdev_realize(dev, errp) ? dev : NULL;
}

static void i8042_register(void)
{
    type_register(&i8042_info);
}
type_init(i8042_register)
