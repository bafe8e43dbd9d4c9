"""``workbook grade``: autograde a whole class in parallel, sandboxed kernels.

The trusted side (this process) does what needs the course and the gradebook, with nbgrader's
own preprocessors: it reads each submission, checks it for tampering, sanitizes it
(``ClearOutput``, ``DeduplicateIds``, ``OverwriteKernelspec``, ``OverwriteCells``,
``CheckCellMetadata``) and, once executed, grades it (``IgnorePattern``, ``LimitOutput``,
``SaveAutoGrades``, ``AssignLatePenalties``...) into the nbgrader gradebook, so formgrader and
``nbgrader export`` work as usual. Workers (local processes, or Dask workers with
``--scheduler``) only execute notebooks, each in its own sandbox
(:mod:`instructor.grading.execute`).

A student's results replace the old ones only when their run completed: a submission that could
not be read or run leaves its gradebook entries and ``autograded/`` folder as they were.
"""

import csv
import multiprocessing
import os
import shutil
import sys
import time
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor
from concurrent.futures import wait as futures_wait
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import nbformat
from nbconvert.preprocessors import ClearMetadataPreprocessor
from nbgrader.api import Gradebook, MissingEntry
from nbgrader.coursedir import CourseDirectory
from nbgrader.preprocessors import (
    AssignLatePenalties,
    CheckCellMetadata,
    ClearOutput,
    DeduplicateIds,
    IgnorePattern,
    LimitOutput,
    OverwriteKernelspec,
)
from tqdm import tqdm

from instructor.course import GRADES_FILE, course_config
from instructor.grading import GradingError, defaults, handins, integrity, rewrite, trusted
from instructor.grading.execute import Job, Outcome, adopt_factory, from_json, run_job, to_json
from instructor.grading.imports import preloaded_modules
from instructor.grading.keys import AnswerKeyError, load_key
from instructor.grading.sandbox import Limits, proc_stat, sandbox_problem
from instructor.grading.saving import SaveAutoGrades
from instructor.nbgrader_hooks import REMEMBERED_CELLS, OverwriteCells, score_after_penalty
from instructor.vocabulary import Status

__all__ = ["GradingError", "Options", "Result", "Timings", "grade", "summary"]

# tqdm's monitor thread would be running when the workers fork: do without it.
tqdm.monitor_interval = 0

# nbgrader's autograde steps, minus Execute (the workers run it). CheckCellMetadata validates the
# nbgrader metadata; it is skipped where the release's metadata was put back (integrity.
# restore_grade_cells), as nothing after that changes it, and it costs a third of this side's time.
SANITIZE = (ClearOutput, DeduplicateIds, OverwriteKernelspec, OverwriteCells)
GRADE = (IgnorePattern, ClearMetadataPreprocessor, LimitOutput)
SAVE = (SaveAutoGrades, AssignLatePenalties)
CSV_FIELDS = ["student", "assignment", "score", "max_score", "status", "flags"]


@dataclass
class Options:
    """The ``workbook grade`` options (see ``workbook grade --help``)."""

    jobs: int = defaults.JOBS
    cell_timeout: int | None = None       # default: the course's Execute.timeout
    notebook_timeout: int = defaults.NOTEBOOK_TIMEOUT_S
    memory_mb: int = defaults.MEMORY_MB
    students: list | None = None
    scheduler: str | None = None          # a Dask scheduler address
    progress: bool = True
    # Ignore the errors the kernels report: only the grader's own decisions count (an audit of
    # the hidden tests: what a student who hid every error could score; see trusted.py).
    trusted_only: bool = False


@dataclass
class Result:
    """One student's line of the grade file (``workbook-grades.csv``)."""

    student: str
    assignment: str
    score: float | None
    max_score: float
    status: Status
    flags: list = field(default_factory=list)


@dataclass
class Timings:
    """Where a grade run's time went, in seconds (``workbook grade --timings``).

    ``startup`` is the wall time from the command's start to the first notebook handed to a
    worker (imports, the course, the answer keys); ``factories`` is worker time spent waiting
    for a kernel factory or a kernel that was not ready yet; ``execute`` is worker time running
    notebooks. ``sanitize``, ``grade`` and ``save`` are the trusted side's own work (reading and
    sanitizing hand-ins; deciding hidden tests and nbgrader's grading steps; ``autograded/`` and
    the gradebook), done while the workers run.
    """

    startup: float = 0.0
    factories: float = 0.0
    sanitize: float = 0.0
    execute: float = 0.0
    grade: float = 0.0
    save: float = 0.0
    wall: float = 0.0

    @contextmanager
    def measure(self, step):
        started = time.perf_counter()
        try:
            yield
        finally:
            setattr(self, step, getattr(self, step) + time.perf_counter() - started)

    def line(self, workers):
        return (f"Time: start-up {self.startup:.1f} s, sanitize {self.sanitize:.1f} s, "
                f"execute {self.execute:.1f} s and kernel start-up {self.factories:.1f} s "
                f"(worker time, {workers}), grade {self.grade:.1f} s, save {self.save:.1f} s; "
                f"{self.wall:.1f} s from start to end.")


