"""A whole nbgrader term on a real JupyterHub, in a real browser, as its people would run it.

``instructor.hub`` sets up the hub (system users, the shared exchange, every assignment
generated, the instructor's course copy) and starts it on loopback with TLS (a certificate
made for the test), each student's server in its own memory and CPU limits, the grading
service and the idle culler as managed services. Headless Chromium, driven by Playwright, logs
the instructor and two students in through the hub's login page. Then:

- the instructor releases Assignments 1, 5 and 7 by typing into a JupyterLab Terminal
  (``nbgrader`` and ``workbook`` found on a login shell's PATH); every other instructor command
  runs through ``runuser -l`` (a login shell), as a person at the machine would;
- ada fetches Assignment 1 in the Assignments panel, submits half of it, fetches feedback
  graded within seconds by the service, submits the rest, and fetches a second page with the
  new score; alan submits half of it after the due date (the late penalty in the gradebook);
- ada and alan run Assignments 5 and 7 (PyTorch) through their JupyterLab, all cells, at once;
  ada submits Assignment 5 and the service grades it to full marks on the hub;
- alan's kernel asks for more memory than his limit: it dies, his server and files stay;
- neither student can read the other's home or the instructor's course; no hidden test is in
  any feedback page; the grading service, killed, is started again by the hub; alan's server,
  left idle, is culled.

Screenshots go to ``test-artifacts/term/``. Runs as root only (it makes users and starts a hub).
"""

import html
import json
import os
import secrets
import shlex
import shutil
import signal
import subprocess
import tempfile
import time
import urllib.request
from datetime import UTC, datetime
from pathlib import Path

import nbformat
import pytest

from instructor import hub
from instructor.authoring.submissions import solution_cells
from instructor.hub.limits import CGROUP, GROUP
from instructor.hub.server import unverified_tls
from instructor.vocabulary import BEGIN_HIDDEN, END_HIDDEN, grade_id, hidden_lines, is_test

from lab_server import CHROMIUM, CHROMIUM_ARGS, DONE

A1, A5, A7 = "01_forward_pass", "05_pytorch_digits", "07_training"
NOTEBOOKS = {A1: "forward_pass", A5: "pytorch_digits", A7: "training"}
ARTIFACTS = hub.REPOSITORY / "test-artifacts" / "term"
MEMORY = "1536M"
IDLE_MINUTES = 1.0

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
UNVERIFIED = unverified_tls()      # the test's own certificate, on loopback


def source(assignment):
    return hub.REPOSITORY / "source" / assignment / f"{NOTEBOOKS[assignment]}.ipynb"


class Student:
    """A logged-in user's browser page and their Jupyter server, reached with its session."""

    def __init__(self, context, page, url, login):
        self.context, self.page, self.login = context, page, login
        self.base = f"{url}/user/{login}"

    def api(self, method, path, body=None, expect=(200,)):
        """Call ``/user/<login>/api/<path>``; return the decoded JSON reply."""
        status, text = self.page.evaluate(API, [f"{self.base}/api/{path}", method, body])
        assert status in expect, f"{method} {path} as {self.login}: {status} {text[:500]}"
        return json.loads(text) if text else None

    def read(self, path):
        """A text file of the user's home, through their server."""
        return self.api("GET", f"contents/{path}?content=1&format=text&type=file")["content"]

    def shot(self, name):
        self.page.screenshot(path=ARTIFACTS / f"{name}.png")


def certificate(folder):
    """A self-signed certificate for 127.0.0.1: ``(cert, key)`` paths."""
    cert, key = Path(folder) / "hub.crt", Path(folder) / "hub.key"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
                    "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
                    "-keyout", str(key), "-out", str(cert)], check=True, capture_output=True)
    return cert, key


