"""A written answer, graded by a person the way an instructor does it in formgrader.

One student hands in the solution of Assignment 1 with a written answer in ``explain_depth``;
``workbook grade`` leaves that cell to a person; a score and a comment are set in the gradebook
as formgrader's Manual Grading page sets them; the student's page, the report and
``workbook-grades.csv`` then agree on it.
"""

import csv
import html
import re
import subprocess
import sys

import pytest
from nbgrader.api import Gradebook

from instructor.authoring.courses import COURSE, venv_env
from instructor.authoring.submissions import solution_cells
from instructor.grading.records import GRADES_FILE
from instructor.report import collect

# Runs graders and kernels: the slow layer (`pytest -m "not slow"` skips it).
pytestmark = pytest.mark.slow

ASSIGNMENT, NOTEBOOK, CELL = "01_forward_pass", "forward_pass", "explain_depth"
AUTO, WRITTEN = 21, 3          # the points the grader decides, and the written answer's
ANSWER = ("Matrix products are associative, so the three layers are one matrix; the ReLU "
          "network sends -x to (3, 4, 5), not to -(-4, 8, 4), so no matrix reproduces it.")
COMMENT = "Right on both counts; say what this means for depth."


def workbook(course, *args):
    return subprocess.run([sys.executable, "-m", "instructor.cli", *args], cwd=course,
                          env=venv_env(), check=True, capture_output=True, text=True)


def page_text(course):
    page = (course / "feedback" / "ada" / ASSIGNMENT / f"{NOTEBOOK}.html").read_text()
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", page)).split())


def grade_row(course):
    [row] = csv.DictReader((course / GRADES_FILE).open())
    return row


def test_a_written_answer_is_graded_by_a_person(course_with):
    """Does the grader leave the written answer to a person, and do the page, the report and
    workbook-grades.csv show the score and comment set in formgrader?"""
    answers = solution_cells(COURSE / "source" / ASSIGNMENT / f"{NOTEBOOK}.ipynb")
    course = course_with(ASSIGNMENT, {"ada": {**answers, CELL: ANSWER}})
    workbook(course, "grade", ASSIGNMENT, "--quiet")
    db = f"sqlite:///{course / 'gradebook.db'}"
    with Gradebook(db) as gb:
        grade = gb.find_grade(CELL, NOTEBOOK, ASSIGNMENT, "ada")
        assert (grade.auto_score, grade.needs_manual_grade, grade.max_score) == (
            None, True, WRITTEN)
    row = grade_row(course)
    assert (float(row["score"]), float(row["max_score"])) == (AUTO, AUTO + WRITTEN)

    workbook(course, "feedback", ASSIGNMENT)
    before = page_text(course)
    assert f"{CELL} to be graded by your instructor" in before
    assert ANSWER in before and "Rubric" not in before
    waiting = collect(course).cells[(ASSIGNMENT, NOTEBOOK, CELL)]
    assert (waiting.pending, waiting.scores) == (1, [])

    with Gradebook(db) as gb:     # what formgrader's score box and comment box do
        gb.find_grade(CELL, NOTEBOOK, ASSIGNMENT, "ada").manual_score = 2
        gb.find_comment(CELL, NOTEBOOK, ASSIGNMENT, "ada").manual_comment = COMMENT
        gb.db.commit()

    workbook(course, "feedback", ASSIGNMENT)
    after = page_text(course)
    assert f"{CELL}: 2 / {WRITTEN}" in after
    assert f"Graded by your instructor: 2 / {WRITTEN}." in after
    assert f"Comment: {COMMENT}" in after
    assert f"Score: {AUTO + 2} / {AUTO + WRITTEN}" in after
    row = grade_row(course)
    assert float(row["score"]) == AUTO + 2 and "changed in formgrader" in row["flags"]

    workbook(course, "report")
    graded = collect(course)
    assert graded.totals[("ada", ASSIGNMENT)] == AUTO + 2
    assert graded.cells[(ASSIGNMENT, NOTEBOOK, CELL)].scores == [2]
    cells = {r["cell"]: r for r in csv.DictReader((course / "report" / "cells.csv").open())}
    assert float(cells[CELL]["score"]) == 2
