#!/usr/bin/env python3
"""test_hermit_cloud.py - cluster/hermit-cloud without a cloud.

1. --dry-run output for GCE and OpenStack, parsed back with shlex and
   checked against the documented syntax of each command (COMMANDS in
   cloud_cli_syntax.py:
   allowed flags, required flags and positional arguments, taken from the
   gcloud and openstack reference pages cited there), and the metadata
   every rank gets.
2. Bad input: one clear line on stderr, status 2, nothing run.
3. Real runs against fake `gcloud`, `openstack`, hermit-image and
   hermit-head (one Python script in a temporary directory that logs its
   argv and fails where told): the order of the steps, cleanup after a
   failure at every step deleting exactly what was created, SIGINT and
   SIGTERM during the job, the image verified before any upload, the
   secret's file, --keep, a failed cleanup.

PATH holds only the fakes' directory in every real run: this machine's
own gcloud (if any) is never reachable. Prints one PASS/FAIL line per case.
"""

import json
import os
import re
import shlex
import signal
import struct
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, "..", ".."))
HERMIT_CLOUD = os.path.join(ROOT, "cluster", "hermit-cloud")

sys.path.insert(0, HERE)
from cloud_cli_syntax import check_values, parse_command, parse_gcloud_dict  # noqa: E402

failures = 0


def check(name, ok, detail=""):
    global failures
    print(f"PASS {name}" if ok else f"FAIL {name}: {detail}", flush=True)
    failures += 0 if ok else 1


# --- fakes --------------------------------------------------------------------------------
FAKE = r'''#!PYTHON -S
"""A fake gcloud / openstack / hermit-image / hermit-head: logs its argv as one
JSON line to $FAKE_DIR/log; FAKE_FAIL_AT=K fails the K-th cloud command,
FAKE_FAIL_MATCH=TEXT fails cloud commands containing TEXT, FAKE_SLOW=TEXT:S
sleeps S seconds in commands containing TEXT."""
import fcntl, json, os, signal, sys, time, uuid
prog = os.path.basename(sys.argv[0])
args = sys.argv[1:]
state = os.environ["FAKE_DIR"]
line = " ".join(args)

def log(**kw):
    with open(os.path.join(state, "lock"), "a") as lk:
        fcntl.flock(lk, fcntl.LOCK_EX)
        n = 0
        if kw.pop("count", False):
            path = os.path.join(state, "count")
            n = int(open(path).read()) + 1 if os.path.exists(path) else 1
            open(path, "w").write(str(n))
        kw.update(prog=prog, argv=args, n=n)
        with open(os.path.join(state, "log"), "a") as f:
            f.write(json.dumps(kw) + "\n")
        return n

def secret_info(path):
    st = os.stat(path)
    return {"secret": open(path).read(), "mode": st.st_mode & 0o777}

if prog in ("gcloud", "openstack"):
    slow = os.environ.get("FAKE_SLOW", "")
    if slow and slow.rsplit(":", 1)[0] in line:
        time.sleep(float(slow.rsplit(":", 1)[1]))
    with open(os.path.join(state, "lock"), "a") as lk:
        fcntl.flock(lk, fcntl.LOCK_EX)
        path = os.path.join(state, "count")
        n = int(open(path).read()) + 1 if os.path.exists(path) else 1
        open(path, "w").write(str(n))
    fail = (os.environ.get("FAKE_FAIL_AT") == str(n)
            or (os.environ.get("FAKE_FAIL_MATCH") and os.environ["FAKE_FAIL_MATCH"] in line))
    extra = {}
    for i, a in enumerate(args):
        if a.startswith("--metadata-from-file="):
            extra = secret_info(a.split("=", 2)[2])
        if a == "--user-data":
            extra = secret_info(args[i + 1])
    out = ""
    if not fail and "-c" in args and "id" in args:
        out = str(uuid.uuid4())
        print(out)
    if not fail and ("get-serial-port-output" in args or "console" in args):
        print(f"serial console of {args[-1] if prog == 'openstack' else args[3]}")
    log(status=1 if fail else 0, out=out, call=n, **extra)
    if fail:
        print(f"ERROR: (fake {prog}) simulated failure of call {n}", file=sys.stderr)
        sys.exit(1)
    sys.exit(0)

if prog == "hermit-image":
    if args[0] == "--verify":
        bad = os.environ.get("FAKE_VERIFY_FAIL")
        log(status=1 if bad else 0, exists=os.path.exists(args[1]))
        if bad or not os.path.exists(args[1]):
            print(f"hermit-image: {args[1]}: truncated image (fake)", file=sys.stderr)
            sys.exit(1)
        sys.exit(0)
    out_dir, fmt = args[args.index("-o") + 1], args[args.index("--format") + 1]
    name = {"gce": "disk.tar.gz", "qcow2": "disk.qcow2", "raw": "disk.raw", "vhd": "disk.vhd"}[fmt]
    open(os.path.join(out_dir, name), "wb").write(b"disk")
    log(status=0)
    sys.exit(0)

if prog == "hermit-head":
    info = secret_info(args[args.index("--secret-file") + 1])
    log(status=None, **info)
    open(os.path.join(state, "head-started"), "w").close()
    def term(signum, frame):
        open(os.path.join(state, "head-terminated"), "w").close()
        sys.exit(143)
    signal.signal(signal.SIGTERM, term)
    label = "-l" in args
    n = int(args[args.index("-n") + 1])
    # Every instance "joins" once its create has succeeded; --join-timeout.
    limit = time.time() + float(args[args.index("--join-timeout") + 1])
    while True:
        with open(os.path.join(state, "log")) as f:
            joined = sum(1 for l in f if json.loads(l)["prog"] in ("gcloud", "openstack")
                         and json.loads(l)["status"] == 0
                         and ("instances" in json.loads(l)["argv"][:2]
                              or json.loads(l)["argv"][:1] == ["server"])
                         and "create" in json.loads(l)["argv"][:3])
        if joined >= n:
            break
        if time.time() > limit:
            print("hermit-head: an instance never joined (fake)", file=sys.stderr)
            sys.exit(125)
        time.sleep(0.05)
    for rank in range(n):
        print(("[%d] " % rank if label else "") + "hello from rank %d" % rank, flush=True)
    time.sleep(float(os.environ.get("FAKE_HEAD_SLEEP", "0")))
    sys.exit(int(os.environ.get("FAKE_HEAD_STATUS", "0")))
'''


