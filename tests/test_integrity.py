"""Does each integrity check find what it looks for, and nothing in honest work?

Tiny notebooks stand in for a release and a hand-in, so these run anywhere (no bubblewrap);
the probe runs in a real, unsandboxed kernel.
"""

import copy
import os

import nbformat
import pytest
from nbclient import NotebookClient
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from instructor.authoring.courses import venv_env
from instructor.grading import integrity
from instructor.vocabulary import PROBE, grade_id, is_test


def nbgrader(grade_id, *, grade=False, solution=False, locked=False, points=0):
    return {"nbgrader": {"grade_id": grade_id, "grade": grade, "solution": solution,
                         "locked": locked, "points": points, "schema_version": 3,
                         "task": False}}


SETUP = "import numpy as np\nfrom workbook.checks import check_close, check_that"
TEST = 'check_close(answer, 2.0, "answer")'


def release():
    """A release with a locked setup cell, an answer cell and its test cell."""
    return new_notebook(cells=[
        new_markdown_cell("# A tiny assignment"),
        new_code_cell(SETUP, metadata=nbgrader("setup", locked=True)),
        new_code_cell("# YOUR CODE HERE\nraise NotImplementedError()",
                      metadata=nbgrader("answer", solution=True)),
        new_code_cell(TEST, metadata=nbgrader("test_answer", grade=True, locked=True, points=1)),
    ])


def handed_in(answer="answer = 2.0", *extra_cells):
    nb = release()
    nb.cells[2].source = answer
    nb.cells[3:3] = [new_code_cell(code) for code in extra_cells]
    return nb


def test_honest_work_raises_no_flag():
    """Does honest work raise no tampering flag?"""
    nb = handed_in()
    assert integrity.structure_flags(nb, release()) == []
    assert integrity.static_flags(nb, integrity.protected_names(release())) == []


def test_protected_names_are_what_the_locked_cells_import():
    """Are the protected names what the locked cells import?"""
    assert integrity.protected_names(release()) == {
        "np": ("numpy", None), "check_close": ("workbook.checks", "check_close"),
        "check_that": ("workbook.checks", "check_that")}


@pytest.mark.parametrize("change, flag", [
    (lambda nb: setattr(nb.cells[3], "source", "pass"), "edited the locked cell 'test_answer'"),
    (lambda nb: nb.cells.pop(3), "deleted the graded cell 'test_answer'"),
    (lambda nb: nb.cells.append(copy.deepcopy(nb.cells[3])),
     "duplicated the cell 'test_answer' (2 copies)"),
    (lambda nb: nb.cells[3].metadata.nbgrader.update(points=5),
     "changed the nbgrader metadata of 'test_answer'"),
    (lambda nb: nb.cells.append(new_code_cell("x", metadata=nbgrader("mine", grade=True))),
     "added a graded cell 'mine'"),
])
def test_structure_flags_name_the_change(change, flag):
    """Does each structural change of a grade cell get a flag naming it?"""
    nb = handed_in()
    change(nb)
    assert flag in integrity.structure_flags(nb, release())


def test_restore_gives_back_release_metadata_and_unmarks_copies():
    """Does restoring give grade cells the release's metadata and unmark copies?"""
    nb = handed_in()
    nb.cells[3].metadata.nbgrader.update(grade=False, points=0)
    nb.cells.append(copy.deepcopy(nb.cells[3]))
    nb.cells.append(new_code_cell("x", metadata=nbgrader("invented", grade=True, points=9)))
    integrity.restore_grade_cells(nb, release())
    assert [grade_id(c) for c in nb.cells if grade_id(c)] == ["setup", "answer", "test_answer"]
    assert nb.cells[3].metadata.nbgrader["points"] == 1 and is_test(nb.cells[3])


