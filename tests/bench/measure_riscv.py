# tests/bench/measure_riscv.py: the riscv64 section of `make bench` (called by
# tests/bench/measure.py). Kestrel's kestrel-system-riscv64 -M virt against
# Debian's qemu-system-riscv64 -M virt, same inputs on both:
#   1. Linux (tests/guests/riscv64-linux.sh: Debian's OpenSBI fw_dynamic as -bios,
#      the small 6.1 Image, its initramfs) from process start to the
#      "kestrel-riscv-init: ready" marker and to poweroff, -smp 1 and -smp 4
#      (medians of --linux-runs runs);
#   2. the CPU benchmark tests/bench/riscv64/bench.c inside that Linux (/bench,
#      built with -DBENCH_LINUX, run by /init with kestrel.mode=bench): the time
#      /init measured and each kernel's ticks (medians of --cpu-runs runs).
# The same benchmark bare metal is tests/bench/riscv_cpu.py's (run.sh runs it).
# Ratios are kestrel/qemu (lower is better). A part that cannot run prints
# SKIP and why; a Kestrel failure is a note, not a crash of the bench.

import os
import re
import shutil
import statistics
import subprocess
import threading
import time

import kestrel

MARK = "kestrel-riscv-init: "
TICK_RE = re.compile(r"^(\w+): iterations (\d+) checksum (0x[0-9a-f]+) ticks (\d+)( MISMATCH)?",
                     re.M)


class Result:
    def __init__(self, status, output, marker_s, end_s):
        self.status = status          # exit status, None: killed after the timeout
        self.output = output
        self.marker_s = marker_s      # seconds to the marker, None if not seen
        self.end_s = end_s            # seconds to the end of the process


def run(argv, timeout, marker=None):
    """Runs ARGV (stdin /dev/null), timing MARKER's appearance on stdout and the
    end of the process."""
    start = time.perf_counter()
    proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT)
    buf = bytearray()
    seen = {}
    needle = marker.encode() if marker else None

    def reader():
        while True:
            data = os.read(proc.stdout.fileno(), 65536)
            if not data:
                return
            buf.extend(data)
            if needle and "t" not in seen and buf.find(needle) >= 0:
                seen["t"] = time.perf_counter() - start

    t = threading.Thread(target=reader, daemon=True)
    t.start()
    try:
        status = proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
        status = None
    end = time.perf_counter() - start
    t.join(5)
    proc.stdout.close()
    return Result(status, bytes(buf).decode("utf-8", errors="replace"), seen.get("t"), end)


def series(argv, runs, timeout, ok, marker=None):
    """RUNS runs; (list of Result, error or None). Stops at the first run OK rejects."""
    results = []
    for _ in range(runs):
        r = run(argv, timeout, marker)
        why = ok(r)
        if why:
            last = [x for x in r.output.splitlines() if x.strip()][-3:]
            return results, why + (": " + " | ".join(last) if last else "")
        results.append(r)
    return results, None


def median(values):
    values = [v for v in values if v is not None]
    return statistics.median(values) if values else None


def fmt_time(s):
    if s is None:
        return "n/a"
    return "%.1f ms" % (s * 1e3) if s < 1 else "%.2f s" % s


def ratio(a, b):
    return "n/a" if a is None or b is None or b == 0 else "%.2f" % (a / b)


def ticks(output):
    """{kernel: ticks} of one bench transcript, or None if a checksum mismatched."""
    found = TICK_RE.findall(output)
    if not found or any(m[4] for m in found):
        return None
    return {m[0]: int(m[3]) for m in found}


def median_ticks(results):
    per = {}
    for r in results:
        for k, v in (ticks(r.output) or {}).items():
            per.setdefault(k, []).append(v)
    return {k: statistics.median(v) for k, v in per.items()}


def tick_rows(rows, label, k_res, q_res):
    kt, qt = median_ticks(k_res), median_ticks(q_res)
    for name in kt or qt:
        a, b = kt.get(name), qt.get(name)
        rows.append(("  %s kernel %s (10 MHz ticks)" % (label, name),
                     "n/a" if a is None else "%d" % a, "n/a" if b is None else "%d" % b,
                     ratio(a, b)))


