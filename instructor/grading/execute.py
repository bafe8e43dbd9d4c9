"""Execute one sanitized submission in a sandboxed kernel: the task a grading worker runs.

Execution is nbgrader's own ``Execute`` preprocessor, with three changes a class of students
needs:

- a kernel that dies (crash, ``os._exit``, memory or CPU limit) or runs past the notebook's time
  limit no longer fails the whole submission: the cells already run keep their results and every
  later cell gets an error output saying why it did not run, so it scores 0;
- every output counts against a budget per cell and per notebook, errors included (an error is
  always kept, since it decides the score, but cut to its name and message once the budget is
  spent); a hidden check's hand-outs have a budget of their own;
- the kernel is forked by the worker's sandboxed factory (:mod:`instructor.grading.sandbox`).
"""

import os
import signal
import threading
import time
from collections import OrderedDict
from multiprocessing.util import Finalize

import nbformat
from nbclient.exceptions import CellTimeoutError, DeadKernelError
from nbformat.notebooknode import NotebookNode
from nbgrader.preprocessors import Execute

from instructor.grading import defaults
from instructor.grading.jobs import Outcome, from_json, to_json
from instructor.grading.sandbox import Factory, Kernel
from instructor.vocabulary import SUMMARY_ID, Status, decided, grade_id, is_graded
from workbook.handout import MIME

__all__ = ["GradingExecute", "Worker", "adopt_factory", "run_job"]

KIB = 1024
FACTORIES_KEPT = 2       # per worker: a service grading two assignments keeps both warm


def error_output(cell, ename, evalue):
    """An error the grader gives ``cell`` (a cell that did not run through), also kept as the
    grader's own message in the cell's metadata."""
    decided(cell, f"{ename}: {evalue}")
    return NotebookNode(output_type="error", ename=ename, evalue=evalue,
                        traceback=[f"{ename}: {evalue}"])


class GradingExecute(Execute):
    """nbgrader's Execute, sandboxed, surviving a dead kernel, with capped output."""

    def __init__(self, notebook_timeout, **kwargs):
        super().__init__(**kwargs)
        self.notebook_timeout = notebook_timeout
        self.status, self.detail, self.stopped = Status.OK, "", False
        self.notes = []
        self._sizes, self._handout_sizes = {}, {}
        self._total = self._update_bytes = 0

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
        pid = getattr(getattr(self.km, "provisioner", None), "pid", None)
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
                cell.outputs = [error_output(cell, "NotRun", f"not run: {self.detail}")]
            return cell, resources
        try:
            return super().preprocess_cell(cell, resources, index)
        except DeadKernelError:
            self._stop(Status.KERNEL_DIED, "the kernel died in this cell (it crashed, exited, "
                                           "or went over a memory, CPU-time or process limit)")
            cell.outputs.append(error_output(cell, "DeadKernelError", self.detail))
        except CellTimeoutError:
            self._stop(Status.TIMEOUT, "the kernel stopped responding in this cell")
            cell.outputs.append(error_output(cell, "CellTimeoutError", self.detail))
        return cell, resources

    def _over_budget(self, cell_index, size):
        """Count ``size`` bytes for the cell and the notebook; is either budget spent?"""
        total = self._sizes.get(cell_index, 0) + size
        self._sizes[cell_index] = total
        self._total += size
        return total > defaults.OUTPUT_KB * KIB or (
            self._total > defaults.NOTEBOOK_OUTPUT_MB * KIB * KIB)

    def _note_cut(self, cell_index):
        note = f"cell {cell_index} printed more than its budget: output cut"
        if note not in self.notes:
            self.notes.append(note)
            return True
        return False

    def output(self, outs, msg, display_id, cell_index):
        content = msg["content"]
        if msg["msg_type"] == "error":
            _shorten_error(content)
            if self._over_budget(cell_index, _size(content)):   # kept, but as little as can be
                self._note_cut(cell_index)
                content["evalue"] = content["evalue"][:200]
                content["traceback"] = [f"{content['ename']}: {content['evalue']}"]
            return super().output(outs, msg, display_id, cell_index)
        if MIME in content.get("data", {}):
            # A hidden check's results have a budget of their own: a flood of prints must not
            # push them out, and they cannot be a flood themselves.
            used = self._handout_sizes.get(cell_index, 0) + _size(content)
            self._handout_sizes[cell_index] = used
            if used > defaults.HANDOUT_KB * KIB:
                return None
            return super().output(outs, msg, display_id, cell_index)
        if self._over_budget(cell_index, _size(content)):
            if self._note_cut(cell_index):
                outs.append(nbformat.v4.new_output(
                    "stream", name="stderr", text="[output cut: this cell printed more than "
                                                  "the grader keeps]\n"))
            return None
        return super().output(outs, msg, display_id, cell_index)

    def _update_display_id(self, display_id, msg):
        """A display update replaces earlier output: it may not be larger than a cell's cap."""
        self._update_bytes += _size(msg["content"])
        if (_size(msg["content"]) > defaults.OUTPUT_KB * KIB
                or self._update_bytes > 8 * defaults.OUTPUT_KB * KIB):
            if "display updates cut" not in self.notes:
                self.notes.append("display updates cut")
            return
        super()._update_display_id(display_id, msg)


