"""Do the visible checks catch what the grade will catch, and name the mistakes they know?

:mod:`instructor.authoring.visible_catch` runs the release notebook of each assignment with every
planted mistake and every correct variant, in a process of its own, and says for each mistake
whether the checks of the cell that holds it catch it, naming what that cell defines, and
whether its fingerprint names it. The table is kept in ``test-artifacts/visible-catch/``.
"""

import json
import subprocess
import sys

import pytest

from instructor.authoring.courses import COURSE, venv_env
from instructor.authoring.planted import declarations
from instructor.authoring.visible_catch import own_checks
from instructor.authoring.visible_runs import Cell, bound_names

ASSIGNMENTS = list(declarations())
# Assignments 8 and 9 came after the visible checks of 1-7 were sharpened: their figures are
# kept (about four in ten caught) and they are held to right answers passing, not yet to nine
# in ten.
NOT_YET_SHARPENED = {"08_layers", "09_convolution"}


def _measure(assignment, *options):
    result = subprocess.run(
        [sys.executable, "-m", "instructor.authoring.visible_catch", assignment, *options],
        cwd=COURSE, env=venv_env(), capture_output=True, text=True, timeout=900)
    assert result.returncode == 0, result.stderr[-3000:]
    return result.stdout


def test_a_mistake_is_checked_by_the_cells_after_it_and_the_first_it_must_lose():
    """Are a cell's own checks the test cells up to the next answer cell, plus the first test
    cell the mistake must lose points in?"""
    kinds = ["answer", "given", "test", "test", "answer", "test", "answer", "test"]
    cells = [Cell(f"c{i}", kind, "") for i, kind in enumerate(kinds)]
    assert own_checks(cells, 0) == [2, 3]
    assert own_checks(cells, 0, loses=("c7", "c5")) == [2, 3, 5]
    assert own_checks(cells, 4, loses=("c2",)) == [5]


def test_the_names_an_answer_cell_defines():
    """Does a message naming a function, a variable or a method set on a class count?"""
    source = "def relu(z):\n    return z\n\nh1 = relu(x)\nNN.train = train\n"
    assert bound_names(source) == {"relu", "h1", "train"}


@pytest.mark.slow
@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_visible_checks_catch_nine_in_ten_planted_mistakes(assignment):
    """Do the checks of the cell holding a planted mistake catch nine in ten, each one they miss
    say why, and every correct variant pass every visible check without being named?"""
    [figures] = json.loads(_measure(assignment, "--json"))
    folder = COURSE / "test-artifacts" / "visible-catch"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"{assignment}.json").write_text(json.dumps(figures, indent=1) + "\n")
    assert figures["variant_problems"] == {}
    if assignment in NOT_YET_SHARPENED:
        return
    assert figures["caught"] >= 0.9 * figures["mistakes"], figures["not_caught"]
    assert [m["mistake"] for m in figures["not_caught"] if not m["unseen"]] == []
