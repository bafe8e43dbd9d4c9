"""``workbook grade`` on a class of pre-made submissions: honest, faulty and tampering ones.

One course (Assignment 1, 21 points) is graded once by the real command line, in sandboxed
kernels; each test then checks one student's score, status and flags, the gradebook and
``autograded/``.
"""

import contextlib
import csv
import html
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import nbformat
import pytest

from instructor.authoring.courses import COURSE as ROOT
from instructor.authoring.courses import SOLUTION, make_course, nbgrader, venv_env
from instructor.authoring.reference_split import reference_names
from instructor.authoring.submissions import solution_cells, write_submission
from instructor.course import FEEDBACK, course_config
from instructor.grading.records import read_grade_file, safe_name
from instructor.grading.sandbox import FIRST_UID, UID_COUNT, exposed_paths, sandbox_problem
from instructor.vocabulary import grade_id, hidden_lines

from postgres_server import PostgresUnavailable, postgres_server

# Runs graders, kernels or browsers: the slow layer (`pytest -m "not slow"` skips it).
pytestmark = pytest.mark.slow

ASSIGNMENT, NOTEBOOK = "01_forward_pass", "forward_pass"
FULL = 21          # the points the grader decides; the solution earns them all
WRITTEN = 3        # explain_depth, a written answer: 0 until a person grades it
CELL_TIMEOUT = 5


def workbook(course, *args, env=None, check=True):
    """Run the real ``workbook`` command line in ``course``."""
    result = subprocess.run([sys.executable, "-m", "instructor.cli", *args], cwd=course,
                            env=env or venv_env(), capture_output=True, text=True)
    if check and result.returncode != 0:
        raise AssertionError(f"workbook {' '.join(args)} failed ({result.returncode}):\n"
                             f"{result.stdout[-3000:]}\n{result.stderr[-3000:]}")
    return result


def prepend(cells, cell, code):
    return {**cells, cell: code + "\n" + cells[cell]}


def append(cells, cell, code):
    return {**cells, cell: cells[cell] + "\n" + code}


def spy_code(course):
    """A student cell that tries every way out of the sandbox and prints what got through."""
    return f"""
import os, socket
root = {str(course)!r}
attempts = {{
    "source": lambda: open(root + "/source/{ASSIGNMENT}/{NOTEBOOK}.ipynb").read(),
    "gradebook": lambda: open(root + "/gradebook.db", "rb").read(),
    "others": lambda: os.listdir(root + "/submitted"),
    "write": lambda: open(root + "/pwned.txt", "w").write("x"),
    "network": lambda: socket.create_connection(("1.1.1.1", 53), timeout=3),
    "home": lambda: os.listdir("/root/.ssh"),
    "neighbours": lambda: os.listdir(os.path.dirname(os.path.dirname(os.getcwd()))),
    "grader": lambda: __import__("instructor.grading"),
}}
for name, attempt in attempts.items():
    try:
        attempt()
        print("LEAK:" + name)
    except Exception as error:
        print("blocked:" + name, type(error).__name__)
"""


FORK_BOMB = """
import os, time
children = []
try:
    for _ in range(1000):
        pid = os.fork()
        if pid == 0:
            time.sleep(120)
            os._exit(0)
        children.append(pid)
except OSError as error:
    print("fork refused after", len(children), type(error).__name__)
"""

ESCAPEE = """
import os, subprocess
subprocess.Popen(["sleep", "600"], start_new_session=True)
with open("/tmp/escapee-was-here", "w") as trace:
    trace.write("x")
print("PROCESSES", len([p for p in os.listdir("/proc") if p.isdigit()]))
print("TMP", sorted(os.listdir("/tmp")))
"""

TAMPERING = {
    # student: (what they hand in, a word their flags must contain)
    "patcher": ("wrong + patches", "check_close"),
    "sneaky": ("wrong + hidden runtime patch", "check_close accepts a wrong value"),
    "silencer": ("wrong + custom exception handler", "custom exception handler"),
    "builtins": ("wrong + builtins.isinstance patched", "isinstance"),
    "editor": ("wrong + test cell emptied", "edited the locked cell 'test_h1'"),
    "deleter": ("wrong + test cell deleted", "deleted the graded cell 'test_h1'"),
    "duplicator": ("wrong + test cell duplicated", "duplicated the cell 'test_h1'"),
    "reflagger": ("wrong + test cell re-flagged", "metadata of 'test_h1'"),
}
WRONG = ("h1 = relu(W1 @ x)", "h1 = W1 @ x")   # the missing-ReLU mistake

