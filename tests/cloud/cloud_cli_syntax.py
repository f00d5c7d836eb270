"""cloud_cli_syntax.py - the documented syntax of the gcloud and openstack
commands hermit-cloud runs, for tests/cloud/test_hermit_cloud.py: which
flags each command allows and requires, its positional arguments and the
values its flags take, taken from the reference pages cited beside each
table, and a parser that checks a command line against them.

It parses gcloud's dictionary flags itself, not with cluster/cloud_plan.py's
parser, so that the code under test does not check itself.
"""

import re
import shlex

# --- the documented syntax ----------------------------------------------------------------
# Flags every gcloud command takes.
# https://cloud.google.com/sdk/gcloud/reference (GCLOUD WIDE FLAGS)
GCLOUD_WIDE = {"--access-token-file", "--account", "--billing-project", "--configuration",
               "--flags-file", "--flatten", "--format", "--help", "--impersonate-service-account",
               "--log-http", "--project", "--quiet", "-q", "--trace-token",
               "--user-output-enabled", "--verbosity"}
# Flags of `openstack` itself, before the command, and the output options
# of commands that show one object (-f/-c ...).
# https://docs.openstack.org/python-openstackclient/latest/cli/man/openstack.html
OPENSTACK_GLOBAL = {"--os-cloud", "--os-region-name", "--os-auth-url", "--os-project-name",
                    "--os-project-id", "--os-username", "--os-password", "--os-interface",
                    "--os-compute-api-version", "--os-image-api-version", "--insecure",
                    "--os-cacert", "--debug", "-v", "--verbose", "-q", "--quiet"}
SHOW_ONE = {"-f", "--format", "-c", "--column", "--noindent", "--prefix", "--max-width",
            "--fit-width", "--print-empty"}