def elf_image(path):
    """The smallest file cluster/program.py takes for a HermitCore-C image: an
    x86-64 ELF64 header and one PT_NOTE with Xen's PVH entry note."""
    note = struct.pack("<III", 4, 4, 18) + b"Xen\0" + b"\0\0\0\0"
    ehdr = (b"\x7fELF\x02\x01\x01" + b"\0" * 9
            + struct.pack("<HHIQQQIHHHHHH", 2, 62, 1, 0, 64, 0, 0, 64, 56, 1, 0, 0, 0))
    phdr = struct.pack("<IIQQQQQQ", 4, 4, 120, 0, 0, len(note), len(note), 4)
    with open(path, "wb") as f:
        f.write(ehdr + phdr + note)


class Sandbox:
    def __init__(self, root):
        self.dir = tempfile.mkdtemp(dir=root)
        self.bin = os.path.join(self.dir, "bin")
        self.state = os.path.join(self.dir, "state")
        os.makedirs(self.bin)
        os.makedirs(self.state)
        fake = os.path.join(self.bin, "fake.py")
        with open(fake, "w") as f:
            f.write(FAKE.replace("PYTHON", sys.executable, 1))
        os.chmod(fake, 0o755)
        for prog in ("gcloud", "openstack", "hermit-image", "hermit-head"):
            os.symlink(fake, os.path.join(self.bin, prog))
        self.tmp = os.path.join(self.dir, "tmp")      # TMPDIR: hermit-cloud's private directory
        os.makedirs(self.tmp)
        self.app = os.path.join(self.dir, "app.elf")
        elf_image(self.app)

    def env(self, **extra):
        env = {"PATH": self.bin, "FAKE_DIR": self.state, "HOME": self.dir, "TMPDIR": self.tmp,
               "HERMIT_IMAGE_CMD": os.path.join(self.bin, "hermit-image"),
               "HERMIT_HEAD_CMD": os.path.join(self.bin, "hermit-head")}
        env.update({k: str(v) for k, v in extra.items()})
        return env

    def log(self):
        path = os.path.join(self.state, "log")
        if not os.path.exists(path):
            return []
        with open(path) as f:
            return [json.loads(line) for line in f]

    def cloud_calls(self):
        return [e for e in self.log() if e["prog"] in ("gcloud", "openstack")]


