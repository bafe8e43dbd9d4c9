"""Execute one sanitized submission in a sandboxed kernel: the task a grading worker runs.

A :class:`Job` carries everything in (the notebook as JSON, the files beside it, the limits) and
an :class:`Outcome` carries the executed notebook out, so the task touches no course file and
runs the same in a local process or on a Dask worker. Execution is nbgrader's own ``Execute``
preprocessor, with three changes a class of students needs:

- a kernel that dies (crash, ``os._exit``, memory or CPU limit) or runs past the notebook's time
  limit no longer fails the whole submission: the cells already run keep their results and every
  later cell gets an error output saying why it did not run, so it scores 0;
- a cell's output is capped (error outputs are always kept: they decide the score);
- the kernel is forked by the worker's sandboxed factory (:mod:`instructor.grading.sandbox`).
"""

import json
import os
import signal
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

from instructor.grading import defaults
from instructor.grading.sandbox import Limits, SandboxKernelManager, Zygote
from instructor.vocabulary import SUMMARY_ID, Status, grade_id, is_graded
from workbook.handout import MIME

__all__ = ["GradingExecute", "Job", "Outcome", "Worker", "adopt_factory", "from_json", "run_job",
           "to_json"]


@dataclass
class Job:
    """One notebook of one student, ready to execute."""

    student: str
    notebook: str                 # notebook name, without .ipynb
    source: str                   # the sanitized notebook, as JSON (see ``to_json``)
    course_root: str              # hidden from the kernel
    files: dict = field(default_factory=dict)   # {relative path: bytes} beside the notebook
    limits: Limits = field(default_factory=Limits)
    cell_timeout: int = defaults.CELL_TIMEOUT_S
    notebook_timeout: int = defaults.NOTEBOOK_TIMEOUT_S
    output_kb: int = defaults.OUTPUT_KB    # per cell
    isolated: bool = True
    preload: tuple = ()           # modules the notebook's locked cells import (loaded ahead)


@dataclass
class Outcome:
    """What became of a job: ``status`` is OK, TIMEOUT, KERNEL_DIED or ERROR (not run)."""

    student: str
    notebook: str
    status: Status
    detail: str = ""
    executed: str | None = None   # the executed notebook, as JSON (see ``to_json``)
    seconds: float = 0.0          # executing, in the kernel
    startup: float = 0.0          # waiting for a kernel factory or kernel that was not ready
    notes: list = field(default_factory=list)   # for the instructor: output cut, memory...


def to_json(nb):
    """A notebook as the JSON a job or outcome carries between the grader and a worker.

    Plain ``json``: nbformat's ``writes`` validates, copies and indents the notebook (9 ms for
    Assignment 4's, measured, against 0.2 ms), which this hand-over between two trusted
    processes does not need; the grader validates the notebook when it saves it.
    """
    return json.dumps(nb)


def from_json(text):
    """The notebook ``to_json`` made."""
    return nbformat.from_dict(json.loads(text))


def error_output(ename, evalue):
    return NotebookNode(output_type="error", ename=ename, evalue=evalue,
                        traceback=[f"{ename}: {evalue}"])


