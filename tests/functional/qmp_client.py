# tests/functional/qmp_client.py: a small QMP client for Kestrel's
# functional tests (Python 3 standard library only).
#
#     c = QMPClient("/tmp/qmp.sock")          # or QMPClient(("127.0.0.1", 4444))
#     c.greeting["QMP"]["version"]
#     c.negotiate()
#     c.cmd("query-status")                   # -> {"return": {...}} or {"error": ...}
#     c.wait_event("STOP")
#
# Replies and events are told apart as they arrive: cmd() returns the next
# reply and keeps the events that came before it in self.events, where
# wait_event() looks first; self.log keeps every event in arrival order.
# Messages are one JSON text per line (Kestrel's replies are single-line
# unless pretty=on).

import json
import os
import socket
import time


class QMPError(Exception):
    pass


class QMPClient:
    def __init__(self, address, timeout=10.0, connect_timeout=10.0):
        """Connects to ADDRESS (a unix socket path, or a (host, port) pair),
        retrying until CONNECT_TIMEOUT while the server is not there yet, and
        reads the greeting."""
        self.timeout = timeout
        self.events = []
        self.log = []
        self._buf = b""
        self.sock = self._connect(address, connect_timeout)
        self.sock.settimeout(timeout)
        self.greeting = self.recv()

    @staticmethod
    def _connect(address, connect_timeout):
        deadline = time.monotonic() + connect_timeout
        while True:
            if isinstance(address, str):
                s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            else:
                s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            try:
                s.connect(address)
                return s
            except OSError:
                s.close()
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.05)

    def close(self):
        try:
            self.sock.close()
        except OSError:
            pass

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
        return False

    # -- raw I/O -------------------------------------------------------------

    def send_raw(self, data):
        """Sends bytes (or str) as they are."""
        if isinstance(data, str):
            data = data.encode()
        self.sock.sendall(data)

    def send(self, obj):
        self.send_raw(json.dumps(obj) + "\n")

    def recv_line(self, timeout=None):
        """The next line (bytes, without the newline); b"" at end of file.
        Raises socket.timeout when nothing complete arrives in time."""
        deadline = time.monotonic() + (self.timeout if timeout is None else timeout)
        while b"\n" not in self._buf:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise socket.timeout("no complete QMP message in time")
            self.sock.settimeout(remaining)
            chunk = self.sock.recv(65536)
            if not chunk:
                line, self._buf = self._buf, b""
                return line
            self._buf += chunk
        line, self._buf = self._buf.split(b"\n", 1)
        return line

    def recv(self, timeout=None):
        """The next message (dict); None at end of file."""
        line = self.recv_line(timeout)
        if not line:
            return None
        msg = json.loads(line)
        if "event" in msg:
            self.log.append(msg)
        return msg

    def closed_by_peer(self, timeout=5.0):
        """True if the server closes the connection (after any pending lines):
        end of file, or a reset when it closed with our input still unread."""
        deadline = time.monotonic() + timeout
        try:
            while time.monotonic() < deadline:
                if self.recv_line(max(0.01, deadline - time.monotonic())) == b"":
                    return True
        except socket.timeout:
            return False
        except ConnectionResetError:
            return True
        return False

    # -- protocol ------------------------------------------------------------

    def reply(self, timeout=None):
        """The next reply; events met on the way go to self.events."""
        while True:
            msg = self.recv(timeout)
            if msg is None:
                raise QMPError("connection closed while waiting for a reply")
            if "event" in msg:
                self.events.append(msg)
                continue
            return msg

    def cmd(self, name, arguments=None, id=None, timeout=None):
        req = {"execute": name}
        if arguments is not None:
            req["arguments"] = arguments
        if id is not None:
            req["id"] = id
        self.send(req)
        return self.reply(timeout)

    def negotiate(self):
        r = self.cmd("qmp_capabilities")
        if "return" not in r:
            raise QMPError("qmp_capabilities failed: %r" % r)
        return r

    def hmp(self, command_line, cpu_index=None):
        args = {"command-line": command_line}
        if cpu_index is not None:
            args["cpu-index"] = cpu_index
        r = self.cmd("human-monitor-command", args)
        if "return" not in r:
            raise QMPError("human-monitor-command %r failed: %r" % (command_line, r))
        return r["return"]

    def wait_event(self, name, timeout=None):
        """The first event NAME (already received or arriving); None on timeout
        or end of file. Events before it stay in self.events."""
        for i, ev in enumerate(self.events):
            if ev["event"] == name:
                return self.events.pop(i)
        deadline = time.monotonic() + (self.timeout if timeout is None else timeout)
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return None
            try:
                msg = self.recv(remaining)
            except socket.timeout:
                return None
            if msg is None:
                return None
            if msg.get("event") == name:
                return msg
            if "event" in msg:
                self.events.append(msg)


def wait_for_path(path, timeout=10.0):
    """True once PATH exists."""
    deadline = time.monotonic() + timeout
    while not os.path.exists(path):
        if time.monotonic() > deadline:
            return False
        time.sleep(0.02)
    return True
