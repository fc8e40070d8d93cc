#!/usr/bin/env python3
# tests/functional/test_riscv_virt.py: the riscv64 "virt" board as QEMU's.
#
# - OpenSBI (Debian's opensbi, -bios default) prints its banner with the
#   platform name of QEMU's virt and the hart count given with -smp 1 and 4.
# - An S-mode payload (tests/guests/riscv64/sbi-payload.S, booted as a flat
#   RISC-V Linux Image with -kernel) starts after OpenSBI with a0 = its hart
#   (any hart with -smp 4: OpenSBI 1.1 draws the boot hart by lottery) and
#   the device tree in a1, takes an SBI timer interrupt (CLINT mtimecmp
#   through OpenSBI) and shuts down through SBI SRST: exit status 0, -smp 1
#   and 4.
# - plic.elf (-bios none): PLIC claim/complete and threshold with the UART's
#   interrupt, the RTC and the device tree in a1, on both TCG back ends.
# - U-Boot (Debian's u-boot-qemu, qemu-riscv64_smode) reaches its prompt and
#   answers a command typed on the serial console.
# - -machine dumpdtb=FILE writes a device tree and exits 0 (checked with a
#   small parser: model, harts, memory, bootargs, initrd placement) and dtc,
#   if installed, decompiles it.
# - Bad options are clear errors.
#
# Prints SKIP with the reason when the binary, the guests or the Debian
# packages are missing.

import os
import shutil
import struct
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from kestrel import Machine, Tap, binary, build_dir, run  # noqa: E402

BIN = binary("riscv64")
GUESTS = os.path.join(build_dir(), "tests", "guests", "riscv64")
OPENSBI = "/usr/lib/riscv64-linux-gnu/opensbi/generic/fw_dynamic.bin"
UBOOT = "/usr/lib/u-boot/qemu-riscv64_smode/u-boot.bin"
TIMEOUT = 60


def describe(what, status, out, err):
    tail = lambda t: "\n".join("    " + x for x in t.splitlines()[-15:]) or "    (nothing)"
    return "%s\nexit status: %s\nstdout:\n%s\nstderr:\n%s" % (what, status, tail(out), tail(err))


def elf_flat(elf, out):
    """Writes the first PT_LOAD segment's file bytes of ELF to OUT (a flat image)."""
    with open(elf, "rb") as f:
        data = f.read()
    phoff, = struct.unpack_from("<Q", data, 0x20)
    phnum, = struct.unpack_from("<H", data, 0x38)
    for i in range(phnum):
        p_type, _, off, _, _, filesz = struct.unpack_from("<IIQQQQ", data, phoff + 56 * i)
        if p_type == 1:
            with open(out, "wb") as f:
                f.write(data[off:off + filesz])
            return
    raise ValueError("%s has no PT_LOAD segment" % elf)


def fdt_parse(blob):
    """{node path: {property: bytes}} of a flattened device tree."""
    magic, _, off_struct, off_strings = struct.unpack_from(">IIII", blob, 0)
    assert magic == 0xd00dfeed, "bad magic 0x%x" % magic
    nodes, path, pos = {}, [], off_struct
    while True:
        tag, = struct.unpack_from(">I", blob, pos)
        pos += 4
        if tag == 1:                                    # FDT_BEGIN_NODE
            end = blob.index(b"\0", pos)
            path.append(blob[pos:end].decode())
            pos = (end + 4) & ~3
            nodes["/" + "/".join(p for p in path if p)] = {}
        elif tag == 2:                                  # FDT_END_NODE
            path.pop()
        elif tag == 3:                                  # FDT_PROP
            length, nameoff = struct.unpack_from(">II", blob, pos)
            pos += 8
            name = blob[off_strings + nameoff:blob.index(b"\0", off_strings + nameoff)].decode()
            nodes["/" + "/".join(p for p in path if p)][name] = blob[pos:pos + length]
            pos = (pos + length + 3) & ~3
        elif tag == 9:                                  # FDT_END
            return nodes


