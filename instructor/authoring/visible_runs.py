"""The visible checks of many submissions, run in this process: what a student sees.

A submission is the release notebook with its answer cells filled in (the solution, a planted
mistake, a variant). :func:`run_submissions` executes its code cells in one namespace, as a
kernel would, and keeps, for every test cell, whether its visible checks passed and the one line
the summary cell would show; the hidden tests are not in a release notebook, so they never run.

Submissions share the solution's work up to their first changed answer cell: the solution runs
once, and at that cell the process forks, the child takes the submission's answers from there
on, runs to the submission's last cell, reports and exits. Children run one at a time (a
training cell uses the whole machine). Values that the checks hand to
:class:`workbook.fingerprints.Fingerprints` are recorded on request (``record=True``).

Run it in a process of its own (``python -m instructor.authoring.visible_catch``): it sets
matplotlib's Agg backend, one thread for NumPy and PyTorch, and turns pictures off.
"""

import ast
import contextlib
import io
import json
import os
import signal
import time
import warnings
from dataclasses import dataclass, field

import nbformat

from instructor.vocabulary import SUMMARY_ID, grade_id, is_solution, is_test
from workbook.summary import problem_line

__all__ = ["Cell", "Outcome", "Run", "bound_names", "notebook_cells", "run_submissions"]

CHILD_SECONDS = 300        # a submission that runs longer is stopped and reported
_NOT_THEIRS = ("<check>", __file__)   # frames that are not a student's code


@dataclass(frozen=True)
class Cell:
    """A code cell of the release: its grade id (or None), kind and code."""

    grade_id: str | None
    kind: str              # "answer", "test" or "given"
    source: str


@dataclass
class Outcome:
    """What one test cell's visible checks said: None if they passed, else the summary line;
    and the known mistakes the fingerprints recognised in it (measure mode)."""

    cell: str
    error: str | None
    named: list = field(default_factory=list)


@dataclass
class Run:
    """One submission's run: the outcome of each test cell it reached, in order; the values
    the checks recorded; the answer cell that raised, if any; the time it took; and, for a run
    to the end, the checks that fail when run again at the end, as the summary cell runs them."""

    name: str
    outcomes: list
    recorded: list = field(default_factory=list)
    crashed: list = field(default_factory=list)
    seconds: float = 0.0
    at_the_end: list = field(default_factory=list)


def notebook_cells(release_notebook):
    """The release notebook's code cells, in order, without the summary cell."""
    nb = nbformat.read(release_notebook, as_version=4)
    cells = []
    for cell in nb.cells:
        if cell.cell_type != "code" or grade_id(cell) == SUMMARY_ID:
            continue
        kind = "answer" if is_solution(cell) else "test" if is_test(cell) else "given"
        cells.append(Cell(grade_id(cell), kind, cell.source))
    return cells


def bound_names(source):
    """Names an answer cell defines: functions, classes, variables, attributes it sets."""
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return set()
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef | ast.ClassDef):
            names.add(node.name)
        elif isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
            names.add(node.id)
        elif isinstance(node, ast.Attribute) and isinstance(node.ctx, ast.Store):
            names.add(node.attr)
    return names


class _Timeout(Exception):
    pass


def _execute(cells, start, stop, namespace, fingerprints):
    """Run ``cells[start:stop]`` in ``namespace``; the outcomes of their test cells."""
    import matplotlib.pyplot as plt

    outcomes, crashed = [], []
    for cell in cells[start:stop]:
        fingerprints.named.clear()
        error = None
        try:
            with contextlib.redirect_stdout(io.StringIO()), \
                    contextlib.redirect_stderr(io.StringIO()), warnings.catch_warnings():
                warnings.simplefilter("ignore")
                where = "<check>" if cell.kind == "test" else f"<{cell.grade_id or 'cell'}>"
                exec(compile(cell.source, where, "exec"), namespace)  # noqa: S102
        except _Timeout:
            raise
        except BaseException as caught:  # noqa: BLE001  (a submission may raise anything)
            if isinstance(caught, KeyboardInterrupt | SystemExit):
                raise
            error = caught
        finally:
            plt.close("all")
        line = None if error is None else problem_line(error, _NOT_THEIRS)
        if cell.kind == "test":
            outcomes.append(Outcome(cell.grade_id, line, [dict(n) for n in fingerprints.named]))
        elif error is not None:
            crashed.append(f"{cell.grade_id or 'a given cell'}: {line}")
    return outcomes, crashed


