#!/usr/bin/env python3
# tests/functional/test_chardev_backends.py: the serial console's character
# device backends, with small test guests under KVM: -serial file:PATH, a unix
# socket server through -chardev socket,...,server=on,wait=on and -serial
# chardev:ID, -serial unix:...,wait=off (no client needed), -serial pipe:PATH,
# -serial tcp:...,server=on,wait=on, -serial pty (both directions, with the
# interactive demo guest) and -serial null. Prints TAP.

import os
import re
import select
import socket
import sys
import tempfile
import time
import tty

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import kestrel  # noqa: E402
from kestrel import Machine, Tap  # noqa: E402

HELLO_TEXT = "kestrel-guest: long mode ok"
tap = Tap()


def base_args(guest):
    return ["-M", "microvm", "-m", "16M", "-bios", kestrel.guest_path(guest)]


def read_until_eof(sock, deadline):
    data = b""
    sock.settimeout(1)
    while time.monotonic() < deadline:
        try:
            chunk = sock.recv(4096)
        except socket.timeout:
            continue
        except OSError:
            break
        if not chunk:
            break
        data += chunk
    return data.decode("utf-8", errors="replace")


def connect_retry(family, addr, m, timeout=30):
    """Connects to the emulator's server socket once it listens."""
    deadline = time.monotonic() + timeout
    last = None
    while time.monotonic() < deadline and m.returncode is None:
        s = socket.socket(family, socket.SOCK_STREAM)
        try:
            s.connect(addr)
            return s, None
        except OSError as e:
            last = e
            s.close()
            time.sleep(0.05)
    return None, ("could not connect to %s: %s" % (addr, last) if m.returncode is None
                  else "the emulator exited (status %s) before a client connected"
                  % m.returncode)


def test_file(d):
    name = "-serial file:PATH receives the guest output"
    path = os.path.join(d, "serial.log")
    with Machine(base_args("hello.bin") + ["-serial", "file:" + path], timeout=60) as m:
        status = m.wait_exit()
        try:
            with open(path, errors="replace") as f:
                content = f.read()
        except OSError as e:
            content = "(cannot read %s: %s)" % (path, e.strerror)
        tap.check(name, status == 0 and HELLO_TEXT in content,
                  "file content: %r\n%s" % (content[:400], m.transcript()))
        tap.check("-serial file:PATH leaves stdout without the guest output",
                  HELLO_TEXT not in m.output, m.transcript())


def test_unix_wait_on(d):
    name = "-chardev socket,server=on,wait=on + -serial chardev:s: a client reads the output"
    path = os.path.join(d, "serial.sock")
    args = base_args("hello.bin") + [
        "-chardev", "socket,id=s,path=%s,server=on,wait=on" % path, "-serial", "chardev:s"]
    with Machine(args, timeout=60) as m:
        sock, err = connect_retry(socket.AF_UNIX, path, m)
        if sock is None:
            tap.fail(name, err + "\n" + m.transcript())
            return
        with sock:
            data = read_until_eof(sock, time.monotonic() + 60)
        status = m.wait_exit()
        tap.check(name, HELLO_TEXT in data and status == 0,
                  "client read: %r\n%s" % (data[:400], m.transcript()))


def test_unix_wait_off(d):
    name = "-serial unix:PATH,server=on,wait=off runs without a client and exits 0"
    path = os.path.join(d, "nowait.sock")
    args = base_args("hello.bin") + ["-serial", "unix:%s,server=on,wait=off" % path]
    with Machine(args, timeout=60) as m:
        status = m.wait_exit()
        tap.check(name, status == 0, m.transcript())


def test_tcp_wait_on():
    name = "-serial tcp:127.0.0.1:PORT,server=on,wait=on: a client reads the output"
    probe = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    probe.bind(("127.0.0.1", 0))
    port = probe.getsockname()[1]
    probe.close()
    args = base_args("hello.bin") + ["-serial", "tcp:127.0.0.1:%d,server=on,wait=on" % port]
    with Machine(args, timeout=60) as m:
        sock, err = connect_retry(socket.AF_INET, ("127.0.0.1", port), m)
        if sock is None:
            tap.fail(name, err + "\n" + m.transcript())
            return
        with sock:
            data = read_until_eof(sock, time.monotonic() + 60)
        status = m.wait_exit()
        tap.check(name, HELLO_TEXT in data and status == 0,
                  "client read: %r\n%s" % (data[:400], m.transcript()))