@pytest.fixture(scope="module")
def term():
    """A fresh term on a running hub: ``(hub, logins, students, token)``; stopped even on
    failure, and the backup its reset made removed."""
    started = time.monotonic()
    backups = set(hub.BACKUPS.glob("*")) if hub.BACKUPS.exists() else set()
    logins = hub.setup(reset_term=True)
    print(f"set-up (installs reused): {time.monotonic() - started:.1f} s")
    students = [row["id"] for row in hub.read_roster(hub.DEFAULT_ROSTER)][:2]
    token = secrets.token_hex(16)
    with tempfile.TemporaryDirectory() as folder:
        cert, key = certificate(folder)
        options = hub.HubOptions(port=hub.free_port(), ssl_cert=str(cert), ssl_key=str(key),
                                 memory=MEMORY, idle_minutes=IDLE_MINUTES, activity_seconds=10,
                                 test_token=token)
        server = hub.Hub(options, logins)
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        try:
            server.start()
            yield server, logins, students, token
        finally:
            server.stop()
            for made in set(hub.BACKUPS.glob("*")) - backups:
                made.unlink()
            print(f"the term took {time.monotonic() - started:.1f} s")


@pytest.fixture(scope="module")
def browser():
    with playwright.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


def hub_api(server, token, path):
    """The hub's REST API with the test's service token."""
    request = urllib.request.Request(f"{server.url}/hub/api/{path}",
                                     headers={"Authorization": f"token {token}"})
    with urllib.request.urlopen(request, context=UNVERIFIED, timeout=10) as response:
        return json.loads(response.read())


def log_in(browser, server, login, password, shot=None):
    """Log ``login`` in through the hub's login page (https) and wait for their JupyterLab."""
    context = browser.new_context(viewport={"width": 1280, "height": 900},
                                  ignore_https_errors=True)
    page = context.new_page()
    page.set_default_timeout(60_000)
    page.goto(f"{server.url}/hub/login")
    page.fill("#username_input", login)
    page.fill("#password_input", password)
    if shot:
        page.screenshot(path=ARTIFACTS / f"{shot}.png")
    page.click("#login_submit")
    page.wait_for_url(f"**/user/{login}/lab**", timeout=120_000)
    page.wait_for_selector("#jp-menu-panel .lm-MenuBar-itemLabel:text-is('Nbgrader')")
    return Student(context, page, server.url, login)


def nbgrader_menu(student):
    """Open the Nbgrader menu; return the labels of what it offers.

    The menu lists every nbgrader command; those of a disabled plugin are not registered and
    show no label.
    """
    student.page.click("#jp-menu-panel .lm-MenuBar-itemLabel:text-is('Nbgrader')")
    labels = student.page.locator("#jp-mainmenu-nbgrader .lm-Menu-itemLabel")
    labels.first.wait_for()
    return [text for text in labels.all_inner_texts() if text.strip()]


def terminal(person, command, done_file, timeout=180):
    """Type ``command`` into a new JupyterLab Terminal (a login shell, as a person's); wait
    until it has written ``done_file`` in their home and return that file's text."""
    page = person.page
    person.api("DELETE", f"contents/{done_file}", expect=(204, 404))   # from an earlier term
    page.goto(f"{person.base}/lab")
    page.locator(".jp-LauncherCard", has_text="Terminal").first.click()
    page.wait_for_selector(".jp-Terminal .xterm-screen")
    time.sleep(1)
    page.click(".jp-Terminal .xterm-screen")
    page.keyboard.type(command + "\n", delay=5)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = person.api("GET", "contents", expect=(200,))["content"]
        if any(item["name"] == done_file for item in found):
            time.sleep(1)
            person.shot("0-instructor-terminal")
            return person.read(done_file)
        time.sleep(2)
    person.shot("0-instructor-terminal-timeout")
    raise AssertionError(f"the Terminal did not write {done_file} in {timeout} s")


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


def row(student, section, assignment):
    """The row of ``assignment`` in a section of the panel (released, fetched, submitted)."""
    return student.page.locator(f"#{section}_assignments_list > .list_item",
                                has_text=assignment).first


