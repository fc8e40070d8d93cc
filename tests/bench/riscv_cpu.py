#!/usr/bin/env python3
# tests/bench/riscv_cpu.py: the bare-metal riscv64 CPU benchmark of `make bench`.
#
# Runs tests/bench/riscv64/bench.elf (built with `make tcg-tests` if missing)
# on Kestrel's JIT (-accel tcg,backend=x86_64) and on Debian's
# qemu-system-riscv64 (-M virt -bios none; installs qemu-system-misc with
# apt-get if missing, as root on Debian, and says so), --runs times each
# (default 3), and prints per kernel the median iterations per second, taken
# from the mtime ticks (10 MHz) the benchmark prints around each kernel, and
# the ratio Kestrel/QEMU (above 1: Kestrel is faster). Also Kestrel's
# translation speed, guest instructions translated per second of translating
# (KESTREL_TCG_STATS=1). Timings are reported, never judged: the exit status
# is 1 only if a run failed (no output, a checksum MISMATCH, a non-zero exit).
#
# usage: riscv_cpu.py BUILD_DIR [--runs N] [--qemu PATH]

import argparse
import os
import re
import shutil
import statistics
import subprocess
import sys

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
KERNEL_RE = re.compile(r"^(\w+): iterations (\d+) checksum (0x[0-9a-f]+) ticks (\d+)(.*)$", re.M)
STATS_RE = re.compile(r"tcg stats: (\d+) translation blocks, (\d+) guest instructions "
                      r"translated in ([\d.]+) ms")
MTIME_HZ = 10e6


def ensure_qemu(path):
    """The path of qemu-system-riscv64, installing qemu-system-misc if possible."""
    found = shutil.which(path)
    if found:
        return found
    if (os.path.exists("/etc/debian_version") and os.geteuid() == 0
            and shutil.which("apt-get")):
        print("riscv64 cpu: %s missing: installing qemu-system-misc with apt-get" % path)
        env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
        cmd = ["apt-get", "install", "-y", "-qq", "--no-install-recommends", "qemu-system-misc"]
        if subprocess.run(cmd, env=env, capture_output=True).returncode != 0:
            subprocess.run(["apt-get", "update", "-qq"], env=env, capture_output=True)
            subprocess.run(cmd, env=env, capture_output=True)
        return shutil.which(path)
    print("riscv64 cpu: %s missing (apt-get install qemu-system-misc as root)" % path)
    return None


def run_once(cmd, env=None):
    """({kernel: iterations/s}, stderr) of one run, or an error string."""
    try:
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=600,
                              env=dict(os.environ, **(env or {})))
    except subprocess.TimeoutExpired:
        return "timed out"
    kernels = {}
    for name, iters, _, ticks, rest in KERNEL_RE.findall(proc.stdout):
        if "MISMATCH" in rest:
            return "%s: checksum MISMATCH" % name
        kernels[name] = int(iters) * MTIME_HZ / max(int(ticks), 1)
    if proc.returncode != 0 or not kernels:
        return "exit status %d, output:\n%s%s" % (proc.returncode, proc.stdout, proc.stderr)
    return kernels, proc.stderr


def measure(name, cmd, runs, env=None):
    """{kernel: median iterations/s} and the stderr of each run; None if one failed."""
    results, errs = [], []
    for _ in range(runs):
        r = run_once(cmd, env)
        if isinstance(r, str):
            print("riscv64 cpu: %s failed: %s" % (name, r))
            return None, errs
        results.append(r[0])
        errs.append(r[1])
    return {k: statistics.median(r[k] for r in results) for k in results[0]}, errs


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("build")
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--qemu", default="qemu-system-riscv64")
    args = ap.parse_args()
    build = os.path.abspath(args.build)
    kestrel = os.path.join(build, "kestrel-system-riscv64")
    elf = os.path.join(build, "tests", "bench", "riscv64", "bench.elf")
    print("== riscv64 bare-metal CPU benchmark (%d runs each, median) ==" % args.runs)
    if not os.path.exists(kestrel):
        print("SKIP: %s is not built (./configure --target-list=x86_64,riscv64)" % kestrel)
        return 0
    if not os.path.exists(elf):
        subprocess.run(["make", "--no-print-directory", "-C", REPO_ROOT, "BUILD=" + build,
                        "tcg-tests"], capture_output=True)
    if not os.path.exists(elf):
        print("SKIP: %s could not be built (needs Debian's gcc-riscv64-unknown-elf)" % elf)
        return 0
    qemu = ensure_qemu(args.qemu)
    ours, errs = measure("Kestrel", [kestrel, "-M", "virt", "-bios", "none", "-nographic",
                                     "-serial", "stdio", "-accel", "tcg,backend=x86_64",
                                     "-kernel", elf], args.runs, {"KESTREL_TCG_STATS": "1"})
    if ours is None:
        return 1
    theirs = None
    if qemu:
        theirs, _ = measure("QEMU", [qemu, "-M", "virt", "-bios", "none", "-nographic",
                                     "-kernel", elf], args.runs)
    print("%-8s %16s %16s %14s" % ("kernel", "Kestrel iter/s", "QEMU iter/s", "Kestrel/QEMU"))
    for k, v in ours.items():
        q = theirs.get(k) if theirs else None
        print("%-8s %16.1f %16s %14s" % (k, v, "%.1f" % q if q else "-",
                                         "%.2f" % (v / q) if q else "-"))
    speeds = []
    for e in errs:
        m = STATS_RE.search(e)
        if m and float(m.group(3)) > 0:
            speeds.append((int(m.group(1)), int(m.group(2)), int(m.group(2)) * 1e3 /
                           float(m.group(3))))
    if speeds:
        tbs, insns, speed = speeds[0][0], speeds[0][1], statistics.median(s[2] for s in speeds)
        print("Kestrel translation: %d blocks, %d guest instructions, %.2f million guest "
              "instructions translated/s (median)" % (tbs, insns, speed / 1e6))
    return 0


if __name__ == "__main__":
    sys.exit(main())
