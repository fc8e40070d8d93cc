#!/usr/bin/env python3
# tests/functional/test_qmp.py: drives a running guest through the QMP monitor
# with the test suite's client (qmp_client.py) and with socat: the greeting
# and capabilities negotiation, the query commands, query-cpus-fast thread
# ids against /proc, stop/cont while the counter guest (counter.bin) prints
# (no output while stopped, vCPU threads parked), system_reset (the guest
# boots again), system_powerdown (ACPI power button: the guest powers off,
# exit 0), the order of the events, -S and cont, quit, the error cases (bad
# JSON, unknown commands and members, wrong types, a lexical-error reset),
# a client that disconnects mid-message, a message over the 1 MiB bound,
# thousands of pipelined commands, a client that never reads, several
# clients at once, -daemonize, and -no-shutdown with a signal. Prints TAP; everything is skipped (with
# the reason) when /dev/kvm cannot be used.

import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import kestrel  # noqa: E402
from kestrel import Machine, Tap, guest_path  # noqa: E402
from qmp_client import QMPClient, wait_for_path  # noqa: E402

TIMEOUT = 60
COUNTER = guest_path("counter.bin")
BASE = ["-M", "microvm", "-m", "64M", "-accel", "kvm", "-bios", COUNTER]

TESTS = [
    "greeting: version, package, no capabilities",
    "commands are refused before qmp_capabilities; negotiation happens once",
    "query-version, query-commands, query-status, query-kvm, query-target, query-name, "
    "query-uuid, query-machines, query-block, query-chardev, query-memory-size-summary",
    "device-list-properties, qom-list-types, balloon, human-monitor-command",
    "query-cpus-fast: thread ids are this process's vCPU threads",
    "stop: STOP event, no guest output while stopped, vCPU threads parked",
    "cont: RESUME event and the counter goes on",
    "system_reset: RESET event and the guest boots again",
    "system_powerdown: POWERDOWN, the guest powers off, SHUTDOWN guest-shutdown, exit 0",
    "events arrive in order with timestamps",
    "-S: prelaunch and no output until cont",
    "quit: reply, SHUTDOWN host-qmp-quit, exit 0, socket removed",
    "error cases answered, the session and the guest go on",
    "a client that disconnects mid-message; the next one starts afresh",
    "a message over 1 MiB: error, the client is dropped, the server lives",
    "5000 pipelined commands all answered in order",
    "a client that never reads stalls only itself",
    "several clients at once (unix, tcp, -chardev socket + -mon) all get events",
    "socat drives QMP over unix and tcp sockets",
    "-daemonize returns once the QMP socket exists",
    "-no-shutdown: SHUTDOWN then STOP; cont refused until system_reset; SIGTERM: host-signal",
]

tap = Tap()
scratch = tempfile.mkdtemp(prefix="kestrel-qmp-")


def skip_all(reason):
    for name in TESTS:
        tap.skip(name, reason)
    sys.exit(tap.finish())


def sock_path(name):
    return os.path.join(scratch, name)


def free_tcp_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def counts(text):
    """The counter values the guest printed in TEXT."""
    return [int(n) for n in re.findall(r"count (\d+)", text)]


def new_counts(m, mark):
    return counts(m.output_bytes[mark:].decode(errors="replace"))


def vcpu_syscalls(pid, tids):
    """{tid: syscall number} from /proc (None if unreadable)."""
    out = {}
    for tid in tids:
        try:
            with open("/proc/%d/task/%d/syscall" % (pid, tid)) as f:
                out[tid] = int(f.read().split()[0])
        except (OSError, ValueError, IndexError):
            return None
    return out


class Checks:
    """Collects the problems of one test; ok if there are none."""

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


def error_class(r):
    return r.get("error", {}).get("class")


def error_desc(r):
    return r.get("error", {}).get("desc", "")


# ----------------------------------------------------------------------------

