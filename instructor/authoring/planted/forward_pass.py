"""Tests of the tests for Assignment 1: the forward pass."""

from instructor.authoring.edits import Edit, Mistake, Variant

ASSIGNMENT = "01_forward_pass"
NOTEBOOK = "forward_pass"

MISTAKES = [
    Mistake(
        "no ReLU on the first hidden layer",
        (Edit("hidden_layers", "h1 = relu(W1 @ x)", "h1 = W1 @ x"),),
        loses=("test_h1",),
    ),
    Mistake(
        "ReLU that edits its input in place",
        (Edit("relu", "return np.maximum(z, 0)", "z[z < 0] = 0\n    return z"),),
        loses=("test_relu",),
    ),
    Mistake(
        "the first layer computed as W1f.T @ X.T, transposed",
        (Edit("figure8_forward", "Z1 = X @ W1f", "Z1 = W1f.T @ X.T"),),
        loses=("test_layer1", "test_layer2", "test_layer3", "test_cost"),
    ),
    Mistake(
        "softmax summed over the wrong axis",
        (Edit("softmax", "e / np.sum(e)", "e / np.sum(e, axis=1, keepdims=True)"),),
        loses=("test_softmax",),
    ),
    Mistake(
        "softmax without the max shift (overflows)",
        (Edit("softmax", "np.exp(v - np.max(v))", "np.exp(v)"),),
        loses=("test_softmax",),
    ),
    Mistake(
        "the class label counted from 1",
        (Edit("cross_entropy", "np.ravel(p)[label]", "np.ravel(p)[label - 1]"),),
        loses=("test_cross_entropy",),
    ),
    Mistake(
        "cost without the 1/2",
        (Edit("cost", "/ (2 * n)", "/ n"),),
        loses=("test_cost",),
    ),
    Mistake(
        "cost without the 1/n",
        (Edit("cost", "/ (2 * n)", "/ 2"),),
        loses=("test_cost",),
    ),
    Mistake(
        "targets flattened, so the difference broadcasts to (10, 10)",
        (Edit("cost", "(X3 - Y)", "(X3 - Y.ravel())"),),
        loses=("test_cost",),
    ),
    Mistake(
        "the loop over pairs of layers stops one pair early",
        (
            Edit(
                "count_weights",
                "return sum(a * b for a, b in zip(layer_sizes[:-1], layer_sizes[1:], strict=True))",
                "total = 0\n    for i in range(len(layer_sizes) - 2):\n"
                "        total += layer_sizes[i] * layer_sizes[i + 1]\n    return total",
            ),
        ),
        loses=("test_count_weights",),
    ),
    Mistake(
        "biases counted as weights",
        (Edit("count_weights", "a * b for a, b", "(a + 1) * b for a, b"),),
        loses=("test_count_weights",),
    ),
    Mistake(
        "forward_rows with the output units in the wrong order",
        (Edit("forward_rows", "return H2 @ W_out.T", "return (W_out @ H2.T).T[:, ::-1]"),),
        loses=("test_forward_rows",),
    ),
    Mistake(
        "W2 used without its transpose in forward_rows",
        (Edit("forward_rows", "H1 @ W2.T", "H1 @ W2"),),
        loses=("test_forward_rows",),
    ),
    Mistake(
        "a ReLU on the output of forward_rows (the output layer has no activation)",
        (Edit("forward_rows", "return H2 @ W_out.T", "return relu(H2 @ W_out.T)"),),
        loses=("test_forward_rows",),
    ),
    Mistake(
        "/ 2 * n where / (2 * n) is needed",
        (Edit("cost", "/ (2 * n)", "/ 2 * n"),),
        loses=("test_cost",),
    ),
    Mistake(
        "the collapsed matrix multiplied in reading order, W1.T @ W2.T @ W_out.T",
        (Edit("collapse", "W_out @ W2 @ W1", "W1.T @ W2.T @ W_out.T"),),
        loses=("test_collapse",),
    ),
]

VARIANTS = [
    Variant(
        "row version as the column version, transposed",
        (Edit("forward_rows",
              "H1 = relu(X_rows @ W1.T)\n    H2 = relu(H1 @ W2.T)\n    return H2 @ W_out.T",
              "return (W_out @ relu(W2 @ relu(W1 @ X_rows.T))).T"),),
    ),
    Variant(
        "row version reading the weights from the dict net, cost as a mean",
        (Edit("forward_rows",
              "H1 = relu(X_rows @ W1.T)\n    H2 = relu(H1 @ W2.T)\n    return H2 @ W_out.T",
              'H1 = relu(X_rows @ net["W1"].T)\n    H2 = relu(H1 @ net["W2"].T)\n'
              '    return H2 @ net["W_out"].T'),
         Edit("cost", "J = np.sum((X3 - Y) ** 2) / (2 * n)", "J = np.mean((X3 - Y) ** 2) / 2")),
    ),
    Variant(
        "ReLU with np.where and plain floats for o",
        (
            Edit("relu", "return np.maximum(z, 0)", "return np.where(z > 0, z, 0.0)"),
            Edit("single_output", "o = w_out @ h2", "o = float((w_out @ h2)[0, 0])"),
        ),
    ),
    Variant(
        "ReLU by masking a copy, loss as a 1-element array",
        (
            Edit("relu", "return np.maximum(z, 0)", "z = np.array(z, dtype=float)\n"
                 "    return z * (z > 0)"),
            Edit(
                "single_output",
                "squared_loss = (y - o) ** 2",
                "squared_loss = ((y - o) ** 2).ravel()",
            ),
        ),
    ),
    Variant(
        "float32 arrays in the batch forward pass",
        (
            Edit(
                "figure8_forward",
                "Z1 = X @ W1f",
                "Z1 = X.astype(np.float32) @ W1f.astype(np.float32)",
            ),
        ),
    ),
    Variant(
        "softmax by log-sum-exp on a column",
        (
            Edit(
                "softmax",
                "e = np.exp(v - np.max(v))\n    return e / np.sum(e)",
                "m = np.max(v)\n    log_total = m + np.log(np.sum(np.exp(v - m)))\n"
                "    return np.exp(v - log_total)",
            ),
        ),
    ),
    Variant(
        "loops instead of vectorised code",
        (
            Edit(
                "count_weights",
                "return sum(a * b for a, b in zip(layer_sizes[:-1], layer_sizes[1:], strict=True))",
                "sizes = list(layer_sizes)\n    total = 0\n    for i in range(len(sizes) - 1):\n"
                "        total += sizes[i] * sizes[i + 1]\n    return total",
            ),
            Edit(
                "cost",
                "J = np.sum((X3 - Y) ** 2) / (2 * n)",
                "J = 0.0\nfor i in range(n):\n    J += (X3[i, 0] - Y[i, 0]) ** 2\nJ = J / (2 * n)",
            ),
            Edit(
                "cross_entropy",
                "return -np.log(np.ravel(p)[label])",
                "return float(-np.log(p[label, 0] if np.ndim(p) == 2 else p[label]))",
            ),
        ),
    ),
]
