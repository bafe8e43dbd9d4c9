# %% [markdown]
# # Assignment 4: a neural network class, trained by backpropagation
#
# In Assignment 1 you ran the Figure-8 network forward by hand; in Assignment 2 you
# differentiated its cost with respect to single weights, one path of the chain rule at a
# time; in Assignment 3 you wrote the activations and the loss together with their derivatives.
# Now all of it goes into one class, `NN`, that works for **any number of layers of any width**:
# it draws its parameters, runs the forward pass, computes every gradient at once by
# backpropagation, and trains itself by gradient descent. At the end you train it on the ten
# points of Figure 8 and watch the loss fall.
#
# The class and its constructor are given. You write four methods, with exactly these names
# and signatures (the grader and the next assignments call them):
#
# | exercise | method | what it does |
# |---|---|---|
# | 8 | `initialize_parameters(self, layers_dims, rng)` | fills `self.params` with `W1, b1, W2, b2, ...` |
# | 9 | `forward_pass(self, X, training=False)` | returns the predictions, or with `training=True` every layer's values |
# | 10 | `backward_pass(self, X, Y, coef)` | returns the gradients `dZl`, `dWl`, `dbl` of every layer |
# | 11 | `train(self, X, Y, n_it, learning_rate=0.01, verbose=True)` | runs `n_it` steps of gradient descent |
#
# **How grading works.** Each method has its own test cells worth 1-3 points. Visible checks
# tell you what is wrong (type, then shape, then a property every right answer has) without
# giving the answer away: where a value has many digits they compare it with the right one
# through a *fingerprint* (a scrambled summary that says "right" or "not right" but cannot be
# turned back into the answer), and where it is the value a known mistake gives they name the
# mistake; when the notebook is graded, hidden checks compare with the reference
# numbers and check your gradients against finite differences of your own forward pass. The
# checks build networks with activations and losses of their own, never with your Assignment 3
# functions, so a slip there costs no points here. They use your class only through the
# interface above: you may write the methods in the cells given or the whole class in one cell,
# as long as the names and signatures stay. Before you submit, run *Kernel, Restart and Run All*.
#
# **Sources.** The `NN` class, its interface, Exercises 8-11 and the Figure-8 data follow
# Rodolfo Lourenzutti, *Feed Forward Neural Network* (<https://lourenzutti.github.io/posts/fnn/>).
# The batch form of the backpropagation formulas, with one sample per row, follows Khiem Nguyen,
# *Neural network: a gentle introduction*, University of Glasgow lecture slides
# (<https://github.com/khiemnguyen0407/uog-ml>). The text and code here are written for this
# workbook.

# %% nbgrader={"grade": false, "grade_id": "setup", "locked": true, "schema_version": 3, "solution": false, "task": false}
import contextlib
import io

import matplotlib.pyplot as plt
import numpy as np

from workbook.checks import check_array, check_close, check_that
from workbook.data import figure8_data, figure8_weights
from workbook.fingerprints import Fingerprints
from workbook.gradcheck import gradient_check
from workbook.widgets import LiveLossPlot, forward_explorer, plot_predictions

# %% [markdown]
# The Figure-8 data: ten points with two features, `X` of shape `(10, 2)`, and their targets,
# `Y` of shape `(10, 1)`.

# %% nbgrader={"grade": false, "grade_id": "data", "locked": true, "schema_version": 3, "solution": false, "task": false}
X, Y = figure8_data()
print(X.shape, Y.shape)


# %% [markdown]
# ## 1. Your functions from Assignment 3
#
# The network receives its activations and its loss as dictionaries: an activation as
# `{'activation': g, 'derivative': g_prime}`, the loss as `{'loss': J, 'derivative': dJ_da}`.
# Paste your Assignment 3 answers into the next cell: `relu`, `relu_derivative`, `identity`,
# `identity_derivative`, `MSE`, `MSE_derivative`, and the dictionaries `activation_relu_dict`,
# `activation_output_dict` and `loss_dict`. This cell is not graded again; the demonstrations
# and the training at the end of this notebook use it. Remember the loss is
# $J = \frac{1}{2n}\sum_{i,j}(a_{ij} - Y_{ij})^2$, whose derivative is $(a - Y)/n$.

# %% nbgrader={"grade": false, "grade_id": "assignment3", "locked": false, "schema_version": 3, "solution": true, "task": false}
# Paste your Assignment 3 answers here (not graded again): relu, relu_derivative, identity,
# identity_derivative, MSE, MSE_derivative, activation_relu_dict, activation_output_dict, loss_dict.
### BEGIN SOLUTION
def relu(z):
    """ReLU of every entry of z."""
    return np.maximum(z, 0)


def relu_derivative(z):
    """1.0 where z > 0, else 0.0."""
    return (z > 0).astype(float)


def identity(z):
    """The identity activation."""
    return z


def identity_derivative(z):
    """1.0 everywhere, in z's shape."""
    return np.ones_like(z)


def MSE(a, Y):
    """sum((a - Y)**2) / (2n), n the number of rows."""
    return np.sum((a - Y) ** 2) / (2 * a.shape[0])


def MSE_derivative(a, Y):
    """(a - Y) / n."""
    return (a - Y) / a.shape[0]


activation_relu_dict = {"activation": relu, "derivative": relu_derivative}
activation_output_dict = {"activation": identity, "derivative": identity_derivative}
loss_dict = {"loss": MSE, "derivative": MSE_derivative}
### END SOLUTION

# %% [markdown]
# The visible checks below use the next three dictionaries instead. Any function with a
# derivative can serve as an activation or a loss, so the checks take ones that are not from
# Assignment 3: $\sin$ for hidden layers, $\arctan$ for the output, and the log-cosh loss
# $J = \frac1n\sum \log\cosh(a - Y)$, a smooth cousin of the absolute error. Small random data
# to run them on comes with them, and `small_network()`, a `[2, 3, 2, 1]` network built with
# them whose parameters are set by hand to $N(0, 1)$ numbers (so that the checks of one method
# do not depend on your other methods more than they must); `random_network` builds such a
# network of any shape.

# %% nbgrader={"grade": false, "grade_id": "check_tools", "locked": true, "schema_version": 3, "solution": false, "task": false}
sine = {"activation": np.sin, "derivative": np.cos}
arctan = {"activation": np.arctan, "derivative": lambda z: 1 / (1 + z**2)}
log_cosh = {
    "loss": lambda a, Y: np.sum(np.log(np.cosh(a - Y))) / len(a),
    "derivative": lambda a, Y: np.tanh(a - Y) / len(a),
}
hyperbolic = {"activation": np.tanh, "derivative": lambda z: 1 - np.tanh(z) ** 2}
data_rng = np.random.default_rng(4)
X_small, Y_small = data_rng.normal(size=(6, 2)), data_rng.normal(size=(6, 1))
known = Fingerprints("neural_network")   # recognises known mistakes (see the checks)


def random_network(dims, hidden, output, seed):
    """An NN with layers dims and the log_cosh loss, its N(0, 1) parameters set by hand."""
    net = NN(dims, hidden, output, log_cosh)
    rng_params = np.random.default_rng(seed)
    net.params = {f"{k}{layer}": rng_params.normal(size=(dims[layer - 1] if k == "W" else 1, dims[layer]))
                  for layer in range(1, len(dims)) for k in "Wb"}
    return net