def gce_args(sandbox, n=3, *extra):
    return (["gce", "-n", str(n), "--name", "job", "--project", "my-proj", "--zone",
             "us-central1-a", "--bucket", "gs://my-bucket", "--head-address", "10.128.0.5",
             "--output-dir", os.path.join(sandbox.dir, "out")] + list(extra) + [sandbox.app])


def os_args(sandbox, n=3, *extra):
    return (["openstack", "-n", str(n), "--name", "job", "--flavor", "m1.small", "--network",
             "hpc", "--head-address", "10.0.0.5", "--output-dir",
             os.path.join(sandbox.dir, "out")] + list(extra) + [sandbox.app])


def hermit_cloud(args, env, timeout=30):
    return subprocess.run([sys.executable, HERMIT_CLOUD] + args, env=env, capture_output=True,
                          text=True, timeout=timeout, cwd=env.get("HOME"))


# --- 1. dry runs --------------------------------------------------------------------------
def dry_run_lines(sb, args):
    out = hermit_cloud(args + [], sb.env())
    return out, [line for line in out.stdout.splitlines() if line.strip()]


def check_syntax(prefix, lines):
    keys = []
    for line in lines:
        argv0 = shlex.split(line)[0]
        if argv0.endswith(("hermit-image", "hermit-head")):
            keys.append((os.path.basename(argv0),))
            continue
        try:
            key, parsed = parse_command(line)
            check_values(key, parsed)
        except (ValueError, IndexError) as e:
            check(f"{prefix}-syntax", False, f"{e}: {line}")
            return None
        keys.append(key)
    check(f"{prefix}-syntax", True)
    return keys


