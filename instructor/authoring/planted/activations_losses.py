"""Tests of the tests for assignment 3: activations, losses and their derivatives."""

from instructor.authoring.edits import Edit, Mistake, Variant

ASSIGNMENT = "03_activations_losses"
NOTEBOOK = "activations_losses"

GRADIENT = "softmax_cross_entropy_gradient"

MISTAKES = [
    Mistake(
        "a leaky ReLU, max(0.01 z, z), instead of max(0, z)",
        (Edit("relu", "np.maximum(z, 0)", "np.maximum(0.01 * z, z)"),),
        loses=("test_relu",),
    ),
    Mistake(
        "relu writes into its input (z[z < 0] = 0)",
        (Edit("relu", "return np.maximum(z, 0)", "z[z < 0] = 0\n    return z"),),
        loses=("test_relu",),
    ),
    Mistake(
        "relu_derivative returns z itself",
        (Edit("relu_derivative", "return (z > 0).astype(float)", "return z"),),
        loses=("test_relu_derivative", "test_relu_derivative_fd"),
    ),
    Mistake(
        "relu'(0) taken as 1 (z >= 0), where this course takes 0",
        (Edit("relu_derivative", "(z > 0).astype(float)", "(z >= 0).astype(float)"),),
        loses=("test_relu_derivative",),
    ),
    Mistake(
        "relu put under 'derivative' in activation_relu_dict",
        (Edit("relu_dict", '["derivative"] = relu_derivative', '["derivative"] = relu'),),
        loses=("test_relu_dict",),
    ),
    Mistake(
        "identity_derivative returns the number 1, not an array",
        (Edit("identity_derivative", "np.ones_like(z)", "1.0"),),
        loses=("test_identity_derivative",),
    ),
    Mistake(
        "MSE without the 1/2",
        (Edit("mse", "/ (2 * n)", "/ n"),),
        loses=("test_mse", "test_mse_consistent"),
    ),
    Mistake(
        "MSE as np.mean over all entries (the tutorial's slip)",
        (Edit("mse", "np.sum((a - Y) ** 2) / (2 * n)", "np.mean((a - Y) ** 2) / 2"),),
        loses=("test_mse", "test_mse_consistent"),
    ),
    Mistake(
        "MSE_derivative without the 1/n",
        (Edit("mse_derivative", "return (a - Y) / n", "return a - Y"),),
        loses=("test_mse_derivative", "test_mse_consistent"),
    ),
    Mistake(
        "MSE_derivative with the sign flipped, (Y - a) / n",
        (Edit("mse_derivative", "return (a - Y) / n", "return (Y - a) / n"),),
        loses=("test_mse_derivative", "test_mse_consistent"),
    ),
    Mistake(
        "sigmoid as 1 / (1 + exp(z)), the sign of z flipped",
        (Edit("sigmoid", "np.exp(-z)", "np.exp(z)"),),
        loses=("test_sigmoid",),
    ),
    Mistake(
        "sigmoid_derivative as s (1 - z) instead of s (1 - s)",
        (Edit("sigmoid_derivative", "return s * (1 - s)", "return s * (1 - z)"),),
        loses=("test_sigmoid_derivative",),
    ),
    Mistake(
        "tanh_derivative as 1 - tanh(z), without the square",
        (Edit("tanh_derivative", "1 - np.tanh(z) ** 2", "1 - np.tanh(z)"),),
        loses=("test_tanh_derivative",),
    ),
    Mistake(
        "softmax over axis 0, the samples, instead of the classes",
        (
            Edit("softmax", "np.max(z, axis=-1", "np.max(z, axis=0"),
            Edit("softmax", "np.sum(exps, axis=-1", "np.sum(exps, axis=0"),
        ),
        loses=("test_softmax",),
    ),
    Mistake(
        "softmax without the max shift (overflows)",
        (Edit("softmax", "z - np.max(z, axis=-1, keepdims=True)", "z"),),
        loses=("test_softmax_stable",),
    ),
    Mistake(
        "cross-entropy summed over the samples, not averaged",
        (Edit("cross_entropy", "-np.mean(", "-np.sum("),),
        loses=("test_cross_entropy",),
    ),
    Mistake(
        "cross-entropy with the labels counted from 1",
        (Edit("cross_entropy", "p[np.arange(len(y)), y]", "p[np.arange(len(y)), y - 1]"),),
        loses=("test_cross_entropy",),
    ),
    Mistake(
        "p[:, y], an (n, n) table, where p[np.arange(n), y] is needed",
        (Edit("cross_entropy", "picked = p[np.arange(len(y)), y]", "picked = p[:, y]"),),
        loses=("test_cross_entropy",),
    ),
    Mistake(
        "the softmax gradient with the one-hot of label y - 1",
        (Edit(GRADIENT, "onehot = np.eye(o.shape[-1])[y]", "onehot = np.eye(o.shape[-1])[y - 1]"),),
        loses=("test_softmax_ce_gradient", "test_softmax_ce_gradient_fd"),
    ),
    Mistake(
        "the softmax gradient without the one-hot",
        (Edit(GRADIENT, "(softmax(o) - onehot) / n", "softmax(o) / n"),),
        loses=("test_softmax_ce_gradient", "test_softmax_ce_gradient_fd"),
    ),
    Mistake(
        "the softmax gradient without the 1/n",
        (Edit(GRADIENT, "(softmax(o) - onehot) / n", "softmax(o) - onehot"),),
        loses=("test_softmax_ce_gradient", "test_softmax_ce_gradient_fd"),
    ),
]