def small_network(seed=1):
    """A [2, 3, 2, 1] NN with sine, arctan and log_cosh, and N(0, 1) parameters set by hand."""
    return random_network([2, 3, 2, 1], sine, arctan, seed)


# %% [markdown]
# ## 2. The class `NN`
#
# We keep the row convention of the Figure-8 network: a data set is a matrix with **one sample
# per row**, and layer $l$ computes
#
# $$Z^{(l)} = X^{(l-1)} W^{(l)} + b^{(l)}, \qquad X^{(l)} = g^{(l)}\big(Z^{(l)}\big),$$
#
# with $X^{(0)} = X$ the input. If layer $l$ has $n_l$ units and there are $n$ samples,
# $W^{(l)}$ has shape $(n_{l-1}, n_l)$, $b^{(l)}$ has shape $(1, n_l)$ and is added to every
# row, and $Z^{(l)}$ and $X^{(l)}$ have shape $(n, n_l)$.
#
# The constructor below stores what the methods need:
#
# - `self.L = len(layers_dims)`: the number of layers **counting the input**. For
#   `[2, 3, 2, 1]`, `self.L` is 4 and the layers with parameters are $l = 1, 2, 3$, so loops
#   over them run over `range(1, self.L)`.
# - `self.a`: a list with one activation dictionary per layer, so that layer `l` uses
#   `self.a[l]['activation']` and `self.a[l]['derivative']`. The input layer 0 has no
#   activation: `self.a[0]` is `None` (Lourenzutti's class keeps a placeholder there too).
# - `self.loss_function`: the loss dictionary.
# - `self.params`: a dictionary with keys `'W1', 'b1', 'W2', 'b2', ...`, filled by
#   `initialize_parameters`, which the constructor calls with a random generator made from
#   `seed`. Always read the weights from `self.params`: the grader sets some by hand.
#
# The methods are added one cell at a time below (`NN.forward_pass = forward_pass`), so each can
# sit next to its explanation.

# %% nbgrader={"grade": false, "grade_id": "nn_class", "locked": true, "schema_version": 3, "solution": false, "task": false}
class NN:
    """A fully connected network with one sample per row: Z_l = X_(l-1) @ W_l + b_l."""

    def __init__(self, layers_dims, activation_hidden, activation_output, loss_function,
                 seed=None):
        """Store the layers, activations and loss, and draw the parameters.

        layers_dims: layer sizes, input first; [2, 3, 2, 1] has 2 inputs, hidden layers of
            3 and 2 units and 1 output. self.L = len(layers_dims) counts the input layer.
        activation_hidden: an activation dict {'activation': g, 'derivative': g_prime} used by
            every hidden layer, or a list with one such dict per hidden layer.
        activation_output: the activation dict of the output layer.
        loss_function: {'loss': J(a, Y), 'derivative': dJ/da (a, Y)}.
        seed: seed for np.random.default_rng, so that the weights are reproducible.
        """
        self.L = len(layers_dims)
        self.loss_function = loss_function
        if isinstance(activation_hidden, list):
            hidden = list(activation_hidden)
        else:
            hidden = [activation_hidden] * (self.L - 2)
        if len(hidden) != self.L - 2:
            raise ValueError(f"{self.L - 2} hidden layers need {self.L - 2} activations.")
        self.a = [None, *hidden, activation_output]  # the input layer 0 has none
        self.params = {}
        self.initialize_parameters(layers_dims, np.random.default_rng(seed))


# %% [markdown]
# ## 3. Exercise 8: initial parameters
#
# Write `initialize_parameters`. For every layer $l = 1, \dots, L-1$:
#
# - `self.params[f'W{l}']`: shape `(layers_dims[l-1], layers_dims[l])`, entries drawn from the
#   normal distribution with mean 0 and standard deviation $0.001$, with `rng.normal`;
# - `self.params[f'b{l}']`: shape `(1, layers_dims[l])`, all zeros (`np.zeros`).
#
# Draw from `rng` only, **one weight matrix per layer, in layer order** (`W1` first), and draw
# nothing else from it (the biases are zeros, not random numbers). Then the same `seed` always
# gives the same network, yours and everyone else's, and the training results stated below are
# reproducible.
#
# Why small random weights and not zeros? If all weights of a layer start equal, all its units
# compute the same thing and receive the same gradient, so they stay identical forever:
# random numbers break that symmetry.

# %% nbgrader={"grade": false, "grade_id": "initialize_parameters", "locked": false, "schema_version": 3, "solution": true, "task": false}
def initialize_parameters(self, layers_dims, rng):
    """Fill self.params with W1, b1, ..., W_(L-1), b_(L-1).

    layers_dims: the list of layer sizes given to the constructor.
    rng: a np.random.Generator; draw the weights from it layer by layer, W1 first.
    W_l: shape (layers_dims[l-1], layers_dims[l]), entries from N(0, 0.001**2).
    b_l: shape (1, layers_dims[l]), zeros.
    """
    ### BEGIN SOLUTION
    for layer in range(1, self.L):
        shape = (layers_dims[layer - 1], layers_dims[layer])
        self.params[f"W{layer}"] = rng.normal(0.0, 0.001, size=shape)
        self.params[f"b{layer}"] = np.zeros((1, layers_dims[layer]))
    ### END SOLUTION


NN.initialize_parameters = initialize_parameters

# %%
demo = NN([2, 3, 2, 1], sine, arctan, log_cosh, seed=0)
for name, value in demo.params.items():
    print(name, value.shape)

# %% nbgrader={"grade": true, "grade_id": "test_init", "locked": true, "points": 2, "schema_version": 3, "solution": false, "task": false}
"""initialize_parameters: keys W1, b1, ...; shapes (n_(l-1), n_l) and (1, n_l); zero biases; scale."""
net = NN([2, 3, 2, 1], sine, arctan, log_cosh, seed=0)
check_that(isinstance(net.params, dict), "`net.params` should be a dict.")
check_that(set(net.params) == {"W1", "b1", "W2", "b2", "W3", "b3"},
           "for layers [2, 3, 2, 1], `net.params` should have exactly the keys W1, b1, W2, b2, "
           f"W3, b3, but it has {sorted(net.params)}.")
for name, shape in [("W1", (2, 3)), ("b1", (1, 3)), ("W2", (3, 2)), ("b2", (1, 2)),
                    ("W3", (2, 1)), ("b3", (1, 1))]:
    check_array(net.params[name], f"net.params['{name}']", shape=shape)
check_that(all(np.all(net.params[f"b{layer}"] == 0) for layer in (1, 2, 3)), "the biases should start at zero.")
check_that(all(np.any(net.params[f"W{layer}"] != 0) for layer in (1, 2, 3)),
           "the weights should be random numbers, not zeros.")
spread_ = NN([200, 300], sine, arctan, log_cosh, seed=1).params["W1"].std()
check_that(abs(spread_ - 0.001) < 5e-5, f"the weights of a [200, 300] network spread with standard "
           f"deviation {spread_:.3g}; initialize_parameters should draw them with 0.001.")
