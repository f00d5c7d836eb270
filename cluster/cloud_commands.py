"""cloud_commands.py - how hermit-cloud runs a command, and what it says
when one fails.

Runner is the one place commands run. A real run starts each in its own
session with no stdin and collects its output; a dry run prints the
command, shell-quoted, instead and answers as if it succeeded.

Runner.on_signal handles SIGINT, SIGTERM and SIGHUP (cloud_run.py
installs it for a real run): the first signal stops the local work at
once (hermit-image, hermit-head: the children marked stoppable) and is
noted, so that the job stops at its next checkpoint while the cloud
commands under way finish, and what they make is known and deleted.

A failed step is one line naming the command (its secret shown as
<secret>), then the last lines of its stderr, then StepFailed. Used by
cloud_run.py and cluster/hermit-cloud.
"""

import shlex
import signal
import subprocess
import sys
import threading

import cloud_plan

PROG = "hermit-cloud"
STDERR_TAIL = 6            # lines of a failed command's stderr shown


def say(message):
    print(f"{PROG}: {message}", file=sys.stderr, flush=True)


class Result:
    def __init__(self, rc, out, err):
        self.rc, self.out, self.err = rc, out, err


class StepFailed(Exception):
    pass


class Interrupted(Exception):
    pass


class Runner:
    """The one place commands run. A dry run prints each command instead and
    answers as if it succeeded (with `placeholder` as its output)."""

    def __init__(self, dry):
        self.dry = dry
        self.lock = threading.RLock()  # the signal handler takes it too
        self.interrupted = None      # the first signal's number
        self.cleaning = False
        self.stoppable = set()       # children a signal stops at once (local work)

    def run(self, argv, stdout_path=None, stoppable=False, placeholder=""):
        if self.dry:
            line = shlex.join(argv)
            if stdout_path:
                line += " > " + shlex.quote(stdout_path)
            with self.lock:
                print(line, flush=True)
            return Result(0, placeholder, "")
        out_file = open(stdout_path, "wb") if stdout_path else None
        try:
            proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL,
                                    stdout=out_file or subprocess.PIPE,
                                    stderr=subprocess.PIPE, start_new_session=True)
        except OSError as e:
            if out_file:
                out_file.close()
            return Result(127, "", f"cannot run {argv[0]}: {e.strerror}")
        if stoppable:
            with self.lock:
                self.stoppable.add(proc)
                if self.interrupted:
                    proc.terminate()
        try:
            out, err = proc.communicate()
        finally:
            if out_file:
                out_file.close()
            with self.lock:
                self.stoppable.discard(proc)
        return Result(proc.returncode, (out or b"").decode(errors="replace"),
                      err.decode(errors="replace"))

    def start(self, argv):
        """hermit-head: its output is the job's, straight to ours."""
        if self.dry:
            self.run(argv)
            return None
        try:
            proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, start_new_session=True)
        except OSError as e:
            fail_step(argv, Result(127, "", f"cannot run {argv[0]}: {e.strerror}"), "hermit-head")
        with self.lock:
            self.stoppable.add(proc)
            if self.interrupted:
                proc.terminate()
        return proc

    def on_signal(self, signum, _frame):
        with self.lock:
            first = self.interrupted is None
            if first:
                self.interrupted = signum
                for proc in list(self.stoppable):
                    try:
                        proc.terminate()
                    except OSError:
                        pass
        name = signal.Signals(signum).name
        if first and not self.cleaning:
            say(f"{name}: stopping the job; its instances are deleted once the cloud "
                "commands under way have finished")
        else:
            say(f"{name}: still cleaning up (deleting what this job created); please wait")

    def checkpoint(self):
        if self.interrupted:
            raise Interrupted()


def command_words(argv):
    """'gcloud compute images create', 'openstack server create': what a
    message names."""
    if argv[0] == "gcloud":
        return " ".join(argv[:3] if argv[1] == "storage" else argv[:4])
    words = [w for i, w in enumerate(argv) if i == 0 or (w != "--os-cloud"
             and argv[i - 1] != "--os-cloud")]
    return " ".join(words[:4] if words[1] == "console" else words[:3])


HIDDEN = []    # the job's secret: never in a message


def shown(argv):
    """A command as messages show it: the secret replaced by <secret>."""
    text = shlex.join(argv)
    for secret in HIDDEN:
        text = text.replace(secret, cloud_plan.SECRET)
    return text


def fail_step(argv, res, what=None):
    head = what or command_words(argv)
    say(f"{head} failed (status {res.rc}): {shown(argv)}")
    for line in res.err.strip().splitlines()[-STDERR_TAIL:]:
        print(f"    {line}", file=sys.stderr)
    raise StepFailed()