def test_lifecycle():
    """One guest: tests 1-10."""
    qmp = sock_path("a.sock")
    disk = sock_path("disk.img")
    with open(disk, "wb") as f:
        f.truncate(1 << 20)
    args = BASE + ["-smp", "2", "-name", "qmptest", "-qmp", "unix:%s,server=on,wait=off" % qmp,
                   "-drive", "file=%s,format=raw,if=none,id=disk0,readonly=on" % disk]
    with Machine(args, timeout=TIMEOUT) as m:
        if not m.wait_for("count 2"):
            for name in TESTS[:10]:
                tap.fail(name, "the counter guest did not start\n" + m.transcript())
            return
        c = QMPClient(qmp)

        # 1. greeting
        ck = Checks()
        g = c.greeting.get("QMP", {})
        ver = g.get("version", {})
        q = ver.get("qemu", {})
        ck.expect(set(q) == {"major", "minor", "micro"}, "greeting qemu version: %r" % g)
        ck.expect("%s.%s.%s" % (q.get("major"), q.get("minor"), q.get("micro")) ==
                  open(os.path.join(kestrel.REPO_ROOT, "VERSION")).read().strip(),
                  "greeting version is not Kestrel's: %r" % g)
        ck.expect(ver.get("package", "").startswith("kestrel-"), "package: %r" % ver)
        ck.expect(g.get("capabilities") == [], "capabilities: %r" % g)
        ck.report(TESTS[0], m)

        # 2. negotiation
        ck = Checks()
        r = c.cmd("query-status", id="early")
        ck.expect(error_class(r) == "CommandNotFound" and r.get("id") == "early" and
                  "qmp_capabilities" in error_desc(r), "before negotiation: %r" % r)
        r = c.cmd("qmp_capabilities", {"enable": ["oob"]})
        ck.expect(error_class(r) == "GenericError", "enable oob: %r" % r)
        ck.expect(c.cmd("qmp_capabilities") == {"return": {}}, "negotiation failed")
        r = c.cmd("qmp_capabilities")
        ck.expect(error_class(r) == "CommandNotFound", "second negotiation: %r" % r)
        ck.report(TESTS[1], m)

        # 3. queries
        ck = Checks()
        r = c.cmd("query-version")
        ck.expect(r.get("return") == ver, "query-version %r vs greeting %r" % (r, ver))
        names = {x["name"] for x in c.cmd("query-commands").get("return", [])}
        wanted = {"qmp_capabilities", "query-version", "query-commands", "query-status", "stop",
                  "cont", "system_reset", "system_powerdown", "quit", "query-cpus-fast",
                  "query-kvm", "query-machines", "query-target", "query-name", "query-uuid",
                  "query-block", "query-chardev", "query-memory-size-summary",
                  "human-monitor-command", "device-list-properties", "qom-list-types",
                  "balloon", "query-balloon"}
        ck.expect(wanted <= names, "query-commands lacks %s" % sorted(wanted - names))
        ck.expect(c.cmd("query-status") == {"return": {"running": True, "status": "running"}},
                  "query-status while running")
        ck.expect(c.cmd("query-kvm") == {"return": {"enabled": True, "present": True}},
                  "query-kvm")
        ck.expect(c.cmd("query-target") == {"return": {"arch": "x86_64"}}, "query-target")
        ck.expect(c.cmd("query-name") == {"return": {"name": "qmptest"}}, "query-name")
        r = c.cmd("query-uuid")
        ck.expect(re.fullmatch(r"[0-9a-f]{8}(-[0-9a-f]{4}){3}-[0-9a-f]{12}",
                               r.get("return", {}).get("UUID", "")), "query-uuid: %r" % r)
        machines = {x["name"]: x for x in c.cmd("query-machines").get("return", [])}
        mv = machines.get("microvm", {})
        ck.expect(mv.get("is-default") is True and mv.get("cpu-max", 0) >= 2 and
                  "deprecated" in mv, "query-machines microvm: %r" % mv)
        blocks = c.cmd("query-block").get("return", [])
        ins = blocks[0].get("inserted", {}) if len(blocks) == 1 else {}
        ck.expect(len(blocks) == 1 and blocks[0].get("device") == "disk0" and
                  ins.get("file") == disk and ins.get("ro") is True and ins.get("drv") == "raw"
                  and ins.get("image", {}).get("virtual-size") == 1 << 20,
                  "query-block: %r" % blocks)
        chardevs = {x["label"]: x for x in c.cmd("query-chardev").get("return", [])}
        ck.expect("serial0" in chardevs and chardevs["serial0"]["frontend-open"] is True,
                  "query-chardev serial0: %r" % chardevs)
        mon = chardevs.get("compat_monitor0", {})
        ck.expect(mon.get("filename", "").startswith("unix:" + qmp), "query-chardev "
                  "compat_monitor0: %r" % mon)
        ck.expect(c.cmd("query-memory-size-summary") == {"return": {"base-memory": 64 << 20}},
                  "query-memory-size-summary")
        ck.report(TESTS[2], m)

        # 4. introspection, balloon, HMP passthrough
        ck = Checks()
        props = {p["name"]: p for p in c.cmd("device-list-properties",
                                             {"typename": "isa-serial"}).get("return", [])}
        ck.expect(props.get("iobase", {}).get("type") == "uint32" and "chardev" in props,
                  "device-list-properties isa-serial: %r" % props)
        r = c.cmd("device-list-properties", {"typename": "no-such-device"})
        ck.expect(error_class(r) == "DeviceNotFound", "unknown typename: %r" % r)
        r = c.cmd("device-list-properties", {"typename": "device"})
        ck.expect(error_class(r) == "GenericError", "abstract typename: %r" % r)
        types = {t["name"]: t for t in c.cmd("qom-list-types",
                                             {"implements": "device"}).get("return", [])}
        ck.expect("isa-serial" in types and "device" not in types, "qom-list-types: %r" % types)
        types = {t["name"]: t for t in c.cmd("qom-list-types",
                                             {"abstract": True}).get("return", [])}
        ck.expect(types.get("device", {}).get("abstract") is True,
                  "qom-list-types abstract=true: %r" % types.get("device"))
        for cmd, args in (("balloon", {"value": 1 << 20}), ("query-balloon", None)):
            r = c.cmd(cmd, args)
            ck.expect(error_class(r) == "DeviceNotActive", "%s: %r" % (cmd, r))
        ck.expect(c.hmp("info status") == "VM status: running\r\n", "hmp info status")
        r = c.cmd("human-monitor-command", {"command-line": "info cpus", "cpu-index": 1})
        ck.expect(re.search(r"\* CPU #1: thread_id=\d+", r.get("return", "")),
                  "info cpus with cpu-index 1: %r" % r)
        r = c.cmd("human-monitor-command", {"command-line": "info status", "cpu-index": 9})
        ck.expect(error_class(r) == "GenericError", "bad cpu-index: %r" % r)
        ck.report(TESTS[3], m)

        # 5. query-cpus-fast
        ck = Checks()
        cpus = c.cmd("query-cpus-fast").get("return", [])
        tasks = set(int(t) for t in os.listdir("/proc/%d/task" % m.pid))
        tids = [x.get("thread-id") for x in cpus]
        ck.expect(len(cpus) == 2, "expected 2 vCPUs: %r" % cpus)
        ck.expect(len(set(tids)) == len(tids) and set(tids) <= tasks and m.pid not in tids,
                  "thread ids %r are not distinct threads of pid %d (tasks %r)" %
                  (tids, m.pid, sorted(tasks)))
        for i, x in enumerate(cpus):
            ck.expect(x.get("cpu-index") == i and x.get("target") == "x86_64" and
                      x.get("qom-path", "").startswith("/machine/") and
                      x.get("props") == {"socket-id": i, "core-id": 0, "thread-id": 0},
                      "query-cpus-fast entry %d: %r" % (i, x))
            try:
                with open("/proc/%d/task/%d/comm" % (m.pid, x.get("thread-id"))) as f:
                    comm = f.read().strip()
                ck.expect(comm == "CPU %d/kvm" % i, "thread %r is named %r" % (x, comm))
            except (OSError, TypeError):
                ck.expect(False, "no /proc entry for vCPU thread %r" % x)
        ck.report(TESTS[4], m)

        # 6. stop
        ck = Checks()
        r = c.cmd("stop")
        ck.expect(r == {"return": {}}, "stop: %r" % r)
        ck.expect(c.wait_event("STOP", 5) is not None, "no STOP event")
        time.sleep(0.3)     # a line the UART was sending may still arrive
        mark = m.mark()
        ck.expect(c.cmd("query-status") == {"return": {"running": False, "status": "paused"}},
                  "query-status while stopped")
        calls = vcpu_syscalls(m.pid, tids)
        if calls is not None:
            # Parked vCPUs wait on the BQL condition (futex), not in ioctl(KVM_RUN).
            ck.expect(all(n != 16 for n in calls.values()), "vCPU threads still in ioctl "
                      "(KVM_RUN) while stopped: %r" % calls)
        time.sleep(1.5)
        ck.expect(new_counts(m, mark) == [], "the guest printed while stopped: %r" %
                  new_counts(m, mark))
        ck.expect(c.hmp("info status") == "VM status: paused\r\n", "hmp info status paused")
        r = c.cmd("stop")
        ck.expect(r == {"return": {}} and c.wait_event("STOP", 0.5) is None,
                  "a second stop must do nothing: %r" % r)
        ck.report(TESTS[5], m)

        # 7. cont
        ck = Checks()
        before = counts(m.output)
        ck.expect(c.cmd("cont") == {"return": {}}, "cont failed")
        ck.expect(c.wait_event("RESUME", 5) is not None, "no RESUME event")
        ck.expect(m.wait_for("count %d" % (max(before) + 2), timeout=10, after=mark),
                  "the counter did not go on after cont")
        ck.expect(c.cmd("query-status") == {"return": {"running": True, "status": "running"}},
                  "query-status after cont")
        ck.report(TESTS[6], m)

        # 8. system_reset
        ck = Checks()
        mark = m.mark()
        ck.expect(c.cmd("system_reset") == {"return": {}}, "system_reset failed")
        ev = c.wait_event("RESET", 5)
        ck.expect(ev is not None and ev.get("data") == {"guest": False,
                                                        "reason": "host-qmp-system-reset"},
                  "RESET event: %r" % ev)
        ck.expect(m.wait_for("counter: boot", timeout=10, after=mark) and
                  m.wait_for("count 1\r\n", timeout=10, after=mark),
                  "the guest did not boot again")
        ck.report(TESTS[7], m)

        # 9. system_powerdown
        ck = Checks()
        ck.expect(c.cmd("system_powerdown") == {"return": {}}, "system_powerdown failed")
        ev = c.wait_event("POWERDOWN", 5)
        ck.expect(ev is not None and "data" not in ev, "POWERDOWN event: %r" % ev)
        ev = c.wait_event("SHUTDOWN", 15)
        ck.expect(ev is not None and ev.get("data") == {"guest": True,
                                                        "reason": "guest-shutdown"},
                  "SHUTDOWN event: %r" % ev)
        ck.expect(m.wait_for("counter: power button", timeout=5), "the guest did not see the "
                  "power button")
        status = m.wait_exit(15)
        ck.expect(status == 0, "exit status %r, expected 0" % status)
        ck.expect(c.closed_by_peer(), "the QMP connection stayed open after exit")
        ck.report(TESTS[8], m)

        # 10. order: every event the client received, as it arrived
        ck = Checks()
        events = c.log
        names = [e["event"] for e in events]
        ck.expect(names == ["STOP", "RESUME", "RESET", "POWERDOWN", "SHUTDOWN"],
                  "events in order %r" % names)
        stamps = []
        for e in events:
            ts = (e or {}).get("timestamp", {})
            ok = (isinstance(ts.get("seconds"), int) and
                  isinstance(ts.get("microseconds"), int) and 0 <= ts["microseconds"] < 10**6)
            ck.expect(ok, "bad timestamp in %r" % e)
            stamps.append((ts.get("seconds", 0), ts.get("microseconds", 0)))
        ck.expect(stamps == sorted(stamps), "timestamps go back: %r" % stamps)
        ck.expect(stamps and abs(stamps[0][0] - time.time()) < 120,
                  "timestamps are not wall-clock time")
        ck.report(TESTS[9], m)
        c.close()


