"""cloud_run.py - one hermit-cloud job from its disk image to the last
deletion: build and verify the image, upload it, start hermit-head,
create the instances --parallel at a time, wait for hermit-head; then,
always (after a failure, a signal, or success), stop hermit-head, save
each instance's serial console and delete what this run created.

    run_job  the job's private directory and secret, the signal handlers,
             the steps of cloud_plan.py in order; returns the exit status
    JobRun   the steps, and what each one created, so that the cleanup
             deletes exactly that (instances first; cloud_plan.py's cleanup)

Commands run through cloud_commands.Runner, so a --dry-run prints them
in the same order. Used by cluster/hermit-cloud.
"""

import concurrent.futures
import os
import re
import secrets
import shlex
import shutil
import signal
import subprocess
import sys
import tempfile

import cloud_plan
from cloud_commands import (HIDDEN, PROG, STDERR_TAIL, Interrupted, Runner, StepFailed,
                            fail_step, say, shown)

EXIT_SETUP, EXIT_INTERRUPTED = 125, 130
STOP_WAIT = 5.0            # hermit-head: SIGTERM, then SIGKILL after this long


def resource_ref(step, res):
    if not step.capture_id:
        return step.name
    words = res.out.split()
    if words and re.fullmatch(r"[A-Za-z0-9<>][-A-Za-z0-9_<>]*", words[-1]):
        return words[-1]
    say(f"could not read the ID of {step.name} from `{shown(step.argv)}`; "
        "it is deleted by name")
    return step.name


class JobRun:
    def __init__(self, job, plan, runner, hermit_image, hermit_head):
        self.job, self.plan, self.runner = job, plan, runner
        self.hermit_image, self.hermit_head = hermit_image, hermit_head
        self.created = []            # cloud_plan.Resource, in creation order
        self.head = None
        self.head_status = None

    def record(self, step, res):
        ref = resource_ref(step, res)
        with self.runner.lock:
            self.created.append(cloud_plan.Resource(step.creates, step.name, ref, step.rank))
        return ref

    def run_step(self, step):
        placeholder = cloud_plan.id_placeholder(step.name) if step.capture_id else ""
        return self.runner.run(step.argv, placeholder=placeholder)

    # The job: everything up to hermit-head's exit.
    def execute(self):
        r = self.runner
        r.checkpoint()
        res = r.run(self.plan.build(self.hermit_image), stoppable=True)
        r.checkpoint()
        if res.rc:
            fail_step(self.plan.build(self.hermit_image), res, "hermit-image")
        res = r.run(self.plan.verify(self.hermit_image), stoppable=True)
        r.checkpoint()
        if res.rc:
            say(f"the image {self.plan.disk} failed verification; nothing was uploaded")
            fail_step(self.plan.verify(self.hermit_image), res, "hermit-image --verify")
        image_ref = None
        for step in self.plan.setup():
            r.checkpoint()
            res = self.run_step(step)
            if res.rc:
                fail_step(step.argv, res)
            ref = self.record(step, res)
            if step.creates == "image":
                image_ref = ref
        r.checkpoint()
        self.head = r.start(self.plan.head(self.hermit_head))
        self.create_instances(image_ref)
        if r.dry:
            return 0
        if self.head.poll() is not None and len(self.created_instances()) < self.job.n:
            status = exit_status(self.head.returncode)
            say(f"hermit-head exited (status {status}) before every instance was created")
            return status or EXIT_SETUP
        if not r.interrupted:
            say(f"{self.job.n} instance{'s' if self.job.n > 1 else ''} created; "
                "the job runs (hermit-head's output follows)")
        self.head_status = self.head.wait()
        r.checkpoint()
        return exit_status(self.head_status)

    def create_instances(self, image_ref):
        j, r = self.job, self.runner
        steps = [self.plan.create_instance(rank, image_ref) for rank in range(j.n)]
        if r.dry:
            for step in steps:
                self.record(step, self.run_step(step))
            return
        say(f"creating {j.n} instance{'s' if j.n > 1 else ''} ({min(j.parallel, j.n)} at a time)")
        failure = None
        todo = list(steps)
        pending = {}
        pool = concurrent.futures.ThreadPoolExecutor(max_workers=min(j.parallel, j.n))
        try:
            while todo or pending:
                stop = failure or r.interrupted or self.head.poll() is not None
                while todo and not stop and len(pending) < j.parallel:
                    step = todo.pop(0)
                    pending[pool.submit(self.run_step, step)] = step
                if not pending:
                    break
                done, _ = concurrent.futures.wait(
                    pending, timeout=0.5, return_when=concurrent.futures.FIRST_COMPLETED)
                for future in done:
                    step = pending.pop(future)
                    res = future.result()
                    if res.rc == 0:
                        self.record(step, res)
                    elif failure is None:
                        failure = (step, res)
        finally:
            pool.shutdown(wait=True)
        r.checkpoint()
        if failure:
            fail_step(failure[0].argv, failure[1])

    def created_instances(self):
        return sorted((res for res in self.created if res.kind == "instance"),
                      key=lambda res: res.rank)

    # Afterwards, always.
    def stop_head(self):
        if self.head is None or self.head.poll() is not None:
            return
        self.head.terminate()
        try:
            self.head.wait(STOP_WAIT)
        except subprocess.TimeoutExpired:
            self.head.kill()
            self.head.wait()

    def collect(self):
        instances = self.created_instances()
        if not instances:
            return
        outdir = self.job.output_dir
        if not self.runner.dry:
            try:
                os.makedirs(outdir, exist_ok=True)
            except OSError as e:
                say(f"cannot make {outdir} ({e.strerror}); no serial output is saved")
                return

        def one(res):
            path = os.path.join(outdir, f"serial-{res.rank}.log")
            argv = self.plan.collect(res)
            out = self.runner.run(argv, stdout_path=path)
            if out.rc:
                first = (out.err.strip().splitlines() or [""])[-1]
                say(f"could not read the serial output of {res.name}: {first}")
        if self.runner.dry:
            for res in instances:
                one(res)
            return
        with concurrent.futures.ThreadPoolExecutor(max_workers=self.job.parallel) as pool:
            list(pool.map(one, instances))
        say(f"serial output of each instance in {outdir}/serial-R.log")

    def cleanup(self):
        """Deletes what this run created; returns False if something may be left."""
        steps = self.plan.cleanup(self.created)
        if not steps:
            return True
        if self.job.keep:
            if self.runner.dry:
                say("--keep: the instances, the image and the uploaded disk would be kept")
                return True
            say("--keep: kept the instances, the image and the uploaded disk; delete them with:")
            for argv in steps:
                print(f"    {shlex.join(argv)}", file=sys.stderr)
            return True
        if not self.runner.dry:
            say("deleting " + ", ".join(f"{res.kind} {res.name}" for res in self.created))
        left = []
        for argv in steps:
            res = self.runner.run(argv)
            if res.rc:
                say(f"cleanup failed (status {res.rc}): {shown(argv)}")
                for line in res.err.strip().splitlines()[-STDERR_TAIL:]:
                    print(f"    {line}", file=sys.stderr)
                left.append(argv)
        if left:
            say("these may still exist (and cost money); delete them with:")
            for argv in left:
                print(f"    {shlex.join(argv)}", file=sys.stderr)
        return not left