def fetch(student, assignment, shot_prefix):
    """Fetch ``assignment`` in the Assignments panel."""
    open_assignments(student)
    row(student, "released", assignment).wait_for()
    student.shot(f"{shot_prefix}-1-assignment-list")
    row(student, "released", assignment).locator(".item_status button:text-is('Fetch')").click()
    row(student, "fetched", assignment).wait_for()


def write_answers(student, assignment, answers):
    """Write ``answers`` into the student's fetched notebook, through their own server."""
    path = f"{assignment}/{NOTEBOOKS[assignment]}.ipynb"
    nb = nbformat.from_dict(student.api("GET", f"contents/{path}?content=1")["content"])
    for cell in nb.cells:
        if grade_id(cell) in answers:
            cell.source = answers[grade_id(cell)]
    student.api("PUT", f"contents/{path}", {"type": "notebook", "content": nb})


def validate_and_submit(student, assignment, shot_prefix, validate=True):
    """Validate (in the panel) and submit ``assignment``; return the validation's text."""
    page, notebook = student.page, NOTEBOOKS[assignment]
    open_assignments(student)
    fetched = row(student, "fetched", assignment)
    validation = ""
    if validate:
        fetched.locator(f"a:text-is('{assignment}')").click()
        notebook_row = page.locator("#fetched_assignments_list .list_item",
                                    has=page.locator(f"a:text-is('{notebook}')")).last
        notebook_row.locator("button:text-is('Validate')").click()
        dialog = page.wait_for_selector(".jp-Dialog", timeout=240_000)
        time.sleep(0.5)
        student.shot(f"{shot_prefix}-3-validated")
        validation = dialog.inner_text()
        page.click(".jp-Dialog button:has-text('Ok')")
    before = page.locator("#submitted_assignments_list .list_item").count()
    fetched.locator(".item_status button:text-is('Submit')").click()
    page.wait_for_function(
        f"() => document.querySelectorAll('#submitted_assignments_list .list_item').length "
        f"> {before}", timeout=60_000)
    student.shot(f"{shot_prefix}-4-submitted")
    return validation


def fetch_feedback(student, assignment, count, shot_prefix, timeout=240):
    """Press Fetch Feedback until ``count`` pages of ``assignment`` are there (the grading
    service hands each out within seconds of the submission); return their texts, oldest
    first."""
    folder = f"{assignment}/feedback"
    deadline = time.monotonic() + timeout
    while True:
        open_assignments(student)
        row(student, "submitted", assignment).locator(
            "button:text-is('Fetch Feedback')").click()
        time.sleep(2)
        try:
            stamps = sorted(s["path"] for s in
                            student.api("GET", f"contents/{folder}?content=1")["content"])
        except AssertionError:      # no feedback folder yet
            stamps = []
        if len(stamps) >= count or time.monotonic() > deadline:
            break
        time.sleep(3)
    assert len(stamps) == count, f"{student.login}: {len(stamps)} of {count} pages of {assignment}"
    pages = [student.read(f"{stamp}/{NOTEBOOKS[assignment]}.html") for stamp in stamps]
    student.page.goto(f"{student.base}/files/{stamps[-1]}/{NOTEBOOKS[assignment]}.html")
    student.shot(f"{shot_prefix}-5-feedback-page")
    student.page.goto(f"{student.base}/lab")
    student.page.wait_for_selector("#jp-menu-panel .lm-MenuBar-itemLabel:text-is('Nbgrader')")
    return pages


# Run All has started: a cell in view (Run All selects the last one) has run or waits to.
STARTED = """() => [...document.querySelectorAll('.jp-InputArea-prompt')]
    .some(p => /\\[(\\*|\\d+)\\]/.test(p.textContent))"""


