"""Execute one sanitized submission in a sandboxed kernel: the task a grading worker runs.

A :class:`Job` carries everything in (the notebook as JSON, the files beside it, the limits) and
an :class:`Outcome` carries the executed notebook out, so the task touches no course file and
runs the same in a local process or on a Dask worker. Execution is nbgrader's own ``Execute``
preprocessor, with three changes a class of students needs:

- a kernel that dies (crash, ``os._exit``, memory or CPU limit) or runs past the notebook's time
  limit no longer fails the whole submission: the cells already run keep their results and every
  later cell gets an error output saying why it did not run, so it scores 0;
- a cell's output is capped (error outputs are always kept: they decide the score);
- the kernel is started by :class:`workbook.sandbox.SandboxKernelManager`.
"""

import os
import shutil
import signal
import tempfile
import threading
import time
from dataclasses import dataclass, field
from multiprocessing.util import Finalize
from pathlib import Path

import nbformat
from jupyter_core.utils import run_sync
from nbclient.exceptions import CellTimeoutError, DeadKernelError
from nbformat.notebooknode import NotebookNode
from nbgrader.preprocessors import Execute

from workbook.sandbox import Limits, Sandbox, SandboxKernelManager

__all__ = ["GradingExecute", "Job", "Outcome", "run_job"]

OK, TIMEOUT, KERNEL_DIED, ERROR = "ok", "timeout", "kernel died", "error"


@dataclass
class Job:
    """One notebook of one student, ready to execute."""

    student: str
    notebook: str                 # notebook name, without .ipynb
    source: str                   # the sanitized notebook, as JSON
    course_root: str              # hidden from the kernel
    uid: int                      # the kernel's own uid (when sandboxed as root)
    files: dict = field(default_factory=dict)   # {relative path: bytes} beside the notebook
    limits: Limits = field(default_factory=Limits)
    cell_timeout: int = 60
    notebook_timeout: int = 600
    output_kb: int = 1024         # per cell
    isolated: bool = True
    preload: tuple = ()           # modules the notebook's own locked cells import


@dataclass
class Outcome:
    """What became of a job: ``status`` is ok, timeout, kernel died or error (not run)."""

    student: str
    notebook: str
    status: str
    detail: str = ""
    executed: str | None = None   # the executed notebook, as JSON
    seconds: float = 0.0
    notes: list = field(default_factory=list)   # for the instructor: output cut, memory...


def error_output(ename, evalue):
    return NotebookNode(output_type="error", ename=ename, evalue=evalue,
                        traceback=[f"{ename}: {evalue}"])


class GradingExecute(Execute):
    """nbgrader's Execute, sandboxed, surviving a dead kernel, with capped output."""

    def __init__(self, sandbox, notebook_timeout, output_bytes, **kwargs):
        super().__init__(**kwargs)
        self.sandbox, self.notebook_timeout, self.output_bytes = (
            sandbox, notebook_timeout, output_bytes)
        self.status, self.detail, self.stopped = OK, "", False
        self.notes = []
        self._sizes = {}

    def preprocess(self, nb, resources=None, km=None):
        watchdog = threading.Timer(self.notebook_timeout, self._time_up)
        watchdog.daemon = True
        watchdog.start()
        try:
            return super().preprocess(nb, resources, km)
        finally:
            watchdog.cancel()
            self._cleanup_kernel()

    def _time_up(self):
        """Stop a notebook that runs too long, however it runs (kill the whole sandbox)."""
        self._stop(TIMEOUT, f"the notebook ran longer than its limit of {self.notebook_timeout} s")
        pid = getattr(self.km, "process_id", None)
        if pid:
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass

    def _stop(self, status, detail):
        """No further cell runs; each gets an error output saying why (and scores 0)."""
        if not self.stopped:
            self.stopped, self.status, self.detail = True, status, detail

    async def _async_handle_timeout(self, timeout, cell=None):
        if self.status == OK:
            self.status = TIMEOUT
            self.detail = f"a cell ran longer than {timeout} s and was interrupted"
        return await super()._async_handle_timeout(timeout, cell)

    def preprocess_cell(self, cell, resources, index):
        if self.stopped:
            if cell.cell_type == "code" and cell.source.strip():
                cell.outputs = [error_output("NotRun", f"not run: {self.detail}")]
            return cell, resources
        try:
            return super().preprocess_cell(cell, resources, index)
        except DeadKernelError:
            self._stop(KERNEL_DIED, "the kernel died in this cell (it crashed, exited, or went "
                                    "over a memory, CPU-time or process limit)")
            cell.outputs.append(error_output("DeadKernelError", self.detail))
        except CellTimeoutError:
            self._stop(TIMEOUT, "the kernel stopped responding in this cell")
            cell.outputs.append(error_output("CellTimeoutError", self.detail))
        return cell, resources

    def output(self, outs, msg, display_id, cell_index):
        if msg["msg_type"] != "error":
            content = msg["content"]
            size = len(content.get("text", "")) + sum(
                len(str(value)) for value in content.get("data", {}).values())
            total = self._sizes.get(cell_index, 0) + size
            self._sizes[cell_index] = total
            if total > self.output_bytes:
                if total - size <= self.output_bytes:
                    self.notes.append(f"cell {cell_index} printed more than "
                                      f"{self.output_bytes // 1024} KB: output cut")
                    outs.append(nbformat.v4.new_output(
                        "stream", name="stderr",
                        text=f"[output cut: this cell printed more than "
                             f"{self.output_bytes // 1024} KB]\n"))
                return None
        return super().output(outs, msg, display_id, cell_index)


