#!/usr/bin/env python3
# tests/functional/test_hmp.py: the human monitor on a running guest (the
# counter guest, counter.bin): -monitor stdio with its banner, prompt and
# echo; info status, cpus, registers, mtree, qtree, chardev, version, kvm and
# block; the x and xp memory dumps; stop and cont (no guest output while
# stopped), system_reset and quit; Ctrl-a c switching the default console
# between the serial port and the monitor, with system_powerdown ending the
# guest; and the monitor on a unix socket, one client after another. Prints
# TAP; everything is skipped (with the reason) when /dev/kvm cannot be used.

import os
import re
import shutil
import socket
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import kestrel  # noqa: E402
from kestrel import Machine, Tap, guest_path  # noqa: E402
from qmp_client import wait_for_path  # noqa: E402

TIMEOUT = 60
COUNTER = guest_path("counter.bin")
BASE = ["-M", "microvm", "-m", "64M", "-accel", "kvm", "-bios", COUNTER]
PROMPT = "(kestrel) "
BANNER = "monitor - type 'help' for more information"

TESTS = [
    "-monitor stdio: banner and prompt",
    "info status, cpus, kvm, version, chardev, block",
    "info registers, mtree, qtree",
    "x and xp memory dumps",
    "help and unknown commands",
    "stop: no guest output until cont",
    "system_reset: the guest boots again",
    "quit ends the process with status 0",
    "Ctrl-a c switches the console to the monitor and back",
    "stop and cont behind Ctrl-a c; system_powerdown powers the guest off",
    "-monitor unix socket: each client gets the banner",
]

tap = Tap()
scratch = tempfile.mkdtemp(prefix="kestrel-hmp-")


def skip_all(reason):
    for name in TESTS:
        tap.skip(name, reason)
    sys.exit(tap.finish())


class Checks:
    def __init__(self):
        self.problems = []

    def expect(self, cond, what):
        if not cond:
            self.problems.append(what)
        return bool(cond)

    def report(self, name, m=None):
        diag = "\n".join(self.problems)
        if self.problems and m is not None:
            diag += "\n" + m.transcript()
        tap.check(name, not self.problems, diag)


def hmp(m, line, timeout=10):
    """Types LINE into the monitor on M's stdin; what it printed before the
    next prompt, with "\\r\\n" turned into "\\n" (None if no prompt came)."""
    mark = m.mark()
    m.write(line + "\r")
    echo = (line + "\r\n").encode()
    if not m.wait_for(echo, timeout=timeout, after=mark):
        return None
    start = m.output_bytes.find(echo, mark) + len(echo)
    if not m.wait_for(PROMPT, timeout=timeout, after=start):
        return None
    out = m.output_bytes
    return out[start:out.find(PROMPT.encode(), start)].decode(errors="replace").replace(
        "\r\n", "\n")


def file_text(path):
    try:
        with open(path, errors="replace") as f:
            return f.read()
    except OSError:
        return ""