# Each command: positional count (min, max or None), allowed flags, flags that
# take no value, required flags (each a set: one of them), and where it is
# documented.
COMMANDS = {
    ("gcloud", "storage", "cp"): dict(
        doc="https://cloud.google.com/sdk/gcloud/reference/storage/cp",
        positional=(2, None),
        flags={"--additional-headers", "--all-versions", "-A", "--no-clobber", "-n",
               "--content-md5", "--continue-on-error", "-c", "--daisy-chain", "-D",
               "--do-not-decompress", "--include-managed-folders", "--manifest-path", "-L",
               "--preserve-posix", "-P", "--print-created-message", "-v",
               "--read-paths-from-stdin", "-I", "--recursive", "-R", "-r",
               "--skip-unsupported", "-U", "--storage-class", "-s", "--canned-acl",
               "--predefined-acl", "-a", "--preserve-acl", "--no-preserve-acl", "-p",
               "--gzip-in-flight", "-j", "--gzip-in-flight-all", "-J", "--gzip-local", "-z",
               "--gzip-local-all", "-Z", "--ignore-symlinks", "--preserve-symlinks",
               "--decryption-keys", "--encryption-key", "--cache-control",
               "--content-disposition", "--content-encoding", "--content-language",
               "--content-type", "--custom-time", "--clear-custom-metadata",
               "--custom-metadata", "--remove-custom-metadata", "--update-custom-metadata",
               "--if-generation-match", "--if-metageneration-match", "--retain-until",
               "--retention-mode"} | GCLOUD_WIDE,
        required=[]),
    ("gcloud", "storage", "rm"): dict(
        doc="https://cloud.google.com/sdk/gcloud/reference/storage/rm",
        positional=(1, None),
        flags={"--additional-headers", "--all-versions", "-a", "--continue-on-error", "-c",
               "--exclude-managed-folders", "--read-paths-from-stdin", "-I", "--recursive",
               "-R", "-r", "--if-generation-match", "--if-metageneration-match"} | GCLOUD_WIDE,
        required=[]),
    ("gcloud", "compute", "images", "create"): dict(
        doc="https://cloud.google.com/sdk/gcloud/reference/compute/images/create",
        positional=(1, 1),
        flags={"--source-disk", "--source-image", "--source-image-family", "--source-snapshot",
               "--source-uri", "--architecture", "--csek-key-file", "--description",
               "--family", "--forbidden-database-file", "--force", "--guest-os-features",
               "--key-exchange-key-file", "--labels", "--licenses", "--platform-key-file",
               "--no-require-csek-key-create", "--signature-database-file",
               "--source-disk-project", "--source-disk-zone", "--source-image-project",
               "--storage-location", "--kms-key", "--kms-keyring", "--kms-location",
               "--kms-project"} | GCLOUD_WIDE,
        required=[{"--source-disk", "--source-image", "--source-image-family",
                   "--source-snapshot", "--source-uri"}]),
    ("gcloud", "compute", "images", "delete"): dict(
        doc="https://cloud.google.com/sdk/gcloud/reference/compute/images/delete",
        positional=(1, None), flags=set(GCLOUD_WIDE), required=[]),
    ("gcloud", "compute", "instances", "create"): dict(
        doc="https://cloud.google.com/sdk/gcloud/reference/compute/instances/create",
        positional=(1, None),
        flags={"--accelerator", "--async", "--availability-domain", "--boot-disk-auto-delete",
               "--no-boot-disk-auto-delete", "--boot-disk-device-name", "--boot-disk-interface",
               "--boot-disk-provisioned-iops", "--boot-disk-provisioned-throughput",
               "--boot-disk-size", "--boot-disk-type", "--can-ip-forward", "--create-disk",
               "--csek-key-file", "--deletion-protection", "--description",
               "--discard-local-ssds-at-termination-timestamp", "--disk",
               "--enable-display-device", "--enable-nested-virtualization",
               "--no-enable-nested-virtualization", "--enable-uefi-networking",
               "--no-enable-uefi-networking", "--erase-windows-vss-signature",
               "--external-ipv6-address", "--external-ipv6-prefix-length",
               "--host-error-timeout-seconds", "--hostname", "--instance-termination-action",
               "--internal-ipv6-address", "--internal-ipv6-prefix-length",
               "--ipv6-network-tier", "--ipv6-public-ptr-domain", "--key-revocation-action-type",
               "--labels", "--local-ssd", "--local-ssd-recovery-timeout", "--machine-type",
               "--maintenance-policy", "--max-run-duration", "--metadata",
               "--metadata-from-file", "--min-cpu-platform", "--min-node-cpu", "--network",
               "--network-interface", "--network-performance-configs", "--network-tier",
               "--node-project", "--performance-monitoring-unit", "--preemptible",
               "--private-ipv6-google-access-type", "--private-network-ip",
               "--provisioning-model", "--no-require-csek-key-create",
               "--resource-manager-tags", "--resource-policies", "--restart-on-failure",
               "--no-restart-on-failure", "--shielded-integrity-monitoring",
               "--shielded-secure-boot", "--shielded-vtpm", "--source-instance-template",
               "--source-machine-image", "--source-machine-image-csek-key-file",
               "--stack-type", "--subnet", "--tags", "--termination-time",
               "--threads-per-core", "--turbo-mode", "--visible-core-count", "--zone",
               "--address", "--no-address", "--boot-disk-kms-key", "--boot-disk-kms-keyring",
               "--boot-disk-kms-location", "--boot-disk-kms-project", "--confidential-compute",
               "--confidential-compute-type", "--custom-cpu", "--custom-memory",
               "--custom-extensions", "--custom-vm-type", "--image-family-scope",
               "--image-project", "--image", "--image-family", "--source-snapshot",
               "--instance-kms-key", "--instance-kms-keyring", "--instance-kms-location",
               "--instance-kms-project", "--node", "--node-affinity-file", "--node-group",
               "--public-ptr", "--no-public-ptr", "--public-ptr-domain", "--no-public-ptr-domain",
               "--reservation", "--reservation-affinity", "--scopes", "--no-scopes",
               "--service-account", "--no-service-account"} | GCLOUD_WIDE,
        required=[]),
    ("gcloud", "compute", "instances", "get-serial-port-output"): dict(
        doc="https://cloud.google.com/sdk/gcloud/reference/compute/instances/get-serial-port-output",
        positional=(1, 1), flags={"--port", "--start", "--zone"} | GCLOUD_WIDE, required=[]),
    ("gcloud", "compute", "instances", "delete"): dict(
        doc="https://cloud.google.com/sdk/gcloud/reference/compute/instances/delete",
        positional=(1, None), flags={"--zone", "--delete-disks", "--keep-disks"} | GCLOUD_WIDE,
        required=[]),
    # https://docs.openstack.org/python-openstackclient/latest/cli/command-objects/image-v2.html
    ("openstack", "image", "create"): dict(
        doc="https://docs.openstack.org/python-openstackclient/latest/cli/command-objects/image-v2.html",
        positional=(1, 1),
        flags={"--id", "--container-format", "--disk-format", "--min-disk", "--min-ram",
               "--file", "--volume", "--force", "--progress", "--sign-key-path",
               "--sign-cert-id", "--protected", "--unprotected", "--public", "--private",
               "--community", "--shared", "--property", "--tag", "--project", "--import",
               "--project-domain"} | SHOW_ONE,
        no_value={"--force", "--progress", "--protected", "--unprotected", "--public",
                  "--private", "--community", "--shared", "--import", "--noindent",
                  "--fit-width", "--print-empty"},
        required=[]),
    ("openstack", "image", "delete"): dict(
        doc="https://docs.openstack.org/python-openstackclient/latest/cli/command-objects/image-v2.html",
        positional=(1, None), flags=set(), required=[]),
    ("openstack", "server", "create"): dict(
        doc="https://docs.openstack.org/python-openstackclient/latest/cli/command-objects/server.html",
        positional=(1, 1),
        flags={"--flavor", "--image", "--image-property", "--volume", "--snapshot",
               "--boot-from-volume", "--block-device-mapping", "--block-device", "--swap",
               "--ephemeral", "--network", "--port", "--no-network", "--auto-network", "--nic",
               "--password", "--security-group", "--key-name", "--property", "--file",
               "--user-data", "--description", "--availability-zone", "--host",
               "--hypervisor-hostname", "--hint", "--use-config-drive", "--no-config-drive",
               "--config-drive", "--min", "--max", "--tag", "--hostname", "--wait",
               "--trusted-image-cert", "--no-trusted-image-certs"} | SHOW_ONE,
        no_value={"--no-network", "--auto-network", "--use-config-drive", "--no-config-drive",
                  "--wait", "--no-trusted-image-certs", "--noindent", "--fit-width",
                  "--print-empty"},
        required=[{"--flavor"}, {"--image", "--image-property", "--volume", "--snapshot"}]),
    ("openstack", "server", "delete"): dict(
        doc="https://docs.openstack.org/python-openstackclient/latest/cli/command-objects/server.html",
        positional=(1, None), flags={"--force", "--all-projects", "--wait"},
        no_value={"--force", "--all-projects", "--wait"}, required=[]),
    ("openstack", "console", "log", "show"): dict(
        doc="https://docs.openstack.org/python-openstackclient/latest/cli/command-objects/console-log.html",
        positional=(1, 1), flags={"--lines"}, required=[]),
}
# gcloud flags that take no value (all others are --flag=VALUE or --flag VALUE).
GCLOUD_NO_VALUE = {"--quiet", "-q", "--help", "--log-http", "--async", "--can-ip-forward",
                   "--deletion-protection", "--preemptible", "--no-address", "--force",
                   "--recursive", "-r", "-R", "--no-boot-disk-auto-delete",
                   "--shielded-secure-boot", "--shielded-vtpm", "--shielded-integrity-monitoring",
                   "--no-restart-on-failure", "--restart-on-failure", "--no-scopes",
                   "--no-service-account", "--confidential-compute"}
