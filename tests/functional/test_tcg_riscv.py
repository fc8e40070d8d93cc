#!/usr/bin/env python3
# tests/functional/test_tcg_riscv.py: riscv64 guests under TCG on the "virt" board.
#
# - The ISA test programs (tests/tcg/riscv64, built into BUILD/tests/tcg/riscv64)
#   run on both TCG back ends (backend=x86_64, the JIT, and backend=interp, the
#   IR interpreter): each must pass (exit status 0, "PASS"), and the serial
#   transcripts of the two back ends must be identical (differential test).
#   Programs that read no clock or counter are also run with -d cpu,nochain:
#   the guest register state before every block must be the same on both.
# - smc.elf rewrites its own code and executes fence.i: it must see the new
#   code (checked by the program on each back end).
# - With Debian's qemu-system-riscv64 installed, each ISA test's transcript
#   must match QEMU's (-M virt -bios none): the same ELF runs on both.
# - The board guests (tests/guests/riscv64): UART, CLINT mtime/mtimecmp/msip,
#   timer and software interrupts, reset through the SiFive test finisher, and
#   the finisher's exit code; codegen.elf rewrites code on every hart until a
#   1 MiB code buffer has been flushed many times; smp.elf (-smp 4) counts
#   under an amoswap spinlock, with LR/SC and with AMOs, then plays wfi/msip
#   ping-pong between hart 0 and the others (a lost wakeup hangs it).
# - The ELF loader rejects broken files with a message naming what is wrong.
#
# Prints SKIP with the reason when the riscv64 binary, the guests or a back
# end do not exist in this build.

import glob
import os
import re
import shutil
import struct
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from kestrel import REPO_ROOT, Tap, binary, build_dir, run  # noqa: E402

BACKENDS = ("x86_64", "interp")
TIMEOUT = 120
BIN = binary("riscv64")
ISA_DIR = os.path.join(build_dir(), "tests", "tcg", "riscv64")
BOARD_DIR = os.path.join(build_dir(), "tests", "guests", "riscv64")
QEMU = shutil.which("qemu-system-riscv64")


def kestrel(elf, backend, extra=(), timeout=TIMEOUT):
    """(status, stdout, stderr) of one run of ELF on the virt board."""
    args = ["-M", "virt", "-bios", "none", "-nographic", "-serial", "stdio",
            "-accel", "tcg,backend=" + backend] + list(extra) + ["-kernel", elf]
    return run(args, timeout=timeout, binary=BIN)


def describe(what, status, out, err):
    tail = lambda t: "\n".join("    " + x for x in t.splitlines()[-15:]) or "    (nothing)"
    return "%s\nexit status: %s\nstdout:\n%s\nstderr:\n%s" % (what, status, tail(out), tail(err))


def backend_status(probe_elf):
    """{backend: None if usable, else the reason}."""
    result = {}
    for be in BACKENDS:
        status, out, err = kestrel(probe_elf, be, timeout=30)
        if "unknown backend" in err:
            result[be] = "backend=%s does not exist in this build" % be
        else:
            result[be] = None
    return result


def reads_counters(elf):
    """Does the ISA test's source read a clock or counter (nondeterministic traces)?"""
    src = os.path.join(REPO_ROOT, "tests", "tcg", "riscv64",
                       os.path.basename(elf)[:-4] + ".S")
    try:
        with open(src) as f:
            text = f.read()
    except OSError:
        return True
    text = re.sub(r"/\*.*?\*/|//[^\n]*", "", text, flags=re.S)
    return re.search(r"\b(rd)?(cycle|time|instret)h?\b|\bm(cycle|instret)\b|\bwfi\b",
                     text) is not None


def trace_blocks(text):
    """The register dumps of a -d cpu log, without the last (the process may end
    while it is being written)."""
    blocks = re.split(r"(?m)^(?= pc )", text)
    return [blk for blk in blocks if blk.startswith(" pc ")][:-1]


def traces_agree(a, b):
    """Equal, except that the vCPU keeps running the program's final loop (a few
    distinct blocks, as often as time allows) between its finisher write and
    the end of the process."""
    short, long_ = sorted((trace_blocks(a), trace_blocks(b)), key=len)
    tail_pcs = {blk.split()[1] for blk in long_[len(short):]}
    return len(short) > 0 and long_[:len(short)] == short and len(tail_pcs) <= 4


def cpu_trace(elf, backend, tmpdir):
    path = os.path.join(tmpdir, "%s-%s.log" % (os.path.basename(elf), backend))
    status, out, err = kestrel(elf, backend, ["-d", "cpu,nochain", "-D", path])
    try:
        with open(path) as f:
            return status, f.read()
    except OSError:
        return status, ""