def test_prelaunch_and_quit():
    qmp = sock_path("s.sock")
    with Machine(BASE + ["-S", "-qmp", "unix:%s,server=on,wait=off" % qmp],
                 timeout=TIMEOUT) as m:
        c = QMPClient(qmp)
        c.negotiate()
        ck = Checks()
        ck.expect(c.cmd("query-status") == {"return": {"running": False,
                                                       "status": "prelaunch"}},
                  "query-status with -S")
        ck.expect(c.hmp("info status") == "VM status: paused (prelaunch)\r\n",
                  "hmp info status with -S")
        time.sleep(1)
        ck.expect("counter" not in m.output, "output before cont: %r" % m.output)
        ck.expect(c.cmd("cont") == {"return": {}}, "cont")
        ck.expect(c.wait_event("RESUME", 5) is not None, "no RESUME")
        ck.expect(m.wait_for("count 1", timeout=15), "the guest did not start on cont")
        ck.report(TESTS[10], m)

        ck = Checks()
        ck.expect(c.cmd("quit", id=5) == {"return": {}, "id": 5}, "quit")
        ev = c.wait_event("SHUTDOWN", 5)
        ck.expect(ev is not None and ev.get("data") == {"guest": False,
                                                        "reason": "host-qmp-quit"},
                  "SHUTDOWN event: %r" % ev)
        status = m.wait_exit(10)
        ck.expect(status == 0, "exit status %r" % status)
        ck.expect(not os.path.exists(qmp), "socket %s left behind" % qmp)
        ck.report(TESTS[11], m)
        c.close()