def run_all(student, path):
    """Open ``path`` in JupyterLab and start Run All Cells (returns once a cell has started:
    a click on a menu still being built can be lost, so it is tried again)."""
    page = student.page
    page.goto(f"{student.base}/lab/tree/{path}?reset")     # this notebook alone in view
    page.wait_for_selector(".jp-Notebook-ExecutionIndicator[data-status='idle'] >> visible=true",
                           timeout=120_000)
    for attempt in (1, 2, 3):
        time.sleep(1)
        page.click(".lm-MenuBar-itemLabel:text-is('Run')")
        page.click(".lm-Menu-itemLabel:text-is('Run All Cells')")
        try:
            page.wait_for_function(STARTED, timeout=20_000)
            return
        except playwright.TimeoutError:
            page.keyboard.press("Escape")
            student.shot(f"{student.login}-run-all-attempt-{attempt}")
    raise AssertionError(f"Run All Cells did not start {path}")


def finished(student, path, name, timeout=900):
    """Wait for Run All to end; save; return what went wrong in the saved notebook: each
    error output, and each code cell that did not run."""
    page = student.page
    page.wait_for_function(DONE, timeout=timeout * 1000)
    page.keyboard.press("Control+s")
    time.sleep(2)
    student.shot(name)
    cells = [nbformat.from_dict(c) for c in
             student.api("GET", f"contents/{path}?content=1")["content"]["cells"]]
    wrong = [(grade_id(c) or f"cell {i}", o.get("ename")) for i, c in enumerate(cells)
             for o in c.get("outputs", []) if o.get("output_type") == "error"]
    return wrong + [(grade_id(c) or f"cell {i}", "did not run") for i, c in enumerate(cells)
                    if c.cell_type == "code" and c.get("execution_count") is None]


def probe(student, paths, shot_name):
    """Run :data:`PROBE` on ``paths`` in the student's own kernel, in JupyterLab."""
    code = f"PATHS = {paths!r}\n{PROBE}"
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(code)])
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3",
                                 "language": "python"}
    student.api("PUT", "contents/probe.ipynb", {"type": "notebook", "content": nb},
                expect=(200, 201))   # 200: left from an earlier run, overwritten
    page = student.page
    run_all(student, "probe.ipynb")
    output = page.locator(".jp-OutputArea-output", has_text="PROBE")
    output.wait_for(timeout=60_000)
    page.wait_for_function(DONE)
    student.shot(shot_name)
    return json.loads(output.inner_text().split("PROBE ", 1)[1])


def memory_bomb(student, shot_name):
    """Allocate more than the student's limit in their kernel; return the dialog's text."""
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(
        "data = b'x' * (3 << 30)  # 3 GiB, more than this student may use")])
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3",
                                 "language": "python"}
    student.api("PUT", "contents/memory.ipynb", {"type": "notebook", "content": nb},
                expect=(200, 201))
    page = student.page
    run_all(student, "memory.ipynb")
    dialog = page.locator(".jp-Dialog", has_text="died")
    try:
        dialog.wait_for(timeout=120_000)
    except playwright.TimeoutError:
        student.shot(f"{shot_name}-no-dialog")
        group = CGROUP / "memory" / GROUP / student.login
        raise AssertionError(f"no dialog; {memory_of(student.login)}; failcnt "
                             f"{(group / 'memory.failcnt').read_text().strip()}; "
                             f"{(group / 'memory.oom_control').read_text()!r}") from None
    student.shot(shot_name)
    text = dialog.inner_text()
    page.keyboard.press("Escape")
    return text


def instructor(command):
    """Run ``command`` as the instructor in a login shell, in the course copy; its stdout."""
    return hub.login_shell(hub.INSTRUCTOR, command, cwd=hub.COURSE).stdout


