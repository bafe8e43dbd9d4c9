"""nbgrader's own tools beside ours: export, generate_feedback, autograde, late penalties.

One course with Assignment 1 and five hand-ins: ``ada`` (right, on time), ``bo`` (the release
untouched), ``cy`` (right, two days and a second late), ``di`` (right, but with a test cell
edited), ``eve`` (right, and her last answer prints ``In``, every cell run so far, hidden tests
included). The instructor's sequence of the README is run on it, with nbgrader's tools between
ours.
"""

import csv
import html
import re
import subprocess
import sys

import nbformat
import pytest

from instructor.authoring.courses import make_course, nbgrader, run_grader, venv_env
from instructor.authoring.submissions import solution_cells, write_submission
from instructor.grading.records import GRADES_FILE
from instructor.vocabulary import hidden_lines, is_test

# Runs graders, kernels or browsers: the slow layer (`pytest -m "not slow"` skips it).
pytestmark = pytest.mark.slow

ASSIGNMENT, NOTEBOOK = "01_forward_pass", "forward_pass"
DUE = "2026-01-10 12:00:00 UTC"
HANDED_IN = {"ada": "2026-01-10 11:59:00 UTC", "bo": "2026-01-10 10:00:00 UTC",
             "cy": "2026-01-12 12:00:01 UTC", "di": "2026-01-10 09:00:00 UTC",
             "eve": "2026-01-10 08:00:00 UTC"}


@pytest.fixture(scope="module")
def course(tmp_path_factory):
    course = make_course(tmp_path_factory.mktemp("tools"), [ASSIGNMENT])
    nbgrader(course, "db", "assignment", "add", ASSIGNMENT, f"--duedate={DUE}")
    release = course / "release" / ASSIGNMENT / f"{NOTEBOOK}.ipynb"
    answers = solution_cells(course / "source" / ASSIGNMENT / f"{NOTEBOOK}.ipynb")
    for student, stamp in HANDED_IN.items():
        target = course / "submitted" / student / ASSIGNMENT / f"{NOTEBOOK}.ipynb"
        cells = None if student == "bo" else dict(answers)
        if student == "eve":
            cells["collapse"] += "\nprint(In)"
        write_submission(release, target, cells)
        (target.parent / "timestamp.txt").write_text(stamp)
    edited = course / "submitted" / "di" / ASSIGNMENT / f"{NOTEBOOK}.ipynb"
    nb = nbformat.read(edited, as_version=4)
    next(cell for cell in nb.cells if is_test(cell)).source = "pass  # no checks here"
    nbformat.write(nb, edited)
    return course


def _secret_lines(course):
    """Hidden-test lines of the source that never appear outside a hidden region."""
    secret, public = set(), set()
    for cell in nbformat.read(course / "source" / ASSIGNMENT / f"{NOTEBOOK}.ipynb", 4).cells:
        inside = {line.strip() for line in hidden_lines(cell.source)}
        secret |= inside
        public |= {line.strip() for line in cell.source.splitlines()} - inside
    return {line for line in secret - public if len(line) > 12 and re.search(r"[=(]", line)}


def _page_text(path):
    """The text of an HTML page as a reader sees it (tags and highlighting spans removed)."""
    return html.unescape(re.sub(r"<[^>]+>", "", path.read_text()))


def test_stock_autograde_warns_only_of_real_changes(course):
    """Does `nbgrader autograde` stay quiet on untouched test cells and warn on an edited one?"""
    log = run_grader(course, ASSIGNMENT, "nbgrader").stderr
    changed = re.findall(r"\[AutogradeApp \| WARNING\] Attribute '(\w+)' for cell (\S+) has", log)
    first_test = next(c for c in nbformat.read(course / "source" / ASSIGNMENT
                                               / f"{NOTEBOOK}.ipynb", 4).cells if is_test(c))
    assert changed == [("checksum", first_test.metadata.nbgrader.grade_id)], log[-3000:]


def test_generate_feedback_shows_no_hidden_test(course):
    """Do nbgrader's feedback pages (formgrader's button) hold no hidden test or its lines,
    and are they the course's own pages (math rendered, not raw ``$...$``)?"""
    run_grader(course, ASSIGNMENT, "nbgrader")
    nbgrader(course, "generate_feedback", ASSIGNMENT, "--force")
    secret = _secret_lines(course)
    assert secret
    for student in HANDED_IN:
        page = course / "feedback" / student / ASSIGNMENT / f"{NOTEBOOK}.html"
        text = _page_text(page)
        assert "HIDDEN TESTS" not in text
        assert sorted(line for line in secret if line in text) == []
        assert "<math" in page.read_text() and "First thing to fix" in text or (
            "Every graded cell earned full marks" in text)
        assert not re.search(r"\$[^$\n]*\\[a-z]+", text), "raw LaTeX left on the page"


def test_release_feedback_works_on_a_plain_course(course):
    """Does `nbgrader release_feedback` hand out `workbook feedback`'s pages on a course with
    no exchange made by hand, for hand-ins with no submission secret (copied in by hand)?"""
    run_grader(course, ASSIGNMENT, "workbook")
    workbook = [sys.executable, "-m", "instructor.cli", "feedback", ASSIGNMENT]
    subprocess.run(workbook, cwd=course, env=venv_env(), check=True, capture_output=True)
    assert not (course / "submitted" / "ada" / ASSIGNMENT / "submission_secret.txt").exists()
    nbgrader(course, "release_feedback", ASSIGNMENT)
    released = list((course / ".exchange" / "backprop-workbook" / "feedback").glob("*.html"))
    assert len(released) == len(HANDED_IN)


