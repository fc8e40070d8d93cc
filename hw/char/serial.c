/*
 * The 16550A UART as found on PCs (National Semiconductor PC16550D data
 * sheet): eight byte-wide registers at an I/O base, a 16-byte receive FIFO
 * with trigger levels and character timeout, and one interrupt line.
 *
 * Transmission is instantaneous: a byte written to THR goes straight to the
 * chardev, so the transmitter (holding register, TX FIFO and shifter) is
 * always empty again by the time the guest looks: THRE and TEMT read 1 and
 * the TX FIFO never holds anything for FCR to clear. Receiving is paced by
 * the chardev: it hands over only as many bytes as the RX FIFO has room for,
 * so host input is never lost to an overrun.
 *
 * MCR OUT2 does not gate the interrupt line. On a real PC OUT2 drives a
 * tri-state buffer between the UART and the PIC, and Linux sets it before
 * relying on interrupts; guests that leave it clear also keep IER at 0, so
 * modelling the gate would change nothing they can observe but add a trap
 * for guests that forget it. (QEMU does not gate either.)
 *
 * The same UART also comes memory-mapped ("serial-mm", the "ns16550a" of
 * device-tree boards such as riscv virt): register n at ADDR + (n << regshift),
 * any access of 1 to 4 bytes reaching the register its address selects, with
 * the interrupt line the board hands over.
 */
#include "util/osdep.h"
#include "hw/char/serial.h"
#include "hw/isa.h"
#include "exec/memory.h"
#include "chardev/char.h"
#include "util/log.h"

#define UART_FIFO_SIZE 16
#define UART_CLOCK_DIVIDED 115200   /* 1.8432 MHz crystal / 16 */

/* Register offsets; DLL and DLM replace RBR/THR and IER while LCR.DLAB is set. */
enum {
    UART_RBR = 0,   /* read: receive buffer; write: THR */
    UART_IER = 1,
    UART_IIR = 2,   /* read: interrupt identification; write: FCR */
    UART_LCR = 3,
    UART_MCR = 4,
    UART_LSR = 5,
    UART_MSR = 6,
    UART_SCR = 7,
};

#define UART_IER_RDI    0x01   /* received data available (and character timeout) */
#define UART_IER_THRI   0x02   /* transmitter holding register empty */
#define UART_IER_RLSI   0x04   /* receiver line status */
#define UART_IER_MSI    0x08   /* modem status */

#define UART_IIR_NO_INT 0x01
#define UART_IIR_MSI    0x00
#define UART_IIR_THRI   0x02
#define UART_IIR_RDI    0x04
#define UART_IIR_RLSI   0x06
#define UART_IIR_CTI    0x0c
#define UART_IIR_FIFOS  0xc0   /* FIFOs enabled */

#define UART_FCR_ENABLE   0x01
#define UART_FCR_CLEAR_RX 0x02
#define UART_FCR_CLEAR_TX 0x04
#define UART_FCR_DMA      0x08
#define UART_FCR_TRIGGER  0xc0

#define UART_LCR_WLEN     0x03 /* word length - 5 */
#define UART_LCR_STOP     0x04
#define UART_LCR_PARITY   0x08
#define UART_LCR_DLAB     0x80

#define UART_MCR_DTR  0x01
#define UART_MCR_RTS  0x02
#define UART_MCR_OUT1 0x04
#define UART_MCR_OUT2 0x08
#define UART_MCR_LOOP 0x10
#define UART_MCR_MASK 0x1f

#define UART_LSR_DR   0x01
#define UART_LSR_OE   0x02
#define UART_LSR_PE   0x04
#define UART_LSR_FE   0x08
#define UART_LSR_BI   0x10
#define UART_LSR_THRE 0x20
#define UART_LSR_TEMT 0x40
#define UART_LSR_FIFO_ERR 0x80
#define UART_LSR_ERRORS (UART_LSR_OE | UART_LSR_PE | UART_LSR_FE | UART_LSR_BI)

#define UART_MSR_DCTS  0x01
#define UART_MSR_DDSR  0x02
#define UART_MSR_TERI  0x04
#define UART_MSR_DDCD  0x08
#define UART_MSR_DELTA 0x0f
#define UART_MSR_CTS   0x10
#define UART_MSR_DSR   0x20
#define UART_MSR_RI    0x40
#define UART_MSR_DCD   0x80

