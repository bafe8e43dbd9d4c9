"""``workbook report``: how the class did, for the instructor.

Read through :mod:`instructor.graded` (the gradebook: every graded cell of every submission;
the autograded notebooks: what was said about each failed test cell, as the feedback pages say
it) and the grade file (statuses and flags, :func:`instructor.grading.records.read_grade_file`).
Writes:

- ``report/report.html``: one self-contained page (pictures embedded as PNG, no scripts);
- ``report/cells.csv``: student, assignment, notebook, cell, score, max: one row per cell;
- ``report/canvas.csv``: the totals in Canvas's gradebook import layout
  (:mod:`instructor.lms.canvas`);
- ``report/similarity.csv``: pairs of students whose answers are unusually alike
  (:mod:`instructor.similarity`), also shown side by side on the page.
"""

import csv
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from nbgrader.api import Gradebook

from instructor.course import course_config
from instructor.extensions import describe, read_extensions
from instructor.feedback import hidden_test_lines
from instructor.graded import read_assignment, test_messages
from instructor.grading.records import read_grade_file
from instructor.pages import scrub
from instructor.report_page import render
from instructor.vocabulary import grade_id, is_test

__all__ = ["ClassResults", "collect", "report_folder", "write_report"]



@dataclass
class CellStats:
    """One graded cell across the class.

    ``scores`` holds the graded hand-ins' scores; a written answer no person has graded yet in
    formgrader is counted in ``pending`` instead, so that it lowers no pass rate or mean.
    """

    assignment: str
    notebook: str
    cell: str
    max_score: float
    scores: list = field(default_factory=list)
    errors: Counter = field(default_factory=Counter)
    pending: int = 0

    @property
    def pass_rate(self):
        """The share of graded submissions with full marks on this cell (pending ones left
        out)."""
        passed = sum(1 for s in self.scores if s >= self.max_score)
        return passed / len(self.scores) if self.scores else 0.0

    @property
    def common_error(self):
        """``(error, how many)`` most often raised by this cell, or None."""
        return self.errors.most_common(1)[0] if self.errors else None


@dataclass
class ClassResults:
    """Everything the report shows."""

    assignments: list                                  # ids, in order
    max_scores: dict                                   # {assignment: max}
    students: list                                     # ids, sorted
    names: dict = field(default_factory=dict)          # {student: "Last, First"}
    totals: dict = field(default_factory=dict)         # {(student, assignment): score}
    rows: dict = field(default_factory=dict)           # workbook-grades.csv rows
    cells: dict = field(default_factory=dict)          # {(assignment, nb, cell): CellStats}
    per_cell: list = field(default_factory=list)       # [(student, a, nb, cell, score, max)]
    extensions: dict = field(default_factory=dict)     # {(student, assignment): what was granted}

    def status(self, student, assignment):
        """The grade file's status, ``missing`` when nothing was graded or handed in."""
        row = self.rows.get((student, assignment))
        if row:
            return row["status"]
        return "ok" if (student, assignment) in self.totals else "missing"

    def score(self, student, assignment):
        """The gradebook's score; 0 if nothing was handed in; None if never graded."""
        if (student, assignment) in self.totals:
            return self.totals[(student, assignment)]
        row = self.rows.get((student, assignment))
        if row and row["score"] != "":
            return float(row["score"])
        return 0.0 if self.status(student, assignment) == "missing" else None

    def review(self):
        """The grade file's rows of these assignments that are not plain ``ok``."""
        return [r for (_, a), r in sorted(self.rows.items())
                if a in self.assignments and (r["status"] != "ok" or r["flags"])]

    def by_assignment(self):
        """``{assignment: [CellStats]}``, hardest (lowest pass rate) first."""
        grouped = defaultdict(list)
        for stats in self.cells.values():
            grouped[stats.assignment].append(stats)
        return {a: sorted(grouped[a], key=lambda s: (s.pass_rate, s.notebook, s.cell))
                for a in self.assignments}


