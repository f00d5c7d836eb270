"""pmi_relay.py - carry one VM's PMI connection to MPICH's Hydra, and
tell Hydra when the VM dies before MPI_Finalize.

QEMU's guestfwd rule connects the guest's PMI socket to a host endpoint
when QEMU starts. Hydra needs a hop in between:

- Hydra without -pmi-port hands each process an inherited, already
  connected descriptor (PMI_FD, PMI_RANK, PMI_SIZE). A guest cannot hold
  a host descriptor, so the guest speaks the PMI_PORT dialect to us and
  we answer its opening `cmd=initack pmiid=R` ourselves, as Hydra does on
  a port, then pass every later line through unchanged.
- The bridge plan runs QEMU inside the network's namespace, where the
  host's 127.0.0.1 is out of reach; a unix socket is not.

- Hydra ends a job when a rank aborts, not when one exits non-zero:
  a VM that fails to boot, panics or is killed would leave the other
  ranks waiting in a PMI barrier forever. When the VM's runner exits
  non-zero and the guest never sent `cmd=finalize`, the relay sends
  `cmd=abort exitcode=STATUS` for it (opening the link first if the guest
  never did), exactly what MPI_Abort sends; Hydra then stops every rank
  and exits with that status.

The relay listens on a unix socket in a private directory, accepts QEMU's
one connection, and copies bytes both ways until the VM's runner exits.
"""

import os
import selectors
import socket
import tempfile

CHUNK = 65536


class PmiRelay:
    """Upstream is either an inherited descriptor (fd_rank, fd_size set) or
    a TCP port on 127.0.0.1, connected when the guest first speaks."""

    def __init__(self, upstream_fd=None, port=None, rank=None, size=None):
        self.upstream_fd, self.port, self.rank, self.size = upstream_fd, port, rank, size
        self.dir = tempfile.mkdtemp(prefix="hermit-pmi-")
        self.path = os.path.join(self.dir, "pmi.sock")
        self.listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.listener.bind(self.path)
        self.listener.listen(1)
        self.guest = None
        self.upstream = None
        self.pending = b""       # guest bytes before the opening line is complete
        self.recent = b""        # the tail of what the guest sent, to spot finalize
        self.finalized = False

    def close(self):
        for s in (self.listener, self.guest, self.upstream):
            if s is not None:
                s.close()
        try:
            os.unlink(self.path)
            os.rmdir(self.dir)
        except OSError:
            pass

    def _open_upstream(self):
        if self.upstream_fd is not None:
            self.upstream = socket.socket(fileno=self.upstream_fd)
        else:
            self.upstream = socket.create_connection(("127.0.0.1", self.port), timeout=10)
            self.upstream.settimeout(None)

    def _watch(self, data):
        self.recent = (self.recent + data)[-256:]
        if b"cmd=finalize\n" in self.recent:
            self.finalized = True

    def _from_guest(self, data):
        """Forwards guest bytes; in descriptor mode answers the opening line."""
        self._watch(data)
        if self.upstream is not None:
            self.upstream.sendall(data)
            return
        self.pending += data
        if self.upstream_fd is not None:
            if b"\n" not in self.pending:
                return
            first, _, rest = self.pending.partition(b"\n")
            if first.startswith(b"cmd=initack"):
                self.guest.sendall(b"cmd=initack\ncmd=set size=%d\ncmd=set rank=%d\n"
                                   b"cmd=set debug=0\n" % (self.size, self.rank))
                self.pending = rest
        self._open_upstream()
        if self.pending:
            self.upstream.sendall(self.pending)
        self.pending = b""

    def run(self, child):
        """Relays until CHILD (a Popen) exits; returns its exit status."""
        sel = selectors.DefaultSelector()
        sel.register(self.listener, selectors.EVENT_READ, "accept")
        while child.poll() is None:
            for key, _ in sel.select(timeout=0.2):
                if key.data == "accept":
                    self.guest, _ = self.listener.accept()
                    sel.unregister(self.listener)
                    sel.register(self.guest, selectors.EVENT_READ, "guest")
                    continue
                try:
                    data = key.fileobj.recv(CHUNK)
                except OSError:
                    data = b""
                if not data:
                    # The guest's side closes when its VM ends: Hydra must not
                    # see that before abort() can say why, or it kills us
                    # first. Upstream closes when we exit.
                    sel.unregister(key.fileobj)
                    if key.data == "upstream" and self.guest is not None:
                        self.guest.shutdown(socket.SHUT_WR)
                    continue
                try:
                    if key.data == "guest":
                        had_upstream = self.upstream is not None
                        self._from_guest(data)
                        if not had_upstream and self.upstream is not None:
                            sel.register(self.upstream, selectors.EVENT_READ, "upstream")
                    else:
                        self.guest.sendall(data)
                except OSError:             # upstream unreachable or gone: the
                    for s in (self.guest, self.upstream):   # guest's PMI client
                        if s is not None:                   # sees its link drop
                            try:
                                sel.unregister(s)
                            except (KeyError, ValueError):
                                pass
                            s.close()
                    self.guest = self.upstream = None
        return child.wait()

    def abort(self, status):
        """Tells Hydra this rank ended with STATUS before MPI_Finalize: the
        job ends, as if the rank had called MPI_Abort. False if it could
        not be told (the process manager is gone too)."""
        try:
            if self.upstream is None:
                self._open_upstream()
                if self.upstream_fd is None:
                    self.upstream.sendall(b"cmd=initack pmiid=%d\n" % self.rank)
                self.upstream.sendall(b"cmd=init pmi_version=1 pmi_subversion=1\n")
            self.upstream.sendall(b"cmd=abort exitcode=%d\n" % status)
            return True
        except OSError:
            return False
