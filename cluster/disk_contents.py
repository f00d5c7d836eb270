"""disk_contents.py - what a hermit-image disk boots, and how: the ELF and
multiboot2 checks of the application, its kernel options and arguments,
the image name, grub.cfg and the MANIFEST. Pure logic, no I/O.

The ESP holds

    /EFI/BOOT/BOOTX64.EFI   GRUB for x86_64-efi
    /boot/grub/grub.cfg     serial console, one entry:
                                multiboot2 /boot/hermit/app.elf KERNEL-OPTIONS -- ARGV0 ARG...
    /boot/hermit/app.elf    the application
    /boot/hermit/MANIFEST   name, command line, SHA-256s

GRUB rebuilds the multiboot2 command line from words, so each word is
quoted for GRUB's script language and words GRUB would lose (empty, or
holding a control character) are refused. Each refusal is an ImageError
(disk_layout.py) with one sentence for the user. Used by
cluster/hermit-image and disk_verify.py; unit-tested in
tests/cloud/test_image_logic.py.
"""

import hashlib
import os
import re
import shlex
import struct

from disk_layout import ImageError, usage_error

DEFAULT_KERNEL_OPTIONS = "ip=dhcp cloud=auto"
CMDLINE_MAX = 4095                 # the kernel's limit (arch/x86_64/bootinfo.c)

ESP_APP = "/boot/hermit/app.elf"
ESP_CFG = "/boot/grub/grub.cfg"
ESP_EFI = "/EFI/BOOT/BOOTX64.EFI"
ESP_MANIFEST = "/boot/hermit/MANIFEST"


def grub_quote(word):
    """WORD as one word of GRUB's script language, read back literally
    (single quotes as in sh; a quote itself as '\\'')."""
    if word and re.fullmatch(r"[A-Za-z0-9_.,:/=+@%-]+", word):
        return word
    return "'" + word.replace("'", "'\\''") + "'"


def kernel_words(cmdline):
    """--cmdline's text as kernel option words (sh quoting), or raises."""
    if cmdline is None:
        cmdline = DEFAULT_KERNEL_OPTIONS
    if any(c in cmdline for c in "\n\r\0"):
        raise usage_error("--cmdline must be one line")
    try:
        words = shlex.split(cmdline)
    except ValueError as e:
        raise usage_error(f"--cmdline: {e}")
    if "--" in words:
        raise usage_error("--cmdline holds kernel options only; give the application's "
                          "arguments after --")
    return check_words(words, "kernel option")


def check_words(words, what):
    """GRUB rebuilds the multiboot2 command line from its words: an empty
    word vanishes and a tab or newline splits one, so refuse them."""
    for i, w in enumerate(words):
        if w == "":
            raise usage_error(f"{what} {i + 1} is empty; GRUB's multiboot2 command line "
                              "cannot carry an empty word")
        if any(ord(c) < 32 or ord(c) == 127 for c in w):
            raise usage_error(f"{what} {i + 1} holds a control character (tab, newline, ...); "
                              "GRUB's multiboot2 command line cannot carry it")
    return words


def argv0_of(elf_path):
    base = os.path.basename(elf_path)
    return base[:-4] if base.endswith(".elf") and len(base) > 4 else base


def default_name(argv0):
    name = re.sub(r"[^a-z0-9-]+", "-", argv0.lower()).strip("-")
    return ("hermit-" + name)[:63].rstrip("-") if name else "hermit"


def check_name(name):
    if not re.fullmatch(r"[a-z]([a-z0-9-]{0,61}[a-z0-9])?", name):
        raise usage_error(f"--name must be a lowercase letter, then up to 62 of [a-z0-9-], "
                          f"not ending in '-': '{name}'")
    return name


def loader_cmdline(kopts, argv):
    """The command line as the kernel receives it (for the length check)."""
    return " ".join(list(kopts) + ["--"] + list(argv))


def grub_cfg(name, kopts, argv, app=ESP_APP):
    """grub.cfg: serial console on COM1 at 115200, no menu, one entry."""
    words = [grub_quote(w) for w in list(kopts) + ["--"] + list(argv)]
    return ("serial --unit=0 --speed=115200\n"
            "terminal_input serial console\n"
            "terminal_output serial console\n"
            "set timeout_style=hidden\n"
            "set timeout=0\n"
            "set default=0\n"
            f"menuentry {grub_quote(name)} {{\n"
            f"    multiboot2 {app} {' '.join(words)}\n"
            "    boot\n"
            "}\n")


def parse_grub_cfg(text):
    """(app path, words after it) of the multiboot2 line, or None."""
    for line in text.splitlines():
        words = line.split(None, 2)
        if words and words[0] == "multiboot2" and len(words) >= 2:
            return words[1], (words[2] if len(words) > 2 else "")
    return None


def multiboot2_header_ok(data):
    """True if DATA's first 32 KiB hold a valid multiboot2 header (8-aligned
    magic, architecture 0 (i386), checksum summing to 0)."""
    for off in range(0, min(len(data), 32768) - 16 + 1, 8):
        magic, arch, length, check = struct.unpack_from("<IIII", data, off)
        if magic == 0xE85250D6 and arch == 0 and length >= 16 and \
                (magic + arch + length + check) & 0xFFFFFFFF == 0:
            return True
    return False


def elf_problem(head):
    """Why HEAD (an ELF's first bytes) is not a 64-bit x86-64 ELF executable, or None."""
    if head[:4] != b"\x7fELF":
        return "not an ELF file"
    if len(head) < 64 or head[4] != 2 or head[5] != 1:
        return "not a 64-bit little-endian ELF"
    if struct.unpack_from("<H", head, 18)[0] != 62:
        return "not an x86-64 ELF"
    return None


def manifest_text(name, cmdline, argv, files):
    """MANIFEST: what was built, and each part's SHA-256 and length."""
    lines = ["hermit-image 1", f"name {name}", f"cmdline {cmdline}",
             "argv " + " ".join(shlex.quote(a) for a in argv)]
    lines += [f"sha256 {hashlib.sha256(data).hexdigest()} {len(data)} {where}"
              for where, data in files]
    return "\n".join(lines) + "\n"


def parse_manifest(text):
    """(fields, [(sha256, length, where)]) of a MANIFEST, or raises."""
    lines = text.splitlines()
    if not lines or lines[0] != "hermit-image 1":
        raise ImageError("the MANIFEST is not hermit-image's")
    fields, sums = {}, []
    for line in lines[1:]:
        key, _, rest = line.partition(" ")
        if key == "sha256":
            parts = rest.split(" ", 2)
            if len(parts) != 3 or not re.fullmatch(r"[0-9a-f]{64}", parts[0]) \
                    or not parts[1].isdigit():
                raise ImageError(f"bad MANIFEST line: {line}")
            sums.append((parts[0], int(parts[1]), parts[2]))
        else:
            fields[key] = rest
    return fields, sums