typedef struct SerialState {
    DeviceState parent_obj;

    /* Properties */
    uint32_t iobase;
    uint32_t irq_num;
    uint64_t mmio_addr;        /* serial-mm */
    uint8_t regshift;          /* serial-mm */
    Chardev *chr;

    /* Guest-visible state */
    uint16_t divisor;
    uint8_t ier;
    uint8_t fcr;               /* the programmable bits: enable, DMA mode, trigger */
    uint8_t lcr;
    uint8_t mcr;
    uint8_t lsr;               /* the sticky bits only (OE, BI); DR and the rest are derived */
    uint8_t msr;
    uint8_t scr;
    uint8_t rbr;               /* the last byte read: what an empty RBR reads as */
    bool thr_ipending;         /* THRE interrupt latched, until IIR read or THR write */
    bool timeout_ipending;     /* character timeout latched, until RBR read */
    /* RX FIFO (one entry deep with FIFOs off), with each byte's break flag. */
    uint8_t rx_fifo[UART_FIFO_SIZE];
    uint8_t rx_break[UART_FIFO_SIZE];
    uint8_t rx_head;
    uint8_t rx_count;

    /* Host side */
    MemoryRegion io;
    MemoryRegion *io_parent;   /* where io is mapped (NULL: not yet) */
    qemu_irq irq;
    int irq_level;             /* last level driven, -1: unknown */
    bool fe_attached;
    GSource *timeout_src;      /* fires at timeout_deadline */
    int64_t timeout_deadline;  /* monotonic µs; 0: no timeout running */
} SerialState;

static bool serial_fifo_enabled(const SerialState *s)
{
    return s->fcr & UART_FCR_ENABLE;
}

static unsigned serial_rx_capacity(const SerialState *s)
{
    return serial_fifo_enabled(s) ? UART_FIFO_SIZE : 1;
}

static unsigned serial_rx_trigger(const SerialState *s)
{
    static const uint8_t levels[4] = { 1, 4, 8, 14 };

    return levels[s->fcr >> 6];
}

/* The interrupt to report, by the data sheet's priorities, or UART_IIR_NO_INT. */
static uint8_t serial_pending_interrupt(const SerialState *s)
{
    if ((s->ier & UART_IER_RLSI) && (s->lsr & UART_LSR_ERRORS)) {
        return UART_IIR_RLSI;
    }
    if (s->ier & UART_IER_RDI) {
        if (serial_fifo_enabled(s) ? s->rx_count >= serial_rx_trigger(s) : s->rx_count > 0) {
            return UART_IIR_RDI;
        }
        if (s->timeout_ipending) {
            return UART_IIR_CTI;
        }
    }
    if ((s->ier & UART_IER_THRI) && s->thr_ipending) {
        return UART_IIR_THRI;
    }
    if ((s->ier & UART_IER_MSI) && (s->msr & UART_MSR_DELTA)) {
        return UART_IIR_MSI;
    }
    return UART_IIR_NO_INT;
}

static void serial_update_irq(SerialState *s)
{
    int level = serial_pending_interrupt(s) != UART_IIR_NO_INT;

    if (level != s->irq_level) {
        s->irq_level = level;
        irq_set(s->irq, level);
    }
}

/* Nanoseconds one character takes on the line with the current LCR and divisor. */
static uint64_t serial_char_time_ns(const SerialState *s)
{
    /* In half bits: start, 5-8 data bits, optional parity, 1, 1.5 or 2 stop bits. */
    unsigned data_bits = 5 + (s->lcr & UART_LCR_WLEN);
    unsigned half_bits = 2 * (1 + data_bits + !!(s->lcr & UART_LCR_PARITY));
    /* The data sheet leaves divisor 0 undefined; take it as the slowest rate. */
    uint64_t divisor = s->divisor ? s->divisor : 0x10000;

    if (!(s->lcr & UART_LCR_STOP)) {
        half_bits += 2;
    } else {
        half_bits += data_bits == 5 ? 3 : 4;
    }
    return half_bits * 1000000000ULL * divisor / (2 * UART_CLOCK_DIVIDED);
}

