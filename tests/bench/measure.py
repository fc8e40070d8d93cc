#!/usr/bin/env python3
# tests/bench/measure.py: the measurements of `make bench` (run by
# tests/bench/run.sh), Kestrel side by side with Debian's QEMU in one run:
#   1. process start to the first guest instruction: the firstinsn.bin guest
#      exits through isa-debug-exit on its first instruction (status 1), so the
#      wall time of the whole process is start-up + one instruction + exit;
#      median of --runs runs each;
#   2. peak RSS of the same runs (GNU time, median of 3) with -m 16M and
#      -m 256M, and that minus the guest RAM the run touched (about the
#      firmware image: the guest runs one instruction);
#   3. where /dev/kvm is hardware-backed: Debian's kernel + busybox initramfs
#      from start to poweroff on Kestrel microvm, QEMU microvm and QEMU pc, all
#      under KVM with the same kernel, initramfs, memory and command line.
#   4. riscv64 (tests/bench/measure_riscv.py): Linux boot to the init marker
#      and the CPU benchmark inside Linux, on Kestrel and on qemu-system-riscv64
#      -M virt with the same firmware, kernel and initramfs (the benchmark bare
#      metal is tests/bench/riscv_cpu.py, which run.sh runs first).
# A section that cannot run here prints SKIP and why. Prints tables. Timings
# are reported, never judged: the exit status is 1 only if Kestrel could not
# run a workload at all.
#
# usage: measure.py --build DIR [--runs N] [--linux-runs N] [--cpu-runs N]
#                   [--qemu PATH] [--qemu-riscv64 PATH] [--only x86|riscv64]

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(HERE), "functional"))
sys.path.insert(0, HERE)
import kestrel  # noqa: E402
import measure_riscv  # noqa: E402


class Run:
    def __init__(self, seconds, status, maxrss_kib, output):
        self.seconds = seconds
        self.status = status
        self.maxrss_kib = maxrss_kib
        self.output = output


def run_once(argv, timeout):
    """Runs ARGV with stdin /dev/null: a Run with the wall time, the exit
    status (negative: signal; None: killed after TIMEOUT s) and peak RSS in KiB."""
    with tempfile.TemporaryFile() as out:
        reaped = {}
        start = time.perf_counter()
        proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=out, stderr=out)

        def reap():
            _, raw, usage = os.wait4(proc.pid, 0)
            reaped["end"] = time.perf_counter()
            reaped["raw"], reaped["usage"] = raw, usage

        t = threading.Thread(target=reap, daemon=True)
        t.start()
        t.join(timeout)
        killed = t.is_alive()
        if killed:
            proc.kill()
            t.join()
        status = None if killed else os.waitstatus_to_exitcode(reaped["raw"])
        proc.returncode = -9 if killed else status  # reaped here, not by Popen
        out.seek(0)
        text = out.read().decode("utf-8", errors="replace")
    return Run(reaped["end"] - start, status, reaped["usage"].ru_maxrss, text)


def first_byte_time(argv, timeout):
    """Seconds from spawning ARGV until its stdout delivers a first byte
    (then the process is killed), or None if none arrives in TIMEOUT s."""
    start = time.perf_counter()
    proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                            stderr=subprocess.DEVNULL)
    got = {}

    def first():
        if proc.stdout.read(1):
            got["t"] = time.perf_counter() - start

    t = threading.Thread(target=first, daemon=True)
    t.start()
    t.join(timeout)
    proc.kill()
    proc.wait()
    t.join()
    proc.stdout.close()
    return got.get("t")


def median_first_byte(argv, runs, timeout=30):
    times = [first_byte_time(argv, timeout) for _ in range(runs)]
    return None if None in times else statistics.median(times)


def series(argv, runs, expect, timeout):
    """RUNS runs of ARGV; (list of Run, error text or None). Stops at the
    first run whose exit status is not EXPECT."""
    results = []
    for _ in range(runs):
        r = run_once(argv, timeout)
        if r.status != expect:
            why = ("killed after %d s" % timeout if r.status is None
                   else "exit status %s, expected %s" % (r.status, expect))
            last = [line for line in r.output.splitlines() if line.strip()][-3:]
            return results, why + (": " + " | ".join(last) if last else "")
        results.append(r)
    return results, None


TIME = "/usr/bin/time"


