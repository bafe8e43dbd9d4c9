"""A whole nbgrader term on a real JupyterHub, in a real browser.

``instructor.hub`` sets up the hub (system users, the shared exchange, the instructor's course
copy) and starts it on loopback; headless Chromium, driven by Playwright, logs the instructor and
two students in through the hub's login page. The instructor releases Assignment 1; each student
fetches it in JupyterLab's nbgrader Assignments panel, writes answers into their own fetched
notebook through their own server (the contents API, with the browser's session), opens it,
validates and submits in the panel: the first the solution, on time, the second half of it,
after the due date. The instructor collects, grades with ``workbook grade``, writes feedback
with ``workbook feedback`` and releases it; each student fetches their feedback in the panel.
Checked: the scores and the late penalty in the gradebook, no hidden test in either student's
feedback, and that neither student's kernel can read the other's home or the instructor's course.
Screenshots go to ``test-artifacts/term/``. Runs as root only (it makes users and starts a hub).
"""

import html
import json
import os
import shutil
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from subprocess import run

import nbformat
import pytest

from instructor import hub
from instructor.authoring.submissions import solution_cells
from instructor.vocabulary import BEGIN_HIDDEN, END_HIDDEN, grade_id, hidden_lines, is_test

from lab_server import CHROMIUM, CHROMIUM_ARGS, DONE

ASSIGNMENT, NOTEBOOK = "01_forward_pass", "forward_pass"
SOURCE = hub.REPOSITORY / "source" / ASSIGNMENT / f"{NOTEBOOK}.ipynb"
ARTIFACTS = hub.REPOSITORY / "test-artifacts" / "term"
FETCHED = f"{ASSIGNMENT}/{NOTEBOOK}.ipynb"

playwright = pytest.importorskip("playwright.sync_api", reason="playwright is not installed")
pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(os.geteuid() != 0,
                       reason="needs root: the hub creates system users and spawns as them"),
    pytest.mark.skipif(not os.path.exists(CHROMIUM),
                       reason=f"no Chromium at {CHROMIUM} (apt-get install chromium)"),
]

# A request to the user's own Jupyter server with the browser's session (and its XSRF cookie).
API = """async ([url, method, body]) => {
    const xsrf = (document.cookie.match(/(?:^|; )_xsrf=([^;]*)/) || [])[1] || '';
    const response = await fetch(url, {method, headers: {'Content-Type': 'application/json',
        'X-XSRFToken': xsrf}, body: body === null ? undefined : JSON.stringify(body)});
    return [response.status, await response.text()];
}"""
# Run by each student's own kernel: what can it read of the others' files?
PROBE = """import json, os
found = {}
for path in PATHS:
    try:
        if os.path.isdir(path):
            os.listdir(path)
        else:
            open(path, "rb").read(1)
        found[path] = "readable"
    except PermissionError:
        found[path] = "permission denied"
    except OSError as error:
        found[path] = type(error).__name__
print("PROBE " + json.dumps(found))
"""


class Student:
    """A logged-in user's browser page and their Jupyter server, reached with its session."""

    def __init__(self, page, url, login):
        self.page, self.login = page, login
        self.base = f"{url}/user/{login}"

    def api(self, method, path, body=None, expect=(200,)):
        """Call ``/user/<login>/api/<path>``; return the decoded JSON reply."""
        status, text = self.page.evaluate(API, [f"{self.base}/api/{path}", method, body])
        assert status in expect, f"{method} {path} as {self.login}: {status} {text[:500]}"
        return json.loads(text) if text else None

    def shot(self, name):
        self.page.screenshot(path=ARTIFACTS / f"{name}.png")


@pytest.fixture(scope="module")
def term():
    """A fresh term on a running hub: ``(hub, logins, students)``; stopped even on failure."""
    started = time.monotonic()
    logins = hub.setup(reset=True)
    print(f"set-up (installs reused): {time.monotonic() - started:.1f} s")
    students = [row["id"] for row in hub.read_roster(hub.DEFAULT_ROSTER)][:2]
    server = hub.Hub(logins=logins)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    try:
        server.start()
        yield server, logins, students
    finally:
        server.stop()
        print(f"the term took {time.monotonic() - started:.1f} s")