### BEGIN HIDDEN TESTS
for dims in ([2, 3, 2, 1], [4, 8, 8, 3], [1, 1], [5, 1, 4], [3, 6, 6, 6, 2]):
    net = NN(dims, sine, arctan, log_cosh, seed=len(dims))
    expected = {f"{k}{layer}" for layer in range(1, len(dims)) for k in "Wb"}
    check_that(set(net.params) == expected, f"for layers {dims}, `net.params` should have the keys "
               f"{sorted(expected)}, but it has {sorted(net.params)}.")
    for layer in range(1, len(dims)):
        for name, shape in [(f"W{layer}", (dims[layer - 1], dims[layer])), (f"b{layer}", (1, dims[layer]))]:
            value = net.params[name]
            check_array(value, f"net.params['{name}'] for layers {dims}", shape=shape)
            check_that(value.dtype.kind == "f", f"net.params['{name}'] should hold floats.")
        check_that(np.all(net.params[f"b{layer}"] == 0), f"b{layer} should start at zero for layers {dims}.")
big = NN([200, 300], sine, arctan, log_cosh, seed=1).params["W1"]
check_that(abs(big.std() - 0.001) < 2e-5, "the weights should have standard deviation 0.001.")
check_that(abs(big.mean()) < 5 * big.std() / np.sqrt(big.size), "the weights should have mean 0.")
check_close(np.array(big.shape, dtype=float), [200.0, 300.0], "the shape of W1 for layers [200, 300]")
check_close(big.std(), 0.001, "the standard deviation of the weights", rtol=2e-2)
check_close(big.mean() / big.std(), 0.0, "the mean of the weights, in standard deviations", atol=0.02)
check_close(np.array(NN([2, 3, 2, 1], sine, arctan, log_cosh, seed=0).params["b2"].shape, dtype=float),
            [1.0, 2.0], "the shape of b2 for layers [2, 3, 2, 1]")
### END HIDDEN TESTS

# %% nbgrader={"grade": true, "grade_id": "test_init_seed", "locked": true, "points": 1, "schema_version": 3, "solution": false, "task": false}
"""initialize_parameters: the same seed gives the same weights, another seed other weights."""
first = NN([2, 3, 2, 1], sine, arctan, log_cosh, seed=4).params
second = NN([2, 3, 2, 1], sine, arctan, log_cosh, seed=4).params
other = NN([2, 3, 2, 1], sine, arctan, log_cosh, seed=5).params
check_that(all(np.array_equal(first[k], second[k]) for k in first),
           "two networks built with seed=4 should have the same parameters: initialize_parameters "
           "should draw from `rng`.")
check_that(not np.array_equal(first["W1"], other["W1"]), "seeds 4 and 5 should give different weights.")
known.confirm(np.concatenate([first["W1"].ravel(), first["W2"].ravel()]),
              "W1 and W2 of a [2, 3, 2, 1] network drawn by initialize_parameters with seed=4")
### BEGIN HIDDEN TESTS
for dims, seed in [([2, 3, 2, 1], 11), ([4, 8, 8, 3], 12), ([1, 1], 13)]:
    net = NN(dims, sine, arctan, log_cosh, seed=seed)
    ### BEGIN REFERENCE
    rng_expected_ = np.random.default_rng(seed)
    ### END REFERENCE
    for layer in range(1, len(dims)):
        ### BEGIN REFERENCE
        expected_ = rng_expected_.normal(0, 0.001, size=(dims[layer - 1], dims[layer]))
        ### END REFERENCE
        check_close(net.params[f"W{layer}"], expected_, f"W{layer} of a {dims} network with seed={seed} "
                    "(draw one matrix per layer from rng, in layer order, and nothing else)")
check_that(np.array_equal(NN([3, 4], sine, arctan, log_cosh, seed=7).params["W1"],
                          NN([3, 4], sine, arctan, log_cosh, seed=7).params["W1"]),
           "the same seed should give the same weights.")
### END HIDDEN TESTS

# %% [markdown]
# ## 4. Exercise 9: the forward pass
#
# Write `forward_pass`. Starting from $X^{(0)} = X$, compute for $l = 1, \dots, L-1$
#
# $$Z^{(l)} = X^{(l-1)} W^{(l)} + b^{(l)}, \qquad X^{(l)} = g^{(l)}\big(Z^{(l)}\big),$$
#
# with $g^{(l)}$ = `self.a[l]['activation']`: one matrix product for all samples at once, as in
# Assignment 1. Store every value in a dictionary with the keys `'x0'` (the input itself),
# `'z1'`, `'x1'`, `'z2'`, `'x2'`, ... . Backpropagation needs them: every gradient formula below
# uses a $Z^{(l)}$ or an $X^{(l-1)}$ of the forward pass. Return
#
# - with `training=False` (the default), only the output $X^{(L-1)}$, of shape `(n, layers_dims[-1])`;
# - with `training=True`, the whole dictionary.
#
# Use `self.L`, not a fixed number of layers: the same code must run a `[1, 1]` network (one
# layer, no hidden layer) and a `[4, 8, 8, 3]` one.

# %% nbgrader={"grade": false, "grade_id": "forward_pass", "locked": false, "schema_version": 3, "solution": true, "task": false}
def forward_pass(self, X, training=False):
    """Run the inputs X through every layer.

    X: inputs, shape (n, layers_dims[0]), one sample per row.
    Returns the output X_(L-1), shape (n, layers_dims[-1]); with training=True returns instead
    the dict {'x0': X, 'z1': Z_1, 'x1': X_1, ..., 'z{L-1}': Z_(L-1), 'x{L-1}': X_(L-1)}.
    """
    ### BEGIN SOLUTION
    outputs = {"x0": X}
    for layer in range(1, self.L):
        z = outputs[f"x{layer - 1}"] @ self.params[f"W{layer}"] + self.params[f"b{layer}"]
        outputs[f"z{layer}"] = z
        outputs[f"x{layer}"] = self.a[layer]["activation"](z)
    return outputs if training else outputs[f"x{self.L - 1}"]
    ### END SOLUTION


NN.forward_pass = forward_pass

# %% [markdown]
# Now the Figure-8 network of Assignment 1, built with your Assignment 3 functions and its
# hand-set weights (its biases are zero). The first rows should repeat your Assignment 1
# numbers, and the cost should be the one you found there.

# %%
net8 = NN([2, 3, 2, 1], activation_relu_dict, activation_output_dict, loss_dict)
net8.params.update(figure8_weights())
values = net8.forward_pass(X, training=True)
print("Z1[0] =", values["z1"][0], " Z2[0] =", values["z2"][0], " X3[0] =", values["x3"][0])
print("J =", MSE(net8.forward_pass(X), Y))

# %% nbgrader={"grade": true, "grade_id": "test_forward_figure8", "locked": true, "points": 2, "schema_version": 3, "solution": false, "task": false}
"""forward_pass on the ten points of X: shape (10, 1); hidden: the Figure-8 network's first rows and cost."""
### BEGIN HIDDEN TESTS
# Test helpers for this and every later test cell of the notebook.
relu_ref = {"activation": lambda z: np.maximum(z, 0), "derivative": lambda z: 1.0 * (z > 0)}
ident_ref = {"activation": lambda z: z, "derivative": np.ones_like}
mse_ref = {"loss": lambda a, Y: np.sum((a - Y) ** 2) / (2 * len(a)),
           "derivative": lambda a, Y: (a - Y) / len(a)}


def draw_params_(dims, seed):
    """N(0, 1) weights and biases for layers dims, W1, b1, W2, ... from np.random.default_rng(seed)."""
    generator = np.random.default_rng(seed)
    return {f"{k}{layer}": generator.normal(size=(dims[layer - 1] if k == "W" else 1, dims[layer]))
            for layer in range(1, len(dims)) for k in "Wb"}