# Blank work with an attack in its first answer cell: each must still score 0. Hooks, patches
# and lying types act inside the kernel; the hidden tests are decided outside it.
FORGERIES = {
    "input-transformer": """
ip = get_ipython()
ip.input_transformers_cleanup.append(
    lambda lines: ["pass\n"] if any("check_" in line for line in lines) else lines)
""",
    "ast-transformer": """
import ast
class Empty(ast.NodeTransformer):
    def visit_Module(self, node):
        return ast.Module(body=[ast.Pass()], type_ignores=[])
get_ipython().ast_transformers.append(Empty())
""",
    "hidden-errors": """
ip = get_ipython()
ip.showtraceback = lambda *a, **k: None
ip.events.register("post_run_cell", lambda result: setattr(result, "error_in_exec", None))
""",
    "code-swap": """
import workbook.checks as wc
for f in (wc.check_close, wc.check_that, wc.check_array, wc.check_number):
    f.__code__ = (lambda *a, **k: None).__code__
""",
    "tracer": """
import sys
def tracer(frame, event, arg):
    if event == "exception":
        frame.f_locals.clear()
    return tracer
sys.settrace(tracer)
""",
    "gc-globals": """
import gc
for obj in gc.get_objects():
    if isinstance(obj, dict) and "check_close" in obj and "CheckError" in obj:
        obj["check_close"] = obj["check_that"] = obj["check_array"] = lambda *a, **k: None
""",
    "lying-array": """
import numpy as np
class Yes(np.ndarray):
    def __array_function__(self, func, types, args, kwargs):
        return True
    def __eq__(self, other):
        return True
def relu(z):
    return np.zeros(np.shape(z)).view(Yes)
h1 = h2 = np.zeros((2, 1)).view(Yes)
""",
    "frame-reader": """
import sys
class Peek(float):
    def __float__(self):
        frame = sys._getframe(1)
        while frame is not None:
            for value in frame.f_locals.values():
                if isinstance(value, float) and value != 0:
                    return value
            frame = frame.f_back
        return 0.0
o = squared_loss = J = Peek(0.0)
""",
    "probe-impostor": """
print("a cell that claims to be the grader's")
""",
}


# Hand-ins aimed at the hand-out design (each of a kind that once got through).
LEAKER = """
import base64
_tag = "LEAK" + "ED-"                     # the marker appears in the output only
_cells = "\\n".join(get_ipython().user_ns.get("In", []))
print(_tag + "B64", base64.b64encode(_cells.encode()).decode()[:4000])
print(_tag + "IN", _cells[-4000:])
raise ValueError(_tag + "ERROR " + _cells[-2000:])
"""

HIJACKER = """
import builtins
_real_import = builtins.__import__
def __import__(name, *args, **kwargs):
    if "handout" in name:
        print("HIJACKED")
    return _real_import(name, *args, **kwargs)
def bool(value):
    print("HIJACKED")
    return True
def give(*args, **kwargs):
    print("HIJACKED")
"""

HUNTER = """
def forward_rows(X_rows):
    '''Logits for inputs stored as rows, (m, 3) -> (m, 3), after a hunt for the reference.'''
    import gc, sys
    wanted, found = set(WANTED), set()
    for obj in gc.get_objects():
        if isinstance(obj, dict):
            found |= wanted & {k for k in obj if isinstance(k, str)}
        if getattr(obj, "__name__", None) in wanted:
            found.add(obj.__name__)
    frame = sys._getframe()
    while frame is not None:
        found |= wanted & (set(frame.f_locals) | set(frame.f_globals))
        frame = frame.f_back
    print("FOUND", sorted(found))
    return relu(relu(X_rows @ W1.T) @ W2.T) @ W_out.T
"""

SOCKET_FILLER = """
import os, sys
folder = os.path.dirname(sys.argv[sys.argv.index("-f") + 1])
written = 0
for number in range(10):
    try:
        with open(os.path.join(folder, f"fill{number}"), "wb") as handle:
            for _ in range(10):
                handle.write(b"x" * (1 << 20))
                written += 1
    except OSError:
        pass
print("WRITTEN MB", written)
"""


def hostile_hand_ins(course, hand_in, solution, wrong):
    """One hand-in of each kind aimed at the hand-out design: leaking what the graded kernel
    ran, hijacking the rewritten checks, hunting for the reference, filling the socket folder,
    choosing the tolerance, flooding errors, and files no listing or name can survive."""
    source = nbformat.read(course / "source" / ASSIGNMENT / f"{NOTEBOOK}.ipynb", 4)
    hand_in("leaker", append(solution, "cost", LEAKER))
    hand_in("hijacker", append(wrong, "relu", HIJACKER))
    wanted = f"WANTED = {sorted(reference_names(source))!r}\n"
    hand_in("hunter", {**solution, "forward_rows": wanted + HUNTER})
    hand_in("socket-filler", append(solution, "count_weights", SOCKET_FILLER))
    hand_in("half-precision", append(solution, "single_output",
                                     "squared_loss = np.float16(squared_loss * 1.02)"))
    flood = hand_in("error-flood", solution)
    nb = nbformat.read(flood, as_version=4)
    nb.cells.append(nbformat.v4.new_code_cell(    # every frame of its traceback a long line
        "def boom(n): return boom(n - 1) if n else 1 / 0  # " + "x" * 3000))
    nb.cells += [nbformat.v4.new_code_cell(f"boom(70 + {i} % 2)") for i in range(300)]
    nbformat.write(nb, flood)
    descend = os.open(hand_in("deep", solution).parent, os.O_RDONLY)
    for _ in range(1200):                     # past Python's recursion limit
        os.mkdir("d", dir_fd=descend)
        deeper = os.open("d", os.O_RDONLY, dir_fd=descend)
        os.close(descend)
        descend = deeper
    os.close(descend)
    folder = os.fsencode(hand_in("bytes-name", solution).parent)
    os.close(os.open(os.path.join(folder, b"notes-\xff\xfe.txt"), os.O_WRONLY | os.O_CREAT))
    odd = os.path.join(os.fsencode(course / "submitted"), b"odd-\xff", os.fsencode(ASSIGNMENT))
    os.makedirs(odd)
    shutil.copy(flood, os.path.join(odd, os.fsencode(f"{NOTEBOOK}.ipynb")))
    cells = course / "submitted" / "many-cells" / ASSIGNMENT / f"{NOTEBOOK}.ipynb"
    cells.parent.mkdir(parents=True)
    tiny = ('{"cell_type": "code", "metadata": {}, "outputs": [], "source": "1", '
            '"execution_count": null}')
    cells.write_text('{"nbformat": 4, "nbformat_minor": 5, "metadata": {}, "cells": ['
                     + ", ".join([tiny] * 300_000) + "]}")
    late = hand_in("bad-timestamp", solution).parent
    (late / "timestamp.txt").write_text("the day before the deadline, honestly")