/*
 * Restarts the character timeout: it fires four character times after the
 * last byte went into or out of a non-empty RX FIFO. The GSource is only
 * moved when it would fire too late; an early wake-up re-arms it.
 */
static void serial_timeout_restart(SerialState *s)
{
    if (!serial_fifo_enabled(s) || !s->rx_count || !s->timeout_src) {
        s->timeout_deadline = 0;
        return;
    }
    s->timeout_deadline = g_get_monotonic_time() +
                          DIV_ROUND_UP(4 * serial_char_time_ns(s), 1000);
    if (g_source_get_ready_time(s->timeout_src) < 0) {
        g_source_set_ready_time(s->timeout_src, s->timeout_deadline);
    }
}

static gboolean serial_timeout_expired(gpointer opaque)
{
    SerialState *s = opaque;

    if (!s->timeout_deadline) {
        return G_SOURCE_CONTINUE;
    }
    if (g_get_monotonic_time() < s->timeout_deadline) {
        g_source_set_ready_time(s->timeout_src, s->timeout_deadline);
        return G_SOURCE_CONTINUE;
    }
    s->timeout_deadline = 0;
    if (serial_fifo_enabled(s) && s->rx_count) {
        s->timeout_ipending = true;
        serial_update_irq(s);
    }
    return G_SOURCE_CONTINUE;
}

static gboolean serial_timeout_dispatch(GSource *source, GSourceFunc callback, gpointer data)
{
    g_source_set_ready_time(source, -1);
    return callback(data);
}

static GSourceFuncs serial_timeout_funcs = {
    .dispatch = serial_timeout_dispatch,
};

static void serial_rx_clear(SerialState *s)
{
    s->rx_head = 0;
    s->rx_count = 0;
    s->lsr &= ~UART_LSR_BI;     /* the break's character is gone */
    s->timeout_ipending = false;
    s->timeout_deadline = 0;
}

/* A byte arrives from the line (or from THR in loopback). */
static void serial_rx_push(SerialState *s, uint8_t byte, bool is_break)
{
    unsigned idx;

    if (s->rx_count == serial_rx_capacity(s)) {
        s->lsr |= UART_LSR_OE;
        if (serial_fifo_enabled(s)) {
            return;     /* the byte in the shift register is lost */
        }
        s->rx_count = 0;    /* 16450 mode: the new byte overwrites RBR */
    }
    idx = (s->rx_head + s->rx_count) % UART_FIFO_SIZE;
    s->rx_fifo[idx] = byte;
    s->rx_break[idx] = is_break;
    s->rx_count++;
    /* An error shows in LSR when its byte reaches the top of the FIFO. */
    if (s->rx_count == 1 && is_break) {
        s->lsr |= UART_LSR_BI;
    }
}

static uint8_t serial_rx_pop(SerialState *s)
{
    if (!s->rx_count) {
        return s->rbr;
    }
    s->rbr = s->rx_fifo[s->rx_head];
    s->rx_head = (s->rx_head + 1) % UART_FIFO_SIZE;
    s->rx_count--;
    if (s->rx_count && s->rx_break[s->rx_head]) {
        s->lsr |= UART_LSR_BI;
    }
    return s->rbr;
}

static bool serial_rx_has_error(const SerialState *s)
{
    for (unsigned i = 0; i < s->rx_count; i++) {
        if (s->rx_break[(s->rx_head + i) % UART_FIFO_SIZE]) {
            return true;
        }
    }
    return false;
}

/* After bytes arrived: a timeout already latched stays until the guest reads. */
static void serial_rx_arrived(SerialState *s)
{
    if (!s->timeout_ipending) {
        serial_timeout_restart(s);
    }
    serial_update_irq(s);
}

static void serial_accept_input(SerialState *s)
{
    if (s->fe_attached) {
        chardev_accept_input(s->chr);
    }
}

