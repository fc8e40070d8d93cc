#!/usr/bin/env python3
# tests/functional/test_drive_options.py: -drive and -blockdev as a user meets
# them: each malformed option (unknown key, bad cache mode, bad aio, missing
# or unopenable file, unknown format or driver, dangling node reference) is
# exit status 1 with one stderr line naming the problem; a bad -blockdev the
# same; and an image in use read-write by a running Kestrel cannot be opened
# by a second one (image locking). Prints TAP.

import os
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import kestrel  # noqa: E402
from kestrel import Machine, Tap  # noqa: E402

tap = Tap()


def describe(args, status, out, err):
    return "\n".join([
        "command: kestrel-system-x86_64 " + " ".join(args),
        "exit status: %s" % ("none: killed after the timeout" if status is None else status),
        "stderr: " + (repr(err[:600]) if err else "(empty)"),
    ])


def check_error(name, args, tokens):
    """ARGS must exit with status 1 and one stderr line containing all TOKENS."""
    status, out, err = kestrel.run(args, timeout=20)
    lines = [line for line in err.splitlines() if line.strip()]
    problems = []
    if status != 1:
        problems.append("expected exit status 1")
    if len(lines) != 1:
        problems.append("expected exactly one line on stderr, got %d" % len(lines))
    elif not all(t in lines[0] for t in tokens):
        problems.append("the error line lacks one of: " + ", ".join(repr(t) for t in tokens))
    tap.check(name, not problems, "\n".join(problems + [describe(args, status, out, err)]))


def main():
    exe = kestrel.binary()
    if not os.access(exe, os.X_OK):
        tap.fail("kestrel binary is built", "%s does not exist (run make)" % exe)
        return tap.finish()

    # /var/tmp: a disk filesystem, where cache=none (O_DIRECT) works.
    with tempfile.TemporaryDirectory(prefix="kestrel-drive-", dir="/var/tmp") as d:
        img = os.path.join(d, "disk.raw")
        with open(img, "wb") as f:
            f.truncate(4 << 20)
        base = ["-M", "microvm", "-m", "16M", "-display", "none"]
        missing = os.path.join(d, "missing.raw")

        drive_cases = [
            ("unknown key", "file=%s,format=raw,bogus=1" % img, ["-drive", "'bogus'"]),
            ("bad cache mode", "file=%s,format=raw,cache=sometimes" % img,
             ["-drive", "cache=sometimes", "cache mode"]),
            ("bad aio engine", "file=%s,format=raw,aio=magic" % img, ["-drive", "aio=magic"]),
            ("bad interface", "file=%s,format=raw,if=floppy" % img, ["-drive", "if=floppy"]),
            ("unknown format", "file=%s,format=qcow3" % img, ["-drive", "format=qcow3"]),
            ("bad readonly value", "file=%s,format=raw,readonly=maybe" % img,
             ["-drive", "readonly=maybe"]),
            ("no file=", "format=raw,if=none", ["-drive", "file="]),
            ("missing file", "file=%s,format=raw" % missing,
             ["-drive", missing, "No such file or directory"]),
        ]
        for label, opt, tokens in drive_cases:
            check_error("-drive %s: one error line, exit 1" % label, base + ["-drive", opt],
                        tokens)

        blockdev_cases = [
            ("no driver", "node-name=n0", ["-blockdev", "driver="]),
            ("no node-name", "driver=file,filename=%s" % img, ["-blockdev", "node-name"]),
            ("unknown driver", "driver=vmdk,node-name=n0", ["-blockdev", "vmdk"]),
            ("unknown key", "driver=file,node-name=n0,filename=%s,wat=1" % img,
             ["-blockdev", "'wat'"]),
            ("dangling file=", "driver=raw,node-name=n0,file=nosuch",
             ["-blockdev", "nosuch"]),
            ("bad cache.direct", "driver=raw,node-name=n0,file.driver=file,"
             "file.filename=%s,cache.direct=perhaps" % img, ["-blockdev", "cache.direct"]),
        ]
        for label, opt, tokens in blockdev_cases:
            check_error("-blockdev %s: one error line, exit 1" % label,
                        base + ["-blockdev", opt], tokens)

        # Image locking between two real emulator processes.
        usable, why = kestrel.kvm_usable()
        guest = kestrel.guest_path("demo.bin")
        name = "a second Kestrel cannot open an image in use read-write"
        if not usable:
            tap.skip(name, why)
        elif not os.path.exists(guest):
            tap.skip(name, "test guest %s is not built (make guests)" % guest)
        else:
            first = base + ["-bios", guest, "-nographic",
                            "-drive", "file=%s,format=raw,if=none,id=d0" % img]
            with Machine(first, timeout=60) as m:
                started = m.wait_for("Kestrel demo guest")
                tap.check("the first Kestrel runs with the image open", started, m.transcript())
                for ro in ("off", "on"):
                    check_error("%s (readonly=%s)" % (name, ro),
                                base + ["-drive", "file=%s,format=raw,if=none,readonly=%s"
                                        % (img, ro)], ["-drive", img, "another process"])
                m.kill()
    return tap.finish()


if __name__ == "__main__":
    sys.exit(main())
