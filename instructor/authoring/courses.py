"""Throw-away copies of the course, graded by the real nbgrader command line.

The tests of the tests and the benchmarks build a course from some assignments of ``source/``
(:func:`make_course`), hand in submissions made from the release (:func:`grade_declared` does
it for an assignment's solution, blank release, planted mistakes and variants), run nbgrader
(:func:`nbgrader`) and read the gradebook back (:func:`read_grades`).
"""

import json
import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

from instructor.authoring.edits import apply_edits
from instructor.authoring.submissions import solution_cells, write_submission
from instructor.grading.records import read_grade_file
from instructor.vocabulary import Status, grade_id

__all__ = [
    "BLANK", "COURSE", "GRADERS", "SOLUTION", "Grades", "declared_submissions", "executed_errors",
    "grade_declared", "hand_in", "make_course", "nbgrader", "read_audit", "read_grades",
    "run_grader",
    "student_id", "venv_env",
]

# This repository: the course the copies are made from.
COURSE = Path(__file__).resolve().parents[2]
SOLUTION, BLANK = "solution", "blank"


@dataclass
class Grades:
    """One student's result: total, maximum, the score of each graded cell, and what only the
    answer key decided of each (``audit``, from ``workbook grade`` only).

    ``written``: the cells a person grades (written answers, markdown); a grader gives them
    nothing, so a right answer earns :attr:`auto_max`, not ``max_score``, before a person grades.
    """

    score: float
    max_score: float
    cells: dict = field(default_factory=dict)
    max_cells: dict = field(default_factory=dict)
    audit: dict = field(default_factory=dict)
    written: frozenset = frozenset()

    @property
    def auto_max(self):
        """The points the graders decide: every cell's but the written answers'."""
        return self.max_score - sum(self.max_cells[name] for name in self.written)


def venv_env(drop=()):
    """Environment for subprocesses of the course: this interpreter's bin/ first on PATH.

    nbgrader needs it to find `alembic`; Jupyter to find this venv's kernel. The course's own
    gradebook URL and every variable named in ``drop`` are removed.
    """
    env = {k: v for k, v in os.environ.items() if k not in ("WORKBOOK_DB_URL", *drop)}
    env["PATH"] = str(Path(sys.executable).parent) + os.pathsep + env.get("PATH", "")
    return env


def nbgrader(course, *args, check=True):
    """Run the real nbgrader command line in ``course``; return the completed process."""
    result = subprocess.run(
        [sys.executable, "-m", "nbgrader", *args],
        cwd=course, env=venv_env(), capture_output=True, text=True,
    )
    if check and result.returncode != 0:
        raise AssertionError(
            f"nbgrader {' '.join(args)} failed ({result.returncode}):\n"
            f"{result.stdout[-4000:]}\n{result.stderr[-4000:]}"
        )
    return result


def make_course(tmp, assignments, db_url=None):
    """Copy the config and the given source assignments into ``tmp`` and generate them.

    ``db_url``: keep the gradebook there (e.g. PostgreSQL) instead of the course's SQLite file.
    """
    course = Path(tmp)
    shutil.copy(COURSE / "nbgrader_config.py", course / "nbgrader_config.py")
    if db_url:
        with open(course / "nbgrader_config.py", "a") as config:
            config.write(f"\nc.CourseDirectory.db_url = {db_url!r}\n")
    for assignment in assignments:
        shutil.copytree(COURSE / "source" / assignment, course / "source" / assignment)
        nbgrader(course, "generate_assignment", assignment, "--force")
    return course


def hand_in(course, assignment, student, cells=SOLUTION, notebook=None):
    """Hand in ``assignment`` as ``student``: the solution (``SOLUTION``), the blank release
    (None) or these answer cells (``{grade_id: code}``); the path of the notebook handed in.

    ``notebook`` names the file differently (a misnamed hand-in).
    """
    course = Path(course)
    [release] = sorted((course / "release" / assignment).glob("*.ipynb"))
    if cells == SOLUTION:
        cells = solution_cells(course / "source" / assignment / release.name)
    target = course / "submitted" / student / assignment / f"{notebook or release.stem}.ipynb"
    write_submission(release, target, cells)
    return target


def read_grades(course, assignment, notebook):
    """``{student: Grades}`` from the course's gradebook."""
    from nbgrader.api import Gradebook

    grades = {}
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gb:
        for student in gb.students:
            nb = gb.find_submission_notebook(notebook, assignment, student.id)
            grades[student.id] = Grades(
                score=nb.score,
                max_score=nb.max_score,
                cells={g.name: g.score for g in nb.grades},
                max_cells={g.name: g.max_score for g in nb.grades},
                written=frozenset(g.name for g in nb.grades if g.cell.cell_type == "markdown"),
            )
    return grades


def student_id(name):
    """A safe nbgrader student id for a submission name (letters, digits and dashes)."""
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")


# The graders the tests of the tests compare: stock nbgrader (hidden tests decided in the
# kernel) and `workbook grade`, which in the same run also audits what only the answer key
# decides (Options.audit), written to AUDIT_FILE.
GRADERS = ("nbgrader", "workbook")
AUDIT_FILE = "audit.json"

