#!/usr/bin/env python3
# tests/functional/test_pci_kvm.py: the PCI Express host of -M microvm,pcie=on
# under KVM, seen by a small guest of our own (tests/guests/x86/pci-scan.S),
# which enumerates bus 0 through ECAM, sizes every BAR and reads slot 0
# through the 0xcf8/0xcfc ports too. Checks the host bridge at 00.0, a
# virtio-rng-pci (modern id 1af4:1044, MSI-X BAR 1 of 4 KiB, 64-bit BAR 4 of
# 16 KiB) at the first free slot and a virtio-console-pci placed with
# addr=, without MSI-X (vectors=0). Also checks the command-line errors:
# a PCI device without pcie=on, a taken or malformed addr=.
# Prints TAP; the guest runs are skipped when /dev/kvm cannot be used.

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from kestrel import Machine, Tap, guest_path, kvm_usable, run  # noqa: E402

TIMEOUT = 60
GUEST = "pci-scan.bin"

tap = Tap()


def test_scan():
    name = "pci-scan: ECAM enumeration, BAR sizes and 0xcf8 on microvm,pcie=on"
    usable, why = kvm_usable()
    if not usable:
        tap.skip(name, why)
        return
    path = guest_path(GUEST)
    if not os.path.exists(path):
        tap.skip(name, "%s is not built (make guests)" % path)
        return
    args = ["-M", "microvm,pcie=on", "-m", "64M", "-nographic", "-accel", "kvm",
            "-bios", path, "-device", "virtio-rng-pci",
            "-device", "virtio-console-pci,bus=pcie.0,addr=5,vectors=0"]
    with Machine(args, timeout=TIMEOUT) as m:
        done = m.wait_for("functions")
        status = m.wait_exit()
        out = m.output
        problems = []
        expected = [
            "pci 00:00.0 1b36:0008 class 0600\r\n",
            "pci 00:01.0 1af4:1044 class ff00 bar1=00001000 bar4=00004000\r\n",
            "pci 00:05.0 1af4:1043 class 0780 bar4=00004000\r\n",
            "conf1 ok",
            "pci scan done: 3 functions",
        ]
        if not done:
            problems.append("the guest did not finish its scan")
        for line in expected:
            if line not in out:
                problems.append("missing %r" % line)
        if "FAIL" in out:
            problems.append("the guest reported a failure")
        if status != 0:
            problems.append("exit status %s, expected 0 (ACPI poweroff)" % status)
        tap.check(name, not problems, "\n".join(problems + [m.transcript()]))


def test_errors():
    path = guest_path(GUEST)
    cases = [
        ("a PCI device without a PCI bus is refused",
         ["-M", "microvm", "-device", "virtio-rng-pci"], "no PCI bus"),
        ("a taken PCI address is refused",
         ["-M", "microvm,pcie=on", "-device", "virtio-rng-pci,addr=0"], "is taken"),
        ("a malformed PCI address is refused",
         ["-M", "microvm,pcie=on", "-device", "virtio-rng-pci,addr=3.9"], "invalid PCI address"),
        ("an unknown PCI bus is refused",
         ["-M", "microvm,pcie=on", "-device", "virtio-rng-pci,bus=pci.1"], "no PCI bus 'pci.1'"),
    ]
    for name, extra, text in cases:
        status, out, err = run(["-accel", "kvm", "-m", "64M", "-bios", path,
                                "-display", "none", "-serial", "null"] + extra, timeout=30)
        usable, why = kvm_usable()
        if not usable and status != 1 and "kvm" in err.lower():
            tap.skip(name, why)
            continue
        tap.check(name, status == 1 and text in err,
                  "exit status %s, stderr: %s" % (status, err.strip()))


test_scan()
test_errors()
sys.exit(tap.finish())
