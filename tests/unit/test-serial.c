/*
 * Unit tests of the 16550A UART: the guest side driven through
 * address_space_io, the host side through a test chardev backend that
 * records output and feeds input, and the interrupt line through an ISA IRQ
 * table installed by the test.
 */
#include "util/osdep.h"
#include "chardev/char-internal.h"
#include "exec/memory.h"
#include "hw/char/serial.h"
#include "hw/isa.h"

#define BASE 0x3f8
#define RBR (BASE + 0)
#define THR (BASE + 0)
#define DLL (BASE + 0)
#define IER (BASE + 1)
#define DLM (BASE + 1)
#define IIR (BASE + 2)
#define FCR (BASE + 2)
#define LCR (BASE + 3)
#define MCR (BASE + 4)
#define LSR (BASE + 5)
#define MSR (BASE + 6)
#define SCR (BASE + 7)

/* The test backend: output collected, input fed by the test. */
typedef struct PeerChardev {
    Chardev parent;
    GByteArray *out;
    int accept_calls;
} PeerChardev;

static bool peer_open(Chardev *chr, GError **errp)
{
    PeerChardev *p = container_of(chr, PeerChardev, parent);

    p->out = g_byte_array_new();
    chr->be_open = true;
    return true;
}

static int peer_write(Chardev *chr, const uint8_t *buf, int len)
{
    PeerChardev *p = container_of(chr, PeerChardev, parent);

    g_byte_array_append(p->out, buf, len);
    return len;
}

static void peer_accept_input(Chardev *chr)
{
    PeerChardev *p = container_of(chr, PeerChardev, parent);

    p->accept_calls++;
}

static void peer_finalize(Chardev *chr)
{
    PeerChardev *p = container_of(chr, PeerChardev, parent);

    if (p->out) {
        g_byte_array_free(p->out, TRUE);
    }
}

static const ChardevBackend peer_backend = {
    .name = "testpeer",
    .instance_size = sizeof(PeerChardev),
    .open = peer_open,
    .write = peer_write,
    .accept_input = peer_accept_input,
    .finalize = peer_finalize,
};

static int irq_levels[ISA_NUM_IRQS];

static void test_irq_handler(void *opaque, int n, int level)
{
    irq_levels[n] = level;
}

typedef struct Fixture {
    Chardev *chr;
    PeerChardev *peer;
    DeviceState *dev;
} Fixture;

static void fixture_setup(Fixture *f)
{
    GError *err = NULL;

    f->chr = chardev_new_from_opts("testpeer,id=peer", &err);
    g_assert_no_error(err);
    f->peer = container_of(f->chr, PeerChardev, parent);
    f->dev = serial_isa_create(BASE, 4, f->chr, &err);
    g_assert_no_error(err);
    g_assert_nonnull(f->dev);
}

static void fixture_teardown(Fixture *f)
{
    uint8_t v;

    qdev_destroy(f->dev);
    g_assert_false(chardev_has_frontend(f->chr));
    chardev_destroy(f->chr);
    /* Nothing may stay mapped behind the device. */
    g_assert_cmpint(address_space_read(&address_space_io, BASE, &v, 1), ==,
                    MEMTX_DECODE_ERROR);
}

static uint8_t inb(uint16_t port)
{
    uint8_t v;

    g_assert_cmpint(address_space_read(&address_space_io, port, &v, 1), ==, MEMTX_OK);
    return v;
}

static void outb(uint16_t port, uint8_t v)
{
    g_assert_cmpint(address_space_write(&address_space_io, port, &v, 1), ==, MEMTX_OK);
}

static int can_read(Fixture *f)
{
    return chardev_be_can_read(f->chr);
}

static void receive(Fixture *f, const char *s)
{
    g_assert_cmpint(can_read(f), >=, (int)strlen(s));
    chardev_be_read(f->chr, (const uint8_t *)s, strlen(s));
}

static int irq(void)
{
    return irq_levels[4];
}