def since_process_start():
    """Seconds since this process started (its imports included), to the clock tick."""
    started = int(proc_stat()[19])    # field 22, starttime
    return time.clock_gettime(time.CLOCK_BOOTTIME) - started / os.sysconf("SC_CLK_TCK")


@dataclass
class Submission:
    """What the trusted side knows about one student's hand-in while it is graded."""

    student: str
    folder: Path | None             # None: refused (a link where a folder should be)
    statuses: list = field(default_factory=list)
    flags: list = field(default_factory=list)
    outcomes: dict = field(default_factory=dict)    # {notebook: Outcome}
    files: dict = field(default_factory=dict)       # {relative path: bytes} beside the notebooks
    pending: int = 0

    def status(self):
        """The most serious of the student's notebooks' statuses."""
        return Status.worst(self.statuses)


def grade(root, assignment, options=None, timings=None, factories=()):
    """Grade ``assignment`` for every student in ``root/submitted``; return their results.

    ``timings``, a :class:`Timings`, is filled in with where the time went. ``factories``:
    kernel factories already started (:func:`instructor.grading.warmup.prestart`), one per
    local worker, which the workers adopt; the caller discards them afterwards.
    """
    options = options or Options()
    timings = timings or Timings()
    root = Path(root).resolve()
    config = course_config(root)
    db_url = config.CourseDirectory.db_url
    coursedir = CourseDirectory(config=config)
    cell_timeout = options.cell_timeout or config.Execute.get("timeout", defaults.CELL_TIMEOUT_S)
    expected, max_score = _assignment(db_url, assignment)
    try:
        answer_keys = {name: load_key(root / "source" / assignment / f"{name}.ipynb")
                       for name in expected}
    except AnswerKeyError as error:
        raise GradingError(str(error)) from None
    submissions = _find_submissions(root, assignment, options.students)
    problem = sandbox_problem()
    if problem:
        _shout(f"{problem}: student code will run UNSANDBOXED, with your permissions "
               f"(it can read source/ and the gradebook). Install bubblewrap to sandbox it.")
    limits = Limits(memory_mb=options.memory_mb, cpu_seconds=options.notebook_timeout)
    context = Context(root, assignment, config, db_url, coursedir, expected, answer_keys,
                      timings, options.trusted_only)
    by_student = {s.student: s for s in submissions}
    results = {}
    bar = tqdm(total=len(submissions), desc=f"Grading {assignment}", unit="student",
               disable=not options.progress, file=sys.stderr)

    def jobs():
        """Each student's notebooks, read and sanitized just before they are handed out."""
        for submission in submissions:
            with timings.measure("sanitize"):
                ready = _prepare(context, submission)
            submission.pending = len(ready)
            if not ready:
                results[submission.student] = _finish(context, submission)
                bar.update()
            for name, nb in ready.items():
                if not timings.startup:
                    timings.startup = since_process_start() - timings.sanitize
                yield Job(submission.student, name, to_json(nb), str(root),
                          files=_files(context, submission),
                          limits=limits, cell_timeout=cell_timeout,
                          notebook_timeout=options.notebook_timeout, isolated=problem is None,
                          preload=context.preload(name))

    with bar:
        for outcome in _execute(jobs(), options, factories):
            submission = by_student[outcome.student]
            submission.outcomes[outcome.notebook] = outcome
            timings.execute += outcome.seconds
            timings.factories += outcome.startup
            submission.pending -= 1
            if submission.pending == 0:
                results[submission.student] = _finish(context, submission)
                bar.update()
    ordered = [results[s.student] for s in submissions]
    if not options.students:
        ordered += _missing(root, db_url, assignment, by_student)
    for result in ordered:
        result.max_score = max_score
        if problem:
            result.flags.append("graded without a sandbox")
    with timings.measure("save"):
        _write_csv(root / GRADES_FILE, assignment, ordered)
    timings.wall = since_process_start()
    return ordered