def test_opensbi(tap):
    name = "OpenSBI banner: platform riscv-virtio,qemu, %d harts"
    for smp in (1, 4):
        if not os.path.exists(OPENSBI):
            tap.skip(name % smp, "%s missing (Debian package opensbi)" % OPENSBI)
            continue
        with Machine(["-M", "virt", "-nographic", "-smp", smp], timeout=TIMEOUT,
                     binary=BIN) as m:
            ok = (m.wait_for("Platform Name             : riscv-virtio,qemu") and
                  m.wait_for("Platform HART Count       : %d" % smp) and
                  m.wait_for("Domain0 Next Mode         : S-mode"))
            tap.check(name % smp, ok, m.transcript())


def test_payload(tap, tmpdir):
    elf = os.path.join(GUESTS, "sbi-payload.elf")
    image = os.path.join(tmpdir, "payload.bin")
    for smp in (1, 4):
        name = "S-mode Image after OpenSBI: handover, SBI timer, SRST poweroff (-smp %d)" % smp
        if not os.path.exists(OPENSBI) or not os.path.exists(elf):
            tap.skip(name, "needs Debian's opensbi and make guests")
            continue
        elf_flat(elf, image)
        status, out, err = run(["-M", "virt", "-nographic", "-smp", str(smp), "-kernel", image],
                               timeout=TIMEOUT, binary=BIN)
        tap.check(name, status == 0 and "sbi timer interrupt ok" in out and "FAIL" not in out,
                  describe("sbi-payload", status, out, err))


def test_plic(tap):
    elf = os.path.join(GUESTS, "plic.elf")
    for be in ("x86_64", "interp"):
        name = "bare metal: PLIC claim/complete/threshold, RTC, fdt in a1 (backend=%s)" % be
        if not os.path.exists(elf):
            tap.skip(name, "the riscv64 board guests are not built (make guests)")
            continue
        status, out, err = run(["-M", "virt", "-bios", "none", "-nographic", "-accel",
                                "tcg,backend=" + be, "-kernel", elf], timeout=TIMEOUT,
                               binary=BIN)
        if "unknown backend" in err:
            tap.skip(name, "backend=%s does not exist in this build" % be)
            continue
        tap.check(name, status == 0 and "rtc ok" in out, describe("plic.elf", status, out, err))


def test_uboot(tap):
    name = "U-Boot (S-mode, after OpenSBI) answers 'version' at its prompt"
    if not os.path.exists(UBOOT) or not os.path.exists(OPENSBI):
        tap.skip(name, "needs Debian's u-boot-qemu and opensbi")
        return
    with Machine(["-M", "virt", "-nographic", "-kernel", UBOOT], timeout=TIMEOUT,
                 binary=BIN) as m:
        ok = m.wait_for("Hit any key to stop autoboot")
        if ok:
            m.write("\r")
            ok = m.wait_for("=> ")
        if ok:
            mark = m.mark()
            m.write("version\r")
            ok = m.wait_for("U-Boot 20", after=mark)
        tap.check(name, ok, m.transcript())


