"""``report/canvas.csv``: the class's totals in the layout Canvas's gradebook importer reads.

Canvas's importer (``GradebookImporter`` in canvas-lms) reads a header row starting
``Student, ID`` and ending its student columns with ``Section`` (with ``SIS User ID, SIS Login
ID`` between), an optional ``Points Possible`` row, then one row per student. It finds the
student by ``ID`` (Canvas's user id) first, then by SIS User ID, then SIS Login ID, then by
name; it finds the assignment of a column by the id in a header ``Name (id)``, then by a title
equal to the header, and creates a new assignment otherwise. Columns it finds unchanged are
dropped from the import. So this file writes:

- ``ID``: the student's ``lms_user_id`` from the gradebook (``nbgrader db student import``
  reads it from the roster), ``SIS User ID``, ``SIS Login ID`` and ``Section`` from the
  roster file of :class:`~instructor.lms.config.CanvasExport` (blank where unknown, never the
  course login);
- a header per assignment from ``c.CanvasExport.columns`` (``Name (canvas id)``), else the
  assignment id;
- a blank cell, never 0, where nothing was handed in, so Canvas does not grade missing work;
- with :func:`write_partial`, only some assignments, in a file of its own, so one upload
  touches only those columns and ``report/`` keeps its full file.
"""

import csv
import warnings
from pathlib import Path

from instructor.lms.config import canvas_export

__all__ = ["FIXED", "partial_name", "write_canvas_csv", "write_partial"]

FIXED = ["Student", "ID", "SIS User ID", "SIS Login ID", "Section"]


def read_roster(root, path):
    """``{student id: row}`` of the roster CSV at ``path`` (relative to ``root``); empty if
    there is none."""
    path = Path(root) / path
    if not path.is_file():
        return {}
    with open(path, newline="", encoding="utf-8-sig") as handle:
        return {row["id"].strip(): row for row in csv.DictReader(handle) if row.get("id")}


def lms_user_ids(root):
    """``{student id: lms_user_id}`` of the gradebook's students that have one."""
    from nbgrader.api import Gradebook

    from instructor.course import course_config

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with Gradebook(course_config(root).CourseDirectory.db_url) as gb:
            return {s.id: s.lms_user_id for s in gb.students if s.lms_user_id}


def write_canvas_csv(root, results, path, assignments=None):
    """Write ``results`` (an :class:`instructor.report.ClassResults`) for Canvas to ``path``:
    every assignment of ``results``, or only ``assignments``. Returns ``path``."""
    settings = canvas_export(root)
    roster = read_roster(root, settings.roster)
    ids = lms_user_ids(root)
    chosen = [a for a in results.assignments if assignments is None or a in assignments]
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow([*FIXED, *(settings.columns.get(a, a) for a in chosen)])
        writer.writerow(["Points Possible", "", "", "", "",
                         *(f"{results.max_scores[a]:g}" for a in chosen)])
        for student in results.students:
            extra = roster.get(student, {})
            cells = [_cell(results, student, a) for a in chosen]
            writer.writerow([results.names.get(student, student), ids.get(student, ""),
                             extra.get("sis_user_id", "").strip(),
                             extra.get("sis_login_id", "").strip(),
                             extra.get("section", "").strip(), *cells])
    return path


def _cell(results, student, assignment):
    """A score, or blank where nothing was handed in or nothing was graded."""
    if results.status(student, assignment) == "missing":
        return ""
    score = results.score(student, assignment)
    return "" if score is None else f"{score:g}"


def partial_name(assignments):
    """The file name of a Canvas file for some assignments only."""
    return f"canvas-{'+'.join(assignments)}.csv"


def write_partial(root, assignments):
    """``report/canvas-<ids>.csv`` with only ``assignments``; the full report is left as it is.
    Returns the path, or None when none of them has been graded."""
    from instructor.report import collect

    root = Path(root).resolve()
    results = collect(root, assignments)
    if results is None:
        return None
    folder = root / "report"
    folder.mkdir(exist_ok=True)
    return write_canvas_csv(root, results, folder / partial_name(assignments), assignments)
