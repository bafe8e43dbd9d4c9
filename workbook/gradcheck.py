"""Finite-difference gradients, so students can check their own derivatives without a key."""

import numpy as np

__all__ = ["numerical_gradient", "relative_error"]


def numerical_gradient(f, array, eps=1e-6):
    """Central-difference gradient of the scalar ``f()`` with respect to every entry of ``array``.

    ``array`` is changed in place, one entry at a time, and always restored, so ``f`` can read
    it through whatever object holds it (a weight matrix inside a network, say). The error of
    the central difference shrinks like ``eps**2``; much below 1e-6 rounding error takes over.
    """
    grad = np.zeros(array.shape, dtype=float)
    for index in np.ndindex(array.shape):
        saved = array[index]
        try:
            array[index] = saved + eps
            plus = float(np.sum(f()))
            array[index] = saved - eps
            minus = float(np.sum(f()))
        finally:
            array[index] = saved
        grad[index] = (plus - minus) / (2 * eps)
    return grad


def relative_error(a, b):
    """``max |a - b| / max(|a| + |b|, 1e-12)``: about 1e-7 or less when two gradients agree."""
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    return float(np.max(np.abs(a - b)) / max(float(np.max(np.abs(a) + np.abs(b))), 1e-12))