def gradebook(assignment):
    """``{student: {score, max_score, penalty, seconds_late}}`` from the instructor's
    gradebook."""
    script = (
        "import json\nfrom nbgrader.api import Gradebook\n"
        f"with Gradebook('sqlite:///gradebook.db', {hub.COURSE_ID!r}) as gb:\n"
        f"    subs = gb.find_assignment({assignment!r}).submissions\n"
        "    print(json.dumps({s.student.id: dict(score=s.score, max_score=s.max_score,\n"
        "        penalty=s.late_submission_penalty, seconds_late=s.total_seconds_late)\n"
        "        for s in subs}))\n")
    return json.loads(instructor(f"python -c {shlex.quote(script)}"))


def hidden_test_lines(assignment):
    """Lines of hidden-test code from the source notebook (long enough to be telling)."""
    lines = []
    for cell in nbformat.read(source(assignment), as_version=4).cells:
        if is_test(cell):
            lines += [line.strip() for line in hidden_lines(cell.source)
                      if len(line.strip()) > 25]
    return lines


def score_on(page):
    return float(html.unescape(page).split("<b>Score: ", 1)[1].split(" /", 1)[0])


def grading_service_pid():
    """The pid of the running `workbook serve`, or None."""
    for proc in Path("/proc").iterdir():
        try:
            if proc.name.isdigit() and b"serve" in (proc / "cmdline").read_bytes() \
                    and b".workbook/bin/workbook" in (proc / "cmdline").read_bytes():
                return int(proc.name)
        except OSError:
            continue
    return None


def memory_of(login):
    """A student's memory now and at its peak (their control group), as text."""
    group = CGROUP / "memory" / GROUP / login
    try:
        peak = int((group / "memory.max_usage_in_bytes").read_text()) >> 20
        stat = dict(line.split() for line in (group / "memory.stat").read_text().splitlines())
    except OSError:
        return "not measured (no cgroup v1 memory controller)"
    return (f"{int(stat['total_rss']) >> 20} MB of processes and {int(stat['total_cache']) >> 20}"
            f" MB of file cache now, {peak} MB together at the peak")


def wait_until(condition, timeout, step=2):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = condition()
        if found:
            return found
        time.sleep(step)
    return condition()