/* Recomputes the modem inputs and latches their changes in the delta bits. */
static void serial_update_msr(SerialState *s)
{
    uint8_t lines, old = s->msr, delta = 0;

    if (s->mcr & UART_MCR_LOOP) {
        /* Loopback: the outputs drive the inputs inside the chip. */
        lines = (s->mcr & UART_MCR_RTS ? UART_MSR_CTS : 0) |
                (s->mcr & UART_MCR_DTR ? UART_MSR_DSR : 0) |
                (s->mcr & UART_MCR_OUT1 ? UART_MSR_RI : 0) |
                (s->mcr & UART_MCR_OUT2 ? UART_MSR_DCD : 0);
    } else {
        /* The chardev stands for a peer that is always there and ready. */
        lines = UART_MSR_CTS | UART_MSR_DSR | UART_MSR_DCD;
    }
    if ((old ^ lines) & UART_MSR_CTS) {
        delta |= UART_MSR_DCTS;
    }
    if ((old ^ lines) & UART_MSR_DSR) {
        delta |= UART_MSR_DDSR;
    }
    if ((old ^ lines) & UART_MSR_DCD) {
        delta |= UART_MSR_DDCD;
    }
    if ((old & UART_MSR_RI) && !(lines & UART_MSR_RI)) {
        delta |= UART_MSR_TERI;
    }
    s->msr = lines | (old & UART_MSR_DELTA) | delta;
}

static void serial_write_thr(SerialState *s, uint8_t byte)
{
    s->thr_ipending = false;
    serial_update_irq(s);
    if (s->mcr & UART_MCR_LOOP) {
        serial_rx_push(s, byte, false);
        serial_rx_arrived(s);
    } else if (s->chr) {
        chardev_write(s->chr, &byte, 1);
    }
    /* Sent at once: the holding register is empty again. */
    s->thr_ipending = true;
    serial_update_irq(s);
}

static void serial_write_fcr(SerialState *s, uint8_t val)
{
    if ((val ^ s->fcr) & UART_FCR_ENABLE) {
        /* Switching between 16450 and FIFO mode empties the FIFOs. */
        serial_rx_clear(s);
    }
    if (!(val & UART_FCR_ENABLE)) {
        /* The other bits are only programmed together with FCR0. */
        s->fcr = 0;
    } else {
        if (val & UART_FCR_CLEAR_RX) {
            serial_rx_clear(s);
        }
        s->fcr = val & (UART_FCR_ENABLE | UART_FCR_DMA | UART_FCR_TRIGGER);
    }
    serial_update_irq(s);
    serial_accept_input(s);
}

static void serial_write(void *opaque, uint64_t addr, uint64_t val, unsigned size)
{
    SerialState *s = opaque;
    bool dlab = s->lcr & UART_LCR_DLAB;
    uint8_t old;

    switch (addr) {
    case UART_RBR:
        if (dlab) {
            s->divisor = (s->divisor & 0xff00) | val;
        } else {
            serial_write_thr(s, val);
        }
        break;
    case UART_IER:
        if (dlab) {
            s->divisor = (s->divisor & 0x00ff) | (val << 8);
            break;
        }
        old = s->ier;
        s->ier = val & 0x0f;
        /* Enabling THRI while the transmitter is idle raises it at once (Linux tests this). */
        if (!(old & UART_IER_THRI) && (s->ier & UART_IER_THRI)) {
            s->thr_ipending = true;
        }
        serial_update_irq(s);
        break;
    case UART_IIR:
        serial_write_fcr(s, val);
        break;
    case UART_LCR:
        s->lcr = val;
        break;
    case UART_MCR:
        old = s->mcr;
        s->mcr = val & UART_MCR_MASK;
        serial_update_msr(s);
        serial_update_irq(s);
        if ((old ^ s->mcr) & UART_MCR_LOOP) {
            serial_accept_input(s);
        }
        break;
    case UART_LSR:
    case UART_MSR:
        log_mask_printf(LOG_GUEST_ERROR, "%s@0x%" PRIx64 ": write 0x%02x to read-only %s\n",
                        s->parent_obj.type->name,
                        s->io_parent == get_system_io() ? s->iobase : s->mmio_addr,
                        (unsigned)val, addr == UART_LSR ? "LSR" : "MSR");
        break;
    case UART_SCR:
        s->scr = val;
        break;
    }
}