def test_dry_run_gce(root):
    sb = Sandbox(root)
    args = gce_args(sb, 3, "-l", "--env", "OMP_NUM_THREADS=2", "--env", "GREETING=hi, there",
                    "--timeout", "900", "--dry-run")
    args = args[:-1] + [sb.app, "--size", "big data", "x,y"]
    out, lines = dry_run_lines(sb, args)
    check("gce-dry-run-status", out.returncode == 0 and not out.stderr,
          f"status {out.returncode}: {out.stderr}")
    keys = check_syntax("gce-dry-run", lines)
    if keys is None:
        return
    expected = ([("hermit-image",), ("hermit-image",), ("gcloud", "storage", "cp"),
                 ("gcloud", "compute", "images", "create"), ("hermit-head",)]
                + [("gcloud", "compute", "instances", "create")] * 3
                + [("gcloud", "compute", "instances", "get-serial-port-output")] * 3
                + [("gcloud", "compute", "instances", "delete"),
                   ("gcloud", "compute", "images", "delete"), ("gcloud", "storage", "rm")])
    check("gce-dry-run-order", keys == expected, f"{keys}")
    check("gce-dry-run-ran-nothing", sb.log() == [] and not os.path.exists(
        os.path.join(sb.dir, "out")), f"{sb.log()}")
    parsed = [None if i in (0, 1, 4) else parse_command(line)[1] for i, line in enumerate(lines)]
    build, verify = shlex.split(lines[0]), shlex.split(lines[1])
    check("gce-dry-run-build", build[1:] == [sb.app, "-o", "<tmp>", "--format", "gce",
                                              "--cmdline", "ip=dhcp cloud=gce"]
          and verify[1:] == ["--verify", "<tmp>/disk.tar.gz"], f"{build} {verify}")
    head = shlex.split(lines[4])
    check("gce-dry-run-head", head[1:] == ["-n", "3", "--listen", "0.0.0.0:7470", "--secret-file",
                                           "<tmp>/secret", "-l", "--timeout", "900",
                                           "--join-timeout", "600"], f"{head}")
    ok, detail = True, ""
    for rank, p in enumerate(parsed[5:8]):
        meta = parse_gcloud_dict(p.get("--metadata")[0])
        want = {"hermit-head": "10.128.0.5:7470", "hermit-rank": str(rank), "hermit-size": "3",
                "hermit-args": "--size 'big data' x,y",
                "hermit-env": "OMP_NUM_THREADS=2 'GREETING=hi, there'"}
        secret = parse_gcloud_dict(p.get("--metadata-from-file")[0])
        if (meta != want or secret != {"hermit-secret": "<tmp>/secret"}
                or p.positional != [f"job-{rank}"] or p.get("--image") != ["job"]
                or p.get("--machine-type") != ["n2-standard-2"]
                or "nic-type=VIRTIO_NET" not in p.get("--network-interface")[0]):
            ok, detail = False, f"rank {rank}: {meta} {secret} {p.words}"
        if shlex.split(meta["hermit-args"]) != ["--size", "big data", "x,y"]:
            ok, detail = False, f"hermit-args does not split back: {meta['hermit-args']}"
    check("gce-dry-run-metadata", ok, detail)
    check("gce-dry-run-secret-not-on-argv", all("<secret>" not in line for line in lines))
    serial = parsed[8:11]
    check("gce-dry-run-serial", [p.redirect for p in serial]
          == [os.path.join(sb.dir, "out", f"serial-{r}.log") for r in range(3)]
          and [p.positional for p in serial] == [["job-0"], ["job-1"], ["job-2"]],
          f"{[p.words for p in serial]}")
    check("gce-dry-run-cleanup", parsed[11].positional == ["job-0", "job-1", "job-2"]
          and parsed[12].positional == ["job"]
          and parsed[13].positional == ["gs://my-bucket/job.tar.gz"]
          and parsed[2].positional == ["<tmp>/disk.tar.gz", "gs://my-bucket/job.tar.gz"],
          f"{[p.words for p in parsed[11:]]}")
    # BIOS firmware leaves the guest OS feature out; --kopt adds to the command line.
    _, lines = dry_run_lines(sb, gce_args(sb, 1, "--firmware", "bios", "--kopt", "mtu=8896",
                                          "--network", "hpc", "--subnet", "hpc-sub", "--dry-run"))
    images = [line for line in lines if "images create" in line]
    create = [parse_command(line)[1] for line in lines if "instances create" in line][0]
    check("gce-dry-run-options", images and "--guest-os-features" not in images[0]
          and shlex.split(lines[0])[-1] == "ip=dhcp cloud=gce mtu=8896"
          and create.get("--network-interface") == ["nic-type=VIRTIO_NET,network=hpc,"
                                                     "subnet=hpc-sub,no-address"],
          f"{lines}")