def test_dumpdtb(tap, tmpdir):
    dtb = os.path.join(tmpdir, "virt.dtb")
    payload = os.path.join(tmpdir, "payload.bin")
    initrd = os.path.join(tmpdir, "initrd")
    with open(payload, "wb") as f:
        f.write(b"\x13" * 4096)
    with open(initrd, "wb") as f:
        f.write(b"\0" * 100000)
    args = ["-M", "virt,dumpdtb=" + dtb, "-m", "256", "-smp", "4", "-bios", "none",
            "-kernel", payload, "-initrd", initrd, "-append", "console=ttyS0 quiet"]
    status, out, err = run(args, timeout=TIMEOUT, binary=BIN)
    if not tap.check("dumpdtb writes the device tree and exits 0",
                     status == 0 and os.path.exists(dtb) and out == "",
                     describe("dumpdtb", status, out, err)):
        return
    with open(dtb, "rb") as f:
        blob = f.read()
    nodes = fdt_parse(blob)
    cpus = [n for n in nodes if n.startswith("/cpus/cpu@") and n.count("/") == 2]
    chosen = nodes.get("/chosen", {})
    start = struct.unpack(">Q", chosen.get("linux,initrd-start", b"\0" * 8))[0]
    end = struct.unpack(">Q", chosen.get("linux,initrd-end", b"\0" * 8))[0]
    checks = [
        ("model", nodes["/"].get("model") == b"riscv-virtio,qemu\0"),
        ("4 cpus", len(cpus) == 4),
        ("memory 256 MiB", nodes.get("/memory@80000000", {}).get("reg") ==
         struct.pack(">QQ", 0x80000000, 256 << 20)),
        ("bootargs", chosen.get("bootargs") == b"console=ttyS0 quiet\0"),
        # -bios none: the kernel at RAM start, the initrd half-way into 256 MiB capped at 128 MiB
        ("initrd at 0x88000000", start == 0x88000000 and end == start + 100000),
        ("8 virtio-mmio slots",
         sum(1 for n in nodes if n.startswith("/soc/virtio_mmio@")) == 8),
    ]
    for what, ok in checks:
        tap.check("dumpdtb: " + what, ok, repr(nodes.get("/chosen")))
    dtc = shutil.which("dtc")
    if not dtc:
        tap.skip("dtc decompiles the dumped tree", "dtc not installed (device-tree-compiler)")
        return
    p = subprocess.run([dtc, "-q", "-I", "dtb", "-O", "dts", dtb], capture_output=True,
                       text=True)
    tap.check("dtc decompiles the dumped tree", p.returncode == 0 and "plic@c000000" in p.stdout,
              p.stderr)


def test_errors(tap, tmpdir):
    big = os.path.join(tmpdir, "big")
    with open(big, "wb") as f:
        f.truncate(40 << 20)
    low = os.path.join(GUESTS, "plic.elf")
    cases = [
        ("-bios missing file", ["-bios", "/nonexistent/fw.bin"], "/nonexistent/fw.bin"),
        ("-kernel missing file", ["-bios", "none", "-kernel", "/nonexistent/k"],
         "kernel '/nonexistent/k'"),
        ("kernel larger than RAM", ["-m", "32", "-bios", "none", "-kernel", big],
         "do not fit in RAM"),
        ("initrd larger than RAM", ["-m", "32", "-bios", "none", "-kernel", low, "-initrd", big],
         "initrd"),
        ("dumpdtb to an unwritable path", ["-M", "virt,dumpdtb=/nonexistent/x.dtb",
                                           "-bios", "none", "-kernel", low], "dumpdtb"),
    ]
    if os.path.exists(OPENSBI) and os.path.exists(low):
        cases.append(("ELF kernel over the firmware", ["-kernel", low], "overlaps the firmware"))
    for what, args, message in cases:
        extra = [] if any(a.startswith("virt,") for a in args) else ["-M", "virt"]
        status, out, err = run(extra + ["-nographic"] + args, timeout=30, binary=BIN)
        tap.check("rejects: " + what, status == 1 and message in err,
                  describe("expected exit 1 and '%s'" % message, status, out, err))


def main():
    tap = Tap()
    if not os.path.exists(BIN):
        print("1..0 # SKIP %s is not built (./configure --target-list=x86_64,riscv64)" % BIN)
        return 0
    with tempfile.TemporaryDirectory(prefix="kestrel-virt-") as tmpdir:
        test_opensbi(tap)
        test_payload(tap, tmpdir)
        test_plic(tap)
        test_uboot(tap)
        test_dumpdtb(tap, tmpdir)
        test_errors(tap, tmpdir)
    return tap.finish()


if __name__ == "__main__":
    sys.exit(main())