static uint64_t serial_read(void *opaque, uint64_t addr, unsigned size)
{
    SerialState *s = opaque;
    bool dlab = s->lcr & UART_LCR_DLAB;
    uint8_t val = 0;

    switch (addr) {
    case UART_RBR:
        if (dlab) {
            return s->divisor & 0xff;
        }
        val = serial_rx_pop(s);
        s->timeout_ipending = false;
        serial_timeout_restart(s);
        serial_update_irq(s);
        serial_accept_input(s);
        break;
    case UART_IER:
        return dlab ? s->divisor >> 8 : s->ier;
    case UART_IIR:
        val = serial_pending_interrupt(s);
        if (val == UART_IIR_THRI) {
            /* Reading IIR while it reports THRE acknowledges it. */
            s->thr_ipending = false;
            serial_update_irq(s);
        }
        if (serial_fifo_enabled(s)) {
            val |= UART_IIR_FIFOS;
        }
        break;
    case UART_LCR:
        return s->lcr;
    case UART_MCR:
        return s->mcr;
    case UART_LSR:
        val = s->lsr | UART_LSR_THRE | UART_LSR_TEMT;
        if (s->rx_count) {
            val |= UART_LSR_DR;
        }
        if (serial_fifo_enabled(s) && serial_rx_has_error(s)) {
            val |= UART_LSR_FIFO_ERR;
        }
        s->lsr &= ~UART_LSR_ERRORS;
        serial_update_irq(s);
        break;
    case UART_MSR:
        val = s->msr;
        s->msr &= ~UART_MSR_DELTA;
        serial_update_irq(s);
        break;
    case UART_SCR:
        return s->scr;
    }
    return val;
}

static const MemoryRegionOps serial_io_ops = {
    .read = serial_read,
    .write = serial_write,
    .valid = { .min_access_size = 1, .max_access_size = 1 },
};

/* serial-mm: the low byte of any access up to 4 bytes goes to the register ADDR selects. */
static uint64_t serial_mm_read(void *opaque, uint64_t addr, unsigned size)
{
    SerialState *s = opaque;

    return serial_read(s, addr >> s->regshift, 1);
}

static void serial_mm_write(void *opaque, uint64_t addr, uint64_t val, unsigned size)
{
    SerialState *s = opaque;

    serial_write(s, addr >> s->regshift, val & 0xff, 1);
}

static const MemoryRegionOps serial_mm_ops = {
    .read = serial_mm_read,
    .write = serial_mm_write,
    .valid = { .min_access_size = 1, .max_access_size = 4 },
};

static int serial_can_read(void *opaque)
{
    SerialState *s = opaque;

    /* In loopback the receiver is cut off from the line: let the host wait. */
    if (s->mcr & UART_MCR_LOOP) {
        return 0;
    }
    return serial_rx_capacity(s) - s->rx_count;
}

static void serial_receive(void *opaque, const uint8_t *buf, int len)
{
    SerialState *s = opaque;

    if (s->mcr & UART_MCR_LOOP) {
        return;
    }
    for (int i = 0; i < len; i++) {
        serial_rx_push(s, buf[i], false);
    }
    serial_rx_arrived(s);
}

static void serial_event(void *opaque, ChardevEvent event)
{
    SerialState *s = opaque;

    /* Connections coming and going do not show on the modem lines. */
    if (event == CHR_EVENT_BREAK && !(s->mcr & UART_MCR_LOOP)) {
        /* A break is received as a zero byte flagged BI. */
        serial_rx_push(s, 0, true);
        serial_rx_arrived(s);
    }
}

static const ChardevFrontend serial_chr_frontend = {
    .can_read = serial_can_read,
    .read = serial_receive,
    .event = serial_event,
};

static void serial_reset(DeviceState *dev)
{
    SerialState *s = DEVICE_CAST(SerialState, dev);

    /* Data sheet reset values; the divisor latch and SCR are not affected. */
    s->ier = 0;
    s->fcr = 0;
    s->lcr = 0;
    s->mcr = 0;
    s->lsr = 0;
    s->msr = 0;
    s->thr_ipending = false;
    serial_rx_clear(s);
    serial_update_msr(s);
    s->msr &= ~UART_MSR_DELTA;
    serial_update_irq(s);
    serial_accept_input(s);
}

