"""Run students' kernels sandboxed: bubblewrap around a kernel factory, one uid per kernel.

Why bubblewrap: it is one small Debian package (``bubblewrap``), needs no daemon, no image and
no root-owned service, starts in milliseconds, and builds exactly the view we want out of Linux
namespaces: the installed Python environment read-only, the grading folder read-write, and
nothing else of the course (no ``source/``, no gradebook, no other student's files), no
network, its own process and IPC namespaces.

Inside it runs a :mod:`instructor.grading.zygote`: Python with ipykernel and the notebook's modules
already imported, which forks one kernel per job. Running as root, each kernel becomes a uid of
its own with no capabilities, in a job folder only that uid can open, so the process limit
counts only its processes; as a normal user, bubblewrap's user namespace stands in and kernels
keep the user's uid. Kernels talk to the grader over ZMQ *ipc* sockets in their job folder, so
the network namespace stays empty. Without bubblewrap the factory runs unsandboxed (loudly).
"""

import asyncio
import dataclasses
import fcntl
import glob
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from queue import Empty

from jupyter_client.asynchronous import AsyncKernelClient
from jupyter_client.manager import AsyncKernelManager

from instructor.grading import defaults

__all__ = ["JobFolder", "Limits", "SandboxKernelManager", "Zygote", "sandbox_problem"]

# What a kernel sees of the machine, read-only, besides Python and the students' package.
SYSTEM = ("/usr", "/etc")
SYSTEM_LINKS = ("/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32")
FIRST_UID, UID_COUNT = 61000, 8000
MIB = 1024 * 1024


@dataclass(frozen=True)
class Limits:
    """Resource limits of one student's kernel (defaults: :mod:`instructor.grading.defaults`)."""

    memory_mb: int = defaults.MEMORY_MB
    cpu_seconds: int = defaults.NOTEBOOK_TIMEOUT_S
    processes: int = defaults.PROCESSES
    file_mb: int = defaults.FILE_MB


@cache
def sandbox_problem():
    """None when bubblewrap works here, else why not (checked once per process)."""
    if shutil.which("bwrap") is None:
        return "bubblewrap (bwrap) is not installed"
    with tempfile.TemporaryDirectory(prefix="workbook-probe-") as folder:
        command = bwrap_command(["/bin/true"], Path(folder), {}, Limits())
        try:
            result = subprocess.run(command, capture_output=True, text=True, timeout=30)
        except (OSError, subprocess.TimeoutExpired) as error:
            return f"bubblewrap does not start: {error}"
    if result.returncode != 0:
        return f"bubblewrap does not start: {result.stderr.strip() or result.returncode}"
    return None


def exposed_paths():
    """What a kernel needs from the machine: Python, the venv and the students' package.

    The instructor package is not among them: a kernel cannot import the grader.
    """
    import workbook

    return sorted({sys.base_prefix, sys.prefix, str(Path(workbook.__file__).parent)})


def bwrap_command(argv, writable, env, limits):
    """``argv`` in a sandbox that sees only what it needs and may write only to ``writable``.

    The sandbox's ``/`` is empty but for the system's programs, libraries and configuration
    (``/usr``, ``/etc`` and the links into ``/usr``), read-only, and the Python install, the
    venv and the students' package (:func:`exposed_paths`), read-only: no course folder, no
    home folder, no copy of anything elsewhere on the machine.
    """
    cmd = ["bwrap", "--dev", "/dev", "--proc", "/proc"]
    for path in SYSTEM:
        cmd += ["--ro-bind", path, path]
    for path in SYSTEM_LINKS:
        if os.path.islink(path):
            cmd += ["--symlink", os.readlink(path), path]
        elif os.path.isdir(path):
            cmd += ["--ro-bind", path, path]
    cmd += ["--perms", "1777", "--size", str(limits.file_mb * MIB), "--tmpfs", "/tmp"]
    made = {Path("/"), Path("/tmp"), *map(Path, SYSTEM)}
    for path in map(Path, exposed_paths()):
        # Folders bubblewrap makes on the way are private (0700) unless told: open them up.
        for parent in reversed(path.parents):
            if parent not in made and not any(parent.is_relative_to(s) for s in SYSTEM):
                cmd += ["--perms", "0755", "--dir", str(parent)]
                made.add(parent)
        cmd += ["--ro-bind", str(path), str(path)]
    cmd += ["--bind", str(writable), str(writable), "--chdir", str(writable),
            "--unshare-ipc", "--unshare-pid", "--unshare-net", "--unshare-uts",
            "--unshare-cgroup-try", "--die-with-parent", "--new-session", "--clearenv"]
    for key, value in env.items():
        cmd += ["--setenv", key, value]
    if os.geteuid() != 0:   # a user namespace instead of changing uid
        cmd[1:1] = ["--unshare-user", "--cap-drop", "ALL"]
    return [*cmd, "--", *argv]


