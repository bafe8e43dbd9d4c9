"""Does every check of ``workbook.checks`` pass right answers and say what is wrong, in order?

Each message must name the quantity, say what to fix (type, then shape, then value) and never
contain the expected value.
"""

import numpy as np
import pytest

from workbook.checks import (
    CheckError,
    as_number,
    check_array,
    check_close,
    check_number,
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
    assert message(as_number, value, "x") == words
    assert message(check_number, value, "x") == words


@pytest.mark.parametrize("value", [float("nan"), float("inf"), np.array([-np.inf])])
def test_as_number_refuses_inf_and_nan_with_a_hint(value):
    assert "look for an overflow or a 0/0" in message(as_number, value, "x")


def test_check_array_accepts_numeric_arrays_of_the_asked_shape():
    for array in (np.zeros((2, 3)), np.zeros((2, 3), dtype=np.float32), np.ones((2, 3), int),
                  np.zeros((2, 3), bool)):
        check_array(array, "A", shape=(2, 3))
    check_array(np.zeros(5), "A")            # any shape when none is asked
    check_array(np.zeros((2, 3)), "A", shape=[2, 3])


def test_check_array_says_type_then_dtype_then_shape_then_finiteness():
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
    check_close(np.float32(0.1), 0.1, "x")
    check_close(np.array([[4.0]]), 4.0, "x")
    check_close(4, 4.0, "x")
    check_close(np.array([1.0, 2.0], dtype=np.float32) / 3, [1 / 3, 2 / 3], "v")
    check_close(np.array([[1, 0]]), [[1.0, 0.0]], "mask")          # integers are numbers
    check_close(np.array([True, False]), [1.0, 0.0], "mask")       # and so are booleans
    check_close(1.0 + 1e-7, 1.0, "x")


def test_check_close_says_wrong_value_without_the_value():
    text = message(check_close, 4.5, 4.0, "o")
    assert text == "`o` has the right type and shape, but its value is not correct."
    assert "4" not in text.replace("`o`", "")
    text = message(check_close, np.array([1.0, 2.5]), [1.0, 2.0], "v")
    assert text == "`v` has the right type and shape, but its value is not correct."


def test_check_close_checks_type_and_shape_first():
    assert message(check_close, [1.0, 2.0], [1.0, 2.0], "v").startswith(
        "`v` should be a NumPy array")
    assert message(check_close, np.zeros(3), 1.0, "x").startswith("`x` should be a single number")
    assert message(check_close, np.zeros((2, 1)), [0.0, 0.0], "v") == (
        "`v` should have shape (2,), but it has shape (2, 1).")
    assert message(check_close, "0", 0.0, "x").startswith("`x` should be a number")


def test_check_close_tolerances_can_be_tightened_or_loosened():
    check_close(1.001, 1.0, "x", rtol=1e-2)
    message(check_close, 1.001, 1.0, "x")
    message(check_close, 1e-9, 0.0, "x", atol=1e-12)
    check_close(1e-9, 0.0, "x")