# --network-interface keys (instances create, FLAGS) and the values nic-type takes.
NIC_KEYS = {"address", "network", "no-address", "network-tier", "private-network-ip", "subnet",
            "nic-type", "queue-count", "stack-type", "ipv6-network-tier",
            "internal-ipv6-address", "internal-ipv6-prefix-length", "external-ipv6-address",
            "external-ipv6-prefix-length", "ipv6-public-ptr-domain", "aliases",
            "network-attachment"}
NIC_EXCLUSIVE = {"--address", "--network", "--network-tier", "--subnet", "--private-network-ip",
                 "--stack-type", "--ipv6-network-tier", "--internal-ipv6-address",
                 "--internal-ipv6-prefix-length", "--external-ipv6-address",
                 "--external-ipv6-prefix-length", "--ipv6-public-ptr-domain"}
# images create --guest-os-features values (GUEST_OS_FEATURE must be one of ...).
GUEST_OS_FEATURES = {"BARE_METAL_LINUX_COMPATIBLE", "GVNIC", "IDPF", "MULTI_IP_SUBNET",
                     "SEV_CAPABLE", "SEV_LIVE_MIGRATABLE", "SEV_LIVE_MIGRATABLE_V2",
                     "SEV_SNP_CAPABLE", "SNP_SVSM_CAPABLE", "TDX_CAPABLE", "UEFI_COMPATIBLE",
                     "VIRTIO_SCSI_MULTIQUEUE", "WINDOWS"}
