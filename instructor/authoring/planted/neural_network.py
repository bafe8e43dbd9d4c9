"""Tests of the tests for assignment 4: the NN class (init, forward, backward, train)."""

from instructor.authoring.edits import Edit, Mistake, Variant

ASSIGNMENT = "04_neural_network"
NOTEBOOK = "neural_network"

INIT, FORWARD, BACKWARD, TRAIN = "initialize_parameters", "forward_pass", "backward_pass", "train"
W_UPDATE = 'self.params[f"W{layer}"] -= learning_rate * grads[f"dW{layer}"]'
B_UPDATE = 'self.params[f"b{layer}"] -= learning_rate * grads[f"db{layer}"]'
DB = 'np.sum(grads[f"dZ{layer}"], axis=0, keepdims=True)'
DRAW = "rng.normal(0.0, 0.001, size=shape)"

MISTAKES = [
    # Exercise 8: initialize_parameters
    Mistake(
        "weights drawn with standard deviation 0.01, ten times too large",
        (Edit(INIT, DRAW, "rng.normal(0.0, 0.01, size=shape)"),),
        loses=("test_init", "test_init_seed"),
    ),
    Mistake(
        "variance 0.001 taken for the standard deviation",
        (Edit(INIT, DRAW, "rng.normal(0.0, 0.001**0.5, size=shape)"),),
        loses=("test_init",),
    ),
    Mistake(
        "weights from NumPy's global generator, not rng",
        (Edit(INIT, DRAW, "np.random.normal(0.0, 0.001, size=shape)"),),
        loses=("test_init_seed",),
    ),
    Mistake(
        "weight matrices of shape (n_l, n_(l-1)), transposed",
        (Edit(INIT, "(layers_dims[layer - 1], layers_dims[layer])",
              "(layers_dims[layer], layers_dims[layer - 1])"),),
        loses=("test_init", "test_init_seed"),
    ),
    Mistake(
        "biases of shape (n_l,) instead of (1, n_l)",
        (Edit(INIT, "np.zeros((1, layers_dims[layer]))", "np.zeros(layers_dims[layer])"),),
        loses=("test_init",),
    ),
    # Exercise 9: forward_pass
    Mistake(
        "forward_pass without the biases",
        (Edit(FORWARD, ' + self.params[f"b{layer}"]', ""),),
        loses=("test_forward_any_shape", "test_backward_gradcheck"),
    ),
    Mistake(
        "forward_pass stops one layer short of the output",
        (Edit(FORWARD, "for layer in range(1, self.L):", "for layer in range(1, self.L - 1):"),),
        loses=("test_forward_figure8", "test_forward_training", "test_forward_any_shape"),
    ),
    Mistake(
        "forward_pass uses the first layer's activation in every layer",
        (Edit(FORWARD, 'self.a[layer]["activation"](z)', 'self.a[1]["activation"](z)'),),
        loses=("test_forward_any_shape",),
    ),
    # Exercise 10: backward_pass
    Mistake(
        "dW computed as dZ.T @ X, the transpose missing",
        (Edit(BACKWARD, 'coef[f"x{layer - 1}"].T @ grads[f"dZ{layer}"]',
              'grads[f"dZ{layer}"].T @ coef[f"x{layer - 1}"]'),),
        loses=("test_backward_shapes", "test_backward_gradcheck", "test_backward_figure8"),
    ),
    Mistake(
        "dZ of a hidden layer through its own W instead of the next layer's",
        (Edit(BACKWARD, 'self.params[f"W{layer + 1}"].T', 'self.params[f"W{layer}"].T'),),
        loses=("test_backward_shapes", "test_backward_gradcheck", "test_backward_dz"),
    ),
    Mistake(
        "dZ without the derivative of the activation",
        (Edit(BACKWARD, 'dX_l * self.a[layer]["derivative"](coef[f"z{layer}"])', "dX_l"),),
        loses=("test_backward_gradcheck", "test_backward_dz"),
    ),
    Mistake(
        "db not summed over the samples",
        (Edit(BACKWARD, DB, 'grads[f"dZ{layer}"]'),),
        loses=("test_backward_shapes", "test_backward_gradcheck"),
    ),
    Mistake(
        "db averaged over the samples, dividing by n twice",
        (Edit(BACKWARD, DB, 'np.mean(grads[f"dZ{layer}"], axis=0, keepdims=True)'),),
        loses=("test_backward_gradcheck",),
    ),
    Mistake(
        "db left at zero",
        (Edit(BACKWARD, DB, 'np.zeros_like(self.params[f"b{layer}"])'),),
        loses=("test_backward_gradcheck",),
    ),
    Mistake(
        "the loss derivative written as a - Y instead of the loss's own",
        (Edit(BACKWARD, 'self.loss_function["derivative"](coef[f"x{layer}"], Y)',
              'coef[f"x{layer}"] - Y'),),
        loses=("test_backward_gradcheck", "test_backward_dz"),
    ),
    Mistake(
        "backward_pass stops before layer 1",
        (Edit(BACKWARD, "range(out, 0, -1)", "range(out, 1, -1)"),),
        loses=("test_backward_shapes", "test_backward_gradcheck"),
    ),
    # Exercise 11: train
    Mistake(
        "train steps uphill: p + learning_rate * dp",
        (
            Edit(TRAIN, W_UPDATE, W_UPDATE.replace("-=", "+=")),
            Edit(TRAIN, B_UPDATE, B_UPDATE.replace("-=", "+=")),
        ),
        loses=("test_train_step", "test_train_decreases", "test_train_figure8"),
    ),
    Mistake(
        "train never updates the biases",
        (Edit(TRAIN, "\n            " + B_UPDATE, ""),),
        loses=("test_train_step", "test_train_figure8"),
    ),
    Mistake(
        "train skips the output layer",
        (Edit(TRAIN, "for layer in range(1, self.L):", "for layer in range(1, self.L - 1):"),),
        loses=("test_train_step", "test_train_figure8"),
    ),
    Mistake(
        "train runs one iteration too few",
        (Edit(TRAIN, "for i in range(n_it):", "for i in range(n_it - 1):"),),
        loses=("test_train_step",),
    ),
    Mistake(
        "train ignores learning_rate and steps by 0.01",
        (
            Edit(TRAIN, W_UPDATE, W_UPDATE.replace("learning_rate *", "0.01 *")),
            Edit(TRAIN, B_UPDATE, B_UPDATE.replace("learning_rate *", "0.01 *")),
        ),
        loses=("test_train_step", "test_train_figure8"),
    ),
    Mistake(
        "train computes the gradients once, before the loop",
        (Edit(TRAIN, """    for i in range(n_it):
        coef = self.forward_pass(X, training=True)
        grads = self.backward_pass(X, Y, coef)
""", """    coef = self.forward_pass(X, training=True)
    grads = self.backward_pass(X, Y, coef)
    for i in range(n_it):
"""),),
        loses=("test_train_step", "test_train_figure8"),
    ),
    Mistake(
        "train prints even when verbose is false",
        (Edit(TRAIN, "if verbose and i % 100 == 0:", "if i % 100 == 0:"),),
        loses=("test_train_verbose",),
    ),
    Mistake(
        "train prints at every iteration",
        (Edit(TRAIN, "if verbose and i % 100 == 0:", "if verbose:"),),
        loses=("test_train_verbose",),
    ),
]