def test_dry_run_openstack(root):
    sb = Sandbox(root)
    args = os_args(sb, 2, "--os-cloud", "mycloud", "--security-group", "hpc-sg",
                   "--env", "A=1", "--args", '-v --out "/tmp/x y"', "--dry-run")
    out, lines = dry_run_lines(sb, args)
    check("openstack-dry-run-status", out.returncode == 0 and not out.stderr,
          f"status {out.returncode}: {out.stderr}")
    keys = check_syntax("openstack-dry-run", lines)
    if keys is None:
        return
    expected = ([("hermit-image",), ("hermit-image",), ("openstack", "image", "create"),
                 ("hermit-head",)] + [("openstack", "server", "create")] * 2
                + [("openstack", "console", "log", "show")] * 2
                + [("openstack", "server", "delete"), ("openstack", "image", "delete")])
    check("openstack-dry-run-order", keys == expected, f"{keys}")
    parsed = {i: parse_command(line)[1] for i, line in enumerate(lines) if i not in (0, 1, 3)}
    image = parsed[2]
    check("openstack-dry-run-image", image.positional == ["job"]
          and image.get("--disk-format") == ["qcow2"] and image.get("--file") == ["<tmp>/disk.qcow2"]
          and "hw_vif_model=virtio" in image.get("--property")
          and shlex.split(lines[0])[-1] == "ip=dhcp cloud=openstack"
          and image.words[1:3] == ["--os-cloud", "mycloud"], f"{image.words} {lines[0]}")
    ok, detail = True, ""
    for rank in range(2):
        p = parsed[4 + rank]
        props = dict(v.split("=", 1) for v in p.get("--property"))
        want = {"hermit-head": "10.0.0.5:7470", "hermit-rank": str(rank), "hermit-size": "2",
                "hermit-args": "-v --out '/tmp/x y'", "hermit-env": "A=1"}
        if (props != want or p.get("--image") != ["<id-of-job>"] or p.positional != [f"job-{rank}"]
                or p.get("--user-data") != ["<tmp>/user-data"]
                or p.get("--security-group") != ["hpc-sg"] or "--wait" in p.words):
            ok, detail = False, f"rank {rank}: {p.words}"
    check("openstack-dry-run-properties", ok, detail)
    check("openstack-dry-run-cleanup",
          parsed[6].positional == ["<id-of-job-0>"] and parsed[7].positional == ["<id-of-job-1>"]
          and parsed[8].positional == ["<id-of-job-0>", "<id-of-job-1>"]
          and parsed[8].get("--wait") == [None] and parsed[9].positional == ["<id-of-job>"],
          f"{[parsed[i].words for i in (6, 7, 8, 9)]}")
    # A property value of exactly 255 characters passes; 256 is refused.
    out = hermit_cloud(os_args(sb, 1, "--args", "x" * 255, "--dry-run"), sb.env())
    check("openstack-property-255", out.returncode == 0, out.stderr)


