"""The grader's side of a kernel factory: start it in bubblewrap, ask it for kernels.

The factory itself (:mod:`.factory_main`) is one Python that imports ipykernel and the
notebook's modules once, inside the sandbox, then forks a fresh kernel per job. Here: start it
(:class:`Factory`), hand it to a worker process forked later (:meth:`Factory.hand_over`,
:meth:`Factory.adopted`), send it one :class:`workbook.wire.KernelRequest` per kernel and read
its :class:`workbook.wire.KernelAnswer`. Running as root, each kernel gets a uid of its own
(:func:`claim_uid`), so its process limit counts only its own processes.
"""

import fcntl
import os
import shutil
import signal
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from instructor.grading.defaults import Limits
from instructor.grading.sandbox.bwrap import bwrap_command, kernel_environment
from instructor.grading.sandbox.procfs import host_pid, running
from workbook.wire import KernelAnswer

__all__ = ["FIRST_UID", "UID_COUNT", "Factory", "FactorySpec", "claim_uid", "factory_source"]

FIRST_UID, UID_COUNT = 61000, 8000


def claim_uid():
    """A uid no other live kernel on this machine has: ``(uid, lock)``; close ``lock`` to free it.

    The lock is an flock on a file per uid, so a crashed grader frees its uids by itself.
    """
    folder = Path(tempfile.gettempdir()) / "workbook-uids"
    folder.mkdir(mode=0o700, exist_ok=True)
    start = os.getpid() % UID_COUNT
    for offset in range(UID_COUNT):
        uid = FIRST_UID + (start + offset) % UID_COUNT
        lock = open(folder / str(uid), "w")
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            lock.close()
            continue
        return uid, lock
    raise RuntimeError("no free uid left for a kernel")


@cache
def factory_source():
    """The factory's code (:mod:`.factory_main`), run with ``python -c``: nothing of the
    instructor package is mounted in the sandbox."""
    return Path(__file__).with_name("factory_main.py").read_text()


@dataclass(frozen=True)
class FactorySpec:
    """What a factory is made for; two factories with equal specs are interchangeable.

    ``preload``: the modules it imports ahead; ``isolated=False`` runs it without bubblewrap,
    when bubblewrap is missing.
    """

    limits: Limits = Limits()
    preload: tuple = ()
    isolated: bool = True


class Factory:
    """A sandboxed kernel factory made to ``spec`` (a :class:`FactorySpec`).

    Starting it does not wait for its imports: the first kernel asked for does.
    """

    def __init__(self, spec):
        self.spec = spec
        limits, isolated = spec.limits, spec.isolated
        self.contains = isolated and os.geteuid() == 0
        self.claimed = []
        self.folder = Path(tempfile.mkdtemp(prefix="workbook-grade-"))
        os.chmod(self.folder, 0o711)   # kernels may enter their own folder, not list others
        home = self.folder / "home"
        (home / "matplotlib").mkdir(parents=True)
        argv = [sys.executable, "-c", factory_source(), *spec.preload]
        env = kernel_environment(home)
        command = bwrap_command(argv, self.folder, env, limits) if isolated else argv
        self.process = subprocess.Popen(
            command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
            env=None if isolated else env, cwd=self.folder)
        self.ready, self.owner, self.handed_over = False, os.getpid(), False

    def _wait_until_ready(self):
        if not self.ready:
            if self.process.stdout.readline().strip() != "ready":
                self.close()
                raise RuntimeError("the kernel factory did not start")
            self.ready = True

    def hand_over(self):
        """In a process that holds the factory but leaves it to another (the grader, once a
        worker has adopted it; a worker, for the others' factories): close this process's
        ends of its pipes. Only the adopting worker talks to it, and closes it."""
        self.process.stdin.close()
        self.process.stdout.close()
        self.handed_over = True

    def adopted(self):
        """In a worker forked after the factory started: it is now this process's factory."""
        self.owner = os.getpid()

    def discard(self):
        """Close the factory unless it was handed over to a worker (which closes it)."""
        if not self.handed_over:
            self.close()

    def uid(self):
        """A uid for the next kernel (none when kernels are not contained); no uid is used
        twice while the factory lives."""
        if not self.contains:
            return None
        uid, lock = claim_uid()
        self.claimed.append(lock)
        return uid

    def fork(self, request):
        """Send ``request`` (a :class:`workbook.wire.KernelRequest`); the kernel's pid here."""
        self._wait_until_ready()
        self.process.stdin.write(request.to_line())
        self.process.stdin.flush()
        answer = KernelAnswer.from_line(self.process.stdout.readline())
        if answer is None or answer.pid is None:
            raise RuntimeError("the kernel factory could not fork a kernel")
        return host_pid(self.process.pid, answer.pid)

    def alive(self):
        """Is the factory running, and this process's (started or adopted here)?"""
        if self.owner != os.getpid():
            return False
        try:   # not ``poll``: an adopted factory is not this process's child
            return running(self.process.pid)
        except OSError:
            return False

    def close(self):
        try:   # not ``Popen.kill``: it polls first, and cannot poll an adopted factory
            os.kill(self.process.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        self.process.wait()    # reaps our own child; returns at once for an adopted one
        shutil.rmtree(self.folder, ignore_errors=True)
        for lock in self.claimed:
            lock.close()
        self.claimed = []