def test_isa(tap, elfs, backends, tmpdir):
    usable = [be for be in BACKENDS if backends[be] is None]
    for elf in elfs:
        name = os.path.basename(elf)[:-4]
        transcripts = {}
        for be in BACKENDS:
            if backends[be]:
                tap.skip("%s on backend=%s" % (name, be), backends[be])
                continue
            status, out, err = kestrel(elf, be)
            transcripts[be] = out
            tap.check("%s on backend=%s passes" % (name, be),
                      status == 0 and "PASS" in out,
                      describe("run of " + elf, status, out, err))
        if len(usable) < 2:
            tap.skip("%s: same transcript on both back ends" % name,
                     "needs both back ends (%s)" % "; ".join(r for r in backends.values() if r))
            tap.skip("%s: same register trace on both back ends" % name, "needs both back ends")
        else:
            tap.check("%s: same transcript on both back ends" % name,
                      transcripts[usable[0]] == transcripts[usable[1]],
                      "%s:\n%s\n%s:\n%s" % (usable[0], transcripts[usable[0]], usable[1],
                                            transcripts[usable[1]]))
            if reads_counters(elf):
                tap.skip("%s: same register trace on both back ends" % name,
                         "the program reads clocks or counters or waits for interrupts")
            else:
                traces = {be: cpu_trace(elf, be, tmpdir) for be in usable}
                a, b = traces[usable[0]][1], traces[usable[1]][1]
                diag = ""
                if not traces_agree(a, b):
                    la, lb = a.splitlines(), b.splitlines()
                    first = next((i for i in range(min(len(la), len(lb))) if la[i] != lb[i]),
                                 min(len(la), len(lb)))
                    diag = "first difference at log line %d:\n  %s: %s\n  %s: %s" % (
                        first + 1, usable[0], la[first] if first < len(la) else "(end)",
                        usable[1], lb[first] if first < len(lb) else "(end)")
                tap.check("%s: same register trace on both back ends" % name,
                          traces_agree(a, b) and len(a) > 0, diag or "empty trace")
        if not QEMU:
            tap.skip("%s: same transcript as QEMU" % name, "qemu-system-riscv64 is not "
                     "installed (Debian package qemu-system-misc)")
        elif not usable:
            tap.skip("%s: same transcript as QEMU" % name, "no TCG back end")
        else:
            status, out, err = run(["-M", "virt", "-bios", "none", "-nographic", "-kernel", elf],
                                   timeout=60, binary=QEMU)
            tap.check("%s: same transcript as QEMU" % name, out == transcripts[usable[0]],
                      "QEMU (status %s):\n%s\nKestrel:\n%s" % (status, out,
                                                               transcripts[usable[0]]))


def test_smc(tap, backends):
    smc = os.path.join(ISA_DIR, "smc.elf")
    for be in BACKENDS:
        name = "self-modifying code sees the new code after fence.i (backend=%s)" % be
        if backends[be]:
            tap.skip(name, backends[be])
        elif not os.path.exists(smc):
            tap.skip(name, "%s is not built" % smc)
        else:
            status, out, err = kestrel(smc, be)
            tap.check(name, status == 0 and "PASS" in out, describe("smc.elf", status, out, err))


BOARD_LINES = ["boot", "uart ok", "mtime ok", "clint registers ok", "timer interrupt ok",
               "software interrupt ok", "resetting", "reset ok"]


def test_board(tap, backends):
    board = os.path.join(BOARD_DIR, "board.elf")
    finisher = os.path.join(BOARD_DIR, "finisher.elf")
    for be in BACKENDS:
        if backends[be]:
            tap.skip("board: UART, CLINT, interrupts, reset (backend=%s)" % be, backends[be])
            tap.skip("finisher exit code 42 (backend=%s)" % be, backends[be])
            continue
        status, out, err = kestrel(board, be, timeout=30)
        tap.check("board: UART, CLINT, interrupts, reset (backend=%s)" % be,
                  status == 0 and out.splitlines() == BOARD_LINES,
                  describe("board.elf", status, out, err))
        status, out, err = kestrel(finisher, be, timeout=30)
        tap.check("finisher exit code 42 (backend=%s)" % be,
                  status == 42 and out.strip() == "finisher",
                  describe("finisher.elf", status, out, err))
    status, out, err = kestrel(finisher, "interp", ["-no-shutdown", "-no-reboot"], timeout=30)
    tap.check("a finisher FAIL exits even with -no-shutdown", status == 42,
              describe("finisher.elf -no-shutdown", status, out, err))


def test_codegen(tap, backends):
    """Many translations in a 1 MiB code buffer: flushes while other harts run."""
    elf = os.path.join(BOARD_DIR, "codegen.elf")
    for be in BACKENDS:
        for smp in (1, 4):
            name = "code buffer flushes under load, -smp %d (backend=%s)" % (smp, be)
            if backends[be]:
                tap.skip(name, backends[be])
                continue
            status, out, err = kestrel(elf, be, ["-smp", str(smp), "-accel",
                                                 "tcg,backend=%s,tb-size=1" % be])
            tap.check(name, status == 0 and out.strip() == "codegen ok",
                      describe("codegen.elf", status, out, err))