# --- 2. bad input -------------------------------------------------------------------------
def test_bad_input(root):
    sb = Sandbox(root)
    cases = [
        ("bad-name", gce_args(sb, 2, "--name", "Job_1"), "valid GCE names"),
        ("bad-name-too-long", gce_args(sb, 2, "--name", "j" * 62), "valid GCE names"),
        ("bad-name-openstack", os_args(sb, 2, "--name", "job.x"), "OpenStack server names"),
        ("gvnic-c3", gce_args(sb, 2, "--machine-type", "c3-standard-4"), "only gVNIC"),
        ("gvnic-n4", gce_args(sb, 2, "--machine-type", "n4-standard-2"), "only gVNIC"),
        ("arm-machine", gce_args(sb, 2, "--machine-type", "t2a-standard-1"), "Arm"),
        ("n-zero", gce_args(sb, 0), "-n must be"),
        ("n-missing", [w for w in gce_args(sb, 2) if w not in ("-n", "2")], "-n N is required"),
        ("missing-app", gce_args(sb, 2)[:-1] + [os.path.join(sb.dir, "nope.elf")], "no such file"),
        ("not-an-image", gce_args(sb, 2)[:-1] + [os.path.join(sb.bin, "fake.py")],
         "not a 64-bit ELF"),
        ("value-too-long", os_args(sb, 2, "--args", "x" * 256), "at most 255"),
        ("value-too-long-gce", gce_args(sb, 2, "--args", "x" * 2048), "at most 2047"),
        ("env-too-long", os_args(sb, 2, "--env", "A=" + "y" * 300), "at most 255"),
        ("unknown-cloud", ["aws", "-n", "2", sb.app], "unknown cloud 'aws'"),
        ("other-cloud-option", gce_args(sb, 2, "--flavor", "m1.small"), "option of hermit-cloud"),
        ("missing-project", [w for w in gce_args(sb, 2) if w not in ("--project", "my-proj")],
         "needs --project"),
        ("bad-bucket", gce_args(sb, 2, "--bucket", "my-bucket"), "gs://BUCKET"),
        ("bad-env", gce_args(sb, 2, "--env", "1A=x"), "NAME=VALUE"),
        ("bad-args-quoting", gce_args(sb, 2, "--args", "'open"), "shell-like quoting"),
        ("kopt-cloud", gce_args(sb, 2, "--kopt", "cloud=ec2"), "set by hermit-cloud"),
        ("bad-head-address", gce_args(sb, 2, "--head-address", "head.example"), "IPv4"),
    ]
    both = {"bad-name", "gvnic-c3", "n-zero", "missing-app", "value-too-long", "unknown-cloud"}
    for name, args, needle in cases:
        for dry in (False, True) if name in both else (False,):
            out = hermit_cloud(args[:1] + (["--dry-run"] if dry else []) + args[1:], sb.env())
            lines = out.stderr.strip().splitlines()
            ok = (out.returncode == 2 and len(lines) == 1 and needle in lines[0]
                  and lines[0].startswith("hermit-cloud: ") and not out.stdout)
            if not ok:
                break
        check(f"usage-{name}", ok and sb.log() == [],
              f"status {out.returncode}, stderr {out.stderr!r}, stdout {out.stdout[:200]!r}, "
              f"ran {sb.log()}")
    # A real run needs the cloud's CLI; --dry-run does not.
    bare = Sandbox(root)
    os.unlink(os.path.join(bare.bin, "gcloud"))
    out = hermit_cloud(gce_args(bare, 2), bare.env())
    check("usage-no-gcloud", out.returncode == 2 and "gcloud not found" in out.stderr
          and len(out.stderr.strip().splitlines()) == 1 and bare.log() == [], out.stderr)
    out = hermit_cloud(gce_args(bare, 2, "--dry-run"), bare.env())
    check("dry-run-without-gcloud", out.returncode == 0 and "gcloud compute" in out.stdout,
          out.stderr)


# --- 3. real runs with fakes -----------------------------------------------------------------
def created_and_deleted(sb, cloud):
    """From the fakes' log: what succeeded in creating (names or IDs) and
    what the delete commands named."""
    created, deleted = [], []
    for e in sb.cloud_calls():
        a = e["argv"]
        if cloud == "gce":
            if e["status"] == 0 and a[:3] == ["compute", "instances", "create"]:
                created.append(("instance", a[3]))
            elif e["status"] == 0 and a[:3] == ["compute", "images", "create"]:
                created.append(("image", a[3]))
            elif e["status"] == 0 and a[:2] == ["storage", "cp"]:
                created.append(("object", a[3]))
            elif a[:3] == ["compute", "instances", "delete"]:
                deleted += [("instance", w) for w in a[3:] if not w.startswith("-")]
            elif a[:3] == ["compute", "images", "delete"]:
                deleted += [("image", w) for w in a[3:] if not w.startswith("-")]
            elif a[:2] == ["storage", "rm"]:
                deleted += [("object", w) for w in a[2:] if not w.startswith("-")]
        else:
            if e["status"] == 0 and a[:2] == ["server", "create"]:
                created.append(("instance", e["out"]))
            elif e["status"] == 0 and a[:2] == ["image", "create"]:
                created.append(("image", e["out"]))
            elif a[:2] == ["server", "delete"]:
                deleted += [("instance", w) for w in a[2:] if not w.startswith("-")]
            elif a[:2] == ["image", "delete"]:
                deleted += [("image", w) for w in a[2:]]
    return sorted(created), sorted(deleted)


