"""``workbook report``: how the class did, for the instructor.

Read from the nbgrader gradebook (every graded cell of every submission), ``workbook-grades.csv``
(statuses and flags, through :func:`read_grade_rows`) and the autograded notebooks (the error
each failed test cell raised, cleaned of hidden-test lines as on the feedback pages). Writes:

- ``report/report.html``: one self-contained page (pictures embedded as PNG, no scripts);
- ``report/cells.csv``: student, assignment, notebook, cell, score, max: one row per cell;
- ``report/canvas.csv``: the totals in Canvas's gradebook import layout
  (:mod:`instructor.lms.canvas`);
- ``report/similarity.csv``: pairs of students whose answers are unusually alike
  (:mod:`instructor.similarity`), also shown side by side on the page.
"""

import csv
import json
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from nbgrader.api import Gradebook

from instructor.course import GRADES_FILE, course_config
from instructor.feedback import error_line, hidden_test_lines
from instructor.nbgrader_hooks import score_after_penalty
from instructor.vocabulary import grade_id, is_test

__all__ = ["ClassResults", "collect", "read_grade_rows", "write_report"]

def read_grade_rows(root):
    """``{(student, assignment): row}`` of the grade file ``workbook grade`` writes (status,
    flags, score); empty if there is none. The one place that knows its name and layout."""
    path = Path(root) / GRADES_FILE
    if not path.exists():
        return {}
    with open(path, newline="") as handle:
        return {(r["student"], r["assignment"]): r for r in csv.DictReader(handle)}


@dataclass
class CellStats:
    """One graded cell across the class."""

    assignment: str
    notebook: str
    cell: str
    max_score: float
    scores: list = field(default_factory=list)
    errors: Counter = field(default_factory=Counter)

    @property
    def pass_rate(self):
        """The share of graded submissions with full marks on this cell."""
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


def collect(root, assignments=None):
    """The class's results for ``assignments`` (default: all in the gradebook that have
    submissions); None if nothing has been graded."""
    root = Path(root).resolve()
    rows = read_grade_rows(root)
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
            _collect_assignment(root, found[name], results)
    results.rows = {k: r for k, r in rows.items() if k[1] in wanted}
    return results


def _collect_assignment(root, assignment, results):
    for notebook in assignment.notebooks:
        for cell in notebook.grade_cells:
            results.cells[(assignment.name, notebook.name, cell.name)] = CellStats(
                assignment.name, notebook.name, cell.name, cell.max_score)
    secrets = hidden_test_lines(root, assignment.name)
    for submission in assignment.submissions:
        student = submission.student.id
        results.totals[(student, assignment.name)] = score_after_penalty(submission)
        for notebook in submission.notebooks:
            for grade in notebook.grades:
                key = (assignment.name, notebook.name, grade.name)
                if key in results.cells:
                    results.cells[key].scores.append(grade.score)
                results.per_cell.append((student, assignment.name, notebook.name, grade.name,
                                         grade.score, grade.max_score))
            path = root / "autograded" / student / assignment.name / f"{notebook.name}.ipynb"
            for cell, error in _test_errors(path):
                key = (assignment.name, notebook.name, cell)
                if key in results.cells:
                    results.cells[key].errors[_label(error, secrets)] += 1


def _label(error, secrets):
    """``Name: first line`` of an error as the feedback pages show it, shorter for a blank."""
    if error.get("ename") == "NotImplementedError" and not str(error.get("evalue", "")).strip():
        return "NotImplementedError (answer left blank)"
    return error_line(error, secrets)


def _test_errors(path):
    """``(grade id, error output)`` of each test cell of an autograded notebook that failed."""
    try:
        nb = json.loads(path.read_text())
    except (OSError, ValueError):
        return []
    found = []
    for cell in nb.get("cells", []):
        if is_test(cell):
            for output in cell.get("outputs", []):
                if output.get("output_type") == "error":
                    first = str(output.get("evalue", "")).split("\n")[0]
                    found.append((grade_id(cell), {**output, "evalue": first}))
                    break
    return found


def write_report(root, assignments=None, similarity_threshold=None):
    """Write the report page and the CSV files into ``root/report``; return their paths
    (empty if nothing has been graded). ``similarity_threshold``: the share of alike code from
    which a pair of students is listed (default :data:`instructor.similarity.DEFAULT_THRESHOLD`).
    """
    from instructor import similarity
    from instructor.lms.canvas import write_canvas_csv
    from instructor.report_page import render

    root = Path(root).resolve()
    results = collect(root, assignments)
    if results is None:
        return []
    folder = root / "report"
    folder.mkdir(exist_ok=True)
    threshold = similarity_threshold or similarity.DEFAULT_THRESHOLD
    pairs = similarity.find_pairs(root, results.assignments, threshold)
    page = folder / "report.html"
    page.write_text(render(results, course_config(root).CourseDirectory.get("course_id", ""),
                           [("similarity", "Similar answers",
                             similarity.section(pairs, threshold))]))
    return [page, write_cells_csv(results, folder / "cells.csv"),
            write_canvas_csv(root, results, folder / "canvas.csv"),
            similarity.write_csv(pairs, folder / "similarity.csv")]


def write_cells_csv(results, path):
    """One row per student and graded cell: student, assignment, notebook, cell, score, max."""
    with open(path, "w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["student", "assignment", "notebook", "cell", "score", "max"])
        for row in sorted(results.per_cell):
            writer.writerow([*row[:4], f"{row[4]:g}", f"{row[5]:g}"])
    return path


def by_assignment(results):
    """``{assignment: [CellStats]}``, hardest (lowest pass rate) first."""
    grouped = defaultdict(list)
    for stats in results.cells.values():
        grouped[stats.assignment].append(stats)
    return {a: sorted(grouped[a], key=lambda s: (s.pass_rate, s.notebook, s.cell))
            for a in results.assignments}

