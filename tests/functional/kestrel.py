# tests/functional/kestrel.py: the library of Kestrel's functional tests.
#
# Machine runs the emulator with its serial console on pipes; Tap prints TAP
# for tests/run-tests.py; the helpers find the build, the test guests and the
# cache, tell whether /dev/kvm is usable and whether it is hardware-backed (a
# timed calibration guest), and make initrds that carry a test script.
#
#     from kestrel import Machine, Tap, guest_path
#     tap = Tap()
#     with Machine(['-M', 'microvm', '-bios', guest_path('hello.bin')]) as m:
#         tap.check('hello prints', m.wait_for('long mode ok'), m.transcript())
#     sys.exit(tap.finish())
#
# Python 3 standard library only.

import atexit
import fcntl
import functools
import gzip
import io
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import weakref

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

sys.path.insert(0, os.path.join(REPO_ROOT, "tests", "guests", "initramfs"))
from newc import NewcWriter  # noqa: E402


# ----------------------------------------------------------------------------
# Paths

def build_dir():
    """The build directory: $KESTREL_BUILD (relative paths are taken from the
    repository root) or 'build' in the repository root."""
    b = os.environ.get("KESTREL_BUILD") or "build"
    if not os.path.isabs(b):
        b = os.path.join(REPO_ROOT, b)
    return os.path.normpath(b)


def binary(arch="x86_64"):
    """Path of the emulator binary for guest architecture ARCH."""
    return os.path.join(build_dir(), "kestrel-system-" + arch)


_binary = binary  # Machine's parameter of the same name shadows it


def guest_path(name):
    """Path of one of the small x86 test guests built by `make guests`."""
    return os.path.join(build_dir(), "tests", "guests", "x86", name)


def cache_dir():
    """${XDG_CACHE_HOME:-~/.cache}/kestrel: guest software fetched from Debian."""
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return os.path.join(base, "kestrel")


# ----------------------------------------------------------------------------
# Running the emulator

_live_machines = weakref.WeakSet()


@atexit.register
def _kill_leftovers():
    for m in list(_live_machines):
        m.kill()


