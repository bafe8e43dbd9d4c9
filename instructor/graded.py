"""What grading left behind, read in one place for the feedback pages and the report.

:func:`read_assignment` reads the gradebook once for an assignment (every submission, its
notebooks, each cell's score, who set it and the grader's comment) into plain data;
:class:`GradedNotebook` reads the two notebooks of a student's page when asked, each within the
grader's caps: the autograded one (the grader's decisions) and the handed-in one (what the
student saw in their own run, which never ran a hidden test).

:func:`test_messages` is the one rule for what may be said about a test cell, anywhere a
student or a shared page could read it: the grader's own messages (kept in the cell's metadata
as it decided them) and the name of an error the student's kernel raised, never that error's
text, which the student's code can fill with whatever the graded kernel held.
"""

import builtins
from dataclasses import dataclass, field
from pathlib import Path

import nbformat
from nbgrader.api import Gradebook, MissingEntry

from instructor.course import course_config
from instructor.grading import defaults, handins
from instructor.nbgrader_hooks import score_after_penalty
from instructor.vocabulary import DECIDED, is_test

__all__ = ["CellGrade", "GradedAssignment", "GradedNotebook", "grader_messages",
           "read_assignment", "test_messages"]

BLANK = ("your answer is not written yet: the cell still raises NotImplementedError. "
         "Replace `raise NotImplementedError()` with your code.")
USES_BLANK = "this cell uses an answer that is not written yet (see above)"
# Error names a page may repeat: Python's own, and the checks'. Any other name was chosen by
# the student's code, and could carry anything.
KNOWN_ERRORS = frozenset(name for name, value in vars(builtins).items()
                         if isinstance(value, type) and issubclass(value, BaseException)) | {
    "CheckError"}


@dataclass(frozen=True)
class CellGrade:
    """One graded cell of one submission: its score, and whether a person set it."""

    score: float
    max_score: float
    auto_score: float | None = None
    manual_score: float | None = None
    comment: str = ""          # the instructor's comment on the cell, from formgrader

    @property
    def changed_by_hand(self):
        return self.manual_score is not None and self.manual_score != self.auto_score

    @property
    def pending(self):
        """A cell only a person grades (a written answer) that nobody has graded yet."""
        return self.auto_score is None and self.manual_score is None


@dataclass
class GradedNotebook:
    """One notebook of one student's graded submission."""

    root: Path
    student: str
    assignment: str
    name: str
    score: float               # what the answers earned, before any late penalty
    max_score: float
    penalty: float = 0.0
    cells: dict = field(default_factory=dict)     # {grade_id: CellGrade}

    @property
    def folder(self):
        return Path(self.assignment) / self.name

    def graded(self):
        """The autograded notebook, or None if there is none readable."""
        path = self.root / "autograded" / self.student / self.assignment / f"{self.name}.ipynb"
        try:
            return nbformat.reads(handins.read_regular(path, defaults.GRADED_NOTEBOOK_MB),
                                  as_version=4)
        except Exception:  # noqa: BLE001  (missing, too large, or not a notebook)
            return None

    def handed_in(self):
        """The student's own notebook as handed in, or None if there is none readable."""
        path = self.root / "submitted" / self.student / self.assignment / f"{self.name}.ipynb"
        try:
            return handins.read_notebook(path)[0]
        except Exception:  # noqa: BLE001  (missing, a link, too large, or not a notebook)
            return None


@dataclass
class GradedSubmission:
    student: str
    score: float               # after any late penalty
    notebooks: list = field(default_factory=list)  # [GradedNotebook]


@dataclass
class GradedAssignment:
    """An assignment's graded cells and every graded submission of it."""

    name: str
    max_score: float
    cells: dict                # {(notebook, grade_id): max_score}
    submissions: dict = field(default_factory=dict)   # {student: GradedSubmission}


def read_assignment(root, assignment, db_url=None, gradebook=None, students=None):
    """Everything the gradebook holds of ``assignment`` (of ``students`` only, if given), or
    None if it has no such assignment.

    Pass an open ``gradebook`` to read several assignments in one session.
    """
    root = Path(root).resolve()
    if gradebook is None:
        db_url = db_url or course_config(root).CourseDirectory.db_url
        with Gradebook(db_url) as gb:
            return read_assignment(root, assignment, gradebook=gb, students=students)
    try:
        found = gradebook.find_assignment(assignment)
    except MissingEntry:
        return None
    cells = {(nb.name, cell.name): cell.max_score for nb in found.notebooks
             for cell in nb.grade_cells}
    result = GradedAssignment(found.name, found.max_score, cells)
    for submission in found.submissions:
        student = submission.student.id
        if students is not None and student not in students:
            continue
        graded = GradedSubmission(student, score_after_penalty(submission))
        for record in submission.notebooks:
            comments = {c.name: c.manual_comment or "" for c in record.comments}
            grades = {g.name: CellGrade(g.score, g.max_score, g.auto_score, g.manual_score,
                                        comments.get(g.name, "")) for g in record.grades}
            graded.notebooks.append(GradedNotebook(
                root, student, assignment, record.name, record.score, record.max_score,
                record.late_submission_penalty or 0.0, grades))
        result.submissions[student] = graded
    return result


def error_name(output):
    """The name of an error output, if a page may repeat it."""
    name = str(output.get("ename", ""))
    return name if name in KNOWN_ERRORS else "an error"


HIDDEN_FAILED = ("a hidden check failed (what it checks is shown once the assignment is past "
                 "its due date)")


def grader_messages(cell, hidden_checks=True):
    """The grader's own messages about a cell; with ``hidden_checks=False``, a hidden check's
    words (which name what the hidden test checks) are replaced by :data:`HIDDEN_FAILED`."""
    return [entry["text"] if hidden_checks or entry.get("by") != "key" else HIDDEN_FAILED
            for entry in cell.get("metadata", {}).get(DECIDED, [])
            if isinstance(entry, dict) and isinstance(entry.get("text"), str)]


def test_messages(cell, answer_blank=False, hidden_checks=True):
    """What may be said about a graded test cell: the grader's own messages
    (:func:`grader_messages`), then the name of each error the student's kernel raised in it
    (its text is never repeated).

    ``answer_blank``: the answer this test needs is still the stub.
    """
    decided = {entry.get("text") for entry in cell.get("metadata", {}).get(DECIDED, [])
               if isinstance(entry, dict)}
    messages = grader_messages(cell, hidden_checks)
    for output in cell.get("outputs", []):
        if output.get("output_type") != "error" or output.get("evalue") in decided:
            continue
        name = error_name(output)
        if name == "NotImplementedError":
            messages.append(f"NotImplementedError: {BLANK if answer_blank else USES_BLANK}")
        else:
            messages.append(f"{name} in the test's visible checks: run this test cell in your "
                            "notebook to see what it says")
    return messages


def matching_cells(graded, handed_in):
    """``{index in graded: the hand-in's cell}`` for the code cells that are not test cells:
    matched by cell id, else by position among such cells."""
    if handed_in is None or graded is None:
        return {}
    theirs = [c for c in handed_in.cells if c.get("cell_type") == "code" and not is_test(c)]
    by_id = {c.get("id"): c for c in theirs if c.get("id")}
    ours = [(i, c) for i, c in enumerate(graded.cells)
            if c.get("cell_type") == "code" and not is_test(c)]
    found = {}
    for position, (index, cell) in enumerate(ours):
        match = by_id.get(cell.get("id")) or (theirs[position] if position < len(theirs)
                                               else None)
        if match is not None:
            found[index] = match
    return found
