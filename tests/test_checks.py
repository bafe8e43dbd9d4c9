"""Does every check of ``workbook.checks`` pass right answers (any dtype) and say what is
wrong, in order? And does the summary cell (``workbook.summary``) say where it went wrong?

Each message must name the quantity, say what to fix (type, then shape, then value) and never
contain the expected value.
"""

import numpy as np
import pytest

from workbook import summary
from workbook.checks import (
    CheckError,
    as_number,
    check_array,
    check_close,
    check_number,
    check_runs,
    check_that,
)


def message(check, *args, **kwargs):
    """The message ``check`` raises (the test fails if it raises nothing)."""
    with pytest.raises(CheckError) as raised:
        check(*args, **kwargs)
    return str(raised.value)


def test_check_error_is_an_assertion_error():
    """Do nbgrader and plain asserts treat a failed check as a failed test?"""
    assert issubclass(CheckError, AssertionError)


def test_check_that_passes_true_and_raises_its_message():
    """Does check_that pass a true condition and raise its own message otherwise?"""
    check_that(True, "unused")
    check_that(np.array([1.0]), "a true 1-element array")
    assert message(check_that, False, "`x` is wrong.") == "`x` is wrong."
    assert message(check_that, np.array(0), "zero is false") == "zero is false"


@pytest.mark.parametrize("value", [3, 3.5, np.float32(3.5), np.int64(3), np.array(2.0),
                                   np.array([2.0]), np.array([[2.0]]), np.array([True])])
def test_as_number_accepts_every_way_to_write_one_number(value):
    """A Python number, a NumPy scalar, or an array with one entry, whatever its shape."""
    assert isinstance(as_number(value, "x"), float)
    check_number(value, "x")


@pytest.mark.parametrize("value, words", [
    (None, "`x` should be a number, but it is a NoneType."),
    (True, "`x` should be a number, but it is a bool."),
    ("3", "`x` should be a number, but it is a str."),
    ([1.0], "`x` should be a number, but it is a list of length 1."),
    ((1.0, 2.0), "`x` should be a number, but it is a tuple of length 2."),
    (np.array(["a"]), "`x` should be a number, but it is an array of shape (1,)."),
    (np.zeros(3), "`x` should be a single number, but it is an array of shape (3,)."),
    (np.zeros((0,)), "`x` should be a single number, but it is an array of shape (0,)."),
])
def test_as_number_refuses_what_is_not_one_number(value, words):
    """Is anything but a single number refused, naming what it is?"""
    assert message(as_number, value, "x") == words
    assert message(check_number, value, "x") == words


@pytest.mark.parametrize("value", [float("nan"), float("inf"), np.array([-np.inf])])
def test_as_number_refuses_inf_and_nan_with_a_hint(value):
    """Are inf and nan refused with a hint about overflow or 0/0?"""
    assert "look for an overflow or a 0/0" in message(as_number, value, "x")


def test_check_array_accepts_numeric_arrays_of_the_asked_shape():
    """Are numeric arrays of the asked shape accepted, whatever their dtype?"""
    for array in (np.zeros((2, 3)), np.zeros((2, 3), dtype=np.float32), np.ones((2, 3), int),
                  np.zeros((2, 3), bool)):
        check_array(array, "A", shape=(2, 3))
    check_array(np.zeros(5), "A")            # any shape when none is asked
    check_array(np.zeros((2, 3)), "A", shape=[2, 3])


def test_check_array_says_type_then_dtype_then_shape_then_finiteness():
    """Does check_array name the first problem in the order type, dtype, shape, finiteness?"""
    assert message(check_array, [[1.0]], "A") == (
        "`A` should be a NumPy array, but it is a list of length 1.")
    assert message(check_array, 2.0, "A", shape=(1,)) == (
        "`A` should be a NumPy array, but it is a float.")
    assert message(check_array, np.array(["a"]), "A") == (
        "`A` should hold numbers, but its dtype is <U1.")
    assert message(check_array, np.zeros(3), "A", shape=(3, 1)) == (
        "`A` should have shape (3, 1), but it has shape (3,).")
    assert message(check_array, np.array([1.0, np.nan]), "A") == (
        "`A` contains inf or nan: look for an overflow or a 0/0.")
    # the type is reported before the shape, the shape before the values
    assert "shape" in message(check_array, np.array([np.nan]), "A", shape=(2,))


