#!/usr/bin/env python3
# tests/functional/test_kvm_guests.py: boots the small x86 test guests of
# tests/guests/x86 (built by `make guests`) on kestrel-system-x86_64 -M microvm
# under KVM and checks what each prints on COM1 and how the process ends:
# the boot modes (hello), port and MMIO dispatch (pio-mmio, kestrel-testdev),
# a UART interrupt through the IOAPIC (serial-irq), INIT/SIPI bring-up of
# -smp 4 (smp), resets and -no-reboot (reset), isa-debug-exit (firstinsn,
# calibrate), the interactive echo guest (demo) and the two direct kernel
# boots: PVH (pvh-hello.elf) and bzImage 64-bit entry (bzimage-hello.bin).
# The LAPIC timer and RTC guest (apic-timer) runs with both irqchips, and the
# interrupt guests run again with -M microvm,kernel-irqchip=off: Kestrel's own
# 8259s, IOAPIC, LAPICs, PIT and RTC, injected by the vCPU loop.
# Prints TAP; every test is skipped when /dev/kvm cannot be used.

import os
import re
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import kestrel  # noqa: E402
from kestrel import Machine, Tap, guest_path  # noqa: E402

TIMEOUT = 60        # seconds per guest: kernel-mode code is slow on kvm-pvm
BASE_ARGS = ["-M", "microvm", "-m", "64M", "-nographic", "-accel", "kvm"]

tap = Tap()


class Guest:
    """One run of a test guest: NAME (the TAP name), FILE (in the guests
    build dir), how it is loaded (-bios or -kernel) and extra arguments."""

    def __init__(self, name, file, extra=(), kernel=False):
        self.name = name
        self.file = file
        self.path = guest_path(file)
        self.args = BASE_ARGS + (["-kernel", self.path] if kernel else ["-bios", self.path])
        self.args += list(extra)
        self.machine = None
        self.problems = []
        self.start_time = None

    def built(self):
        if os.path.exists(self.path):
            return True
        tap.skip(self.name, "%s is not built (make guests)" % self.path)
        return False

    def __enter__(self):
        self.machine = Machine(self.args, timeout=TIMEOUT)
        self.start_time = time.monotonic()
        self.machine.start()
        return self

    def __exit__(self, *exc):
        self.machine.kill()
        return False

    def remaining(self):
        return max(1.0, TIMEOUT - (time.monotonic() - self.start_time))

    def expect(self, *texts, after=0):
        """Each text must appear on the console (in this order of waiting)."""
        for text in texts:
            if not self.machine.wait_for(text, timeout=self.remaining(), after=after):
                self.problems.append("never printed %r" % text)
                return False
        return True

    def expect_exit(self, status):
        got = self.machine.wait_exit(timeout=self.remaining())
        if got is None:
            self.problems.append("still running after %d s, expected exit status %d"
                                 % (TIMEOUT, status))
        elif got != status:
            self.problems.append("exit status %d, expected %d" % (got, status))
        return got

    def refuse(self, *texts):
        """None of TEXTS may appear on the console."""
        out = self.machine.output
        for text in texts:
            if text in out:
                self.problems.append("printed %r" % text)

    def report(self, name=None):
        diag = "\n".join(self.problems + [self.machine.transcript()])
        ok = tap.check(name or self.name, not self.problems, diag)
        self.problems = []
        return ok


def simple(name, file, lines, status=0, extra=(), kernel=False, refuse=("FAIL",)):
    """Runs FILE; LINES must appear, REFUSE must not, then exit with STATUS."""
    g = Guest(name, file, extra, kernel)
    if not g.built():
        return
    with g:
        g.expect(*lines)
        g.expect_exit(status)
        g.refuse(*refuse)
        g.report()


def test_hello():
    simple("hello: real, protected and long mode, ACPI poweroff", "hello.bin",
           ["kestrel-guest: real mode ok", "kestrel-guest: protected mode ok",
            "kestrel-guest: long mode ok"])


def test_pio_mmio():
    simple("pio-mmio: kestrel-testdev ports and MMIO at sizes 1/2/4(/8), unmapped MMIO",
           "pio-mmio.bin", ["pio ok", "mmio ok", "unmapped ok"],
           extra=["-device", "kestrel-testdev"])


def test_serial_irq():
    simple("serial-irq: UART THRE interrupt through IOAPIC pin 4 and the LAPIC",
           "serial-irq.bin", ["serial irq ok"])


def test_pit_irq():
    simple("pit-irq: the in-kernel PIT's IRQ 0 arrives on IOAPIC pin 2 (MADT override)",
           "pit-irq.bin", ["pit irq on ioapic pin 2 ok"])


def test_smp():
    simple("smp: INIT/SIPI bring up all 4 vCPUs", "smp.bin", ["smp: 4 cpus up"],
           extra=["-smp", "4"])


def test_reset():
    simple("reset: i8042 reset and triple fault reboot, RAM survives", "reset.bin",
           ["boot 1", "boot 2", "boot 3"], refuse=("boot 4",))
    simple("reset: -no-reboot ends the process at the first reset", "reset.bin",
           ["boot 1"], extra=["-no-reboot"], refuse=("boot 2",))


