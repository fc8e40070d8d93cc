#!/usr/bin/env python3
# tests/functional/test_net.py: networking on the riscv64 Linux guest under TCG.
#
# The guest is the cached test kernel of tests/guests/riscv64-linux.sh with an
# initramfs of its own whose /init is tests/guests/riscv64/nettest.c (built
# here with riscv64-linux-gnu-gcc -static). It configures eth0 with ioctls,
# fetches /blob over HTTP from a Python server on the host and prints its size
# and FNV-1a hash, then serves one TCP client and powers off.
#
# 1. user networking (-nic user,hostfwd=...: the board's default virtio-net
#    model, the default MAC): the guest (10.0.2.15) fetches from 10.0.2.2:PORT,
#    which slirp maps to the host's loopback, and the host reaches the guest's
#    server through hostfwd (the reply checks the guest's transmit checksums).
# 2. tap between two network namespaces the test creates: namespace A holds
#    the tap (Kestrel runs there) bridged to one end of a veth pair, namespace B
#    the other end (10.9.0.1) with the HTTP server and the client; the guest is
#    10.9.0.2 with a MAC given by mac=. Skipped with the reason when namespaces,
#    tap or bridges are unavailable (not root, no /dev/net/tun, no ip(8)).
#
# Prints SKIP with the reason when the riscv64 binary, the cross compiler or
# the guest kernel is missing.

import functools
import http.server
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from kestrel import (Machine, Tap, binary, riscv64_linux, REPO_ROOT,  # noqa: E402
                     NewcWriter)

BIN = binary("riscv64")
CROSS = "riscv64-linux-gnu-gcc"
BOOT_TIMEOUT = 180
REPLY_BYTES = 200000
MARK = "knet: "


def fnv1a(data):
    h = 0xcbf29ce484222325
    for b in data:
        h = ((h ^ b) * 0x100000001b3) & 0xffffffffffffffff
    return "%016x" % h