def test_real_gce(root):
    sb = Sandbox(root)
    out = hermit_cloud(gce_args(sb, 3, "-l", "--env", "A=1"), sb.env())
    log = sb.log()
    progs = [e["prog"] for e in log]
    check("gce-run-status", out.returncode == 0, f"{out.returncode}: {out.stderr}")
    check("gce-run-output", out.stdout.splitlines() == [f"[{r}] hello from rank {r}" for r in range(3)],
          out.stdout)
    order = [(e["prog"], " ".join(e["argv"][:3])) for e in log]
    check("gce-run-verify-before-upload",
          progs[:3] == ["hermit-image", "hermit-image", "gcloud"] and log[1]["argv"][0] == "--verify"
          and log[1]["exists"] and log[2]["argv"][:2] == ["storage", "cp"], f"{order}")
    head = [e for e in log if e["prog"] == "hermit-head"][0]
    secrets_seen = {e.get("secret") for e in sb.cloud_calls() if "secret" in e}
    check("gce-run-secret", head["mode"] == 0o600 and re.fullmatch(r"[0-9a-f]{32}", head["secret"])
          and secrets_seen == {head["secret"]}
          and all(head["secret"] not in " ".join(e["argv"]) for e in log),
          f"mode {oct(head['mode'])}, {secrets_seen}")
    created, deleted = created_and_deleted(sb, "gce")
    check("gce-run-cleanup", created == deleted and len(created) == 5, f"{created} != {deleted}")
    serial = [open(os.path.join(sb.dir, "out", f"serial-{r}.log")).read() for r in range(3)]
    check("gce-run-serial", serial == [f"serial console of job-{r}\n" for r in range(3)], f"{serial}")
    check("gce-run-tmp-removed", os.listdir(sb.tmp) == [], f"{os.listdir(sb.tmp)}")


def test_failure_at_each_step(root, cloud, n=2):
    """Call K of the cloud's CLI fails: each set-up step in turn, then each
    instance's create (one at a time, and all at once)."""
    tool = "gcloud" if cloud == "gce" else "openstack"
    setup = 2 if cloud == "gce" else 1
    for k in range(1, setup + n + 1):
        for parallel in ("1",) if k <= setup else ("1", str(n)):
            sb = Sandbox(root)
            args = (gce_args if cloud == "gce" else os_args)(sb, n, "--parallel", parallel)
            out = hermit_cloud(args, sb.env(FAKE_FAIL_AT=k))
            created, deleted = created_and_deleted(sb, cloud)
            failed = [e for e in sb.cloud_calls() if e["status"] == 1]
            argv = [tool] + failed[0]["argv"] if failed else ["?"]
            # OpenStack's creates carry the secret; messages show <secret>.
            secret = [a.split("=", 1)[1] for a in argv if a.startswith("hermit-secret=")]
            shown = shlex.join(argv)
            for value in secret:
                shown = shown.replace(value, "<secret>")
            named = shown in out.stderr and not any(v in out.stderr for v in secret)
            # hermit-head starts before the first instance (it may be stopped
            # before it logs anything), never before the image exists.
            head_ran = any(e["prog"] == "hermit-head" for e in sb.log())
            ok = (out.returncode == 125 and created == deleted and named
                  and (k > setup or not head_ran) and "simulated failure" in out.stderr
                  and os.listdir(sb.tmp) == [])
            if not ok:
                break
        check(f"{cloud}-fail-at-step-{k}", ok,
              f"status {out.returncode}, created {created}, deleted {deleted}, stderr {out.stderr}")


def test_verify_refuses(root):
    sb = Sandbox(root)
    out = hermit_cloud(gce_args(sb, 2), sb.env(FAKE_VERIFY_FAIL=1))
    check("verify-failure-stops-upload", out.returncode == 125 and sb.cloud_calls() == []
          and "failed verification" in out.stderr and "truncated image" in out.stderr,
          f"{out.returncode} {out.stderr} {sb.cloud_calls()}")


def test_head_status(root):
    sb = Sandbox(root)
    out = hermit_cloud(os_args(sb, 2), sb.env(FAKE_HEAD_STATUS=3))
    created, deleted = created_and_deleted(sb, "openstack")
    head = [e for e in sb.log() if e["prog"] == "hermit-head"][0]
    creates = [e for e in sb.cloud_calls() if e["argv"][:2] == ["server", "create"]]
    user_data = [(e.get("secret"), e.get("mode")) for e in creates]
    check("openstack-run-rank-status", out.returncode == 3 and created == deleted
          and len(created) == 3, f"{out.returncode} {created} {deleted} {out.stderr}")
    check("openstack-run-secret", user_data == [(f"hermit-secret={head['secret']}\n", 0o600)] * 2
          and all(head["secret"] not in " ".join(e["argv"]) for e in sb.log()),
          f"{user_data} {head['secret']}")


