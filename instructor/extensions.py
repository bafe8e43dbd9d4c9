"""Per-student due dates: an extension for one student, or the late penalty excused.

``workbook extend ASSIGNMENT STUDENT... --days N`` (or ``--hours``, ``--until DATE``,
``--excuse``, ``--clear``) records it in ``.workbook/extensions.json`` and sets it where
nbgrader's own late penalty reads it: the submission's ``extension`` in the gradebook (its due
date is the assignment's plus that), so ``workbook grade``, ``nbgrader autograde`` and
formgrader all apply it. A submission gets its gradebook row when it is graded; until then the
extension waits in the file and :func:`apply_extensions` sets it just before grading. An excused
student's extension is ten years: never late. The report and the student's feedback page say
what was granted.
"""

import json
import os
import warnings
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta
from pathlib import Path

from nbgrader.api import Gradebook, MissingEntry

from instructor.course import course_config

__all__ = ["EXCUSED", "Extension", "ExtensionError", "apply_extensions", "describe",
           "page_notes", "read_extensions", "set_extension", "student_due"]

FILE = Path(".workbook") / "extensions.json"
EXCUSED = timedelta(days=3650)


class ExtensionError(Exception):
    """An extension that cannot be set (the message says why)."""


@dataclass(frozen=True)
class Extension:
    """One student's due date for one assignment: ``until`` (naive UTC) or ``excused``."""

    until: str | None = None        # ISO time, UTC
    excused: bool = False

    def delta(self, due):
        """The gradebook's ``extension`` for an assignment due at ``due`` (naive UTC)."""
        if self.excused:
            return EXCUSED
        return max(timedelta(0), datetime.fromisoformat(self.until) - due)


def read_extensions(root):
    """``{assignment: {student: Extension}}`` of the course at ``root``."""
    try:
        data = json.loads((Path(root) / FILE).read_text())
    except (FileNotFoundError, json.JSONDecodeError):
        return {}
    return {a: {s: Extension(**e) for s, e in students.items()} for a, students in data.items()}


def _write(root, extensions):
    path = Path(root) / FILE
    path.parent.mkdir(exist_ok=True)
    staged = path.with_name(f".{path.name}.{os.getpid()}")
    staged.write_text(json.dumps({a: {s: asdict(e) for s, e in sorted(students.items())}
                                  for a, students in sorted(extensions.items()) if students},
                                 indent=1))
    os.replace(staged, path)


def _gradebook(root):
    warnings.filterwarnings("ignore", module="nbgrader.api")
    return Gradebook(course_config(root).CourseDirectory.db_url)


def student_due(due, extension):
    """A student's due date (naive UTC): the class's ``due`` moved by their ``extension``;
    None when there is none, or when they are excused."""
    if due is None or extension is None:
        return due
    return None if extension.excused else due + extension.delta(due)


def describe(extension):
    """What a page says of ``extension``."""
    if extension.excused:
        return "excused from the late penalty"
    return f"due {datetime.fromisoformat(extension.until):%Y-%m-%d %H:%M} UTC (extended)"


def page_notes(root, assignment, student):
    """What a student's feedback page says of their extension, if they have one."""
    extension = read_extensions(root).get(assignment, {}).get(student)
    if extension is None:
        return []
    if extension.excused:
        return ["Your instructor excused you from this assignment's late penalty."]
    return [f"Your instructor extended your due date for this assignment to "
            f"{datetime.fromisoformat(extension.until):%Y-%m-%d %H:%M} UTC."]


def set_extension(root, assignment, students, until=None, days=None, excuse=False, clear=False):
    """Record an extension (``until``, a naive UTC datetime, or ``days`` after the due date,
    or ``excuse``) or ``clear`` it, for ``students``; set it in the gradebook where their
    submission already has a row. Returns ``{student: Extension or None}``."""
    with _gradebook(root) as gb:
        try:
            due = gb.find_assignment(assignment).duedate
        except MissingEntry:
            raise ExtensionError(f"no assignment {assignment!r} in the gradebook") from None
        known = {s.id for s in gb.students}
    unknown = sorted(set(students) - known)
    if unknown:
        raise ExtensionError(f"not in the gradebook's students: {', '.join(unknown)}")
    if not (clear or excuse) and due is None:
        raise ExtensionError(f"{assignment} has no due date to extend (set one with nbgrader "
                             f"db assignment add {assignment} --duedate=...)")
    if days is not None:
        until = due + timedelta(days=days)
    extension = None if clear else Extension(None if excuse else until.isoformat(), excuse)
    extensions = read_extensions(root)
    chosen = extensions.setdefault(assignment, {})
    for student in students:
        if extension is None:
            chosen.pop(student, None)
        else:
            chosen[student] = extension
    _write(root, extensions)
    apply_extensions(root, assignment, students, create=False, cleared=clear)
    return dict.fromkeys(students, extension)


def apply_extensions(root, assignment, students=None, create=True, cleared=False):
    """Set the recorded extensions of ``assignment`` (of ``students``, if given) in the
    gradebook; ``create``: make the submission's row if it has none (it is about to be
    graded); ``cleared``: set those without one back to no extension."""
    recorded = read_extensions(root).get(assignment, {})
    wanted = recorded if students is None else {
        s: recorded.get(s) for s in students if s in recorded or cleared}
    if not wanted:
        return
    with _gradebook(root) as gb:
        due = gb.find_assignment(assignment).duedate
        for student, extension in wanted.items():
            delta = extension.delta(due) if extension and due else timedelta(0)
            try:
                gb.find_submission(assignment, student)
            except MissingEntry:
                if not create or extension is None:
                    continue
                gb.update_or_create_student(student)
            gb.update_or_create_submission(assignment, student, extension=delta)