def test_formgrader_sees_flags_and_workbook_sees_its_scores(course):
    """Is a flagged hand-in marked in formgrader's Flagged? column, and does a score a person
    changes in formgrader reach workbook-grades.csv and the student's page, said as such?"""
    from nbgrader.api import Gradebook

    subprocess.run([sys.executable, "-m", "instructor.cli", "grade", ASSIGNMENT, "--quiet"],
                   cwd=course, env=venv_env(), check=True, capture_output=True)
    ours = {row["student"]: row for row in csv.DictReader((course / GRADES_FILE).open())}
    assert ours["di"]["flags"] and not ours["ada"]["flags"]
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gb:
        flagged = {s: all(nb.flagged for nb in gb.find_submission(ASSIGNMENT, s).notebooks)
                   for s in HANDED_IN}
        grade = next(g for g in gb.find_submission(ASSIGNMENT, "ada").notebooks[0].grades
                     if g.max_score >= 2)
        grade.manual_score = grade.max_score - 1        # what formgrader's score box does
        gb.db.commit()
        name, top = grade.name, grade.max_score
        expected = gb.find_submission(ASSIGNMENT, "ada").score
    try:
        assert flagged["di"] and not flagged["ada"]
        run = subprocess.run([sys.executable, "-m", "instructor.cli", "feedback", ASSIGNMENT],
                             cwd=course, env=venv_env(), check=True, capture_output=True, text=True)
        assert "changed in formgrader" in run.stderr
        ours = {row["student"]: row for row in csv.DictReader((course / GRADES_FILE).open())}
        assert float(ours["ada"]["score"]) == pytest.approx(expected)
        assert ours["ada"]["flags"] == "score changed in formgrader"
        text = _page_text(course / "feedback" / "ada" / ASSIGNMENT / f"{NOTEBOOK}.html")
        assert f"{name} {top - 1:g} / {top:g} (set by your instructor)" in text
        assert f"Your instructor set this score to {top - 1:g}" in text
    finally:     # the module's other tests expect the grader's own scores
        with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gb:
            for grade in gb.find_submission(ASSIGNMENT, "ada").notebooks[0].grades:
                grade.manual_score = None
            gb.db.commit()


def test_late_hand_in_loses_ten_percent_a_day(course):
    """Does a hand-in 2 days and 1 second late lose 30% with the course's penalty?"""
    from nbgrader.api import Gradebook

    run_grader(course, ASSIGNMENT, "workbook")
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gb:
        late = gb.find_submission(ASSIGNMENT, "cy")
        on_time = gb.find_submission(ASSIGNMENT, "ada")
        # the solution earns every point but the written answer's, which a person grades
        assert on_time.late_submission_penalty == 0 and on_time.score == on_time.max_score - 3
        assert late.late_submission_penalty == pytest.approx(0.3 * late.score)
        assert late.score == on_time.score           # nbgrader keeps the penalty apart
    ours = {row["student"]: row for row in csv.DictReader((course / GRADES_FILE).open())}
    assert float(ours["cy"]["score"]) == pytest.approx(0.7 * late.score)
    assert "late penalty" in ours["cy"]["flags"] and ours["ada"]["flags"] == ""


def test_an_extension_takes_the_late_penalty_off(course):
    """Does ``workbook extend`` grade the late hand-in again at once, with no penalty, and
    say the new due date on the student's page?"""
    from nbgrader.api import Gradebook

    run_grader(course, ASSIGNMENT, "workbook")
    cli = [sys.executable, "-m", "instructor.cli"]
    run = subprocess.run([*cli, "extend", ASSIGNMENT, "cy", "--days", "3"], cwd=course,
                         env=venv_env(), check=True, capture_output=True, text=True)
    assert "Grading again what cy handed in" in run.stdout
    try:
        with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gb:
            late = gb.find_submission(ASSIGNMENT, "cy")
            assert late.total_seconds_late == 0 and not late.late_submission_penalty
            top = late.max_score - 3   # all but the written answer, which a person grades
        ours = {row["student"]: row for row in csv.DictReader((course / GRADES_FILE).open())}
        assert float(ours["cy"]["score"]) == top and ours["cy"]["flags"] == ""
        subprocess.run([*cli, "feedback", ASSIGNMENT, "--student", "cy"], cwd=course,
                       env=venv_env(), check=True, capture_output=True)
        text = _page_text(course / "feedback" / "cy" / ASSIGNMENT / f"{NOTEBOOK}.html")
        assert "extended your due date for this assignment to 2026-01-13 12:00 UTC" in text
    finally:
        subprocess.run([*cli, "extend", ASSIGNMENT, "cy", "--clear"], cwd=course,
                       env=venv_env(), check=True, capture_output=True)


def test_grade_feedback_export_grade_again(course):
    """Do `workbook grade`, `workbook feedback`, `nbgrader export`, `workbook grade` all work,
    with our grade file and nbgrader's side by side?"""
    run_grader(course, ASSIGNMENT, "workbook")
    nbgrader(course, "export")
    exported = list(csv.DictReader((course / "grades.csv").open()))
    assert {row["student_id"] for row in exported} >= set(HANDED_IN)
    run_grader(course, ASSIGNMENT, "workbook")
    ours = {row["student"]: row for row in csv.DictReader((course / GRADES_FILE).open())}
    assert set(ours) == set(HANDED_IN) and all(row["status"] for row in ours.values())
    assert list(csv.DictReader((course / "grades.csv").open())) == exported
    subprocess.run([sys.executable, "-m", "instructor.cli", "feedback", ASSIGNMENT], cwd=course,
                   env=venv_env(), check=True, capture_output=True)
    for student in HANDED_IN:
        assert (course / "feedback" / student / ASSIGNMENT / f"{NOTEBOOK}.html").exists()