def peak_rss(argv, runs, expect, d):
    """Median peak RSS in KiB of ARGV over RUNS runs, measured by GNU time
    (a small parent: the rusage of a child forked from this Python process
    would count Python's own memory, which the child had before its exec);
    (KiB or None, error text or None)."""
    if not os.access(TIME, os.X_OK):
        return None, "%s is missing (apt-get install time)" % TIME
    values = []
    out = os.path.join(d, "rss")
    for _ in range(runs):
        r = run_once([TIME, "-f", "%M", "-o", out] + argv, 60)
        if r.status != expect:
            return None, "exit status %s, expected %s" % (r.status, expect)
        with open(out) as f:
            lines = [line for line in f.read().splitlines() if line.strip()]
        try:
            values.append(int(lines[-1]))
        except (IndexError, ValueError):
            return None, "cannot read the peak RSS GNU time wrote: %r" % lines
    return statistics.median(values), None


def fmt_time(s):
    if s is None:
        return "n/a"
    return "%.1f ms" % (s * 1e3) if s < 1 else "%.2f s" % s


def fmt_kib(k):
    return "n/a" if k is None else "%.1f MiB" % (k / 1024.0)


def ratio(a, b):
    return "n/a" if a is None or b is None or b == 0 else "%.2f" % (a / b)


def median_time(results):
    return statistics.median(r.seconds for r in results) if results else None


def with_mem(argv, mem):
    argv = list(argv)
    argv[argv.index("-m") + 1] = mem
    return argv


def padded_bios(path, d):
    """QEMU accepts -bios images whose size is a multiple of 64 KiB only. The
    image maps below 4 GiB with its reset vector in its last 16 bytes, so
    padding at the front keeps every address of the guest as it was."""
    size = os.path.getsize(path)
    if size % 65536 == 0:
        return path
    padded = os.path.join(d, os.path.basename(path))
    with open(path, "rb") as f, open(padded, "wb") as g:
        g.write(b"\xff" * (65536 - size % 65536))
        g.write(f.read())
    return padded


def main():
    ap = argparse.ArgumentParser(description="Kestrel vs QEMU benchmarks")
    ap.add_argument("--build", required=True)
    ap.add_argument("--runs", type=int, default=20)
    ap.add_argument("--linux-runs", type=int, default=5)
    ap.add_argument("--cpu-runs", type=int, default=3,
                    help="runs of the riscv64 CPU benchmark (default: 3)")
    ap.add_argument("--qemu", default="qemu-system-x86_64")
    ap.add_argument("--qemu-riscv64", default="qemu-system-riscv64")
    ap.add_argument("--only", choices=("x86", "riscv64"), help="one section only")
    args = ap.parse_args()
    os.environ["KESTREL_BUILD"] = os.path.abspath(args.build)

    status = 0
    if args.only != "riscv64":
        status |= bench_x86(args)
    if args.only != "x86":
        if args.only is None:
            print()
        status |= measure_riscv.bench(args)
    return status


