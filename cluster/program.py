"""program.py - what kind of program a file is, read from its ELF headers.

The launchers refuse a wrong file with one line before any VM boots:
a HermitCore-C image carries the Xen PVH entry note QEMU boots it by; a
program for the Linux-guest baseline is a static x86-64 executable
without that note. Each check returns None when the file fits, else the
reason as a sentence naming the file.
"""

import hashlib
import struct

PT_INTERP, PT_NOTE = 3, 4
XEN_ELFNOTE_PHYS32_ENTRY = 18
EM_X86_64 = 62
MAX_NOTES = 1 << 16


def _notes(data):
    """(name, type) of each ELF note in a PT_NOTE segment's bytes."""
    offset, end = 0, len(data)
    while offset + 12 <= end:
        namesz, descsz, ntype = struct.unpack_from("<III", data, offset)
        name = data[offset + 12:offset + 12 + namesz].rstrip(b"\0")
        yield name, ntype
        offset += 12 + (namesz + 3 & ~3) + (descsz + 3 & ~3)


def _inspect(path):
    """(problem, dynamic, has_pvh_note) for an x86-64 ELF file."""
    try:
        with open(path, "rb") as f:
            head = f.read(64)
            if len(head) < 64 or head[:5] != b"\x7fELF\x02" or head[5] != 1:
                return f"{path} is not a 64-bit ELF file", False, False
            machine, = struct.unpack_from("<H", head, 18)
            if machine != EM_X86_64:
                return f"{path} is not an x86-64 program", False, False
            phoff, = struct.unpack_from("<Q", head, 32)
            phentsize, phnum = struct.unpack_from("<HH", head, 54)
            if phentsize < 56 or phnum > 256:
                return f"{path} has no usable program headers", False, False
            f.seek(phoff)
            phdrs = f.read(phentsize * phnum)
            dynamic = pvh = False
            for at in range(0, len(phdrs) - 55, phentsize):
                ptype, = struct.unpack_from("<I", phdrs, at)
                offset, = struct.unpack_from("<Q", phdrs, at + 8)
                filesz, = struct.unpack_from("<Q", phdrs, at + 32)
                dynamic = dynamic or ptype == PT_INTERP
                if ptype == PT_NOTE and filesz <= MAX_NOTES:
                    f.seek(offset)
                    pvh = pvh or any(name == b"Xen" and ntype == XEN_ELFNOTE_PHYS32_ENTRY
                                     for name, ntype in _notes(f.read(filesz)))
            return None, dynamic, pvh
    except OSError as e:
        return f"cannot read {path}: {e.strerror}", False, False
    except struct.error:
        return f"{path} is a truncated ELF file", False, False


def hermit_image_problem(path):
    problem, _, pvh = _inspect(path)
    if problem:
        return f"{problem} (build the image with hermit-mpicc)"
    if not pvh:
        return (f"{path} is an ELF file but not a HermitCore-C image "
                "(no PVH entry note; build it with hermit-mpicc)")
    return None


def linux_program_problem(path):
    problem, dynamic, pvh = _inspect(path)
    if problem:
        return problem
    if dynamic:
        return (f"{path} is dynamically linked; the Linux guest has no loader "
                "(build it with bench/baseline/linux-mpicc)")
    if pvh:
        return (f"{path} is a HermitCore-C image; --guest linux runs Linux "
                "programs (build it with bench/baseline/linux-mpicc)")
    return None


def sha256(path):
    """The file's SHA-256, hex: how launchers tell two hosts' copies apart."""
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()