def collect(root, assignments=None):
    """The class's results for ``assignments`` (default: all in the gradebook that have
    submissions); None if nothing has been graded."""
    root = Path(root).resolve()
    rows = read_grade_file(root)
    with Gradebook(course_config(root).CourseDirectory.db_url) as gb:
        found = {a.name: a for a in gb.assignments}
        wanted = assignments or sorted(n for n, a in found.items() if a.submissions)
        wanted = [a for a in wanted if a in found]
        if not wanted or not any(found[a].submissions for a in wanted):
            return None
        results = ClassResults(wanted, {a: found[a].max_score for a in wanted}, [])
        students = {s.id for s in gb.students} | {s for s, a in rows if a in wanted}
        results.students = sorted(students)
        for student in gb.students:
            if student.last_name or student.first_name:
                results.names[student.id] = ", ".join(
                    n for n in (student.last_name, student.first_name) if n)
        for name in wanted:
            _collect_assignment(read_assignment(root, name, gradebook=gb), results,
                                hidden_test_lines(root, name))
    results.rows = {k: r for k, r in rows.items() if k[1] in wanted}
    results.extensions = {(student, assignment): describe(extension)
                          for assignment, granted in read_extensions(root).items()
                          if assignment in wanted for student, extension in granted.items()}
    return results


def _collect_assignment(graded, results, secrets):
    for (notebook, cell), max_score in graded.cells.items():
        results.cells[(graded.name, notebook, cell)] = CellStats(graded.name, notebook, cell,
                                                                 max_score)
    for student, submission in graded.submissions.items():
        results.totals[(student, graded.name)] = submission.score
        for notebook in submission.notebooks:
            for cell, grade in notebook.cells.items():
                key = (graded.name, notebook.name, cell)
                if key in results.cells and grade.pending:
                    results.cells[key].pending += 1
                elif key in results.cells:
                    results.cells[key].scores.append(grade.score)
                results.per_cell.append((student, graded.name, notebook.name, cell,
                                         grade.score, grade.max_score))
            nb = notebook.graded()
            for cell in nb.cells if nb is not None else []:
                key = (graded.name, notebook.name, grade_id(cell))
                if is_test(cell) and key in results.cells:
                    said = test_messages(cell, answer_blank=True)
                    if said:
                        results.cells[key].errors[_label(said[0], secrets)] += 1


def _label(message, secrets):
    """A test cell's first message as the report lists it, shorter for a blank answer."""
    if message.startswith("NotImplementedError"):
        return "NotImplementedError (answer left blank)"
    return scrub(message.split("\n")[0], secrets)


def write_report(root, assignments=None, similarity_threshold=None):
    """Write the report page and the CSV files into ``root/report``; return their paths
    (empty if nothing has been graded). ``similarity_threshold``: the share of alike code from
    which a pair of students is listed (default :data:`instructor.similarity.DEFAULT_THRESHOLD`).
    """
    from instructor import similarity
    from instructor.lms.canvas import write_canvas_csv

    root = Path(root).resolve()
    results = collect(root, assignments)
    if results is None:
        return []
    folder = report_folder(root, assignments)
    folder.mkdir(parents=True, exist_ok=True)
    threshold = similarity_threshold or similarity.DEFAULT_THRESHOLD
    pairs = similarity.find_pairs(root, results.assignments, threshold)
    page = folder / "report.html"
    page.write_text(render(results, course_config(root).CourseDirectory.get("course_id", ""),
                           [("similarity", "Similar answers",
                             similarity.section(pairs, threshold))]))
    return [page, write_cells_csv(results, folder / "cells.csv"),
            write_canvas_csv(root, results, folder / "canvas.csv"),
            similarity.write_csv(pairs, folder / "similarity.csv")]


def report_folder(root, assignments=None):
    """``report/`` for the whole class; ``report/<a>+<b>/`` for a report on some assignments,
    so that it never replaces the whole one."""
    folder = Path(root) / "report"
    return folder / "+".join(sorted(set(assignments))) if assignments else folder


def write_cells_csv(results, path):
    """One row per student and graded cell: student, assignment, notebook, cell, score, max."""
    with open(path, "w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["student", "assignment", "notebook", "cell", "score", "max"])
        for row in sorted(results.per_cell):
            writer.writerow([*row[:4], f"{row[4]:g}", f"{row[5]:g}"])
    return path