@pytest.fixture(scope="module")
def browser():
    with playwright.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


def log_in(browser, server, login, password, shot=None):
    """Log ``login`` in through the hub's login page and wait for their JupyterLab."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(60_000)
    page.goto(f"{server.url}/hub/login")
    page.fill("#username_input", login)
    page.fill("#password_input", password)
    if shot:
        page.screenshot(path=ARTIFACTS / f"{shot}.png")
    page.click("#login_submit")
    page.wait_for_url(f"**/user/{login}/lab**", timeout=90_000)
    page.wait_for_selector("#jp-menu-panel .lm-MenuBar-itemLabel:text-is('Nbgrader')")
    return Student(page, server.url, login)


def nbgrader_menu(student):
    """Open the Nbgrader menu; return the labels of what it offers.

    The menu lists every nbgrader command; those of a disabled plugin are not registered and
    show no label.
    """
    student.page.click("#jp-menu-panel .lm-MenuBar-itemLabel:text-is('Nbgrader')")
    labels = student.page.locator("#jp-mainmenu-nbgrader .lm-Menu-itemLabel")
    labels.first.wait_for()
    return [text for text in labels.all_inner_texts() if text.strip()]


def open_assignments(student):
    """Open (or show again) the Assignments panel and reload its lists."""
    page = student.page
    tab = page.locator("#jp-main-dock-panel .lm-TabBar-tab", has_text="Assignments")
    if tab.count():
        tab.first.click()
    else:
        nbgrader_menu(student)
        page.click('#jp-mainmenu-nbgrader li[data-command="nbgrader:open-assignment-list"]')
    page.wait_for_selector("#released_assignments_list")
    page.click("#refresh_assignments_list")
    for name in ("released", "fetched", "submitted"):
        page.locator(f"#{name}_assignments_list_loading").wait_for(state="hidden")


def row(student, section):
    """The row of ASSIGNMENT in a section of the panel (released, fetched, submitted)."""
    return student.page.locator(f"#{section}_assignments_list > .list_item",
                                has_text=ASSIGNMENT).first


def hand_in(student, answers, shot_prefix):
    """Fetch, answer, open, validate and submit ASSIGNMENT in the panel; return validation text."""
    page = student.page
    open_assignments(student)
    row(student, "released").wait_for()
    student.shot(f"{shot_prefix}-1-assignment-list")
    row(student, "released").locator(".item_status button:text-is('Fetch')").click()
    row(student, "fetched").wait_for()

    # The student's own fetched notebook, answers written into it through their own server.
    nb = nbformat.from_dict(student.api("GET", f"contents/{FETCHED}?content=1")["content"])
    for cell in nb.cells:
        if grade_id(cell) in answers:
            cell.source = answers[grade_id(cell)]
    student.api("PUT", f"contents/{FETCHED}", {"type": "notebook", "content": nb})

    fetched = row(student, "fetched")
    fetched.locator(f"a:text-is('{ASSIGNMENT}')").click()
    notebook_row = page.locator("#fetched_assignments_list .list_item",
                                has=page.locator(f"a:text-is('{NOTEBOOK}')")).last
    notebook_row.wait_for()
    notebook_row.locator(f"a:text-is('{NOTEBOOK}')").click()
    page.wait_for_selector(".jp-Notebook-ExecutionIndicator[data-status='idle']")
    student.shot(f"{shot_prefix}-2-notebook-opened")

    open_assignments(student)
    fetched.locator(f"a:text-is('{ASSIGNMENT}')").click()
    notebook_row.locator("button:text-is('Validate')").click()
    dialog = page.wait_for_selector(".jp-Dialog", timeout=180_000)
    time.sleep(0.5)
    student.shot(f"{shot_prefix}-3-validated")
    validation = dialog.inner_text()
    page.click(".jp-Dialog button:has-text('Ok')")

    row(student, "fetched").locator(".item_status button:text-is('Submit')").click()
    row(student, "submitted").wait_for(timeout=60_000)
    student.shot(f"{shot_prefix}-4-submitted")
    return validation


def fetch_feedback(student, shot_prefix):
    """Fetch the feedback in the panel; return the fetched HTML page (its text)."""
    open_assignments(student)
    submitted = row(student, "submitted")
    submitted.locator("button:text-is('Fetch Feedback')").click()
    student.page.locator("#submitted_assignments_list a:has-text('view feedback')").wait_for()
    student.shot(f"{shot_prefix}-5-feedback-fetched")
    folder = f"{ASSIGNMENT}/feedback"
    stamps = student.api("GET", f"contents/{folder}?content=1")["content"]
    assert len(stamps) == 1, stamps
    path = f"{stamps[0]['path']}/{NOTEBOOK}.html"
    page = student.api("GET", f"contents/{path}?content=1&format=text&type=file")["content"]
    student.page.goto(f"{student.base}/files/{path}")
    student.shot(f"{shot_prefix}-6-feedback-page")
    student.page.go_back()
    return page


def probe(student, paths, shot_name):
    """Run :data:`PROBE` on ``paths`` in the student's own kernel, in JupyterLab."""
    code = f"PATHS = {paths!r}\n{PROBE}"
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(code)])
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3",
                                 "language": "python"}
    student.api("PUT", "contents/probe.ipynb", {"type": "notebook", "content": nb},
                expect=(200, 201))   # 200: left from an earlier run, overwritten
    page = student.page
    page.goto(f"{student.base}/lab/tree/probe.ipynb")
    page.wait_for_selector(".jp-Notebook-ExecutionIndicator[data-status='idle']")
    output = page.locator(".jp-OutputArea-output", has_text="PROBE")
    for attempt in (1, 2):   # a click on a menu still being built can be lost: try once more
        page.click(".lm-MenuBar-itemLabel:text-is('Run')")
        page.click(".lm-Menu-itemLabel:text-is('Run All Cells')")
        try:
            output.wait_for(timeout=45_000)
            break
        except playwright.TimeoutError:
            student.shot(f"{shot_name}-attempt-{attempt}")
            if attempt == 2:
                raise
    page.wait_for_function(DONE)
    student.shot(shot_name)
    return json.loads(output.inner_text().split("PROBE ", 1)[1])


