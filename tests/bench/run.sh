#!/bin/bash
# tests/bench/run.sh: `make bench`: Kestrel side by side with Debian's QEMU in
# one run (start-up to the first guest instruction, peak RSS, and where KVM is
# hardware-backed a Debian kernel boot; riscv64: Linux boot and a CPU benchmark
# under TCG); the measuring is tests/bench/measure.py and measure_riscv.py.
# Installs qemu-system-x86, qemu-system-misc (qemu-system-riscv64) and time
# with apt-get if missing (as root on Debian).
# Timings are printed, never judged.
#
# usage: tests/bench/run.sh BUILD_DIR [measure.py options, e.g. --runs 5]
set -eu

if [ $# -lt 1 ]; then
    echo "usage: tests/bench/run.sh BUILD_DIR [--runs N] [--linux-runs N] [--cpu-runs N] [--only x86|riscv64]" >&2
    exit 1
fi
build=$1
shift
here=$(cd "$(dirname "$0")" && pwd)
[ -d "$build" ] || { echo "bench: error: build directory '$build' does not exist (run make)" >&2; exit 1; }

# The reference emulator, and GNU time for peak RSS.
need=""
command -v qemu-system-x86_64 >/dev/null 2>&1 || need="$need qemu-system-x86"
command -v qemu-system-riscv64 >/dev/null 2>&1 || need="$need qemu-system-misc"
[ -x /usr/bin/time ] || need="$need time"
if [ -n "$need" ]; then
    if [ -f /etc/debian_version ] && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
        echo "bench: missing:$need: installing with apt-get (QEMU is the reference emulator)"
        export DEBIAN_FRONTEND=noninteractive
        # shellcheck disable=SC2086
        if ! apt-get install -y -qq --no-install-recommends $need >/dev/null 2>&1; then
            apt-get update -qq >/dev/null
            apt-get install -y -qq --no-install-recommends $need >/dev/null
        fi
        echo "bench: installed:$need"
    else
        echo "bench: missing:$need (apt-get install$need as root); measuring without them"
    fi
fi

python3 "$here/riscv_cpu.py" "$build" || echo "bench: riscv_cpu.py failed"
exec python3 "$here/measure.py" --build "$build" "$@"
