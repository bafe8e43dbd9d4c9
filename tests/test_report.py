"""``workbook report`` on a small class graded by the real ``workbook grade``.

Two assignments, seven students: all correct, blank, one mistake, one who skipped Assignment 3,
one whose regrade failed (the old score must stay), one with a folder but no hand-in of
either, and one known only to the gradebook. The page is opened in Chromium; screenshots go
to ``test-artifacts/report/``.
"""

import csv
import subprocess
import sys
from pathlib import Path

import pytest
from nbgrader.api import Gradebook
from test_grader import WRONG, workbook

from instructor.authoring.courses import make_course, venv_env
from instructor.authoring.submissions import solution_cells, write_submission
from instructor.course import FEEDBACK, course_config
from instructor.grading.records import GRADES_FILE
from instructor.grading.sandbox import sandbox_problem

from lab_server import CHROMIUM, CHROMIUM_ARGS

# Runs graders, kernels or browsers: the slow layer (`pytest -m "not slow"` skips it).
pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[1]
ARTIFACTS = ROOT / "test-artifacts" / "report"
A1, N1, MAX1 = "01_forward_pass", "forward_pass", 24
AUTO1 = 21     # what the grader decides; 3 more for a written answer a person grades
A3, N3, MAX3 = "03_activations_losses", "activations_losses", 31


def hand_in(course, student, assignment, notebook, cells):
    release = course / "release" / assignment / f"{notebook}.ipynb"
    write_submission(release, course / "submitted" / student / assignment / release.name, cells)


@pytest.fixture(scope="module")
def course(tmp_path_factory):
    if sandbox_problem():
        pytest.skip(f"no sandbox here: {sandbox_problem()}")
    course = make_course(tmp_path_factory.mktemp("report"), [A1, A3])
    one = solution_cells(course / "source" / A1 / f"{N1}.ipynb")
    three = solution_cells(course / "source" / A3 / f"{N3}.ipynb")
    wrong = {**one, "hidden_layers": one["hidden_layers"].replace(*WRONG)}
    for student, first, second in [("alex", one, three), ("blake", None, None),
                                   ("casey", wrong, three), ("dana", one, "skip"),
                                   ("erin", one, three)]:
        hand_in(course, student, A1, N1, first)
        if second != "skip":
            hand_in(course, student, A3, N3, second)
    # alex ran their notebook before handing it in: it holds their pictures
    alex = course / "submitted" / "alex" / A1 / f"{N1}.ipynb"
    subprocess.run([sys.executable, "-m", "jupyter", "nbconvert", "--to", "notebook",
                    "--execute", "--inplace", str(alex)], env=venv_env(), check=True,
                   capture_output=True)
    (course / "submitted" / "finn").mkdir()          # a student folder, nothing handed in
    with Gradebook(course_config(course).CourseDirectory.db_url) as gb:
        gb.update_or_create_student("gina")          # in the gradebook only, nothing handed in
    workbook(course, "grade", A1, "--quiet")
    workbook(course, "grade", A3, "--quiet")
    # erin's regrade of Assignment 1 fails: the gradebook and the grade file keep 21
    (course / "submitted" / "erin" / A1 / f"{N1}.ipynb").write_text("{not a notebook")
    workbook(course, "grade", A1, "--student", "erin", "--quiet")
    return course


def rows(path):
    with open(path, newline="") as handle:
        return list(csv.reader(handle))


def test_grades_csv_has_a_missing_row_and_keeps_the_old_score(course):
    """Does the grade file list a missing hand-in and keep the score a failed regrade had?"""
    grades = {(r[0], r[1]): r for r in rows(course / GRADES_FILE)[1:]}
    assert grades[("dana", A3)][2:5] == ["0", f"{MAX3}", "missing"]
    for student in ("finn", "gina"):
        assert grades[(student, A1)][2:5] == ["0", f"{MAX1}", "missing"]
        assert grades[(student, A3)][4] == "missing"
    assert grades[("erin", A1)][2] == str(AUTO1) and grades[("erin", A1)][4] == "malformed"


