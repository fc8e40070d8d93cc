#!/usr/bin/env python3
# tests/functional/test_cmdline.py: Kestrel's command line as a user meets it:
# -version, -h, -machine help, one-line errors with exit status 1 for unknown
# options and malformed values, a missing -kernel file, and -pidfile (with a
# small test guest under KVM). Prints TAP.

import os
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import kestrel  # noqa: E402
from kestrel import Machine, Tap  # noqa: E402

tap = Tap()


def describe(args, status, out, err):
    return "\n".join([
        "command: kestrel-system-x86_64 " + " ".join(args),
        "exit status: %s" % ("none: killed after the timeout" if status is None else status),
        "stdout: " + (repr(out[:600]) if out else "(empty)"),
        "stderr: " + (repr(err[:600]) if err else "(empty)"),
    ])


def run(args, timeout=20):
    status, out, err = kestrel.run(args, timeout=timeout)
    return status, out, err, describe(args, status, out, err)


def error_lines(err):
    return [line for line in err.splitlines() if line.strip()]


def check_usage_error(name, args, tokens):
    """ARGS must fail with exit status 1 and exactly one stderr line that
    contains one of TOKENS (naming the option or the bad value)."""
    status, out, err, diag = run(args)
    lines = error_lines(err)
    problems = []
    if status != 1:
        problems.append("expected exit status 1")
    if len(lines) != 1:
        problems.append("expected exactly one line on stderr, got %d" % len(lines))
    elif not any(t in lines[0] for t in tokens):
        problems.append("the error line names none of: " + ", ".join(repr(t) for t in tokens))
    tap.check(name, not problems, "\n".join(problems + [diag]))


def main():
    exe = kestrel.binary()
    if not os.access(exe, os.X_OK):
        tap.fail("kestrel binary is built", "%s does not exist or is not executable "
                 "(run make)" % exe)
        return tap.finish()

    with open(os.path.join(kestrel.REPO_ROOT, "VERSION")) as f:
        version = f.read().strip()

    # -version
    status, out, err, diag = run(["-version"])
    first = out.splitlines()[0] if out.strip() else ""
    tap.check("-version exits 0", status == 0, diag)
    tap.check("-version prints a version line with %s" % version,
              "version" in first.lower() and version in first, diag)

    # -h
    status, out, err, diag = run(["-h"])
    tap.check("-h exits 0", status == 0, diag)
    tap.check("-h prints usage naming -kernel, -m and -serial",
              "usage" in out.lower() and all(o in out for o in ("-kernel", "-m ", "-serial")),
              diag)

    # -machine help
    status, out, err, diag = run(["-machine", "help"])
    tap.check("-machine help exits 0 and lists microvm",
              status == 0 and "microvm" in out, diag)

    # Unknown option.
    check_usage_error("unknown option -bogus: one error line, exit 1", ["-bogus"], ["-bogus"])

    # Malformed values, each must name what is wrong.
    cases = [
        ("-m 12X", ["-M", "microvm", "-m", "12X"], ["12X"]),
        ("-smp 0", ["-M", "microvm", "-smp", "0"], ["smp", "cpu", "CPU"]),
        ("-smp abc", ["-M", "microvm", "-smp", "abc"], ["abc"]),
        ("-machine microvm,nosuch=1", ["-machine", "microvm,nosuch=1"], ["nosuch"]),
        ("-M nosuchboard", ["-M", "nosuchboard"], ["nosuchboard"]),
        ("-accel nosuch", ["-accel", "nosuch"], ["nosuch"]),
        ("-d nosuch", ["-d", "nosuch"], ["nosuch"]),
        ("-serial nosuch:x", ["-serial", "nosuch:x"], ["nosuch"]),
        ("-m without its argument", ["-m"], ["-m"]),
    ]
    for label, args, tokens in cases:
        check_usage_error("malformed %s: one error line naming it, exit 1" % label, args, tokens)

    # A -kernel file that does not exist: exit 1 and the path in the message.
    missing = "/nonexistent/kestrel-test/vmlinuz-%d" % os.getpid()
    args = ["-M", "microvm", "-m", "64M", "-kernel", missing, "-nographic"]
    status, out, err, diag = run(args)
    tap.check("missing -kernel file: exit 1 with the path in the message",
              status == 1 and missing in err, diag)

    # -pidfile, while a guest runs (the demo guest waits for input).
    usable, why = kestrel.kvm_usable()
    guest = kestrel.guest_path("demo.bin")
    if not usable:
        tap.skip("-pidfile holds the pid of the running process", why)
    elif not os.path.exists(guest):
        tap.skip("-pidfile holds the pid of the running process",
                 "test guest %s is not built (make guests)" % guest)
    else:
        with tempfile.TemporaryDirectory(prefix="kestrel-pidfile-") as d:
            pidfile = os.path.join(d, "kestrel.pid")
            with Machine(["-M", "microvm", "-m", "16M", "-bios", guest, "-nographic",
                          "-pidfile", pidfile, "-name", "pidfile-test"], timeout=60) as m:
                started = m.wait_for("Kestrel demo guest")
                content = ""
                deadline = time.monotonic() + 10
                while time.monotonic() < deadline:
                    try:
                        with open(pidfile) as f:
                            content = f.read()
                    except OSError:
                        content = ""
                    if content.strip():
                        break
                    time.sleep(0.05)
                tap.check("-pidfile holds the pid of the running process",
                          started and content.strip() == str(m.pid),
                          "pidfile content: %r, pid: %s, banner seen: %s\n%s"
                          % (content, m.pid, started, m.transcript()))
                m.write(b"\x01x")  # Ctrl-a x: quit
                status = m.wait_exit(20)
                tap.check("Ctrl-a x quits with exit status 0", status == 0, m.transcript())

    return tap.finish()


if __name__ == "__main__":
    sys.exit(main())
