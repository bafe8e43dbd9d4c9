"""Assignment 2: planted mistakes and correct variants of the single-weight derivatives."""

from instructor.authoring.edits import Edit, Mistake, Variant

ASSIGNMENT = "02_derivatives"
NOTEBOOK = "derivatives"

NONZERO = ("test_dj_dw3_21", "test_dj_dw2_22", "test_dj_dw1_12", "test_dj_dw1_22")

LOOP_GRADIENTS = '''
def logistic_gradients(X, Y, w, b):
    """Gradient of the mean cross-entropy over a mini-batch, one example at a time."""
    m = X.shape[0]
    dw, db = np.zeros_like(w), 0.0
    for k in range(m):
        dz = sigmoid(X[k] @ w[:, 0] + b) - Y[k, 0]
        dw[:, 0] += dz * X[k]
        db += dz
    return dw / m, db / m
'''

FULL_DATA_COST = '''
def cost_first_point(W1, W2, W3):
    *_, yhat = forward(X, W1, W2, W3)
    return np.mean((yhat - Y) ** 2) / 2
'''

PATHS_AS_MATRICES = '''
def dj_dw1(i, j, W1, W2, W3):
    Z1, X1, Z2, X2, Z3, X3 = forward(X[:1], W1, W2, W3)
    delta1 = ((((X3 - Y[:1]) @ W3.T) * (Z2 > 0)) @ W2.T) * (Z1 > 0)
    return (X[:1].T @ delta1)[i - 1, j - 1]
'''

