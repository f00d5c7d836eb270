"""mpirun_options.py - hermit-mpirun's command line and the checks made
before anything starts.

MPICH's habits: -n/-np N, -genv K V, -l, then IMAGE and its arguments;
our own options take --name VALUE or --name=VALUE. parse_args and
check_job raise UsageError with one sentence for the user; nothing is
created before both have passed.
"""

import os
import re
import sys

import program

MAX_RANKS = 255            # on one host: hermit-net's local plans
MAX_RANKS_HOSTS = 4096     # across hosts (addresses allow 65,534; docs/cluster.md)
DEFAULT_TIMEOUT = 600
# Kernel options hermit-vm sets for every rank itself (-genv sets env=).
VM_KOPTS = ("ip", "hostname", "hosts", "env")
# The HermitCore-C kernel's own options (kernel/options.c, known[]; the
# icount suite checks that the two lists agree). The kernel refuses any
# other name, so --kopt refuses it here, once, before N VMs each would.
HERMIT_KOPTS = {"loglevel": True, "probe": False, "idle": True, "acpi": True,
                "cpus": True, "stats": False, "epoch": True, "gw": True, "mtu": True,
                "cloud": True}


class UsageError(Exception):
    pass


class Options:
    def __init__(self):
        self.n = None
        self.genv = []
        self.label = False
        self.cpus = 1
        self.mem = "256M"
        self.timeout = DEFAULT_TIMEOUT
        self.net = "vde"
        self.show = False
        self.trace_pmi = False
        self.guest = "hermit"
        self.icount = False         # every VM under -icount shift=0
        self.kopt = []              # extra kernel options for every VM
        self.initrd = None          # --guest linux: the initramfs every VM boots
        self.image = None
        self.args = []
        self.hostfile = None        # -f FILE: across hosts through Hydra


def take(argv, i, opt):
    if i + 1 >= len(argv):
        raise UsageError(f"{opt} needs a value")
    return argv[i + 1]


FLAGS = ("-l", "--icount", "-v", "--show", "--trace-pmi", "-h", "--help")


def split_inline(argv, i):
    """--name=VALUE at argv[i] becomes --name VALUE in place."""
    name, _, value = argv[i].partition("=")
    if name in FLAGS:
        raise UsageError(f"{name} takes no value")
    argv[i:i + 1] = [name, value]


