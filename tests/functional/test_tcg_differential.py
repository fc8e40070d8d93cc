#!/usr/bin/env python3
# tests/functional/test_tcg_differential.py: random riscv64 programs, compared.
#
# Seeded random programs from tests/tcg/riscv64/randgen.py (RV64IMAFDC, Zba,
# Zbb, Zbs; forward branches only; memory confined to a scratch window; FP in
# every rounding mode), assembled with Debian's riscv64-unknown-elf-gcc, run on
# both TCG back ends (backend=x86_64, the JIT, and backend=interp, the IR
# interpreter): the dumps of x1-x31, f0-f31, fcsr and the scratch window's
# checksum must be identical and the program must end without a trap. With
# Debian's qemu-system-riscv64 installed, every other program is also run on
# QEMU (-M virt -bios none): the dumps must match it too (these programs leave
# out RMM in fused multiply-adds, a documented gap, and ctzw, which QEMU 7.2
# gets wrong: see randgen.py).
#
# Runs programs for a bounded time: KESTREL_DIFF_SECONDS (default 20). The
# first seed is printed; KESTREL_DIFF_SEED=N starts from N (reproducible),
# KESTREL_DIFF_COUNT=N runs exactly N programs whatever the time. A failing
# program is kept as diff-SEED.S in KESTREL_DIFF_KEEP (a directory) if set.

import os
import random
import shutil
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from kestrel import REPO_ROOT, Tap, binary, run  # noqa: E402

SRC = os.path.join(REPO_ROOT, "tests", "tcg", "riscv64")
sys.path.insert(0, SRC)
import randgen  # noqa: E402

BIN = binary("riscv64")
CC = os.environ.get("RISCV64_CROSS_CC", "riscv64-unknown-elf-gcc")
QEMU = shutil.which("qemu-system-riscv64")
CFLAGS = ["-march=rv64gc_zba_zbb_zbs", "-mabi=lp64d", "-mcmodel=medany", "-nostdlib",
          "-nostartfiles", "-static", "-T", os.path.join(SRC, "link.ld"),
          "-Wl,--no-warn-rwx-segments"]


def build(seed, with_qemu, tmpdir):
    """(path of the ELF, path of its source) for SEED."""
    src = os.path.join(tmpdir, "diff-%d.S" % seed)
    elf = src[:-2] + ".elf"
    gen = randgen.Gen(seed, fp=seed % 4 != 3, for_qemu=with_qemu)
    with open(src, "w") as f:
        f.write(gen.program(300))
    subprocess.run([CC] + CFLAGS + ["-o", elf, src], check=True, capture_output=True)
    return elf, src


def kestrel(elf, backend):
    return run(["-M", "virt", "-bios", "none", "-nographic", "-serial", "stdio",
                "-accel", "tcg,backend=" + backend, "-kernel", elf], timeout=30, binary=BIN)


def differences(a, b, names=("a", "b")):
    """The dump lines that differ, named, or the raw outputs if malformed."""
    la, lb = a.split(), b.split()
    if len(la) != len(randgen.DUMP_NAMES) or len(lb) != len(randgen.DUMP_NAMES):
        return "%s:\n%s\n%s:\n%s" % (names[0], a, names[1], b)
    return "\n".join("  %-6s %s: %s  %s: %s" % (n, names[0], x, names[1], y)
                     for n, x, y in zip(randgen.DUMP_NAMES, la, lb) if x != y)


def main():
    tap = Tap()
    if not os.path.exists(BIN):
        print("1..0 # SKIP %s is not built" % BIN)
        return 0
    if not shutil.which(CC):
        print("1..0 # SKIP %s is not installed (Debian gcc-riscv64-unknown-elf)" % CC)
        return 0
    budget = float(os.environ.get("KESTREL_DIFF_SECONDS", "20"))
    count = int(os.environ.get("KESTREL_DIFF_COUNT", "0"))
    first = int(os.environ.get("KESTREL_DIFF_SEED", random.randrange(1, 1 << 31)))
    keep = os.environ.get("KESTREL_DIFF_KEEP")
    print("# first seed %d (rerun: KESTREL_DIFF_SEED=%d)" % (first, first))
    start = time.monotonic()
    ran = failed = qemu_ran = 0
    with tempfile.TemporaryDirectory(prefix="kestrel-diff-") as tmpdir:
        seed = first
        while (ran < count) if count else (time.monotonic() - start < budget or ran == 0):
            with_qemu = QEMU is not None and seed % 2 == 0
            elf, src = build(seed, with_qemu, tmpdir)
            outs = {be: kestrel(elf, be) for be in ("x86_64", "interp")}
            problems = []
            for be, (status, out, err) in outs.items():
                if status != 0 or out.startswith("T"):
                    problems.append("backend=%s: exit status %s\n%s%s" % (be, status, out, err))
            if outs["x86_64"][1] != outs["interp"][1]:
                problems.append("JIT and interpreter differ:\n" + differences(
                    outs["x86_64"][1], outs["interp"][1], ("x86_64", "interp")))
            if with_qemu:
                qemu_ran += 1
                status, out, err = run(["-M", "virt", "-bios", "none", "-nographic",
                                        "-kernel", elf], timeout=30, binary=QEMU)
                if out != outs["x86_64"][1]:
                    problems.append("Kestrel and QEMU differ:\n" + differences(
                        outs["x86_64"][1], out, ("kestrel", "qemu")))
            if problems:
                failed += 1
                if keep:
                    os.makedirs(keep, exist_ok=True)
                    shutil.copy(src, keep)
                tap.check("random program seed %d" % seed, False, "\n".join(problems))
            ran += 1
            seed += 1
    tap.check("%d random programs agree on both back ends%s (seeds %d-%d)" % (
        ran, ", %d also with QEMU" % qemu_ran if qemu_ran else "", first, first + ran - 1),
        failed == 0, "%d of %d programs failed (see above)" % (failed, ran))
    if not QEMU:
        tap.skip("random programs agree with QEMU",
                 "qemu-system-riscv64 is not installed (Debian package qemu-system-misc)")
    return tap.finish()


if __name__ == "__main__":
    sys.exit(main())