MISTAKES = [
    Mistake(
        "dJ/dyhat with the wrong sign, y - yhat",
        (Edit("exercise_2", "dJ_dz3 = X3[0, 0] - Y[0, 0]", "dJ_dz3 = Y[0, 0] - X3[0, 0]"),),
        loses=NONZERO,
    ),
    Mistake(
        "the ReLU gate of layer 2 left out",
        (Edit("exercise_3", " * (Z2[0, 0] > 0)", ""),),
        loses=("test_dj_dw2_21",),
    ),
    Mistake(
        "the ReLU gate of layer 2 left out of the paths to layer 1",
        (Edit("exercise_4", "dJ_dz2_1 = dJ_dz3 * W3[0, 0] * (Z2[0, 0] > 0)",
              "dJ_dz2_1 = dJ_dz3 * W3[0, 0]"),),
        loses=("test_dj_dw1_12", "test_dj_dw1_22"),
    ),
    Mistake(
        "the activation of unit 1 where the edge starts at unit 2",
        (Edit("exercise_2", "dJ_dz3 * X2[0, 1]", "dJ_dz3 * X2[0, 0]"),),
        loses=("test_dj_dw3_21",),
    ),
    Mistake(
        "the derivative averaged over all ten points, not taken at the first",
        (Edit("exercise_2", "dj_dw3_21 = dJ_dz3 * X2[0, 1]",
              "dj_dw3_21 = np.mean((X3[:, 0] - Y[:, 0]) * X2[:, 1])"),),
        loses=("test_dj_dw3_21",),
    ),
    Mistake(
        "the cost averaged over all ten points, not taken at the first",
        (Edit("cost_first_point", None, FULL_DATA_COST),),
        loses=("test_cost_first_point",),
    ),
    Mistake(
        "cost without the 1/2",
        (Edit("cost_first_point", "return 0.5 * (", "return ("),),
        loses=("test_cost_first_point",),
    ),
    Mistake(
        "dJ/dyhat = 2 (yhat - y), the derivative of a cost without its 1/2",
        (Edit("exercise_2", "dJ_dz3 = X3[0, 0] - Y[0, 0]", "dJ_dz3 = 2 * (X3[0, 0] - Y[0, 0])"),),
        loses=NONZERO,
    ),
    Mistake(
        "the input X where the activation X1 of layer 1 is needed",
        (Edit("exercise_3_more", "(Z2[0, 1] > 0) * X1[0, 1]", "(Z2[0, 1] > 0) * X[0, 1]"),),
        loses=("test_dj_dw2_22",),
    ),
    Mistake(
        "b and c swapped in the product rule",
        (Edit("graph_backward", "dL_db = dL_du * c", "dL_db = dL_du * b"),
         Edit("graph_backward", "dL_dc = dL_du * b", "dL_dc = dL_du * c")),
        loses=("test_dL_db", "test_dL_dc"),
    ),
    Mistake(
        "mini-batch gradient without 1/m",
        (Edit("logistic_batch", "return X.T @ dZ / m, np.sum(dZ) / m",
              "return X.T @ dZ, np.sum(dZ)"),),
        loses=("test_logistic_batch", "test_logistic_batch_fresh"),
    ),
    Mistake(
        "W2 used transposed in cos324_forward",
        (Edit("cos324_setup", "h2 = np.maximum(W2 @ h1, 0)", "h2 = np.maximum(W2.T @ h1, 0)"),),
        loses=("test_do1_dw22",),
    ),
    Mistake(
        "W1_c nudged in place instead of a copy",
        (Edit("delta_method", "W1_nudged = W1_c.copy()", "W1_nudged = W1_c"),),
        loses=("test_do1_dw22",),
    ),
    Mistake(
        "ReLU Jacobian as a vector, not a diagonal matrix",
        (Edit("relu_jacobian", "return np.diag(gate.astype(float))", "return gate.astype(float)"),),
        loses=("test_relu_jacobian",),
    ),
    Mistake(
        "sigma'(z) taken as a instead of a(1 - a)",
        (Edit("logistic_one", "dz = da * a_one * (1 - a_one)", "dz = da * a_one"),),
        loses=("test_dz", "test_dw_one", "test_db_one"),
    ),
    Mistake(
        "mini-batch gradient summed over the wrong axis",
        (Edit("logistic_batch", "np.sum(dZ) / m", "np.sum(dZ, axis=1) / m"),),
        loses=("test_logistic_batch", "test_logistic_batch_fresh"),
    ),
    Mistake(
        "centred difference that nudges W in place and never restores it",
        (Edit("centred_difference",
              "step = np.zeros_like(W, dtype=float)\n    step[index] = eps\n"
              "    return (f(W + step) - f(W - step)) / (2 * eps)",
              "W[index] += eps\n    plus = f(W)\n    W[index] -= 2 * eps\n    minus = f(W)\n"
              "    return (plus - minus) / (2 * eps)"),),
        loses=("test_centred_difference",),
    ),
    Mistake(
        "delta2 without the ReLU gate of layer 2",
        (Edit("delta_recursion", "delta2 = (dJ_dZ3 @ W3.T) * (Z2[:1] > 0)",
              "delta2 = dJ_dZ3 @ W3.T"),),
        loses=("test_delta2", "test_dW1_first"),
    ),
    Mistake(
        "dJ_dZ3.T @ X2: the outer product in the wrong order",
        (Edit("stack_layer3", "dW3_first = X2[:1].T @ dJ_dZ3", "dW3_first = dJ_dZ3.T @ X2[:1]"),),
        loses=("test_dW3_first",),
    ),
    Mistake(
        "delta1 gated by the activations X1 instead of the ReLU slope",
        (Edit("delta_recursion", "delta1 = (delta2 @ W2.T) * (Z1[:1] > 0)",
              "delta1 = (delta2 @ W2.T) * X1[:1]"),),
        loses=("test_dW1_first",),
    ),
    Mistake(
        "a ReLU on the network's output in forward (the output layer is the identity)",
        (Edit("figure8_setup", "X3 = Z3  # identity output", "X3 = relu(Z3)"),),
        loses=("test_cost_first_point",),
    ),
    Mistake(
        "one of the two paths to a layer-1 weight left out",
        (Edit("exercise_4_any_weights",
              "paths = dJ_dz2[0] * W2[j - 1, 0] + dJ_dz2[1] * W2[j - 1, 1]",
              "paths = dJ_dz2[1] * W2[j - 1, 1]"),),
        loses=("test_dj_dw1_paths",),
    ),
    Mistake(
        "ReLU'(0) taken as 1 in the Jacobian, where this notebook takes 0",
        (Edit("relu_jacobian", "gate = np.reshape(z, -1) > 0", "gate = np.reshape(z, -1) >= 0"),),
        loses=("test_relu_jacobian",),
    ),
    Mistake(
        "a one-sided difference, (f(W + eps) - f(W)) / eps",
        (Edit("centred_difference", "return (f(W + step) - f(W - step)) / (2 * eps)",
              "return (f(W + step) - f(W)) / eps"),),
        loses=("test_centred_difference",),
    ),
]

