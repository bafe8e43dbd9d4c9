"""Checks shared by the notebooks' visible tests and the hidden grading tests.

Every check raises :class:`CheckError` (an ``AssertionError``) with a message that says what
is wrong, in the order a student should fix it: type, then shape, then value. No message ever
contains the expected value of a graded quantity.
"""

import numbers

import numpy as np

__all__ = [
    "CheckError",
    "as_number",
    "check_array",
    "check_close",
    "check_number",
    "check_runs",
    "check_that",
]


class CheckError(AssertionError):
    """A check failed; the message tells the student what to look at."""


def _describe(value):
    if isinstance(value, np.ndarray):
        return f"an array of shape {value.shape}"
    if isinstance(value, (list, tuple)):
        return f"a {type(value).__name__} of length {len(value)}"
    return f"a {type(value).__name__}"


def check_that(condition, message):
    """Raise ``CheckError(message)`` unless ``condition`` is true."""
    if not bool(condition):
        raise CheckError(message)


def check_runs(compute, name):
    """Return ``compute()``; if it raises, raise ``CheckError`` naming ``name`` and the error.

    For a call into the student's code whose own error would not say which function failed
    (a shape error deep inside PyTorch, say).
    """
    try:
        return compute()
    except CheckError:
        raise
    except Exception as error:  # noqa: BLE001  (any error of the student's code is the message)
        raise CheckError(f"{name} raised {type(error).__name__}: {error}") from error


def as_number(value, name):
    """Return ``value`` as a Python float.

    Accepts a Python int or float, a NumPy scalar, or an array holding exactly one number
    (shape ``()``, ``(1,)``, ``(1, 1)``, ...): all are correct ways to write a single number.
    """
    if isinstance(value, bool) or value is None:
        raise CheckError(f"`{name}` should be a number, but it is {_describe(value)}.")
    if isinstance(value, numbers.Real):
        number = float(value)
    elif isinstance(value, np.ndarray) and value.dtype.kind in "biuf":
        check_that(
            value.size == 1,
            f"`{name}` should be a single number, but it is {_describe(value)}.",
        )
        number = float(value.reshape(-1)[0])
    else:
        raise CheckError(f"`{name}` should be a number, but it is {_describe(value)}.")
    check_that(np.isfinite(number), f"`{name}` is {number}: look for an overflow or a 0/0.")
    return number


def check_number(value, name):
    """Check that ``value`` is one finite number (see :func:`as_number`)."""
    as_number(value, name)


def check_array(value, name, shape=None):
    """Check that ``value`` is a finite numeric NumPy array, of ``shape`` if one is given."""
    check_that(
        isinstance(value, np.ndarray),
        f"`{name}` should be a NumPy array, but it is {_describe(value)}.",
    )
    check_that(
        value.dtype.kind in "biuf",
        f"`{name}` should hold numbers, but its dtype is {value.dtype}.",
    )
    if shape is not None:
        check_that(
            value.shape == tuple(shape),
            f"`{name}` should have shape {tuple(shape)}, but it has shape {value.shape}.",
        )
    check_that(
        np.all(np.isfinite(value)),
        f"`{name}` contains inf or nan: look for an overflow or a 0/0.",
    )


# The one allowance for rounding beyond the test's own tolerances: float32's.
FLOAT32_EPS = float(np.finfo(np.float32).eps)


def _tolerances(value, expected, rtol, atol):
    """Tolerances for an answer: the test's own, widened for a float32 answer.

    float64 answers, integers and booleans get ``rtol`` and ``atol`` unchanged. A float32
    answer rounds every entry at about ``eps`` times the size of the numbers it was computed
    from, and an entry near 0 is often the difference of numbers near 1 (``p - 1`` for a
    probability ``p`` close to 1): the absolute tolerance grows to 32 ``eps`` times the larger
    of 1 and the largest expected magnitude, the relative one to at least 16 ``eps``: about
    4e-6, still far below any real mistake. The allowance depends only on the expected value
    and float32's ``eps``: an answer of lower precision still (float16) gets no more, so the
    dtype a student returns cannot widen it.
    """
    dtype = getattr(value, "dtype", None)
    if dtype is None or dtype.kind != "f" or np.finfo(dtype).eps <= np.finfo(np.float64).eps:
        return rtol, atol
    eps = FLOAT32_EPS
    scale = max(float(np.max(np.abs(expected))) if expected.size else 0.0, 1.0)
    return max(rtol, 16 * eps), max(atol, 32 * eps * scale)


def check_close(value, expected, name, rtol=1e-5, atol=1e-8):
    """Check ``value`` against ``expected`` (a number or an array) within tight tolerances.

    A single expected number accepts any single-number answer (see :func:`as_number`); an
    expected array needs an array of the same shape. Booleans and integers count as numbers
    (a 0/1 mask is a fine derivative of a ReLU). The tolerances follow the answer's dtype (see
    :func:`_tolerances`): float32 answers pass with float32 rounding, real mistakes do not.
    """
    if isinstance(value, np.generic):  # a NumPy scalar (np.float32, np.bool_): a 0-d array
        value = np.asarray(value)
    expected = np.asarray(expected, dtype=float)
    rtol, atol = _tolerances(value, expected, rtol, atol)
    if expected.ndim == 0:
        actual = np.asarray(as_number(value, name))
    else:
        check_array(value, name, shape=expected.shape)
        actual = value.astype(float)
    check_that(
        np.allclose(actual, expected, rtol=rtol, atol=atol),
        f"`{name}` has the right type and shape, but its value is not correct.",
    )