# image create: "The supported options are: ami, ari, aki, vhd, vmdk, raw, qcow2,
# vhdx, vdi, iso, ploop" / "ami, ari, aki, bare, docker, ova, ovf".
DISK_FORMATS = {"ami", "ari", "aki", "vhd", "vmdk", "raw", "qcow2", "vhdx", "vdi", "iso",
                "ploop"}
CONTAINER_FORMATS = {"ami", "ari", "aki", "bare", "docker", "ova", "ovf"}
OUTPUT_FORMATS = {"json", "shell", "table", "value", "yaml"}
# Metadata keys: [a-zA-Z0-9-_]+, under 128 bytes (Compute API, Metadata.items.key).
GCE_METADATA_KEY = re.compile(r"[a-zA-Z0-9_-]{1,127}")


def parse_gcloud_dict(text):
    """gcloud's dictionary flags as `gcloud topic escaping` describes them:
    KEY=VALUE,KEY=VALUE, or ^DELIM^ first to separate by DELIM instead; the
    first '=' splits key from value; keys must be unique."""
    delim = ","
    m = re.match(r"\^([^^]+)\^", text)
    if m:
        delim, text = m.group(1), text[m.end():]
    out = {}
    for entry in text.split(delim):
        key, eq, value = entry.partition("=")
        if not eq or key in out:
            raise ValueError(f"bad or repeated entry '{entry}'")
        out[key] = value
    return out


class Parsed:
    def __init__(self, words, flags, positional, redirect):
        self.words, self.flags, self.positional, self.redirect = words, flags, positional, redirect

    def get(self, flag):
        return [v for f, v in self.flags if f == flag]


def parse_command(line):
    """One dry-run line: (key in COMMANDS, Parsed) or raises ValueError."""
    argv = shlex.split(line)
    redirect = None
    if len(argv) >= 2 and argv[-2] == ">":
        redirect, argv = argv[-1], argv[:-2]
    if argv[0] == "openstack":
        i, global_flags = 1, []
        while argv[i].startswith("-"):
            if argv[i] not in OPENSTACK_GLOBAL:
                raise ValueError(f"unknown openstack global option {argv[i]}")
            global_flags.append((argv[i], argv[i + 1]))
            i += 2
        n = 3 if argv[i] == "console" else 2
        key, rest = tuple(["openstack"] + argv[i:i + n]), argv[i + n:]
    else:
        n = 3 if argv[1] == "storage" else 4
        key, rest = tuple(argv[:n]), argv[n:]
    if key not in COMMANDS:
        raise ValueError(f"not a documented command: {' '.join(key)}")
    spec = COMMANDS[key]
    no_value = spec.get("no_value", GCLOUD_NO_VALUE if key[0] == "gcloud" else set())
    flags, positional, i = [], [], 0
    while i < len(rest):
        word = rest[i]
        if word.startswith("-") and len(word) > 1:
            name, eq, value = word.partition("=")
            if name not in spec["flags"]:
                raise ValueError(f"{' '.join(key)}: {name} is not one of its flags ({spec['doc']})")
            if name in no_value:
                if eq:
                    raise ValueError(f"{name} takes no value")
                value = None
            elif not eq:
                i += 1
                if i >= len(rest):
                    raise ValueError(f"{name} needs a value")
                value = rest[i]
            flags.append((name, value))
        else:
            positional.append(word)
        i += 1
    low, high = spec["positional"]
    if len(positional) < low or (high is not None and len(positional) > high):
        raise ValueError(f"{' '.join(key)}: {len(positional)} positional arguments "
                         f"({positional}); the synopsis allows {low}..{high or 'any'}")
    names = {f for f, _ in flags}
    for one_of in spec["required"]:
        if len(names & one_of) != 1:
            raise ValueError(f"{' '.join(key)}: needs exactly one of {sorted(one_of)}")
    return key, Parsed(argv, flags, positional, redirect)