@dataclass
class Context:
    """What every step of one ``grade`` run needs to know about the course and assignment."""

    root: Path
    assignment: str
    config: object
    db_url: str
    coursedir: CourseDirectory
    notebooks: list
    keys: dict                      # {notebook: its answer key}
    timings: Timings
    trusted_only: bool = False
    releases: dict = field(default_factory=dict)
    remembered_cells: dict = field(default_factory=dict)   # the gradebook's, for OverwriteCells

    def resources(self, student, notebook):
        return {"nbgrader": {"student": student, "assignment": self.assignment,
                             "notebook": notebook, "db_url": self.db_url},
                "unique_key": notebook, "output_files_dir": f"{notebook}_files",
                REMEMBERED_CELLS: self.remembered_cells}

    def release(self, notebook):
        """The release notebook students were given, or None if release/ lacks it."""
        if notebook not in self.releases:
            path = self.root / "release" / self.assignment / f"{notebook}.ipynb"
            self.releases[notebook] = nbformat.read(path, 4) if path.exists() else None
        return self.releases[notebook]

    def preload(self, notebook):
        """Modules the notebook's locked cells import: kernels load them before the job."""
        return preloaded_modules(self.release(notebook))


def _assignment(db_url, assignment):
    with Gradebook(db_url) as gb:
        try:
            found = gb.find_assignment(assignment)
        except MissingEntry:
            raise GradingError(
                f"there is no assignment {assignment!r} in the gradebook: run "
                f"`nbgrader generate_assignment {assignment}` first") from None
        return sorted(nb.name for nb in found.notebooks), found.max_score


def _missing(root, db_url, assignment, handed_in):
    """``MISSING`` results, 0 points, for the course's students who handed in nothing of
    ``assignment``: those with a folder under submitted/ or a gradebook entry, but no
    submission of it (neither a folder now nor a graded one in the gradebook)."""
    students = {p.name for p in (root / "submitted").glob("*") if p.is_dir()}
    with Gradebook(db_url) as gb:
        students |= {s.id for s in gb.students}
        graded = {s.student.id for s in gb.find_assignment(assignment).submissions}
    return [Result(student, assignment, 0.0, 0.0, Status.MISSING,
                   [f"nothing handed in for {assignment} (scored 0)"])
            for student in sorted(students - set(handed_in) - graded)]


def _find_submissions(root, assignment, students):
    found = []
    for student, folder in handins.student_folders(root / "submitted", assignment).items():
        if isinstance(folder, handins.Refused):
            found.append(Submission(student, None, [Status.MALFORMED], [str(folder)]))
        else:
            found.append(Submission(student, folder))
    if students:
        unknown = set(students) - {s.student for s in found}
        if unknown:
            raise GradingError(f"no submission of {assignment} from: {', '.join(sorted(unknown))}")
        found = [s for s in found if s.student in students]
    if not found:
        raise GradingError(f"no submissions in submitted/*/{assignment}/")
    return found


def _prepare(context, submission):
    """Read, check and sanitize a student's notebooks; return ``{notebook: sanitized nb}``.

    The files beside them are read too (``submission.files``); anything refused is flagged.
    """
    if submission.folder is None:   # refused when found
        return {}
    handin = handins.list_handin(submission.folder, context.coursedir.ignore)
    submission.files, refused = handins.read_files(handin)
    submission.flags += refused + handin.refused
    handed_in = handin.notebooks
    missing = [n for n in context.notebooks if n not in handed_in]
    extra = [n for n in handed_in if n not in context.notebooks]
    if len(missing) == 1 and len(extra) == 1:
        handed_in[missing[0]] = handed_in.pop(extra[0])
        submission.statuses.append(Status.MISNAMED)
        submission.flags.append(f"handed in '{extra[0]}.ipynb' for '{missing[0]}.ipynb' "
                                "(graded it anyway)")
    else:
        for name in missing:
            submission.statuses.append(Status.MISSING)
            submission.flags.append(f"no '{name}.ipynb' handed in (scored 0)")
    ready = {}
    for name in context.notebooks:
        if name not in handed_in:
            continue
        try:
            nb = nbformat.reads(handins.read_regular(handed_in[name], defaults.NOTEBOOK_MB),
                                as_version=4)
            submission.flags += integrity.remove_grader_marks(nb)
            release = context.release(name)
            if release is not None:
                submission.flags += integrity.structure_flags(nb, release)
                protected = integrity.protected_names(release)
                submission.flags += integrity.static_flags(nb, protected)
                integrity.restore_grade_cells(nb, release)
            else:
                protected = {}
            resources = context.resources(submission.student, name)
            checks = (CheckCellMetadata,) if release is None else ()
            for preprocessor in (*checks, *SANITIZE, *checks):
                nb, resources = preprocessor(config=context.config)(nb, resources)
            rewrite.hand_out_tests(nb)
            integrity.add_probes(nb, protected)
        except Exception as error:  # noqa: BLE001  (any unreadable notebook is the student's)
            submission.statuses.append(Status.MALFORMED)
            submission.flags.append(f"'{handed_in[name].name}' could not be read as a notebook "
                                    f"({type(error).__name__}: {str(error)[:200]})")
            continue
        ready[name] = nb
    return ready


