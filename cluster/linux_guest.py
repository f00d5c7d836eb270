"""linux_guest.py - what hermit-mpirun --guest linux needs beyond the hermit path.

The Linux-guest baseline (bench/baseline/) runs the same MPI sources as
static Linux programs (bench/baseline/linux-mpicc) in Debian-kernel +
busybox VMs. Two things differ from booting HermitCore-C images: the
program must be a static Linux executable, not an image, and every rank
boots one initramfs holding it, built once per job here (cached by
content by build-linux-guest.sh) rather than once per rank.
"""

import os
import struct
import subprocess

HERE = os.path.dirname(os.path.abspath(__file__))
BUILD_LINUX_GUEST = os.path.join(HERE, "..", "bench", "baseline", "build-linux-guest.sh")
PT_INTERP, PT_NOTE = 3, 4
XEN_ELFNOTE_PHYS32_ENTRY = 18       # the PVH entry note every HermitCore-C image carries
EM_X86_64 = 62


def _notes(data):
    """(name, type) of each ELF note in a PT_NOTE segment's bytes."""
    offset, end = 0, len(data)
    while offset + 12 <= end:
        namesz, descsz, ntype = struct.unpack_from("<III", data, offset)
        name = data[offset + 12:offset + 12 + namesz].rstrip(b"\0")
        yield name, ntype
        offset += 12 + (namesz + 3 & ~3) + (descsz + 3 & ~3)


def check_program(path):
    """None if PATH is a static x86-64 Linux executable, else why it is not."""
    try:
        with open(path, "rb") as f:
            return _check_elf(path, f)
    except OSError as e:
        return f"cannot read {path}: {e.strerror}"


def _check_elf(path, f):
    data = f.read(64)
    if len(data) < 64 or data[:5] != b"\x7fELF\x02" or data[5] != 1:
        return f"{path} is not a 64-bit ELF program"
    machine, = struct.unpack_from("<H", data, 18)
    if machine != EM_X86_64:
        return f"{path} is not an x86-64 program"
    phoff, = struct.unpack_from("<Q", data, 32)
    phentsize, phnum = struct.unpack_from("<HH", data, 54)
    if phentsize < 56 or phnum > 256:
        return f"{path} has no usable program headers"
    f.seek(phoff)
    phdrs = f.read(phentsize * phnum)
    for at in range(0, len(phdrs) - 55, phentsize):
        ptype, = struct.unpack_from("<I", phdrs, at)
        offset, = struct.unpack_from("<Q", phdrs, at + 8)
        filesz, = struct.unpack_from("<Q", phdrs, at + 32)
        if ptype == PT_INTERP:
            return (f"{path} is dynamically linked; the Linux guest has no loader "
                    "(build it with bench/baseline/linux-mpicc)")
        if ptype == PT_NOTE and filesz <= 1 << 16:
            f.seek(offset)
            for name, ntype in _notes(f.read(filesz)):
                if name == b"Xen" and ntype == XEN_ELFNOTE_PHYS32_ENTRY:
                    return (f"{path} is a HermitCore-C image; --guest linux runs Linux "
                            "programs (build it with bench/baseline/linux-mpicc)")
    return None


def build_initramfs(program):
    """Path of the initramfs with PROGRAM and the virtio-net modules; progress on stderr."""
    out = subprocess.run([BUILD_LINUX_GUEST, "--virtio-net", "--keyed-only", "--add", program],
                         stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, text=True)
    lines = out.stdout.split()
    if out.returncode != 0 or not lines or not os.path.isfile(lines[-1]):
        raise RuntimeError("building the Linux guest's initramfs failed "
                           f"({BUILD_LINUX_GUEST} --virtio-net --add {program})")
    return lines[-1]
