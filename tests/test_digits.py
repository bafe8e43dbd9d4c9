"""Is the shipped digits data intact, and is its split reproducible and honest?"""

import numpy as np
import pytest

from workbook.digits import N_CLASSES, load_digits, train_test_split


def test_digits_have_the_documented_shape_and_range():
    """Are there 1,797 images of 64 whole-number pixels 0..16, and labels 0..9?"""
    X, y = load_digits()
    assert X.shape == (1797, 64) and X.dtype == np.float64
    assert y.shape == (1797,) and y.dtype == np.int64
    assert X.min() == 0 and X.max() == 16
    assert np.array_equal(X, np.round(X))
    assert set(np.unique(y)) == set(range(N_CLASSES))


def test_digits_are_the_scikit_learn_copy():
    """Do the class counts and pixel totals match scikit-learn's load_digits (1.9.1)?"""
    X, y = load_digits()
    assert np.bincount(y).tolist() == [178, 182, 177, 183, 181, 182, 181, 179, 174, 180]
    assert y[:10].tolist() == list(range(10))
    assert X.sum() == 561_718 and X[0].sum() == 294


def test_every_call_returns_fresh_arrays():
    """Can a student change the arrays without spoiling the next call?"""
    X, y = load_digits()
    X[:] = -1
    y[:] = -1
    X2, y2 = load_digits()
    assert X2.min() == 0 and y2.min() == 0


def test_split_is_a_reproducible_partition():
    """Does a fixed seed always give the same split, with every example in exactly one part?"""
    X, y = load_digits()
    first = train_test_split(X, y, test_fraction=0.25, seed=0)
    second = train_test_split(X, y, test_fraction=0.25, seed=0)
    for a, b in zip(first, second, strict=True):
        assert np.array_equal(a, b)
    X_train, X_test, y_train, y_test = first
    assert len(X_test) == len(y_test) == 449 and len(X_train) == len(y_train) == 1348
    # Tag each row by its position to check the rows are a permutation, and labels follow them.
    index = np.arange(len(X), dtype=float)[:, None]
    tagged = train_test_split(np.hstack([index, X]), y, seed=0)
    rows = np.concatenate([tagged[0][:, 0], tagged[1][:, 0]]).astype(int)
    assert sorted(rows) == list(range(len(X)))
    assert np.array_equal(np.concatenate([tagged[2], tagged[3]]), y[rows])


def test_split_depends_on_the_seed_and_shuffles():
    """Do different seeds give different test sets, and is the test set not just the last rows?"""
    X, y = load_digits()
    test_0 = train_test_split(X, y, seed=0)[1]
    test_1 = train_test_split(X, y, seed=1)[1]
    assert not np.array_equal(test_0, test_1)
    assert not np.array_equal(test_0, X[-len(test_0):])


def test_split_returns_copies():
    """Does editing a split leave the arrays it came from unchanged?"""
    X, y = load_digits()
    X_train, _, y_train, _ = train_test_split(X, y, seed=0)
    X_train[:] = -1
    y_train[:] = -1
    assert X.min() == 0 and y.min() == 0


@pytest.mark.parametrize("fraction", [0.0, 1.0, -0.5])
def test_split_refuses_an_empty_part(fraction):
    """Is a split that leaves no training or no test data refused?"""
    X, y = load_digits()
    with pytest.raises(ValueError):
        train_test_split(X, y, test_fraction=fraction)


def test_split_refuses_mismatched_lengths():
    """Are inputs and labels of different lengths refused?"""
    X, y = load_digits()
    with pytest.raises(ValueError):
        train_test_split(X, y[:-1])
