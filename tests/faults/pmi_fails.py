"""pmi_fails.py - runs cluster/hermit-mpirun with a PMI server that breaks
mid-job, for the fault-injection tests (tests/suites/faults.sh):

    python3 tests/faults/pmi_fails.py MPIRUN-ARGS...

The launcher serves PMI in its own loop (cluster/pmi.py), so "the PMI
service dies" is a bug of the server's: here its barrier raises once every
rank has booted and waits in MPI_Init's barrier. The launcher itself is
the real one, unchanged (run as __main__ with the server class patched
before it imports it); it must end the job with one line, stop every VM
and remove its network. No hook for this exists in the launcher.
"""

import os
import runpy
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
CLUSTER = os.path.join(ROOT, "cluster")
sys.path.insert(0, CLUSTER)
import pmi  # noqa: E402  (cluster/pmi.py; hermit-mpirun gets this very module)

barrier_in = pmi.PMIServer._cmd_barrier_in


def broken_barrier_in(self, conn, fields):
    if len(self.barrier) + 1 == self.size:
        raise RuntimeError("injected fault: the barrier is broken")
    return barrier_in(self, conn, fields)


pmi.PMIServer._cmd_barrier_in = broken_barrier_in
sys.argv = [os.path.join(CLUSTER, "hermit-mpirun")] + sys.argv[1:]
runpy.run_path(sys.argv[0], run_name="__main__")