def private_file(path, text):
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as f:
        f.write(text)


def exit_status(returncode):
    return 128 - returncode if returncode < 0 else returncode


def run_job(job, hermit_image, hermit_head):
    """Runs a checked job (cluster/hermit-cloud's check_job) with these
    hermit-image and hermit-head commands; returns the exit status."""
    runner = Runner(job.dry_run)
    if job.dry_run:
        tmp, secret = cloud_plan.TMP, cloud_plan.SECRET
    else:
        for signum in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
            signal.signal(signum, runner.on_signal)
        tmp = tempfile.mkdtemp(prefix=f"{PROG}-{job.name}-")
        secret = secrets.token_hex(16)
        HIDDEN.append(secret)
        private_file(os.path.join(tmp, "secret"), secret)
        if job.cloud == "openstack":
            private_file(os.path.join(tmp, "user-data"), cloud_plan.user_data(secret))
        say(f"job {job.name}: {job.n} rank{'s' if job.n > 1 else ''} on {job.cloud}"
            + (f" ({job.machine_type} in {job.zone})" if job.cloud == "gce"
               else f" (flavor {job.flavor})")
            + f"; hermit-head at {job.head_address}:{job.head_port}")
    plan = cloud_plan.make_plan(job, tmp, secret)
    run = JobRun(job, plan, runner, hermit_image, hermit_head)
    status = EXIT_SETUP
    try:
        status = run.execute()
    except StepFailed:
        status = EXIT_SETUP
    except Interrupted:
        status = EXIT_INTERRUPTED
    finally:
        runner.cleaning = True
        run.stop_head()
        if runner.interrupted:
            status = EXIT_INTERRUPTED
        try:
            run.collect()
        except Exception as e:  # the instances must still be deleted
            say(f"could not save the serial output: {e}")
        if not run.cleanup() and status == 0:
            status = EXIT_SETUP
        if not job.dry_run:
            shutil.rmtree(tmp, ignore_errors=True)
    return status