def test_bad_input():
    qmp, qmp2 = sock_path("b.sock"), sock_path("b2.sock")
    args = BASE + ["-qmp", "unix:%s,server=on,wait=off" % qmp,
                   "-qmp", "unix:%s,server=on,wait=off" % qmp2]
    with Machine(args, timeout=TIMEOUT) as m:
        if not m.wait_for("count 1"):
            for name in TESTS[12:17]:
                tap.fail(name, "the counter guest did not start\n" + m.transcript())
            return
        c = QMPClient(qmp)
        c.negotiate()

        # 13. error cases
        ck = Checks()
        # One command in two writes is answered once complete.
        c.send_raw(b'{"execute": "query-status"')
        time.sleep(0.2)
        c.send_raw(b', "id": 1}\n')
        r = c.reply(5)
        ck.expect(r == {"return": {"running": True, "status": "running"}, "id": 1},
                  "split command: %r" % r)
        cases = [
            (b'{"execute": "no-such-command", "id": 2}', "CommandNotFound",
             "The command no-such-command has not been found"),
            (b'{"execute" "query-status"}', "GenericError", "JSON parse error"),
            (b'[1, 2, 3]', "GenericError", "QMP input must be a JSON object"),
            (b'{"execute": "query-status", "bogus": 1}', "GenericError",
             "QMP input member 'bogus' is unexpected"),
            (b'{"execute": ["stop"]}', "GenericError",
             "QMP input member 'execute' must be a string"),
            (b'{"execute": "query-status", "arguments": 1}', "GenericError",
             "QMP input member 'arguments' must be an object"),
            (b'{"id": 7}', "GenericError", "QMP input lacks member 'execute'"),
            (b'{"execute": "query-status", "arguments": {"x": 1}}', "GenericError",
             "Parameter 'x' is unexpected"),
            (b'{"execute": "human-monitor-command", "arguments": {"command-line": 5}}',
             "GenericError", "Invalid parameter type for 'command-line', expected: string"),
            (b'{"execute": "human-monitor-command"}', "GenericError",
             "Parameter 'command-line' is missing"),
            (b'{"execute": "balloon", "arguments": {"value": "big"}}', "GenericError",
             "Invalid parameter type for 'value', expected: integer"),
            (b'{"execute": "stop", "arguments": {"enable": [[[\xff', "GenericError",
             "invalid character 0xff"),
        ]
        for data, cls, desc in cases:
            c.send_raw(data)
            r = c.reply(5)
            ck.expect(error_class(r) == cls and desc in error_desc(r),
                      "%r -> %r, expected %s %r" % (data, r, cls, desc))
        c2 = QMPClient(qmp2)
        c2.negotiate()
        r = c.cmd("query-status", id="after")
        ck.expect(r == {"return": {"running": True, "status": "running"}, "id": "after"},
                  "after the errors: %r" % r)
        ck.expect(c2.cmd("query-status")["return"]["running"], "guest stopped by bad input")
        mark = m.mark()
        ck.expect(m.wait_for("count", timeout=5, after=mark), "the guest stopped counting")
        ck.report(TESTS[12], m)
        c.close()

        # 14. disconnect mid-message
        ck = Checks()
        c = QMPClient(qmp)
        c.negotiate()
        c.send_raw(b'{"execute": "stop", "argum')
        c.close()
        c = QMPClient(qmp)
        ck.expect("QMP" in c.greeting, "no greeting for the next client")
        r = c.cmd("query-status")
        ck.expect(error_class(r) == "CommandNotFound", "the next client is not back in "
                  "negotiation mode: %r" % r)
        c.negotiate()
        r = c.cmd("query-status")
        ck.expect(r == {"return": {"running": True, "status": "running"}},
                  "after a half message: %r" % r)
        ck.report(TESTS[13], m)

        # 15. over the size bound
        ck = Checks()
        big = b'{"execute": "human-monitor-command", "arguments": {"command-line": "' + \
            b"x" * (1100 * 1024) + b'"}}'
        try:
            c.send_raw(big)
        except (BrokenPipeError, ConnectionResetError):
            pass        # dropped before it all went out: fine
        try:
            r = c.recv(5)
        except (socket.timeout, ConnectionResetError):
            r = None
        ck.expect(r is not None and error_class(r) == "GenericError" and
                  "longer than" in error_desc(r), "oversized message: %r" % r)
        ck.expect(c.closed_by_peer(), "the client was not dropped")
        c.close()
        c = QMPClient(qmp)
        c.negotiate()
        ck.expect(c.cmd("query-status")["return"]["running"], "server dead after oversize")
        mark = m.mark()
        ck.expect(m.wait_for("count", timeout=5, after=mark), "the guest stopped counting")
        ck.report(TESTS[14], m)

        # 16. pipelined commands, read by a thread while they are written
        ck = Checks()
        n = 5000
        got = []

        def reader():
            while len(got) < n:
                try:
                    msg = c.recv(20)
                except socket.timeout:
                    return
                if msg is None:
                    return
                if "event" not in msg:
                    got.append(msg)

        t = threading.Thread(target=reader)
        t.start()
        start = time.monotonic()
        c.send_raw(b"".join(b'{"execute": "query-status", "id": %d}' % i for i in range(n)))
        t.join(30)
        elapsed = time.monotonic() - start
        ck.expect(len(got) == n, "%d of %d replies" % (len(got), n))
        ck.expect([r.get("id") for r in got] == list(range(n)), "replies out of order")
        ck.expect(all(r.get("return", {}).get("running") for r in got), "a reply failed")
        tap.diag("%d pipelined query-status answered in %.2f s" % (n, elapsed))
        ck.report(TESTS[15], m)

        # 17. a client that never reads
        ck = Checks()
        n = 40000
        flood = b"".join(b'{"execute": "query-status", "id": %d}' % i for i in range(n))
        c.sock.setblocking(False)
        sent, deadline = 0, time.monotonic() + 2
        while sent < len(flood) and time.monotonic() < deadline:
            try:
                sent += c.sock.send(flood[sent:sent + 65536])
            except BlockingIOError:
                time.sleep(0.01)
        ck.expect(sent < len(flood), "the server read everything without replies being read")
        t0 = time.monotonic()
        r = c2.cmd("query-status", timeout=5)
        ck.expect(r.get("return", {}).get("running") and time.monotonic() - t0 < 2,
                  "the other client waited %.2f s: %r" % (time.monotonic() - t0, r))
        mark = m.mark()
        ck.expect(m.wait_for("count", timeout=5, after=mark), "the guest stopped counting")
        # Now read (and finish sending) everything: all replies come.
        c.sock.setblocking(True)
        got = 0

        def sender():
            c.sock.sendall(flood[sent:])

        t = threading.Thread(target=sender)
        t.start()
        try:
            while got < n:
                line = c.recv_line(20)
                if not line:
                    break
                if b'"event"' not in line:
                    got += 1
        except socket.timeout:
            pass
        t.join(10)
        ck.expect(got == n, "%d of %d replies after the client read again" % (got, n))
        ck.report(TESTS[16], m)
        c.close()
        c2.close()