/* What both flavours share once their registers are mapped at IO_PARENT. */
static void serial_realize_common(SerialState *s, MemoryRegion *io_parent, uint64_t addr)
{
    memory_region_add_subregion(io_parent, addr, &s->io);
    s->io_parent = io_parent;
    s->irq_level = -1;
    s->timeout_src = g_source_new(&serial_timeout_funcs, sizeof(GSource));
    g_source_set_callback(s->timeout_src, serial_timeout_expired, s, NULL);
    g_source_attach(s->timeout_src, NULL);
    /* Not touched by reset: start where PC firmware leaves it, 9600 baud. */
    s->divisor = UART_CLOCK_DIVIDED / 9600;
    serial_reset(&s->parent_obj);
    if (s->chr) {
        chardev_set_frontend(s->chr, &serial_chr_frontend, s);
        s->fe_attached = true;
    }
}

static bool serial_check_chardev(SerialState *s, GError **errp)
{
    if (s->chr && chardev_has_frontend(s->chr)) {
        error_setg(errp, "%s: chardev '%s' is already in use", s->parent_obj.type->name,
                   chardev_id(s->chr));
        return false;
    }
    return true;
}

static bool serial_realize(DeviceState *dev, GError **errp)
{
    SerialState *s = DEVICE_CAST(SerialState, dev);

    if (s->iobase > 0x10000 - 8) {
        error_setg(errp, "isa-serial: iobase 0x%x is outside the I/O space", s->iobase);
        return false;
    }
    if (s->irq_num >= ISA_NUM_IRQS) {
        error_setg(errp, "isa-serial: irq %u is not an ISA line (0-%d)", s->irq_num,
                   ISA_NUM_IRQS - 1);
        return false;
    }
    if (!serial_check_chardev(s, errp)) {
        return false;
    }
    memory_region_init_io(&s->io, &serial_io_ops, s, "serial", 8);
    s->irq = isa_get_irq(s->irq_num);
    serial_realize_common(s, get_system_io(), s->iobase);
    return true;
}

static bool serial_mm_realize(DeviceState *dev, GError **errp)
{
    SerialState *s = DEVICE_CAST(SerialState, dev);
    uint64_t size;

    if (s->regshift > 3) {
        error_setg(errp, "serial-mm: regshift %u is not 0 to 3", s->regshift);
        return false;
    }
    size = 8ULL << s->regshift;
    if (s->mmio_addr & (size - 1) || s->mmio_addr + size < s->mmio_addr) {
        error_setg(errp, "serial-mm: addr 0x%" PRIx64 " is not a %" PRIu64 "-byte aligned "
                   "address", s->mmio_addr, size);
        return false;
    }
    if (!serial_check_chardev(s, errp)) {
        return false;
    }
    memory_region_init_io(&s->io, &serial_mm_ops, s, "serial-mm", size);
    serial_realize_common(s, get_system_memory(), s->mmio_addr);
    return true;
}

static void serial_finalize(DeviceState *dev)
{
    SerialState *s = DEVICE_CAST(SerialState, dev);

    if (s->fe_attached) {
        chardev_set_frontend(s->chr, NULL, s);
    }
    if (s->timeout_src) {
        g_source_destroy(s->timeout_src);
        g_source_unref(s->timeout_src);
    }
    if (s->io_parent) {
        memory_region_del_subregion(s->io_parent, &s->io);
        memory_region_finalize(&s->io);
    }
}

static int serial_post_load(void *opaque, int version_id)
{
    SerialState *s = opaque;

    if (s->rx_head >= UART_FIFO_SIZE || s->rx_count > serial_rx_capacity(s)) {
        return -EINVAL;
    }
    s->ier &= 0x0f;
    s->mcr &= UART_MCR_MASK;
    s->fcr &= UART_FCR_ENABLE | UART_FCR_DMA | UART_FCR_TRIGGER;
    s->irq_level = -1;
    if (!s->timeout_ipending) {
        serial_timeout_restart(s);
    }
    serial_update_irq(s);
    serial_accept_input(s);
    return 0;
}