class Hand(NN):
    """Your NN, with N(0, 1) weights and biases drawn by the test instead of your init."""

    def initialize_parameters(self, dims, generator):
        self.params = draw_params_(dims, generator)


def hand_network_(dims, params, hidden=relu_ref, output=ident_ref, loss=mse_ref):
    """Your NN with layers dims, holding a copy of the test's params (which stay the test's)."""
    net = Hand(dims, hidden, output, loss)
    net.params = {name: value.copy() for name, value in params.items()}
    return net


### BEGIN REFERENCE
def reference_values_(params, X, L):
    """x0, z1, x1, ... of a network with ReLU hidden layers and an identity output."""
    values = {"x0": X}
    for layer in range(1, L):
        z = values[f"x{layer - 1}"] @ params[f"W{layer}"] + params[f"b{layer}"]
        values[f"z{layer}"], values[f"x{layer}"] = z, (z if layer == L - 1 else np.maximum(z, 0))
    return values


def reference_grads_(params, X, Y, L):
    """Backpropagation for ReLU hidden layers, an identity output and the half mean squared error."""
    values, out = reference_values_(params, X, L), {}
    delta = (values[f"x{L - 1}"] - Y) / len(X)
    for layer in range(L - 1, 0, -1):
        out[f"dZ{layer}"] = delta
        out[f"dW{layer}"], out[f"db{layer}"] = values[f"x{layer - 1}"].T @ delta, delta.sum(axis=0, keepdims=True)
        if layer > 1:
            delta = (delta @ params[f"W{layer}"].T) * (values[f"z{layer - 1}"] > 0)
    return out
### END REFERENCE


def figure8_network():
    """The Figure-8 network with its hand-set weights and zero biases."""
    net = Hand([2, 3, 2, 1], relu_ref, ident_ref, mse_ref)
    net.params = {**figure8_weights(), "b1": np.zeros((1, 3)), "b2": np.zeros((1, 2)),
                  "b3": np.zeros((1, 1))}
    return net
### END HIDDEN TESTS
check_array(small_network().forward_pass(X), "forward_pass(X) for the 10 points of X", shape=(10, 1))
known.confirm(small_network().forward_pass(X), "small_network().forward_pass(X), for the 10 points of X")
### BEGIN HIDDEN TESTS
net = figure8_network()
values = net.forward_pass(X, training=True)
check_close(values["z1"][0], [-0.314, 0.818, -0.417], "the first row of z1 for Figure 8")
check_close(values["z2"][0], [-0.07362, 0.02454], "the first row of z2 for Figure 8")
check_close(values["x3"][0], [0.0017178], "the first row of x3 for Figure 8")
check_close(mse_ref["loss"](net.forward_pass(X), Y), 2837.7039283601166, "the cost J of the Figure-8 network")
### END HIDDEN TESTS

# %% nbgrader={"grade": true, "grade_id": "test_forward_training", "locked": true, "points": 1, "schema_version": 3, "solution": false, "task": false}
"""forward_pass(X, training=True): a dict with x0, z1, x1, ... of the right shapes."""
values = small_network().forward_pass(X_small, training=True)
check_that(isinstance(values, dict), "`forward_pass(X, training=True)` should return a dict.")
for key, width in [("x0", 2), ("z1", 3), ("x1", 3), ("z2", 2), ("x2", 2), ("z3", 1), ("x3", 1)]:
    check_that(key in values, f"the dict of forward_pass(X, training=True) has no key '{key}'.")
    check_array(values[key], f"forward_pass(X_small, training=True)['{key}']", shape=(6, width))
check_close(values["x0"], X_small, "forward_pass(X_small, training=True)['x0']")
known.confirm(values["z2"], "forward_pass(X_small, training=True)['z2'] of small_network()")
### BEGIN HIDDEN TESTS
for dims, n in [([4, 8, 8, 3], 5), ([1, 1], 3), ([3, 5, 2], 1), ([2, 4, 4, 4, 1], 7)]:
    params_ = draw_params_(dims, n)
    Xs = np.random.default_rng(n).normal(size=(n, dims[0]))
    ### BEGIN REFERENCE
    reference_ = reference_values_(params_, Xs, len(dims))
    ### END REFERENCE
    net = hand_network_(dims, params_)
    values = net.forward_pass(Xs, training=True)
    check_that(isinstance(values, dict), f"for layers {dims}, forward_pass(X, training=True) should return a dict.")
    for layer in range(len(dims)):
        for key in ([f"x{layer}"] if layer == 0 else [f"z{layer}", f"x{layer}"]):
            check_that(key in values, f"for layers {dims}, the dict has no key '{key}'.")
            check_array(values[key], f"'{key}' for layers {dims}", shape=(n, dims[layer]))
    check_close(values["x0"], Xs, f"'x0' for layers {dims}")
    check_close(net.forward_pass(Xs), reference_[f"x{len(dims) - 1}"],
                f"forward_pass(X) for layers {dims}: the last layer of the training dict")
check_close(net.forward_pass(Xs, training=False), reference_["x4"], "forward_pass(X, training=False)")
### END HIDDEN TESTS

# %% nbgrader={"grade": true, "grade_id": "test_forward_any_shape", "locked": true, "points": 2, "schema_version": 3, "solution": false, "task": false}
"""forward_pass works for any depth and width: right values, biases included."""
check_array(small_network().forward_pass(X_small[:1]), "forward_pass(X_small[:1]), for one sample", shape=(1, 1))
deeper_ = random_network([2, 5, 4, 3], [sine, hyperbolic], arctan, seed=7)
known.confirm(deeper_.forward_pass(X_small),
              "forward_pass(X_small) of a [2, 5, 4, 3] network with sine, then tanh, then arctan")
### BEGIN HIDDEN TESTS
for dims, n in [([2, 3, 2, 1], 5), ([4, 8, 8, 3], 7), ([1, 1], 4), ([3, 5, 2], 1), ([2, 4, 4, 4, 1], 6)]:
    params_ = draw_params_(dims, sum(dims))
    Xs = np.random.default_rng(n).normal(size=(n, dims[0]))
    ### BEGIN REFERENCE
    reference_ = reference_values_(params_, Xs, len(dims))
    ### END REFERENCE
    net = hand_network_(dims, params_)
    values = net.forward_pass(Xs, training=True)
    for layer in range(1, len(dims)):
        check_close(values[f"z{layer}"], reference_[f"z{layer}"], f"z{layer} of a {dims} network with non-zero biases")
        check_close(values[f"x{layer}"], reference_[f"x{layer}"], f"x{layer} of a {dims} network with non-zero biases")
    check_close(net.forward_pass(Xs), reference_[f"x{len(dims) - 1}"], f"the output of a {dims} network")
params_ = draw_params_([3, 4, 5, 2], 9)
Xs = np.random.default_rng(9).normal(size=(4, 3))
### BEGIN REFERENCE
x2_ = np.maximum(np.sin(Xs @ params_["W1"] + params_["b1"]) @ params_["W2"] + params_["b2"], 0)
output_ = np.arctan(x2_ @ params_["W3"] + params_["b3"])
### END REFERENCE
mixed = hand_network_([3, 4, 5, 2], params_, [sine, relu_ref], arctan)
check_close(mixed.forward_pass(Xs), output_,
            "the output of a network with a different activation in every layer (use self.a[layer])")
### END HIDDEN TESTS