def test_several_clients():
    a, mon = sock_path("c1.sock"), sock_path("c3.sock")
    port = free_tcp_port()
    args = BASE + ["-qmp", "unix:%s,server=on,wait=off" % a,
                   "-qmp", "tcp:127.0.0.1:%d,server=on,wait=off" % port,
                   "-chardev", "socket,id=mon3,path=%s,server=on,wait=off" % mon,
                   "-mon", "chardev=mon3,mode=control"]
    with Machine(args, timeout=TIMEOUT) as m:
        ck = Checks()
        clients = [QMPClient(a), QMPClient(("127.0.0.1", port)), QMPClient(mon)]
        for cl in clients:
            ck.expect("QMP" in cl.greeting, "no greeting: %r" % cl.greeting)
            cl.negotiate()
        ck.expect(clients[1].cmd("stop") == {"return": {}}, "stop over tcp")
        for i, cl in enumerate(clients):
            ck.expect(cl.wait_event("STOP", 5) is not None, "client %d got no STOP" % i)
        ck.expect(clients[2].cmd("cont") == {"return": {}}, "cont over -mon")
        for i, cl in enumerate(clients):
            ck.expect(cl.wait_event("RESUME", 5) is not None, "client %d got no RESUME" % i)
        ck.report(TESTS[17], m)

        # 19. socat
        ck = Checks()
        for cl in clients[:2]:
            cl.close()
        socat = shutil.which("socat")
        if not socat:
            tap.skip(TESTS[18], "socat is not installed (Debian package socat)")
        else:
            script = (b'{"execute": "qmp_capabilities"}\n'
                      b'{"execute": "query-status", "id": "socat"}\n')
            for target in ("UNIX-CONNECT:%s" % a, "TCP:127.0.0.1:%d" % port):
                p = subprocess.run([socat, "-t", "2", "-", target], input=script,
                                   stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=20)
                lines = [json.loads(x) for x in p.stdout.splitlines() if x.strip()]
                ck.expect(len(lines) >= 3 and "QMP" in lines[0] and
                          lines[2] == {"return": {"running": True, "status": "running"},
                                       "id": "socat"},
                          "socat %s: %r %r" % (target, p.stdout, p.stderr))
            tap.check(TESTS[18], not ck.problems, "\n".join(ck.problems))
        clients[2].close()


