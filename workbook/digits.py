"""The 8x8 handwritten digits: 1,797 small images of the digits 0-9, and a fixed-seed split.

The data is the "Optical Recognition of Handwritten Digits" data set of the UCI Machine
Learning Repository (E. Alpaydin and C. Kaynak, 1998, https://doi.org/10.24432/C50P49),
licensed under Creative Commons Attribution 4.0 (CC BY 4.0). We ship the copy that
scikit-learn distributes as ``sklearn.datasets.load_digits`` (its test part: 1,797 images
written by 13 people), extracted once into ``digits.npz`` so that nothing is downloaded and
scikit-learn is not needed. Each image counts the "on" pixels of a 32x32 bitmap in 4x4 blocks,
so every pixel is a whole number from 0 to 16.

This module loads and splits data; it holds no model code and no answer.
"""

from pathlib import Path

import numpy as np

__all__ = ["N_CLASSES", "load_digits", "train_test_split"]

N_CLASSES = 10
_DATA = Path(__file__).with_name("digits.npz")


def load_digits():
    """Return ``(X, y)``: ``X`` float64 (1797, 64), pixels 0-16 row by row; ``y`` int64 (1797,).

    ``X[i].reshape(8, 8)`` is image ``i`` and ``y[i]`` its digit, 0 to 9. Every call returns
    fresh arrays, so changing one cannot spoil the next call.
    """
    with np.load(_DATA) as data:
        images, labels = data["images"], data["labels"]
    X = images.reshape(len(images), -1).astype(np.float64)
    y = labels.astype(np.int64)
    return X, y


def train_test_split(X, y, test_fraction=0.25, seed=0):
    """Shuffle with ``np.random.default_rng(seed)`` and split off ``test_fraction`` for testing.

    Returns ``(X_train, X_test, y_train, y_test)``, copies in the shuffled order. The same
    arguments always give the same split. ``round(test_fraction * len(X))`` rows go to the test
    set; both sets must end up non-empty.
    """
    X, y = np.asarray(X), np.asarray(y)
    if len(X) != len(y):
        raise ValueError(f"X has {len(X)} rows but y has {len(y)} labels")
    n_test = int(round(test_fraction * len(X)))
    if not 0 < n_test < len(X):
        raise ValueError(f"test_fraction={test_fraction} leaves an empty training or test set")
    order = np.random.default_rng(seed).permutation(len(X))
    test, train = order[:n_test], order[n_test:]
    return X[train].copy(), X[test].copy(), y[train].copy(), y[test].copy()