def test_report_writes_the_page_and_both_csvs(course):
    """Does the report write its page and both CSV files?"""
    run = workbook(course, "report")
    written = [Path(p) for p in run.stdout.split()]
    assert [p.name for p in written] == ["report.html", "cells.csv", "canvas.csv",
                                         "similarity.csv"]
    page = (course / "report" / "report.html").read_text()
    for heading in ("Score distributions", "Test cells, hardest first", "To review", "Students"):
        assert heading in page
    assert page.count("data:image/png;base64,") == 4       # two histograms, two bar charts
    assert "<script" not in page and "http" not in page.replace("http://www.w3.org", "")
    assert "test_h1" in page and "malformed" in page and "missing" in page


def test_cells_csv_has_one_row_per_student_and_cell(course):
    """Does cells.csv hold one row per student and graded cell?"""
    workbook(course, "report")
    table = rows(course / "report" / "cells.csv")
    assert table[0] == ["student", "assignment", "notebook", "cell", "score", "max"]
    alex = [r for r in table[1:] if r[0] == "alex" and r[1] == A1]
    assert sum(float(r[4]) for r in alex) == AUTO1 and all(r[2] == N1 for r in alex)
    casey = {r[3]: r for r in table[1:] if r[0] == "casey" and r[1] == A1}
    assert float(casey["test_h1"][4]) < float(casey["test_h1"][5])


def test_canvas_csv_has_the_gradebook_import_layout(course):
    """Does canvas.csv follow Canvas's gradebook import layout?"""
    workbook(course, "report", A1, A3)
    table = rows(course / "report" / f"{A1}+{A3}" / "canvas.csv")
    assert table[0] == ["Student", "ID", "SIS User ID", "SIS Login ID", "Section", A1, A3]
    assert table[1][0] == "Points Possible" and table[1][5:] == [str(MAX1), str(MAX3)]
    by_id = {r[0]: r for r in table[2:]}      # no names, LMS or SIS ids here: the login
    assert set(by_id) == {"alex", "blake", "casey", "dana", "erin", "finn", "gina"}
    assert by_id["alex"][5:] == [str(AUTO1), str(MAX3)]
    assert by_id["dana"][6] == "" and by_id["finn"][5:] == ["", ""]   # nothing handed in
    assert by_id["erin"][5] == str(AUTO1)


def test_the_hardest_cell_comes_first_with_its_most_common_error(course):
    """Does the hardest test cell come first, with its most common error?"""
    from instructor.report import collect

    results = collect(course)
    cells = [c for c in results.by_assignment()[A1] if c.cell.startswith("test_")]
    rates = [c.pass_rate for c in cells]
    assert rates == sorted(rates)
    assert cells[0].pass_rate < 1 and cells[0].common_error
    blank_error = dict(cells[0].errors)
    assert any("Error" in error for error in blank_error)


def test_the_report_and_a_feedback_page_in_chromium(course):
    """Do the report and a feedback page render in Chromium?"""
    playwright = pytest.importorskip("playwright.sync_api")
    if not Path(CHROMIUM).exists():
        pytest.skip(f"no Chromium at {CHROMIUM}")
    workbook(course, "report")
    workbook(course, "feedback", A1)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    with playwright.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        tab = browser.new_page(viewport={"width": 1280, "height": 900})
        tab.goto((course / "report" / "report.html").as_uri())
        images = tab.locator("img")
        assert images.count() == 4
        assert all(images.nth(i).evaluate("i => i.naturalWidth") > 100 for i in range(4))
        assert tab.locator("#students tr, #students ~ table tr").count() >= 8
        tab.screenshot(path=ARTIFACTS / "report.png", full_page=True)
        tab.goto((course / FEEDBACK / "casey" / A1 / f"{N1}.html").as_uri())
        assert tab.locator("math").count() > 5
        assert "First thing to fix" in tab.inner_text("body")
        tab.screenshot(path=ARTIFACTS / "feedback_casey.png", full_page=True)
        height = tab.evaluate("document.body.scrollHeight")
        tab.goto((course / FEEDBACK / "alex" / A1 / f"{N1}.html").as_uri())
        pictures = tab.locator("img")
        assert pictures.count() >= 3      # drawn in alex's own run, not by the grader
        assert all(pictures.nth(i).evaluate("i => i.naturalWidth") > 100
                   for i in range(pictures.count()))
        browser.close()
    assert height < 8000