def test_daemonize():
    qmp, pidfile = sock_path("d.sock"), sock_path("d.pid")
    args = [kestrel.binary()] + BASE + ["-qmp", "unix:%s,server=on,wait=off" % qmp,
                                        "-daemonize", "-pidfile", pidfile]
    ck = Checks()
    pid = None
    try:
        p = subprocess.run(args, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE, timeout=30)
        ck.expect(p.returncode == 0, "exit status %d: %s" % (p.returncode, p.stderr))
        ck.expect(os.path.exists(qmp), "the socket did not exist when the parent returned")
        with open(pidfile) as f:
            pid = int(f.read())
        ck.expect(os.path.exists("/proc/%d" % pid), "daemon %d is not running" % pid)
        with QMPClient(qmp) as c:
            c.negotiate()
            ck.expect(c.cmd("query-status")["return"]["running"], "daemon not running")
            c.cmd("quit")
        deadline = time.monotonic() + 10
        while os.path.exists("/proc/%d" % pid) and time.monotonic() < deadline:
            time.sleep(0.05)
        ck.expect(not os.path.exists("/proc/%d" % pid), "the daemon did not quit")
        ck.expect(not os.path.exists(pidfile), "pidfile left behind")
        r = subprocess.run([kestrel.binary()] + BASE + ["-daemonize", "-serial", "stdio"],
                           stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE, timeout=30)
        ck.expect(r.returncode == 1 and b"stdio" in r.stderr,
                  "-daemonize with stdio: %d %r" % (r.returncode, r.stderr))
    except (OSError, ValueError, subprocess.TimeoutExpired) as e:
        ck.expect(False, "%s: %s" % (type(e).__name__, e))
    finally:
        if pid and os.path.exists("/proc/%d" % pid):
            os.kill(pid, 9)
    ck.report(TESTS[19])