@pytest.mark.parametrize("code, flag", [
    ("np.allclose = lambda *a, **k: True", "assigns to np.allclose"),
    ("x, np.random.seed = 1, print", "assigns to np.random.seed"),
    ("np.__dict__['isclose'] += 0", "assigns to np.__dict__['isclose']"),
    ("import builtins\nbuiltins.isinstance = lambda *a: True", "assigns to builtins.isinstance"),
    ("check_close = print", "re-binds 'check_close', which the tests use"),
    ("def check_that(*a):\n    pass", "re-defines 'check_that', which the tests use"),
    ("setattr(np, 'isclose', None)", "calls setattr"),
    ("get_ipython().set_custom_exc((Exception,), print)", "calls get_ipython().set_custom_exc"),
    ("get_ipython().events.register('post_run_cell', print)",
     "calls get_ipython().events.register"),
    ("exec('x = 1')", "calls exec"),
])
def test_static_flags_find_patches_and_hooks(code, flag):
    """Does static reading find patches of the checks and hooks that hide errors?"""
    nb = handed_in("answer = 2.0", code)
    flags = integrity.static_flags(nb, integrity.protected_names(release()))
    assert any(f.startswith(flag) for f in flags), flags


def test_static_reading_ignores_ordinary_code_and_syntax_errors():
    """Does static reading leave ordinary code and syntax errors unflagged?"""
    nb = handed_in("answer = 2.0\nresult = {}\nresult['x'] = np.zeros(2)\nsetattr(obj, 'a', 1)\n"
                   "grad = np.ones((3, 2))\ngrad[np.arange(3), np.argmax(grad, axis=1)] -= 1",
                   "def broken(:")
    assert integrity.static_flags(nb, integrity.protected_names(release())) == []


def run(nb):
    """Execute ``nb`` in a fresh local kernel (no sandbox), which first imports the hand-out
    as a graded kernel's factory does, and return it."""
    nb.cells.insert(0, nbformat.v4.new_code_cell("import workbook.handout"))
    client = NotebookClient(nb, timeout=60, kernel_name="python3", allow_errors=True,
                            resources={"metadata": {"path": "."}})
    saved = os.environ.copy()
    os.environ.update(venv_env())
    try:
        client.execute()
    finally:
        os.environ.clear()
        os.environ.update(saved)
    del nb.cells[0]
    return nb


def probed(nb):
    integrity.add_probes(nb, integrity.protected_names(release()))
    return nb


@pytest.mark.slow
def test_a_probe_follows_every_test_cell_and_leaves_nothing_behind():
    """Does a probe follow every test cell and leave nothing behind in the graded notebook?"""
    nb = probed(handed_in())
    assert len(nb.cells) == len(release().cells) + 1
    assert nb.cells[4].metadata[PROBE]
    executed = run(nb)
    assert integrity.take_probes(executed) == []
    assert len(executed.cells) == len(release().cells)


@pytest.mark.slow
def test_the_probe_finds_patched_checks_and_rebound_names():
    """Does the probe find patched checks and names rebound away from the tests' objects?"""
    patches = ("import workbook.checks as wc\n"
               "wc.check_close = lambda *a, **k: None\n"
               "check_that = lambda *a, **k: None\n"
               "np.allclose = lambda *a, **k: True")
    found = integrity.take_probes(run(probed(handed_in("answer = 3.0", patches))))
    assert "numpy.allclose accepts a wrong value" in found
    assert "workbook.checks.check_close accepts a wrong value" in found
    assert "'check_that' no longer is the workbook.checks object the tests use" in found


@pytest.mark.slow
def test_a_silenced_probe_is_a_finding():
    """Is a probe that cannot report a finding in itself?"""
    hook = "get_ipython().set_custom_exc((Exception,), lambda *a, **k: None)"
    found = integrity.take_probes(run(probed(handed_in("answer = 2.0", hook))))
    assert "a custom exception handler (set_custom_exc) can hide failures" in found
    nb = probed(handed_in())
    nb.cells[4].outputs = [nbformat.v4.new_output("stream", name="stdout", text="garbage")]
    assert integrity.take_probes(nb) == [
        "a grader probe could not report: output or errors are tampered with"]
