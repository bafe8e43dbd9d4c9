"""Data and given weights from the three tutorials the workbook follows.

Everything here is *given* to students in the tutorials; nothing here is an answer.
Arrays are returned as fresh copies, so a student who edits one cannot spoil the next call.
"""

import numpy as np

__all__ = ["cos324_network", "figure8_data", "figure8_weights"]

# Figure 8 of Lourenzutti's "Feed Forward Neural Network" (lost in the text copy), rebuilt
# from the post's own code: rng = default_rng(1); X = round(uniform(3, 9, (10, 2)), 1);
# Y = round(sum(X**2) + normal(0, 3)). Written out so no NumPy version can change them.
_FIGURE8_X = [
    [6.1, 8.7], [3.9, 8.7], [4.9, 5.5], [8.0, 5.5], [6.3, 3.2],
    [7.5, 6.2], [5.0, 7.7], [4.8, 5.7], [3.8, 5.4], [4.2, 4.6],
]
_FIGURE8_Y = [113, 90, 58, 97, 42, 89, 84, 54, 44, 39]

_FIGURE8_WEIGHTS = {
    "W1": [[-0.08, 0.02, 0.06], [0.02, 0.08, -0.09]],
    "W2": [[0.01, -0.01], [-0.09, 0.03], [0.07, 0.02]],
    "W3": [[-0.05], [0.07]],
}

# The small ReLU network of Princeton COS 324, chapter 11 (column-vector convention).
_COS324 = {
    "x": [[1.0], [1.0], [1.0]],
    "W1": [[2, -3, 0], [-1, 1, 2]],
    "W2": [[1, 2], [2, -2]],
    "w_out": [[-1, 2]],
    "W_out": [[-1, 2], [2, 1], [1, 2]],
}


def figure8_data():
    """Return ``(X, Y)``: 10 points with 2 features, shape (10, 2), and targets, shape (10, 1)."""
    X = np.array(_FIGURE8_X, dtype=float)
    Y = np.array(_FIGURE8_Y, dtype=float).reshape(-1, 1)
    return X, Y


def figure8_weights():
    """Return the hand-set weights of the 2-3-2-1 Figure-8 network as ``{'W1', 'W2', 'W3'}``.

    Row-vector convention: ``W_l`` has shape ``(n_{l-1}, n_l)`` and ``Z_l = X_{l-1} @ W_l``.
    All biases of this network are zero.
    """
    return {name: np.array(w, dtype=float) for name, w in _FIGURE8_WEIGHTS.items()}


def cos324_network():
    """Return the COS 324 example network as ``{'x', 'W1', 'W2', 'w_out', 'W_out'}``.

    Column-vector convention: ``h = ReLU(W @ x)``; ``x`` has shape (3, 1); ``w_out`` (1, 2) is
    the single-output layer and ``W_out`` (3, 2) the three-output layer. No biases.
    """
    return {name: np.array(w, dtype=float) for name, w in _COS324.items()}
