"""A student's kernel, from its fork to its end: :class:`Kernel` holds its whole life.

:meth:`Kernel.start` makes the kernel's folder, asks the factory to fork a kernel into it and
connects jupyter_client to it; :meth:`Kernel.add_files` writes the job's files where only that
kernel sees them; :meth:`Kernel.discard` kills it (and, contained, everything it started) and
deletes its folder. jupyter_client talks to it over ZMQ *ipc* sockets, so the sandbox's network
namespace stays empty.

Contained (the grader runs as root), the kernel is the first process of namespaces of its own
with a private, size-capped ``/tmp`` (:func:`.factory_main.contain`): its working folder, its
home and its sockets all live there, and the grader reaches them through
``/proc/<kernel pid>/root``, so nothing the kernel writes lands on the grader's disk outside
that cap. Not contained (no root), it shares the factory's sandbox and folder.
"""

import asyncio
import glob
import os
import shutil
import signal
import tempfile
import time
from dataclasses import asdict
from functools import cache
from pathlib import Path
from queue import Empty

from jupyter_client.asynchronous import AsyncKernelClient
from jupyter_client.manager import AsyncKernelManager
from jupyter_core.utils import run_sync

from instructor.grading.sandbox.bwrap import exposed_paths, kernel_environment
from workbook.wire import KernelRequest

__all__ = ["Kernel"]

# Options of every graded kernel: no history file; Python's own traceback format, uncoloured
# (several times cheaper to produce than IPython's default, and a blank notebook raises in
# almost every cell).
KERNEL_ARGUMENTS = ["--HistoryManager.hist_file=:memory:", "--InteractiveShell.xmode=Plain",
                    "--InteractiveShell.colors=nocolor"]


@cache
def _matplotlib_cache():
    """matplotlib's cache folder, with its font list built (once, by the trusted side)."""
    import matplotlib
    from matplotlib import font_manager  # noqa: F401  (builds the font cache if missing)

    return matplotlib.get_cachedir()


class JobFolder:
    """One kernel's folder: ``work/`` (its files, its working folder), ``conn/``, ``home/``.

    Made on the grader's side under the factory's folder; a contained kernel gets its own copy
    of it in its private ``/tmp`` (the font cache of ``home/`` is read from here first).
    """

    def __init__(self, parent, uid=None):
        self.path = Path(tempfile.mkdtemp(prefix="job-", dir=parent))
        self.uid = uid
        self.work, self.conn, self.home = (self.path / d for d in ("work", "conn", "home"))
        for folder in (self.work, self.conn, self.home / "matplotlib"):
            folder.mkdir(parents=True)
        for font_cache in glob.glob(os.path.join(_matplotlib_cache(), "fontlist-*.json")):
            shutil.copy(font_cache, self.home / "matplotlib")

    def remove(self):
        shutil.rmtree(self.path, ignore_errors=True)


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
    """A kernel manager whose kernel is forked by ``factory`` into ``folder`` (a JobFolder)."""

    def __init__(self, factory, folder, **kwargs):
        super().__init__(transport="ipc", ip=str(folder.conn / "kernel"),
                         connection_file=str(folder.conn / "kernel.json"),
                         client_class="instructor.grading.sandbox.kernel.ReadyClient", **kwargs)
        self.factory, self.folder = factory, folder

    @property
    def kernel_spec(self):
        spec = super().kernel_spec
        # A signal to the process group would not reach a forked kernel: interrupt by message.
        spec.interrupt_mode = "message"
        return spec

    async def _async_launch_kernel(self, kernel_cmd, **kw):
        folder = self.folder
        connection = {key: value.decode() if isinstance(value, bytes) else value
                      for key, value in self.get_connection_info().items()}
        request = KernelRequest(
            argv=kernel_cmd[kernel_cmd.index("-f"):], cwd=str(folder.work),
            env=kernel_environment(folder.home), log=str(folder.path / "kernel.log"),
            job=str(folder.path), limits=asdict(self.factory.spec.limits),
            connection=connection, uid=folder.uid, contain=folder.uid is not None,
            # what the kernel's own /tmp would hide: Python, if it is installed under /tmp
            keep=[p for p in exposed_paths() if Path(p).is_relative_to("/tmp")])
        pid = await asyncio.to_thread(self.factory.fork, request)
        process = KernelProcess(pid)
        self.provisioner.process, self.provisioner.pid, self.provisioner.pgid = (
            process, pid, None)
        if request.contain:   # its sockets are in its own /tmp: reach them through its root
            self.ip = f"/proc/{pid}/root{self.ip}"
        else:
            self._reconcile_connection_info(self.provisioner.connection_info)


class Kernel:
    """One student's kernel in its folder; :meth:`start` does not wait for it to be ready."""

    def __init__(self, factory, folder, manager):
        self.factory, self.folder, self.manager = factory, folder, manager

    @classmethod
    def start(cls, factory):
        folder = JobFolder(factory.folder, factory.uid())
        manager = SandboxKernelManager(factory, folder, kernel_name="python3")
        try:
            run_sync(manager.start_kernel)(extra_arguments=KERNEL_ARGUMENTS)
        except BaseException:
            folder.remove()
            raise
        return cls(factory, folder, manager)

    @property
    def pid(self):
        """This kernel's pid (killing it ends the job and, contained, all it started)."""
        return self.manager.provisioner.process.pid

    def alive(self):
        return self.manager.provisioner.process.poll() is None

    def add_files(self, files):
        """Write ``{relative path: bytes}`` into the kernel's ``work/``, owned by its uid.

        Each file is created anew, without following links, in folders made here; a
        contained kernel's are written into its own copy, through ``/proc/<pid>/root``,
        before any student code runs.
        """
        folder = self.folder
        work = (Path(f"/proc/{self.pid}/root{folder.work}") if folder.uid is not None
                else folder.work)
        for relative, data in files.items():
            target = work / relative
            for part in reversed([p for p in target.relative_to(work).parents if p.parts]):
                if not (work / part).is_dir():
                    (work / part).mkdir(mode=0o700)
                    self._own(work / part)
            fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600)
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
            self._own(target)

    def _own(self, path):
        if self.folder.uid is not None:
            os.chown(path, self.folder.uid, self.folder.uid, follow_symlinks=False)

    def discard(self):
        """End the kernel (contained: with everything it started); delete its folder."""
        try:
            process = getattr(self.manager.provisioner, "process", None)
            if process is not None:
                process.kill()
            run_sync(self.manager.cleanup_resources)()
        finally:
            self.folder.remove()