class Machine:
    """One emulator process with stdin, stdout (the serial console) and stderr
    on pipes, read by background threads.

    args: the command line after the binary. timeout: seconds, the default of
    wait_for() and wait_exit(). binary: the executable (default binary()).
    env: extra environment variables, added to os.environ.
    Used as a context manager it starts on entry and is killed on exit.
    """

    def __init__(self, args, timeout=30, binary=None, env=None):
        self.args = [str(a) for a in args]
        self.timeout = timeout
        self.binary = binary or _binary()
        self.env = dict(env or {})
        self.proc = None
        self._out = bytearray()
        self._err = bytearray()
        self._cond = threading.Condition()
        self._open_streams = 0
        self._threads = []

    # -- life cycle ----------------------------------------------------------

    @property
    def cmdline(self):
        return [self.binary] + self.args

    def start(self):
        """Spawns the process (once; later calls do nothing). Returns self."""
        if self.proc is not None:
            return self
        if not os.path.exists(self.binary):
            raise FileNotFoundError("Kestrel binary %s does not exist (run make first)" % self.binary)
        env = dict(os.environ)
        env.update(self.env)
        self.proc = subprocess.Popen(self.cmdline, stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                     env=env, close_fds=True)
        _live_machines.add(self)
        for stream, buf in ((self.proc.stdout, self._out), (self.proc.stderr, self._err)):
            t = threading.Thread(target=self._reader, args=(stream, buf), daemon=True)
            self._open_streams += 1
            t.start()
            self._threads.append(t)
        return self

    def _reader(self, stream, buf):
        fd = stream.fileno()
        try:
            while True:
                try:
                    data = os.read(fd, 65536)
                except OSError:
                    data = b""
                with self._cond:
                    if not data:
                        self._open_streams -= 1
                        self._cond.notify_all()
                        return
                    buf.extend(data)
                    self._cond.notify_all()
        finally:
            stream.close()

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.kill()
        return False

    def _deadline(self, timeout):
        return time.monotonic() + (self.timeout if timeout is None else timeout)

    def _join_readers(self, timeout=5):
        end = time.monotonic() + timeout
        for t in self._threads:
            t.join(max(0, end - time.monotonic()))

    # -- console -------------------------------------------------------------

    def mark(self):
        """Position in the output now: pass it as wait_for(..., after=mark)."""
        with self._cond:
            return len(self._out)

    def wait_for(self, text, timeout=None, after=0):
        """Waits until TEXT (str or bytes) appears in stdout (from byte offset
        AFTER on). True if it did; False on timeout or when stdout closed
        without it."""
        self.start()
        needle = text.encode() if isinstance(text, str) else bytes(text)
        deadline = self._deadline(timeout)
        with self._cond:
            while True:
                if self._out.find(needle, after) >= 0:
                    return True
                if self._open_streams == 0 or (self.proc.poll() is not None and
                                               self._stdout_closed_soon()):
                    return self._out.find(needle, after) >= 0
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    return False
                self._cond.wait(min(remaining, 0.5))

    def _stdout_closed_soon(self):
        # The process is gone; give the readers a moment to drain its pipes.
        # (Called with self._cond held; a grandchild could keep a pipe open.)
        end = time.monotonic() + 2
        while self._open_streams > 0 and time.monotonic() < end:
            self._cond.wait(0.1)
        return True

    def write(self, data):
        """Sends bytes (or str, UTF-8) to the process' stdin. False if the
        process no longer reads it."""
        self.start()
        if isinstance(data, str):
            data = data.encode()
        try:
            self.proc.stdin.write(data)
            self.proc.stdin.flush()
            return True
        except (BrokenPipeError, ValueError, OSError):
            return False

    def wait_exit(self, timeout=None):
        """Waits for the process to end; its exit status (negative: killed by
        that signal), or None on timeout."""
        self.start()
        try:
            status = self.proc.wait(timeout=max(0, self._deadline(timeout) - time.monotonic()))
        except subprocess.TimeoutExpired:
            return None
        self._join_readers()
        return status

    @property
    def returncode(self):
        return None if self.proc is None else self.proc.poll()

    @property
    def pid(self):
        return None if self.proc is None else self.proc.pid

    @property
    def output(self):
        """The serial console (stdout) so far, decoded."""
        with self._cond:
            return bytes(self._out).decode("utf-8", errors="replace")

    @property
    def output_bytes(self):
        with self._cond:
            return bytes(self._out)

    @property
    def stderr(self):
        with self._cond:
            return bytes(self._err).decode("utf-8", errors="replace")

    def kill(self):
        """Kills the process if it still runs and reaps it (idempotent)."""
        if self.proc is None:
            return
        if self.proc.poll() is None:
            # SIGTERM first: the emulator then cleans up (sockets, pidfile).
            for sig, grace in ((signal.SIGTERM, 2), (signal.SIGKILL, 10)):
                try:
                    self.proc.send_signal(sig)
                except ProcessLookupError:
                    pass
                try:
                    self.proc.wait(timeout=grace)
                    break
                except subprocess.TimeoutExpired:
                    pass
        try:
            self.proc.stdin.close()
        except (BrokenPipeError, OSError, ValueError):
            pass
        self._join_readers(2)
        _live_machines.discard(self)

    def transcript(self, lines=20):
        """A few lines describing the run, for a failed test's diagnostics."""
        def tail(text):
            t = text.splitlines()[-lines:]
            return ["    " + x for x in t] if t else ["    (nothing)"]
        status = self.returncode
        out = ["command: " + " ".join(self.cmdline),
               "exit status: " + ("still running" if status is None else str(status)),
               "stdout (last %d lines):" % lines] + tail(self.output)
        out += ["stderr (last %d lines):" % lines] + tail(self.stderr)
        return "\n".join(out)

    def __repr__(self):
        return "<Machine pid=%s %s>" % (self.pid, " ".join(self.args))


def run(args, timeout=30, binary=None, env=None, input=None):
    """Runs the emulator to completion: (exit status or None if it had to be
    killed after TIMEOUT seconds, stdout str, stderr str)."""
    full_env = dict(os.environ)
    full_env.update(env or {})
    proc = subprocess.Popen([binary or _binary()] + [str(a) for a in args],
                            stdin=subprocess.PIPE if input is not None else subprocess.DEVNULL,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=full_env)
    try:
        out, err = proc.communicate(input, timeout=timeout)
        status = proc.returncode
    except subprocess.TimeoutExpired:
        proc.kill()
        out, err = proc.communicate()
        status = None
    return (status, out.decode("utf-8", errors="replace"), err.decode("utf-8", errors="replace"))


# ----------------------------------------------------------------------------
# TAP output