def make_class(course):
    """Write every pre-made submission of the class into ``course/submitted``."""
    release = course / "release" / ASSIGNMENT / f"{NOTEBOOK}.ipynb"
    solution = solution_cells(course / "source" / ASSIGNMENT / f"{NOTEBOOK}.ipynb")
    wrong = {**solution, "hidden_layers": solution["hidden_layers"].replace(*WRONG)}

    def hand_in(student, cells, name=NOTEBOOK):
        target = course / "submitted" / student / ASSIGNMENT / f"{name}.ipynb"
        write_submission(release, target, cells)
        return target

    hand_in("honest", solution)
    hand_in("blank", None)
    hand_in("wrong", wrong)
    hand_in("regrade", solution)
    hand_in("loop", prepend(solution, "count_weights", "while True:\n    pass"))
    hand_in("crash", prepend(solution, "figure8_forward", "import os\nos._exit(1)"))
    hand_in("memory", prepend(solution, "relu", "hog = np.ones(1 << 29)"))
    hand_in("flood", append(solution, "count_weights",
                            "for _ in range(100000):\n    print('spam ' * 40)"))
    hand_in("misnamed", solution, name=f"{NOTEBOOK} (1)")
    hand_in("forker", append(solution, "count_weights", FORK_BOMB))
    hand_in("escapee", append(solution, "count_weights", ESCAPEE))
    for student, code in FORGERIES.items():
        path = hand_in(student, {"relu": code})
        if student == "probe-impostor":   # every cell claims the grader's own metadata
            nb = nbformat.read(path, as_version=4)
            for cell in nb.cells:
                cell.metadata.update(workbook_probe=True, workbook_test_source="pass")
            nbformat.write(nb, path)
    plant_links(course, hand_in, solution)
    malformed = course / "submitted" / "malformed" / ASSIGNMENT / f"{NOTEBOOK}.ipynb"
    malformed.parent.mkdir(parents=True)
    malformed.write_text('{"cells": [ this is not JSON')
    (course / "submitted" / "missing" / ASSIGNMENT).mkdir(parents=True)
    (course / "submitted" / "missing" / ASSIGNMENT / "notes.txt").write_text("forgot it")
    spy = hand_in("spy", solution)
    nb = nbformat.read(spy, as_version=4)
    nb.cells.append(nbformat.v4.new_code_cell(spy_code(course)))
    nbformat.write(nb, spy)

    patches = ("np.allclose = lambda *a, **k: True\n"
               "np.testing.assert_allclose = lambda *a, **k: None\n"
               "import workbook.checks as wc\n"
               "wc.check_close = lambda *a, **k: None\n"
               "check_close = lambda *a, **k: None\n"
               "check_array = lambda *a, **k: None")
    hand_in("patcher", append(wrong, "relu", patches))
    hand_in("sneaky", append(wrong, "relu", (
        "m = __import__('workbook.checks', fromlist=['x'])\n"
        "setattr(m, 'check_' + 'close', lambda *a, **k: None)\n"
        "globals()['check_' + 'close'] = m.check_close\n"
        "globals()['check_' + 'array'] = lambda *a, **k: None")))
    hand_in("silencer", append(wrong, "relu", (
        "getattr(get_ipython(), 'set_custom_' + 'exc')((Exception,), lambda *a, **k: None)")))
    hand_in("builtins", append(wrong, "relu", (
        "import builtins\nbuiltins.isinstance = lambda *a: True")))
    for student, change in [("editor", _empty_test), ("deleter", _delete_test),
                            ("duplicator", _duplicate_test), ("reflagger", _reflag_test)]:
        path = hand_in(student, wrong)
        nb = nbformat.read(path, as_version=4)
        change(nb)
        nbformat.write(nb, path)
    hostile_hand_ins(course, hand_in, solution, wrong)