static const VMStateField serial_vmstate_fields[] = {
    VMSTATE_UINT16(divisor, SerialState),
    VMSTATE_UINT8(ier, SerialState),
    VMSTATE_UINT8(fcr, SerialState),
    VMSTATE_UINT8(lcr, SerialState),
    VMSTATE_UINT8(mcr, SerialState),
    VMSTATE_UINT8(lsr, SerialState),
    VMSTATE_UINT8(msr, SerialState),
    VMSTATE_UINT8(scr, SerialState),
    VMSTATE_UINT8(rbr, SerialState),
    VMSTATE_BOOL(thr_ipending, SerialState),
    VMSTATE_BOOL(timeout_ipending, SerialState),
    VMSTATE_UINT8_ARRAY(rx_fifo, SerialState, UART_FIFO_SIZE),
    VMSTATE_UINT8_ARRAY(rx_break, SerialState, UART_FIFO_SIZE),
    VMSTATE_UINT8(rx_head, SerialState),
    VMSTATE_UINT8(rx_count, SerialState),
    VMSTATE_END_OF_LIST(),
};

static const VMStateDescription serial_vmstate = {
    .name = "serial",
    .version_id = 1,
    .minimum_version_id = 1,
    .fields = serial_vmstate_fields,
    .post_load = serial_post_load,
};

static const Property serial_properties[] = {
    DEFINE_PROP_UINT32("iobase", SerialState, iobase, SERIAL_COM1_IOBASE),
    DEFINE_PROP_UINT32("irq", SerialState, irq_num, SERIAL_COM1_IRQ),
    DEFINE_PROP_CHR("chardev", SerialState, chr),
    DEFINE_PROP_END_OF_LIST(),
};

static const TypeInfo serial_isa_info = {
    .name = TYPE_ISA_SERIAL,
    .parent = "device",
    .instance_size = sizeof(SerialState),
    .desc = "16550A UART on the ISA bus (PC COM port)",
    .user_creatable = true,
    .props = serial_properties,
    .realize = serial_realize,
    .reset = serial_reset,
    .finalize = serial_finalize,
    .vmsd = &serial_vmstate,
};

static const Property serial_mm_properties[] = {
    DEFINE_PROP_UINT64("addr", SerialState, mmio_addr, 0),
    DEFINE_PROP_UINT8("regshift", SerialState, regshift, 0),
    DEFINE_PROP_CHR("chardev", SerialState, chr),
    DEFINE_PROP_END_OF_LIST(),
};

/* Boards create it with their interrupt line (serial_mm_create), so -device cannot. */
static const TypeInfo serial_mm_info = {
    .name = TYPE_SERIAL_MM,
    .parent = "device",
    .instance_size = sizeof(SerialState),
    .desc = "16550A UART, memory-mapped (ns16550a)",
    .props = serial_mm_properties,
    .realize = serial_mm_realize,
    .reset = serial_reset,
    .finalize = serial_finalize,
    .vmsd = &serial_vmstate,
};

static void serial_register_types(void)
{
    type_register(&serial_isa_info);
    type_register(&serial_mm_info);
}
type_init(serial_register_types)

DeviceState *serial_isa_create(uint32_t iobase, uint32_t irq, Chardev *chr, GError **errp)
{
    DeviceState *dev = qdev_new(TYPE_ISA_SERIAL);

    qdev_prop_set_uint32(dev, "iobase", iobase);
    qdev_prop_set_uint32(dev, "irq", irq);
    qdev_prop_set_chr(dev, "chardev", chr);
    return qdev_realize(dev, errp) ? dev : NULL;
}

DeviceState *serial_mm_create(uint64_t addr, unsigned regshift, qemu_irq irq, Chardev *chr,
                              GError **errp)
{
    DeviceState *dev = qdev_new(TYPE_SERIAL_MM);

    qdev_prop_set_uint64(dev, "addr", addr);
    qdev_prop_set_uint32(dev, "regshift", regshift);
    qdev_prop_set_chr(dev, "chardev", chr);
    DEVICE_CAST(SerialState, dev)->irq = irq;
    return qdev_realize(dev, errp) ? dev : NULL;
}