# %% [markdown]
# ## 5. Exercise 10: the backward pass
#
# In Assignment 2 you followed every path from one weight to the cost. Backpropagation
# organises the same chain rule so that nothing is computed twice. Its key quantity is the
# gradient of the cost with respect to a layer's pre-activations, $\delta^{(l)} = \partial J /
# \partial Z^{(l)}$, stored under the key `dZl`. It has the shape of $Z^{(l)}$, `(n, n_l)`: one
# row per sample. Going **backwards**, from the output layer $L-1$ to layer 1:
#
# 1. **Output layer.** $\;\delta^{(L-1)} = J'\big(X^{(L-1)}, Y\big) \odot g^{(L-1)\prime}\big(Z^{(L-1)}\big)$,
#    with $J'$ = `self.loss_function['derivative']` and $g'$ = `self.a[l]['derivative']`;
#    $\odot$ is the entry-by-entry product (`*` in NumPy).
# 2. **Hidden layer** $l$: the gradient flows back through $W^{(l+1)}$, then through the slope of
#    the activation: $\;\delta^{(l)} = \big(\delta^{(l+1)} \, W^{(l+1)\top}\big) \odot g^{(l)\prime}\big(Z^{(l)}\big)$.
# 3. **Parameters** of every layer:
#    $\;\dfrac{\partial J}{\partial W^{(l)}} = X^{(l-1)\top} \delta^{(l)}$ of shape
#    $(n_{l-1}, n_l)$, and $\;\dfrac{\partial J}{\partial b^{(l)}} = $ the sum of the rows of
#    $\delta^{(l)}$, of shape $(1, n_l)$ (`keepdims=True`).
#
# The matrix product $X^{(l-1)\top}\delta^{(l)}$ adds up, for every weight, the contributions
# of all $n$ samples; the bias is added to every row, so its gradient is the sum over the rows.
# The average over the samples is already inside $J' = (a - Y)/n$: do **not** divide by $n$ again.
# (The Glasgow slides write $\frac1m$ in $dW$ because their $dZ$ leaves it out; it must appear
# exactly once.)
#
# `coef` is the dictionary that `forward_pass(X, training=True)` returned: read $Z^{(l)}$ from
# `coef[f'z{l}']` and $X^{(l-1)}$ from `coef[f'x{l-1}']` (so `coef['x0']` is `X`) instead of
# recomputing them. Return one dictionary with the keys `dZ1, dW1, db1, ..., dZ{L-1}, dW{L-1},
# db{L-1}`. A shape check is your best friend here: each `dWl` has the shape of `Wl`, each `dbl`
# the shape of `bl`.

# %% nbgrader={"grade": false, "grade_id": "backward_pass", "locked": false, "schema_version": 3, "solution": true, "task": false}
def backward_pass(self, X, Y, coef):
    """Gradients of the loss with respect to every Z_l, W_l and b_l, by backpropagation.

    X: inputs, shape (n, layers_dims[0]); Y: targets, shape (n, layers_dims[-1]).
    coef: the dict returned by self.forward_pass(X, training=True): 'x0', 'z1', 'x1', ...
    Returns {'dZ{l}': shape (n, n_l), 'dW{l}': shape of W_l, 'db{l}': shape (1, n_l)}
    for every layer l = 1, ..., L-1.
    """
    ### BEGIN SOLUTION
    grads = {}
    out = self.L - 1
    for layer in range(out, 0, -1):
        if layer == out:
            dX_l = self.loss_function["derivative"](coef[f"x{layer}"], Y)
        else:
            dX_l = grads[f"dZ{layer + 1}"] @ self.params[f"W{layer + 1}"].T
        grads[f"dZ{layer}"] = dX_l * self.a[layer]["derivative"](coef[f"z{layer}"])
        grads[f"dW{layer}"] = coef[f"x{layer - 1}"].T @ grads[f"dZ{layer}"]
        grads[f"db{layer}"] = np.sum(grads[f"dZ{layer}"], axis=0, keepdims=True)
    return grads
    ### END SOLUTION


NN.backward_pass = backward_pass

# %% [markdown]
# Your `dW3[1, 0]` on the first data point alone is the derivative `dj_dw3_21` you computed by
# hand in Assignment 2 (with one sample, $n = 1$ and $J = \frac12(\hat y - y)^2$). On all ten
# points it is the average of the ten single-point derivatives.

# %%
first = net8.backward_pass(X[:1], Y[:1], net8.forward_pass(X[:1], training=True))
print("dW3[1, 0] on the first point:", first["dW3"][1, 0])

# %% nbgrader={"grade": true, "grade_id": "test_backward_shapes", "locked": true, "points": 1, "schema_version": 3, "solution": false, "task": false}
"""backward_pass returns a dict with dZl, dWl, dbl for every layer, each of the right shape."""
net = small_network()
grads = net.backward_pass(X_small, Y_small, net.forward_pass(X_small, training=True))
check_that(isinstance(grads, dict), "`backward_pass` should return a dict.")
for layer, (n_in, n_out) in enumerate([(2, 3), (3, 2), (2, 1)], start=1):
    for key, shape in [(f"dZ{layer}", (6, n_out)), (f"dW{layer}", (n_in, n_out)), (f"db{layer}", (1, n_out))]:
        check_that(key in grads, f"the dict returned by backward_pass has no key '{key}'.")
        check_array(grads[key], f"backward_pass(...)['{key}']", shape=shape)
        known.check(grads[key], f"backward_pass(...)['{key}'] of small_network() on X_small")
### BEGIN HIDDEN TESTS
for dims, n in [([4, 8, 8, 3], 5), ([1, 1], 3), ([3, 5, 2], 1), ([2, 4, 4, 4, 1], 7)]:
    net = Hand(dims, relu_ref, ident_ref, mse_ref, seed=n)
    rng_test = np.random.default_rng(n)
    Xs, Ys = rng_test.normal(size=(n, dims[0])), rng_test.normal(size=(n, dims[-1]))
    grads = net.backward_pass(Xs, Ys, net.forward_pass(Xs, training=True))
    for layer in range(1, len(dims)):
        for key, shape in [(f"dZ{layer}", (n, dims[layer])), (f"dW{layer}", (dims[layer - 1], dims[layer])),
                           (f"db{layer}", (1, dims[layer]))]:
            check_that(key in grads, f"for layers {dims}, backward_pass returned no '{key}'.")
            check_array(grads[key], f"'{key}' for layers {dims}", shape=shape)
check_array(grads["dW1"], "dW1 for layers [2, 4, 4, 4, 1]", shape=(2, 4))
check_close(np.array([grads[f"{key}{layer}"].shape for layer in range(1, 5) for key in ("dZ", "dW", "db")],
                     dtype=float),
            [[7, 4], [2, 4], [1, 4], [7, 4], [4, 4], [1, 4], [7, 4], [4, 4], [1, 4], [7, 1], [4, 1], [1, 1]],
            "the shapes of dZl, dWl, dbl for layers [2, 4, 4, 4, 1] and 7 samples")
### END HIDDEN TESTS