static void test_reset_values(void)
{
    Fixture f;

    fixture_setup(&f);
    g_assert_cmphex(inb(IER), ==, 0x00);
    g_assert_cmphex(inb(IIR), ==, 0x01);
    g_assert_cmphex(inb(LCR), ==, 0x00);
    g_assert_cmphex(inb(MCR), ==, 0x00);
    g_assert_cmphex(inb(LSR), ==, 0x60);
    /* A peer is always there: CTS, DSR and DCD, no deltas. */
    g_assert_cmphex(inb(MSR), ==, 0xb0);
    outb(SCR, 0x5a);
    g_assert_cmphex(inb(SCR), ==, 0x5a);
    g_assert_cmpint(irq(), ==, 0);

    /* Device reset: back to the data sheet values, scratch kept. */
    outb(IER, 0x0f);
    outb(LCR, 0x1b);
    outb(MCR, 0x1f);
    outb(FCR, 0x01);
    f.dev->type->reset(f.dev);
    g_assert_cmphex(inb(IER), ==, 0x00);
    g_assert_cmphex(inb(IIR), ==, 0x01);
    g_assert_cmphex(inb(LCR), ==, 0x00);
    g_assert_cmphex(inb(MCR), ==, 0x00);
    g_assert_cmphex(inb(MSR), ==, 0xb0);
    g_assert_cmphex(inb(SCR), ==, 0x5a);
    g_assert_cmpint(irq(), ==, 0);
    fixture_teardown(&f);
}

static void test_dlab(void)
{
    Fixture f;

    fixture_setup(&f);
    outb(IER, 0x05);
    outb(LCR, 0x83);
    outb(DLL, 0x01);
    outb(DLM, 0x02);
    g_assert_cmphex(inb(DLL), ==, 0x01);
    g_assert_cmphex(inb(DLM), ==, 0x02);
    g_assert_cmpint(f.peer->out->len, ==, 0);
    outb(LCR, 0x03);
    g_assert_cmphex(inb(IER), ==, 0x05);
    g_assert_cmphex(inb(LCR), ==, 0x03);
    outb(THR, 'x');
    g_assert_cmpint(f.peer->out->len, ==, 1);
    outb(LCR, 0x83);
    g_assert_cmphex(inb(DLL), ==, 0x01);
    g_assert_cmphex(inb(DLM), ==, 0x02);
    fixture_teardown(&f);
}

static void test_transmit(void)
{
    Fixture f;

    fixture_setup(&f);
    for (const char *p = "hello\r\n"; *p; p++) {
        g_assert_cmphex(inb(LSR) & 0x60, ==, 0x60);
        outb(THR, *p);
    }
    g_assert_cmpmem(f.peer->out->data, f.peer->out->len, "hello\r\n", 7);
    g_assert_cmphex(inb(LSR), ==, 0x60);
    fixture_teardown(&f);
}

static void test_receive_16450(void)
{
    Fixture f;
    int accepts;

    fixture_setup(&f);
    g_assert_cmpint(can_read(&f), ==, 1);
    receive(&f, "a");
    g_assert_cmpint(can_read(&f), ==, 0);
    g_assert_cmphex(inb(LSR), ==, 0x61);
    g_assert_cmpint(irq(), ==, 0);
    outb(IER, 0x01);
    g_assert_cmpint(irq(), ==, 1);
    g_assert_cmphex(inb(IIR), ==, 0x04);
    accepts = f.peer->accept_calls;
    g_assert_cmphex(inb(RBR), ==, 'a');
    g_assert_cmpint(f.peer->accept_calls, >, accepts);
    g_assert_cmpint(irq(), ==, 0);
    g_assert_cmphex(inb(IIR), ==, 0x01);
    g_assert_cmphex(inb(LSR), ==, 0x60);
    g_assert_cmpint(can_read(&f), ==, 1);
    /* An empty RBR keeps reading as the last byte. */
    g_assert_cmphex(inb(RBR), ==, 'a');
    fixture_teardown(&f);
}

static void test_fifo_triggers(void)
{
    static const struct {
        uint8_t fcr;
        int level;
    } triggers[] = { { 0x01, 1 }, { 0x41, 4 }, { 0x81, 8 }, { 0xc1, 14 } };
    Fixture f;

    fixture_setup(&f);
    outb(IER, 0x01);
    for (size_t i = 0; i < ARRAY_SIZE(triggers); i++) {
        outb(FCR, triggers[i].fcr | 0x06);
        g_assert_cmphex(inb(IIR), ==, 0xc1);
        g_assert_cmpint(can_read(&f), ==, 16);
        for (int n = 1; n <= triggers[i].level; n++) {
            receive(&f, "x");
            g_assert_cmpint(irq(), ==, n == triggers[i].level);
        }
        g_assert_cmphex(inb(IIR), ==, 0xc4);
        g_assert_cmpint(can_read(&f), ==, 16 - triggers[i].level);
        inb(RBR);
        g_assert_cmpint(irq(), ==, 0);
        /* FCR bit 1 empties the RX FIFO. */
        outb(FCR, triggers[i].fcr | 0x02);
        g_assert_cmphex(inb(LSR), ==, 0x60);
    }

    /* Sixteen bytes fill it; the order is kept. */
    receive(&f, "0123456789abcdef");
    g_assert_cmpint(can_read(&f), ==, 0);
    for (const char *p = "0123456789abcdef"; *p; p++) {
        g_assert_cmphex(inb(LSR) & 0x01, ==, 0x01);
        g_assert_cmphex(inb(RBR), ==, *p);
    }
    g_assert_cmphex(inb(LSR), ==, 0x60);

    /* Leaving FIFO mode empties the FIFO and goes back to one byte. */
    receive(&f, "zz");
    outb(FCR, 0x00);
    g_assert_cmphex(inb(IIR), ==, 0x01);
    g_assert_cmphex(inb(LSR), ==, 0x60);
    g_assert_cmpint(can_read(&f), ==, 1);
    fixture_teardown(&f);
}