def plant_links(course, hand_in, solution):
    """Hand-ins that point the grader elsewhere, stall it, or try to flood it."""
    honest = course / "submitted" / "honest" / ASSIGNMENT / f"{NOTEBOOK}.ipynb"
    link = course / "submitted" / "linker" / ASSIGNMENT / f"{NOTEBOOK}.ipynb"
    link.parent.mkdir(parents=True)
    link.symlink_to(honest)                                   # another student's notebook
    folder = hand_in("planter", solution).parent
    (folder / "key.json").symlink_to(course / "source" / ASSIGNMENT / f"{NOTEBOOK}.key.json")
    (folder / "gradebook.db").symlink_to(course / "gradebook.db")
    (folder / "memory").symlink_to("/proc/self/mem")
    os.mkfifo(folder / "pipe")
    with open(folder / "huge.bin", "wb") as handle:           # past the 64 MB file cap
        handle.truncate(80 * 1024 * 1024)
    peer = course / "submitted" / "peer-folder"
    peer.mkdir()
    (peer / ASSIGNMENT).symlink_to(honest.parent)               # a whole folder borrowed


def _test_cell(nb):
    return next(c for c in nb.cells if grade_id(c) == "test_h1")


def _empty_test(nb):
    _test_cell(nb).source = "pass"


def _delete_test(nb):
    nb.cells.remove(_test_cell(nb))


def _duplicate_test(nb):
    cell = _test_cell(nb)
    nb.cells.insert(nb.cells.index(cell), nbformat.from_dict(json.loads(json.dumps(cell))))


def _reflag_test(nb):
    cell = _test_cell(nb)
    cell.metadata["nbgrader"].update(grade=False, points=0)
    cell.source = "pass"


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def graded(request, tmp_path_factory):
    """The class, graded once per gradebook back end: ``(course, {student: csv row}, run)``.

    SQLite is the course's default; the PostgreSQL server is a throw-away one, named in the
    course's nbgrader_config.py as an instructor would.
    """
    if sandbox_problem():
        pytest.skip(f"no sandbox here: {sandbox_problem()}")
    with contextlib.ExitStack() as stack:
        db_url = None
        if request.param == "postgresql":
            try:
                db_url = stack.enter_context(postgres_server())
            except PostgresUnavailable as reason:
                pytest.skip(str(reason))
        course = make_course(tmp_path_factory.mktemp(request.param), [ASSIGNMENT], db_url)
        make_class(course)
        run = workbook(course, "grade", ASSIGNMENT, "--timeout", str(CELL_TIMEOUT), check=False)
        yield course, read_csv(course), run
        remove_deep(course / "submitted" / "deep" / ASSIGNMENT)


def remove_deep(folder):
    """Remove a hand-in's very deep folder tree, which shutil.rmtree cannot (it recurses)."""
    path, depth = folder / "d", 0
    while path.is_dir():
        path, depth = path / "d", depth + 1
    for _ in range(depth + 1):
        path = path.parent
        shutil.rmtree(path, ignore_errors=True)


def read_csv(course):
    return {student: row for (student, _), row in read_grade_file(course).items()}


def cell_scores(course, student):
    """``{cell: (score, max)}`` of the cells the grader decides (written answers left out)."""
    from nbgrader.api import Gradebook

    with Gradebook(course_config(course).CourseDirectory.db_url) as gb:
        nb = gb.find_submission_notebook(NOTEBOOK, ASSIGNMENT, student)
        return {g.name: (g.score, g.max_score) for g in nb.grades
                if g.cell.cell_type == "code"}


def test_every_student_is_reported_and_the_run_succeeds(graded):
    """Does the run succeed with a row for every student, whatever they handed in?"""
    course, rows, run = graded
    assert run.returncode == 0, run.stderr[-3000:]
    students = {safe_name(p.parent.name)
                for p in (course / "submitted").glob(f"*/{ASSIGNMENT}")}
    assert set(rows) == students
    assert "honest" in run.stdout and "flagged for review" in run.stdout
    assert not (course / "pwned.txt").exists()


def test_honest_work_gets_its_points_untouched_by_the_others(graded):
    """Does honest work get its points, untouched by the hostile hand-ins beside it?"""
    _, rows, _ = graded
    assert rows["honest"]["score"] == str(FULL)
    assert rows["honest"]["max_score"] == str(FULL + WRITTEN)
    assert (rows["honest"]["status"], rows["honest"]["flags"]) == ("ok", "")
    assert rows["blank"]["score"] == "0" and rows["blank"]["status"] == "ok"
    assert 0 < float(rows["wrong"]["score"]) < FULL


def test_an_infinite_loop_is_stopped_and_only_its_cell_loses(graded):
    """Is an infinite loop stopped, with only its cell losing points?"""
    course, rows, _ = graded
    assert rows["loop"]["status"] == "timeout"
    assert f"longer than {CELL_TIMEOUT} s" in rows["loop"]["flags"]
    lost = {name for name, (score, top) in cell_scores(course, "loop").items() if score < top}
    assert lost == {"test_count_weights"}


