"""hydra_job.py - hermit-mpirun across hosts: MPICH's Hydra starts the
ranks, we bring the image, the VM and the network.

    hermit-mpirun -f HOSTFILE -n N [options] IMAGE [ARG...]   ssh to each host
    hermit-mpirun -n N [options] IMAGE   inside a Slurm allocation (salloc,
                                         sbatch): srun starts the per-host work

Steps, each failing with one line that names the host:
1. pre-flight: every host answers over ssh, has QEMU and this checkout at
   the same path, and holds the image (same SHA-256) at the same path;
   a host that lacks it gets a copy in ~/.cache/hermitcore-c/images/,
   verified by checksum before boot (hermit-vm checks it again); the same
   for the one initramfs of a --guest linux job, built here;
2. one cluster network across the hosts (cluster/hermit-net --hosts);
3. Debian's mpiexec.hydra -f HOSTFILE, -launcher ssh through
   cluster/hermit-ssh (keepalives: a dead host ends the job in seconds) or
   -bootstrap slurm, runs cluster/hermit-vm per rank with -pmi-port;
4. the network is destroyed on every host, whatever happened.
The job's status is mpiexec's: the first failing rank's, as Hydra reports.
"""

import os
import re
import shlex
import signal
import subprocess
import sys
import tempfile
import time

import hostfile
import linux_guest
from program import sha256
from vmproc import die_with_parent

HERE = os.path.dirname(os.path.abspath(__file__))
CHECKOUT = os.path.dirname(HERE)
HERMIT_NET = os.path.join(HERE, "hermit-net")
HERMIT_VM = os.path.join(HERE, "hermit-vm")
HERMIT_SSH = os.path.join(HERE, "hermit-ssh")
MPIEXEC = "mpiexec.hydra"
STAGE_DIR = "~/.cache/hermitcore-c/images"
SSH = ["ssh", "-n", "-o", "BatchMode=yes", "-o", "ConnectTimeout=10"]
STOP_WAIT = 10.0         # after SIGINT, Hydra's time to stop every proxy
LOST_STOP_WAIT = 1.0     # the same with a host gone: Hydra would wait for it
EXIT_LOST_HOST = 125


class SetupError(Exception):
    pass


def on_hosts(hosts, command, timeout=60):
    """Runs the shell COMMAND on every host at once: {host: (status, out, err)}."""
    procs = {h: subprocess.Popen(SSH + [h, command], stdout=subprocess.PIPE,
                                 stderr=subprocess.PIPE, text=True) for h in hosts}
    results = {}
    for h, p in procs.items():
        try:
            out, err = p.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            p.kill()
            out, err = p.communicate()
            err += f"no answer within {timeout} s"
        results[h] = (p.returncode, out, err.strip())
    return results


def check_hosts(hosts):
    """Every host answers over ssh, runs QEMU and has this checkout."""
    probe = (f"qemu-system-x86_64 --version >/dev/null 2>&1 || echo no-qemu; "
             f"test -x {shlex.quote(HERMIT_VM)} || echo no-checkout")
    problems = []
    for host, (status, out, err) in on_hosts(hosts, probe).items():
        if status != 0:
            problems.append(f"host {host} cannot be reached: "
                            f"{err.splitlines()[-1] if err else f'ssh status {status}'}")
        elif "no-qemu" in out:
            problems.append(f"host {host} has no qemu-system-x86_64 (run 'make deps' there)")
        elif "no-checkout" in out:
            problems.append(f"host {host} has no HermitCore-C checkout at {CHECKOUT} "
                            "(every host needs it at the same path)")
    if problems:
        raise SetupError("; ".join(problems))


