"""``report/canvas.csv`` read the way Canvas's gradebook importer reads it.

A small class in a gradebook written with nbgrader's API: LMS ids in the gradebook, SIS ids
and sections in the roster file, a late hand-in, a student who handed nothing in, one whose
regrade failed. :func:`canvas_import` follows the rules of Canvas's ``GradebookImporter``
(header, Points Possible row, students by ID then SIS User ID then SIS Login ID, an
assignment by the id in ``Name (id)``).
"""

import csv
import re
import subprocess
import sys

import pytest
from gradebook_course import Result, graded_course

from instructor.authoring.courses import venv_env

# Every test reads a report the module's fixture writes (a gradebook and `workbook report`:
# 15 to 45 s, depending on the load).
pytestmark = pytest.mark.slow

A1, A3 = "01_forward_pass", "03_activations_losses"
ROSTER = """id,first_name,last_name,email,lms_user_id,sis_user_id,sis_login_id,section
ada,Ada,Lovelace,ada@example.edu,1001,S-0001,ada.lovelace,Tuesday lab
alan,Alan,Turing,alan@example.edu,1002,S-0002,,Thursday lab
grace,Grace,Hopper,grace@example.edu,1003,,grace.hopper,
"""
CONFIG = ('c.CanvasExport.columns = {"01_forward_pass": "Assignment 1: forward pass (4711)"}\n')


@pytest.fixture(scope="module")
def course(tmp_path_factory):
    folder = tmp_path_factory.mktemp("canvas")
    (folder / "roster.csv").write_text(ROSTER)
    results = [Result("ada", A1, 21), Result("ada", A3, 30),
               Result("alan", A1, 19, penalty=1.9), Result("alan", A3, None),
               Result("grace", A1, 12, status="error"), Result("grace", A3, 25),
               Result("linus", A1, None), Result("linus", A3, None)]
    return graded_course(folder, {A1: 21, A3: 31},
                         {"ada": "1001", "alan": "1002", "grace": "1003", "linus": None},
                         results, CONFIG)


@pytest.fixture(scope="module")
def reported(course):
    """The course after ``workbook report``."""
    workbook(course, "report")
    return course


def workbook(course, *args):
    result = subprocess.run([sys.executable, "-m", "instructor.cli", *args, "--course",
                             str(course)], env=venv_env(), capture_output=True, text=True,
                            timeout=300)
    assert result.returncode == 0, result.stderr[-3000:]
    return result


def canvas_import(path):
    """``{(student key, column): cell}`` and the points of each column, as Canvas's importer
    parses the file: raises AssertionError where Canvas would refuse it."""
    with open(path, newline="") as handle:
        rows = list(csv.reader(handle))
    header = rows[0]
    assert len(header) > 3 and "Student" in header[0] and "ID" in header[1]
    assert re.search(r"SIS\s+User\s+ID", header[2]) and re.search(r"SIS\s+Login\s+ID", header[3])
    assert "Section" in header[4], "the last student column must be Section"
    columns = header[5:]
    points = {}
    cells = {}
    for row in rows[1:]:
        assert len(row) == len(header)
        if "Points Possible" in row[0]:
            points = dict(zip(columns, row[5:], strict=True))
            continue
        # Canvas finds a student by ID, then SIS User ID, then SIS Login ID, then by name.
        key = ("ID", row[1]) if row[1] else ("SIS User ID", row[2]) if row[2] else (
            ("SIS Login ID", row[3]) if row[3] else ("name", row[0]))
        for column, cell in zip(columns, row[5:], strict=True):
            cells[(key, column)] = cell
    return cells, points


def test_the_full_file_has_lms_ids_blank_missing_work_and_named_columns(reported):
    course = reported
    cells, points = canvas_import(course / "report" / "canvas.csv")
    named = "Assignment 1: forward pass (4711)"
    assert re.fullmatch(r".+ \((\d+)\)", named)           # Canvas's "Name (id)"
    assert points == {named: "21", A3: "31"}
    ada, alan, grace = ("ID", "1001"), ("ID", "1002"), ("ID", "1003")
    assert cells[(ada, named)] == "21" and cells[(ada, A3)] == "30"
    assert cells[(alan, named)] == "17.1"                   # the late penalty taken off
    assert cells[(alan, A3)] == ""                          # nothing handed in: blank, not 0
    assert cells[(grace, named)] == "12"                    # the gradebook keeps the old score
    assert cells[(("name", "Example, Linus"), named)] == ""  # no LMS id, nothing handed in
    with open(course / "report" / "canvas.csv", newline="") as handle:
        rows = {r[1]: r for r in csv.reader(handle)}
    assert rows["1001"][:5] == ["Example, Ada", "1001", "S-0001", "ada.lovelace", "Tuesday lab"]
    assert rows["1002"][2:5] == ["S-0002", "", "Thursday lab"]
    assert rows["1003"][2:5] == ["", "grace.hopper", ""]   # never the course login in SIS ids


def test_canvas_only_writes_the_chosen_columns_and_leaves_the_report(reported):
    course = reported
    full = course / "report" / "canvas.csv"
    before = {p.name: p.read_bytes() for p in (course / "report").iterdir()}
    written = workbook(course, "report", A3, "--canvas-only").stdout.strip()
    assert written.endswith(f"canvas-{A3}.csv")
    cells, points = canvas_import(written)
    assert points == {A3: "31"}
    assert {column for _, column in cells} == {A3}
    assert cells[(("ID", "1003"), A3)] == "25"
    after = {p.name: p.read_bytes() for p in (course / "report").iterdir() if p.name in before}
    assert after == before and full.exists()


def test_canvas_only_needs_the_assignments(reported, capsys):
    from instructor.cli import main

    assert main(["report", "--canvas-only", "--course", str(reported)]) == 2
    assert "--canvas-only needs the assignments" in capsys.readouterr().err