VARIANTS = [
    Variant(
        "1-element arrays, as in Lourenzutti's own code",
        (Edit("exercise_2", "dJ_dz3 = X3[0, 0] - Y[0, 0]", "dJ_dz3 = X3[0] - Y[0]"),),
    ),
    Variant(
        "float32",
        (Edit("exercise_2", "dj_dw3_21 = dJ_dz3 * X2[0, 1]",
              "dj_dw3_21 = np.float32(dJ_dz3 * X2[0, 1])"),
         Edit("exercise_3_more", "dj_dw2_22 = dJ_dz3 * W3[1, 0] * (Z2[0, 1] > 0) * X1[0, 1]",
              "dj_dw2_22 = np.float32(dJ_dz3 * W3[1, 0] * (Z2[0, 1] > 0) * X1[0, 1])"),
         Edit("logistic_one", "dw = x_one.T * dz", "dw = (x_one.T * dz).astype(np.float32)"),
         Edit("relu_jacobian", "gate.astype(float)", "gate.astype(np.float32)")),
    ),
    Variant(
        "plain integers and a 2-D dead-unit mask",
        (Edit("problem_11_3_3", None, "do1_dh2_1 = -1\ndo1_dh2_2 = 2\ndh2_1_dw = 2\ndh2_2_dw = -2"),
         Edit("jacobian", None, "jac_y_x = np.array([[2, -1, 3], [-1, 0, 2]])"),
         Edit("dead_units", "dead_layer2 = Z2[0] <= 0", "dead_layer2 = Z2[:1] <= 0")),
    ),
    Variant(
        "matrices of the bridge built with np.outer and np.where",
        (Edit("stack_layer3", "dW3_first = X2[:1].T @ dJ_dZ3",
              "dW3_first = np.outer(X2[0], dJ_dZ3[0])"),
         Edit("delta_recursion", "dW2_first = X1[:1].T @ delta2",
              "dW2_first = np.outer(X1[0], delta2[0])"),
         Edit("delta_recursion", "delta1 = (delta2 @ W2.T) * (Z1[:1] > 0)",
              "delta1 = np.where(Z1[:1] > 0, delta2 @ W2.T, 0.0)")),
    ),
    Variant(
        "dz simplified to a - y",
        (Edit("logistic_one", "dz = da * a_one * (1 - a_one)", "dz = a_one - y_one"),),
    ),
    Variant("mini-batch gradient by a loop", (Edit("logistic_batch", None, LOOP_GRADIENTS),)),
    Variant(
        "dj_dw1 from the delta recursion of 4.6, as matrices",
        (Edit("exercise_4_any_weights", None, PATHS_AS_MATRICES),),
    ),
    Variant(
        "np.where for the ReLU gate",
        (Edit("exercise_3", "(Z2[0, 0] > 0)", "np.where(Z2[0, 0] > 0, 1.0, 0.0)"),
         Edit("relu_jacobian", "np.diag(gate.astype(float))", "np.diag(np.where(gate, 1.0, 0.0))"),
         Edit("dead_units", "dead_layer1 = Z1[0] <= 0", "dead_layer1 = np.where(Z1[0] > 0, 0, 1)")),
    ),
    Variant(
        "chain rule written with named local factors",
        (Edit("exercise_2", "dj_dw3_21 = dJ_dz3 * X2[0, 1]",
              "dyhat_dz3 = 1.0\ndz3_dw3_21 = X2[0, 1]\n"
              "dj_dw3_21 = dJ_dz3 * dyhat_dz3 * dz3_dw3_21"),
         Edit("delta_method", "do1_dw22 = (o_nudged[0, 0] - o_c[0, 0]) / nudge",
              "do1_dw22 = (o_nudged[0] - o_c[0]) / nudge")),
    ),
]