def formgrader(teacher, shot):
    """Open formgrader in the instructor's JupyterLab and wait for ASSIGNMENT's row."""
    nbgrader_menu(teacher)
    teacher.page.click("#jp-mainmenu-nbgrader .lm-Menu-itemLabel:text-is('Formgrader')")
    frame = teacher.page.frame_locator("#jp-main-dock-panel iframe").first
    frame.locator("td", has_text=ASSIGNMENT).first.wait_for()
    time.sleep(1)
    teacher.shot(shot)


def instructor(*command):
    """Run a command as the instructor in their course copy; return its stdout."""
    return hub.run_as(hub.INSTRUCTOR, *command, cwd=hub.COURSE).stdout


def gradebook():
    """``{student: {score, max_score, penalty, seconds_late}}`` from the instructor's gradebook."""
    script = (
        "import json\nfrom nbgrader.api import Gradebook\n"
        f"with Gradebook('sqlite:///gradebook.db', {hub.COURSE_ID!r}) as gb:\n"
        f"    subs = gb.find_assignment({ASSIGNMENT!r}).submissions\n"
        "    print(json.dumps({s.student.id: dict(score=s.score, max_score=s.max_score,\n"
        "        penalty=s.late_submission_penalty, seconds_late=s.total_seconds_late)\n"
        "        for s in subs}))\n")
    return json.loads(instructor(f"{hub.VENV}/bin/python", "-c", script))


def hidden_test_lines():
    """Lines of hidden-test code from the source notebook (long enough to be telling)."""
    lines = []
    for cell in nbformat.read(SOURCE, as_version=4).cells:
        if is_test(cell):
            lines += [line.strip() for line in hidden_lines(cell.source)
                      if len(line.strip()) > 25]
    return lines