def test_a_dead_kernel_keeps_the_points_earned_before_it(graded):
    """Does a dead kernel keep the points earned before it died?"""
    course, rows, _ = graded
    assert rows["crash"]["status"] == "kernel died"
    scores = cell_scores(course, "crash")
    after = {"test_layer1", "test_layer2", "test_layer3", "test_cost", "test_forward_rows",
             "test_collapse"}
    assert all(scores[name][0] == 0 for name in after)
    assert all(score == top for name, (score, top) in scores.items() if name not in after)
    assert float(rows["crash"]["score"]) == sum(top for n, (_, top) in scores.items()
                                                if n not in after)


def test_a_memory_bomb_fails_its_cell_and_the_kernel_lives_on(graded):
    """Does a memory bomb fail its own cell while the kernel lives on?"""
    course, rows, _ = graded
    assert "ran out of memory" in rows["memory"]["flags"]
    scores = cell_scores(course, "memory")
    assert scores["test_relu"][0] == 0
    assert scores["test_count_weights"] == (2, 2)   # later, independent cells still ran


def test_a_flood_of_output_is_cut_and_costs_nothing(graded):
    """Is a flood of output cut, costing no points and little disk?"""
    course, rows, _ = graded
    assert rows["flood"]["score"] == str(FULL)
    assert "output cut" in rows["flood"]["flags"]
    graded_nb = course / "autograded" / "flood" / ASSIGNMENT / f"{NOTEBOOK}.ipynb"
    assert graded_nb.stat().st_size < 3_000_000


def printed(course, student, cell):
    """What one cell of a student's autograded notebook printed."""
    nb = nbformat.read(course / "autograded" / student / ASSIGNMENT / f"{NOTEBOOK}.ipynb", 4)
    return "".join(o.get("text", "") for o in next(c for c in nb.cells if grade_id(c) == cell)
                   .outputs)


def test_a_fork_bomb_hits_the_process_limit_and_is_cleaned_up(graded):
    """Does a fork bomb hit the process limit and leave no process behind?"""
    course, rows, _ = graded
    assert rows["forker"]["score"] == str(FULL)
    text = printed(course, "forker", "count_weights")
    assert "fork refused after" in text
    assert int(text.split("fork refused after")[1].split()[0]) < 64
    assert kernel_processes() == []


def test_a_kernel_sees_only_itself_and_takes_everything_with_it(graded):
    """Does a kernel have its own processes and /tmp, and leave nothing running behind?"""
    course, rows, _ = graded
    assert rows["escapee"]["score"] == str(FULL)
    text = printed(course, "escapee", "count_weights")
    assert int(text.split("PROCESSES")[1].split()[0]) <= 3   # the kernel, sleep, maybe ls
    listed = eval(text.split("TMP")[1].strip())  # noqa: S307 (the test's own output)
    # besides its own file: its job's folder, and Python if it is installed under /tmp
    python = {Path(p).relative_to("/tmp").parts[0] for p in exposed_paths()
              if Path(p).is_relative_to("/tmp")}
    others = set(listed) - {"escapee-was-here"} - python
    assert "escapee-was-here" in listed and len(others) == 1
    assert others.pop().startswith("workbook-grade-")
    assert kernel_processes() == []


def kernel_processes():
    """Processes still running under a kernel's uid (there should be none after grading)."""
    found = []
    for status in Path("/proc").glob("[0-9]*/status"):
        try:
            uid = int(next(line for line in status.read_text().splitlines()
                           if line.startswith("Uid:")).split()[1])
        except (OSError, StopIteration):
            continue
        if FIRST_UID <= uid < FIRST_UID + UID_COUNT:
            found.append(status.parent.name)
    return found


@pytest.mark.parametrize("student", sorted(FORGERIES))
def test_a_forgery_in_the_kernel_is_worth_nothing(graded, student):
    """Does blank work with an attack on the checks still score 0, the batch unharmed?"""
    _, rows, _ = graded
    assert rows[student]["score"] == "0", rows[student]


def test_links_fifos_and_huge_files_are_refused_and_reported(graded):
    """Does the grader refuse what is not a regular file, read nothing through it, and go on?"""
    course, rows, _ = graded
    assert rows["linker"]["status"] == "missing" and rows["linker"]["score"] == "0"
    assert "symbolic link" in rows["linker"]["flags"]
    planter = rows["planter"]
    assert planter["score"] == str(FULL) and planter["status"] == "ok"
    for name, why in [("key.json", "symbolic link"), ("gradebook.db", "symbolic link"),
                      ("memory", "symbolic link"), ("pipe", "FIFO"), ("huge.bin", "64 MB")]:
        assert f"'{name}' is" in planter["flags"] and why in planter["flags"], name
    staged = course / "autograded" / "planter" / ASSIGNMENT
    assert sorted(p.name for p in staged.iterdir()) == [f"{NOTEBOOK}.ipynb"]
    assert rows["peer-folder"]["status"] == "malformed"
    assert "symbolic link, not a folder" in rows["peer-folder"]["flags"]
    assert not (course / "autograded" / "peer-folder").exists()


