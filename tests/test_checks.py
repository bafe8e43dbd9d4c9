"""Do the shared checks accept every right answer (any dtype) and reject wrong ones?"""

import numpy as np
import pytest

from workbook.checks import CheckError, check_close

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


def test_float32_scalars_and_float16():
    """Do a np.float32 scalar and a float16 array get tolerances of their own precision?"""
    check_close(np.float32(1 / 3), 1 / 3 + 1e-8, "third")
    with pytest.raises(CheckError):
        check_close(np.float32(0.34), 1 / 3, "third")
    half = np.array([0.1, 0.7, 1 / 3], dtype=np.float16)
    check_close(half, [0.1, 0.7, 1 / 3], "half")
    with pytest.raises(CheckError):
        check_close(half, [0.1, 0.7, 0.4], "half")


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