VARIANTS = [
    Variant(
        "ReLU derivative as a boolean mask",
        (Edit("relu_derivative", "(z > 0).astype(float)", "z > 0"),),
    ),
    Variant(
        "ReLU derivative as an integer mask",
        (Edit("relu_derivative", "(z > 0).astype(float)", "(z > 0).astype(np.int64)"),),
    ),
    Variant(
        "softmax-cross-entropy gradient computed in float32",
        (Edit(GRADIENT, "return (softmax(o) - onehot) / n",
              "return (softmax(o.astype(np.float32)) - onehot.astype(np.float32))"
              " / np.float32(n)"),),
    ),
    Variant(
        "np.where ReLU and ReLU derivative",
        (
            Edit("relu", "np.maximum(z, 0)", "np.where(z > 0, z, 0.0)"),
            Edit("relu_derivative", "(z > 0).astype(float)", "np.where(z > 0, 1.0, 0.0)"),
        ),
    ),
    Variant("identity returns a copy", (Edit("identity", "return z", "return z.copy()"),)),
    Variant(
        "float32 kept",
        (
            Edit("relu", "np.maximum(z, 0)", "z * (z > 0)"),
            Edit("relu_derivative", "(z > 0).astype(float)", "np.heaviside(z, 0.0)"),
        ),
    ),
    Variant(
        "float64 everywhere",
        (
            Edit("relu", "np.maximum(z, 0)", "np.maximum(np.asarray(z, dtype=np.float64), 0)"),
            Edit("identity_derivative", "np.ones_like(z)", "np.ones(np.shape(z))"),
            Edit("sigmoid", "np.exp(-z)", "np.exp(-np.asarray(z, dtype=np.float64))"),
        ),
    ),
    Variant(
        "softmax via log-sum-exp",
        (
            Edit(
                "softmax",
                "exps = np.exp(shifted)\n    return exps / np.sum(exps, axis=-1, keepdims=True)",
                "log_norm = np.log(np.sum(np.exp(shifted), axis=-1, keepdims=True))\n"
                "    return np.exp(shifted - log_norm)",
            ),
        ),
    ),
    Variant(
        "MSE as a mean of row sums, derivative with len",
        (
            Edit(
                "mse",
                "return np.sum((a - Y) ** 2) / (2 * n)",
                "return 0.5 * np.mean(np.sum((a - Y) ** 2, axis=1))",
            ),
            Edit("mse_derivative", "return (a - Y) / n", "return (a - Y) / len(Y)"),
        ),
    ),
    Variant(
        "sigmoid through tanh, derivatives through exp and cosh",
        (
            Edit("sigmoid", "1 / (1 + np.exp(-z))", "0.5 * (1 + np.tanh(z / 2))"),
            Edit(
                "sigmoid_derivative",
                "return s * (1 - s)",
                "return np.exp(-z) / (1 + np.exp(-z)) ** 2",
            ),
            Edit("tanh_derivative", "1 - np.tanh(z) ** 2", "1 / np.cosh(z) ** 2"),
        ),
    ),
    Variant(
        "one-hot cross-entropy, gradient by a loop",
        (
            Edit(
                "cross_entropy",
                "picked = p[np.arange(len(y)), y]\n    return -np.mean(np.log(picked))",
                "onehot = np.eye(p.shape[1])[y]\n"
                "    return -np.sum(onehot * np.log(p)) / p.shape[0]",
            ),
            Edit(
                GRADIENT,
                "onehot = np.eye(o.shape[-1])[y]\n"
                "    n = 1 if o.ndim == 1 else o.shape[0]\n"
                "    return (softmax(o) - onehot) / n",
                "grad = softmax(o).astype(float)\n"
                "    rows = grad.reshape(-1, o.shape[-1])\n"
                "    for i, label in enumerate(np.atleast_1d(y)):\n"
                "        rows[i, label] -= 1\n"
                "    return grad / len(rows)",
            ),
        ),
    ),
    Variant(
        "dictionaries written as literals",
        (
            Edit(
                "relu_dict",
                None,
                'activation_relu_dict = {"activation": relu, "derivative": relu_derivative}',
            ),
            Edit(
                "output_dict",
                None,
                'activation_output_dict = {"activation": identity, '
                '"derivative": identity_derivative}',
            ),
            Edit("loss_dict", None, 'loss_dict = {"loss": MSE, "derivative": MSE_derivative}'),
        ),
    ),
]
