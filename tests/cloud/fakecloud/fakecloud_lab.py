"""fakecloud_lab.py - what the fake `gcloud` and `openstack` share: their
state, and the emulated VPC their instances run in (tests/cloud/vpc.sh,
instance.sh, metadata_server.py). Standard library only; not a command.

Environment (both fakes):
  FAKECLOUD_DIR      the cloud's state (required; made if missing)
  FAKECLOUD_LAB      the vpc.sh lab the instances run in (required; must be up)
  FAKECLOUD_MEM      an instance's memory (default 256M)
  FAKECLOUD_INSTANCE_TIMEOUT  seconds an instance may run at most (default 1800)

State in FAKECLOUD_DIR:
  lock                    every command that changes something holds it
  calls.log               one line per command: time, status, argv
  metadata.json           the metadata server's config: every instance by address
  gcs/BUCKET/OBJECT       Cloud Storage
  gce/images/NAME/        disk.raw (unpacked from the upload), image.json
  gce/instances/NAME/     instance.json, serial.log, instance.out (instance.sh's
                          stdout: QEMU's status), instance.err
  openstack/images/ID/    disk, image.json
  openstack/servers/ID/   as gce/instances/NAME/

An instance is a QEMU VM (instance.sh) on the lab's bridge with a fixed
address from 10.128.0.100-199 (vpc.sh add-instance) and a MAC derived from
it as GCE does (42:01 + the address); its lab name (vpc.sh's NAME, the
tap t-NAME) is fcN for 10.128.0.N. One metadata server serves a lab in one
flavour (gce or openstack): the first instance of a cloud (re)starts it in
that flavour with metadata.json as its config, which it reads again when
the file changes (it is replaced atomically); an instance of the other
cloud cannot be created while one of the first exists.
"""

import contextlib
import fcntl
import json
import os
import signal
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.realpath(__file__))
CLOUD_DIR = os.path.dirname(HERE)                      # tests/cloud
VPC = os.path.join(CLOUD_DIR, "vpc.sh")
INSTANCE = os.path.join(CLOUD_DIR, "instance.sh")
VPC_STATE = "/run/hermit-vpc"
SUBNET = "10.128.0"
FIRST_HOST, LAST_HOST = 100, 199
BOOT_WAIT = 15.0            # seconds for an instance's QEMU to appear
STOP_WAIT = 15.0            # seconds for instance.sh to end after a TERM


class Fail(Exception):
    """A command's failure: its message (already in the CLI's style) and status."""

    def __init__(self, message, status=1):
        super().__init__(message)
        self.status = status


def atomic_write(path, text):
    tmp = f"{path}.tmp{os.getpid()}"
    with open(tmp, "w", encoding="utf-8") as f:
        f.write(text)
    os.replace(tmp, path)


def read_json(path):
    with open(path, encoding="utf-8") as f:
        return json.load(f)


def write_json(path, data):
    atomic_write(path, json.dumps(data, indent=1, sort_keys=True) + "\n")