def check_values(key, p):
    """Value-level rules from the same pages."""
    if key == ("gcloud", "compute", "instances", "create"):
        nics = p.get("--network-interface")
        if len(nics) != 1:
            raise ValueError("one --network-interface expected")
        for entry in nics[0].split(","):
            k, _, v = entry.partition("=")
            if k not in NIC_KEYS:
                raise ValueError(f"--network-interface key {k} is not documented")
            if k == "nic-type" and v not in ("GVNIC", "VIRTIO_NET"):
                raise ValueError(f"nic-type {v}")
        if {f for f, _ in p.flags} & NIC_EXCLUSIVE:
            raise ValueError("--network-interface is mutually exclusive with "
                             f"{sorted({f for f, _ in p.flags} & NIC_EXCLUSIVE)}")
        size = p.get("--boot-disk-size")[0]
        if not re.fullmatch(r"\d+(KB|MB|GB|TB)?", size):
            raise ValueError(f"--boot-disk-size {size}")
        meta = parse_gcloud_dict(p.get("--metadata")[0])
        from_file = parse_gcloud_dict(p.get("--metadata-from-file")[0])
        if set(meta) & set(from_file):
            raise ValueError("a key in both --metadata and --metadata-from-file")
        for k in list(meta) + list(from_file):
            if not GCE_METADATA_KEY.fullmatch(k):
                raise ValueError(f"metadata key {k}")
        for labels in p.get("--labels"):
            for k, v in parse_gcloud_dict(labels).items():
                if not re.fullmatch(r"[a-z][-_a-z0-9]*", k) or not re.fullmatch(r"[-_a-z0-9]*", v):
                    raise ValueError(f"label {k}={v}")
    if key == ("gcloud", "compute", "images", "create"):
        for value in p.get("--guest-os-features"):
            if not set(value.split(",")) <= GUEST_OS_FEATURES:
                raise ValueError(f"--guest-os-features {value}")
        uri = p.get("--source-uri")[0]
        if not (uri.startswith("gs://") and uri.endswith(".tar.gz")):
            raise ValueError(f"--source-uri {uri} (a gzip-compressed tarball named .tar.gz)")
    if key == ("gcloud", "compute", "instances", "get-serial-port-output"):
        if p.get("--port") and p.get("--port")[0] not in ("1", "2", "3", "4"):
            raise ValueError("--port must be 1..4")
    if key == ("gcloud", "storage", "cp") and not p.positional[-1].startswith("gs://"):
        raise ValueError("the destination is not a gs:// URL")
    if key == ("openstack", "image", "create"):
        if p.get("--disk-format")[0] not in DISK_FORMATS:
            raise ValueError("--disk-format")
        if p.get("--container-format")[0] not in CONTAINER_FORMATS:
            raise ValueError("--container-format")
    if key[0] == "openstack":
        for value in p.get("-f") + p.get("--format"):
            if value not in OUTPUT_FORMATS:
                raise ValueError(f"-f {value}")
        for value in p.get("--property"):
            k, eq, v = value.partition("=")
            if not eq or len(k) > 255 or len(v) > 255:
                raise ValueError(f"--property {value[:40]}... (key=value, 255 characters each)")