def test_signal(root, signum, phase):
    sb = Sandbox(root)
    extra = {"FAKE_HEAD_SLEEP": 30}
    parallel = "2"
    if phase == "creating":
        # One create at a time, 1.5 s each: the signal comes while the
        # second one is under way; it finishes, no third one starts.
        extra["FAKE_SLOW"] = "instances create:1.5"
        parallel = "1"
    proc = subprocess.Popen([sys.executable, HERMIT_CLOUD] + gce_args(sb, 4, "--parallel", parallel),
                            env=sb.env(**extra), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True, cwd=sb.dir)
    started = os.path.join(sb.state, "head-started")
    deadline = time.time() + 15
    while time.time() < deadline:
        creating = any(e["argv"][:3] == ["compute", "instances", "create"] for e in sb.cloud_calls()
                       if e["status"] == 0) if phase == "creating" else False
        if (phase == "job" and os.path.exists(started) and len(
                [e for e in sb.cloud_calls() if "create" in e["argv"]]) == 5) or creating:
            break
        time.sleep(0.05)
    t0 = time.time()
    proc.send_signal(signum)
    try:
        _, err = proc.communicate(timeout=20)
    except subprocess.TimeoutExpired:
        proc.kill()
        _, err = proc.communicate()
    elapsed = time.time() - t0
    created, deleted = created_and_deleted(sb, "gce")
    instances = [c for c in created if c[0] == "instance"]
    name = f"{signal.Signals(signum).name.lower()}-during-{phase}"
    ok = proc.returncode == 130 and created == deleted and elapsed < 15 and os.listdir(sb.tmp) == []
    if phase == "job":
        ok = ok and len(instances) == 4 and os.path.exists(os.path.join(sb.state, "head-terminated"))
    else:
        ok = ok and 1 <= len(instances) < 4
    check(name, ok, f"status {proc.returncode}, {elapsed:.1f} s, created {created}, "
          f"deleted {deleted}, stderr {err}")


def test_keep_and_failed_cleanup(root):
    sb = Sandbox(root)
    out = hermit_cloud(gce_args(sb, 2, "--keep"), sb.env())
    deletes = [e for e in sb.cloud_calls() if "delete" in e["argv"] or "rm" in e["argv"]]
    check("keep", out.returncode == 0 and deletes == []
          and "gcloud compute instances delete job-0 job-1" in out.stderr
          and os.path.exists(os.path.join(sb.dir, "out", "serial-1.log")), out.stderr)
    sb = Sandbox(root)
    out = hermit_cloud(gce_args(sb, 2), sb.env(FAKE_FAIL_MATCH="images delete"))
    rm = [e for e in sb.cloud_calls() if e["argv"][:2] == ["storage", "rm"]]
    check("failed-cleanup", out.returncode == 125 and "may still exist" in out.stderr
          and "gcloud compute images delete job --project=my-proj --quiet" in out.stderr
          and len(rm) == 1, out.stderr)


def main():
    start = time.time()
    with tempfile.TemporaryDirectory(prefix="test-hermit-cloud-") as root:
        test_dry_run_gce(root)
        test_dry_run_openstack(root)
        test_bad_input(root)
        test_real_gce(root)
        test_failure_at_each_step(root, "gce")
        test_failure_at_each_step(root, "openstack")
        test_verify_refuses(root)
        test_head_status(root)
        test_signal(root, signal.SIGINT, "job")
        test_signal(root, signal.SIGTERM, "creating")
        test_keep_and_failed_cleanup(root)
    print(f"# {time.time() - start:.1f} s", flush=True)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
