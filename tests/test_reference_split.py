"""Does nothing of the reference run in a student's kernel? The proof, notebook by notebook.

``workbook grade`` drops the expected values and the reference regions of every hidden test
(:mod:`instructor.grading.rewrite`); :mod:`instructor.authoring.reference_split` follows names
through a notebook to prove that what is left only builds inputs and calls the student's code.
"""

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_notebook

from instructor.authoring.courses import COURSE
from instructor.authoring.reference_split import kernel_leaks, reference_names

SOURCES = sorted(COURSE.glob("source/*/*.ipynb"))
TEST = {"nbgrader": {"grade": True, "solution": False, "locked": True, "points": 1,
                     "grade_id": "test_f"}}


def notebook(*sources):
    cells = [new_code_cell(source, metadata=TEST if "HIDDEN" in source else {})
             for source in sources]
    for number, cell in enumerate(cells):
        if cell.metadata:
            cell.metadata = {"nbgrader": {**TEST["nbgrader"], "grade_id": f"test_{number}"}}
    return new_notebook(cells=cells)


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: p.parent.name)
def test_no_reference_reaches_the_kernel(path):
    """Does every statement a graded kernel runs build inputs or call the student's code?"""
    leaks = kernel_leaks(nbformat.read(path, as_version=4))
    assert [str(leak) for leak in leaks] == []


def test_expected_values_computed_in_a_loop_are_found():
    """Is a reference computed inside a loop, outside a reference region, a leak?"""
    nb = notebook("### BEGIN HIDDEN TESTS\nfor n in (1, 2):\n    x = draw(n)\n"
                  "    want = secret(x)\n    check_close(f(x), want, 'f')\n### END HIDDEN TESTS")
    [leak] = kernel_leaks(nb)
    assert leak.line == 4 and "want" in leak.why and "reference region" in leak.why


def test_a_helper_only_expected_values_use_is_found_in_another_cell():
    """Is a hidden helper defined in one test cell and used by another's expected value a
    leak, and is it clean once both are reference regions?"""
    helper = "### BEGIN HIDDEN TESTS\ndef ref_(x):\n    return 2 * x\n### END HIDDEN TESTS"
    use = "### BEGIN HIDDEN TESTS\ncheck_close(f(3), ref_(3), 'f')\n### END HIDDEN TESTS"
    assert [leak.line for leak in kernel_leaks(notebook(helper, use))] == [2]
    marked = helper.replace("def", "### BEGIN REFERENCE\ndef").replace(
        "### END HIDDEN", "### END REFERENCE\n### END HIDDEN")
    assert kernel_leaks(notebook(marked, use)) == []
    assert set(reference_names(notebook(marked, use))) == {"ref_"}


def test_kept_code_must_not_read_a_reference_name():
    """Is an input computed from a reference name (undefined when graded) refused?"""
    nb = notebook("### BEGIN HIDDEN TESTS\n### BEGIN REFERENCE\nbase_ = 3\n### END REFERENCE\n"
                  "x = base_ + 1\ncheck_close(f(x), 4, 'f')\n### END HIDDEN TESTS")
    [leak] = kernel_leaks(nb)
    assert "reads base_" in leak.why


def test_iterating_over_the_expected_values_is_a_leak():
    """Is a loop over a dict of expected values (its keys feed the check) found?"""
    nb = notebook("### BEGIN HIDDEN TESTS\n### BEGIN REFERENCE\nwant_ = {'a': 1}\n"
                  "### END REFERENCE\nfor k, v in want_.items():\n"
                  "    check_close(f(k), v, k)\n### END HIDDEN TESTS")
    assert any("reads want_" in leak.why for leak in kernel_leaks(nb))
