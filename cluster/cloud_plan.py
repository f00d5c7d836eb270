"""cloud_plan.py - what hermit-cloud runs on each cloud, as argument lists.

Pure logic, no I/O: the job's checks (names, machine types, metadata
sizes) and the command of every step, built the same way for a real run
and for --dry-run (cluster/hermit-cloud prints or runs exactly these).
Each check raises UsageError with one sentence for the user.

The documented syntax each command follows (tests/cloud/test_hermit_cloud.py
checks the dry-run output against it):
  gcloud  https://cloud.google.com/sdk/gcloud/reference/storage/cp
          https://cloud.google.com/sdk/gcloud/reference/storage/rm
          https://cloud.google.com/sdk/gcloud/reference/compute/images/create
          https://cloud.google.com/sdk/gcloud/reference/compute/images/delete
          https://cloud.google.com/sdk/gcloud/reference/compute/instances/create
          https://cloud.google.com/sdk/gcloud/reference/compute/instances/get-serial-port-output
          https://cloud.google.com/sdk/gcloud/reference/compute/instances/delete
          https://cloud.google.com/sdk/gcloud/reference/topic/escaping (^DELIM^ in --metadata)
  openstack  https://docs.openstack.org/python-openstackclient/latest/cli/command-objects/image-v2.html
             https://docs.openstack.org/python-openstackclient/latest/cli/command-objects/server.html
             https://docs.openstack.org/python-openstackclient/latest/cli/command-objects/console-log.html
"""

import re
import shlex

CLOUDS = ("gce", "openstack")
DEFAULT_HEAD_PORT = 7470
DEFAULT_JOIN_TIMEOUT = 600
DEFAULT_PARALLEL = 8
MAX_RANKS = 4096

# The job's keys in each instance's metadata (the same names on every cloud).
KEY_HEAD, KEY_RANK, KEY_SIZE = "hermit-head", "hermit-rank", "hermit-size"
KEY_SECRET, KEY_ARGS, KEY_ENV = "hermit-secret", "hermit-args", "hermit-env"
METADATA_KEYS = (KEY_HEAD, KEY_RANK, KEY_SIZE, KEY_SECRET, KEY_ARGS, KEY_ENV)

OPENSTACK_PROPERTY_MAX = 255        # Nova: metadata keys and values, characters
GUEST_VALUE_MAX = 2047              # what the guest reads of a value (libc/cloud.c)
GCE_METADATA_VALUE_MAX = 256 * 1024  # bytes per value
GCE_METADATA_TOTAL_MAX = 512 * 1024  # bytes, all entries of an instance

# Placeholders for what only a real run knows.
TMP = "<tmp>"                       # the job's private temporary directory
SECRET = "<secret>"                 # the per-job secret (never printed)


def id_placeholder(name):
    return f"<id-of-{name}>"


class UsageError(Exception):
    pass


# --- names ---------------------------------------------------------------------
GCE_NAME = re.compile(r"[a-z]([-a-z0-9]{0,61}[a-z0-9])?")   # RFC 1035, lowercase
OPENSTACK_NAME = re.compile(r"[A-Za-z0-9]([-A-Za-z0-9]{0,61}[A-Za-z0-9])?")
GCS_BUCKET = re.compile(r"gs://([a-z0-9][-a-z0-9_.]{1,220}[a-z0-9])/?")
ENV_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def instance_name(job, rank):
    return f"{job}-{rank}"


def check_names(cloud, job, n):
    """The job name names the image and, with -R, every instance."""
    last = instance_name(job, n - 1)
    if cloud == "gce":
        if not GCE_NAME.fullmatch(job) or not GCE_NAME.fullmatch(last):
            raise UsageError(
                f"--name '{job}' does not make valid GCE names: the image '{job}' and the "
                f"instances '{job}-0'..'{last}' must each be 1-63 characters of lowercase "
                "letters, digits and '-', start with a letter and not end with '-' (RFC 1035)")
    else:
        if not OPENSTACK_NAME.fullmatch(job) or not OPENSTACK_NAME.fullmatch(last):
            raise UsageError(
                f"--name '{job}' does not make valid OpenStack server names: '{job}-0'.."
                f"'{last}' must each be 1-63 letters, digits and '-', starting and ending "
                "with a letter or digit (Nova turns the name into the guest's hostname)")


