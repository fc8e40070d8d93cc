#!/bin/sh
# tests/demo.sh: `make demo`: boots a guest you can type into, on Kestrel under
# KVM, with its serial console on this terminal (leave with Ctrl-a x).
# Where /dev/kvm is hardware-backed (timed calibration in
# tests/functional/kestrel.py) it boots Debian 12's kernel with the busybox
# initramfs of tests/guests/debian-x86.sh to a shell under KVM. Elsewhere (a
# software KVM backend, or no /dev/kvm) it says why and boots what Kestrel runs
# fast there: a riscv64 Linux (tests/guests/riscv64-linux.sh) under TCG on the
# virt board, with OpenSBI, to the init's command loop.
#
# usage: tests/demo.sh BUILD_DIR
set -eu

if [ $# -ne 1 ]; then
    echo "usage: tests/demo.sh BUILD_DIR" >&2
    exit 1
fi
root=$(cd "$(dirname "$0")/.." && pwd)
build=$(cd "$1" 2>/dev/null && pwd) || { echo "demo: error: build directory '$1' does not exist (run make)" >&2; exit 1; }
bin="$build/kestrel-system-x86_64"
[ -x "$bin" ] || { echo "demo: error: $bin is not built (run make)" >&2; exit 1; }

# Prints "yes|no<TAB>reason" for the usability of /dev/kvm, then the calibration.
probe() {
    KESTREL_BUILD="$build" python3 -c '
import sys
sys.path.insert(0, sys.argv[1])
import kestrel
ok, why = getattr(kestrel, sys.argv[2])()
print(("yes" if ok else "no") + "\t" + why)
' "$root/tests/functional" "$1"
}

# riscv64 Linux under TCG: OpenSBI, the kernel and init's command loop.
boot_riscv() {
    rbin="$build/kestrel-system-riscv64"
    [ -x "$rbin" ] || { echo "demo: error: $rbin is not built (run make)" >&2; exit 1; }
    echo "demo: building (first time: a few minutes) or reusing the riscv64 Linux guest"
    "$root/tests/guests/riscv64-linux.sh"
    cache="${XDG_CACHE_HOME:-$HOME/.cache}/kestrel/riscv64"
    echo "demo: booting riscv64 Linux on Kestrel's virt board under TCG (Kestrel's own binary"
    echo "demo: translator), through OpenSBI; at the prompt try 'cpus', 'mem', 'poweroff'."
    echo "Leave with Ctrl-a x."
    exec "$rbin" -M virt -smp 2 -m 256M -kernel "$cache/Image" -initrd "$cache/initramfs.cpio.gz" \
        -append "console=ttyS0 kestrel.mode=shell" -nographic -name kestrel-demo
}

usable=$(probe kvm_usable) || { echo "demo: error: cannot load tests/functional/kestrel.py" >&2; exit 1; }
case "$usable" in
    yes*) ;;
    *)
        echo "demo: /dev/kvm cannot be used here: $(printf '%s' "$usable" | cut -f2)."
        boot_riscv ;;
esac

hw=$(probe kvm_hardware_backed) || { echo "demo: error: the KVM calibration failed to run" >&2; exit 1; }
reason=$(printf '%s' "$hw" | cut -f2)
case "$hw" in
    yes*)
        echo "demo: /dev/kvm is hardware-backed ($reason)."
        echo "demo: fetching Debian 12's kernel and a busybox initramfs (cached after the first time)"
        "$root/tests/guests/debian-x86.sh"
        cache="${XDG_CACHE_HOME:-$HOME/.cache}/kestrel/x86"
        echo "demo: booting Debian's kernel on Kestrel's microvm board under KVM; you get a busybox"
        echo "demo: shell on the serial console (type 'exit' to power off)."
        echo "Leave with Ctrl-a x."
        exec "$bin" -M microvm -accel kvm -cpu host -m 512M -smp 2 \
            -kernel "$cache/vmlinuz" -initrd "$cache/initramfs.cpio.gz" \
            -append "console=ttyS0 panic=-1" -nographic -no-reboot -name kestrel-demo
        ;;
esac

fold -s -w 78 <<EOF
demo: KVM on this machine is a software backend, not hardware virtualization: $reason. A Debian x86 kernel boots in no useful time on it (guest kernel code runs at about half a million instructions per second), and Kestrel cannot translate x86 code yet, so the demo boots a riscv64 Linux under Kestrel's TCG instead. (make check runs Kestrel's small x86 guests under this KVM.)
EOF
boot_riscv