def test_a_whole_term(term, browser):
    """Releases, hand-ins graded on submit, late work, PyTorch notebooks, limits, privacy,
    a restarted service and a culled server: the whole term."""
    started = time.monotonic()
    server, logins, (first, second), token = term
    answers = {a: solution_cells(source(a)) for a in (A1, A5, A7)}
    half = {gid: answers[A1][gid] for gid in sorted(answers[A1])[::2]}
    assert 0 < len(half) < len(answers[A1])
    # and the written answer, which only a person grades (validate refuses it left blank)
    answers[A1]["explain_depth"] = ("Linear layers multiply into one matrix, so without a "
                                    "nonlinearity depth adds nothing.")
    assert server.url.startswith("https://")

    # The instructor: formgrader is theirs; releases typed into a Terminal.
    teacher = log_in(browser, server, hub.INSTRUCTOR, logins[hub.INSTRUCTOR],
                     shot="0-hub-login")
    menu = nbgrader_menu(teacher)
    assert any("Formgrader" in label for label in menu), menu
    teacher.page.keyboard.press("Escape")
    typed = terminal(teacher, "cd backprop-workbook && nbgrader release_assignment "
                     f"{A1} && nbgrader release_assignment {A5} && nbgrader "
                     f"release_assignment {A7} && (workbook --help | head -1; which nbgrader "
                     "workbook) > ~/.terminal-check && mv ~/.terminal-check ~/terminal-check",
                     "terminal-check")
    assert "usage: workbook" in typed, typed
    assert f"{hub.VENV}/bin/nbgrader" in typed and "/.workbook/bin/workbook" in typed
    assert "workbook" in instructor("command -v workbook") and "nbgrader" in instructor(
        "command -v nbgrader")

    # ada: half of Assignment 1, feedback from the grading service, then the rest.
    one = log_in(browser, server, first, logins[first])
    menu = nbgrader_menu(one)
    assert not any("Formgrader" in label or "Create" in label for label in menu), menu
    one.page.keyboard.press("Escape")
    fetch(one, A1, f"1-{first}")
    write_answers(one, A1, half)
    assert "failed" in validate_and_submit(one, A1, f"1-{first}")
    submitted = time.monotonic()
    [page] = fetch_feedback(one, A1, 1, f"1-{first}-first")
    print(f"first feedback page fetched {time.monotonic() - submitted:.0f} s after submitting")
    write_answers(one, A1, answers[A1])
    assert "Success" in validate_and_submit(one, A1, f"1-{first}-again")
    pages = fetch_feedback(one, A1, 2, f"1-{first}-second")
    assert pages[0] == page and score_on(pages[0]) < score_on(pages[1]) == 21, (
        score_on(pages[0]), score_on(pages[1]))

    due = datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%S.%f UTC")
    instructor(f"nbgrader db assignment add {A1} --duedate='{due}'")
    time.sleep(1)

    # alan: half of Assignment 1, late.
    two = log_in(browser, server, second, logins[second])
    fetch(two, A1, f"2-{second}")
    write_answers(two, A1, half)
    validate_and_submit(two, A1, f"2-{second}", validate=False)
    [late_page] = fetch_feedback(two, A1, 1, f"2-{second}")
    assert "late" in late_page

    # Assignments 5 and 7 in the students' JupyterLab, at once; ada hands in Assignment 5.
    fetch(one, A5, f"1-{first}-a5")
    fetch(two, A7, f"2-{second}-a7")
    write_answers(one, A5, answers[A5])
    write_answers(two, A7, answers[A7])
    paths = {a: f"{a}/{NOTEBOOKS[a]}.ipynb" for a in (A1, A5, A7)}
    ran = time.monotonic()
    run_all(one, paths[A5])
    run_all(two, paths[A7])
    errors5 = finished(one, paths[A5], f"1-{first}-a5-ran")
    errors7 = finished(two, paths[A7], f"2-{second}-a7-ran")
    print(f"Assignments 5 and 7 ran in JupyterLab in {time.monotonic() - ran:.0f} s")
    for login, assignment in ((first, A5), (second, A7)):
        print(f"{login}'s server with {assignment} run: {memory_of(login)}")
    assert errors5 == [] and errors7 == [], (errors5, errors7)
    validate_and_submit(one, A5, f"1-{first}-a5", validate=False)

    # alan's kernel asks for 3 GiB, over his limit: it dies; his server and files stay.
    died = memory_bomb(two, f"2-{second}-6-memory")
    assert "died" in died
    limit = CGROUP / "memory" / GROUP / second / "memory.limit_in_bytes"
    if limit.exists():
        assert int(limit.read_text()) == 1536 << 20
        assert int((limit.parent / "memory.failcnt").read_text()) > 0
    assert two.api("GET", f"contents/{paths[A7]}")["name"] == f"{NOTEBOOKS[A7]}.ipynb"

    # No hidden test in any page; nobody reads another's files.
    secrets_ = [BEGIN_HIDDEN, END_HIDDEN, "BEGIN HIDDEN TESTS", "END HIDDEN TESTS",
                *hidden_test_lines(A1)]
    for login, text in ((first, pages[0]), (first, pages[1]), (second, late_page)):
        leaked = [s for s in secrets_ if s in text or html.escape(s) in text]
        assert leaked == [], f"{login}'s feedback shows hidden tests: {leaked[:3]}"
    home = {login: f"/home/{login}" for login in (first, second)}
    for number, student, other in ((1, one, second), (2, two, first)):
        private = [home[other], f"{home[other]}/{paths[A1 if number == 1 else A5]}",
                   str(hub.COURSE.parent), str(hub.COURSE / "source"),
                   str(source(A1)).replace(str(hub.REPOSITORY), str(hub.COURSE))]
        found = probe(student, private, f"{number}-{student.login}-7-privacy-probe")
        assert found == dict.fromkeys(private, "permission denied"), found

    # The grading service, killed, is started again by the hub; alan, gone, is culled.
    two.context.close()
    left = time.monotonic()
    killed = grading_service_pid()
    assert killed, "the grading service is not running"
    os.kill(killed, signal.SIGKILL)
    again = wait_until(lambda: (grading_service_pid() or killed) != killed and
                       grading_service_pid(), timeout=90)
    assert again, "the hub did not start the grading service again"
    print(f"grading service started again by the hub (pid {killed} -> {again})")

    grades = wait_until(lambda: (gradebook(A5).get(first) or {}).get("score") is not None
                        and gradebook(A5), timeout=600, step=5)
    assert grades[first]["score"] == grades[first]["max_score"] > 0, grades
    grades = gradebook(A1)
    print("gradebook:", grades)
    # 21 points the grader decides, and 3 of a written answer that only a person grades
    assert (grades[first]["score"], grades[first]["max_score"]) == (21, 24)
    assert grades[first]["penalty"] == 0 and grades[first]["seconds_late"] == 0
    late = grades[second]
    assert late["seconds_late"] > 0
    # the course's penalty (nbgrader_config.py): 10% for every started day late
    assert late["penalty"] == pytest.approx(0.1 * late["score"]), late
    assert "report.html" in instructor("workbook report")

    culled = wait_until(lambda: not hub_api(server, token, f"users/{second}")["servers"],
                        timeout=IDLE_MINUTES * 60 + 120, step=5)
    print(f"{second}'s idle server culled {time.monotonic() - left:.0f} s after he left")
    assert culled
    assert (Path("/home") / second / paths[A7]).exists()
    print(f"the term in the browser took {time.monotonic() - started:.1f} s")


