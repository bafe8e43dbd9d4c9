"""The course's nbgrader vocabulary, in one place: cell metadata, markers and grading statuses.

Every other module asks here whether a cell is a test cell, where a solution or a hidden test
begins, and how serious a status is, instead of reading nbgrader's metadata its own way (as
nbgrader itself keeps ``is_grade``, ``is_solution`` and ``is_locked`` in ``nbgrader/utils.py``).
Cells may be ``NotebookNode`` objects or plain dicts parsed from JSON.
"""

from enum import StrEnum

__all__ = [
    "BEGIN_HIDDEN",
    "BEGIN_REFERENCE",
    "BEGIN_SOLUTION",
    "DECIDED",
    "END_HIDDEN",
    "END_REFERENCE",
    "END_SOLUTION",
    "GRADER_MARKS",
    "ORIGINAL",
    "PROBE",
    "SUMMARY_ID",
    "Status",
    "between",
    "decided",
    "grade_id",
    "hidden_line_numbers",
    "hidden_lines",
    "is_graded",
    "is_locked",
    "is_solution",
    "is_test",
    "line_numbers_between",
    "nbgrader_meta",
    "reference_line_numbers",
    "secret_lines",
    "solution_lines",
    "strip_solution_markers",
]

BEGIN_SOLUTION, END_SOLUTION = "### BEGIN SOLUTION", "### END SOLUTION"
BEGIN_HIDDEN, END_HIDDEN = "### BEGIN HIDDEN TESTS", "### END HIDDEN TESTS"
# Inside a hidden region: code only the answer key's run needs (reference implementations,
# expected values). ``workbook grade`` drops it, at any depth, so it never runs in a student's
# kernel; stock nbgrader runs it as written (the markers are comments).
BEGIN_REFERENCE, END_REFERENCE = "### BEGIN REFERENCE", "### END REFERENCE"
# Cell metadata that only the grader writes (a hand-in that carries any of it is flagged, and
# it is removed before grading): a probe cell; a rewritten test cell's own source; what the
# grader decided about a cell (its messages, shown on feedback pages).
PROBE, ORIGINAL, DECIDED = "workbook_probe", "workbook_test_source", "workbook_decided"
GRADER_MARKS = (PROBE, ORIGINAL, DECIDED)
# The last cell of every notebook: it runs the visible checks again for the student
# (``workbook.summary``). Graders skip it: it decides nothing, and it reads the saved notebook.
SUMMARY_ID = "summary"


def nbgrader_meta(cell):
    """The cell's ``metadata.nbgrader`` dict (empty for a cell nbgrader does not manage)."""
    return cell.get("metadata", {}).get("nbgrader", {})


def grade_id(cell):
    """The cell's nbgrader ``grade_id``, or None."""
    return nbgrader_meta(cell).get("grade_id")


def decided(cell, text=None, by="grader"):
    """The grader's own messages about ``cell``, kept in its metadata as ``{"by", "text"}``;
    with ``text``, add one. ``by`` is ``"key"`` for a hidden check decided against the answer
    key (its words name the hidden test: a page may keep them until the due date), or
    ``"grader"`` for what became of the cell (not run, the kernel died)."""
    found = cell.setdefault("metadata", {}).setdefault(DECIDED, [])
    if text is not None:
        found.append({"by": by, "text": text})
    return found


def is_graded(cell):
    """Does the cell carry points (a test cell, or an answer cell graded by hand)?"""
    return bool(nbgrader_meta(cell).get("grade"))


def is_solution(cell):
    """Is the cell an answer cell (the student writes in it)?"""
    return bool(nbgrader_meta(cell).get("solution"))


def is_locked(cell):
    """Is the cell locked (given code the student must not change)?"""
    return bool(nbgrader_meta(cell).get("locked"))


def is_test(cell):
    """Is the cell an autograded test cell: graded, and not an answer cell?"""
    return cell.get("cell_type") == "code" and is_graded(cell) and not is_solution(cell)


def between(text, begin, end):
    """The lines of ``text`` between each ``begin`` and ``end`` marker line (stripped)."""
    inside, lines = False, []
    for line in text.splitlines():
        if line.strip() == begin:
            inside = True
        elif line.strip() == end:
            inside = False
        elif inside:
            lines.append(line.strip())
    return lines


def line_numbers_between(text, begin, end):
    """Line numbers (from 1) of ``text`` between each ``begin`` and ``end`` marker line."""
    numbers, inside = set(), False
    for number, line in enumerate(text.splitlines(), start=1):
        if line.strip() == begin:
            inside = True
        elif line.strip() == end:
            inside = False
        elif inside:
            numbers.add(number)
    return numbers


def hidden_line_numbers(text):
    """Line numbers (from 1) inside a cell's hidden-test regions."""
    return line_numbers_between(text, BEGIN_HIDDEN, END_HIDDEN)


def reference_line_numbers(text):
    """Line numbers (from 1) inside a cell's reference regions (see ``BEGIN_REFERENCE``)."""
    return line_numbers_between(text, BEGIN_REFERENCE, END_REFERENCE)


def solution_lines(text):
    """The lines of a source cell that nbgrader replaces by the stub."""
    return between(text, BEGIN_SOLUTION, END_SOLUTION)


def hidden_lines(text):
    """The lines of a source cell that nbgrader removes from the release."""
    return between(text, BEGIN_HIDDEN, END_HIDDEN)


def secret_lines(cells):
    """The hidden-test markers and every hidden-test line of ``cells`` (stripped): what no page
    or output a student sees may hold."""
    return frozenset({BEGIN_HIDDEN, END_HIDDEN}.union(
        line for cell in cells for line in hidden_lines(cell.get("source", "")) if line))


def strip_solution_markers(text):
    """The code a student would type: a source cell without the solution marker lines."""
    lines = text.splitlines()
    return "\n".join(line for line in lines if line.strip() not in (BEGIN_SOLUTION, END_SOLUTION))


class Status(StrEnum):
    """What became of one student's hand-in, from least to most serious.

    A student with several notebooks gets the most serious of their statuses (``worst``).
    ``MALFORMED`` and ``ERROR`` are not graded: the gradebook keeps what it had.
    """

    OK = "ok"
    MISNAMED = "misnamed"
    MISSING = "missing"
    TIMEOUT = "timeout"
    KERNEL_DIED = "kernel died"
    MALFORMED = "malformed"
    ERROR = "error"

    @property
    def severity(self):
        return list(Status).index(self)

    @property
    def graded(self):
        """Were this student's results written to the gradebook?"""
        return self not in (Status.MALFORMED, Status.ERROR)

    @classmethod
    def worst(cls, statuses):
        """The most serious of ``statuses`` (``OK`` when there are none)."""
        return max([cls.OK, *map(cls, statuses)], key=lambda status: status.severity)