def kernel_environment(home):
    """A kernel's whole environment: nothing of the grader's (no database URL)."""
    return {
        "PATH": f"{Path(sys.executable).parent}:/usr/bin:/bin",
        "HOME": str(home),
        "MPLCONFIGDIR": str(home / "matplotlib"),
        "LANG": "C.UTF-8",
        # Grading needs no pictures: skip rendering them (workbook.widgets and pyplot).
        "MPLBACKEND": "agg",
        "WORKBOOK_PICTURES": "off",
        # One BLAS/torch thread per kernel: kernels already run side by side.
        "OMP_NUM_THREADS": "1",
        "NBGRADER_EXECUTION": "autograde",
        # The factory imports ipykernel's debugger ahead; this keeps its warning about frozen
        # modules out of the grader's terminal.
        "PYDEVD_DISABLE_FILE_VALIDATION": "1",
        # The folder holding the exposed students' package, so a kernel imports that copy
        # (an editable install elsewhere, e.g. another git worktree, is not in the sandbox).
        "PYTHONPATH": str(_students_package().parent),
    }


def _students_package():
    import workbook

    return Path(workbook.__file__).parent


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


class JobFolder:
    """One kernel's folder: ``work/`` (its files, its working folder), ``conn/``, ``home/``.

    With ``uid`` (a contained kernel, see :func:`instructor.grading.zygote.contain`) the kernel
    has a uid of its own and sees its own copy of the folder, in its private ``/tmp``: only
    ``conn/`` is shared with the grader, and the job's files are written into the kernel's
    copy through ``/proc/<kernel pid>/root``, before any student code runs.
    """

    def __init__(self, parent, uid=None):
        self.path = Path(tempfile.mkdtemp(prefix="job-", dir=parent))
        self.uid = uid
        self.work, self.conn, self.home = (self.path / d for d in ("work", "conn", "home"))
        for folder in (self.work, self.conn, self.home / "matplotlib"):
            folder.mkdir(parents=True)
        for font_cache in glob.glob(os.path.join(_matplotlib_cache(), "fontlist-*.json")):
            shutil.copy(font_cache, self.home / "matplotlib")
        if uid is not None:
            for path in (self.path, self.conn):
                os.chown(path, uid, uid)

    def add_files(self, files, kernel_pid=None):
        """Write ``{relative path: bytes}`` into the kernel's ``work/``, owned by its uid.

        Each file is created anew, without following links, in folders made here.
        """
        work = Path(f"/proc/{kernel_pid}/root{self.work}") if self.uid is not None else self.work
        for relative, data in files.items():
            target = work / relative
            for folder in reversed([p for p in target.relative_to(work).parents if p.parts]):
                if not (work / folder).is_dir():
                    (work / folder).mkdir(mode=0o700)
                    self._own(work / folder)
            fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600)
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
            self._own(target)

    def _own(self, path):
        if self.uid is not None:
            os.chown(path, self.uid, self.uid, follow_symlinks=False)

    def remove(self):
        shutil.rmtree(self.path, ignore_errors=True)