/* Runs the main loop until the IRQ line is LEVEL, for at most 5 s. */
static void wait_irq(int level)
{
    gint64 deadline = g_get_monotonic_time() + 5 * G_USEC_PER_SEC;

    while (irq() != level) {
        g_assert_cmpint(g_get_monotonic_time(), <, deadline);
        g_main_context_iteration(NULL, FALSE);
        g_usleep(100);
    }
}

static void test_char_timeout(void)
{
    Fixture f;

    fixture_setup(&f);
    /* 115200 baud, 8N1: four characters take about 350 us. */
    outb(LCR, 0x83);
    outb(DLL, 1);
    outb(DLM, 0);
    outb(LCR, 0x03);
    outb(FCR, 0xc1);
    outb(IER, 0x01);
    receive(&f, "ab");
    g_assert_cmpint(irq(), ==, 0);
    wait_irq(1);
    g_assert_cmphex(inb(IIR), ==, 0xcc);
    g_assert_cmphex(inb(RBR), ==, 'a');
    /* Reading clears the timeout and restarts it: one byte is still there. */
    g_assert_cmphex(inb(IIR), ==, 0xc1);
    g_assert_cmpint(irq(), ==, 0);
    wait_irq(1);
    g_assert_cmphex(inb(IIR), ==, 0xcc);
    g_assert_cmphex(inb(RBR), ==, 'b');
    g_assert_cmpint(irq(), ==, 0);
    /* An empty FIFO times out no more. */
    for (int i = 0; i < 20; i++) {
        g_main_context_iteration(NULL, FALSE);
        g_usleep(200);
    }
    g_assert_cmpint(irq(), ==, 0);

    /* 16450 mode has no timeout. */
    outb(FCR, 0x00);
    receive(&f, "c");
    g_assert_cmphex(inb(IIR), ==, 0x04);
    fixture_teardown(&f);
}

static void test_thre_interrupt(void)
{
    Fixture f;

    fixture_setup(&f);
    /* Enabling THRI with the transmitter empty raises it at once. */
    outb(IER, 0x02);
    g_assert_cmpint(irq(), ==, 1);
    g_assert_cmphex(inb(IIR), ==, 0x02);
    /* Reading IIR acknowledged it. */
    g_assert_cmpint(irq(), ==, 0);
    g_assert_cmphex(inb(IIR), ==, 0x01);
    /* Each byte sent empties THR again. */
    outb(THR, 'x');
    g_assert_cmpint(irq(), ==, 1);
    outb(IER, 0x00);
    g_assert_cmpint(irq(), ==, 0);
    /* Re-enabling while idle raises it again (Linux's UART_BUG_THRE probe). */
    outb(IER, 0x02);
    g_assert_cmpint(irq(), ==, 1);
    g_assert_cmphex(inb(IIR), ==, 0x02);
    outb(IER, 0x00);
    outb(IER, 0x02);
    g_assert_cmphex(inb(IIR), ==, 0x02);
    fixture_teardown(&f);
}