def _files(context, submission):
    """The files beside the notebooks: the student's, then the source's (as nbgrader does)."""
    files = dict(submission.files)
    source = context.root / "source" / context.assignment
    for path in sorted(source.rglob("*")):
        relative = path.relative_to(source)
        if (path.is_file() and path.suffix != ".ipynb"
                and not handins.ignored(relative, context.coursedir.ignore)):
            files[str(relative)] = path.read_bytes()
    return files


def _execute(jobs, options, factories=()):
    """Run ``jobs`` on local worker processes or a Dask cluster; yield Outcomes as they end.

    Jobs are taken from ``jobs`` (a generator that reads each hand-in just in time) only as
    workers free up, so memory stays flat however large the class. Local workers adopt the
    ``factories`` already started, one each.
    """
    if options.scheduler:
        from distributed import Client, wait

        with Client(options.scheduler) as client:
            workers = max(1, sum(client.nthreads().values()))
            yield from _bounded(lambda job: client.submit(run_job, job, pure=False),
                                lambda futures: wait(futures, return_when="FIRST_COMPLETED").done,
                                jobs, 2 * workers)
        return
    # Forked workers start with nbgrader already imported (no threads run here yet).
    fork = multiprocessing.get_context("fork")
    factories = list(factories)[:options.jobs]
    with ProcessPoolExecutor(options.jobs, mp_context=fork, initializer=adopt_factory,
                             initargs=(factories, fork.Value("i", 0))) as pool:
        pool.submit(int)    # forks every worker now (a fork pool starts all at once)
        for factory in factories:
            factory.hand_over()
        yield from _bounded(lambda job: pool.submit(run_job, job),
                            lambda futures: futures_wait(futures, return_when=FIRST_COMPLETED).done,
                            jobs, 2 * options.jobs)


def _bounded(submit, wait_first, jobs, limit):
    """Keep at most ``limit`` jobs submitted; yield each Outcome as its job ends."""
    jobs, pending = iter(jobs), {}
    while True:
        while len(pending) < limit and (job := next(jobs, None)) is not None:
            pending[submit(job)] = job
        if not pending:
            return
        for future in wait_first(list(pending)):
            yield _outcome(future, pending.pop(future))


def _outcome(future, job):
    """The future's Outcome, or an ERROR one if the worker itself was lost."""
    try:
        return future.result()
    except Exception as error:  # noqa: BLE001  (a lost worker must not stop the class)
        return Outcome(job.student, job.notebook, Status.ERROR,
                       f"the grading worker failed: {type(error).__name__}: {error}")


def _finish(context, submission):
    """Grade a student's executed notebooks into the gradebook and autograded/, or keep the old.

    The executed notebooks and files are let go afterwards: memory stays flat as the class grows.
    """
    try:
        return _commit(context, submission)
    finally:
        submission.outcomes, submission.files = {}, {}


def _commit(context, submission):
    for outcome in submission.outcomes.values():
        submission.statuses.append(outcome.status)
        notes = [outcome.detail] if outcome.status != Status.OK else []
        submission.flags += [f"{outcome.notebook}: {note}" for note in notes + outcome.notes]
    status = submission.status()
    result = Result(submission.student, context.assignment, None, 0.0, status, submission.flags)
    if not status.graded:
        result.flags.append("not graded: the gradebook and autograded/ keep what they had")
        return result
    staging = context.root / "autograded" / f".{submission.student}-{context.assignment}.new"
    timings = context.timings
    try:
        with timings.measure("save"):
            _stage_files(context, submission, staging)
            _open_submission(context, submission, staging)
        for name, outcome in submission.outcomes.items():
            with timings.measure("grade"):
                nb, resources = _grade_notebook(context, submission, name, outcome)
            with timings.measure("save"):
                for preprocessor in SAVE:
                    nb, resources = preprocessor(config=context.config)(nb, resources)
                nbformat.write(nb, staging / f"{name}.ipynb")
        with timings.measure("save"):
            target = context.root / "autograded" / submission.student / context.assignment
            if target.exists():
                shutil.rmtree(target)
            target.parent.mkdir(parents=True, exist_ok=True)
            staging.rename(target)
            with Gradebook(context.db_url) as gb:
                found = gb.find_submission(context.assignment, submission.student)
                result.score = score_after_penalty(found)
                if found.late_submission_penalty:
                    result.flags.append(f"handed in {found.total_seconds_late / 3600:.1f} h "
                                        f"late: {found.late_submission_penalty:g} points off "
                                        "(late penalty)")
    except Exception as error:  # noqa: BLE001  (reported as this student's status)
        shutil.rmtree(staging, ignore_errors=True)
        result.status = Status.ERROR
        result.flags.append(f"saving the grades failed: {type(error).__name__}: {error}")
    return result