@cache
def zygote_source():
    """The kernel factory's code (:mod:`instructor.grading.zygote`), run with ``python -c``."""
    return (Path(__file__).with_name("zygote.py")).read_text()


@cache
def _matplotlib_cache():
    """matplotlib's cache folder, with its font list built (once, by the trusted side)."""
    import matplotlib
    from matplotlib import font_manager  # noqa: F401  (builds the font cache if missing)

    return matplotlib.get_cachedir()


class Zygote:
    """A sandboxed kernel factory (:mod:`workbook.zygote`) with ``preload`` imported.

    ``isolated=False`` runs it without bubblewrap, when bubblewrap is missing. Starting it does
    not wait for its imports: the first kernel asked for does. A factory started by the grader
    can be handed to a worker forked after it (:meth:`hand_over`, :meth:`adopted`).
    """

    def __init__(self, course_root, limits, preload, isolated):
        self.key = (Path(course_root), limits, tuple(preload), isolated)
        self.limits, self.isolated = limits, isolated
        self.switch_uid = isolated and os.geteuid() == 0
        self.claimed = []
        self.folder = Path(tempfile.mkdtemp(prefix="workbook-grade-"))
        os.chmod(self.folder, 0o711)   # kernels may enter their own folder, not list others
        home = self.folder / "home"
        (home / "matplotlib").mkdir(parents=True)
        # The factory's code is handed over as text: nothing of the instructor package is
        # mounted in the sandbox.
        argv = [sys.executable, "-c", zygote_source(), *preload]
        env = kernel_environment(home)
        command = (bwrap_command(argv, self.folder, env, limits) if isolated
                   else argv)
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

    def new_folder(self):
        """A folder for the next kernel; contained, it gets a uid no kernel of this run had."""
        if not self.switch_uid:
            return JobFolder(self.folder)
        uid, lock = claim_uid()
        self.claimed.append(lock)    # held until the factory closes: no uid is used twice
        return JobFolder(self.folder, uid)

    def spawn(self, job, argv):
        """Fork a kernel for ``job`` (a JobFolder); return a process handle for jupyter_client."""
        request = {"argv": argv, "cwd": str(job.work), "env": kernel_environment(job.home),
                   "uid": job.uid, "log": str(job.path / "kernel.log"), "job": str(job.path),
                   "contain": job.uid is not None, "limits": dataclasses.asdict(self.limits),
                   # what the kernel's own /tmp would hide: Python, if it is installed under /tmp
                   "keep": [p for p in exposed_paths() if Path(p).is_relative_to("/tmp")]}
        self._wait_until_ready()
        self.process.stdin.write(json.dumps(request) + "\n")
        self.process.stdin.flush()
        inner = json.loads(self.process.stdout.readline())["pid"]
        return KernelProcess(_host_pid(self.process.pid, inner))

    def alive(self):
        """Is the factory running, and this process's (started or adopted here)?"""
        if self.owner != os.getpid():
            return False
        try:   # not ``poll``: an adopted factory is not this process's child
            return _running(self.process.pid)
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


def proc_stat(pid="self"):
    """The fields of ``/proc/<pid>/stat`` after the command name: ``[state, ppid, ...]``, so
    field *n* of proc(5) is at index *n* - 3. Raises OSError if the process is gone."""
    return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()


def _running(pid):
    """Is process ``pid`` running (not gone, not a zombie)?"""
    return proc_stat(pid)[0] not in ("Z", "X")


def _host_pid(bwrap_pid, inner_pid):
    """The pid, as seen from here, of process ``inner_pid`` of the sandbox started as ``bwrap_pid``.

    ``inner_pid`` is the pid in the sandbox's namespace (the second of a process's ``NSpid``
    entries; a contained kernel has a third, 1, in its own). Without a sandbox the two are
    the same.
    """
    for status in glob.glob("/proc/[0-9]*/status"):
        try:
            text = Path(status).read_text()
        except OSError:
            continue
        for line in text.splitlines():
            if line.startswith("NSpid:"):
                pids = line.split()[1:]
                if pids[min(1, len(pids) - 1)] == str(inner_pid):
                    if _descends_from(int(pids[0]), bwrap_pid):
                        return int(pids[0])
    raise RuntimeError(f"kernel {inner_pid} of the factory {bwrap_pid} vanished")