# --- GCE machine types ------------------------------------------------------------
# Series with a virtio-net NIC (nic-type=VIRTIO_NET) that hermit-cloud knows work.
GCE_VIRTIO_SERIES = {"n1", "n2", "n2d", "e2", "c2", "c2d", "t2d", "m1", "m2",
                     "f1", "g1", "custom"}
# Arm series: HermitCore-C images are x86-64 only.
GCE_ARM_SERIES = {"t2a", "c4a", "n4a", "a4x"}
_SERIES = re.compile(r"([a-z]+)(\d+)([a-z]*)")


def check_machine_type(machine_type):
    """Refuses machine types whose only NIC is gVNIC (third-generation series
    and later: C3, C3D, C4, N4, H3, Z3, A3, M3, ...) and Arm ones; any other
    series is let through to GCE."""
    if not re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", machine_type or ""):
        raise UsageError(f"--machine-type '{machine_type}' is not a GCE machine type "
                         "(e.g. n2-standard-2)")
    series = machine_type.split("-", 1)[0]
    if series in GCE_ARM_SERIES:
        raise UsageError(f"--machine-type {machine_type}: {series.upper()} is an Arm series; "
                         "HermitCore-C images are x86-64 (use N2, N1, E2, C2 or N2D)")
    if series in GCE_VIRTIO_SERIES:
        return
    m = _SERIES.fullmatch(series)
    if m and int(m.group(2)) >= 3:
        raise UsageError(
            f"--machine-type {machine_type}: the {series.upper()} series offers only gVNIC "
            "network interfaces (Google's gve device), for which HermitCore-C has no driver; "
            "use a series with virtio-net: N2, N2D, N1, E2, C2, C2D (default n2-standard-2)")


# --- metadata ---------------------------------------------------------------------
def check_env(words):
    for word in words:
        name, eq, _ = word.partition("=")
        if not eq or not ENV_NAME.fullmatch(name):
            raise UsageError(f"--env takes NAME=VALUE (NAME of letters, digits and '_'), "
                             f"not '{word}'")


def normal_args(text):
    """--args in the one quoting both shlex and the guest's parser (the
    kernel command line's: '...', "..." with \\" and \\\\, \\x) read alike."""
    try:
        return shlex.join(shlex.split(text))
    except ValueError as e:
        raise UsageError(f"--args '{text}' is not shell-like quoting ({e})")


def metadata(job, rank, secret):
    """The job's keys for one rank, in a fixed order; empty args/env are left out."""
    items = {KEY_HEAD: f"{job.head_address}:{job.head_port}", KEY_RANK: str(rank),
             KEY_SIZE: str(job.n)}
    if secret is not None:
        items[KEY_SECRET] = secret
    if job.args:
        items[KEY_ARGS] = job.args
    if job.env:
        items[KEY_ENV] = shlex.join(job.env)
    return items


def check_openstack_properties(job):
    """Server properties are Nova metadata: at most 255 characters a value."""
    for key, value in metadata(job, job.n - 1, None).items():
        if len(value) > OPENSTACK_PROPERTY_MAX:
            raise UsageError(
                f"{what_is(key)} is {len(value)} characters; an OpenStack server property "
                f"({key}) holds at most {OPENSTACK_PROPERTY_MAX}")


def what_is(key):
    return {KEY_ARGS: "--args (the program's arguments)",
            KEY_ENV: "--env (all NAME=VALUE words together)"}.get(key, key)


def check_gce_metadata(job):
    """GCE takes 256 KiB a value; the guest reads 2047 bytes of one."""
    items = metadata(job, job.n - 1, "0" * 32)
    for key, value in items.items():
        if len(value.encode()) > GUEST_VALUE_MAX:
            raise UsageError(f"{what_is(key)} is {len(value.encode())} bytes; an instance "
                             f"reads at most {GUEST_VALUE_MAX} of a metadata value ({key})")
    total = sum(len(k.encode()) + len(v.encode()) for k, v in items.items())
    if total > GCE_METADATA_TOTAL_MAX:
        raise UsageError(f"the job's metadata is {total} bytes; GCE allows "
                         f"{GCE_METADATA_TOTAL_MAX} per instance")