def expected_reply(line):
    pattern = bytes(ord("a") + (i * 7 + i // 251) % 26 for i in range(REPLY_BYTES))
    return b"echo " + line + pattern


def build_initrd(tmp):
    """The nettest program as /init in a gzip'd newc archive; returns its path."""
    import gzip
    import io
    src = os.path.join(REPO_ROOT, "tests", "guests", "riscv64", "nettest.c")
    exe = os.path.join(tmp, "nettest")
    subprocess.run([CROSS, "-static", "-O2", "-Wall", "-Wextra", "-o", exe, src], check=True,
                   stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    raw = io.BytesIO()
    w = NewcWriter(raw)
    for d in ("dev", "proc", "sys"):
        w.add_dir(d)
    w.add_chardev("dev/console", 5, 1)
    with open(exe, "rb") as f:
        w.add_file("init", f.read(), 0o755)
    w.finish()
    path = os.path.join(tmp, "initrd.gz")
    with open(path, "wb") as f:
        f.write(gzip.compress(raw.getvalue(), mtime=0))
    return path


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


def start_http(directory, addr):
    handler = functools.partial(QuietHandler, directory=directory)
    srv = http.server.ThreadingHTTPServer((addr, 0), handler)
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    return srv


def talk(addr, port, line, timeout=60):
    """Connects to the guest's server, sends LINE, returns everything it answers."""
    with socket.create_connection((addr, port), timeout=timeout) as s:
        s.sendall(line)
        out = bytearray()
        while True:
            chunk = s.recv(65536)
            if not chunk:
                return bytes(out)
            out += chunk


def wait_line(m, prefix, timeout=BOOT_TIMEOUT):
    """Waits for a whole console line starting with PREFIX; returns it or ""."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for x in m.output.splitlines(keepends=True):
            if x.startswith(prefix) and x.endswith("\n"):
                return x.strip()
        if m.returncode is not None or not m.wait_for(prefix, timeout=max(
                0.1, deadline - time.monotonic())):
            break
        time.sleep(0.05)
    return ""


def check_guest(tap, name, m, blob):
    """Waits for the HTTP line and checks it."""
    line = wait_line(m, MARK + "get ")
    want = "%sget %d bytes fnv %s" % (MARK, len(blob), fnv1a(blob))
    tap.check("%s: the guest fetches a %d-byte file over HTTP intact" % (name, len(blob)),
              line == want,
              "want: %s\ngot:  %s\n%s" % (want, line, m.transcript(30)))


def check_server(tap, name, m, connect):
    """The host client talks to the guest's server; then the guest powers off."""
    listening = m.wait_for(MARK + "listening", timeout=60)
    reply = b""
    err = ""
    if listening:
        try:
            reply = connect(b"hello from the host\n")
        except OSError as e:
            err = str(e)
    want = expected_reply(b"hello from the host\n")
    tap.check("%s: a host client gets %d bytes from the guest's TCP server" % (name, len(want)),
              reply == want, "error: %s; got %d bytes (want %d)\n%s" % (
                  err, len(reply), len(want), m.transcript(30)))
    m.wait_exit(timeout=60)
    tap.check("%s: the guest finishes and powers off" % name,
              MARK + "done" in m.output and m.returncode == 0, m.transcript(30))


def test_user(tap, guest, initrd, blob_dir, blob):
    srv = start_http(blob_dir, "127.0.0.1")
    hport = free_port()
    append = ("console=ttyS0 panic=-1 knet.addr=10.0.2.15 knet.gw=10.0.2.2 "
              "knet.get=10.0.2.2:%d knet.listen=8080" % srv.server_address[1])
    args = ["-M", "virt", "-m", "256M", "-nographic", "-no-reboot", "-kernel", guest["kernel"],
            "-initrd", initrd, "-append", append,
            "-nic", "user,hostfwd=tcp:127.0.0.1:%d-:8080" % hport]
    name = "user"
    try:
        with Machine(args, timeout=BOOT_TIMEOUT, binary=BIN) as m:
            line = wait_line(m, MARK + "eth0 ")
            tap.check("%s: eth0 is up with the default MAC 52:54:00:12:34:56" % name,
                      line.endswith("mac 52:54:00:12:34:56"), m.transcript(30))
            check_guest(tap, name, m, blob)
            check_server(tap, name, m, lambda line: talk("127.0.0.1", hport, line))
    finally:
        srv.shutdown()


def ns(name, *cmd):
    return ["ip", "netns", "exec", name] + list(cmd)


def sh(*cmd):
    return subprocess.run(list(cmd), stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                          timeout=30)


def tap_unavailable():
    if os.geteuid() != 0:
        return "not root (network namespaces and tap need CAP_NET_ADMIN)"
    if not shutil.which("ip"):
        return "ip(8) is not installed (Debian package iproute2)"
    if not os.path.exists("/dev/net/tun"):
        return "/dev/net/tun does not exist"
    return None


def setup_namespaces(a, b):
    """A: tap0 + veth-a on bridge br0; B: veth-b 10.9.0.1/24. Returns an error or None."""
    steps = [
        ["ip", "netns", "add", a],
        ["ip", "netns", "add", b],
        ["ip", "link", "add", "kveth-a", "netns", a, "type", "veth", "peer", "name", "kveth-b",
         "netns", b],
        ns(a, "ip", "tuntap", "add", "dev", "ktap0", "mode", "tap"),
        ns(a, "ip", "link", "add", "br0", "type", "bridge"),
        ns(a, "ip", "link", "set", "ktap0", "master", "br0"),
        ns(a, "ip", "link", "set", "kveth-a", "master", "br0"),
        ns(a, "ip", "link", "set", "ktap0", "up"),
        ns(a, "ip", "link", "set", "kveth-a", "up"),
        ns(a, "ip", "link", "set", "br0", "up"),
        ns(b, "ip", "addr", "add", "10.9.0.1/24", "dev", "kveth-b"),
        ns(b, "ip", "link", "set", "kveth-b", "up"),
        ns(b, "ip", "link", "set", "lo", "up"),
    ]
    for cmd in steps:
        r = sh(*cmd)
        if r.returncode != 0:
            return "%s: %s" % (" ".join(cmd), r.stdout.decode(errors="replace").strip())
    return None


def test_tap(tap, guest, initrd, blob_dir, blob):
    names = ["tap: eth0 has the MAC given by mac=",
             "tap: the guest fetches a %d-byte file over HTTP intact" % len(blob),
             "tap: a host client gets %d bytes from the guest's TCP server"
             % len(expected_reply(b"hello from the host\n")),
             "tap: the guest finishes and powers off"]
    reason = tap_unavailable()
    a, b = "kestrel-net-a%d" % os.getpid(), "kestrel-net-b%d" % os.getpid()
    if not reason:
        reason = setup_namespaces(a, b)
    procs = []
    try:
        if reason:
            for n in names:
                tap.skip(n, "tap networking is unavailable: %s" % reason)
            return
        # The HTTP server runs in namespace B: a child Python process.
        hport = free_port()
        srv = subprocess.Popen(ns(b, sys.executable, "-m", "http.server", "--bind", "10.9.0.1",
                                  "--directory", blob_dir, str(hport)),
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        procs.append(srv)
        append = ("console=ttyS0 panic=-1 knet.addr=10.9.0.2 knet.gw=10.9.0.1 "
                  "knet.get=10.9.0.1:%d knet.listen=8080" % hport)
        args = ["-M", "virt", "-m", "256M", "-nographic", "-no-reboot",
                "-kernel", guest["kernel"], "-initrd", initrd, "-append", append,
                "-netdev", "tap,id=t0,ifname=ktap0,script=no,downscript=no",
                "-device", "virtio-net-device,netdev=t0,mac=52:54:00:aa:bb:01"]
        m = Machine(["netns", "exec", a, BIN] + args, timeout=BOOT_TIMEOUT,
                    binary=shutil.which("ip"))
        with m:
            line = wait_line(m, MARK + "eth0 ")
            tap.check(names[0], line.endswith("mac 52:54:00:aa:bb:01"), m.transcript(30))
            check_guest(tap, "tap", m, blob)

            def connect(line):
                r = subprocess.run(ns(b, sys.executable, "-c", CLIENT, line.decode()),
                                   stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=90)
                if r.returncode:
                    raise OSError(r.stderr.decode(errors="replace").strip())
                return r.stdout
            check_server(tap, "tap", m, connect)
    finally:
        for p in procs:
            p.kill()
            p.wait()
        sh("ip", "netns", "del", a)
        sh("ip", "netns", "del", b)


# The host client of the tap test, run inside namespace B.
CLIENT = """
import socket, sys
s = socket.create_connection(("10.9.0.2", 8080), timeout=60)
s.sendall(sys.argv[1].encode())
out = bytearray()
while True:
    c = s.recv(65536)
    if not c:
        break
    out += c
sys.stdout.buffer.write(out)
"""


def main():
    tap = Tap()
    if not os.path.exists(BIN):
        print("1..0 # SKIP %s is not built (./configure --target-list=x86_64,riscv64)" % BIN)
        return 0
    if not shutil.which(CROSS):
        print("1..0 # SKIP %s is not installed (Debian package gcc-riscv64-linux-gnu)" % CROSS)
        return 0
    try:
        guest = riscv64_linux()
    except RuntimeError as e:
        print("1..0 # SKIP the riscv64 guest kernel is not available: %s"
              % str(e).splitlines()[0])
        return 0
    with tempfile.TemporaryDirectory(prefix="kestrel-net-") as tmp:
        try:
            initrd = build_initrd(tmp)
        except subprocess.CalledProcessError as e:
            tap.fail("the guest program builds", e.stdout.decode(errors="replace"))
            return tap.finish()
        blob = bytes((i * 131 + (i >> 9)) & 0xff for i in range(300000))
        blob_dir = os.path.join(tmp, "www")
        os.mkdir(blob_dir)
        with open(os.path.join(blob_dir, "blob"), "wb") as f:
            f.write(blob)
        test_user(tap, guest, initrd, blob_dir, blob)
        test_tap(tap, guest, initrd, blob_dir, blob)
    return tap.finish()


if __name__ == "__main__":
    sys.exit(main())
