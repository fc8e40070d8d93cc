#!/usr/bin/env python3
# tests/functional/test_linux_kvm.py: boots Debian 12's generic x86-64 kernel
# with the busybox initramfs of tests/guests/debian-x86.sh on the microvm board
# under KVM, with a /test.sh that prints a marker; checks the marker and that
# the guest's poweroff ends the process with status 0. Only where /dev/kvm is
# hardware-backed (a timed calibration guest decides): on a software KVM
# backend a Debian kernel does not boot in any useful time. Prints TAP.

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import kestrel  # noqa: E402
from kestrel import Machine, Tap  # noqa: E402

MARKER = "kestrel-linux-kvm-marker"
TEST_SH = """\
echo "%s-$((6 * 7))"
echo "cpus: $(grep -c ^processor /proc/cpuinfo)"
""" % MARKER


def main():
    tap = Tap()
    hw, why = kestrel.kvm_hardware_backed()
    if not hw:
        tap.skip("debian kernel boots under KVM", why)
        return tap.finish()
    try:
        kernel, _initramfs = kestrel.debian_x86()
        initrd = kestrel.make_test_initrd(TEST_SH)
    except (RuntimeError, OSError) as e:
        tap.fail("debian kernel boots under KVM", "cannot prepare the guest: %s" % e)
        return tap.finish()
    args = ["-M", "microvm", "-accel", "kvm", "-cpu", "host", "-m", "256M", "-smp", "2",
            "-kernel", kernel, "-initrd", initrd, "-nographic", "-no-reboot",
            "-append", "console=ttyS0 panic=-1 quiet"]
    with Machine(args, timeout=120) as m:
        seen = m.wait_for(MARKER + "-42")
        tap.check("debian kernel boots under KVM and runs /test.sh", seen, m.transcript(40))
        tap.check("the guest sees 2 CPUs", seen and m.wait_for("cpus: 2", timeout=10),
                  m.transcript(40))
        status = m.wait_exit(60)
        tap.check("guest poweroff ends the process with status 0", status == 0,
                  m.transcript(40))
    return tap.finish()


if __name__ == "__main__":
    sys.exit(main())
