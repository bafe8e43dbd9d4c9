"""Does the check for expected values that depend on the student's answers find them, and only
them? (:mod:`instructor.authoring.independence`, applied to every notebook in
test_assignments.py.)"""

import nbformat
import pytest

from instructor.authoring.independence import dependent_expectations


def notebook(*cells):
    """A source notebook: ``("answer", code)`` is an answer cell, ``("test", code)`` a test."""
    nb = nbformat.v4.new_notebook()
    for kind, code in cells:
        cell = nbformat.v4.new_code_cell(code)
        cell.metadata["nbgrader"] = {"grade_id": f"cell{len(nb.cells)}",
                                     "solution": kind == "answer", "grade": kind == "test",
                                     "locked": kind != "answer"}
        nb.cells.append(cell)
    return nb


ANSWER = ("answer", "import numpy as np\nX = np.arange(6.0)\n\ndef relu(z):\n"
          "    ### BEGIN SOLUTION\n    return np.maximum(z, 0)\n    ### END SOLUTION\n")


def hidden(code):
    return ("test", f"### BEGIN HIDDEN TESTS\n{code}\n### END HIDDEN TESTS\n")


@pytest.mark.parametrize("code", [
    "check_close(relu(X), relu(X), 'relu')",
    "expected = relu(X)\ncheck_close(relu(X), expected, 'relu')",
    "for z in [X, -X]:\n    out = relu(z)\n    check_close(relu(z), out * 1, 'relu')",
    "ref = {'f': relu}\ncheck_close(relu(X), ref['f'](X), 'relu')",
    "seen = []\nseen.append(relu(X))\ncheck_close(relu(X), seen[0], 'relu')",
])
def test_expected_values_from_the_answers_are_found(code):
    """Are hidden expected values computed from the student's answers found?"""
    assert len(dependent_expectations(notebook(ANSWER, hidden(code)))) == 1


@pytest.mark.parametrize("code", [
    "check_close(relu(X), np.maximum(X, 0), 'relu')",
    "def ref_(z):\n    return np.maximum(z, 0)\ncheck_close(relu(X), ref_(X), 'relu')",
    "out = relu(X)\nout = np.maximum(X, 0)\ncheck_close(relu(X), out, 'relu')",
    "for z in [X, -X]:\n    check_close(relu(z), np.where(z > 0, z, 0), 'relu')",
    "import matplotlib.pyplot as plt\nplt.plot(relu(X))\n"
    "check_close(relu(X), np.maximum(X, 0), 'relu')",
    "check_close(relu(X), (lambda relu: np.maximum(relu, 0))(X), 'relu')",
])
def test_expected_values_of_the_course_pass(code):
    """Do expected values computed from the course's own data pass?"""
    assert dependent_expectations(notebook(ANSWER, hidden(code))) == []


def test_given_code_in_an_answer_cell_is_the_course_s():
    """``X`` is set outside the solution markers of the answer cell: it is the course's data."""
    found = dependent_expectations(notebook(ANSWER, hidden("check_close(relu(X), X * 0, 'r')")))
    assert found == []


def test_a_visible_check_is_not_judged():
    """Only hidden checks go to the answer key; visible ones run in the kernel for both."""
    visible = ("test", "check_close(relu(X), relu(X), 'relu')")
    assert dependent_expectations(notebook(ANSWER, visible)) == []