def on_every_host(hosts, path, digest, what):
    """A path at which every host holds this file: its own path if every
    host's copy there has the head's checksum (a shared directory), else a
    content-addressed copy in each host's cache, checked after copying."""
    have = on_hosts(hosts, f"sha256sum {shlex.quote(path)} 2>/dev/null")
    if all(out.startswith(digest) for _, out, _ in have.values()):
        return path
    target = f"{STAGE_DIR}/{digest}{os.path.splitext(path)[1]}"
    have = on_hosts(hosts, f"sha256sum {target} 2>/dev/null")
    for host in hosts:
        if have[host][1].startswith(digest):
            continue
        with open(path, "rb") as source:
            copy = subprocess.run(["ssh", "-o", "BatchMode=yes", host,
                                   f"mkdir -p {STAGE_DIR} && cat > {target}.part && "
                                   f"mv {target}.part {target}"],
                                  stdin=source, capture_output=True, text=True, timeout=300)
        if copy.returncode != 0:
            raise SetupError(f"cannot copy the {what} to host {host}: {copy.stderr.strip()}")
    for host, (status, out, err) in on_hosts(hosts, f"sha256sum {target}").items():
        if status != 0 or not out.startswith(digest):
            raise SetupError(f"the {what} copied to host {host} does not match its checksum")
    return target


class Network:
    """A hermit-net network across the job's hosts; destroy() is idempotent."""

    def __init__(self, plan, hostfile_path, vms):
        self.name = f"mh{os.getpid()}"
        try:
            out = subprocess.run([HERMIT_NET, "create", "--plan", plan, "--vms", str(vms),
                                  "--owner", str(os.getpid()), "--hosts", hostfile_path,
                                  self.name], capture_output=True, text=True, timeout=120)
        except BaseException:
            # Stopped half-way (timeout, Ctrl-C): what it made is ours to remove.
            subprocess.run([HERMIT_NET, "destroy", self.name], capture_output=True, timeout=120)
            raise
        if out.returncode != 0:
            raise SetupError(out.stderr.strip() or "hermit-net create failed")
        self.alive = True

    def destroy(self, lost=()):
        if self.alive:
            self.alive = False
            skip = ["--lost", ",".join(lost)] if lost else []
            out = subprocess.run([HERMIT_NET, "destroy", *skip, self.name], capture_output=True,
                                 text=True, timeout=120)
            if out.returncode != 0:
                sys.stderr.write(out.stderr)


def slurm_slots(spec, count):
    """Tasks per node from SLURM_TASKS_PER_NODE ("2(x3),1"): COUNT numbers,
    or one each where Slurm gave none that fits (a hint, not a limit)."""
    slots = []
    for part in (spec or "").split(","):
        m = re.fullmatch(r"(\d+)(?:\(x(\d+)\))?", part)
        if not m:
            return [1] * count
        slots += [max(1, int(m.group(1)))] * int(m.group(2) or 1)
    return slots if len(slots) == count else [1] * count


def slurm_hosts():
    """The allocation's hosts with Slurm's tasks per node as their slots,
    which is how Hydra places ranks under Slurm too."""
    nodes = subprocess.run(["scontrol", "show", "hostnames", os.environ["SLURM_JOB_NODELIST"]],
                           capture_output=True, text=True, timeout=30)
    names = nodes.stdout.split()
    if nodes.returncode != 0 or not names:
        raise SetupError(f"cannot list the allocation's nodes: {nodes.stderr.strip()}")
    return list(zip(names, slurm_slots(os.environ.get("SLURM_TASKS_PER_NODE"), len(names))))


def mpiexec_command(o, bootstrap, hostfile_path, image, digest, net):
    cmd = [MPIEXEC, "-n", str(o.n), "-pmi-port"]
    if bootstrap == "ssh":
        cmd += ["-f", hostfile_path, "-launcher", "ssh", "-launcher-exec", HERMIT_SSH]
    else:
        cmd += ["-bootstrap", "slurm"]
    cmd += ["-prepend-rank"] if o.label else []
    cmd += ["-genv", "HERMIT_IMAGE_SHA256", digest]
    if net:
        cmd += ["-genv", "HERMIT_NET", net.name]
    cmd += [HERMIT_VM, "--cpus", str(o.cpus), "--mem", o.mem, "--timeout", f"{o.timeout:g}",
            "--guest", o.guest]
    cmd += ["--initrd", o.initrd] if o.initrd else []
    cmd += ["--icount"] if o.icount else []
    cmd += [f"--kopt={k}" for k in o.kopt] + [f"--genv={e}" for e in o.genv]
    return cmd + [image] + o.args


def lost_hosts(lost_dir):
    try:
        return sorted(os.listdir(lost_dir))
    except OSError:
        return []


