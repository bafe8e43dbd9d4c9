"""``grade()``: the one entry of the grader, used by the CLI, the demo, the benchmarks, the tests
and the grading service.

One run reads the assignment once (:mod:`.context`), then streams the students through three
steps, each its own module: :mod:`.prepare` (hostile input made ready to run, on the trusted
side), :mod:`.run` (jobs to sandboxed workers, outcomes back), :mod:`.commit` (hidden tests
decided, nbgrader's grading, the gradebook and ``autograded/`` written once per student).
Then every student's :class:`.records.Result` goes to the grade file.
"""

import sys
import time
from dataclasses import dataclass, field

from tqdm import tqdm

from instructor.grading import defaults
from instructor.grading.commit import commit
from instructor.grading.context import Assignment
from instructor.grading.imports import preloaded_modules
from instructor.grading.jobs import Job, to_json
from instructor.grading.prepare import find_submissions, prepare
from instructor.grading.records import Result, Timings, safe_name, write_grade_file
from instructor.grading.run import DaskRunner, LocalRunner
from instructor.grading.sandbox import FactorySpec, sandbox_problem
from instructor.vocabulary import Status

__all__ = ["GradeRun", "Options", "grade"]

# tqdm's monitor thread would be running when the workers fork: do without it.
tqdm.monitor_interval = 0


@dataclass(frozen=True)
class Options:
    """How to grade (see ``workbook grade --help``); every default is in :mod:`.defaults`."""

    jobs: int = defaults.JOBS
    cell_timeout: int | None = None       # default: the course's Execute.timeout
    notebook_timeout: int = defaults.NOTEBOOK_TIMEOUT_S
    memory_mb: int = defaults.MEMORY_MB
    scheduler: str | None = None          # a Dask scheduler address
    progress: bool = True
    # Also score what only the answer key decides (kernel errors ignored, every check_that
    # taken as passing): what a student who forged everything in their kernel could score.
    audit: bool = False
    # Keep a fingerprint of every value handed out (to build the mistake keys).
    record_handouts: bool = False

    @property
    def limits(self):
        return defaults.Limits(memory_mb=self.memory_mb, cpu_seconds=self.notebook_timeout)


@dataclass
class GradeRun:
    """What a run did: a Result per student (graded, then those with nothing handed in), where
    its time went, and where its kernels ran."""

    results: list
    timings: Timings = field(default_factory=Timings)
    where: str = ""


def grade(course, assignment, students=None, options=None, *, runner=None, factories=(),
          started=None):
    """Grade ``assignment`` of the course at ``course`` for ``students`` (default: everyone in
    ``submitted/``); a :class:`GradeRun`.

    ``runner``: workers to use (a :class:`.run.LocalRunner` a service keeps); by default the
    run makes its own, local or on ``options.scheduler``, and adopts ``factories`` already
    started (:mod:`.warmup`). ``started``: when the command started (``time.perf_counter``),
    for the start-up time. Raises :class:`.context.GradingError` when the assignment cannot be
    graded at all; anything wrong with one student is that student's result.
    """
    options = options or Options()
    started = time.perf_counter() if started is None else started
    timings = Timings()
    assignment = Assignment.load(course, assignment, options.cell_timeout)
    submissions = find_submissions(assignment, students)
    problem = sandbox_problem()
    if problem:
        _shout(f"{problem}: student code will run UNSANDBOXED, with your permissions "
               f"(it can read source/ and the gradebook). Install bubblewrap to sandbox it.")
    specs = {name: FactorySpec(options.limits, preloaded_modules(release), problem is None)
             for name, release in assignment.releases.items()}
    owned = runner is None
    if owned:
        runner = (DaskRunner(options.scheduler) if options.scheduler
                  else LocalRunner(options.jobs, factories))
    by_student = {s.student: s for s in submissions}
    results, pending = {}, {}
    bar = tqdm(total=len(submissions), desc=f"Grading {assignment.name}", unit="student",
               disable=not options.progress, file=sys.stderr)

    def finish(submission):
        results[submission.student] = commit(assignment, submission, timings)
        bar.update()

    def jobs():
        """Each student's notebooks, read and sanitized just before they are handed out."""
        for submission in submissions:
            with timings.measure("sanitize"):
                prepare(assignment, submission, options.audit, options.record_handouts)
            ready, submission.ready = submission.ready, {}
            pending[submission.student] = len(ready)
            if not ready:
                finish(submission)
            for name, nb in ready.items():
                if not timings.startup:
                    timings.startup = time.perf_counter() - started - timings.sanitize
                yield Job(submission.student, name, to_json(nb), specs[name],
                          {**submission.files, **assignment.given}, assignment.cell_timeout,
                          options.notebook_timeout)

    try:
        with bar:
            for outcome in runner.outcomes(jobs()):
                submission = by_student[outcome.student]
                submission.outcomes[outcome.notebook] = outcome
                timings.execute += outcome.seconds
                timings.factories += outcome.startup
                pending[outcome.student] -= 1
                if pending[outcome.student] == 0:
                    finish(submission)
    finally:
        if owned:
            runner.close()
    ordered = [results[s.student] for s in submissions]
    if not students:
        ordered += _missing(assignment, by_student)
    for result in ordered:
        result.max_score = assignment.max_score
        if problem:
            result.flags.append("graded without a sandbox")
    with timings.measure("save"):
        write_grade_file(assignment.root, assignment.name, ordered)
    timings.wall = time.perf_counter() - started
    return GradeRun(ordered, timings, runner.where)


def _missing(assignment, handed_in):
    """``MISSING`` results, 0 points, for the course's students who handed in nothing of the
    assignment: those with a folder under submitted/ or a gradebook entry, but no submission
    of it (neither a folder now nor a graded one in the gradebook)."""
    from nbgrader.api import Gradebook

    students = {safe_name(p.name) for p in (assignment.root / "submitted").glob("*")
                if p.is_dir()}
    with Gradebook(assignment.db_url) as gb:
        students |= {s.id for s in gb.students}
        graded = {s.student.id for s in gb.find_assignment(assignment.name).submissions}
    return [Result(student, assignment.name, 0.0, 0.0, Status.MISSING,
                   [f"nothing handed in for {assignment.name} (scored 0)"])
            for student in sorted(students - set(handed_in) - graded)]


def _shout(message):
    line = "!" * 78
    print(f"{line}\nWARNING: {message}\n{line}", file=sys.stderr, flush=True)
