"""The grading service (``workbook serve``) on a plain course folder, with real parts.

Students hand in with the real ``nbgrader submit`` and read their pages with the real
``nbgrader fetch_feedback``; the service grades in sandboxed kernels into the course's
gradebook. A burst of students at once, with the service killed mid-burst and started again,
must end with every submission graded and handed out exactly once; the policy (limits,
visibility before the due date, which submission counts) is switched in nbgrader_config.py.
"""

import os
import signal
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta

import pytest

from instructor.authoring.courses import SOLUTION, make_course, nbgrader, venv_env
from instructor.authoring.students import Student
from instructor.authoring.submissions import solution_cells
from instructor.graded import HIDDEN_FAILED
from instructor.service.ledger import Ledger
from instructor.service.service import Service

pytestmark = pytest.mark.slow

A1, NOTEBOOK, FULL = "01_forward_pass", "forward_pass", 21
BURST = 10


@pytest.fixture
def course(tmp_path):
    """A course with Assignment 1 released through its own exchange."""
    (tmp_path / "course").mkdir()
    course = make_course(tmp_path / "course", [A1])
    (course / ".exchange").mkdir(exist_ok=True)   # the config makes it too
    nbgrader(course, "release_assignment", A1)
    return course


def student(course, name):
    return Student(name, course.parent / "students" / name, course / ".exchange")


def answers(course, kind):
    solution = solution_cells(course / "source" / A1 / f"{NOTEBOOK}.ipynb")
    if kind == "blank":
        return None
    if kind == "wrong":
        return {**solution, "hidden_layers": solution["hidden_layers"].replace(
            "h1 = relu(W1 @ x)", "h1 = W1 @ x")}
    return solution


def configure(course, text):
    with open(course / "nbgrader_config.py", "a") as config:
        config.write("\n" + text + "\n")


def score_on(page):
    return page.split("<b>Score: ", 1)[1].split(" /", 1)[0]


def serve(course):
    return subprocess.Popen([sys.executable, "-m", "instructor.cli", "serve", "--jobs", "2"],
                            cwd=course, env=venv_env(), stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL, start_new_session=True)


def released(course):
    ledger = Ledger(course / ".workbook" / "service.sqlite")
    try:
        return [r for r in ledger.all() if r.state == "released"]
    finally:
        ledger.close()


def wait_for(condition, timeout):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.5)
    return False


def test_a_burst_survives_a_kill_and_every_submission_is_graded_once(course):
    """Ten students submit at once; the service is killed mid-burst and started again. Is
    every submission graded and its page handed out exactly once, each with its own score?"""
    kinds = {f"s{i:02d}": ("blank" if i % 3 == 1 else "solution") for i in range(BURST)}
    students = {name: student(course, name) for name in kinds}
    for name, kind in kinds.items():
        students[name].answer(A1, answers(course, kind))
    with ThreadPoolExecutor(BURST) as pool:                  # the burst at the deadline
        list(pool.map(lambda name: students[name].submit(A1), kinds))
    service = serve(course)
    assert wait_for(lambda: len(released(course)) >= 1, 300), "nothing graded"
    os.killpg(service.pid, signal.SIGKILL)           # mid-burst: the next batch is under way
    service.wait()
    partly = len(released(course))
    assert partly < BURST, "the kill came too late to test anything"
    service = serve(course)
    try:
        assert wait_for(lambda: len(released(course)) == BURST, 600), released(course)
    finally:
        service.send_signal(signal.SIGTERM)
        service.wait(timeout=60)
    rows = released(course)
    assert sorted(r.student for r in rows) == sorted(kinds)          # each exactly once
    for name, kind in kinds.items():
        [(stamp, pages)] = students[name].feedback(A1).items()        # one page, theirs
        assert score_on(pages[NOTEBOOK]) == ("0" if kind == "blank" else str(FULL)), name
    from nbgrader.api import Gradebook

    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gb:
        assert sorted(s.student.id for s in gb.find_assignment(A1).submissions) == sorted(kinds)


def test_limits_visibility_and_the_submission_that_counts(course):
    """One graded submission an hour: the second is held and the student told when. Before
    the due date a page hides what a failed hidden check checks (shown when configured). A
    late submission after one on time is graded for its page, and the one on time counts."""
    configure(course, "c.GradingService.per_hour = 1")
    ada = student(course, "ada")
    nbgrader(course, "db", "assignment", "add", A1,
             f"--duedate={(datetime.now(UTC) + timedelta(days=2)):%Y-%m-%d %H:%M:%S} UTC")
    ada.answer(A1, answers(course, "wrong"))
    ada.submit(A1)
    service = Service(course, jobs=2, log_to_stderr=False)
    try:
        assert service.turn().graded == 1
        [(_, first)] = ada.feedback(A1).items()
        page = first[NOTEBOOK]
        assert score_on(page) != str(FULL) and HIDDEN_FAILED in page
        assert "has the right type and shape, but its value is not correct" not in page
        time.sleep(1.1)
        ada.answer(A1, answers(course, SOLUTION))
        ada.submit(A1)
        turn = service.turn()
        assert (turn.graded, turn.held) == (0, 1)
        second = [pages for stamp, pages in ada.feedback(A1).items() if pages != first][0]
        assert "queued" in second[NOTEBOOK] and "will be graded at about" in second[NOTEBOOK]
    finally:
        service.close()
    configure(course, "c.GradingService.per_hour = 0\nc.GradingService.hidden_before_due = True")
    service = Service(course, jobs=2, log_to_stderr=False)
    try:
        assert service.turn().graded == 1                          # the held one, now
        pages = ada.feedback(A1)
        assert sorted(score_on(p[NOTEBOOK]) for p in pages.values())[-1] == str(FULL)
        nbgrader(course, "db", "assignment", "add", A1,
                 f"--duedate={datetime.now(UTC):%Y-%m-%d %H:%M:%S} UTC")
        time.sleep(1.1)
        ada.answer(A1, answers(course, "wrong"))
        ada.submit(A1)                                              # late, after one on time
        assert service.turn().graded == 1
        late = [p for p in ada.feedback(A1).values() if "It does not count" in p[NOTEBOOK]]
        assert late and float(score_on(late[0][NOTEBOOK])) < 0.9 * FULL
    finally:
        service.close()
    from nbgrader.api import Gradebook

    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gb:
        assert gb.find_submission(A1, "ada").score == FULL          # the one on time counts