def _descends_from(pid, ancestor):
    while pid > 1:
        if pid == ancestor:
            return True
        try:
            pid = int(proc_stat(pid)[1])
        except OSError:
            return False
    return False


class KernelProcess:
    """What jupyter_client needs of a kernel process (a ``Popen`` look-alike), for a forked one.

    A contained kernel is the first process of its pid namespace: killing it kills everything
    the student's code started.
    """

    stdin = stdout = stderr = None

    def __init__(self, pid):
        self.pid = pid

    def poll(self):
        try:
            os.kill(self.pid, 0)
        except ProcessLookupError:
            return -signal.SIGKILL
        return None

    def wait(self, timeout=None):
        while self.poll() is None:
            time.sleep(0.05)
        return -signal.SIGKILL

    def send_signal(self, signum):
        try:
            os.kill(self.pid, signum)
        except ProcessLookupError:
            pass

    def kill(self):
        self.send_signal(signal.SIGKILL)

    terminate = kill


class ReadyClient(AsyncKernelClient):
    """jupyter_client's kernel client, without the idle wait that ends ``wait_for_ready``.

    jupyter_client's ``wait_for_ready`` waits for the kernel's ``kernel_info`` reply and one
    IOPub message (IOPub is connected), then reads IOPub until 0.2 s pass without a message:
    0.2 s of a worker's time per notebook, measured. nbclient ignores every IOPub message that
    does not answer its own requests, so the messages already there are drained instead.
    """

    async def _wait_until_ready(self, timeout=None):
        deadline = time.monotonic() + (float("inf") if timeout is None else timeout)
        while True:
            self.kernel_info()
            try:
                reply = await self.shell_channel.get_msg(timeout=1)
            except Empty:
                reply = None
            if reply is not None and reply["msg_type"] == "kernel_info_reply":
                try:
                    await self.iopub_channel.get_msg(timeout=0.2)
                except Empty:
                    pass        # IOPub not connected yet: ask again
                else:
                    self._handle_kernel_info_reply(reply)
                    break
            if not await self._async_is_alive():
                raise RuntimeError("Kernel died before replying to kernel_info")
            if time.monotonic() > deadline:
                raise RuntimeError(f"Kernel didn't respond in {timeout} seconds")
        while True:
            try:
                await self.iopub_channel.get_msg(timeout=0)
            except Empty:
                return

    wait_for_ready = _wait_until_ready


class SandboxKernelManager(AsyncKernelManager):
    """A kernel manager whose kernel is forked by ``zygote`` for ``job`` (a JobFolder)."""

    def __init__(self, zygote, job, **kwargs):
        super().__init__(transport="ipc", ip=str(job.conn / "kernel"),
                         connection_file=str(job.conn / "kernel.json"),
                         client_class="instructor.grading.sandbox.ReadyClient", **kwargs)
        self.zygote, self.job = zygote, job

    @property
    def kernel_spec(self):
        spec = super().kernel_spec
        # A signal to the process group would not reach a forked kernel: interrupt by message.
        spec.interrupt_mode = "message"
        return spec

    async def _async_launch_kernel(self, kernel_cmd, **kw):
        if self.job.uid is not None:
            os.chown(self.connection_file, self.job.uid, self.job.uid, follow_symlinks=False)
        argv = kernel_cmd[kernel_cmd.index("-f"):]
        process = await asyncio.to_thread(self.zygote.spawn, self.job, argv)
        self.provisioner.process, self.provisioner.pid, self.provisioner.pgid = (
            process, process.pid, None)
        self._reconcile_connection_info(self.provisioner.connection_info)

    @property
    def process_id(self):
        """This kernel's pid (killing it and its uid's processes ends the job)."""
        process = getattr(self.provisioner, "process", None)
        return process.pid if process else None
