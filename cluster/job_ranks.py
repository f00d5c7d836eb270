"""job_ranks.py - hermit-mpirun's view of one rank: its child process,
its two output streams (copied whole-line with -l, each line prefixed
"[R] "), and the one line the job prints when the rank fails.
"""

import re
import signal
import sys

# What a rank that this launcher stopped says about being stopped: QEMU's
# and hermit-run's notes on SIGTERM. The job's own message already says the
# ranks are being stopped, so N copies of these would only bury the cause.
STOP_NOISE = re.compile(rb"^(qemu-system-\S+: terminating on signal \d+.*"
                        rb"|hermit-run: interrupted; VM stopped)$")
# How hermit-run (and linux-run) report a QEMU that a signal ended: the
# rank's status is then 125, and the signal is the cause worth naming.
QEMU_SIGNALLED = re.compile(rb"^(?:\[\d+\] )?\S+-run: QEMU failed \(exit code -(\d+)\)$", re.M)


class Rank:
    """One child (hermit-vm) and the two output streams it writes."""

    def __init__(self, index, proc, label):
        self.index = index
        self.proc = proc
        self.prefix = f"[{index}] ".encode() if label else b""
        self.partial = {1: b"", 2: b""}
        self.open_streams = 2
        self.status = None          # exit status once it has exited
        self.pmi_init = False
        self.finalized = False
        self.stopped = False        # this launcher sent it SIGTERM
        self.err_tail = b""         # the end of what it wrote to stderr


def exit_message(rank, status):
    """The job's one line about a rank that exited with STATUS (not 0)."""
    found = status == 125 and QEMU_SIGNALLED.findall(rank.err_tail)
    name = found and signal_name(int(found[-1]))
    if name:
        return f"rank {rank.index}: VM died (its QEMU was killed by signal {int(found[-1])}, {name})"
    why = f" (killed by {signal_name(status - 128)})" \
        if status > 128 and signal_name(status - 128) else ""
    return f"rank {rank.index} exited with status {status}{why}"


def signal_name(number):
    try:
        return signal.Signals(number).name if 0 < number < signal.NSIG else None
    except ValueError:
        return None


def exit_status(returncode):
    return 128 - returncode if returncode < 0 else returncode


def write_out(rank, fd, data):
    """Copies output; with -l whole lines only, each with the rank's prefix."""
    out = sys.stdout.buffer if fd == 1 else sys.stderr.buffer
    if not rank.prefix:
        out.write(data)
        out.flush()
        return
    data = rank.partial[fd] + data
    *lines, rank.partial[fd] = data.split(b"\n")
    if lines:
        out.write(b"".join(rank.prefix + line + b"\n" for line in lines))
        out.flush()


def flush_partial(rank, fd):
    if rank.partial[fd]:
        write_out(rank, fd, b"\n")