# This worker's next kernel, started while the current job runs: (job dir's Sandbox, manager).
_spare = _spare_finalizer = None
SPARE_UIDS = 4000   # spares take uids above the jobs' range, so no two live kernels share one


def run_job(job):
    """Execute ``job`` in a fresh sandbox and kernel; never raises (see ``Outcome.status``).

    The kernel was usually started, with the notebook's imports loaded, while this worker ran
    its previous job; the next job's kernel is started now, in a sandbox of its own.
    """
    global _spare, _spare_finalizer
    started = time.perf_counter()
    current, _spare = _spare, None
    try:
        if current is None or not _fits(current[0], job):
            _discard(current)
            current = _launch(job, job.uid)
        if _spare_finalizer is None:
            _spare_finalizer = Finalize(None, _discard_spare, exitpriority=10)
        _spare = _launch(job, job.uid + SPARE_UIDS)
        sandbox, km = current
        sandbox.add_files(job.files)
        nb = nbformat.reads(job.source, as_version=nbformat.NO_CONVERT)
        executor = GradingExecute(sandbox, job.notebook_timeout, job.output_kb * 1024,
                                  timeout=job.cell_timeout, shutdown_kernel="immediate")
        executor.preprocess(nb, {"metadata": {"path": str(sandbox.job_dir / "work")}}, km)
        if any(output.get("ename") == "MemoryError" for cell in nb.cells
               for output in cell.get("outputs", [])):
            executor.notes.append(f"ran out of memory (limit {job.limits.memory_mb} MB)")
        return Outcome(job.student, job.notebook, executor.status, executor.detail,
                       nbformat.writes(nb), time.perf_counter() - started, executor.notes)
    except Exception as error:  # noqa: BLE001  (reported as this student's status)
        return Outcome(job.student, job.notebook, ERROR, f"{type(error).__name__}: {error}",
                       None, time.perf_counter() - started)
    finally:
        _discard(current)


def _launch(job, uid):
    """A new sandbox with a kernel booting in it (``start_kernel`` does not wait for it)."""
    job_dir = Path(tempfile.mkdtemp(prefix="workbook-grade-"))
    sandbox = Sandbox(job.course_root, job.limits, uid, job_dir, job.isolated)
    sandbox.prepare()
    km = SandboxKernelManager(sandbox, kernel_name="python3")
    arguments = [
        "--HistoryManager.hist_file=:memory:",
        f"--IPKernelApp.exec_lines=list(map(__import__, {tuple(job.preload)!r}));",
        # Python's own traceback format, uncoloured: several times cheaper to produce than
        # IPython's default, and a blank notebook raises in almost every cell.
        "--InteractiveShell.xmode=Plain", "--InteractiveShell.colors=nocolor",
    ]
    with open(job_dir / "kernel.log", "wb") as log:
        run_sync(km.start_kernel)(
            extra_arguments=arguments,
            env=sandbox.environment(), cwd=str(job_dir / "work"), stdout=log, stderr=log)
    return sandbox, km


def _discard_spare():
    """When the worker process exits: stop its spare kernel and delete the spare's folder."""
    global _spare
    _discard(_spare)
    _spare = None


def _fits(sandbox, job):
    return (sandbox.course_root, sandbox.limits, sandbox.isolated) == (
        Path(job.course_root), job.limits, job.isolated)


def _discard(started):
    """Stop a kernel (if still running) and delete its sandbox's folder."""
    if started is None:
        return
    sandbox, km = started
    try:
        if run_sync(km.is_alive)():
            run_sync(km.shutdown_kernel)(now=True)
    finally:
        shutil.rmtree(sandbox.job_dir, ignore_errors=True)