static void test_loopback(void)
{
    Fixture f;

    fixture_setup(&f);
    /* Linux's probe: RTS and OUT2 come back as CTS and DCD. */
    outb(MCR, 0x1a);
    g_assert_cmphex(inb(MSR) & 0xf0, ==, 0x90);
    outb(MCR, 0x1f);
    g_assert_cmphex(inb(MSR), ==, 0xf0 | 0x02);   /* DSR rose: DDSR */
    g_assert_cmphex(inb(MSR), ==, 0xf0);          /* deltas cleared by the read */
    outb(MCR, 0x1b);                               /* OUT1 off: RI trailing edge */
    g_assert_cmphex(inb(MSR), ==, 0xb4);

    /* Bytes sent come back; the peer sees nothing and may not send. */
    g_assert_cmpint(can_read(&f), ==, 0);
    outb(THR, 'L');
    g_assert_cmpint(f.peer->out->len, ==, 0);
    g_assert_cmphex(inb(LSR), ==, 0x61);
    g_assert_cmphex(inb(RBR), ==, 'L');
    /* 16450 mode: a second byte before the first is read overruns. */
    outb(THR, '1');
    outb(THR, '2');
    g_assert_cmphex(inb(LSR), ==, 0x63);
    g_assert_cmphex(inb(LSR), ==, 0x61);        /* OE cleared by reading LSR */
    g_assert_cmphex(inb(RBR), ==, '2');
    /* FIFO mode: the seventeenth byte is the one lost. */
    outb(FCR, 0x07);
    for (int i = 0; i < 17; i++) {
        outb(THR, 'A' + i);
    }
    g_assert_cmphex(inb(LSR), ==, 0x63);
    for (int i = 0; i < 16; i++) {
        g_assert_cmphex(inb(RBR), ==, 'A' + i);
    }
    g_assert_cmphex(inb(LSR), ==, 0x60);

    /* Leaving loopback: the lines are the peer's again, input flows. */
    outb(MCR, 0x0b);
    g_assert_cmphex(inb(MSR), ==, 0xb0);
    g_assert_cmpint(can_read(&f), ==, 16);
    outb(THR, 'o');
    g_assert_cmpint(f.peer->out->len, ==, 1);
    fixture_teardown(&f);
}

static void test_interrupt_priorities(void)
{
    Fixture f;

    fixture_setup(&f);
    outb(FCR, 0x07);
    /* Overrun (line status) + data + modem status via loopback. */
    outb(MCR, 0x10);
    for (int i = 0; i < 17; i++) {
        outb(THR, 'a');
    }
    outb(MCR, 0x00);     /* modem lines change back: deltas pending */
    outb(IER, 0x0f);     /* THRI newly enabled: THRE pending */
    g_assert_cmpint(irq(), ==, 1);
    g_assert_cmphex(inb(IIR), ==, 0xc6);
    g_assert_cmphex(inb(LSR) & 0x02, ==, 0x02);
    g_assert_cmphex(inb(IIR), ==, 0xc4);
    for (int i = 0; i < 16; i++) {
        inb(RBR);
    }
    g_assert_cmphex(inb(IIR), ==, 0xc2);    /* reading it acknowledges THRE */
    g_assert_cmphex(inb(IIR), ==, 0xc0);    /* modem status */
    g_assert_cmpint(irq(), ==, 1);
    g_assert_cmphex(inb(MSR) & 0x0f, !=, 0);
    g_assert_cmphex(inb(IIR), ==, 0xc1);
    g_assert_cmpint(irq(), ==, 0);

    /* Masked sources do not show. */
    outb(IER, 0x00);
    receive(&f, "q");
    g_assert_cmphex(inb(IIR), ==, 0xc1);
    g_assert_cmpint(irq(), ==, 0);
    fixture_teardown(&f);
}

static void test_break(void)
{
    Fixture f;

    fixture_setup(&f);
    outb(IER, 0x05);
    chardev_be_event(f.chr, CHR_EVENT_BREAK);
    g_assert_cmpint(irq(), ==, 1);
    g_assert_cmphex(inb(IIR), ==, 0x06);
    g_assert_cmphex(inb(LSR), ==, 0x71);     /* BI with its zero byte */
    g_assert_cmphex(inb(IIR), ==, 0x04);
    g_assert_cmphex(inb(RBR), ==, 0x00);
    g_assert_cmpint(irq(), ==, 0);

    /* FIFO mode: BI shows when the break's byte reaches the top. */
    outb(FCR, 0x01);
    receive(&f, "ab");
    chardev_be_event(f.chr, CHR_EVENT_BREAK);
    g_assert_cmphex(inb(LSR), ==, 0xe1);     /* error in FIFO, no BI yet */
    g_assert_cmphex(inb(RBR), ==, 'a');
    g_assert_cmphex(inb(LSR), ==, 0xe1);
    g_assert_cmphex(inb(RBR), ==, 'b');
    g_assert_cmphex(inb(IIR), ==, 0xc6);
    g_assert_cmphex(inb(LSR), ==, 0xf1);
    g_assert_cmphex(inb(RBR), ==, 0x00);
    g_assert_cmphex(inb(LSR), ==, 0x60);
    fixture_teardown(&f);
}