def test_hub_refuses_without_root_privileges():
    """Does ``python -m instructor.hub`` say what it needs, and fail, when not root?"""
    with tempfile.TemporaryDirectory() as folder:
        shutil.copytree(hub.REPOSITORY / "instructor", Path(folder) / "instructor",
                        ignore=shutil.ignore_patterns("__pycache__"))
        subprocess.run(["chmod", "-R", "a+rX", folder], check=True)
        result = hub.run_as("nobody", str(hub.VENV / "bin" / "python"), "-m", "instructor.hub",
                            cwd=folder, check=False)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "must run as root" in result.stderr


def test_uninstall_lists_what_set_up_made_and_nothing_else():
    """Does ``uninstall --dry-run`` list the users, folders and files set-up made (and only
    those), and change nothing?"""
    from instructor.hub.uninstall import uninstall_plan

    hub.setup()
    users, paths = uninstall_plan()
    roster = {row["id"] for row in hub.read_roster(hub.DEFAULT_ROSTER)}
    assert {login for login, _ in users} >= roster | {hub.INSTRUCTOR}
    assert "root" not in {login for login, _ in users}
    assert {hub.VENV.parent, hub.EXCHANGE.parent, hub.SYSTEM_NBGRADER_CONFIG,
            hub.PROFILE_SCRIPT} <= set(paths)
    assert not any(p in (Path("/etc"), Path("/opt"), Path("/srv"), Path("/home"))
                   for p in paths)
    result = subprocess.run([str(hub.VENV / "bin" / "python"),
                             "-m", "instructor.hub", "uninstall", "--dry-run"],
                            cwd=hub.REPOSITORY, capture_output=True, text=True,
                            env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(hub.REPOSITORY)})
    assert result.returncode == 0, result.stderr
    assert f"the user {hub.INSTRUCTOR}" in result.stdout and str(hub.VENV.parent) in result.stdout
    assert hub.VENV.exists() and hub.COURSE.exists()