def check_kopt(text, guest):
    """One K or K=V word for the kernel command line of every VM."""
    key, has_value, value = text.partition("=")
    if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_.-]*", key) or re.search(r"[\s'\"\\]", value):
        raise UsageError(f"--kopt takes KEY or KEY=VALUE without spaces or quotes, not '{text}'")
    if key in VM_KOPTS:
        raise UsageError(f"--kopt {key}= is set by hermit-vm for every rank"
                         + (" (use -genv K V)" if key == "env" else ""))
    if key == "cloud":
        raise UsageError("--kopt cloud= is for cloud instances (cluster/hermit-image, "
                         "docs/cloud.md); these VMs get their job from hermit-mpirun")
    if guest != "hermit":
        return              # Linux passes names it does not know on to /init
    if key not in HERMIT_KOPTS:
        raise UsageError(f"--kopt '{key}' is not a HermitCore-C kernel option (known: "
                         + ", ".join(sorted(HERMIT_KOPTS)) + ")")
    if HERMIT_KOPTS[key] != bool(has_value):
        raise UsageError(f"--kopt {key} " + ("needs a value" if HERMIT_KOPTS[key]
                                             else "takes no value"))


def parse_number(text, opt, kind=int, minimum=0):
    try:
        value = kind(text)
    except ValueError:
        raise UsageError(f"{opt} takes a number, not '{text}'")
    if value < minimum:
        raise UsageError(f"{opt} must be at least {minimum}, not '{text}'")
    return value


def print_help(usage):
    """Prints the usage; `hermit-mpirun --help | head` is not an error."""
    try:
        print(usage, flush=True)
    except BrokenPipeError:
        # Python flushes stdout again at exit; point it at /dev/null first.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())


def parse_args(argv, usage=""):
    o = Options()
    argv = list(argv)
    i = 0
    while i < len(argv):
        if argv[i].startswith("--") and "=" in argv[i]:
            split_inline(argv, i)
        a = argv[i]
        if a in ("-n", "-np"):
            o.n = parse_number(take(argv, i, a), a, minimum=1)
            i += 2
        elif a == "-f":
            o.hostfile, i = take(argv, i, a), i + 2
        elif a == "-genv":
            key, value = take(argv, i, a), take(argv, i + 1, a)
            if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", key):
                raise UsageError(f"-genv needs a variable name, not '{key}'")
            o.genv.append(f"{key}={value}")
            i += 3
        elif a == "-l":
            o.label, i = True, i + 1
        elif a == "--cpus":
            o.cpus, i = parse_number(take(argv, i, a), a, minimum=1), i + 2
        elif a == "--mem":
            o.mem, i = take(argv, i, a), i + 2
            if not re.fullmatch(r"\d+[KMGT]?", o.mem):
                raise UsageError(f"--mem must look like 512M or 4G, not '{o.mem}'")
        elif a == "--timeout":
            o.timeout, i = parse_number(take(argv, i, a), a, float), i + 2
        elif a == "--net":
            o.net, i = take(argv, i, a), i + 2
            if o.net not in ("vde", "bridge", "none"):
                raise UsageError(f"--net must be vde, bridge or none, not '{o.net}'")
        elif a == "--guest":
            o.guest, i = take(argv, i, a), i + 2
            if o.guest not in ("hermit", "linux"):
                raise UsageError(f"--guest must be hermit or linux, not '{o.guest}'")
        elif a == "--icount":
            o.icount, i = True, i + 1
        elif a == "--kopt":
            o.kopt.append(take(argv, i, a))
            i += 2
        elif a in ("-v", "--show"):
            o.show, i = True, i + 1
        elif a == "--trace-pmi":
            o.trace_pmi, i = True, i + 1
        elif a in ("-h", "--help"):
            print_help(usage)
            sys.exit(0)
        elif a == "--":
            i += 1
            break
        elif a.startswith("-"):
            raise UsageError(f"unknown option '{a}' (see --help)")
        else:
            break
    if i >= len(argv):
        raise UsageError("no IMAGE to run")
    o.image, o.args = argv[i], argv[i + 1:]
    if o.n is None:
        raise UsageError("-n N is required")
    across = o.hostfile or os.environ.get("SLURM_JOB_NODELIST")
    limit = MAX_RANKS_HOSTS if across else MAX_RANKS
    if o.n > limit:
        raise UsageError(f"-n must be at most {limit}" + ("" if across else " on one host"))
    for k in o.kopt:        # after the loop: --guest may come after --kopt
        check_kopt(k, o.guest)
    return o


def mem_bytes(text):
    scale = {"K": 1 << 10, "M": 1 << 20, "G": 1 << 30, "T": 1 << 40}
    return int(text[:-1]) * scale[text[-1]] if text[-1] in scale else int(text) << 20


def available_memory():
    try:
        with open("/proc/meminfo") as f:
            found = re.search(r"^MemAvailable:\s+(\d+) kB", f.read(), re.M)
        return int(found.group(1)) * 1024 if found else None
    except OSError:
        return None


def check_job(o, mode):
    if not os.path.isfile(o.image):
        raise UsageError(f"image not found: {o.image}")
    if mode == "host":
        if not os.access(o.image, os.X_OK):
            raise UsageError(f"{o.image} is not executable")
        return
    why = (program.linux_program_problem(o.image) if o.guest == "linux"
           else program.hermit_image_problem(o.image))
    if why:
        raise UsageError(why)
    need, have = o.n * mem_bytes(o.mem), available_memory()
    if o.hostfile or os.environ.get("SLURM_JOB_NODELIST"):
        if mode == "host":
            raise UsageError("HERMIT_VM_EXEC=host runs on one host only")
        if o.trace_pmi:
            raise UsageError("--trace-pmi traces our own PMI server, on one host; "
                             "across hosts Hydra serves PMI")
        return              # each host's memory is its own; hermit-run checks it
    if have is not None and need > have:
        raise UsageError(f"{o.n} VMs of {o.mem} need {need >> 20} MiB, "
                         f"only {have >> 20} MiB available")