def test_no_shutdown():
    qmp = sock_path("n.sock")
    with Machine(BASE + ["-no-shutdown", "-qmp", "unix:%s,server=on,wait=off" % qmp],
                 timeout=TIMEOUT) as m:
        ck = Checks()
        c = QMPClient(qmp)
        c.negotiate()
        ck.expect(m.wait_for("count 1"), "the guest does not count")
        c.cmd("system_powerdown")
        ev = c.wait_event("SHUTDOWN", 15)
        ck.expect(ev and ev.get("data") == {"guest": True, "reason": "guest-shutdown"},
                  "SHUTDOWN: %r" % ev)
        ck.expect(c.wait_event("STOP", 5) is not None, "no STOP after SHUTDOWN")
        ck.expect(m.returncode is None, "the process ended despite -no-shutdown")
        ck.expect(c.cmd("query-status") == {"return": {"running": False,
                                                       "status": "shutdown"}},
                  "query-status after the guest powered off")
        r = c.cmd("cont")
        ck.expect(error_class(r) == "GenericError" and "Resetting" in error_desc(r),
                  "cont after poweroff: %r" % r)
        mark = m.mark()
        c.cmd("system_reset")
        ck.expect(c.wait_event("RESET", 5) is not None, "no RESET")
        ck.expect(c.cmd("query-status")["return"]["status"] == "prelaunch",
                  "state after the reset")
        ck.expect(c.cmd("cont") == {"return": {}}, "cont after the reset")
        ck.expect(m.wait_for("counter: boot", timeout=10, after=mark), "no new boot")
        m.proc.send_signal(signal.SIGTERM)
        ev = c.wait_event("SHUTDOWN", 5)
        ck.expect(ev and ev.get("data") == {"guest": False, "reason": "host-signal"},
                  "SHUTDOWN on SIGTERM: %r" % ev)
        ck.expect(m.wait_exit(10) == 0, "exit status %r after SIGTERM" % m.returncode)
        c.close()
        ck.report(TESTS[20], m)


def main():
    usable, why = kestrel.kvm_usable()
    if not usable:
        skip_all(why)
    for path in (kestrel.binary(), COUNTER):
        if not os.path.exists(path):
            skip_all("%s is not built (make all guests)" % path)
    try:
        test_lifecycle()
        test_prelaunch_and_quit()
        test_bad_input()
        test_several_clients()
        test_daemonize()
        test_no_shutdown()
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    return tap.finish()


if __name__ == "__main__":
    sys.exit(main())