def wait_file(path, text, timeout=10, after=0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if text in file_text(path)[after:]:
            return True
        time.sleep(0.05)
    return False


def test_monitor_stdio():
    serial = os.path.join(scratch, "serial.txt")
    disk = os.path.join(scratch, "disk.img")
    with open(disk, "wb") as f:
        f.truncate(1 << 20)
    with Machine(BASE + ["-monitor", "stdio", "-serial", "file:" + serial,
                         "-drive", "file=%s,format=raw,if=none,id=disk0" % disk],
                 timeout=TIMEOUT) as m:
        ck = Checks()
        ck.expect(m.wait_for(BANNER) and m.wait_for(PROMPT), "no banner and prompt")
        ck.expect(m.output.startswith("Kestrel "), "banner: %r" % m.output[:80])
        ck.expect(wait_file(serial, "count 2"), "the guest does not count")
        ck.report(TESTS[0], m)

        ck = Checks()
        out = hmp(m, "info status")
        ck.expect(out == "VM status: running\n", "info status: %r" % out)
        out = hmp(m, "info cpus") or ""
        match = re.fullmatch(r"\* CPU #0: thread_id=(\d+)\n", out)
        ck.expect(match and os.path.exists("/proc/%d/task/%s" % (m.pid, match.group(1))),
                  "info cpus: %r" % out)
        out = hmp(m, "info kvm")
        ck.expect(out == "kvm support: enabled\n", "info kvm: %r" % out)
        version = open(os.path.join(kestrel.REPO_ROOT, "VERSION")).read().strip()
        out = hmp(m, "info version") or ""
        ck.expect(out.startswith(version), "info version: %r" % out)
        out = hmp(m, "info chardev") or ""
        ck.expect("serial0: filename=" in out and "compat_monitor0: filename=stdio" in out,
                  "info chardev: %r" % out)
        out = hmp(m, "info block")
        ck.expect(out.strip() == "disk0 (#blockdisk0): %s (raw)" % disk, "info block: %r" % out)
        ck.report(TESTS[1], m)

        ck = Checks()
        out = hmp(m, "info registers") or ""
        for reg in ("RAX=", "RIP=", "CR0=", "CR3=", "EFER=", "CS  =0018"):
            ck.expect(reg in out, "info registers lacks %r: %r" % (reg, out))
        out = hmp(m, "info mtree") or ""
        for text in ("address-space: memory", "address-space: I/O", "ram-below-4g",
                     "microvm.bios", "acpi-pm1-evt"):
            ck.expect(text in out, "info mtree lacks %r" % text)
        out = hmp(m, "info qtree") or ""
        ck.expect("dev: isa-serial" in out and "iobase = 1016 (0x3f8)" in out and
                  "dev: acpi-pm" in out, "info qtree: %r" % out)
        ck.report(TESTS[2], m)

        ck = Checks()
        out = hmp(m, "xp /2xb 0xffff0")
        ck.expect(out == "00000000000ffff0: 0xea 0x00\n", "xp reset vector: %r" % out)
        out = hmp(m, "xp /4xw 0xf0000")
        ck.expect(out and re.fullmatch(r"00000000000f0000:( 0x[0-9a-f]{8}){4}\n", out),
                  "xp /4xw: %r" % out)
        out2 = hmp(m, "x /4xw 0xf0000")
        ck.expect(out2 == out, "x (virtual, identity paged) %r differs from xp %r" % (out2, out))
        out = hmp(m, "xp /2xg 0xffff0") or ""
        ck.expect(re.fullmatch(r"00000000000ffff0: 0x[0-9a-f]{16} 0x[0-9a-f]{16}\n", out),
                  "xp /2xg: %r" % out)
        out = hmp(m, "xp /20xb 0xffff0") or ""
        ck.expect(out.count("\n") == 3 and out.startswith("00000000000ffff0: 0xea"),
                  "xp /20xb (8 per line): %r" % out)
        out = hmp(m, "xp /1c 0xffff0")
        ck.expect(out == "00000000000ffff0: '\\xea'\n", "xp /1c: %r" % out)
        out = hmp(m, "xp /1d 0xffff0")
        ck.expect(out and out.split(":")[1].strip() == "-22",
                  "xp /1d (signed byte 0xea): %r" % out)
        out = hmp(m, "xp /1q 0")
        ck.expect(out == "invalid char in format: 'q'\n", "bad format: %r" % out)
        out = hmp(m, "x /1xw 0x7000000000")
        ck.expect(out and "Cannot access memory" in out, "x of an unmapped address: %r" % out)
        ck.report(TESTS[3], m)

        ck = Checks()
        out = hmp(m, "help") or ""
        for cmd in ("info", "stop", "cont|c", "system_reset", "system_powerdown", "quit|q",
                    "xp /fmt addr"):
            ck.expect(cmd in out, "help lacks %r" % cmd)
        out = hmp(m, "help info") or ""
        ck.expect("info mtree" in out and "info registers" in out, "help info: %r" % out)
        out = hmp(m, "frobnicate now")
        ck.expect(out == "unknown command: 'frobnicate'\n", "unknown command: %r" % out)
        out = hmp(m, "info frob")
        ck.expect(out == "unknown command: 'info frob'\n", "unknown info: %r" % out)
        ck.report(TESTS[4], m)

        ck = Checks()
        ck.expect(hmp(m, "stop") == "", "stop printed something")
        ck.expect(hmp(m, "info status") == "VM status: paused\n", "not paused")
        time.sleep(0.3)
        size = len(file_text(serial))
        time.sleep(1.5)
        ck.expect(len(file_text(serial)) == size, "the guest printed while stopped")
        ck.expect(hmp(m, "c") == "", "cont printed something")
        ck.expect(wait_file(serial, "count", after=size), "no output after cont")
        ck.report(TESTS[5], m)

        ck = Checks()
        size = len(file_text(serial))
        ck.expect(hmp(m, "system_reset") == "", "system_reset printed something")
        ck.expect(wait_file(serial, "counter: boot", after=size), "the guest did not boot again")
        ck.report(TESTS[6], m)

        ck = Checks()
        m.write("quit\r")
        status = m.wait_exit(10)
        ck.expect(status == 0, "exit status %r" % status)
        ck.report(TESTS[7], m)


def test_ctrl_a_c():
    with Machine(BASE, timeout=TIMEOUT) as m:
        ck = Checks()
        ck.expect(m.wait_for("count 2"), "the guest does not count on the console")
        ck.expect(BANNER not in m.output, "the monitor showed itself before Ctrl-a c")
        mark = m.mark()
        m.write(b"\x01c")
        ck.expect(m.wait_for(BANNER, after=mark) and m.wait_for(PROMPT, after=mark),
                  "Ctrl-a c did not bring up the monitor")
        out = hmp(m, "info status")
        ck.expect(out == "VM status: running\n", "info status behind Ctrl-a c: %r" % out)
        # Back to the console: what is typed now goes to the guest, not the monitor.
        m.write(b"\x01c")
        time.sleep(0.3)
        mark = m.mark()
        m.write(b"info status\r")
        time.sleep(0.5)
        ck.expect("VM status" not in m.output_bytes[mark:].decode(errors="replace"),
                  "the monitor answered while the console had the focus")
        ck.report(TESTS[8], m)

        ck = Checks()
        mark = m.mark()
        m.write(b"\x01c")
        ck.expect(m.wait_for(PROMPT, after=mark), "no prompt on the second Ctrl-a c")
        ck.expect(BANNER not in m.output_bytes[mark:].decode(errors="replace"),
                  "the banner came twice")
        m.write(b"\x15")        # Ctrl-U: drop what the console line left behind
        ck.expect(hmp(m, "stop") == "", "stop")
        time.sleep(0.3)
        mark = m.mark()
        time.sleep(1.5)
        ck.expect("count" not in m.output_bytes[mark:].decode(errors="replace"),
                  "the guest printed while stopped")
        ck.expect(hmp(m, "cont") == "", "cont")
        ck.expect(m.wait_for("count", timeout=10, after=mark), "no output after cont")
        m.write(b"system_powerdown\r")
        ck.expect(m.wait_for("counter: power button", timeout=15), "no power button")
        status = m.wait_exit(15)
        ck.expect(status == 0, "exit status %r" % status)
        ck.report(TESTS[9], m)


def test_monitor_socket():
    path = os.path.join(scratch, "hmp.sock")
    with Machine(BASE + ["-monitor", "unix:%s,server=on,wait=off" % path],
                 timeout=TIMEOUT) as m:
        ck = Checks()
        ck.expect(wait_for_path(path), "no socket %s" % path)
        for attempt in range(2):
            s = socket.socket(socket.AF_UNIX)
            s.settimeout(10)
            s.connect(path)
            data = b""
            try:
                while PROMPT.encode() not in data:
                    chunk = s.recv(4096)
                    if not chunk:
                        break
                    data += chunk
                ck.expect(BANNER.encode() in data, "client %d: no banner: %r" % (attempt, data))
                s.sendall(b"info status\r\n")
                data = b""
                while data.count(PROMPT.encode()) < 1:
                    chunk = s.recv(4096)
                    if not chunk:
                        break
                    data += chunk
                ck.expect(b"VM status: running\r\n" in data, "client %d: %r" % (attempt, data))
            except socket.timeout:
                ck.expect(False, "client %d timed out: %r" % (attempt, data))
            s.close()
        ck.report(TESTS[10], m)


def main():
    usable, why = kestrel.kvm_usable()
    if not usable:
        skip_all(why)
    for path in (kestrel.binary(), COUNTER):
        if not os.path.exists(path):
            skip_all("%s is not built (make all guests)" % path)
    try:
        test_monitor_stdio()
        test_ctrl_a_c()
        test_monitor_socket()
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    return tap.finish()


if __name__ == "__main__":
    sys.exit(main())