def test_smp(tap, backends):
    """Contended amoswap/LR-SC/AMO counters and wfi/msip ping-pong across 4 harts."""
    elf = os.path.join(BOARD_DIR, "smp.elf")
    for be in BACKENDS:
        name = "spinlocks, LR/SC, AMOs and wfi/IPI ping-pong on 4 harts (backend=%s)" % be
        if backends[be]:
            tap.skip(name, backends[be])
            continue
        status, out, err = kestrel(elf, be, ["-smp", "4"], timeout=60)
        tap.check(name, status == 0 and out.strip() == "smp ok",
                  describe("smp.elf", status, out, err))


def patched(data, offset, fmt, value):
    b = bytearray(data)
    struct.pack_into(fmt, b, offset, value)
    return bytes(b)


def test_loader(tap, tmpdir):
    with open(os.path.join(BOARD_DIR, "finisher.elf"), "rb") as f:
        good = f.read()
    phoff, = struct.unpack_from("<Q", good, 0x20)
    phnum, = struct.unpack_from("<H", good, 0x38)
    # The first PT_LOAD program header (others, such as RISCV_ATTRIBUTES, come first).
    load = next(phoff + 56 * i for i in range(phnum)
                if struct.unpack_from("<I", good, phoff + 56 * i)[0] == 1)
    cases = [
        ("empty file", b"", "the file is empty"),
        ("truncated header", good[:40], "truncated ELF header"),
        ("32-bit class", patched(good, 4, "B", 1), "not a 64-bit ELF"),
        ("big-endian", patched(good, 5, "B", 2), "not a little-endian ELF"),
        ("wrong machine", patched(good, 0x12, "<H", 62), "is not RISC-V"),
        ("shared object", patched(good, 0x10, "<H", 3), "not an executable"),
        ("bad program header size", patched(good, 0x36, "<H", 48), "program header size"),
        ("program headers beyond the file", patched(good, 0x20, "<Q", len(good)),
         "program headers"),
        ("segment outside RAM", patched(good, load + 0x18, "<Q", 0x1000), "outside RAM"),
        ("segment data beyond the file", patched(good, load + 0x08, "<Q", len(good)),
         "is not within the file"),
        ("entry point outside the image", patched(good, 0x18, "<Q", 0x90000000),
         "entry point"),
        ("RV64E flag", patched(good, 0x30, "<I", 0x8), "RV64E"),
    ]
    for what, data, message in cases:
        path = os.path.join(tmpdir, "bad.elf")
        with open(path, "wb") as f:
            f.write(data)
        status, out, err = run(["-M", "virt", "-bios", "none", "-nographic", "-kernel", path],
                               timeout=30, binary=BIN)
        tap.check("ELF loader rejects: %s" % what, status == 1 and message in err,
                  describe("expected exit 1 and '%s'" % message, status, out, err))
    for what, args, message in [
        ("-bios missing file", ["-bios", "/nonexistent/fw.bin"], "/nonexistent/fw.bin"),
        ("-bios none without -kernel", ["-bios", "none"], "needs a -kernel"),
        ("unknown backend", ["-accel", "tcg,backend=sparc", "-kernel", "x.elf"],
         "unknown backend 'sparc'"),
        ("bad tb-size", ["-accel", "tcg,tb-size=0", "-kernel", "x.elf"], "tb-size=0"),
        ("unknown -accel property", ["-accel", "tcg,colour=blue", "-kernel", "x.elf"],
         "colour"),
    ]:
        status, out, err = run(["-M", "virt", "-nographic"] + args, timeout=30, binary=BIN)
        tap.check("command line rejects: %s" % what, status == 1 and message in err,
                  describe("expected exit 1 and '%s'" % message, status, out, err))


def main():
    tap = Tap()
    if not os.path.exists(BIN):
        print("1..0 # SKIP %s is not built (./configure --target-list=x86_64,riscv64)" % BIN)
        return 0
    elfs = sorted(glob.glob(os.path.join(ISA_DIR, "*.elf")))
    board = os.path.join(BOARD_DIR, "finisher.elf")
    if not elfs or not os.path.exists(board):
        print("1..0 # SKIP the riscv64 test programs are not built (make guests; needs "
              "Debian's gcc-riscv64-unknown-elf)")
        return 0
    backends = backend_status(board)
    with tempfile.TemporaryDirectory(prefix="kestrel-tcg-") as tmpdir:
        test_isa(tap, elfs, backends, tmpdir)
        test_smc(tap, backends)
        test_board(tap, backends)
        test_codegen(tap, backends)
        test_smp(tap, backends)
        test_loader(tap, tmpdir)
    return tap.finish()


if __name__ == "__main__":
    sys.exit(main())