class GradingExecute(Execute):
    """nbgrader's Execute, sandboxed, surviving a dead kernel, with capped output."""

    def __init__(self, notebook_timeout, output_bytes, **kwargs):
        super().__init__(**kwargs)
        self.notebook_timeout, self.output_bytes = notebook_timeout, output_bytes
        self.status, self.detail, self.stopped = Status.OK, "", False
        self.notes = []
        self._sizes, self._handout_sizes, self._update_bytes = {}, {}, 0

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
        self._stop(Status.TIMEOUT,
                   f"the notebook ran longer than its limit of {self.notebook_timeout} s")
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
        if self.status == Status.OK:
            self.status = Status.TIMEOUT
            self.detail = f"a cell ran longer than {timeout} s and was interrupted"
        return await super()._async_handle_timeout(timeout, cell)

    def preprocess_cell(self, cell, resources, index):
        if grade_id(cell) == SUMMARY_ID and not is_graded(cell):   # decides nothing
            return cell, resources
        if self.stopped:
            if cell.cell_type == "code" and cell.source.strip():
                cell.outputs = [error_output("NotRun", f"not run: {self.detail}")]
            return cell, resources
        try:
            return super().preprocess_cell(cell, resources, index)
        except DeadKernelError:
            self._stop(Status.KERNEL_DIED, "the kernel died in this cell (it crashed, exited, "
                                           "or went over a memory, CPU-time or process limit)")
            cell.outputs.append(error_output("DeadKernelError", self.detail))
        except CellTimeoutError:
            self._stop(Status.TIMEOUT, "the kernel stopped responding in this cell")
            cell.outputs.append(error_output("CellTimeoutError", self.detail))
        return cell, resources

    def output(self, outs, msg, display_id, cell_index):
        if msg["msg_type"] == "error":
            _shorten_error(msg["content"])
        else:
            content = msg["content"]
            data = content.get("data", {})
            size = _size(content)
            # A hidden check's results have a budget of their own: a flood of prints must not
            # push them out, and they cannot be a flood themselves.
            budget, sizes = ((defaults.HANDOUT_KB * 1024, self._handout_sizes) if MIME in data
                             else (self.output_bytes, self._sizes))
            total = sizes.get(cell_index, 0) + size
            sizes[cell_index] = total
            if total > budget:
                if MIME in data:
                    return None
                if total - size <= self.output_bytes:
                    self.notes.append(f"cell {cell_index} printed more than "
                                      f"{self.output_bytes // 1024} KB: output cut")
                    outs.append(nbformat.v4.new_output(
                        "stream", name="stderr",
                        text=f"[output cut: this cell printed more than "
                             f"{self.output_bytes // 1024} KB]\n"))
                return None
        return super().output(outs, msg, display_id, cell_index)

    def _update_display_id(self, display_id, msg):
        """A display update replaces earlier output: it may not be larger than a cell's cap."""
        self._update_bytes += _size(msg["content"])
        if _size(msg["content"]) > self.output_bytes or self._update_bytes > 8 * self.output_bytes:
            if "display updates cut" not in self.notes:
                self.notes.append("display updates cut")
            return
        super()._update_display_id(display_id, msg)


def _size(content):
    """Bytes an output message would add to the notebook: text, data and metadata."""
    data = content.get("data", {})
    return (len(content.get("text", "")) + sum(len(str(v)) for v in data.values())
            + len(str(content.get("metadata", ""))))