# %% [markdown]
# ### Checking your gradients: `gradient_check`
#
# You do not need an answer key to know whether your backward pass is right. Nudge one weight
# by a tiny $\varepsilon$ both ways, run your *forward* pass and your loss, and the slope
# $\frac{J(w + \varepsilon) - J(w - \varepsilon)}{2\varepsilon}$ must match your `dW` entry.
# `gradient_check(net, X, Y)` (from `workbook.gradcheck`) does this for every entry of every
# parameter, using only your `forward_pass`, your `backward_pass` and the network's own loss,
# and prints one row per parameter. A relative error below about $10^{-7}$ means agreement; a
# wrong gradient gives something near $1$, and the verdict says when yours is a constant
# multiple of the right one (a missing $\frac1n$, a flipped sign). For a parameter with a single
# entry, such as `b3`, any two numbers are multiples of each other, so there the verdict only says
# whether the sign is right. The function returns the
# errors as a dict, `{'W1': ..., 'b1': ...}`.
#
# Check with weights of a normal size. With the tiny initial weights ($\sigma = 0.001$) the
# gradients of the Figure-8 network are small, a few times $10^{-4}$ at most, while its cost is
# in the thousands. Each finite difference carries a rounding error of about
# $10^{-16} \cdot J / \varepsilon$, which grows with the cost: here it is no longer small next
# to the gradient, and even a correct backward pass misses the $10^{-7}$ mark. The report then
# says that rounding may dominate instead of calling it a plain mismatch. So we check
# `small_network()`, whose weights are $N(0, 1)$, then the Figure-8
# network with your Assignment 3 functions. If the first passes but the second does not, look
# at Assignment 3.

# %%
errors = gradient_check(small_network(), X_small, Y_small)

# %%
errors8 = gradient_check(net8, X, Y)

# %% [markdown]
# And the case described above: a network fresh from your `initialize_parameters`, its weights
# drawn with $\sigma = 0.001$. The backward pass is the same correct one, yet most rows say
# `MISMATCH?`: the gradients are so small that the rounding error of the finite differences is
# no longer small next to them. The verdict says so; it is a warning about the check, not about
# your code.

# %%
errors_tiny = gradient_check(NN([2, 3, 2, 1], activation_relu_dict, activation_output_dict, loss_dict,
                                seed=0), X, Y)

# %% nbgrader={"grade": true, "grade_id": "test_backward_gradcheck", "locked": true, "points": 3, "schema_version": 3, "solution": false, "task": false}
"""Every dW and db equals the finite-difference gradient of your own forward pass and loss."""
errors = gradient_check(small_network(), X_small, Y_small, verbose=False)
wrong = [name for name, error in errors.items() if not error < 1e-6]
check_that(wrong == [], f"the gradients of {wrong} from your backward_pass disagree with finite "
           "differences of your forward_pass and loss: run gradient_check(small_network(), X_small, "
           "Y_small) to see the report.")
### BEGIN HIDDEN TESTS
cases = [([2, 3, 2, 1], 6), ([4, 8, 8, 3], 5), ([1, 1], 4), ([3, 5, 2], 1), ([2, 4, 4, 4, 1], 7)]
for dims, n in cases:
    params_ = draw_params_(dims, 100 + n)
    rng_test = np.random.default_rng(n)
    Xs, Ys = rng_test.normal(size=(n, dims[0])), rng_test.normal(size=(n, dims[-1]))
    ### BEGIN REFERENCE
    reference_ = reference_grads_(params_, Xs, Ys, len(dims))
    ### END REFERENCE
    net = hand_network_(dims, params_)
    grads = net.backward_pass(Xs, Ys, net.forward_pass(Xs, training=True))
    for name in sorted(params_):
        check_close(grads[f"d{name}"], reference_[f"d{name}"],
                    f"d{name} for a ReLU network with layers {dims} and {n} samples")
    errors = gradient_check(net, Xs, Ys, verbose=False)
    failing = [name for name, error in errors.items() if not error < 1e-6]
    check_that(failing == [], f"for a ReLU network with layers {dims} and {n} samples, the gradients "
               f"of {failing} disagree with finite differences of your forward pass.")
mixed = Hand([3, 4, 5, 2], [sine, relu_ref], arctan, log_cosh, seed=9)
rng_test = np.random.default_rng(9)
errors = gradient_check(mixed, rng_test.normal(size=(6, 3)), rng_test.normal(size=(6, 2)), verbose=False)
check_that(max(errors.values()) < 1e-6, "the gradients are wrong for a network with a different "
           "activation in every layer (use self.a[layer] and the network's own loss).")
### END HIDDEN TESTS

# %% nbgrader={"grade": true, "grade_id": "test_backward_dz", "locked": true, "points": 1, "schema_version": 3, "solution": false, "task": false}
"""dZl is the gradient with respect to Z_l: at the output, loss' times the activation's slope."""
net = small_network()
values = net.forward_pass(X_small, training=True)
grads = net.backward_pass(X_small, Y_small, values)
check_close(grads["dZ3"], log_cosh["derivative"](values["x3"], Y_small) * arctan["derivative"](values["z3"]),
            "dZ3, the gradient at the output layer")
### BEGIN HIDDEN TESTS
for dims, n in [([2, 3, 2, 1], 6), ([4, 8, 8, 3], 5), ([2, 4, 4, 4, 1], 7)]:
    params_ = draw_params_(dims, 200 + n)
    rng_test = np.random.default_rng(n)
    Xs, Ys = rng_test.normal(size=(n, dims[0])), rng_test.normal(size=(n, dims[-1]))
    ### BEGIN REFERENCE
    reference_ = reference_grads_(params_, Xs, Ys, len(dims))
    ### END REFERENCE
    net = hand_network_(dims, params_)
    values = net.forward_pass(Xs, training=True)
    grads = net.backward_pass(Xs, Ys, values)
    top = len(dims) - 1
    check_close(grads[f"dZ{top}"], reference_[f"dZ{top}"], f"dZ{top} for layers {dims}")
    for layer in range(top - 1, 0, -1):
        check_close(grads[f"dZ{layer}"], reference_[f"dZ{layer}"], f"dZ{layer} for layers {dims}, from dZ{layer + 1}")
check_that(np.any(grads["dZ1"] != 0), "dZ1 should not be all zeros for this network.")
### END HIDDEN TESTS

# %% nbgrader={"grade": true, "grade_id": "test_backward_figure8", "locked": true, "points": 1, "schema_version": 3, "solution": false, "task": false}
"""backward_pass on one data point: dW3 of shape (2, 1); hidden: on the Figure-8 network, Assignment 2's derivatives."""
net = small_network()
grads = net.backward_pass(X[:1], Y[:1], net.forward_pass(X[:1], training=True))
check_array(grads["dW3"], "dW3 for the first data point", shape=(2, 1))
### BEGIN HIDDEN TESTS
net = figure8_network()
first = net.backward_pass(X[:1], Y[:1], net.forward_pass(X[:1], training=True))
check_close(first["dW3"][1, 0], -2.7729778451879996, "dW3[1, 0] on the first point (dj_dw3_21)")
check_close(first["dW2"][1, 1], -6.470281638772001, "dW2[1, 1] on the first point (dj_dw2_22)")
check_close(first["dW1"][0, 1], -1.447507994982, "dW1[0, 1] on the first point (dj_dw1_12)")
check_close(first["dW1"][1, 1], -2.064478615794, "dW1[1, 1] on the first point (dj_dw1_22)")
every = net.backward_pass(X, Y, net.forward_pass(X, training=True))
check_close(every["dW3"][1, 0], -1.3724399966724, "dW3[1, 0] on all ten points")
### END HIDDEN TESTS