def gcloud_dict(items):
    """KEY=VALUE,KEY=VALUE for a gcloud dictionary flag; when a value holds a
    comma, the list starts with ^DELIM^ and DELIM separates the entries
    (gcloud topic escaping)."""
    pairs = [f"{k}={v}" for k, v in items.items()]
    text = "".join(pairs)
    if "," not in text:
        return ",".join(pairs)
    for delim in ("|", ";", "@", "#", "~", "%", "!", "|~|", "@@@", "##~##"):
        if delim not in text:
            return f"^{delim}^" + delim.join(pairs)
    raise UsageError("the metadata values use every separator gcloud could be given")


def parse_gcloud_dict(text):
    """The inverse of gcloud_dict (what gcloud's ArgDict does), for checks."""
    delim = ","
    m = re.match(r"\^([^^]+)\^", text)
    if m:
        delim, text = m.group(1), text[m.end():]
    out = {}
    for entry in text.split(delim):
        key, _, value = entry.partition("=")
        out[key] = value
    return out


# --- kernel options ---------------------------------------------------------------
def kernel_cmdline(job):
    """hermit-image's --cmdline replaces its default (ip=dhcp cloud=auto):
    DHCP on the instance's NIC (it also brings the network's MTU: GCE
    offers 1460), and cloud= names the metadata service to read."""
    return " ".join([f"ip=dhcp cloud={job.cloud}"] + list(job.kopts))


# --- steps ------------------------------------------------------------------------
class Step:
    """One command; `creates` is the kind of cloud resource it makes (its
    name in `name`), `capture_id` that its output is that resource's ID."""

    def __init__(self, argv, creates=None, name=None, capture_id=False, rank=None):
        self.argv = argv
        self.creates = creates
        self.name = name
        self.capture_id = capture_id
        self.rank = rank


class Resource:
    """Something a run made: its kind, name, reference (name on GCE, ID on
    OpenStack) and, for an instance, its rank."""

    def __init__(self, kind, name, ref, rank=None):
        self.kind, self.name, self.ref, self.rank = kind, name, ref, rank


def instance_refs(created):
    return [r.ref for r in sorted((r for r in created if r.kind == "instance"),
                                  key=lambda r: r.rank)]


class Plan:
    tool = None
    image_format = None
    disk_file = None

    def __init__(self, job, tmp, secret):
        self.job = job
        self.tmp = tmp                          # TMP in a dry run
        self.secret = secret                    # SECRET in a dry run
        self.secret_file = f"{tmp}/secret"      # hermit-head's, mode 0600
        self.user_data = f"{tmp}/user-data"     # OpenStack: hermit-secret=..., mode 0600
        self.disk = f"{tmp}/{self.disk_file}"

    def build(self, hermit_image):
        return hermit_image + [self.job.app, "-o", self.tmp, "--format", self.image_format,
                               "--cmdline", kernel_cmdline(self.job)]

    def verify(self, hermit_image):
        return hermit_image + ["--verify", self.disk]

    def head(self, hermit_head):
        j = self.job
        argv = hermit_head + ["-n", str(j.n), "--listen", f"0.0.0.0:{j.head_port}",
                              "--secret-file", self.secret_file]
        if j.label:
            argv.append("-l")
        if j.timeout is not None:
            argv += ["--timeout", str(j.timeout)]
        argv += ["--join-timeout", str(j.join_timeout)]
        return argv

    def instance_names(self):
        return [instance_name(self.job.name, r) for r in range(self.job.n)]