def test_bad_hand_ins_get_a_clear_status(graded):
    """Do malformed, missing and misnamed hand-ins get a clear status?"""
    course, rows, _ = graded
    assert rows["malformed"]["status"] == "malformed"
    assert rows["malformed"]["score"] == ""
    assert "could not be read as a notebook" in rows["malformed"]["flags"]
    assert (rows["missing"]["status"], rows["missing"]["score"]) == ("missing", "0")
    assert (rows["misnamed"]["status"], rows["misnamed"]["score"]) == ("misnamed", str(FULL))
    assert "forward_pass (1).ipynb" in rows["misnamed"]["flags"]


def test_the_sandbox_hides_the_course_the_network_and_the_other_students(graded):
    """Does the sandbox hide the course, the network and the other students?"""
    course, rows, _ = graded
    assert rows["spy"]["score"] == str(FULL)
    nb = nbformat.read(course / "autograded" / "spy" / ASSIGNMENT / f"{NOTEBOOK}.ipynb", 4)
    text = "".join(o.get("text", "") for o in nb.cells[-1].outputs)
    assert "LEAK" not in text
    assert text.count("blocked:") == 8


@pytest.mark.parametrize("student", sorted(TAMPERING))
def test_tampering_never_beats_honest_work_and_is_flagged(graded, student):
    """Is tampering flagged, and never worth more than honest work?"""
    _, rows, _ = graded
    _, must_mention = TAMPERING[student]
    assert must_mention in rows[student]["flags"]
    assert float(rows[student]["score"]) <= float(rows["wrong"]["score"]) or rows[student]["flags"]
    # Patching builtins can break the kernel itself: it stops answering or dies; still graded.
    assert rows[student]["status"] in ("ok", "timeout", "kernel died")


def test_what_the_graded_kernel_ran_never_reaches_a_feedback_page(graded):
    """Printing ``In`` (plain or base64) or raising with it in the graded run shows nothing of
    it on the student's page, ours or nbgrader's ``generate_feedback``'s."""
    course, rows, _ = graded
    text = printed(course, "leaker", "cost")
    assert "LEAKED-B64" in text        # it ran, and printed, in the graded kernel
    workbook(course, "feedback", ASSIGNMENT, "--student", "leaker")
    ours = (course / FEEDBACK / "leaker" / ASSIGNMENT / f"{NOTEBOOK}.html").read_text()
    nbgrader(course, "generate_feedback", ASSIGNMENT, "--student", "leaker", "--force")
    theirs = (course / "feedback" / "leaker" / ASSIGNMENT / f"{NOTEBOOK}.html").read_text()
    for page in (ours, theirs):
        assert "LEAKED-" not in page and text.split()[1][:40] not in page


def test_rewritten_checks_cannot_be_hijacked_through_the_students_names(graded):
    """Do a notebook-level ``__import__``, ``bool`` and ``give`` go unused by the graded test
    cells (so a forged check_that is impossible that way), the wrong answer still wrong?"""
    course, rows, _ = graded
    nb = nbformat.read(course / "autograded" / "hijacker" / ASSIGNMENT / f"{NOTEBOOK}.ipynb", 4)
    assert "HIJACKED" not in json.dumps([c.get("outputs", []) for c in nb.cells])
    assert float(rows["hijacker"]["score"]) <= float(rows["wrong"]["score"])


def test_a_student_function_finds_no_name_of_the_reference(graded):
    """Does a function that searches every object, frame and namespace of the graded kernel
    for the reference regions' names find none of them?"""
    course, rows, _ = graded
    source = nbformat.read(course / "source" / ASSIGNMENT / f"{NOTEBOOK}.ipynb", 4)
    assert reference_names(source), "Assignment 1 has no reference region to hunt for"
    assert "FOUND []" in printed(course, "hunter", "test_forward_rows")
    assert rows["hunter"]["score"] == str(FULL)


def test_every_cap_caps(graded):
    """The socket folder is inside the kernel's capped /tmp; errors count against the output
    budgets, so a flood of them keeps the graded notebook small and costs nothing."""
    course, rows, _ = graded
    written = int(printed(course, "socket-filler", "count_weights").split("WRITTEN MB")[1]
                  .split()[0])
    assert written <= 64 and rows["socket-filler"]["score"] == str(FULL)
    graded_nb = course / "autograded" / "error-flood" / ASSIGNMENT / f"{NOTEBOOK}.ipynb"
    assert graded_nb.stat().st_size < 12 * 1024 * 1024
    assert rows["error-flood"]["score"] == str(FULL) and "output cut" in rows["error-flood"][
        "flags"]


def test_a_lower_precision_answer_gets_no_wider_tolerance(graded):
    """Is an answer 2 % off, returned as float16, still wrong (float16 gets float32's slack)?"""
    course, _, _ = graded
    assert cell_scores(course, "half-precision")["test_squared_loss"][0] == 0