def _stage_files(context, submission, staging):
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir(parents=True)
    for relative, data in _files(context, submission).items():
        (staging / relative).parent.mkdir(parents=True, exist_ok=True)
        (staging / relative).write_bytes(data)
    timestamp = submission.folder / "timestamp.txt"
    if os.path.lexists(timestamp):
        try:
            (staging / "timestamp.txt").write_bytes(handins.read_regular(timestamp, 1))
        except handins.Refused as why:
            submission.flags.append(str(why))


def _open_submission(context, submission, staging):
    """The student's submission in the gradebook, with its timestamp; notebooks not handed in
    score 0."""
    student, assignment = submission.student, context.assignment
    timestamp = context.coursedir.get_existing_timestamp(str(staging))   # read safely
    with Gradebook(context.db_url) as gb:
        gb.update_or_create_student(student)
        if timestamp:
            gb.update_or_create_submission(assignment, student, timestamp=timestamp)
        else:
            gb.update_or_create_submission(assignment, student)
        for name in context.notebooks:
            if name in submission.outcomes:
                continue
            for grade in gb.find_submission_notebook(name, assignment, student).grades:
                grade.auto_score, grade.needs_manual_grade = 0, False
        gb.db.commit()


def _grade_notebook(context, submission, name, outcome):
    """An executed notebook, its probes taken and hidden tests decided, through nbgrader's
    grading steps (up to saving): ``(nb, resources)``."""
    nb = from_json(outcome.executed)
    found = integrity.take_probes(nb)
    submission.flags += [f"{name}: {finding}" for finding in found]
    trusted.decide_tests(nb, context.keys[name], context.trusted_only)
    resources = context.resources(submission.student, name)
    for preprocessor in GRADE:
        nb, resources = preprocessor(config=context.config)(nb, resources)
    return nb, resources


def _write_csv(path, assignment, results):
    """Update the grade file: this run's rows replace the same students' rows, others stay."""
    rows = {}
    if path.exists():
        with open(path, newline="") as handle:
            rows = {(r["student"], r["assignment"]): r for r in csv.DictReader(handle)}
    for result in results:
        old = rows.get((result.student, assignment), {})
        score = "" if result.score is None else f"{result.score:g}"
        if not Status(result.status).graded:   # the gradebook kept the old grade: so does this
            score = old.get("score", "")
        rows[(result.student, assignment)] = {
            "student": result.student, "assignment": assignment,
            "score": score,
            "max_score": f"{result.max_score:g}", "status": result.status,
            "flags": "; ".join(dict.fromkeys(result.flags)),
        }
    with open(path, "w", newline="") as handle:
        writer = csv.DictWriter(handle, CSV_FIELDS)
        writer.writeheader()
        for key in sorted(rows):
            writer.writerow(rows[key])


def _shout(message):
    line = "!" * 78
    print(f"{line}\nWARNING: {message}\n{line}", file=sys.stderr, flush=True)


def summary(results, seconds, workers):
    """The table ``workbook grade`` prints; ``workers`` says where the kernels ran."""
    width = max([7, *(len(r.student) for r in results)]) + 2
    lines = ["student".ljust(width) + "score".rjust(8) + "max".rjust(6) + "  status       flags"]
    for r in results:
        score = "-" if r.score is None else f"{r.score:g}"
        flags = "; ".join(dict.fromkeys(r.flags))
        lines.append(r.student.ljust(width) + score.rjust(8) + f"{r.max_score:g}".rjust(6)
                     + f"  {r.status:<12} {flags}".rstrip())
    flagged = sum(1 for r in results if r.flags)
    students = "1 student" if len(results) == 1 else f"{len(results)} students"
    lines.append(f"\n{students} graded in {seconds:.1f} s on {workers}; "
                 f"{flagged} flagged for review. Scores are in the gradebook and {GRADES_FILE}.")
    return "\n".join(lines)
