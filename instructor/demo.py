"""The README's first command: grade sample submissions with ``workbook grade``, print the grades.

The demo runs in a course of its own, ``demo/`` (made anew each time, git-ignored): a copy of
``source/``, ``release/`` and ``nbgrader_config.py`` with a gradebook of its own, so its made-up
students never enter the course's own gradebook. Four sample students hand in every assignment
found in ``source/``, as ``nbgrader submit`` would (``timestamp.txt``,
``submission_secret.txt``; their answers are read from the source notebooks at run time, never
stored):

- ``alex`` answers everything correctly;
- ``blake`` hands in the release untouched;
- ``casey`` answers the first half of the questions and leaves the rest;
- ``dana`` answers everything but forgets to hand in the last assignment.
"""

import secrets
import shutil
import sys
import time
import warnings
from datetime import UTC, datetime
from pathlib import Path

from instructor.authoring.submissions import solution_cells, write_submission
from instructor.course import course_config
from instructor.grading import Options, grade
from instructor.vocabulary import Status

STUDENTS = ("alex", "blake", "casey", "dana")
DEMO = "demo"


def make_demo_course(repository):
    """``repository/demo``, made anew: the course's notebooks, config and assignments."""
    course = Path(repository) / DEMO
    shutil.rmtree(course, ignore_errors=True)
    course.mkdir()
    for folder in ("source", "release"):
        shutil.copytree(Path(repository) / folder, course / folder,
                        ignore=shutil.ignore_patterns(".ipynb_checkpoints", "__pycache__"))
    shutil.copy(Path(repository) / "nbgrader_config.py", course)
    from instructor.release import generate

    generate(course)        # a gradebook of its own, with the assignments and no student
    return course


def answers_for(student, solutions, is_last):
    """The answer cells a sample student hands in, or None for the untouched release."""
    if student == "blake":
        return None
    if student == "casey":
        half = list(solutions)[: len(solutions) // 2]
        return {grade_id: solutions[grade_id] for grade_id in half}
    if student == "dana" and is_last:
        return "skip"
    return solutions


def make_submissions(root):
    """Write every sample student's submission of every assignment under ``submitted/``."""
    assignments = sorted(p.name for p in (root / "source").iterdir() if p.is_dir())
    for index, assignment in enumerate(assignments):
        for source_nb in sorted((root / "source" / assignment).glob("*.ipynb")):
            solutions = solution_cells(source_nb)
            release_nb = root / "release" / assignment / source_nb.name
            for student in STUDENTS:
                cells = answers_for(student, solutions, index == len(assignments) - 1)
                if cells == "skip":
                    continue
                target = root / "submitted" / student / assignment / source_nb.name
                write_submission(release_nb, target, cells)
                receipts(target.parent)
    return assignments


def receipts(folder):
    """What ``nbgrader submit`` writes beside a hand-in (``release_feedback`` reads both)."""
    stamp = folder / "timestamp.txt"
    if not stamp.exists():
        stamp.write_text(datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%S.%f UTC"))
        (folder / "submission_secret.txt").write_text(secrets.token_hex(16))


def grade_table(root, assignments):
    """Rows of (student, score per assignment..., total) read back from the gradebook."""
    from nbgrader.api import Gradebook, MissingEntry

    rows, maxima = [], []
    with Gradebook(course_config(root).CourseDirectory.db_url) as gb:
        for assignment in assignments:
            maxima.append(gb.find_assignment(assignment).max_score)
        for student in STUDENTS:
            scores = []
            for assignment in assignments:
                try:
                    scores.append(gb.find_submission(assignment, student).score)
                except MissingEntry:
                    scores.append(None)
            rows.append((student, scores))
    return rows, maxima


def print_table(assignments, rows, maxima):
    width = max(len(a) for a in assignments) + 2
    print("\n" + "student".ljust(10) + "".join(a.rjust(width) for a in assignments)
          + "total".rjust(10))
    print("max".ljust(10) + "".join(f"{m:g}".rjust(width) for m in maxima)
          + f"{sum(maxima):g}".rjust(10))
    for student, scores in rows:
        cells = ["missing" if s is None else f"{s:g}" for s in scores]
        total = sum(s for s in scores if s is not None)
        print(student.ljust(10) + "".join(c.rjust(width) for c in cells) + f"{total:g}".rjust(10))
    print("(max counts the written answers of Assignments 1, 2 and 6, 3 points each, which a "
          "person grades in formgrader; until then they score 0)")


def main():
    # nbgrader's gradebook API triggers SQLAlchemy warnings that mean nothing to a grader.
    warnings.filterwarnings("ignore", module="nbgrader.api")
    root = make_demo_course(Path.cwd())
    started = time.perf_counter()
    assignments = make_submissions(root)
    failed = [f"{r.student}/{assignment}: {'; '.join(r.flags)}" for assignment in assignments
              for r in grade(root, assignment, options=Options()).results
              if r.status == Status.ERROR]
    rows, maxima = grade_table(root, assignments)
    print_table(assignments, rows, maxima)
    print(f"\nGraded {len(assignments)} assignments in {time.perf_counter() - started:.0f} s "
          f"with `workbook grade`, in the demo's own course {DEMO}/: scores in "
          f"{DEMO}/gradebook.db and {DEMO}/workbook-grades.csv, graded notebooks under "
          f"{DEMO}/autograded/.")
    if failed:
        sys.exit("The grader failed on some work, which it should never do:\n" + "\n".join(failed))
    from instructor.feedback import write_feedback
    from instructor.report import write_report

    pages = [page for assignment in assignments for page in write_feedback(root, assignment)]
    example = root / "feedback" / "casey" / assignments[0]
    print(f"Feedback for the students (`workbook feedback`): {len(pages)} pages under "
          f"{DEMO}/feedback/<student>/<assignment>/, e.g. "
          f"{next(example.glob('*.html')).relative_to(root.parent)} (half done). "
          "On the hub, `nbgrader release_feedback` hands them out.")
    page = write_report(root)[0]
    print(f"The class report (`workbook report`): {page.relative_to(root.parent)}, with "
          "cells.csv, canvas.csv and similarity.csv beside it.")


if __name__ == "__main__":
    main()