def bench_x86(args):
    """The x86-64 section: 1, 2 and 3 above. Returns the exit status."""
    exe = kestrel.binary()
    guest = kestrel.guest_path("firstinsn.bin")
    for path, what in ((exe, "the Kestrel binary (make)"), (guest, "firstinsn.bin (make guests)")):
        if not os.path.exists(path):
            print("SKIP x86 benches: %s is missing: %s" % (path, what))
            return 0
    usable, why = kestrel.kvm_usable()
    if not usable:
        print("SKIP x86 benches: %s; Kestrel's x86 guests need KVM for now" % why)
        return 0
    qemu = args.qemu if subprocess.run(["sh", "-c", 'command -v "$1"', "sh", args.qemu],
                                       stdout=subprocess.DEVNULL).returncode == 0 else None

    rows = []  # (benchmark, kestrel, qemu, ratio)
    notes = []
    status = 0
    with tempfile.TemporaryDirectory(prefix="kestrel-bench-") as d:
        # 1 and 2: start to first instruction, peak RSS.
        k_argv = [exe, "-M", "microvm", "-m", "16M", "-accel", "kvm", "-bios", guest,
                  "-device", "isa-debug-exit", "-display", "none", "-serial", "null"]
        print("bench: start to first guest instruction, %d runs each ..." % args.runs, flush=True)
        k_runs, k_err = series(k_argv, args.runs, 1, 60)
        if k_err:
            notes.append("kestrel firstinsn: " + k_err)
            status = 1
        q_runs, q_err = [], "qemu-system-x86_64 is not installed"
        if qemu:
            q_argv = [qemu, "-M", "microvm", "-m", "16M", "-bios", padded_bios(guest, d),
                      "-device", "isa-debug-exit", "-display", "none", "-serial", "none",
                      "-nodefaults", "-enable-kvm"]
            q_runs, q_err = series(q_argv, args.runs, 1, 60)
        if q_err:
            notes.append("qemu firstinsn: " + q_err)
        # The first instruction writes a byte to COM1: time until it arrives.
        fb = kestrel.guest_path("firstbyte.bin")
        kt = median_first_byte([exe, "-M", "microvm", "-m", "16M", "-accel", "kvm", "-bios", fb,
                                "-display", "none", "-serial", "stdio"], args.runs)
        qt = None
        if qemu:
            qt = median_first_byte([qemu, "-M", "microvm", "-m", "16M", "-bios",
                                    padded_bios(fb, d), "-display", "none", "-serial", "stdio",
                                    "-nodefaults", "-enable-kvm"], args.runs)
        rows.append(("start to first guest instruction (median)", fmt_time(kt), fmt_time(qt),
                     ratio(kt, qt)))
        kt, qt = median_time(k_runs), median_time(q_runs if not q_err else [])
        rows.append(("start to exit via isa-debug-exit, with VM teardown", fmt_time(kt),
                     fmt_time(qt), ratio(kt, qt)))
        for mem in ("16M", "256M"):
            k_rss, err = peak_rss(with_mem(k_argv, mem), 3, 1, d)
            if err:
                notes.append("kestrel peak RSS: " + err)
            q_rss = None
            if qemu and not q_err:
                q_rss, err = peak_rss(with_mem(q_argv, mem), 3, 1, d)
                if err:
                    notes.append("qemu peak RSS: " + err)
            rows.append(("peak RSS, firstinsn guest, -m %s" % mem, fmt_kib(k_rss),
                         fmt_kib(q_rss), ratio(k_rss, q_rss)))
        # The guest ran one instruction: the RAM it touched is about the
        # firmware image copied into it (the -m 256M row shows that the rest
        # of guest RAM is not touched).
        touched = (os.path.getsize(guest) + 4095) // 4096 * 4
        rows.append(("  minus guest RAM touched (%d KiB image)" % touched,
                     fmt_kib(k_rss - touched) if k_rss else "n/a",
                     fmt_kib(q_rss - touched) if q_rss else "n/a",
                     ratio(k_rss - touched if k_rss else None,
                           q_rss - touched if q_rss else None)))

        # 3: Linux boot, only on hardware-backed KVM.
        hw, hw_why = kestrel.kvm_hardware_backed()
        linux_skip = None
        if not hw:
            linux_skip = hw_why
        else:
            try:
                kernel, _ = kestrel.debian_x86()
                initrd = kestrel.make_test_initrd("echo kestrel-bench-booted\n")
            except (RuntimeError, OSError) as e:
                linux_skip = "cannot prepare the Debian guest: %s" % e
        if linux_skip:
            print("SKIP linux boot bench: " + linux_skip)
        else:
            common = ["-m", "256M", "-kernel", kernel, "-initrd", initrd,
                      "-append", "console=ttyS0 panic=-1 quiet", "-no-reboot"]
            print("bench: Debian kernel boot to poweroff, %d runs each ..." % args.linux_runs,
                  flush=True)
            k_argv = [exe, "-M", "microvm", "-accel", "kvm", "-cpu", "host", "-nographic"] + common
            k_lin, err = series(k_argv, args.linux_runs, 0, 300)
            if not err and not all("kestrel-bench-booted" in r.output for r in k_lin):
                err = "the guest did not print its marker"
            if err:
                notes.append("kestrel linux: " + err)
                status = 1
                k_lin = []
            kt = median_time(k_lin)
            rows.append(("linux boot to poweroff, kestrel microvm", fmt_time(kt), "", ""))
            for board in ("microvm", "pc"):
                qt = None
                if qemu:
                    q_argv = [qemu, "-M", board, "-enable-kvm", "-cpu", "host", "-nodefaults",
                              "-display", "none", "-serial", "stdio"] + common
                    q_lin, err = series(q_argv, args.linux_runs, 0, 300)
                    if err:
                        notes.append("qemu %s linux: %s" % (board, err))
                    else:
                        qt = median_time(q_lin)
                rows.append(("  vs qemu -M %s -enable-kvm" % board, "", fmt_time(qt),
                             ratio(kt, qt)))

    head = ("benchmark", "kestrel", "qemu", "kestrel/qemu")
    widths = [max(len(r[i]) for r in rows + [head]) for i in range(4)]
    print()
    print("Kestrel vs %s (KVM; times are medians; lower is better)" %
          (qemu or "QEMU (not installed)"))
    for r in [head] + rows:
        print("  ".join(c.ljust(widths[i]) if i == 0 else c.rjust(widths[i])
                        for i, c in enumerate(r)).rstrip())
    for n in notes:
        print("note: " + n)
    return status


if __name__ == "__main__":
    sys.exit(main())
