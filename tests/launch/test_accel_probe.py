#!/usr/bin/env python3
"""test_accel_probe.py - bin/hermit-run's accelerator probe and its cache,
against fake QEMUs (no KVM needed): a probe that timed out only because
the host was busy is not cached, the cache is written atomically, and a
cache that holds anything but a known answer is probed again.
Prints one PASS/FAIL line per case; exit 1 if any failed.
"""

import builtins
import os
import stat
import sys
import tempfile
import types

HERE = os.path.dirname(os.path.abspath(__file__))

sys.path.insert(0, HERE)
from procs import check  # noqa: E402  (tests/launch/procs.py)
import procs  # noqa: E402


def fake_qemu(tmp, name, body):
    """A QEMU stand-in: BODY is a shell script; "$DEBUGCON" is the file the
    real probe's guest writes its status to."""
    path = os.path.join(tmp, name)
    with open(path, "w") as f:
        f.write("#!/bin/bash\n"
                "for a in \"$@\"; do case $a in file:*) DEBUGCON=${a#file:} ;; esac; done\n"
                + body + "\n")
    os.chmod(path, stat.S_IRWXU)
    return path


# A guest that ran the probe loop and exited 0 (isa-debug-exit: 0 -> 1).
FAST_KVM = 'printf "status=0\\n" > "$DEBUGCON"; exit 1'
# A host too busy to run the probe at all: the process sleeps, uses no CPU.
BUSY_HOST = "exec sleep 30"
# A KVM that emulates slowly: the probe runs on a CPU the whole time.
SLOW_KVM = "while :; do :; done"
# QEMU that cannot use KVM at all (exits at once with its error status).
NO_KVM = 'echo "qemu: failed to initialize kvm" >&2; exit 1'


def main():
    run = procs.load_hermit_run()
    run.kvm_usable = lambda: True
    run.PROBE_TIMEOUT = 1.5
    args = types.SimpleNamespace(accel="auto", image="/nonexistent.elf")
    with tempfile.TemporaryDirectory(prefix="hermit-probe-test-") as tmp:
        os.environ["XDG_CACHE_HOME"] = os.path.join(tmp, "cache")
        cache = run.probe_cache_path()

        def fresh():
            if os.path.exists(cache):
                os.unlink(cache)

        def cached():
            try:
                with open(cache) as f:
                    return f.read().strip()
            except OSError:
                return None

        fresh()
        accel = run.choose_accel(fake_qemu(tmp, "busy", BUSY_HOST), args)
        check("probe-timeout-on-busy-host-not-cached",
              accel.startswith("tcg") and cached() is None,
              f"chose {accel!r}, cached {cached()!r}")

        fresh()
        accel = run.choose_accel(fake_qemu(tmp, "fast", FAST_KVM), args)
        check("probe-fast-kvm-cached", accel == "kvm" and cached() == "kvm",
              f"chose {accel!r}, cached {cached()!r}")

        fresh()
        accel = run.choose_accel(fake_qemu(tmp, "nokvm", NO_KVM), args)
        check("probe-qemu-error-is-tcg", accel.startswith("tcg") and
              (cached() or "tcg").startswith("tcg"),
              f"chose {accel!r}, cached {cached()!r}")

        # The slow KVM's timeout is conclusive when the probe had the CPU for
        # it; this machine may be too busy to give it that here, so the
        # accounting says it had.
        fresh()
        real_wait4 = os.wait4

        def had_the_cpu(pid, options):
            pid, status, usage = real_wait4(pid, options)
            return pid, status, types.SimpleNamespace(ru_utime=run.PROBE_TIMEOUT, ru_stime=0.0)
        os.wait4 = had_the_cpu
        try:
            accel = run.choose_accel(fake_qemu(tmp, "slow", SLOW_KVM), args)
        finally:
            os.wait4 = real_wait4
        check("probe-slow-kvm-cached-as-tcg",
              accel.startswith("tcg") and (cached() or "").startswith("tcg"),
              f"chose {accel!r}, cached {cached()!r}")

        # A cache left empty or garbled (a writer that died half-way, an
        # older version) is not an answer: probe again.
        for content in ("", "kv", "-accel whpx"):
            os.makedirs(os.path.dirname(cache), exist_ok=True)
            with open(cache, "w") as f:
                f.write(content)
            accel = run.choose_accel(fake_qemu(tmp, "fast", FAST_KVM), args)
            check(f"probe-bad-cache-{len(content)}-reprobed", accel == "kvm",
                  f"cache {content!r} gave {accel!r}")

        # Atomic: the cache's own name is never opened for writing (a
        # concurrent hermit-run would read it empty); a temporary file is
        # written and renamed over it.
        fresh()
        opened = []
        real_open = builtins.open

        def spy(path, mode="r", *a, **kw):
            opened.append((os.fspath(path) if not isinstance(path, int) else path, mode))
            return real_open(path, mode, *a, **kw)
        run.open = spy
        try:
            accel = run.choose_accel(fake_qemu(tmp, "fast", FAST_KVM), args)
        finally:
            del run.open
        written = [p for p, m in opened if any(c in m for c in "wax+")]
        check("probe-cache-written-atomically",
              cached() == "kvm" and cache not in written and
              not [n for n in os.listdir(os.path.dirname(cache)) if n != os.path.basename(cache)],
              f"opened for writing: {written}; dir: {os.listdir(os.path.dirname(cache))}")
    return 1 if procs.failures else 0


if __name__ == "__main__":
    sys.exit(main())
