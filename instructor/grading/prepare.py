"""Hand-ins read and made ready to run: the trusted side's first step, for one student at a time.

:func:`find_submissions` lists who handed in; :func:`prepare` reads one student's hand-in as
hostile input (:mod:`.handins`), runs each notebook through the steps before execution
(:func:`.steps.sanitize_steps`) and keeps the notebooks ready to run and the files beside them.
Whatever goes wrong is that student's alone: it becomes their status and flags, never an
exception that stops the class.
"""

from dataclasses import dataclass, field
from pathlib import Path

from instructor.grading import GradingError, handins
from instructor.grading.steps import NotebookContext, run_steps, sanitize_steps
from instructor.vocabulary import Status

__all__ = ["Submission", "find_submissions", "prepare"]


@dataclass
class Submission:
    """What the trusted side knows about one student's hand-in while it is graded."""

    student: str
    folder: Path | None             # None: refused (a link, a name that is not UTF-8)
    statuses: list = field(default_factory=list)
    flags: list = field(default_factory=list)
    ready: dict = field(default_factory=dict)       # {notebook: sanitized nb}
    contexts: dict = field(default_factory=dict)    # {notebook: NotebookContext}
    files: dict = field(default_factory=dict)       # {relative path: bytes} beside notebooks
    outcomes: dict = field(default_factory=dict)    # {notebook: Outcome}

    def status(self):
        """The most serious of the student's notebooks' statuses."""
        return Status.worst(self.statuses)

    def let_go(self):
        """Forget the notebooks and files (memory stays flat as the class grows)."""
        self.ready, self.files, self.outcomes = {}, {}, {}


def find_submissions(assignment, students=None):
    """Every student with a folder ``submitted/<student>/<assignment>/``, as Submissions.

    ``students``: only these (a GradingError names any without a hand-in).
    """
    found = []
    for student, folder in handins.student_folders(assignment.root / "submitted",
                                                   assignment.name).items():
        if isinstance(folder, handins.Refused):
            found.append(Submission(student, None, [Status.MALFORMED], [str(folder)]))
        else:
            found.append(Submission(student, folder))
    if students:
        unknown = set(students) - {s.student for s in found}
        if unknown:
            raise GradingError(f"no submission of {assignment.name} from: "
                               f"{', '.join(sorted(unknown))}")
        found = [s for s in found if s.student in students]
    if not found:
        raise GradingError(f"no submissions in submitted/*/{assignment.name}/")
    return found


def prepare(assignment, submission, audit=False, record=False):
    """Read, check and sanitize a student's notebooks into ``submission.ready``; never raises.

    ``audit`` and ``record``: see :class:`.steps.NotebookContext`."""
    if submission.folder is None:   # refused when found
        return
    try:
        _prepare(assignment, submission, audit, record)
    except Exception as error:  # noqa: BLE001  (a hand-in no step foresaw is still theirs)
        submission.ready = {}
        submission.statuses.append(Status.MALFORMED)
        submission.flags.append(f"the hand-in could not be read ({type(error).__name__}: "
                                f"{str(error)[:200]})")


def _prepare(assignment, submission, audit, record):
    handin = handins.list_handin(submission.folder, assignment.coursedir.ignore)
    submission.files, refused = handins.read_files(handin)
    submission.flags += handin.refused + refused
    handed_in = handin.notebooks
    missing = [n for n in assignment.notebooks if n not in handed_in]
    extra = [n for n in handed_in if n not in assignment.notebooks]
    if len(missing) == 1 and len(extra) == 1:
        handed_in[missing[0]] = handed_in.pop(extra[0])
        submission.statuses.append(Status.MISNAMED)
        submission.flags.append(f"handed in '{extra[0]}.ipynb' for '{missing[0]}.ipynb' "
                                "(graded it anyway)")
    else:
        for name in missing:
            submission.statuses.append(Status.MISSING)
            submission.flags.append(f"no '{name}.ipynb' handed in (scored 0)")
    steps = sanitize_steps(assignment.config)
    for name in assignment.notebooks:
        if name not in handed_in:
            continue
        context = NotebookContext(assignment.releases[name], assignment.keys[name], audit,
                                  assignment.mistakes.get(name), record)
        try:
            nb, flags = handins.read_notebook(handed_in[name])
            submission.flags += flags
            resources = assignment.resources(submission.student, name, context)
            nb, _ = run_steps(steps, nb, resources, assignment.config)
        except Exception as error:  # noqa: BLE001  (any unreadable notebook is the student's)
            submission.statuses.append(Status.MALFORMED)
            message = str(error) if isinstance(error, handins.Refused) else (
                f"'{handed_in[name].name}' could not be read as a notebook "
                f"({type(error).__name__}: {str(error)[:200]})")
            submission.flags.append(message)
            continue
        submission.flags += context.flags
        context.flags = []
        submission.ready[name], submission.contexts[name] = nb, context