def test_pty():
    name = "-serial pty: announces its /dev/pts path on stderr"
    if not os.path.exists(kestrel.guest_path("demo.bin")):
        tap.skip(name, "test guest demo.bin is not built (make guests)")
        tap.skip("-serial pty: keys typed on the pty reach the guest and its echo comes back",
                 "test guest demo.bin is not built (make guests)")
        return
    with Machine(base_args("demo.bin") + ["-serial", "pty"], timeout=60) as m:
        deadline = time.monotonic() + 30
        match = None
        while time.monotonic() < deadline and m.returncode is None:
            match = re.search(r"char device redirected to (/dev/pts/\d+)", m.stderr)
            if match:
                break
            time.sleep(0.05)
        if not tap.check(name, match is not None, m.transcript()):
            tap.skip("-serial pty: keys typed on the pty reach the guest and its echo comes back",
                     "no pty path was announced")
            return
        pts = match.group(1)
        name = "-serial pty: keys typed on the pty reach the guest and its echo comes back"
        try:
            fd = os.open(pts, os.O_RDWR | os.O_NOCTTY)
        except OSError as e:
            tap.fail(name, "cannot open %s: %s\n%s" % (pts, e.strerror, m.transcript()))
            return
        try:
            tty.setraw(fd)
            data = b""
            # Let the guest reach its prompt, then type; retype once in case
            # the first keys arrived before the guest listened.
            for attempt in range(2):
                end = time.monotonic() + (3 if attempt == 0 else 1)
                while time.monotonic() < end and b"Ctrl-a x quits" not in data:
                    if select.select([fd], [], [], 0.2)[0]:
                        data += os.read(fd, 4096)
                os.write(fd, b"ptyok")
                end = time.monotonic() + 20
                while time.monotonic() < end and b"ptyok" not in data:
                    if select.select([fd], [], [], 0.2)[0]:
                        try:
                            data += os.read(fd, 4096)
                        except OSError:
                            break
                if b"ptyok" in data:
                    break
            tap.check(name, b"ptyok" in data,
                      "read from %s: %r\n%s" % (pts, data[-400:], m.transcript()))
        finally:
            os.close(fd)


def test_pipe(d):
    name = "-serial pipe:PATH: the guest output comes out of the fifo PATH.out"
    base = os.path.join(d, "serial-pipe")
    os.mkfifo(base + ".in")
    os.mkfifo(base + ".out")
    # Open our ends first, without blocking, so the emulator's opens succeed.
    rfd = os.open(base + ".out", os.O_RDONLY | os.O_NONBLOCK)
    wfd = os.open(base + ".in", os.O_RDWR | os.O_NONBLOCK)
    try:
        with Machine(base_args("hello.bin") + ["-serial", "pipe:" + base], timeout=60) as m:
            data = b""
            end = time.monotonic() + 60
            while time.monotonic() < end and HELLO_TEXT.encode() not in data:
                if select.select([rfd], [], [], 0.2)[0]:
                    chunk = os.read(rfd, 4096)
                    if not chunk and m.returncode is not None:
                        break
                    data += chunk
                elif m.returncode is not None and not data:
                    time.sleep(0.1)
            status = m.wait_exit()
            tap.check(name, HELLO_TEXT.encode() in data and status == 0,
                      "read from %s.out: %r\n%s" % (base, data[-400:], m.transcript()))
    finally:
        os.close(rfd)
        os.close(wfd)


def test_null():
    name = "-serial null: exits 0 and prints no guest output"
    with Machine(base_args("hello.bin") + ["-serial", "null"], timeout=60) as m:
        status = m.wait_exit()
        tap.check(name, status == 0 and HELLO_TEXT not in m.output and not m.output.strip(),
                  m.transcript())


def main():
    usable, why = kestrel.kvm_usable()
    exe = kestrel.binary()
    hello = kestrel.guest_path("hello.bin")
    if not usable or not os.access(exe, os.X_OK) or not os.path.exists(hello):
        if not usable:
            reason = why
        elif not os.access(exe, os.X_OK):
            reason = "%s is not built (make)" % exe
        else:
            reason = "test guest %s is not built (make guests)" % hello
        for what in ("-serial file:PATH", "-chardev socket,server=on,wait=on",
                     "-serial unix:PATH,server=on,wait=off", "-serial pipe:PATH", "-serial tcp:...,server=on,wait=on",
                     "-serial pty", "-serial null"):
            tap.skip(what, reason)
        return tap.finish()
    with tempfile.TemporaryDirectory(prefix="kestrel-chardev-") as d:
        test_file(d)
        test_unix_wait_on(d)
        test_unix_wait_off(d)
        test_pipe(d)
    test_tcp_wait_on()
    test_pty()
    test_null()
    return tap.finish()


if __name__ == "__main__":
    sys.exit(main())
