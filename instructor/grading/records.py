"""What a grade run leaves behind, defined once: each student's :class:`Result`, the grade
file ``workbook-grades.csv`` (:func:`read_grade_file`, :func:`write_grade_file`), and the run's
:class:`Timings`.

Everything that writes or reads these (the grader, the feedback pages, the report, the demo,
the benchmarks, the tests) imports them from here.
"""

import csv
import json
import os
import time
import unicodedata
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path

from instructor.vocabulary import Status

__all__ = ["GRADE_FIELDS", "GRADES_FILE", "Result", "Timings", "read_grade_file",
           "safe_name", "write_grade_file"]

# `workbook grade` writes its grade file beside the gradebook. Not `grades.csv`: that is the
# file `nbgrader export` writes, and each would overwrite the other.
GRADES_FILE = "workbook-grades.csv"
GRADE_FIELDS = ("student", "assignment", "score", "max_score", "status", "flags")


def safe_name(name):
    """``name`` as text any file or terminal takes: bytes that are not UTF-8 (a folder name
    read with ``surrogateescape``) as ``\\xNN``, control characters as ``\\uNNNN``."""
    text = os.fsencode(name).decode("utf-8", "backslashreplace") if isinstance(name, str) else (
        bytes(name).decode("utf-8", "backslashreplace"))
    return "".join(c if unicodedata.category(c)[0] != "C" else f"\\u{ord(c):04x}" for c in text)


@dataclass
class Result:
    """One student's line of the grade file, and what the summary table shows.

    ``score`` is after any late penalty; None when the run could not grade the student (the
    gradebook then keeps what it had, and the grade file the score it had). ``cells`` are the
    scores of the graded cells, ``{notebook: {grade_id: (score, max)}}``, when graded; ``audit``
    what only the answer key decides, ``{notebook: {grade_id: score}}`` (``Options.audit``).
    """

    student: str
    assignment: str
    score: float | None
    max_score: float
    status: Status
    flags: list = field(default_factory=list)
    cells: dict = field(default_factory=dict)
    audit: dict = field(default_factory=dict)
    handouts: dict = field(default_factory=dict)   # with Options.record_handouts

    def row(self):
        """The grade file's row (``score`` blank when there is none)."""
        return {"student": safe_name(self.student), "assignment": self.assignment,
                "score": "" if self.score is None else f"{self.score:g}",
                "max_score": f"{self.max_score:g}", "status": str(self.status),
                "flags": "; ".join(dict.fromkeys(safe_name(f) for f in self.flags))}


def read_grade_file(root):
    """``{(student, assignment): row}`` of the course's grade file; empty if there is none."""
    path = Path(root) / GRADES_FILE
    if not path.exists():
        return {}
    with open(path, newline="", encoding="utf-8", errors="replace") as handle:
        return {(r["student"], r["assignment"]): r for r in csv.DictReader(handle)}


def write_grade_file(root, assignment, results):
    """Update the grade file: these results replace the same students' rows, others stay.

    A result that was not graded (status ``malformed`` or ``error``) keeps the score the row
    had, as the gradebook keeps it, and says so in its flags. The file is replaced at once
    (written beside it, then renamed): a crash never leaves half a file.
    """
    path = Path(root) / GRADES_FILE
    rows = read_grade_file(root)
    for result in results:
        row = result.row()
        old = rows.get((row["student"], assignment), {})
        if not Status(result.status).graded:
            row["score"] = old.get("score", "")
            kept = (f"the score of the last graded run ({row['score']}) stands"
                    if row["score"] else "no earlier score stands: none was ever graded")
            row["flags"] = "; ".join(filter(None, [row["flags"], kept]))
        rows[(row["student"], assignment)] = row
    staged = path.with_name(f".{path.name}.{os.getpid()}")
    with open(staged, "w", newline="", encoding="utf-8", errors="backslashreplace") as handle:
        writer = csv.DictWriter(handle, GRADE_FIELDS)
        writer.writeheader()
        for key in sorted(rows):
            writer.writerow(rows[key])
    os.replace(staged, path)
    return path


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
        """The sentence ``--timings`` prints."""
        return (f"Time: start-up {self.startup:.1f} s, sanitize {self.sanitize:.1f} s, "
                f"execute {self.execute:.1f} s and kernel start-up {self.factories:.1f} s "
                f"(worker time, {workers}), grade {self.grade:.1f} s, save {self.save:.1f} s; "
                f"{self.wall:.1f} s from start to end.")

    def to_json(self):
        """The JSON ``--timings json`` prints (the benchmarks read it back with from_json)."""
        return json.dumps({"timings": asdict(self)})

    @classmethod
    def from_json(cls, text):
        data = json.loads(text)["timings"]
        return cls(**{f.name: float(data[f.name]) for f in fields(cls)})