def _size(content):
    """Bytes an output message would add to the notebook: text, data, metadata, traceback."""
    data = content.get("data", {})
    return (len(str(content.get("text", ""))) + sum(len(str(v)) for v in data.values())
            + len(str(content.get("metadata", ""))) + len(str(content.get("evalue", "")))
            + sum(len(str(line)) for line in content.get("traceback", [])))


def _shorten_error(content):
    """Errors are always kept (they decide the score), but never longer than the defaults."""
    lines, chars = defaults.TRACEBACK_LINES, defaults.ERROR_LINE_CHARS
    content["ename"] = str(content.get("ename", ""))[:200]
    content["evalue"] = str(content.get("evalue", ""))[:defaults.ERROR_CHARS]
    trace = [str(line)[:chars] for line in content.get("traceback", [])]
    content["traceback"] = trace if len(trace) <= lines else (
        trace[: lines // 2] + [f"... {len(trace) - lines} lines cut ..."] + trace[-lines // 2:])


class Worker:
    """One worker process's grading state: its kernel factories and its next kernel.

    The spare kernel is forked while the current job runs, so the next job finds it ready; the
    last :data:`FACTORIES_KEPT` factories stay warm. ``Worker.here()`` is this process's worker,
    made on first use and closed when the process exits.
    """

    _here = None

    def __init__(self):
        self.factories = OrderedDict()     # {FactorySpec: Factory}, most recent last
        self.spare = None
        Finalize(None, self.close, exitpriority=10)

    @classmethod
    def here(cls):
        if cls._here is None:
            cls._here = cls()
        return cls._here

    def run(self, job):
        """Execute ``job`` in a fresh kernel and folder; never raises (see ``Outcome.status``)."""
        started = time.perf_counter()
        kernel, self.spare = self.spare, None
        startup = 0.0
        try:
            if kernel is None or kernel.factory is not self.factory(job.factory) \
                    or not kernel.alive():
                _discard(kernel)
                kernel = self.launch(job.factory)
            try:
                self.spare = Kernel.start(self.factory(job.factory))
            except RuntimeError:   # no spare this time: the next job starts its own kernel
                self.spare = None
            startup = time.perf_counter() - started
            started += startup
            kernel.add_files(job.files)
            nb = from_json(job.source)
            executor = GradingExecute(job.notebook_timeout, timeout=job.cell_timeout,
                                      shutdown_kernel="immediate")
            executor.preprocess(nb, {"metadata": {"path": str(kernel.folder.work)}},
                                kernel.manager)
            if any(output.get("ename") == "MemoryError" for cell in nb.cells
                   for output in cell.get("outputs", [])):
                executor.notes.append(f"ran out of memory (limit "
                                      f"{job.factory.limits.memory_mb} MB)")
            return Outcome(job.student, job.notebook, executor.status, executor.detail,
                           to_json(nb), time.perf_counter() - started, startup,
                           executor.notes)
        except Exception as error:  # noqa: BLE001  (reported as this student's status)
            return Outcome(job.student, job.notebook, Status.ERROR,
                           f"{type(error).__name__}: {error}", None,
                           time.perf_counter() - started, startup)
        finally:
            _discard(kernel)

    def factory(self, spec):
        """The kernel factory made to ``spec`` (started on demand; the oldest beyond
        :data:`FACTORIES_KEPT` is closed)."""
        factory = self.factories.pop(spec, None)
        if factory is None or not factory.alive():
            if factory is not None:
                factory.close()
            factory = Factory(spec)
        self.factories[spec] = factory
        while len(self.factories) > FACTORIES_KEPT:
            _, oldest = self.factories.popitem(last=False)
            if self.spare is not None and self.spare.factory is oldest:
                _discard(self.spare)
                self.spare = None
            oldest.close()
        return factory

    def launch(self, spec):
        """A kernel forked from the factory made to ``spec`` (it is not waited for).

        A kernel that cannot be started is tried once more, from a new factory (no kernel of
        the old one is in use then): a fault of the grading machine must not cost a grade.
        """
        try:
            return Kernel.start(self.factory(spec))
        except RuntimeError:
            self.factories.pop(spec).close()
            return Kernel.start(self.factory(spec))

    def adopt(self, factory):
        """Take a factory started before this process was forked."""
        factory.adopted()
        self.factories[factory.spec] = factory

    def close(self):
        """End the spare kernel and the factories (when the worker process exits)."""
        _discard(self.spare)
        self.spare = None
        for factory in self.factories.values():
            factory.close()
        self.factories.clear()


def adopt_factory(factories, counter):
    """A pool worker's initializer: take one of the kernel factories the grader started before
    forking the workers (:mod:`instructor.grading.warmup`), and close this process's copies of
    the others' pipes. ``counter`` (a shared integer) gives every worker a different one."""
    with counter.get_lock():
        mine = counter.value
        counter.value += 1
    for index, factory in enumerate(factories):
        if index == mine:
            Worker.here().adopt(factory)
        else:
            factory.hand_over()


def run_job(job):
    """The task a worker runs (locally or on Dask): ``job`` on this process's :class:`Worker`."""
    return Worker.here().run(job)


def _discard(kernel):
    if kernel is not None:
        kernel.discard()
