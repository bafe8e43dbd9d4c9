"""formgrader and the course's own files, kept in step.

formgrader (nbgrader's grading pages) reads and writes the gradebook only. So that it and the
course's files tell the same story:

- :func:`mark_flagged`: a hand-in the grader flagged (tampering, a misnamed notebook, output
  cut, an unsandboxed run...) is marked in the gradebook, so formgrader's *Flagged?* column
  shows it; what each flag says is in ``workbook-grades.csv`` and the report's *To review*.
- :func:`sync_grade_file`: a score a person changed in formgrader (a manual grade, a written
  answer graded) is brought into ``workbook-grades.csv``, flagged "changed in formgrader";
  ``workbook feedback``, ``workbook report`` and the grading service call it.
"""

import warnings

from nbgrader.api import Gradebook, MissingEntry

from instructor.course import course_config
from instructor.grading.records import Result, read_grade_file, write_grade_file
from instructor.nbgrader_hooks import score_after_penalty
from instructor.vocabulary import Status

__all__ = ["CHANGED", "mark_flagged", "sync_grade_file"]

CHANGED = "score changed in formgrader"


def _gradebook(root):
    warnings.filterwarnings("ignore", module="nbgrader.api")
    return Gradebook(course_config(root).CourseDirectory.db_url)


def mark_flagged(root, assignment, results):
    """Set formgrader's *Flagged?* on every notebook of each result with flags."""
    flagged = [r.student for r in results if r.flags and Status(r.status).graded]
    if not flagged:
        return []
    with _gradebook(root) as gb:
        for student in flagged:
            try:
                submission = gb.find_submission(assignment, student)
            except MissingEntry:
                continue
            for notebook in submission.notebooks:
                notebook.flagged = True
        gb.db.commit()
    return flagged


def sync_grade_file(root):
    """Bring scores changed in the gradebook since grading into ``workbook-grades.csv``;
    return ``[(student, assignment, old score, new score)]``."""
    rows = read_grade_file(root)
    if not rows:
        return []
    changed, updates = [], {}
    with _gradebook(root) as gb:
        for (student, assignment), row in sorted(rows.items()):
            if row["score"] == "" or not Status(row["status"]).graded:
                continue
            try:
                score = score_after_penalty(gb.find_submission(assignment, student))
            except MissingEntry:
                continue
            if abs(score - float(row["score"])) < 1e-9:
                continue
            flags = [f for f in row["flags"].split("; ") if f and f != CHANGED] + [CHANGED]
            updates.setdefault(assignment, []).append(Result(
                student, assignment, score, float(row["max_score"]), Status(row["status"]),
                flags))
            changed.append((student, assignment, float(row["score"]), score))
    for assignment, results in updates.items():
        write_grade_file(root, assignment, results)
    return changed