def describe_lost(lost, placed):
    """'h2 (ranks 2, 3)' for each lost host."""
    return ", ".join(f"{h} (rank{'s' if placed.count(h) > 1 else ''} "
                     + ", ".join(str(r) for r, p in enumerate(placed) if p == h) + ")"
                     for h in lost)


def run(o, prog, hostfile_path=None):
    """Runs the job across hosts; returns hermit-mpirun's exit status."""
    bootstrap = "ssh" if hostfile_path else "slurm"
    net = mpiexec = None
    lost = []
    with tempfile.TemporaryDirectory(prefix="hermit-mpirun-") as tmp:
        lost_dir = os.path.join(tmp, "lost")
        os.mkdir(lost_dir)
        try:
            if hostfile_path:
                hosts = hostfile.read(hostfile_path)
            else:
                hosts = slurm_hosts()
                hostfile_path = os.path.join(tmp, "hosts")
                with open(hostfile_path, "w") as f:
                    f.writelines(f"{h}:{s}\n" for h, s in hosts)
            names = [h for h, _ in hosts]
            placed = hostfile.placement(hosts, o.n)
            check_hosts(names)
            digest = sha256(o.image)
            image = on_every_host(names, os.path.abspath(o.image), digest, "image")
            if o.guest == "linux":      # one initramfs for every rank, as on one host
                initrd = linux_guest.build_initramfs(o.image)
                o.initrd = on_every_host(names, initrd, sha256(initrd), "initramfs")
            if o.net != "none":
                per_host = max(placed.count(h) for h in names)
                net = Network(o.net, hostfile_path, per_host)
            cmd = mpiexec_command(o, bootstrap, hostfile_path, image, digest, net)
            if o.show:
                print(f"{prog}: " + " ".join(shlex.quote(c) for c in cmd), file=sys.stderr)
            # SIGINT is Hydra's stop; it gets it if this launcher is killed.
            mpiexec = subprocess.Popen(cmd, stdin=subprocess.DEVNULL,
                                       env=dict(os.environ, HERMIT_LOST_DIR=lost_dir),
                                       preexec_fn=die_with_parent(signal.SIGINT))
            deadline = time.monotonic() + o.timeout + 30 if o.timeout else None
            while mpiexec.poll() is None:
                lost = lost_hosts(lost_dir)
                if lost:
                    print(f"{prog}: lost host {describe_lost(lost, placed)}: ssh to it stopped "
                          "answering; stopping the job on the other hosts", file=sys.stderr,
                          flush=True)
                    stop(mpiexec, LOST_STOP_WAIT)
                    return EXIT_LOST_HOST
                if deadline and time.monotonic() > deadline:
                    print(f"{prog}: job timed out after {o.timeout:g} s", file=sys.stderr)
                    stop(mpiexec)
                    return 124
                time.sleep(0.2)
            return mpiexec.returncode if mpiexec.returncode >= 0 else 128 - mpiexec.returncode
        except KeyboardInterrupt:
            print(f"{prog}: interrupted; stopping every VM on every host", file=sys.stderr,
                  flush=True)
            stop(mpiexec)
            return 130
        except (SetupError, hostfile.HostfileError) as e:
            print(f"{prog}: {e}", file=sys.stderr)
            return 2 if isinstance(e, hostfile.HostfileError) else 125
        except (OSError, RuntimeError, subprocess.SubprocessError) as e:
            print(f"{prog}: cannot set up the job: {e}", file=sys.stderr)
            return 125
        finally:
            for signum in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
                signal.signal(signum, signal.SIG_IGN)       # cleanup must finish
            if mpiexec and mpiexec.poll() is None:
                stop(mpiexec)
            if net:
                net.destroy(lost)


def stop(mpiexec, wait=STOP_WAIT):
    """SIGINT is Hydra's signal to stop every proxy and its processes; if it
    has not done so in time, killing mpiexec ends its ssh sessions, and with
    them each host's proxy and everything below it (parent-death signals)."""
    if mpiexec is None or mpiexec.poll() is not None:
        return
    mpiexec.send_signal(signal.SIGINT)
    try:
        mpiexec.wait(timeout=wait)
    except subprocess.TimeoutExpired:
        mpiexec.kill()
        mpiexec.wait()
