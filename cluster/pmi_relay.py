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
  non-zero and the guest never sent `cmd=finalize`, we send
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


class ProcessManager:
    """The process manager's end of one rank's PMI link: Hydra's inherited
    descriptor, or a port on 127.0.0.1 (its proxy on this host). Opened on
    first use."""

    def __init__(self, rank, size=None, fd=None, port=None):
        self.rank, self.size, self.fd, self.port = rank, size, fd, port
        self.sock = None

    def open(self):
        if self.sock is None:
            if self.fd is not None:
                self.sock = socket.socket(fileno=self.fd)
            else:
                self.sock = socket.create_connection(("127.0.0.1", self.port), timeout=10)
                self.sock.settimeout(None)
        return self.sock

    def greeting(self):
        """What Hydra says on a port after `cmd=initack pmiid=R`."""
        return (b"cmd=initack\ncmd=set size=%d\ncmd=set rank=%d\ncmd=set debug=0\n"
                % (self.size, self.rank))

    def abort(self, status):
        """Ends the job as MPI_Abort would, with STATUS. If the guest never
        spoke, the link is opened and introduced first. False if Hydra
        could not be told (its proxy is gone too)."""
        try:
            if self.sock is None:
                self.open()
                if self.fd is None:
                    self.sock.sendall(b"cmd=initack pmiid=%d\n" % self.rank)
                self.sock.sendall(b"cmd=init pmi_version=1 pmi_subversion=1\n")
            self.sock.sendall(b"cmd=abort exitcode=%d\n" % status)
            return True
        except OSError:
            return False

    def close(self):
        if self.sock is not None:
            self.sock.close()


class PmiRelay:
    def __init__(self, pm):
        self.pm = pm
        self.dir = tempfile.mkdtemp(prefix="hermit-pmi-")
        self.path = os.path.join(self.dir, "pmi.sock")
        self.listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.listener.bind(self.path)
        self.listener.listen(1)
        self.guest = None
        self.pending = b""       # guest bytes before the opening line is complete
        self.recent = b""        # the tail of what the guest sent, to spot finalize
        self.finalized = False

    def close(self):
        for s in (self.listener, self.guest):
            if s is not None:
                s.close()
        self.pm.close()
        self._unlink()

    def _unlink(self):
        try:
            os.unlink(self.path)
            os.rmdir(self.dir)
        except OSError:
            pass

    def _watch(self, data):
        self.recent = (self.recent + data)[-256:]
        if b"cmd=finalize\n" in self.recent:
            self.finalized = True

    def _from_guest(self, data):
        """Forwards guest bytes; on a descriptor, answers the opening line."""
        self._watch(data)
        if self.pm.sock is not None:
            self.pm.sock.sendall(data)
            return
        self.pending += data
        if self.pm.fd is not None:
            if b"\n" not in self.pending:
                return
            first, _, rest = self.pending.partition(b"\n")
            if first.startswith(b"cmd=initack"):
                self.guest.sendall(self.pm.greeting())
                self.pending = rest
        self.pm.open()
        if self.pending:
            self.pm.sock.sendall(self.pending)
        self.pending = b""

    def _drop(self, sel):
        """Hydra cannot be reached or is gone: the guest's PMI client sees
        its link drop, and the VM fails as it would without us."""
        for s in (self.guest, self.pm.sock):
            if s is not None:
                try:
                    sel.unregister(s)
                except (KeyError, ValueError):
                    pass
        if self.guest is not None:
            self.guest.close()
            self.guest = None

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
                    # QEMU connects once, as it starts: the name is done with,
                    # and a SIGKILL from the process manager leaves no file.
                    self._unlink()
                    continue
                try:
                    data = key.fileobj.recv(CHUNK)
                except OSError:
                    data = b""
                if not data:
                    # The guest's side closes when its VM ends: Hydra must not
                    # see that before abort() can say why, or it kills us
                    # first. The process manager's side closes when we exit.
                    sel.unregister(key.fileobj)
                    if key.data == "pm" and self.guest is not None:
                        self.guest.shutdown(socket.SHUT_WR)
                    continue
                try:
                    if key.data == "guest":
                        opened = self.pm.sock is not None
                        self._from_guest(data)
                        if not opened and self.pm.sock is not None:
                            sel.register(self.pm.sock, selectors.EVENT_READ, "pm")
                    else:
                        self.guest.sendall(data)
                except OSError:
                    self._drop(sel)
        return child.wait()