class GcePlan(Plan):
    tool = "gcloud"
    image_format = "gce"
    disk_file = "disk.tar.gz"

    def object_uri(self):
        return f"{self.job.bucket.rstrip('/')}/{self.job.name}.tar.gz"

    def _project(self):
        return [f"--project={self.job.project}"]

    def setup(self):
        j = self.job
        features = ["--guest-os-features=UEFI_COMPATIBLE"] if j.firmware == "uefi" else []
        return [
            Step(["gcloud", "storage", "cp", self.disk, self.object_uri()] + self._project(),
                 creates="object", name=self.object_uri()),
            Step(["gcloud", "compute", "images", "create", j.name] + self._project()
                 + [f"--source-uri={self.object_uri()}"] + features
                 + [f"--labels=hermit-job={j.name}"],
                 creates="image", name=j.name),
        ]

    def network_interface(self):
        keys = ["nic-type=VIRTIO_NET"]
        if self.job.network:
            keys.append(f"network={self.job.network}")
        if self.job.subnet:
            keys.append(f"subnet={self.job.subnet}")
        keys.append("no-address")
        return ",".join(keys)

    def create_instance(self, rank, image_ref):
        j = self.job
        name = instance_name(j.name, rank)
        # The secret goes by file: it never shows on a command line.
        argv = (["gcloud", "compute", "instances", "create", name] + self._project()
                + [f"--zone={j.zone}", f"--machine-type={j.machine_type}", f"--image={image_ref}",
                   f"--boot-disk-size={j.boot_disk_size}",
                   f"--network-interface={self.network_interface()}",
                   f"--metadata={gcloud_dict(metadata(j, rank, None))}",
                   f"--metadata-from-file={KEY_SECRET}={self.secret_file}",
                   f"--labels=hermit-job={j.name}"])
        return Step(argv, creates="instance", name=name, rank=rank)

    def collect(self, res):
        return (["gcloud", "compute", "instances", "get-serial-port-output", res.ref]
                + self._project() + [f"--zone={self.job.zone}", "--port=1"])

    def cleanup(self, created):
        """Deletes exactly what `created` lists, instances first."""
        steps = []
        instances = instance_refs(created)
        if instances:
            steps.append(["gcloud", "compute", "instances", "delete"] + instances
                         + self._project() + [f"--zone={self.job.zone}", "--quiet"])
        for r in created:
            if r.kind == "image":
                steps.append(["gcloud", "compute", "images", "delete", r.ref]
                             + self._project() + ["--quiet"])
        for r in created:
            if r.kind == "object":
                steps.append(["gcloud", "storage", "rm", r.ref] + self._project())
        return steps


class OpenStackPlan(Plan):
    tool = "openstack"
    image_format = "qcow2"
    disk_file = "disk.qcow2"

    def _os(self):
        return ["openstack"] + (["--os-cloud", self.job.os_cloud] if self.job.os_cloud else [])

    def setup(self):
        j = self.job
        props = ["--property", "hw_vif_model=virtio", "--property", "architecture=x86_64"]
        if j.firmware == "uefi":
            props += ["--property", "hw_firmware_type=uefi"]
        return [Step(self._os() + ["image", "create", j.name, "--disk-format", "qcow2",
                                   "--container-format", "bare", "--file", self.disk,
                                   "--private"] + props + ["-f", "value", "-c", "id"],
                     creates="image", name=j.name, capture_id=True)]

    def create_instance(self, rank, image_ref):
        j = self.job
        name = instance_name(j.name, rank)
        argv = self._os() + ["server", "create", name, "--image", image_ref,
                             "--flavor", j.flavor, "--network", j.network]
        for group in j.security_groups:
            argv += ["--security-group", group]
        for key, value in metadata(j, rank, None).items():
            argv += ["--property", f"{key}={value}"]
        # The secret goes in the user data (a file): the guest reads a key
        # that "meta" lacks from its KEY=VALUE lines. It is then on no
        # command line, and Nova shows user data to administrators only.
        argv += ["--user-data", self.user_data]
        # Without --wait: the ID comes back as soon as Nova accepts the server,
        # so every server that exists is known and deleted; one that never
        # boots shows as a rank that never joined (hermit-head --join-timeout).
        argv += ["-f", "value", "-c", "id"]
        return Step(argv, creates="instance", name=name, capture_id=True, rank=rank)

    def collect(self, res):
        return self._os() + ["console", "log", "show", res.ref]

    def cleanup(self, created):
        steps = []
        servers = instance_refs(created)
        if servers:
            steps.append(self._os() + ["server", "delete", "--wait"] + servers)
        for r in created:
            if r.kind == "image":
                steps.append(self._os() + ["image", "delete", r.ref])
        return steps


def user_data(secret):
    """OpenStack's user data: the job's secret as a KEY=VALUE line."""
    return f"{KEY_SECRET}={secret}\n"


def make_plan(job, tmp, secret):
    return (GcePlan if job.cloud == "gce" else OpenStackPlan)(job, tmp, secret)