def _shorten_error(content, evalue_chars=4000, lines=60, line_chars=2000):
    """Errors are always kept (they decide the score), but never longer than this."""
    content["ename"] = str(content.get("ename", ""))[:200]
    content["evalue"] = str(content.get("evalue", ""))[:evalue_chars]
    trace = [str(line)[:line_chars] for line in content.get("traceback", [])]
    content["traceback"] = trace if len(trace) <= lines else (
        trace[: lines // 2] + [f"... {len(trace) - lines} lines cut ..."] + trace[-lines // 2:])


class Worker:
    """One worker process's grading state: its kernel factory and its next kernel.

    The spare kernel is forked while the current job runs, so the next job finds it ready.
    ``Worker.here()`` is this process's worker, made on first use and closed when it exits.
    """

    _here = None

    def __init__(self):
        self.zygote = self.spare = None
        Finalize(None, self.close, exitpriority=10)

    @classmethod
    def here(cls):
        if cls._here is None:
            cls._here = cls()
        return cls._here

    def run(self, job):
        """Execute ``job`` in a fresh kernel and folder; never raises (see ``Outcome.status``)."""
        started = time.perf_counter()
        current, self.spare = self.spare, None
        startup = 0.0
        try:
            if (current is None or self.factory(job) is not current[1].zygote
                    or current[1].provisioner.process.poll() is not None):
                _discard(current)
                current = self.launch(job)
            try:
                self.spare = self._launch(job)
            except RuntimeError:   # no spare this time: the next job starts its own kernel
                self.spare = None
            startup = time.perf_counter() - started
            started += startup
            folder, km = current
            folder.add_files(job.files, km.process_id)
            nb = from_json(job.source)
            executor = GradingExecute(job.notebook_timeout, job.output_kb * 1024,
                                      timeout=job.cell_timeout, shutdown_kernel="immediate")
            executor.preprocess(nb, {"metadata": {"path": str(folder.work)}}, km)
            if any(output.get("ename") == "MemoryError" for cell in nb.cells
                   for output in cell.get("outputs", [])):
                executor.notes.append(f"ran out of memory (limit {job.limits.memory_mb} MB)")
            return Outcome(job.student, job.notebook, executor.status, executor.detail,
                           to_json(nb), time.perf_counter() - started, startup,
                           executor.notes)
        except Exception as error:  # noqa: BLE001  (reported as this student's status)
            return Outcome(job.student, job.notebook, Status.ERROR,
                           f"{type(error).__name__}: {error}", None,
                           time.perf_counter() - started, startup)
        finally:
            _discard(current)

    def factory(self, job):
        """The kernel factory for ``job``'s course, limits and imports (made on demand)."""
        key = (Path(job.course_root), job.limits, tuple(job.preload), job.isolated)
        if self.zygote is None or self.zygote.key != key or not self.zygote.alive():
            if self.zygote is not None:
                self.zygote.close()
            self.zygote = Zygote(job.course_root, job.limits, job.preload, job.isolated)
        return self.zygote

    def launch(self, job):
        """A new job folder and a kernel forked into it (``start_kernel`` does not wait).

        A kernel that cannot be started is tried once more, from a new factory (no kernel of
        the old one is in use then): a fault of the grading machine must not cost a grade.
        """
        try:
            return self._launch(job)
        except RuntimeError:
            if self.zygote is not None:
                self.zygote.close()
                self.zygote = None
            return self._launch(job)

    def _launch(self, job):
        zygote = self.factory(job)
        folder = zygote.new_folder()
        km = SandboxKernelManager(zygote, folder, kernel_name="python3")
        run_sync(km.start_kernel)(extra_arguments=[
            "--HistoryManager.hist_file=:memory:",
            # Python's own traceback format, uncoloured: several times cheaper to produce than
            # IPython's default, and a blank notebook raises in almost every cell.
            "--InteractiveShell.xmode=Plain", "--InteractiveShell.colors=nocolor",
        ])
        return folder, km

    def close(self):
        """End the spare kernel and the factory (when the worker process exits)."""
        _discard(self.spare)
        self.spare = None
        if self.zygote is not None:
            self.zygote.close()


def adopt_factory(factories, counter):
    """A pool worker's initializer: take one of the kernel factories the grader started before
    forking the workers (:mod:`instructor.grading.warmup`), and close this process's copies of
    the others' pipes. ``counter`` (a shared integer) gives every worker a different one."""
    with counter.get_lock():
        mine = counter.value
        counter.value += 1
    for index, factory in enumerate(factories):
        if index == mine:
            factory.adopted()
            Worker.here().zygote = factory
        else:
            factory.hand_over()


def run_job(job):
    """The task a worker runs (locally or on Dask): ``job`` on this process's :class:`Worker`."""
    return Worker.here().run(job)


def _discard(started):
    """End a kernel (contained: with everything it started); delete its folder."""
    if started is None:
        return
    folder, km = started
    try:
        process = getattr(km.provisioner, "process", None)
        if process is not None:
            process.kill()
        run_sync(km.cleanup_resources)()
    finally:
        folder.remove()
