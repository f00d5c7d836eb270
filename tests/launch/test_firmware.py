#!/usr/bin/env python3
"""test_firmware.py - which firmware bin/hermit-run gives QEMU: qboot for
a pvh boot of a machine it built whole, SeaBIOS where qboot falls short
(--boot grub's CD, devices a --qemu-arg may add behind bridges or on
pc's INTx, the MP table a machine without ACPI needs), nothing extra on
microvm, and a clear error for a choice
that cannot work. Prints one PASS/FAIL line per case; exit 1 if any failed.
"""

import os
import sys
import types

HERE = os.path.dirname(os.path.abspath(__file__))

sys.path.insert(0, HERE)
from procs import check  # noqa: E402  (tests/launch/procs.py)
import procs  # noqa: E402


def args(**kw):
    base = dict(machine="pc", boot="pvh", firmware="auto", qemu_arg=[], no_acpi=False, kopt=[])
    base.update(kw)
    return types.SimpleNamespace(**base)


def refused(run, a):
    """The message hermit-run fails with, or None if it accepted A."""
    said = []
    run.fail = lambda message, status=2: (said.append(message), sys.exit(status))
    try:
        run.firmware_args(a)
    except SystemExit:
        return said[0] if said else "exit without a message"
    return None


def main():
    run = procs.load_hermit_run()
    if not os.path.exists(run.QBOOT):
        check("auto-without-qboot", run.firmware_args(args()) == [], "")
        return 1 if procs.failures else 0
    qboot = ["-bios", run.QBOOT]
    check("auto-pc-qboot", run.firmware_args(args()) == qboot, run.firmware_args(args()))
    check("auto-q35-qboot", run.firmware_args(args(machine="q35")) == qboot, "")
    check("auto-qemu-arg-seabios", run.firmware_args(args(qemu_arg=["-device", "x"])) == [], "")
    check("auto-grub-seabios", run.firmware_args(args(boot="grub")) == [], "")
    check("microvm-nothing", run.firmware_args(args(machine="microvm", firmware="qboot")) == [], "")
    check("seabios-asked", run.firmware_args(args(firmware="seabios")) == [], "")
    check("qboot-asked-with-qemu-arg",
          run.firmware_args(args(firmware="qboot", qemu_arg=["-device", "x"])) == qboot, "")
    check("auto-no-acpi-seabios", run.firmware_args(args(no_acpi=True)) == [], "")
    check("auto-kopt-acpi-off-seabios", run.firmware_args(args(kopt=["acpi=off"])) == [], "")
    why = refused(run, args(firmware="qboot", boot="grub"))
    check("qboot-grub-refused", why is not None and "seabios" in why, why)
    why = refused(run, args(firmware="qboot", no_acpi=True))
    check("qboot-no-acpi-refused", why is not None and "MP table" in why, why)
    return 1 if procs.failures else 0


if __name__ == "__main__":
    sys.exit(main())