def test_a_whole_term(term, browser):
    """Release, hand-ins on time and late, grading, feedback, privacy: the whole term."""
    started = time.monotonic()
    server, logins, (first, second) = term
    answers = solution_cells(SOURCE)
    half = {gid: answers[gid] for gid in sorted(answers)[::2]}
    assert 0 < len(half) < len(answers)

    teacher = log_in(browser, server, hub.INSTRUCTOR, logins[hub.INSTRUCTOR], shot="0-hub-login")
    menu = nbgrader_menu(teacher)
    assert any("Formgrader" in label for label in menu), menu
    teacher.shot("0-instructor-nbgrader-menu")
    teacher.page.keyboard.press("Escape")
    instructor("nbgrader", "release_assignment", ASSIGNMENT)

    one = log_in(browser, server, first, logins[first])
    menu = nbgrader_menu(one)
    assert not any("Formgrader" in label or "Create" in label for label in menu), menu
    one.shot(f"1-{first}-0-nbgrader-menu")
    one.page.keyboard.press("Escape")
    assert "Success" in hand_in(one, answers, f"1-{first}")

    due = datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%S.%f UTC")
    instructor("nbgrader", "db", "assignment", "add", ASSIGNMENT, f"--duedate={due}")
    time.sleep(1)

    two = log_in(browser, server, second, logins[second])
    assert "failed" in hand_in(two, half, f"2-{second}")

    instructor("nbgrader", "collect", ASSIGNMENT)
    print(instructor("workbook", "grade", ASSIGNMENT))
    instructor("workbook", "feedback", ASSIGNMENT)     # into nbgrader's feedback/ folder
    instructor("nbgrader", "release_feedback", ASSIGNMENT)

    formgrader(teacher, "3-instructor-formgrader")
    grades = gradebook()
    print("gradebook:", grades)
    full = grades[first]
    assert full["score"] == full["max_score"] > 0 and full["penalty"] == 0
    assert full["seconds_late"] == 0
    late = grades[second]
    assert late["seconds_late"] > 0
    # the course's penalty (nbgrader_config.py): 10% for every started day late
    assert late["penalty"] == pytest.approx(0.1 * late["score"]), late
    assert late["score"] - late["penalty"] < full["max_score"]

    secrets_ = [BEGIN_HIDDEN, END_HIDDEN, "BEGIN HIDDEN TESTS", "END HIDDEN TESTS",
                *hidden_test_lines()]
    assert len(secrets_) > 6
    for number, student in ((1, one), (2, two)):
        page = fetch_feedback(student, f"{number}-{student.login}")
        assert ASSIGNMENT in page and len(page) > 1000
        leaked = [s for s in secrets_ if s in page or html.escape(s) in page]
        assert leaked == [], f"{student.login}'s feedback shows hidden tests: {leaked[:3]}"

    home = {login: f"/home/{login}" for login in (first, second)}
    for number, student, other in ((1, one, second), (2, two, first)):
        paths = [home[other], f"{home[other]}/{FETCHED}", str(hub.COURSE.parent),
                 str(hub.COURSE / "source"), str(SOURCE).replace(str(hub.REPOSITORY),
                                                                  str(hub.COURSE))]
        found = probe(student, paths, f"{number}-{student.login}-7-privacy-probe")
        assert found == dict.fromkeys(paths, "permission denied"), found
    print(f"the term in the browser took {time.monotonic() - started:.1f} s")


def test_hub_refuses_without_root_privileges():
    """Does ``python -m instructor.hub`` say what it needs, and fail, when not root?"""
    with tempfile.TemporaryDirectory() as folder:
        copy = Path(folder)
        (copy / "instructor").mkdir()
        for name in ("__init__.py", "hub.py"):
            shutil.copy(hub.REPOSITORY / "instructor" / name, copy / "instructor")
        run(["chmod", "-R", "a+rX", folder], check=True)
        result = hub.run_as("nobody", str(hub.VENV / "bin" / "python"), "-m", "instructor.hub",
                            cwd=copy, check=False)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "must run as root" in result.stderr