class Tap:
    """Prints TAP results as they come and the plan at the end."""

    def __init__(self, stream=None):
        self.stream = stream or sys.stdout
        self.count = 0
        self.failed = 0

    @staticmethod
    def _clean(text):
        return " ".join(str(text).split()).replace("#", "\\#")

    def _print(self, line):
        print(line, file=self.stream, flush=True)

    def diag(self, text):
        for line in str(text).splitlines() or [""]:
            self._print("# " + line)

    def ok(self, name):
        self.count += 1
        self._print("ok %d - %s" % (self.count, self._clean(name)))

    def fail(self, name, diag=""):
        self.count += 1
        self.failed += 1
        self._print("not ok %d - %s" % (self.count, self._clean(name)))
        if diag:
            self.diag(diag)

    def skip(self, name, reason):
        self.count += 1
        reason = " ".join(str(reason).split()) or "no reason given"
        self._print("ok %d - %s # SKIP %s" % (self.count, self._clean(name), reason))

    def check(self, name, cond, diag="", todo=None):
        """ok if COND is true, else not ok with DIAG; returns bool(COND).
        With TODO (a reason), the result carries a "# TODO reason" directive:
        an expected failure, which tests/run-tests.py counts as skipped (and
        an unexpected pass as passed)."""
        if todo:
            self.todo(name, cond, todo, diag)
        elif cond:
            self.ok(name)
        else:
            self.fail(name, diag)
        return bool(cond)

    def todo(self, name, cond, reason, diag=""):
        """A result of a check that is known not to pass yet: "ok/not ok N -
        NAME # TODO REASON" (the failure is not counted as one)."""
        self.count += 1
        reason = " ".join(str(reason).split()) or "no reason given"
        self._print("%s %d - %s # TODO %s" % ("ok" if cond else "not ok", self.count,
                                             self._clean(name), reason))
        if diag and not cond:
            self.diag(diag)

    def finish(self):
        """Prints the plan; the exit status for the test program."""
        self._print("1..%d" % self.count)
        return 1 if self.failed else 0


# ----------------------------------------------------------------------------
# KVM

KVM_GET_API_VERSION = 0xAE00


def kvm_usable():
    """(True, why) if /dev/kvm opens read-write and speaks KVM API 12."""
    try:
        fd = os.open("/dev/kvm", os.O_RDWR | os.O_CLOEXEC)
    except FileNotFoundError:
        return False, "/dev/kvm does not exist (no KVM on this host)"
    except OSError as e:
        return False, "cannot open /dev/kvm read-write: %s" % e.strerror
    try:
        version = fcntl.ioctl(fd, KVM_GET_API_VERSION)
    except OSError as e:
        return False, "/dev/kvm opens but KVM_GET_API_VERSION fails: %s" % e.strerror
    finally:
        os.close(fd)
    if version != 12:
        return False, "/dev/kvm speaks KVM API %d, not 12" % version
    return True, "/dev/kvm opens read-write"


CALIBRATION_THRESHOLD = 1.0  # seconds; hardware KVM runs the loop in microseconds


def _calibrate_once(bin_path, guest):
    args = [bin_path, "-M", "microvm", "-m", "16M", "-bios", guest, "-device", "isa-debug-exit",
            "-display", "none", "-serial", "null", "-accel", "kvm"]
    start = time.monotonic()
    try:
        proc = subprocess.run(args, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, timeout=60)
    except subprocess.TimeoutExpired:
        return None, None, "did not finish in 60 s"
    return time.monotonic() - start, proc.returncode, proc.stderr.decode(errors="replace").strip()


@functools.lru_cache(maxsize=None)
def kvm_hardware_backed():
    """(bool, reason): is /dev/kvm backed by hardware virtualization? Times the
    calibration guest (a 200000-iteration real-mode loop, then exit status 1
    through isa-debug-exit): hardware takes microseconds for the loop, the
    software kvm-pvm backend half a second or more. A loaded kvm_pvm module
    also means software. The reason says what was measured."""
    usable, why = kvm_usable()
    if not usable:
        return False, why
    pvm = os.path.exists("/sys/module/kvm_pvm")
    pvm_note = "/dev/kvm is the software kvm-pvm backend (/sys/module/kvm_pvm exists)"
    bin_path, guest = binary(), guest_path("calibrate.bin")
    for path, what in ((bin_path, "the Kestrel binary"), (guest, "the calibration guest")):
        if not os.path.exists(path):
            reason = "cannot calibrate KVM: %s %s is not built" % (what, path)
            return False, (pvm_note + "; " + reason) if pvm else reason
    elapsed, status, err = _calibrate_once(bin_path, guest)
    if elapsed is not None and status == 1 and elapsed >= CALIBRATION_THRESHOLD and not pvm:
        # A cold first start (page cache, CPU frequency) must not decide alone.
        elapsed2, status2, err2 = _calibrate_once(bin_path, guest)
        if status2 == 1 and elapsed2 is not None:
            elapsed = min(elapsed, elapsed2)
    if elapsed is None:
        reason = "the KVM calibration guest (calibrate.bin) %s" % err
        return False, (pvm_note + "; " + reason) if pvm else reason
    if status != 1:
        reason = ("the KVM calibration guest (calibrate.bin) exited with status %s, expected 1%s"
                  % (status, ": " + err.splitlines()[-1] if err else ""))
        return False, (pvm_note + "; " + reason) if pvm else reason
    measured = ("the 200000-iteration real-mode calibration loop took %.2f s under KVM "
                "(hardware: well under %.0f s)" % (elapsed, CALIBRATION_THRESHOLD))
    if pvm:
        return False, pvm_note + "; " + measured
    if elapsed < CALIBRATION_THRESHOLD:
        return True, measured
    return False, "software-backed KVM: " + measured