# %% [markdown]
# ## 6. Exercise 11: training by gradient descent
#
# Write `train`. Repeat `n_it` times, on the whole data set at once:
#
# 1. run `self.forward_pass(X, training=True)`;
# 2. run `self.backward_pass(X, Y, coef)` with the dictionary it returned;
# 3. for every layer $l = 1, \dots, L-1$, step **against** the gradient:
#    $W^{(l)} \leftarrow W^{(l)} - \eta\, \frac{\partial J}{\partial W^{(l)}}$ and
#    $b^{(l)} \leftarrow b^{(l)} - \eta\, \frac{\partial J}{\partial b^{(l)}}$, with $\eta$ =
#    `learning_rate`. Forget the biases and they keep their initial zeros forever.
# 4. If `verbose` is true, print the loss (`self.loss_function['loss']`) every 100 iterations,
#    one line each, for example at iterations 0, 100, 200, ...; if it is false, print nothing.
#
# With a small enough learning rate every step lowers the loss. Starting from the Figure-8
# weights (zero biases), 1000 iterations with `learning_rate=1e-4` take the cost from 2837.70
# to about **74.80**.

# %% nbgrader={"grade": false, "grade_id": "train", "locked": false, "schema_version": 3, "solution": true, "task": false}
def train(self, X, Y, n_it, learning_rate=0.01, verbose=True):
    """Full-batch gradient descent: n_it steps of forward pass, backward pass and update.

    X: inputs, shape (n, layers_dims[0]); Y: targets, shape (n, layers_dims[-1]).
    n_it: number of steps; learning_rate: the step size.
    Each step subtracts learning_rate * dW_l from W_l and learning_rate * db_l from b_l.
    verbose: if true, print the loss every 100 iterations; if false, print nothing.
    """
    ### BEGIN SOLUTION
    for i in range(n_it):
        coef = self.forward_pass(X, training=True)
        grads = self.backward_pass(X, Y, coef)
        for layer in range(1, self.L):
            self.params[f"W{layer}"] -= learning_rate * grads[f"dW{layer}"]
            self.params[f"b{layer}"] -= learning_rate * grads[f"db{layer}"]
        if verbose and i % 100 == 0:
            loss = self.loss_function["loss"](coef[f"x{self.L - 1}"], Y)
            print(f"iteration {i:5d}: loss {loss:.4f}")
    ### END SOLUTION


NN.train = train

# %%
net8 = NN([2, 3, 2, 1], activation_relu_dict, activation_output_dict, loss_dict)
net8.params.update(figure8_weights())
net8.train(X, Y, 1000, learning_rate=1e-4)
print("J after 1000 iterations:", MSE(net8.forward_pass(X), Y))

# %% nbgrader={"grade": true, "grade_id": "test_train_step", "locked": true, "points": 2, "schema_version": 3, "solution": false, "task": false}
"""train updates every weight and bias: n_it steps of p - learning_rate * dp."""
net = small_network()
before = {name: value.copy() for name, value in net.params.items()}
net.train(X_small, Y_small, 1, learning_rate=0.1, verbose=False)
for name, value in before.items():
    check_array(net.params[name], f"net.params['{name}'] after one step of train", shape=value.shape)
    check_that(not np.array_equal(net.params[name], value),
               f"`net.params['{name}']` did not change in one step of train.")
twice_, once_ = small_network(), small_network()
twice_.train(X_small, Y_small, 2, learning_rate=0.1, verbose=False)
for _ in range(2):
    once_.train(X_small, Y_small, 1, learning_rate=0.1, verbose=False)
check_that(all(np.allclose(twice_.params[k], once_.params[k]) for k in once_.params),
           "`train(X, Y, 2)` should end where two calls of `train(X, Y, 1)` end: run the forward "
           "and the backward pass inside the loop, so that every step uses the gradients of the "
           "current weights.")
stepped_ = small_network()
stepped_.train(X_small, Y_small, 1, learning_rate=0.1, verbose=False)
known.confirm(np.concatenate([stepped_.params[k].ravel() for k in sorted(stepped_.params)]),
              "the parameters of small_network() after one step of train with learning_rate=0.1")
### BEGIN HIDDEN TESTS
dims = [3, 5, 4, 2]
rng_test = np.random.default_rng(21)
Xs, Ys = rng_test.normal(size=(6, 3)), rng_test.normal(size=(6, 2))
start_ = draw_params_(dims, 21)
for n_it, rate in [(1, 0.05), (3, 0.05), (1, None)]:
    step = 0.01 if rate is None else rate
    ### BEGIN REFERENCE
    expected_ = start_
    for __ in range(n_it):
        grads_ = reference_grads_(expected_, Xs, Ys, len(dims))
        expected_ = {k: v - step * grads_[f"d{k}"] for k, v in expected_.items()}
    ### END REFERENCE
    trained = hand_network_(dims, start_)
    if rate is None:
        trained.train(Xs, Ys, n_it, verbose=False)
    else:
        trained.train(Xs, Ys, n_it, learning_rate=rate, verbose=False)
    for name in start_:
        check_close(trained.params[name], expected_[name], f"{name} after {n_it} step(s) of train with "
                    f"learning_rate={step} (p - learning_rate * dp for every weight and bias)")
check_close(trained.params["b3"], expected_["b3"], "b3 after a step with the default learning rate")
### END HIDDEN TESTS

# %% nbgrader={"grade": true, "grade_id": "test_train_decreases", "locked": true, "points": 1, "schema_version": 3, "solution": false, "task": false}
"""With a small learning rate, every step of train lowers the loss."""
twice_, once_ = small_network(), small_network()
twice_.train(X_small, Y_small, 2, learning_rate=0.1, verbose=False)
for _ in range(2):
    once_.train(X_small, Y_small, 1, learning_rate=0.1, verbose=False)
check_that(all(np.allclose(twice_.params[k], once_.params[k]) for k in once_.params),
           "`train(X, Y, 2)` should end where two calls of `train(X, Y, 1)` end: run the forward "
           "and the backward pass inside the loop, so that every step uses the gradients of the "
           "current weights.")
net = small_network()
start = log_cosh["loss"](net.forward_pass(X_small), Y_small)
net.train(X_small, Y_small, 50, learning_rate=0.1, verbose=False)
check_that(log_cosh["loss"](net.forward_pass(X_small), Y_small) < start,
           "the loss did not go down in 50 steps of train: check the sign of the update "
           "(p - learning_rate * dp).")
### BEGIN HIDDEN TESTS
net = figure8_network()
losses = [mse_ref["loss"](net.forward_pass(X), Y)]
while len(losses) <= 200:
    net.train(X, Y, 1, learning_rate=1e-4, verbose=False)
    losses.append(mse_ref["loss"](net.forward_pass(X), Y))
check_that(np.all(np.diff(losses) < 0), "on the Figure-8 network with learning_rate=1e-4, the loss "
           "should go down at every step.")
check_close(np.array(losses)[[0, 1, 50, 200]], [2837.7039283601166, 2837.196019400902, 2812.356396289069,
                                                2715.9896160279964],
            "the loss of the Figure-8 network after 0, 1, 50 and 200 steps of train", rtol=1e-6)
### END HIDDEN TESTS

# %% nbgrader={"grade": true, "grade_id": "test_train_verbose", "locked": true, "points": 1, "schema_version": 3, "solution": false, "task": false}
"""train prints the loss every 100 iterations when verbose, and nothing otherwise."""
net = small_network()
quiet = io.StringIO()
with contextlib.redirect_stdout(quiet):
    net.train(X_small, Y_small, 300, learning_rate=0.01, verbose=False)