LISTS_INIT = '''
def initialize_parameters(self, layers_dims, rng):
    sizes = list(zip(layers_dims[:-1], layers_dims[1:]))
    for number, (n_in, n_out) in enumerate(sizes, start=1):
        self.params["W" + str(number)] = 0.001 * rng.standard_normal((n_in, n_out))
        self.params["b" + str(number)] = np.zeros((1, n_out))


NN.initialize_parameters = initialize_parameters
'''

LISTS_FORWARD = '''
def forward_pass(self, X, training=False):
    weights = [self.params[f"W{k}"] for k in range(1, self.L)]
    biases = [self.params[f"b{k}"] for k in range(1, self.L)]
    zs, xs = [], [X]
    for W, b, act in zip(weights, biases, self.a[1:]):
        zs.append(np.add(xs[-1] @ W, b))
        xs.append(act["activation"](zs[-1]))
    if not training:
        return xs[-1]
    cache = {"x0": X}
    for k, (z, x) in enumerate(zip(zs, xs[1:]), start=1):
        cache[f"z{k}"], cache[f"x{k}"] = z, x
    return cache


NN.forward_pass = forward_pass
'''

LISTS_BACKWARD = '''
def backward_pass(self, X, Y, coef):
    top = self.L - 1
    xs = [coef[f"x{k}"] for k in range(self.L)]
    zs = [None] + [coef[f"z{k}"] for k in range(1, self.L)]
    grads = {}
    delta = self.loss_function["derivative"](xs[top], Y) * self.a[top]["derivative"](zs[top])
    for k in reversed(range(1, self.L)):
        grads[f"dZ{k}"] = delta
        grads[f"dW{k}"] = np.einsum("ni,nj->ij", xs[k - 1], delta)
        grads[f"db{k}"] = delta.sum(axis=0).reshape(1, -1)
        if k > 1:
            delta = (delta @ self.params[f"W{k}"].T) * self.a[k - 1]["derivative"](zs[k - 1])
    return grads


NN.backward_pass = backward_pass
'''

