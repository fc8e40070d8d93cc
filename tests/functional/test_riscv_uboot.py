#!/usr/bin/env python3
# tests/functional/test_riscv_uboot.py: firmware-level guests on Kestrel's
# riscv64 "virt" board.
#
# - OpenSBI fw_dynamic (the board's default -bios, Debian's opensbi) prints its
#   banner with the platform, then Debian's U-Boot for S-mode (u-boot-qemu,
#   qemu-riscv64_smode/u-boot.bin as -kernel) reaches its "=>" prompt, answers
#   commands typed into the serial console (an echo of a variable, `version`)
#   and `poweroff` ends the process with status 0. TODO below can mark these
#   checks as expected failures ("# TODO reason") should that regress.
# - tests/guests/riscv64/traps.elf (-bios none): garbage instructions, a
#   nonexistent CSR, ebreak, ecall and jumps into MMIO (UART, CLINT) each raise
#   the architectural exception with the right mcause/mtval, caught by the
#   program's own handler; the emulator never stops on them. Kestrel must
#   answer a fetch from MMIO with an instruction access fault (QEMU 7.2 runs the
#   device's bytes as code instead, which the program also accepts).
#   TODO_MMIO can mark those two the same way.

import os
import re
import shutil
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from kestrel import Machine, Tap, binary, build_dir, run  # noqa: E402

# A reason string marks those checks "# TODO reason" (expected to fail); None: real checks.
TODO = None
TODO_MMIO = None
BIN = binary("riscv64")
QEMU = shutil.which("qemu-system-riscv64")
UBOOT = "/usr/lib/u-boot/qemu-riscv64_smode/u-boot.bin"
TRAPS = os.path.join(build_dir(), "tests", "guests", "riscv64", "traps.elf")
TIMEOUT = 120   # QEMU reaches the prompt in about 0.15 s

# (name printed by traps.elf, expected mcause, todo); "ok (executed device bytes)",
# QEMU's answer to a fetch from MMIO, does not pass here.
TRAP_CASES = [
    ("illegal all-zero word", 2, None),
    ("illegal 0xffffffff", 2, None),
    ("illegal custom-0 opcode", 2, None),
    ("nonexistent CSR 0x7ff", 2, None),
    ("ebreak", 3, None),
    ("ecall from M-mode", 11, None),
    ("jump into UART MMIO", 1, TODO_MMIO),
    ("jump into CLINT MMIO", 1, TODO_MMIO),
    ("load from unmapped address", 5, None),
    ("store to unmapped address", 7, None),
    ("jump to unmapped address", 1, None),
]


def test_uboot(tap):
    names = ["OpenSBI banner shows the platform", "U-Boot starts after OpenSBI",
             "U-Boot reaches its prompt", "U-Boot answers a typed echo command",
             "U-Boot answers 'version'", "U-Boot poweroff ends the process with status 0"]
    if not os.path.exists(UBOOT):
        for n in names:
            tap.skip(n, "%s is missing (Debian package u-boot-qemu)" % UBOOT)
        return
    m = Machine(["-M", "virt", "-smp", "2", "-m", "256M", "-nographic", "-kernel", UBOOT],
                timeout=TIMEOUT, binary=BIN)
    with m:
        banner = m.wait_for("Platform Name")
        # Stop the autoboot countdown (it would try disks and the network first).
        # Without the countdown there is no prompt either: no second long wait.
        hit = banner and m.wait_for("Hit any key to stop autoboot")
        if hit:
            m.write(" ")
        started = "U-Boot 20" in m.output
        prompt = hit and m.wait_for("=> ")
        echoed = versioned = False
        status = None
        if prompt:
            mark = m.mark()
            m.write("setenv k kestrel; echo ${k}-uboot-ok\n")
            echoed = m.wait_for("kestrel-uboot-ok", timeout=30, after=mark)
            mark = m.mark()
            m.write("version\n")
            versioned = m.wait_for("U-Boot 20", timeout=30, after=mark)
            m.write("poweroff\n")
            status = m.wait_exit(timeout=30)
        diag = m.transcript(25)
    platform = re.search(r"Platform Name\s*:\s*(\S.*)", m.output)
    tap.check(names[0], banner and platform is not None, diag, TODO)
    tap.check(names[1], started, diag, TODO)
    tap.check(names[2], prompt, diag, TODO)
    tap.check(names[3], echoed, diag, TODO)
    tap.check(names[4], versioned, diag, TODO)
    tap.check(names[5], status == 0, diag, TODO)


def test_traps(tap):
    if not os.path.exists(TRAPS):
        for case in TRAP_CASES:
            tap.skip("trap: " + case[0], "%s is not built (make guests; needs Debian's "
                     "gcc-riscv64-unknown-elf)" % TRAPS)
        tap.skip("traps.elf ends through the finisher with status 0", "not built")
        return
    if QEMU:
        status, out, err = run(["-M", "virt", "-bios", "none", "-nographic", "-kernel", TRAPS],
                               timeout=30, binary=QEMU)
        tap.check("reference: traps.elf passes on qemu-system-riscv64",
                  status == 0 and "traps ok" in out, "status %s\n%s%s" % (status, out, err))
    else:
        tap.skip("reference: traps.elf passes on qemu-system-riscv64",
                 "qemu-system-riscv64 is not installed (Debian package qemu-system-misc)")
    status, out, err = run(["-M", "virt", "-bios", "none", "-nographic", "-kernel", TRAPS],
                           timeout=60, binary=BIN)
    diag = "exit status %s\nstdout:\n%s\nstderr:\n%s" % (status, out, "\n".join(
        err.splitlines()[:5]))
    any_todo = False
    for name, cause, todo in TRAP_CASES:
        line = re.search(r"^trap %s: mcause (0x[0-9a-f]+) mtval (0x[0-9a-f]+) (.*)$" %
                         re.escape(name), out, re.M)
        ok = line is not None and line.group(3) == "ok" and int(line.group(1), 16) == cause
        passed = tap.check("trap: %s raises mcause %d" % (name, cause), ok,
                           line.group(0) if line else diag, todo)
        any_todo = any_todo or (todo and not passed)
    tap.check("traps.elf ends through the finisher with status 0 (no emulator stop)",
              status == 0 and "traps ok" in out, diag, TODO_MMIO if any_todo else None)


def main():
    tap = Tap()
    if not os.path.exists(BIN):
        print("1..0 # SKIP %s is not built (./configure --target-list=x86_64,riscv64)" % BIN)
        return 0
    test_traps(tap)
    test_uboot(tap)
    return tap.finish()


if __name__ == "__main__":
    sys.exit(main())
