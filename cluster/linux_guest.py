"""linux_guest.py - what hermit-mpirun --guest linux needs beyond the hermit path.

The Linux-guest baseline (bench/baseline/) runs the same MPI sources as
static Linux programs (bench/baseline/linux-mpicc) in Debian-kernel +
busybox VMs. Two things differ from booting HermitCore-C images: the
program must be a static Linux executable, not an image, and every rank
boots one initramfs holding it, built once per job here (cached by
content by build-linux-guest.sh) rather than once per rank.
"""

import os
import subprocess

HERE = os.path.dirname(os.path.abspath(__file__))
BUILD_LINUX_GUEST = os.path.join(HERE, "..", "bench", "baseline", "build-linux-guest.sh")


def build_initramfs(program):
    """Path of the initramfs with PROGRAM and the virtio-net modules; progress on stderr."""
    out = subprocess.run([BUILD_LINUX_GUEST, "--virtio-net", "--keyed-only", "--add", program],
                         stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, text=True)
    lines = out.stdout.split()
    if out.returncode != 0 or not lines or not os.path.isfile(lines[-1]):
        raise RuntimeError("building the Linux guest's initramfs failed "
                           f"({BUILD_LINUX_GUEST} --virtio-net --add {program})")
    return lines[-1]