LISTS_TRAIN = '''
def train(self, X, Y, n_it, learning_rate=0.01, verbose=True):
    for it in range(1, n_it + 1):
        grads = self.backward_pass(X, Y, self.forward_pass(X, training=True))
        self.params = {name: value - learning_rate * grads["d" + name]
                       for name, value in self.params.items()}
        if verbose and it % 100 == 0:
            loss = self.loss_function["loss"](self.forward_pass(X), Y)
            print("after", it, "iterations the loss is", loss)


NN.train = train
'''

ONE_CELL_CLASS = '''
class NN:
    def __init__(self, layers_dims, activation_hidden, activation_output, loss_function,
                 seed=None):
        self.L = len(layers_dims)
        self.loss_function = loss_function
        if isinstance(activation_hidden, list):
            hidden = activation_hidden
        else:
            hidden = [activation_hidden] * (self.L - 2)
        self.a = [None] + list(hidden) + [activation_output]
        self.params = {}
        self.initialize_parameters(layers_dims, np.random.default_rng(seed))

    def initialize_parameters(self, layers_dims, rng):
        for i in range(1, self.L):
            shape = (layers_dims[i - 1], layers_dims[i])
            self.params[f"W{i}"] = rng.normal(scale=0.001, size=shape)
            self.params[f"b{i}"] = np.zeros(shape[1:]).reshape(1, -1)

    def forward_pass(self, X, training=False):
        self.cache = {"x0": X}
        for i in range(1, self.L):
            z = np.dot(self.cache[f"x{i - 1}"], self.params[f"W{i}"]) + self.params[f"b{i}"]
            self.cache[f"z{i}"] = z
            self.cache[f"x{i}"] = self.a[i]["activation"](z)
        return self.cache if training else self.cache[f"x{self.L - 1}"]

    def backward_pass(self, X, Y, coef):
        self.grads = {}
        i = self.L - 1
        dJ_dx = self.loss_function["derivative"](coef[f"x{i}"], Y)
        dZ = dJ_dx * self.a[i]["derivative"](coef[f"z{i}"])
        while i >= 1:
            self.grads[f"dZ{i}"] = dZ
            self.grads[f"dW{i}"] = coef[f"x{i - 1}"].T.dot(dZ)
            self.grads[f"db{i}"] = dZ.sum(axis=0, keepdims=True)
            if i > 1:
                dZ = dZ.dot(self.params[f"W{i}"].T) * self.a[i - 1]["derivative"](coef[f"z{i - 1}"])
            i -= 1
        return self.grads

    def train(self, X, Y, n_it, learning_rate=0.01, verbose=True):
        self.history = []
        for i in range(n_it):
            coef = self.forward_pass(X, training=True)
            grads = self.backward_pass(X, Y, coef)
            self.history.append(self.loss_function["loss"](coef[f"x{self.L - 1}"], Y))
            for key in self.params:
                self.params[key] = self.params[key] - learning_rate * grads["d" + key]
            if verbose and i % 100 == 0:
                print(f"Iteration {i}: Loss = {self.history[-1]:.6f}")
'''

IN_THE_CLASS = "# Written in the class above."

VARIANTS = [
    Variant(
        "layers held in lists, einsum gradients, new arrays on update",
        (
            Edit(INIT, None, LISTS_INIT),
            Edit(FORWARD, None, LISTS_FORWARD),
            Edit(BACKWARD, None, LISTS_BACKWARD),
            Edit(TRAIN, None, LISTS_TRAIN),
        ),
    ),
    Variant(
        "whole class in one cell, values cached on self",
        (
            Edit(INIT, None, ONE_CELL_CLASS),
            Edit(FORWARD, None, IN_THE_CLASS),
            Edit(BACKWARD, None, IN_THE_CLASS),
            Edit(TRAIN, None, IN_THE_CLASS),
        ),
    ),
    Variant(
        "an Assignment 3 slip (leaky ReLU pasted) costs no Assignment 4 point",
        (Edit("assignment3", "return np.maximum(z, 0)", "return np.maximum(0.01 * z, z)"),),
    ),
]