def test_debug_exit():
    simple("firstinsn: the first instruction at the reset vector exits via isa-debug-exit",
           "firstinsn.bin", [], status=1, extra=["-device", "isa-debug-exit"])
    g = Guest("calibrate: 200000-iteration real-mode loop, then isa-debug-exit",
              "calibrate.bin", ["-device", "isa-debug-exit"])
    if g.built():
        with g:
            g.expect_exit(1)
            elapsed = time.monotonic() - g.start_time
            if g.report():
                tap.diag("calibrate took %.2f s (process start to exit)" % elapsed)


def test_demo():
    g = Guest("demo: banner, then echoes input with CR -> CR LF", "demo.bin")
    if not g.built():
        return
    with g:
        m = g.machine
        if g.expect("Kestrel demo guest: type and it echoes; Ctrl-a x quits"):
            mark = m.mark()
            m.write(b"kestrel 123\r")
            g.expect("kestrel 123\r\n", after=mark)
        g.refuse("FAIL")
        if not g.report():
            return
        m.write(b"\x01x")
        status = m.wait_exit(timeout=10)
        tap.check("demo: Ctrl-a x quits", status is not None,
                  "still running 10 s after Ctrl-a x\n" + m.transcript())


def test_pvh():
    simple("pvh: -kernel ELF with a PHYS32_ENTRY note, hvm_start_info and cmdline",
           "pvh-hello.elf", ["pvh: magic ok", "pvh: cmdline: hello pvh"],
           extra=["-append", "hello pvh"], kernel=True)


def test_bzimage():
    g = Guest("bzimage: 64-bit boot protocol entry, cmdline and e820 in boot_params",
              "bzimage-hello.bin", ["-append", "hello bzimage"], kernel=True)
    if not g.built():
        return
    with g:
        g.expect("bzimage: 64-bit entry ok", "bzimage: cmdline: hello bzimage",
                 "bzimage: e820 entries: ")
        g.expect_exit(0)
        out = g.machine.output
        n = re.search(r"bzimage: e820 entries: (\d+)", out)
        if n and int(n.group(1)) < 1:
            g.problems.append("boot_params.e820_entries is 0")
        # The image has all three entries; the loader must use the 64-bit one.
        for other in ("real-mode entry ok", "32-bit entry ok"):
            if other in out:
                g.problems.append("the loader entered through the %s, not the 64-bit entry"
                                  % other.replace(" ok", ""))
        g.refuse("FAIL")
        g.report()


USER_IRQCHIP = ["-M", "microvm,kernel-irqchip=off"]


def test_apic_timer():
    lines = ["lapic oneshot ok", "rtc periodic ok", "lapic periodic ok"]
    simple("apic-timer: LAPIC timer one-shot and periodic, RTC periodic IRQ 8",
           "apic-timer.bin", lines)
    simple("apic-timer (kernel-irqchip=off): user-space LAPIC timer and RTC",
           "apic-timer.bin", lines, extra=USER_IRQCHIP)


def test_user_irqchip():
    off = " (kernel-irqchip=off)"
    simple("serial-irq" + off + ": UART interrupt through the user-space IOAPIC and LAPIC",
           "serial-irq.bin", ["serial irq ok"], extra=USER_IRQCHIP)
    simple("pit-irq" + off + ": user-space 8254 IRQ 0 on IOAPIC pin 2",
           "pit-irq.bin", ["pit irq on ioapic pin 2 ok"], extra=USER_IRQCHIP)
    simple("smp" + off + ": INIT/SIPI from the user-space LAPIC bring up 4 vCPUs", "smp.bin",
           ["smp: 4 cpus up"], extra=["-smp", "4"] + USER_IRQCHIP)
    g = Guest("counter" + off + ": LAPIC periodic timer wakes the halted vCPU", "counter.bin",
              USER_IRQCHIP)
    if g.built():
        with g:
            g.expect("counter: boot", "count 3")
            g.refuse("FAIL")
            g.report()
    g = Guest("demo" + off + ": echo through the user-space IOAPIC", "demo.bin", USER_IRQCHIP)
    if g.built():
        with g:
            if g.expect("Kestrel demo guest: type and it echoes; Ctrl-a x quits"):
                mark = g.machine.mark()
                g.machine.write(b"kestrel 456\r")
                g.expect("kestrel 456\r\n", after=mark)
            g.refuse("FAIL")
            g.report()


def main():
    usable, why = kestrel.kvm_usable()
    tests = [test_hello, test_pio_mmio, test_serial_irq, test_pit_irq, test_smp, test_reset,
             test_debug_exit, test_demo, test_pvh, test_bzimage, test_apic_timer,
             test_user_irqchip]
    if not usable:
        tap.skip("KVM test guests", why)
        return tap.finish()
    exe = kestrel.binary()
    if not os.access(exe, os.X_OK):
        tap.fail("kestrel binary is built", "%s does not exist or is not executable "
                 "(run make)" % exe)
        return tap.finish()
    for t in tests:
        t()
    return tap.finish()


if __name__ == "__main__":
    sys.exit(main())