@pytest.mark.parametrize("student, status, words", [
    ("deep", "ok", "folders deep: not read"),
    ("bytes-name", "ok", "has a name that is not UTF-8"),
    ("odd-\\xff", "malformed", "not printable UTF-8"),
    ("many-cells", "malformed", "more than 2000 cells"),
    ("bad-timestamp", "ok", "timestamp.txt could not be read"),
])
def test_no_hand_in_stops_the_class(graded, student, status, words):
    """Does each file, folder or name that once aborted the batch now fail (or pass) for its
    student alone, with a status and a flag, the batch running through?"""
    _, rows, run = graded
    assert run.returncode == 0, run.stderr[-2000:]
    assert rows[student]["status"] == status and words in rows[student]["flags"]
    if status == "ok":
        assert rows[student]["score"] == str(FULL)
    else:
        assert "no earlier score stands" in rows[student]["flags"]


def test_restored_test_cells_still_grade_the_wrong_answer(graded):
    """Do restored test cells still grade the wrong answer as wrong?"""
    _, rows, _ = graded
    for student in ("editor", "deleter", "duplicator", "reflagger"):
        assert float(rows[student]["score"]) <= float(rows["wrong"]["score"]), student


def test_a_failed_regrade_keeps_the_old_grade_and_files(graded):
    """Does a regrade that fails keep the old grade and graded files?"""
    course, _, _ = graded
    graded_nb = course / "autograded" / "regrade" / ASSIGNMENT / f"{NOTEBOOK}.ipynb"
    before = graded_nb.read_bytes()
    assert cell_scores(course, "regrade")["test_cost"] == (2, 2)
    (course / "submitted" / "regrade" / ASSIGNMENT / f"{NOTEBOOK}.ipynb").write_text("{oops")
    run = workbook(course, "grade", ASSIGNMENT, "--student", "regrade")
    assert "malformed" in run.stdout
    assert read_csv(course)["regrade"]["status"] == "malformed"
    assert graded_nb.read_bytes() == before
    assert sum(s for s, _ in cell_scores(course, "regrade").values()) == FULL


def test_regrading_is_idempotent_and_nbgrader_export_still_works(graded):
    """Is regrading idempotent, with nbgrader export still working?"""
    course, first, _ = graded
    workbook(course, "grade", ASSIGNMENT, "--student", "honest", "blank", "--quiet")
    again = read_csv(course)
    assert set(again) == set(first)
    for student in ("honest", "blank"):
        assert again[student] == first[student]
    nbgrader(course, "export", "--to", "export.csv")
    with open(course / "export.csv", newline="") as handle:
        exported = {row["student_id"]: row for row in csv.DictReader(handle)}
    assert float(exported["honest"]["raw_score"]) == FULL
    assert float(exported["blank"]["raw_score"]) == 0


def test_without_bubblewrap_it_grades_and_says_so_loudly(course_with):
    """Without bubblewrap, does it grade anyway and say so loudly?"""
    course = course_with(ASSIGNMENT, {"honest": SOLUTION})
    env = venv_env()
    env["PATH"] = str(Path(sys.executable).parent)   # the venv only: no bwrap to be found
    run = workbook(course, "grade", ASSIGNMENT, env=env)
    assert "UNSANDBOXED" in run.stderr
    row = read_csv(course)["honest"]
    assert (row["score"], row["flags"]) == (str(FULL), "graded without a sandbox")


def test_unknown_assignment_is_a_clear_error(tmp_path):
    """Is an unknown assignment a clear error with status 2?"""
    course = make_course(tmp_path, [])
    run = workbook(course, "grade", "no_such_assignment", check=False)
    assert run.returncode == 2
    assert "no assignment 'no_such_assignment' in this course" in run.stderr
    assert "Valid assignments:" in run.stderr   # more error paths: tests/test_cli.py


def test_a_dask_cluster_grades_like_local_workers(course_with):
    """Does a Dask cluster grade exactly like local workers?"""
    from distributed import LocalCluster

    solution = solution_cells(ROOT / "source" / ASSIGNMENT / f"{NOTEBOOK}.ipynb")
    wrong = {**solution, "hidden_layers": solution["hidden_layers"].replace(*WRONG)}
    course = course_with(ASSIGNMENT, {"honest": SOLUTION, "wrong": wrong, "blank": None})
    workbook(course, "grade", ASSIGNMENT, "--quiet")
    local = read_csv(course)
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1",
                      dashboard_address=None) as cluster:
        run = workbook(course, "grade", ASSIGNMENT, "--scheduler", cluster.scheduler_address)
    assert f"Dask at {cluster.scheduler_address}" in run.stdout
    assert read_csv(course) == local
    assert local["honest"]["score"] == str(FULL) and local["blank"]["score"] == "0"


def test_a_notebook_past_its_time_limit_is_stopped_with_points_kept(course_with):
    """Is a notebook past its time limit stopped, keeping the points earned before?"""
    slow = solution_cells(ROOT / "source" / ASSIGNMENT / f"{NOTEBOOK}.ipynb")
    for cell in ("softmax", "cross_entropy", "count_weights", "figure8_forward", "cost"):
        slow = prepend(slow, cell, "import time\ntime.sleep(4)")
    course = course_with(ASSIGNMENT, {"slow": slow})
    workbook(course, "grade", ASSIGNMENT, "--notebook-timeout", "14", "--timeout", "6")
    row = read_csv(course)["slow"]
    assert row["status"] == "timeout"
    assert "longer than its limit of 14 s" in row["flags"]
    scores = cell_scores(course, "slow")
    assert scores["test_relu"] == (1, 1) and scores["test_o3"] == (1, 1)
    assert scores["test_collapse"][0] == 0