# ----------------------------------------------------------------------------
# Debian guest software (tests/guests/debian-x86.sh)

def debian_x86(timeout=900):
    """Runs tests/guests/debian-x86.sh (quick when cached) and returns
    (vmlinuz path, initramfs path). Raises RuntimeError with its output if it
    fails."""
    script = os.path.join(REPO_ROOT, "tests", "guests", "debian-x86.sh")
    try:
        proc = subprocess.run([script], stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                              stderr=subprocess.STDOUT, timeout=timeout)
    except subprocess.TimeoutExpired:
        raise RuntimeError("%s did not finish in %d s" % (script, timeout))
    if proc.returncode != 0:
        raise RuntimeError("%s failed (exit status %d):\n%s" % (
            script, proc.returncode, proc.stdout.decode(errors="replace")))
    d = os.path.join(cache_dir(), "x86")
    return os.path.join(d, "vmlinuz"), os.path.join(d, "initramfs.cpio.gz")


def riscv64_linux(timeout=1200):
    """Runs tests/guests/riscv64-linux.sh (builds the kernel on first use, a few
    minutes; quick when cached) and returns a dict of paths: kernel (Image),
    initrd (initramfs.cpio.gz), opensbi (fw_dynamic.bin), uboot (S-mode
    u-boot.bin), bench (the CPU benchmark, also inside the initrd). Raises
    RuntimeError with its output if it fails; its first line says
    "missing packages" when the script could not install what it needs."""
    script = os.path.join(REPO_ROOT, "tests", "guests", "riscv64-linux.sh")
    try:
        proc = subprocess.run([script], stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                              stderr=subprocess.STDOUT, timeout=timeout)
    except subprocess.TimeoutExpired:
        raise RuntimeError("%s did not finish in %d s" % (script, timeout))
    text = proc.stdout.decode(errors="replace")
    if proc.returncode != 0:
        lines = [x for x in text.splitlines() if "error:" in x] or text.splitlines()[-1:]
        raise RuntimeError("%s failed (exit status %d): %s\n%s" % (
            script, proc.returncode, " ".join(lines), text))
    d = os.path.join(cache_dir(), "riscv64")
    return {"kernel": os.path.join(d, "Image"),
            "initrd": os.path.join(d, "initramfs.cpio.gz"),
            "bench": os.path.join(d, "bench"),
            "opensbi": "/usr/lib/riscv64-linux-gnu/opensbi/generic/fw_dynamic.bin",
            "uboot": "/usr/lib/u-boot/qemu-riscv64_smode/u-boot.bin"}


_tmpdir = None


def _scratch_dir():
    global _tmpdir
    if _tmpdir is None:
        _tmpdir = tempfile.mkdtemp(prefix="kestrel-test-")
        atexit.register(shutil.rmtree, _tmpdir, True)
    return _tmpdir


def make_test_initrd(script_text, base=None):
    """Returns the path of an initrd: the base initramfs (default: the Debian
    one of tests/guests/debian-x86.sh) followed by a second gzip'd newc archive
    holding SCRIPT_TEXT as /test.sh, which the base /init runs. The kernel
    unpacks both archives in turn. The file is removed when Python exits."""
    base = base or os.path.join(cache_dir(), "x86", "initramfs.cpio.gz")
    try:
        with open(base, "rb") as f:
            data = f.read()
    except OSError as e:
        raise FileNotFoundError("cannot read the base initramfs %s (%s); run "
                                "tests/guests/debian-x86.sh first" % (base, e.strerror))
    raw = io.BytesIO()
    w = NewcWriter(raw)
    if isinstance(script_text, str):
        script_text = script_text.encode()
    w.add_file("test.sh", script_text, 0o755)
    w.finish()
    fd, path = tempfile.mkstemp(prefix="initrd-", suffix=".cpio.gz", dir=_scratch_dir())
    with os.fdopen(fd, "wb") as f:
        f.write(data)
        f.write(b"\0" * ((4 - len(data) % 4) % 4))
        f.write(gzip.compress(raw.getvalue(), mtime=0))
    return path
