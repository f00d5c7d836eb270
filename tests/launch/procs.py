"""procs.py - what the tests in tests/launch share: PASS/FAIL lines, a
look at host processes through /proc, and bin/hermit-run as a module."""

import importlib.machinery
import importlib.util
import os

RUN = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "bin", "hermit-run")


def load_hermit_run():
    """bin/hermit-run (no .py suffix) imported as a module, to call its functions."""
    loader = importlib.machinery.SourceFileLoader("hermit_run", RUN)
    spec = importlib.util.spec_from_loader("hermit_run", loader)
    mod = importlib.util.module_from_spec(spec)
    loader.exec_module(mod)
    return mod

failures = 0


def check(name, ok, detail=""):
    """Prints one PASS/FAIL line; failures counts the FAILs."""
    global failures
    print(f"PASS {name}" if ok else f"FAIL {name}: {detail}", flush=True)
    failures += 0 if ok else 1


def stat_fields(pid):
    """/proc/PID/stat's fields after the command name (state is [0], ppid [1])."""
    with open(f"/proc/{pid}/stat") as f:
        return f.read().rsplit(")", 1)[1].split()


def descendants(pid):
    """Every process below PID, children first."""
    kids = {}
    for d in os.listdir("/proc"):
        if d.isdigit():
            try:
                kids.setdefault(int(stat_fields(d)[1]), []).append(int(d))
            except (OSError, IndexError, ValueError):
                pass
    out, todo = [], [pid]
    while todo:
        for k in kids.get(todo.pop(), []):
            out.append(k)
            todo.append(k)
    return out


def alive(pids):
    """Those of PIDS that still run (zombies do not)."""
    left = []
    for p in pids:
        try:
            if stat_fields(p)[0] != "Z":
                left.append(p)
        except (OSError, IndexError):
            pass
    return left


def argv(pid):
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as f:
            return [a.decode(errors="replace") for a in f.read().split(b"\0") if a]
    except OSError:
        return []


def cmdline(pid):
    return " ".join(argv(pid)) or "?"


def status(pid):
    """/proc/PID/status as NAME -> list of words."""
    fields = {}
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            key, _, value = line.partition(":")
            fields[key] = value.split()
    return fields