def proc_start_time(pid):
    """Field 22 of /proc/PID/stat (start time in ticks), or None: with the
    PID it names one process, whatever PIDs are reused later."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            text = f.read()
    except OSError:
        return None
    fields = text[text.rindex(")") + 2:].split()
    return fields[19]


def running(pid, start=None):
    """PID is a process that has not ended (a zombie has) and, if START is
    given, the one that started then."""
    try:
        with open(f"/proc/{pid}/status") as f:
            if any(line.startswith("State:") and "Z" in line.split()[1:2] for line in f):
                return False
    except OSError:
        return False
    return start is None or proc_start_time(pid) == start


class Cloud:
    def __init__(self, tool):
        self.tool = tool
        self.dir = os.environ.get("FAKECLOUD_DIR", "")
        self.lab = os.environ.get("FAKECLOUD_LAB", "")
        if not self.dir:
            raise Fail(f"fakecloud {tool}: FAKECLOUD_DIR is not set (the fake cloud's "
                       "state directory)", 2)
        if not self.lab:
            raise Fail(f"fakecloud {tool}: FAKECLOUD_LAB is not set (the vpc.sh lab "
                       "the instances run in)", 2)
        self.dir = os.path.abspath(self.dir)
        os.makedirs(self.dir, exist_ok=True)
        self.metadata_config = os.path.join(self.dir, "metadata.json")
        self.mem = os.environ.get("FAKECLOUD_MEM", "256M")
        self.timeout = os.environ.get("FAKECLOUD_INSTANCE_TIMEOUT", "1800")
        self._lock = None

    # --- state ---------------------------------------------------------------------
    def path(self, *parts):
        return os.path.join(self.dir, *parts)

    @contextlib.contextmanager
    def locked(self):
        fd = os.open(self.path("lock"), os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            yield
        finally:
            os.close(fd)

    def log_call(self, argv, status, started):
        line = (f"{time.strftime('%H:%M:%S', time.localtime(started))} "
                f"{time.time() - started:6.2f}s rc={status} "
                + " ".join(argv) + "\n")
        with open(self.path("calls.log"), "a", encoding="utf-8") as f:
            f.write(line)

    def records(self, kind):
        """{key: record} of gce/images, gce/instances, openstack/images, ..."""
        base = self.path(*kind.split("/"))
        out = {}
        if not os.path.isdir(base):
            return out
        for key in sorted(os.listdir(base)):
            meta = os.path.join(base, key, kind.split("/")[1].rstrip("s") + ".json")
            if os.path.isfile(meta):
                out[key] = read_json(meta)
        return out

    def record_dir(self, kind, key):
        return self.path(*kind.split("/"), key)

    def save_record(self, kind, key, record):
        d = self.record_dir(kind, key)
        os.makedirs(d, exist_ok=True)
        write_json(os.path.join(d, kind.split("/")[1].rstrip("s") + ".json"), record)

    def all_instances(self):
        """Every instance of both clouds: (kind, key, record)."""
        return [(kind, key, rec) for kind in ("gce/instances", "openstack/servers")
                for key, rec in self.records(kind).items()]

    # --- the lab -------------------------------------------------------------------
    def lab_state(self, *parts):
        return os.path.join(VPC_STATE, self.lab, *parts)

    def check_lab(self):
        if not os.path.isdir(self.lab_state()) or not os.path.exists(f"/run/netns/hermit-vpc-{self.lab}"):
            raise Fail(f"fakecloud {self.tool}: the lab '{self.lab}' (FAKECLOUD_LAB) is not up "
                       f"(tests/cloud/vpc.sh up {self.lab})")

    def vpc(self, *args):
        res = subprocess.run([VPC, *args], stdin=subprocess.DEVNULL, capture_output=True,
                             text=True)
        if res.returncode:
            last = (res.stderr.strip().splitlines() or ["(no message)"])[-1]
            raise Fail(f"fakecloud {self.tool}: vpc.sh {args[0]} failed: {last}")
        return res.stdout

    def lab_hosts(self):
        """The lab's dhcp-hosts lines as (mac, ip, name)."""
        try:
            with open(self.lab_state("dhcp-hosts")) as f:
                return [tuple(line.strip().split(",")) for line in f if line.count(",") == 2]
        except OSError:
            return []

    def allocate_address(self):
        used = {ip for _, ip, _ in self.lab_hosts()}
        used |= {rec["ip"] for _, _, rec in self.all_instances()}
        for host in range(FIRST_HOST, LAST_HOST + 1):
            ip = f"{SUBNET}.{host}"
            if ip not in used:
                return ip, f"42:01:0a:80:00:{host:02x}", f"fc{host}"
        raise Fail(f"fakecloud {self.tool}: no free address left in "
                   f"{SUBNET}.{FIRST_HOST}-{LAST_HOST} (quota exceeded)")

    def free_address(self, ip):
        """Takes IP's line out of the lab's dhcp-hosts (under vpc.sh's own lock,
        the format README.md documents) and tells dnsmasq to read it again."""
        hosts = self.lab_state("dhcp-hosts")
        if not os.path.exists(hosts):
            return
        fd = os.open(self.lab_state("lock"), os.O_WRONLY | os.O_CREAT | os.O_APPEND | os.O_CLOEXEC)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            with open(hosts) as f:
                lines = f.readlines()
            keep = [line for line in lines if line.split(",")[1:2] != [ip]]
            if keep != lines:
                atomic_write(hosts, "".join(keep))
                try:
                    with open(self.lab_state("dnsmasq.pid")) as f:
                        os.kill(int(f.read().strip()), signal.SIGHUP)
                except (OSError, ValueError):
                    pass
        finally:
            os.close(fd)

    def write_metadata(self):
        """metadata.json from every instance (both clouds: the server answers
        in its flavour only, see ensure_metadata_server)."""
        config = {}
        for _, _, rec in self.all_instances():
            entry = {"name": rec["name"], "id": rec["id"], "mac": rec["mac"],
                     "attributes": rec["metadata"]}
            if rec.get("user_data") is not None:
                entry["user_data"] = rec["user_data"]
            config[rec["ip"]] = entry
        write_json(self.metadata_config, config)

    def metadata_server(self):
        """(flavour, config) of the lab's running metadata server, or None."""
        try:
            with open(self.lab_state("metadata.pid")) as f:
                pid = int(f.read().strip())
            with open(f"/proc/{pid}/cmdline", "rb") as f:
                argv = f.read().decode(errors="replace").split("\0")
        except (OSError, ValueError):
            return None
        if not running(pid):
            return None

        def value(flag):
            return argv[argv.index(flag) + 1] if flag in argv[:-1] else None
        return value("--flavour"), value("--config")

    def ensure_metadata_server(self, flavour):
        if not os.path.exists(self.metadata_config):
            self.write_metadata()
        want = (flavour, os.path.realpath(self.metadata_config))
        if self.metadata_server() == want:
            return
        other = [rec["name"] for kind, _, rec in self.all_instances()
                 if rec["cloud"] != flavour]
        if other:
            raise Fail(f"fakecloud {self.tool}: the lab '{self.lab}' has one metadata server, "
                       f"serving the other cloud's instances ({', '.join(other)}); delete them "
                       f"before creating {flavour} ones")
        self.vpc("metadata", self.lab, flavour, self.metadata_config)

    # --- instances -----------------------------------------------------------------
    def netns_inode(self):
        try:
            return os.stat(f"/run/netns/hermit-vpc-{self.lab}").st_ino
        except OSError:
            return None

    def qemu_pids(self, vm=None):
        """QEMUs in the lab's namespace (named VM if given)."""
        ino, out = self.netns_inode(), []
        if ino is None:
            return out
        for entry in os.listdir("/proc"):
            if not entry.isdigit():
                continue
            try:
                with open(f"/proc/{entry}/cmdline", "rb") as f:
                    argv = f.read().split(b"\0")
                if not argv[0].endswith(b"qemu-system-x86_64"):
                    continue
                if os.stat(f"/proc/{entry}/ns/net").st_ino != ino:
                    continue
            except OSError:
                continue
            if vm is None or (b"-name" in argv[:-1] and argv[argv.index(b"-name") + 1] == vm.encode()):
                if running(int(entry)):
                    out.append(int(entry))
        return out

    def boot(self, kind, key, rec):
        """Starts instance.sh for REC, detached (a session of its own, every
        descriptor on a file), and returns once its QEMU runs."""
        d = self.record_dir(kind, key)
        serial = os.path.join(d, "serial.log")
        open(serial, "ab").close()
        argv = [INSTANCE, self.lab, rec["vm"], "--disk", rec["disk"], "--firmware",
                rec["firmware"], "--mac", rec["mac"], "--mem", self.mem, "--cpus", "1",
                "--timeout", str(self.timeout), "--serial", serial]
        with open(os.path.join(d, "instance.out"), "wb") as out, \
                open(os.path.join(d, "instance.err"), "wb") as err:
            proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=out, stderr=err,
                                    start_new_session=True, close_fds=True)
        rec["pid"], rec["pid_start"] = proc.pid, proc_start_time(proc.pid)
        self.save_record(kind, key, rec)
        deadline = time.monotonic() + BOOT_WAIT
        while time.monotonic() < deadline:
            if self.qemu_pids(rec["vm"]):
                return
            if proc.poll() is not None:
                break
            time.sleep(0.05)
        self.stop(rec)
        with open(os.path.join(d, "instance.err"), errors="replace") as f:
            last = (f.read().strip().splitlines() or ["no message"])[-1]
        raise Fail(f"fakecloud {self.tool}: instance {rec['name']} did not start: {last}")

    def stop(self, rec):
        """Stops REC's VM: a TERM to instance.sh (it stops QEMU and removes
        its tap), a KILL to what is left after STOP_WAIT."""
        pid, start = rec.get("pid"), rec.get("pid_start")
        if pid and running(pid, start):
            try:
                os.kill(pid, signal.SIGTERM)
            except OSError:
                pass
            deadline = time.monotonic() + STOP_WAIT
            while running(pid, start) and time.monotonic() < deadline:
                time.sleep(0.05)
            if running(pid, start):
                try:
                    os.kill(pid, signal.SIGKILL)
                except OSError:
                    pass
        for qpid in self.qemu_pids(rec["vm"]):
            try:
                os.kill(qpid, signal.SIGKILL)
            except OSError:
                pass
        deadline = time.monotonic() + 5
        while self.qemu_pids(rec["vm"]) and time.monotonic() < deadline:
            time.sleep(0.05)
        subprocess.run([VPC, "untap", self.lab, rec["vm"]], stdin=subprocess.DEVNULL,
                       capture_output=True)

    def status_of(self, rec):
        """RUNNING while its instance.sh runs, else TERMINATED (GCE's words)."""
        return "RUNNING" if rec.get("pid") and running(rec["pid"], rec.get("pid_start")) \
            else "TERMINATED"

    def create_instance(self, kind, key, rec):
        """Adds REC (a new instance: name, id, cloud, disk, firmware, metadata,
        user_data) to the lab and boots it. Call with the lock held."""
        self.check_lab()
        self.ensure_metadata_server(rec["cloud"])
        rec["ip"], rec["mac"], rec["vm"] = self.allocate_address()
        rec["created"] = time.time()
        self.save_record(kind, key, rec)
        try:
            self.vpc("add-instance", self.lab, rec["vm"], rec["mac"], rec["ip"])
            self.write_metadata()
            self.boot(kind, key, rec)
        except BaseException:
            self.delete_instance(kind, key, rec)
            raise

    def delete_instance(self, kind, key, rec):
        """Stops REC's VM, frees its address, drops its metadata and state."""
        self.stop(rec)
        self.free_address(rec["ip"])
        d = self.record_dir(kind, key)
        for name in os.listdir(d) if os.path.isdir(d) else ():
            os.unlink(os.path.join(d, name))
        if os.path.isdir(d):
            os.rmdir(d)
        self.write_metadata()


def main(tool, run):
    """Runs RUN(cloud, argv) for the fake TOOL and exits with its status;
    every call is logged in calls.log."""
    argv = sys.argv[1:]
    started = time.time()
    try:
        cloud = Cloud(tool)
    except Fail as e:
        print(e, file=sys.stderr)
        sys.exit(e.status)
    try:
        status = run(cloud, argv) or 0
    except Fail as e:
        print(e, file=sys.stderr)
        status = e.status
    except KeyboardInterrupt:
        status = 130
    cloud.log_call([tool] + argv, status, started)
    sys.exit(status)