def print_table(title, rows, notes):
    head = ("benchmark", "kestrel", "qemu", "kestrel/qemu")
    widths = [max(len(r[i]) for r in rows + [head]) for i in range(4)]
    print()
    print(title)
    for r in [head] + rows:
        print("  ".join(c.ljust(widths[i]) if i == 0 else c.rjust(widths[i])
                        for i, c in enumerate(r)).rstrip())
    for n in notes:
        print("note: " + n)


def bench(args):
    """The riscv64 section; returns 1 if Kestrel could not run a workload, else 0."""
    exe = kestrel.binary("riscv64")
    if not os.path.exists(exe):
        print("SKIP riscv64 benches: %s is not built (./configure --target-list=...,riscv64)"
              % exe)
        return 0
    qemu = shutil.which(args.qemu_riscv64)
    rows, notes = [], []
    status = 0
    if not qemu:
        notes.append("%s is not installed (Debian package qemu-system-misc): Kestrel only"
                     % args.qemu_riscv64)

    def both(label, k_argv, q_argv, runs, timeout, ok, marker=None):
        print("bench: riscv64 %s, %d runs each ..." % (label, runs), flush=True)
        k_res, err = series(k_argv, runs, timeout, ok, marker)
        if err:
            notes.append("kestrel %s: %s" % (label, err))
            k_res = []
        q_res = []
        if qemu:
            q_res, err = series([qemu] + q_argv, runs, timeout, ok, marker)
            if err:
                notes.append("qemu %s: %s" % (label, err))
                q_res = []
        return k_res, q_res

    # Linux: boot, then the CPU benchmark inside it.
    try:
        guest = kestrel.riscv64_linux()
    except RuntimeError as e:
        print("SKIP riscv64 Linux benches: cannot prepare the guest: %s" %
              str(e).splitlines()[0])
        guest = None
    if guest:
        def linux_argv(smp, append_extra=""):
            return ["-M", "virt", "-smp", str(smp), "-m", "256M", "-nographic", "-no-reboot",
                    "-bios", guest["opensbi"], "-kernel", guest["kernel"],
                    "-initrd", guest["initrd"],
                    "-append", "console=ttyS0 panic=-1 quiet" + append_extra]

        def ok_linux(r):
            if r.status != 0:
                return "killed after the timeout" if r.status is None else \
                    "exit status %s" % r.status
            if MARK + "all tests passed" not in r.output:
                return "the guest did not print '%sall tests passed'" % MARK
            return None
        for smp in (1, 4):
            argv = linux_argv(smp)
            k_res, q_res = both("Linux boot -smp %d" % smp, [exe] + argv, argv,
                                args.linux_runs, 300, ok_linux, MARK + "ready")
            if not k_res:
                status = 1
            a, b = median(r.marker_s for r in k_res), median(r.marker_s for r in q_res)
            rows.append(("Linux -smp %d: start to init marker" % smp, fmt_time(a), fmt_time(b),
                         ratio(a, b)))
            a, b = median(r.end_s for r in k_res), median(r.end_s for r in q_res)
            rows.append(("Linux -smp %d: start to poweroff (init tests included)" % smp,
                         fmt_time(a), fmt_time(b), ratio(a, b)))

        bench_re = re.compile(re.escape(MARK) + r"bench exit status (\d+) in ([0-9.]+) s")

        def ok_inside(r):
            why = ok_linux(r)
            if why:
                return why
            m = bench_re.search(r.output)
            if not m or m.group(1) != "0" or not ticks(r.output):
                return "/bench did not pass inside Linux"
            return None
        argv = linux_argv(1, " kestrel.mode=bench")
        k_res, q_res = both("CPU bench inside Linux -smp 1", [exe] + argv, argv,
                            args.cpu_runs, 300, ok_inside)
        if not k_res:
            status = 1

        def inside(res):
            return median(float(bench_re.search(r.output).group(2)) for r in res)
        a, b = inside(k_res), inside(q_res)
        rows.append(("CPU bench inside Linux (/bench, as timed by /init)", fmt_time(a),
                     fmt_time(b), ratio(a, b)))
        tick_rows(rows, "in Linux", k_res, q_res)

    if rows:
        print_table("Kestrel riscv64 vs %s -M virt (TCG; times are medians; lower is better)"
                    % (qemu or "QEMU (not installed)"), rows, notes)
    else:
        for n in notes:
            print("note: " + n)
    return status