def test_check_close_accepts_right_values_in_any_correct_form():
    """Is a right value accepted in every correct form (scalar, 1-element array, NumPy scalar)?"""
    check_close(np.float32(0.1), 0.1, "x")
    check_close(np.array([[4.0]]), 4.0, "x")
    check_close(4, 4.0, "x")
    check_close(np.array([1.0, 2.0], dtype=np.float32) / 3, [1 / 3, 2 / 3], "v")
    check_close(np.array([[1, 0]]), [[1.0, 0.0]], "mask")          # integers are numbers
    check_close(np.array([True, False]), [1.0, 0.0], "mask")       # and so are booleans
    check_close(1.0 + 1e-7, 1.0, "x")


def test_check_close_says_wrong_value_without_the_value():
    """Does a wrong value fail with a message that never shows the expected value?"""
    text = message(check_close, 4.5, 4.0, "o")
    assert text == "`o` has the right type and shape, but its value is not correct."
    assert "4" not in text.replace("`o`", "")
    text = message(check_close, np.array([1.0, 2.5]), [1.0, 2.0], "v")
    assert text == "`v` has the right type and shape, but its value is not correct."


def test_check_close_checks_type_and_shape_first():
    """Are type and shape checked before the value?"""
    assert message(check_close, [1.0, 2.0], [1.0, 2.0], "v").startswith(
        "`v` should be a NumPy array")
    assert message(check_close, np.zeros(3), 1.0, "x").startswith("`x` should be a single number")
    assert message(check_close, np.zeros((2, 1)), [0.0, 0.0], "v") == (
        "`v` should have shape (2,), but it has shape (2, 1).")
    assert message(check_close, "0", 0.0, "x").startswith("`x` should be a number")


def test_check_close_tolerances_can_be_tightened_or_loosened():
    """Do a test's own rtol and atol tighten or loosen the comparison?"""
    check_close(1.001, 1.0, "x", rtol=1e-2)
    message(check_close, 1.001, 1.0, "x")
    message(check_close, 1e-9, 0.0, "x", atol=1e-12)
    check_close(1e-9, 0.0, "x")
WRONG_VALUE = "has the right type and shape, but its value is not correct."


def test_float64_keeps_its_tight_tolerances_and_message():
    """Is a float64 answer still judged with rtol=1e-5, atol=1e-8, with the same message?"""
    check_close(np.array([1.0, 0.0]), [1.0 + 5e-6, 5e-9], "a")
    with pytest.raises(CheckError, match=r"^`a` " + WRONG_VALUE.replace(".", r"\.") + "$"):
        check_close(np.array([1.0, 0.0]), [1.0, 2e-8], "a")
    with pytest.raises(CheckError):
        check_close(np.array([1.0, 2.0]), [1.0, 2.0 + 1e-4], "a")


def test_float32_rounding_near_zero_passes():
    """Does a float32 answer pass when an entry near 0 carries rounding of its larger siblings?"""
    expected = np.array([[0.7, -0.9, 0.2], [3e-9, -0.5, 0.5]])
    rounded = expected.astype(np.float32)
    rounded[1, 0] = 1.5e-8   # float32 leftovers of 0.5 - 0.5 are of this size
    check_close(rounded, expected, "gradient")
    with pytest.raises(CheckError):   # the same numbers in float64 are too far off
        check_close(rounded.astype(np.float64), expected, "gradient")


def test_float32_cancellation_near_one_passes():
    """Does a float32 p - 1 for p close to 1, small but carrying rounding of 1, pass?"""
    p = np.array([6.92249423e-05, 0.999509296, 4.21478539e-04])
    expected = p - [0.0, 1.0, 0.0]
    computed = p.astype(np.float32) - np.array([0.0, 1.0, 0.0], dtype=np.float32)
    check_close(computed, expected, "gradient")
    with pytest.raises(CheckError):   # but not twice the right answer
        check_close(2 * computed, expected, "gradient")


def test_float32_real_mistakes_still_fail():
    """Is a float32 answer off by a real mistake (a factor, a wrong entry) still rejected?"""
    expected = np.array([0.25, -0.5, 1.0])
    with pytest.raises(CheckError, match="not correct"):
        check_close((2 * expected).astype(np.float32), expected, "x")
    with pytest.raises(CheckError):
        check_close(np.array([0.25, -0.5, 1.001], dtype=np.float32), expected, "x")
    with pytest.raises(CheckError):   # an entry that should be 0 but is 1e-3 of the scale
        check_close(np.array([1e-3, -0.5, 1.0], dtype=np.float32), [0.0, -0.5, 1.0], "x")


