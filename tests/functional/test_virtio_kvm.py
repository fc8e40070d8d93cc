#!/usr/bin/env python3
# tests/functional/test_virtio_kvm.py: virtio-mmio devices on microvm under
# KVM, driven by the small polling guests of tests/guests/x86 (virtio-blk.S,
# virtio-rng.S): a virtio-blk-device on a raw image (read sector 0, write a
# pattern to sector 1, flush; the host file must hold the pattern), the same
# on a read-only drive (the write fails with IOERR, the file is unchanged),
# -drive if=virtio creating the device by itself, and a virtio-rng-device
# (random, non-zero bytes). Prints TAP; skipped when /dev/kvm cannot be used.

import os
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import kestrel  # noqa: E402
from kestrel import Tap, guest_path  # noqa: E402

TIMEOUT = 60
BASE_ARGS = ["-M", "microvm", "-m", "64M", "-nographic", "-accel", "kvm",
             "-d", "guest_errors"]
SECTOR0 = bytes(range(0x10, 0x20)) + b"kestrel virtio-blk test image"
PATTERN = bytes((i & 0xff) ^ 0xa5 for i in range(512))

tap = Tap()


def run_guest(name, file, extra):
    """Runs guest FILE with EXTRA args; (status, stdout, stderr) or None if not built."""
    path = guest_path(file)
    if not os.path.exists(path):
        tap.skip(name, "%s is not built (make guests)" % path)
        return None
    return kestrel.run(BASE_ARGS + ["-bios", path] + list(extra), timeout=TIMEOUT)


def check(name, result, lines, more_problems=()):
    status, out, err = result
    problems = ["never printed %r" % line for line in lines if line not in out]
    if "FAIL" in out:
        problems.append("the guest printed FAIL")
    if status != 0:
        problems.append("exit status %r, expected 0" % status)
    problems += list(more_problems)
    tap.check(name, not problems, "\n".join(problems + ["stdout:", out, "stderr:", err]))


def make_image(directory):
    img = os.path.join(directory, "disk.img")
    with open(img, "wb") as f:
        f.write(SECTOR0.ljust(512, b"\0"))
        f.write(b"\x11" * 512)
        f.truncate(64 * 1024)
    return img


def sector(img, n):
    with open(img, "rb") as f:
        f.seek(512 * n)
        return f.read(512)


def test_blk(tmp):
    name = "virtio-blk-device: read sector 0, write sector 1, flush"
    img = make_image(tmp)
    res = run_guest(name, "virtio-blk.bin",
                    ["-drive", "file=%s,format=raw,if=none,id=d0" % img,
                     "-device", "virtio-blk-device,drive=d0"])
    if res is None:
        return
    more = []
    if sector(img, 1) != PATTERN:
        more.append("sector 1 of the image does not hold the pattern: %r" % sector(img, 1)[:16])
    check(name, res, ["virtio-blk ready", "read status 0", "sector0: " + SECTOR0[:16].hex(),
                      "write status 0", "flush status 0", "virtio-blk done"], more)


def test_blk_readonly(tmp):
    name = "virtio-blk-device on a read-only drive refuses the write (IOERR)"
    img = make_image(tmp)
    res = run_guest(name, "virtio-blk.bin",
                    ["-drive", "file=%s,format=raw,if=none,id=d0,readonly=on" % img,
                     "-device", "virtio-blk-device,drive=d0"])
    if res is None:
        return
    more = []
    if sector(img, 1) != b"\x11" * 512:
        more.append("the read-only image changed")
    check(name, res, ["read status 0", "sector0: " + SECTOR0[:16].hex(), "write status 1",
                      "virtio-blk done"], more)


def test_blk_if_virtio(tmp):
    name = "-drive if=virtio creates a virtio-blk-device in slot 0"
    img = make_image(tmp)
    res = run_guest(name, "virtio-blk.bin", ["-drive", "file=%s,format=raw,if=virtio" % img])
    if res is None:
        return
    more = [] if sector(img, 1) == PATTERN else ["sector 1 does not hold the pattern"]
    check(name, res, ["read status 0", "write status 0", "virtio-blk done"], more)


def test_rng(tmp):
    name = "virtio-rng-device: two non-zero, different 32-byte reads"
    res = run_guest(name, "virtio-rng.bin", ["-device", "virtio-rng-device"])
    if res is None:
        return
    check(name, res, ["rng 32: ", "rng ok"])


def main():
    usable, why = kestrel.kvm_usable()
    tests = [test_blk, test_blk_readonly, test_blk_if_virtio, test_rng]
    if not usable:
        tap.skip("virtio KVM guests", why)
        return tap.finish()
    exe = kestrel.binary()
    if not os.access(exe, os.X_OK):
        tap.fail("kestrel binary is built", "%s does not exist or is not executable "
                 "(run make)" % exe)
        return tap.finish()
    with tempfile.TemporaryDirectory(prefix="kestrel-virtio-") as tmp:
        for t in tests:
            t(tmp)
    return tap.finish()


if __name__ == "__main__":
    sys.exit(main())