check_that(quiet.getvalue() == "", "train(..., verbose=False) should print nothing.")
loud_ = io.StringIO()
with contextlib.redirect_stdout(loud_):
    small_network().train(X_small, Y_small, 250, learning_rate=0.01)
printed_ = [line for line in loud_.getvalue().splitlines() if line.strip()]
check_that(2 <= len(printed_) <= 3, f"train(..., 250 iterations) printed {len(printed_)} lines; with "
           "verbose=True (the default) it should print the loss every 100 iterations.")
### BEGIN HIDDEN TESTS
for n_it in (300, 1000):
    net = Hand([2, 3, 1], relu_ref, ident_ref, mse_ref, seed=2)
    loud = io.StringIO()
    with contextlib.redirect_stdout(loud):
        net.train(X_small, Y_small, n_it, learning_rate=0.01)
    lines = [line for line in loud.getvalue().splitlines() if line.strip()]
    check_that(n_it // 100 <= len(lines) <= n_it // 100 + 1, f"with verbose=True (the default), "
               f"{n_it} iterations should print about {n_it // 100} lines, one every 100 "
               f"iterations, not {len(lines)}.")
check_that(all(any(c.isdigit() for c in line) for line in lines), "each printed line should show the loss.")
quiet_ = io.StringIO()
with contextlib.redirect_stdout(quiet_):
    Hand([2, 3, 1], relu_ref, ident_ref, mse_ref, seed=2).train(X_small, Y_small, 300, learning_rate=0.01,
                                                               verbose=False)
check_close(float(len(quiet_.getvalue())), 0.0, "the number of characters train prints with verbose=False")
check_close((len(lines) - n_it // 100) // 2, 0,
            f"the number of lines train prints in {n_it} iterations, over one every 100")
### END HIDDEN TESTS

# %% nbgrader={"grade": true, "grade_id": "test_train_figure8", "locked": true, "points": 2, "schema_version": 3, "solution": false, "task": false}
"""train on the ten points of X keeps the output shape; hidden: from the Figure-8 weights, 1000 steps reach the stated cost."""
net = small_network()
net.train(X, Y, 10, learning_rate=1e-4, verbose=False)
check_array(net.forward_pass(X), "the output after training", shape=(10, 1))
### BEGIN HIDDEN TESTS
net = figure8_network()
net.train(X, Y, 1000, learning_rate=1e-4, verbose=False)
check_close(mse_ref["loss"](net.forward_pass(X), Y), 74.80417329, "the cost after 1000 iterations",
            rtol=1e-4)
### END HIDDEN TESTS

# %% [markdown]
# ## 7. Training on Figure 8 from random weights
#
# Everything together: a fresh `[2, 3, 2, 1]` network with ReLU hidden layers, an identity
# output, your MSE, and weights drawn with `seed=5`. We train it for 5000 iterations with
# `learning_rate=1e-4`, in chunks of 10 iterations so that we can record the cost as we go; the curve below redraws
# while it trains.
# The cost should end below 10. (This runs in a few seconds.)

# %%
net = NN([2, 3, 2, 1], activation_relu_dict, activation_output_dict, loss_dict, seed=5)
costs = [MSE(net.forward_pass(X), Y)]
with LiveLossPlot(title="Training cost J", logy=True) as curve:
    for chunk in range(1, 501):
        net.train(X, Y, 10, learning_rate=1e-4, verbose=False)
        costs.append(MSE(net.forward_pass(X), Y))
        curve.add(10 * chunk, costs[-1])
print(f"cost: {costs[0]:.2f} at the start, {costs[-1]:.2f} after 5000 iterations")

# %% [markdown]
# The cost on a log scale: a slow start while the tiny initial weights grow, a sudden drop once
# they are large enough to carry the signal, then a slower descent as the network fits what is
# left.
#
# **This run is on a knife edge.** With weights this tiny, whether the network ever finds the
# drop depends on the draw. Of the seeds 0 to 19, nine end below 10 and the other eleven stay at
# about 1244 for all 5000 iterations; even the numbers of `seed=5` drawn in another order (each
# matrix drawn transposed, then transposed back) get stuck there. A result from one seed is an
# anecdote: try a few before you trust a setting. Below, each prediction against its target: a perfect fit would put every point on the
# dashed diagonal.

# %%
plot_predictions(Y, net.forward_pass(X), title="Trained network: predictions against targets")
plt.show()

# %% [markdown]
# The trained network is smaller than it looks. Print which hidden units are active on at least
# one data point:

# %%
trained = net.forward_pass(X, training=True)
for layer in (1, 2):
    print(f"layer {layer}: unit active on some data point:", np.any(trained[f"z{layer}"] > 0, axis=0))


# %% [markdown]
# With `seed=5`, only one unit of each hidden layer ever switches on; the others are dead on
# every point and, as Assignment 2 showed, receive no gradient, so they can never come back. The
# network that fits the data is in effect a 2-1-1-1 chain: one weighted sum of the two inputs,
# passed through two one-unit ReLU layers. The cost below 10 says that this is enough for ten
# points, not that all of the units were used.
#
# Move an input and watch your trained network answer, layer by layer. (In JupyterLab the
# sliders are live; when the notebook runs without a browser, you see a static picture.)

# %%
def layer_values(x, weights):
    """Your forward pass on one input row; the weights shown are the network's own."""
    cache = net.forward_pass(x.reshape(1, -1), training=True)
    return [cache[f"x{layer}"].ravel() for layer in range(1, net.L)]


forward_explorer(layer_values, X[0], [net.params[f"W{layer}"] for layer in range(1, net.L)],
                 span=3.0, title="Move the input; the trained network answers")

# %% [markdown]
# ## What you built, and questions to think about
#
# You have a network class that runs forward and backward for any number of layers, checked
# against finite differences of itself, and trains by gradient descent. The next assignments
# build on exactly this interface.
#
# 1. Train the same network with `seed=0` and `learning_rate=1e-3`. The cost settles at about
#    $317.3$, which is $\frac{1}{2n}\sum_i (y_i - \bar y)^2$: the network predicts the mean of
#    $Y$ for every input. Look at `net.forward_pass(X, training=True)['z2']`: every unit of
#    layer 2 is negative on every sample. What gradient does such a "dead" ReLU unit receive,
#    and why can it never recover?
# 2. With `learning_rate=1e-3` the cost from the Figure-8 weights first falls and then jumps
#    back up. Why can a step that is too large *increase* the cost, even though it goes
#    downhill?
# 3. The features of `X` lie between 3 and 9 and the targets between 39 and 113. What would
#    rescaling both (subtract the mean, divide by the standard deviation) change about the
#    learning rate you can use?
# 4. Every weight entry of a gradient check costs two forward passes. How many forward passes
#    would `gradient_check` need for the 669,706 parameters of the MNIST network of the Glasgow
#    slides, and how many does one backward pass cost instead?

# %% [markdown]
# ## Where you stand
#
# Run the cell below whenever you like: it runs every check of this notebook again and prints one line for each, the first thing to fix at the top, and a known mistake by its name. It shows no answers and no tracebacks. Its last line says what the checks cannot decide: the points of the cells whose values no check compares with the right ones, which only the graded run decides. A line of ticks is a good sign, not a promise of full marks.

# %% nbgrader={"grade": false, "grade_id": "summary", "locked": true, "schema_version": 3, "solution": false, "task": false}
from workbook.summary import summarise

summarise("neural_network.ipynb")