def test_float32_scalars_pass_and_float16_gets_no_more_slack():
    """Does a np.float32 scalar pass with float32 rounding, while a float16 answer gets no
    more slack than float32 (returning float16 must not widen the tolerance)?"""
    check_close(np.float32(1 / 3), 1 / 3 + 1e-8, "third")
    with pytest.raises(CheckError):
        check_close(np.float32(0.34), 1 / 3, "third")
    check_close(np.array([0.5, 0.25, -2.0], dtype=np.float16), [0.5, 0.25, -2.0], "exact")
    for wrong in ([0.1, 0.7, 1 / 3], [0.102, 0.714, 0.34]):   # rounding, and 2 % off
        with pytest.raises(CheckError):
            check_close(np.array(wrong, dtype=np.float16), [0.1, 0.7, 1 / 3], "half")


def test_boolean_and_integer_masks_count_as_numbers():
    """Is a 0/1 derivative accepted as booleans or integers, array or NumPy scalar?"""
    z = np.array([[-1.0, 2.0], [0.5, -3.0]])
    expected = (z > 0).astype(float)
    check_close(z > 0, expected, "mask")
    check_close((z > 0).astype(np.int64), expected, "mask")
    check_close(np.bool_(True), 1.0, "one entry")
    check_close(np.array(False), 0.0, "a 0-d mask")
    with pytest.raises(CheckError, match="not correct"):
        check_close(z < 0, expected, "mask")


def test_python_bool_is_still_not_a_number():
    """Is a plain Python True, which is never a computed answer, still refused?"""
    with pytest.raises(CheckError, match="should be a number"):
        check_close(True, 1.0, "flag")


def test_shape_is_checked_before_value_in_every_dtype():
    """Does a float32 answer of the wrong shape still get the shape message?"""
    with pytest.raises(CheckError, match=r"shape \(3,\)"):
        check_close(np.zeros((1, 3), dtype=np.float32), np.zeros(3), "row")


def test_check_runs_names_the_call_that_raised():
    """Does check_runs return the value, and turn an error into a CheckError naming the call?"""
    assert check_runs(lambda: 3, "three") == 3
    with pytest.raises(CheckError, match=r"`model` on a batch raised ValueError: bad shape"):
        check_runs(lambda: (_ for _ in ()).throw(ValueError("bad shape")), "`model` on a batch")
    with pytest.raises(CheckError, match="^a check$"):
        check_runs(lambda: check_that(False, "a check"), "never shown")


def test_summary_names_the_function_an_error_came_from():
    """Does the summary line of an error name the student's function, not a library's or the
    check's own code, and say "not defined yet" only for a name that is not defined?"""
    namespace = {}
    exec(compile("import numpy as np\ndef forward(x):\n    return np.ones(2) @ np.ones(3)\n",
                 "/tmp/ipykernel_1/cell.py", "exec"), namespace)
    line = summary._outcome("forward(1)", namespace)
    assert line.startswith("ValueError: ") and line.endswith("(raised in your `forward`)")
    assert summary._outcome("undefined_name", {}) == (
        "`undefined_name` is not defined yet: answer and run the cell that defines it")
    exec(compile("def late():\n    x = x + 1\n", "/tmp/ipykernel_1/c2.py", "exec"), namespace)
    assert "(raised in your `late`)" in summary._outcome("late()", namespace)


def test_summary_says_which_points_only_the_grade_decides():
    """Does the last line list the cells no fingerprint confirms, with their points?"""
    cells = [("test_a", "known.confirm(x, 'x')", 2.0), ("test_b", "check_that(1, 'b')", 3.0)]
    line = summary.undecided(cells)
    assert line.startswith("Not decided here: test_b (3), 3 of the 5 points")
    assert "test_a" not in line
    assert "every cell are compared" in summary.undecided(cells[:1])


def test_summary_names_the_written_answers_a_person_grades():
    """Does the summary say which written answers the instructor grades, and nothing when
    there are none?"""
    notebook = {"cells": [
        {"cell_type": "markdown", "metadata": {"nbgrader": {"grade": True, "solution": True,
                                                            "grade_id": "explain_x",
                                                            "points": 3}}},
        {"cell_type": "markdown", "metadata": {}},
        {"cell_type": "code", "metadata": {"nbgrader": {"grade": True, "grade_id": "test_a",
                                                        "points": 2}}}]}
    cells = summary._written_cells(notebook)
    assert cells == [("explain_x", 3.0)]
    assert "explain_x (3), are graded by your instructor" in summary.written(cells)
    assert summary.written([]) == ""