static void test_vmstate(void)
{
    const VMStateDescription *vmsd;
    g_autoptr(GByteArray) saved = g_byte_array_new();
    g_autoptr(GByteArray) bad = NULL;
    GError *err = NULL;
    size_t consumed;
    Fixture f;

    fixture_setup(&f);
    vmsd = type_get_vmsd(f.dev->type);
    g_assert_nonnull(vmsd);
    outb(FCR, 0x41);
    outb(LCR, 0x03);
    outb(SCR, 0x77);
    receive(&f, "xyz");
    vmstate_save(vmsd, f.dev, saved);

    f.dev->type->reset(f.dev);
    outb(IER, 0x01);
    g_assert_true(vmstate_load(vmsd, f.dev, saved->data, saved->len, &consumed, &err));
    g_assert_no_error(err);
    g_assert_cmpuint(consumed, ==, saved->len);
    g_assert_cmphex(inb(SCR), ==, 0x77);
    g_assert_cmphex(inb(LCR), ==, 0x03);
    g_assert_cmphex(inb(IER), ==, 0x00);
    g_assert_cmpint(irq(), ==, 0);
    g_assert_cmphex(inb(RBR), ==, 'x');
    g_assert_cmphex(inb(RBR), ==, 'y');
    g_assert_cmphex(inb(RBR), ==, 'z');

    /* A stream claiming more bytes than the FIFO holds is refused. */
    bad = g_byte_array_new();
    g_byte_array_append(bad, saved->data, saved->len);
    bad->data[bad->len - 1] = 17;
    g_assert_false(vmstate_load(vmsd, f.dev, bad->data, bad->len, &consumed, &err));
    g_assert_nonnull(err);
    g_clear_error(&err);
    fixture_teardown(&f);
}

static void test_create_errors(void)
{
    GError *err = NULL;
    Fixture f;

    g_assert_null(serial_isa_create(BASE, 16, NULL, &err));
    g_assert_nonnull(strstr(err->message, "irq"));
    g_clear_error(&err);
    g_assert_null(serial_isa_create(0xfffc, 4, NULL, &err));
    g_assert_nonnull(strstr(err->message, "iobase"));
    g_clear_error(&err);

    fixture_setup(&f);
    g_assert_null(serial_isa_create(0x2f8, 3, f.chr, &err));
    g_assert_nonnull(strstr(err->message, "in use"));
    g_clear_error(&err);
    fixture_teardown(&f);
}

/* -device path, without a chardev: output goes nowhere, no input. */
static void test_device_add(void)
{
    GError *err = NULL;
    DeviceState *dev = qdev_device_add("isa-serial,iobase=0x2f8,irq=3", &err);

    g_assert_no_error(err);
    g_assert_nonnull(dev);
    outb(0x2f8 + 1, 0x02);
    g_assert_cmpint(irq_levels[3], ==, 1);
    outb(0x2f8, 'x');
    g_assert_cmphex(inb(0x2f8 + 2), ==, 0x02);
    g_assert_cmpint(irq_levels[3], ==, 0);
    qdev_destroy(dev);
}

int main(int argc, char **argv)
{
    qemu_irq irqs[ISA_NUM_IRQS];
    int ret;

    g_test_init(&argc, &argv, NULL);
    memory_system_init();
    for (int i = 0; i < ISA_NUM_IRQS; i++) {
        irqs[i] = irq_new(test_irq_handler, NULL, i);
    }
    isa_bus_set_irqs(irqs);
    chardev_backend_register(&peer_backend);

    g_test_add_func("/serial/reset-values", test_reset_values);
    g_test_add_func("/serial/dlab", test_dlab);
    g_test_add_func("/serial/transmit", test_transmit);
    g_test_add_func("/serial/receive-16450", test_receive_16450);
    g_test_add_func("/serial/fifo-triggers", test_fifo_triggers);
    g_test_add_func("/serial/char-timeout", test_char_timeout);
    g_test_add_func("/serial/thre-interrupt", test_thre_interrupt);
    g_test_add_func("/serial/loopback", test_loopback);
    g_test_add_func("/serial/interrupt-priorities", test_interrupt_priorities);
    g_test_add_func("/serial/break", test_break);
    g_test_add_func("/serial/vmstate", test_vmstate);
    g_test_add_func("/serial/create-errors", test_create_errors);
    g_test_add_func("/serial/device-add", test_device_add);
    ret = g_test_run();

    isa_bus_set_irqs(NULL);
    for (int i = 0; i < ISA_NUM_IRQS; i++) {
        irq_free(irqs[i]);
    }
    return ret;
}