def _at_the_end(cells, namespace, fingerprints):
    """The test cells that fail when run again after the whole notebook (the summary cell
    does so: a check that reads a name a later cell rebinds fails there)."""
    again = [Cell(c.grade_id, c.kind, c.source) for c in cells if c.kind == "test"]
    found, _ = _execute(again, 0, len(again), namespace, fingerprints)
    return [f"{o.cell}: {o.error}" for o in found if o.error]


def _prepare_process():
    os.environ.setdefault("MPLBACKEND", "Agg")
    os.environ["WORKBOOK_PICTURES"] = "off"
    os.environ["WORKBOOK_WIDGETS"] = "static"
    for name in ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS"):
        os.environ[name] = "1"


def run_submissions(cells, answers, submissions, record=False, mode=None):
    """Run the solution and every submission; ``{name: Run}`` (the solution under "solution").

    ``cells`` come from :func:`notebook_cells`; ``answers`` is the solution's
    ``{grade id: code}`` (``instructor.authoring.submissions.solution_cells``);
    ``submissions`` maps a name to ``(its answers, the index of the last cell to run)``.
    ``record`` keeps the values the fingerprint checks see; ``mode`` is the fingerprints' mode
    ("measure": known mistakes are noted, not raised).
    """
    _prepare_process()
    from workbook.fingerprints import Fingerprints

    Fingerprints.mode = "record" if record else mode
    solution = [Cell(c.grade_id, c.kind, answers.get(c.grade_id, c.source))
                if c.kind == "answer" else c for c in cells]
    starts = {}
    for name, (theirs, stop) in submissions.items():
        mine = [Cell(c.grade_id, c.kind, theirs.get(c.grade_id, c.source))
                if c.kind == "answer" else c for c in cells]
        first = next((i for i, (a, b) in enumerate(zip(solution, mine, strict=True))
                      if a.source != b.source), len(cells))
        starts.setdefault(min(first, stop + 1), []).append((name, mine, stop))
    namespace = {"__name__": "__main__"}
    runs, outcomes, crashed, began = {}, [], [], time.perf_counter()
    Fingerprints.recorded.clear()
    for index in range(len(cells) + 1):
        for name, mine, stop in starts.get(index, []):
            runs[name] = _fork(name, mine, index, stop + 1, namespace, outcomes, crashed,
                               Fingerprints)
        if index < len(cells):
            found, broke = _execute(solution, index, index + 1, namespace, Fingerprints)
            outcomes += found
            crashed += broke
    recorded = list(Fingerprints.recorded)
    end = _at_the_end(solution, namespace, Fingerprints)
    runs["solution"] = Run("solution", outcomes, recorded, crashed,
                           time.perf_counter() - began, end)
    return runs


def _fork(name, cells, start, stop, namespace, outcomes, crashed, fingerprints):
    """Run ``cells[start:stop]`` in a child that starts from the parent's state."""
    reader, writer = os.pipe()
    began = time.perf_counter()
    pid = os.fork()
    if pid == 0:                                   # the child
        os.close(reader)
        try:
            def stop_it(*_):
                raise _Timeout()

            signal.signal(signal.SIGALRM, stop_it)
            signal.alarm(CHILD_SECONDS)
            end = []
            try:
                found, broke = _execute(cells, start, stop, namespace, fingerprints)
                recorded = list(fingerprints.recorded)
                if stop >= len(cells):
                    end = _at_the_end(cells, namespace, fingerprints)
            except _Timeout:
                found, broke = [], [f"stopped after {CHILD_SECONDS} s"]
                recorded = list(fingerprints.recorded)
            report = {"outcomes": [o.__dict__ for o in outcomes + found],
                      "recorded": recorded, "crashed": crashed + broke, "at_the_end": end}
            with os.fdopen(writer, "w") as out:
                json.dump(report, out)
        finally:
            os._exit(0)
    os.close(writer)
    with os.fdopen(reader) as answer:
        text = answer.read()
    os.waitpid(pid, 0)
    report = json.loads(text) if text else {"outcomes": [], "recorded": [],
                                            "crashed": ["the run died"], "at_the_end": []}
    return Run(name, [Outcome(**o) for o in report["outcomes"]], report["recorded"],
               report["crashed"], time.perf_counter() - began, report["at_the_end"])