_AUDITED = ("import json, sys; from instructor.grading import Options, grade; "
            "run = grade(sys.argv[1], sys.argv[2], options=Options(progress=False, audit=True)); "
            "json.dump({r.student: r.audit for r in run.results}, open(sys.argv[3], 'w')); "
            "sys.exit(any(r.status == 'error' for r in run.results))")


def run_grader(course, assignment, grader):
    """Grade every submission of ``assignment`` in ``course`` with one of :data:`GRADERS`."""
    if grader == "nbgrader":
        return nbgrader(course, "autograde", assignment, "--force")
    command = [sys.executable, "-c", _AUDITED, str(course), assignment, str(course / AUDIT_FILE)]
    result = subprocess.run(command, cwd=course, env=venv_env(), capture_output=True, text=True)
    if result.returncode != 0:
        rows = [f"{s}: {row['flags']}" for (s, _), row in read_grade_file(course).items()
                if row["status"] == Status.ERROR]
        raise AssertionError(f"{grader} failed ({result.returncode}):\n" + "\n".join(rows)
                             + f"\n{result.stdout[-4000:]}\n{result.stderr[-4000:]}")
    return result


def read_audit(course, notebook):
    """``{student: {grade_id: score}}``: what only the answer key decided, per student."""
    audit = json.loads((Path(course) / AUDIT_FILE).read_text())
    return {student: cells.get(notebook, {}) for student, cells in audit.items()}


def declared_submissions(spec, solution):
    """``{submission name: answer cells}``: solution, blank (None), mistakes and variants."""
    submissions = {SOLUTION: solution, BLANK: None}
    for item in [*spec.MISTAKES, *spec.VARIANTS]:
        if item.name in submissions:
            raise AssertionError(f"two submissions are called {item.name!r}")
        submissions[item.name] = apply_edits(solution, item.edits)
    return submissions


def grade_declared(tmp, spec, grader="nbgrader", right_only=False):
    """Build a course, hand in solution, blank, mistakes and variants, grade, read grades.

    With ``right_only`` the planted mistakes are left out (solution, blank and variants only).
    Returns ``(course, grades, grader process)``; ``grades`` is keyed by submission name.
    """
    course = make_course(tmp, [spec.ASSIGNMENT])
    name = f"{spec.NOTEBOOK}.ipynb"
    submissions = declared_submissions(spec, solution_cells(course / "source" / spec.ASSIGNMENT
                                                            / name))
    if right_only:
        mistakes = {mistake.name for mistake in spec.MISTAKES}
        submissions = {k: v for k, v in submissions.items() if k not in mistakes}
    ids = {student_id(name): name for name in submissions}
    if len(ids) != len(submissions):
        raise AssertionError("two submission names map to the same student id")
    for sid, item in ids.items():
        target = course / "submitted" / sid / spec.ASSIGNMENT / name
        write_submission(course / "release" / spec.ASSIGNMENT / name, target, submissions[item])
    if grader == "nbgrader":
        return course, *_stock_in_two(course, spec, ids)
    process = run_grader(course, spec.ASSIGNMENT, grader)
    by_id = read_grades(course, spec.ASSIGNMENT, spec.NOTEBOOK)
    if grader == "workbook":
        for sid, audit in read_audit(course, spec.NOTEBOOK).items():
            by_id[sid].audit = audit
    return course, {ids[sid]: g for sid, g in by_id.items()}, process


def _stock_in_two(course, spec, ids):
    """Stock ``nbgrader autograde`` (which grades one notebook after another) on two copies of
    the course at once, each with half the students (the solution and the blank stay in
    ``course``): ``(grades by submission name, the first process)``."""
    half = course.parent / f"{course.name}-second-half"
    shutil.copytree(course, half)
    first = sorted(ids, key=lambda sid: ids[sid] not in (SOLUTION, BLANK))
    keep = set(first[: (len(first) + 1) // 2])
    for folder, mine in ((course, keep), (half, set(ids) - keep)):
        for student in ids:
            if student not in mine:
                shutil.rmtree(folder / "submitted" / student)
    command = [sys.executable, "-m", "nbgrader", "autograde", spec.ASSIGNMENT, "--force"]
    running = [subprocess.Popen(command, cwd=folder, env=venv_env(), stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, text=True) for folder in (course, half)]
    done = []
    for process in running:
        out, err = process.communicate()
        if process.returncode != 0:
            raise AssertionError(f"nbgrader autograde failed ({process.returncode}):\n"
                                 f"{out[-4000:]}\n{err[-4000:]}")
        done.append(subprocess.CompletedProcess(process.args, 0, out, err))
    by_id = {**read_grades(course, spec.ASSIGNMENT, spec.NOTEBOOK),
             **read_grades(half, spec.ASSIGNMENT, spec.NOTEBOOK)}
    return {ids[sid]: g for sid, g in by_id.items() if sid in ids}, done[0]


def executed_errors(course, assignment, notebook, student):
    """Names of the error outputs in one autograded notebook (e.g. a crashed given cell)."""
    path = course / "autograded" / student / assignment / f"{notebook}.ipynb"
    nb = json.loads(path.read_text())
    errors = []
    for cell in nb["cells"]:
        for output in cell.get("outputs", []):
            if output.get("output_type") == "error":
                where = grade_id(cell) or "?"
                errors.append(f"{where}: {output.get('ename')}: {output.get('evalue')}")
    return errors