def hidden_test_lines():
    """Every line between nbgrader's hidden-test markers in the source notebook."""
    nb = nbformat.read(ROOT / "source" / ASSIGNMENT / f"{NOTEBOOK}.ipynb", 4)
    return {line for cell in nb.cells for line in hidden_lines(cell.source) if len(line) > 8}


def test_feedback_shows_scores_and_own_errors_never_hidden_tests(graded):
    """Do the class's pages show scores and the students' own errors, never a hidden test?"""
    course, rows, _ = graded
    run = workbook(course, "feedback", ASSIGNMENT)
    pages = {Path(p).parts[-3]: html.unescape(Path(p).read_text())
             for p in run.stdout.split()}
    assert set(pages) == {s for s, row in rows.items() if row["status"] != "malformed"}
    secrets = hidden_test_lines()
    assert secrets
    for student, page in pages.items():
        leaked = [line for line in secrets if line in page]
        assert not leaked, f"{student}'s feedback shows hidden tests: {leaked[:3]}"
    honest, blank = pages["honest"], pages["blank"]
    assert f"Score: {FULL} / {FULL + WRITTEN}" in honest and "def relu(z):" in honest
    assert "Test test_relu: 1 / 1" in pages["honest"]
    assert f"Score: 0 / {FULL + WRITTEN}" in blank and "NotImplementedError" in blank
    assert "not handed in" in pages["missing"]
    assert "First thing to fix" in pages["wrong"] and "<math" in pages["honest"]
    # no page students are never given (nbgrader releases one page per notebook)
    assert not (course / FEEDBACK / "honest" / "index.html").exists()
    assert "href='" not in pages["honest"].replace("href='#", "")


def factory_traces():
    """Kernel factories' folders in /tmp and their processes still running."""
    folders = set(Path(tempfile.gettempdir()).glob("workbook-grade-*"))
    running = []
    for cmdline in Path("/proc").glob("[0-9]*/cmdline"):
        try:
            if b"workbook-grade-" in cmdline.read_bytes():
                running.append(cmdline.parent.name)
        except OSError:
            continue
    return folders, running


def test_factories_started_ahead_are_adopted_and_leave_nothing_behind(course_with):
    """The kernel factories the command starts before importing nbgrader are closed after a
    run, and after a run refused once they were started (an unknown student)."""
    course = course_with(ASSIGNMENT, {"honest": SOLUTION, "blank": None})
    before, _ = factory_traces()
    workbook(course, "grade", ASSIGNMENT, "--quiet", "--jobs", "2")
    assert read_csv(course)["honest"]["score"] == str(FULL)
    refused = workbook(course, "grade", ASSIGNMENT, "--student", "nobody", check=False)
    assert refused.returncode == 2 and "nobody" in refused.stderr
    after, running = factory_traces()
    assert after - before == set() and running == []


BORROWER = '''
def _mine(self, X, Y, coef):
{mine}


_found = {{}}       # the kernel is searched once per cell it runs, not once per call


def backward_pass(self, X, Y, coef):
    """The reference's backward pass, if the graded kernel holds one; else my own."""
    import gc

    cell = get_ipython().execution_count
    if cell not in _found:
        _found[cell] = [found for found in gc.get_objects() if callable(found)
                        and getattr(found, "__name__", "") in {names!r}]
    for found in _found[cell]:
        try:
            return found(self.params, X, Y, self.L)
        except Exception:
            pass
    return _mine(self, X, Y, coef)


NN.backward_pass = backward_pass
'''


def test_a_function_that_borrows_the_reference_gains_nothing(course_with):
    """Assignment 4: a backward pass with a real mistake that calls the reference backward
    pass whenever it finds one (a hand-in that once scored 15/20 against 10/20) scores no more
    than the same mistake alone: no reference is left in the graded kernel to find."""
    a4 = "04_neural_network"
    source = ROOT / "source" / a4 / "neural_network.ipynb"
    solution = solution_cells(source)
    mistaken = solution["backward_pass"].replace(
        'dX_l * self.a[layer]["derivative"](coef[f"z{layer}"])', "dX_l")
    body = mistaken.split('    """', 2)[2].split("\n", 1)[1].split("\n\nNN.backward_pass")[0]
    names = sorted(reference_names(nbformat.read(source, 4)))
    assert "reference_grads_" in names
    borrower = BORROWER.format(mine=body, names=names)
    course = course_with(a4, {"mistake": {**solution, "backward_pass": mistaken},
                              "borrower": {**solution, "backward_pass": borrower}})
    workbook(course, "grade", a4, "--quiet")
    rows = read_csv(course)
    assert float(rows["mistake"]["score"]) < float(rows["mistake"]["max_score"])
    assert float(rows["borrower"]["score"]) <= float(rows["mistake"]["score"])
