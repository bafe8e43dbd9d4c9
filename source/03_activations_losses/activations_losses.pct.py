# %% [markdown]
# # Assignment 3: activations and losses, with their derivatives
#
# A network is layers of `z = x @ W + b` joined by **activation functions**, and trained by
# following the slope of a **loss**. Backpropagation needs each of these functions *and* its
# derivative. In this assignment you write them, check every derivative against finite
# differences of your own function, and look at what they do.
#
# You will write, with exactly these names (later assignments and the grader call them):
#
# | section | functions |
# |---|---|
# | 1. ReLU | `relu(z)`, `relu_derivative(z)`, `activation_relu_dict` |
# | 2. Identity | `identity(z)`, `identity_derivative(z)`, `activation_output_dict` |
# | 3. Mean squared error | `MSE(a, Y)`, `MSE_derivative(a, Y)`, `loss_dict` |
# | 4. Sigmoid and tanh | `sigmoid(z)`, `sigmoid_derivative(z)`, `tanh_derivative(z)` |
# | 5. Softmax and cross-entropy | `softmax(z)`, `mean_cross_entropy(p, y)`, `softmax_cross_entropy_gradient(o, y)` |
#
# **Sources.** The exercises of sections 1-3 and the Figure-8 data follow Exercises 5-7 of
# Rodolfo Lourenzutti, *Feed Forward Neural Network*,
# <https://lourenzutti.github.io/posts/fnn/>. Sections 4-5 and the example scores
# $o = (-4, 8, 4)$ follow Princeton COS 324, *Lecture notes, chapter 11: Feedforward Neural
# Network and Backpropagation*, <https://princeton-introml.github.io/files/ch11.pdf>.
# The text and code here are written for this workbook.
#
# **How grading works.** Each answer cell is followed by a test cell worth 1-3 points. Its
# visible checks tell you what is wrong (type, then shape, then a property the answer must
# have); hidden checks then try your function on fresh random arrays of several shapes,
# including 0-d arrays and `float32`. Run the test cell after each answer.

# %% nbgrader={"grade": false, "grade_id": "setup", "locked": true, "schema_version": 3, "solution": false, "task": false}
import matplotlib.pyplot as plt
import numpy as np

from workbook.checks import as_number, check_array, check_close, check_number, check_that
from workbook.data import figure8_data, figure8_weights
from workbook.diagrams import draw_computation_graph
from workbook.fingerprints import Fingerprints
from workbook.gradcheck import numerical_gradient, relative_error


# %% [markdown]
# Three tools used by the tests, which you can use too:
#
# - `check_elementwise(f, name, z)` calls `f(z)` and checks that the result has the shape of
#   `z`, holds finite floats, and that `z` itself was not changed.
# - `derivative_error(f, df, z, *args)` compares `df(z, *args)` with central finite differences
#   of `f(z, *args)` in `z`. Below about `1e-7` the two agree; a wrong derivative gives
#   something near `1`.
# - `random_inputs(seed)` draws test arrays of shapes `()`, `(6,)`, `(4, 5)` and `(2, 3, 4)`,
#   each in `float64` and `float32`.
# - `fresh_z()` is a new copy of the demo input `z_demo` below: the checks never reuse an array
#   that your code could have changed.
#
# Where a value has many digits (computed from random inputs), a check compares it with the right
# one through a *fingerprint*, a scrambled summary of the rounded value that says "right" or "not
# right" but cannot be turned back into the answer; where it is the value a known mistake gives,
# the check names the mistake.

# %% nbgrader={"grade": false, "grade_id": "helpers", "locked": true, "schema_version": 3, "solution": false, "task": false}
def check_elementwise(f, name, z, mask_ok=False):
    """Check that `f(z)` holds finite floats of z's shape and leaves z alone; return it.

    With mask_ok, booleans and integers are fine too (a 0/1 mask is a right ReLU slope).
    """
    before = np.copy(z)
    out = f(z)
    kind = type(out).__name__
    check_that(isinstance(out, (np.ndarray, np.generic, float)),
               f"`{name}` should be a NumPy array, but it is a {kind}.")
    out = np.asarray(out)
    check_that(out.shape == np.shape(z),
               f"`{name}` should have shape {np.shape(z)}, like z, but it has shape {out.shape}.")
    kinds = "biuf" if mask_ok else "f"
    check_that(out.dtype.kind in kinds,
               f"`{name}` should hold floating-point numbers, but its dtype is {out.dtype}.")
    check_array(out, name)
    check_that(np.array_equal(z, before), f"`{name}` changed z in place: return a new array.")
    return out


def derivative_error(f, df, z, *args):
    """Relative error between df(z, *args) and central differences of f(z, *args) in z.

    For an elementwise f, entry i of the finite difference is the slope of f at z_i; for a
    loss (one number) it is the gradient. About 1e-7 or less when f and df agree.
    """
    z = np.array(z, dtype=float)
    numeric = numerical_gradient(lambda: f(z, *args), z)
    return relative_error(df(z, *args), numeric)


def fresh_z():
    """A new array holding the numbers of z_demo."""
    return np.array([[-2.0, -0.5, 0.0, 0.5, 3.0]])


known = Fingerprints("activations_losses")   # recognises known mistakes (see the checks)


def random_inputs(seed, away_from_zero=False):
    """float64 and float32 arrays of shapes (), (6,), (4, 5), (2, 3, 4), from one seed."""
    rng = np.random.default_rng(seed)
    arrays = []
    for shape in [(), (6,), (4, 5), (2, 3, 4)]:
        z = rng.normal(0, 3, size=shape)
        if away_from_zero:
            z = np.where(z < 0, z - 0.1, z + 0.1)
        arrays += [z, z.astype(np.float32)]
    return arrays


def plot_pair(f, df, name):
    """Draw f and its derivative df side by side on [-4, 4]."""
    z = np.linspace(-4, 4, 401)
    _, axes = plt.subplots(1, 2, figsize=(9, 3))
    axes[0].plot(z, f(z))
    axes[1].plot(z, df(z), color="C1")
    for ax, title in zip(axes, [name, f"derivative of {name}"], strict=True):
        ax.axhline(0, color="gray", lw=0.5)
        ax.axvline(0, color="gray", lw=0.5)
        ax.set(title=title, xlabel="z")
    plt.show()


# %% [markdown]
# ## 1. ReLU
#
# The rectified linear unit keeps positive numbers and replaces negative ones by zero, entry by
# entry: $\operatorname{relu}(z) = \max(0, z)$. It works on an array of any shape: a single
# number (a 0-d array), a row, a batch matrix. Lourenzutti's network uses it on every hidden layer.
#
# Write `relu`. It must return a **new** array: during backpropagation the network still needs
# the `z` it passed in, so changing `z` in place (`z[z < 0] = 0`) corrupts it.

# %% nbgrader={"grade": false, "grade_id": "demo_z", "locked": true, "schema_version": 3, "solution": false, "task": false}
z_demo = np.array([[-2.0, -0.5, 0.0, 0.5, 3.0]])


# %% nbgrader={"grade": false, "grade_id": "relu", "locked": false, "schema_version": 3, "solution": true, "task": false}
def relu(z):
    """ReLU of every entry of z.

    z: array of any shape (a 0-d array included).
    Returns a new float array of z's shape with max(0, z_i) in every entry.
    """
    ### BEGIN SOLUTION
    return np.maximum(z, 0)
    ### END SOLUTION


# %%
print(relu(z_demo))

# %% nbgrader={"grade": true, "grade_id": "test_relu", "locked": true, "points": 2, "schema_version": 3, "solution": false, "task": false}
"""relu: floats of the input's shape, never negative; correct on fresh arrays of any shape."""
check_that(np.array_equal(z_demo, fresh_z()),
           "`z_demo` changed when the cell above ran relu(z_demo): relu writes into its input. "
           "Return a new array, then run the cell that defines z_demo again.")
out = check_elementwise(relu, "relu(z_demo)", fresh_z())
known.check(out, "relu(z_demo)")
check_that(np.all(out >= 0), "`relu(z_demo)` has a negative entry, but ReLU never returns one.")
known.confirm(relu(np.random.default_rng(31).normal(size=(4, 5))), "relu of a random (4, 5) array")
### BEGIN HIDDEN TESTS
for z in random_inputs(301):
    name = f"relu(z) for z of shape {z.shape} and dtype {z.dtype}"
    check_close(check_elementwise(relu, name, z), np.maximum(z, 0.0), name)
### END HIDDEN TESTS

# %% [markdown]
# The slope of ReLU is $1$ where $z > 0$ and $0$ where $z < 0$. At $z = 0$ there is a kink: the
# slope is $0$ on the left and $1$ on the right, so ReLU has no derivative there. Code still
# has to return a number. **This course uses $\operatorname{relu}'(0) = 0$**, as Lourenzutti's
# tutorial, PyTorch and Assignment 2's `relu_jacobian` do, and the checks test it at 0. Mathematically
# $1$ would be just as valid a convention (any number between 0 and 1 is a "subgradient"), and in
# training an input of exactly `0.0` is rare; but one course needs one convention.
#
# Write `relu_derivative`. Floats (`0.0` and `1.0`) are the safest choice, because
# backpropagation does arithmetic with this array and NumPy does not treat booleans as numbers
# everywhere (`-(z > 0)` is an error). A boolean or integer mask such as `z > 0` is still the right
# derivative, and the checks accept it.

# %% nbgrader={"grade": false, "grade_id": "relu_derivative", "locked": false, "schema_version": 3, "solution": true, "task": false}
def relu_derivative(z):
    """Slope of ReLU at every entry of z, with relu'(0) = 0.

    z: array of any shape.
    Returns an array of z's shape: 1 where z_i > 0 and 0 where z_i <= 0 (floats are safest).
    """
    ### BEGIN SOLUTION
    return (z > 0).astype(float)
    ### END SOLUTION


# %%
print(relu_derivative(z_demo))

# %% nbgrader={"grade": true, "grade_id": "test_relu_derivative", "locked": true, "points": 2, "schema_version": 3, "solution": false, "task": false}
"""relu_derivative: 0 or 1 (floats, or a boolean mask) of the input's shape; right on fresh arrays."""
out = check_elementwise(relu_derivative, "relu_derivative(z_demo)", fresh_z(), mask_ok=True)
known.check(out, "relu_derivative(z_demo)")
check_that(np.all((out == 0) | (out == 1)),
           "`relu_derivative(z_demo)` should hold only 0.0 and 1.0: ReLU's slopes.")
check_that(float(out[0, 2]) == 0, "`relu_derivative` at z = 0 should be 0: this course takes relu'(0) = 0.")
### BEGIN HIDDEN TESTS
for z in random_inputs(302, away_from_zero=True):
    name = f"relu_derivative(z) for z of shape {z.shape} and dtype {z.dtype}"
    check_close(check_elementwise(relu_derivative, name, z, mask_ok=True), (z > 0).astype(float), name)
at_zero = check_elementwise(relu_derivative, "relu_derivative(0)", np.zeros((2, 3)), mask_ok=True)
check_close(at_zero, np.zeros((2, 3)), "relu_derivative at 0 (this course takes relu'(0) = 0)")
### END HIDDEN TESTS

# %% [markdown]
# ### Checking a derivative with finite differences
#
# A derivative can be checked without knowing the answer: move one entry of $z$ by a tiny
# $\varepsilon$ both ways and measure the slope, $\frac{f(z + \varepsilon) - f(z - \varepsilon)}{2\varepsilon}$.
# `derivative_error` does this for every entry and compares with your derivative. Keep away
# from the kink at $0$: there the two-sided slope is $\frac12$, which is neither convention.

# %%
z_away = np.array([[-2.0, -0.5, 0.5, 3.0]])
print(derivative_error(relu, relu_derivative, z_away))

# %% nbgrader={"grade": true, "grade_id": "test_relu_derivative_fd", "locked": true, "points": 1, "schema_version": 3, "solution": false, "task": false}
"""relu_derivative agrees with finite differences of your relu, away from the kink at 0."""
z_away = np.array([[-2.0, -0.5, 0.5, 3.0]])
check_elementwise(relu_derivative, "relu_derivative(z_away)", z_away, mask_ok=True)
error = derivative_error(relu, relu_derivative, z_away)
check_that(error < 1e-6, f"relu_derivative disagrees with the slope of relu (error {error:.1e}).")
### BEGIN HIDDEN TESTS
for z in random_inputs(303, away_from_zero=True):
    check_elementwise(relu_derivative, f"relu_derivative(z) for z of shape {z.shape}", z, mask_ok=True)
    error = derivative_error(relu, relu_derivative, z)
    check_that(error < 1e-6, f"relu_derivative disagrees with the slope of relu ({error:.1e}).")
    check_close(relu_derivative(z), (z > 0).astype(float), f"relu_derivative(z) for z of shape {z.shape}")
### END HIDDEN TESTS

# %% [markdown]
# Lourenzutti's network receives each activation as a dictionary with the keys `'activation'` and
# `'derivative'`, so that it can call `act['activation'](z)` going forward and
# `act['derivative'](z)` going backward. Fill `activation_relu_dict` with your two functions
# (the functions themselves, not their results), either entry by entry or by writing the
# whole dictionary at once.

# %% nbgrader={"grade": false, "grade_id": "relu_dict", "locked": false, "schema_version": 3, "solution": true, "task": false}
activation_relu_dict = {}
### BEGIN SOLUTION
activation_relu_dict["activation"] = relu
activation_relu_dict["derivative"] = relu_derivative
### END SOLUTION

# %% nbgrader={"grade": true, "grade_id": "test_relu_dict", "locked": true, "points": 1, "schema_version": 3, "solution": false, "task": false}
"""activation_relu_dict: keys 'activation' and 'derivative', holding relu and its slope."""
check_that(isinstance(activation_relu_dict, dict), "`activation_relu_dict` should be a dict.")
check_that(set(activation_relu_dict) == {"activation", "derivative"},
           "`activation_relu_dict` should have exactly the keys 'activation' and 'derivative'.")
check_that(np.array_equal(activation_relu_dict["activation"](fresh_z()), relu(fresh_z())),
           "`activation_relu_dict['activation']` should be your `relu`.")
check_that(np.array_equal(activation_relu_dict["derivative"](fresh_z()), relu_derivative(fresh_z())),
           "`activation_relu_dict['derivative']` should be your `relu_derivative`.")
### BEGIN HIDDEN TESTS
z = random_inputs(304, away_from_zero=True)[4]
check_close(activation_relu_dict["activation"](z), np.maximum(z, 0.0),
            "activation_relu_dict['activation'](z)")
check_close(activation_relu_dict["derivative"](z), (z > 0).astype(float),
            "activation_relu_dict['derivative'](z)")
### END HIDDEN TESTS

# %% [markdown]
# ReLU and its derivative side by side. The derivative is a step: every unit with $z < 0$
# passes no gradient back at all (a "dead" unit, as you saw in assignment 2).

# %%
plot_pair(relu, relu_derivative, "ReLU")


# %% [markdown]
# ## 2. Identity, the output activation for regression
#
# Lourenzutti's network predicts a number, which may be negative, so its output layer uses no squashing at
# all: $a(z) = z$. Write `identity`; returning `z` itself or a copy are both fine.

# %% nbgrader={"grade": false, "grade_id": "identity", "locked": false, "schema_version": 3, "solution": true, "task": false}
def identity(z):
    """The identity activation.

    z: array of any shape.
    Returns an array equal to z (z itself or a copy).
    """
    ### BEGIN SOLUTION
    return z
    ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "test_identity", "locked": true, "points": 1, "schema_version": 3, "solution": false, "task": false}
"""identity: an array of the input's shape equal to the input, for any shape and dtype."""
check_elementwise(identity, "identity(z_demo)", fresh_z())
### BEGIN HIDDEN TESTS
for z in random_inputs(305):
    name = f"identity(z) for z of shape {z.shape} and dtype {z.dtype}"
    check_close(check_elementwise(identity, name, z), z, name)
### END HIDDEN TESTS

# %% [markdown]
# The derivative of $a(z) = z$ is $1$ at every entry. Return it **as an array of z's shape**,
# not the number `1`. Every derivative in this notebook has the shape of its input: entry $i$
# is $\partial a_i / \partial z_i$, and the Jacobian of an elementwise function is the diagonal
# matrix $\operatorname{diag}(a'(z))$ (the COS 324 notes, section 11.4). A bare `1` breaks that contract:
# `np.diag(1.0)` is an error rather than a matrix, `identity_derivative(z).shape` is `()`, and
# code that works with ReLU layers fails on the output layer.

# %% nbgrader={"grade": false, "grade_id": "identity_derivative", "locked": false, "schema_version": 3, "solution": true, "task": false}
def identity_derivative(z):
    """Slope of the identity at every entry of z.

    z: array of any shape.
    Returns a float array of z's shape, every entry 1.0.
    """
    ### BEGIN SOLUTION
    return np.ones_like(z)
    ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "test_identity_derivative", "locked": true, "points": 2, "schema_version": 3, "solution": false, "task": false}
"""identity_derivative: floats of the input's shape; right values; agrees with the slope."""
check_elementwise(identity_derivative, "identity_derivative(z_demo)", fresh_z())
error = derivative_error(identity, identity_derivative, fresh_z())
check_that(error < 1e-6, f"identity_derivative disagrees with the slope of identity ({error:.1e}).")
### BEGIN HIDDEN TESTS
for z in random_inputs(306):
    name = f"identity_derivative(z) for z of shape {z.shape} and dtype {z.dtype}"
    check_close(check_elementwise(identity_derivative, name, z), np.ones(z.shape), name)
### END HIDDEN TESTS

# %% [markdown]
# Now the dictionary for the output layer, with the same two keys.

# %% nbgrader={"grade": false, "grade_id": "output_dict", "locked": false, "schema_version": 3, "solution": true, "task": false}
activation_output_dict = {}
### BEGIN SOLUTION
activation_output_dict["activation"] = identity
activation_output_dict["derivative"] = identity_derivative
### END SOLUTION

# %% nbgrader={"grade": true, "grade_id": "test_output_dict", "locked": true, "points": 1, "schema_version": 3, "solution": false, "task": false}
"""activation_output_dict: keys 'activation' and 'derivative', holding identity and its slope."""
check_that(isinstance(activation_output_dict, dict), "`activation_output_dict` should be a dict.")
check_that(set(activation_output_dict) == {"activation", "derivative"},
           "`activation_output_dict` should have exactly the keys 'activation' and 'derivative'.")
check_that(np.array_equal(activation_output_dict["activation"](fresh_z()), identity(fresh_z())),
           "`activation_output_dict['activation']` should be your `identity`.")
check_that(np.array_equal(activation_output_dict["derivative"](fresh_z()), identity_derivative(fresh_z())),
           "`activation_output_dict['derivative']` should be your `identity_derivative`.")
### BEGIN HIDDEN TESTS
z = random_inputs(307)[4]
check_close(activation_output_dict["activation"](z), z,
            "activation_output_dict['activation'](z)")
check_close(activation_output_dict["derivative"](z), np.ones(z.shape),
            "activation_output_dict['derivative'](z)")
### END HIDDEN TESTS

# %%
plot_pair(identity, identity_derivative, "identity")

# %% [markdown]
# ## 3. Mean squared error
#
# Predictions `a` and targets `Y` have the same shape `(n, k)`: one sample per row, one output
# per column. The loss of Lourenzutti's tutorial is
#
# $$J(a, Y) = \frac{1}{2n}\sum_{i=1}^{n}\sum_{j=1}^{k}\left(a_{ij} - Y_{ij}\right)^2,
# \qquad n = \text{number of rows (samples)}.$$
#
# The $\frac1n$ averages over **samples**, so the loss does not grow with the batch; the
# $\frac12$ cancels the $2$ that comes down when a square is differentiated. The gradient
# therefore has one entry per entry of `a`:
#
# $$\frac{\partial J}{\partial a_{ij}} = \frac{a_{ij} - Y_{ij}}{n}.$$
#
# **A correction to the tutorial.** Lourenzutti's tutorial writes the loss as `np.mean((a - Y)**2) / 2` and its
# derivative as `(a - Y) / n`. `np.mean` divides by the number of *entries*, $nk$, not by $n$.
# With one output column ($k = 1$, the tutorial's regression network) the two agree. With $k$
# columns the loss is $k$ times smaller than the function whose derivative is `(a - Y) / n`, so
# the pair is inconsistent and a gradient check fails. We keep the derivative and fix the loss:
# use the formula above, which is right for any $k$. A cell after your answers shows the
# difference.
#
# Keep `a` and `Y` the same shape. The Figure-8 targets come as a vector of shape `(10,)` in the
# tutorial's code; subtracted from predictions of shape `(10, 1)` they broadcast to a `(10, 10)` matrix and
# the loss is silently wrong. `figure8_data()` already returns `Y` with shape `(10, 1)`.

# %% nbgrader={"grade": false, "grade_id": "demo_mse", "locked": true, "schema_version": 3, "solution": false, "task": false}
rng = np.random.default_rng(3)
a_demo = rng.normal(size=(4, 2))
Y_demo = rng.normal(size=(4, 2))


# %% nbgrader={"grade": false, "grade_id": "mse", "locked": false, "schema_version": 3, "solution": true, "task": false}
def MSE(a, Y):
    """Mean squared error J = sum((a - Y)**2) / (2n), with n the number of rows.

    a: predictions, shape (n, k).
    Y: targets, shape (n, k).
    Returns J as a single number.
    """
    ### BEGIN SOLUTION
    n = a.shape[0]
    return np.sum((a - Y) ** 2) / (2 * n)
    ### END SOLUTION


# %%
print(MSE(a_demo, Y_demo))

# %% nbgrader={"grade": true, "grade_id": "test_mse", "locked": true, "points": 2, "schema_version": 3, "solution": false, "task": false}
"""MSE: one non-negative number, 0 for a perfect fit; right for 1 and more output columns."""
check_number(MSE(a_demo, Y_demo), "MSE(a_demo, Y_demo)")
check_that(MSE(a_demo, Y_demo) > 0, "`MSE(a_demo, Y_demo)` should be positive: a != Y.")
check_that(MSE(Y_demo, Y_demo) == 0, "`MSE(Y, Y)` should be 0: the predictions are perfect.")
known.check(MSE(a_demo, Y_demo), "MSE(a_demo, Y_demo)")
rng_mse_ = np.random.default_rng(32)
pairs_ = [(rng_mse_.normal(size=shape), rng_mse_.normal(size=shape)) for shape in [(6, 1), (3, 2), (5, 3), (2, 4)]]
known.confirm(np.array([float(np.sum(MSE(a, Y))) for a, Y in pairs_]), "MSE of four random pairs (a, Y)")
### BEGIN HIDDEN TESTS
rng_test = np.random.default_rng(308)
for n, k in [(10, 1), (5, 2), (4, 3), (1, 3), (7, 5)]:
    for dtype in (np.float64, np.float32):
        a = rng_test.normal(size=(n, k)).astype(dtype)
        Y = rng_test.normal(size=(n, k)).astype(dtype)
        ### BEGIN REFERENCE
        expected_ = ((a.astype(float) - Y) ** 2).sum() / 2 / n
        ### END REFERENCE
        check_close(MSE(a, Y), expected_, f"MSE(a, Y) for a and Y of shape {(n, k)}, {a.dtype}")
X_fig8, Y_fig8 = figure8_data()
weights = figure8_weights()
hidden = np.maximum(np.maximum(X_fig8 @ weights["W1"], 0) @ weights["W2"], 0)
check_close(MSE(hidden @ weights["W3"], Y_fig8), 2837.7039283601166, "MSE of the Figure-8 network")
### END HIDDEN TESTS

# %% nbgrader={"grade": false, "grade_id": "mse_derivative", "locked": false, "schema_version": 3, "solution": true, "task": false}
def MSE_derivative(a, Y):
    """Gradient of MSE(a, Y) with respect to a: (a - Y) / n, with n the number of rows.

    a: predictions, shape (n, k).
    Y: targets, shape (n, k).
    Returns an array of shape (n, k).
    """
    ### BEGIN SOLUTION
    n = a.shape[0]
    return (a - Y) / n
    ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "test_mse_derivative", "locked": true, "points": 2, "schema_version": 3, "solution": false, "task": false}
"""MSE_derivative: shape of a, pointing from Y towards a; right values for any number of columns."""
out = MSE_derivative(a_demo, Y_demo)
check_array(out, "MSE_derivative(a_demo, Y_demo)", shape=a_demo.shape)
check_that(np.all(np.sign(out) == np.sign(a_demo - Y_demo)),
           "`MSE_derivative` has the wrong sign: J grows when a moves away from Y.")
known.check(out, "MSE_derivative(a_demo, Y_demo)")
rng_mse_ = np.random.default_rng(33)
known.confirm(MSE_derivative(rng_mse_.normal(size=(5, 3)), rng_mse_.normal(size=(5, 3))),
              "MSE_derivative of a random pair (a, Y) of shape (5, 3)")
### BEGIN HIDDEN TESTS
rng_test = np.random.default_rng(309)
for n, k in [(10, 1), (5, 2), (4, 3), (1, 3), (7, 5)]:
    for dtype in (np.float64, np.float32):
        a = rng_test.normal(size=(n, k)).astype(dtype)
        Y = rng_test.normal(size=(n, k)).astype(dtype)
        name = f"MSE_derivative(a, Y) for a and Y of shape {(n, k)}, {a.dtype}"
        out = MSE_derivative(a, Y)
        check_array(out, name, shape=(n, k))
        check_that(out.dtype.kind == "f", f"`{name}` should hold floating-point numbers.")
        check_close(out, (a.astype(float) - Y) / n, name)
### END HIDDEN TESTS

# %% [markdown]
# Now the check that matters most: is `MSE_derivative` the gradient of *your* `MSE`? The demo
# data has two output columns, so the tutorial's pair would fail here.

# %%
print(derivative_error(MSE, MSE_derivative, a_demo, Y_demo))

# %% nbgrader={"grade": true, "grade_id": "test_mse_consistent", "locked": true, "points": 2, "schema_version": 3, "solution": false, "task": false}
"""MSE_derivative is the finite-difference gradient of your MSE, for 1 to 5 output columns."""
error = derivative_error(MSE, MSE_derivative, a_demo, Y_demo)
check_that(error < 1e-6, f"MSE_derivative is not the gradient of your MSE (error {error:.1e}).")
### BEGIN HIDDEN TESTS
rng_test = np.random.default_rng(310)
for n, k in [(6, 1), (3, 2), (5, 3), (1, 4), (4, 5)]:
    a_test, Y_test = rng_test.normal(size=(n, k)), rng_test.normal(size=(n, k))
    error = derivative_error(MSE, MSE_derivative, a_test, Y_test)
    check_that(error < 1e-6, f"MSE_derivative is not the gradient of MSE for shape {(n, k)}.")
    nudged = a_test.copy()
    check_close(numerical_gradient(lambda a=nudged, Y=Y_test: MSE(a, Y), nudged), (a_test - Y_test) / n,
                f"the slope of MSE, by finite differences, for shape {(n, k)}", rtol=1e-5, atol=1e-7)
    check_close(MSE_derivative(a_test, Y_test), (a_test - Y_test) / n, f"MSE_derivative for shape {(n, k)}")
### END HIDDEN TESTS

# %% [markdown]
# Here is the tutorial's version of the loss next to yours, each compared with the derivative
# `(a - Y) / n` on data with $k = 1$ and $k = 3$ columns. With one column both agree; with
# three, the tutorial's loss is off by the factor $k$ and the error is about $\frac{k-1}{k+1} = 0.5$.

# %%
def tutorial_mse(a, Y):
    """The tutorial's loss: the mean over all n*k entries, halved. Right only when k = 1."""
    return np.mean((a - Y) ** 2) / 2


for k in (1, 3):
    a, Y = rng.normal(size=(5, k)), rng.normal(size=(5, k))
    tutorial_error = derivative_error(tutorial_mse, MSE_derivative, a, Y)
    your_error = derivative_error(MSE, MSE_derivative, a, Y)
    print(f"k = {k}: tutorial's loss {tutorial_error:.1e}, your MSE {your_error:.1e}")

# %% [markdown]
# And the dictionary for the loss, with the keys `'loss'` and `'derivative'`.

# %% nbgrader={"grade": false, "grade_id": "loss_dict", "locked": false, "schema_version": 3, "solution": true, "task": false}
loss_dict = {}
### BEGIN SOLUTION
loss_dict["loss"] = MSE
loss_dict["derivative"] = MSE_derivative
### END SOLUTION

# %% nbgrader={"grade": true, "grade_id": "test_loss_dict", "locked": true, "points": 1, "schema_version": 3, "solution": false, "task": false}
"""loss_dict: keys 'loss' and 'derivative', holding MSE and MSE_derivative."""
check_that(isinstance(loss_dict, dict), "`loss_dict` should be a dict.")
check_that(set(loss_dict) == {"loss", "derivative"},
           "`loss_dict` should have exactly the keys 'loss' and 'derivative'.")
check_that(loss_dict["loss"](a_demo, Y_demo) == MSE(a_demo, Y_demo), "`loss_dict['loss']` should be your `MSE`.")
check_that(np.array_equal(loss_dict["derivative"](a_demo, Y_demo), MSE_derivative(a_demo, Y_demo)),
           "`loss_dict['derivative']` should be your `MSE_derivative`.")
### BEGIN HIDDEN TESTS
### BEGIN REFERENCE
n_demo_ = a_demo.shape[0]
### END REFERENCE
check_close(loss_dict["loss"](a_demo, Y_demo), np.sum((a_demo - Y_demo) ** 2) / (2 * n_demo_),
            "loss_dict['loss'](a, Y)")
check_close(loss_dict["derivative"](a_demo, Y_demo), (a_demo - Y_demo) / n_demo_,
            "loss_dict['derivative'](a, Y)")
### END HIDDEN TESTS

# %% [markdown]
# Where these derivatives go: for one sample at the output of a regression network, the cost
# is a chain $z \to a = \mathrm{identity}(z) \to J = \mathrm{MSE}(a, y)$. Backpropagation starts
# with $\partial J/\partial J = 1$, multiplies by `MSE_derivative` to reach $a$, and by
# `identity_derivative` to reach $z$. The picture below is computed with **your** functions
# (forward values in blue, gradients in red); with a ReLU output the second factor would be
# `relu_derivative(z)` instead.

# %%
z_out, y_out = np.array([[0.7]]), np.array([[0.2]])
a_out = activation_output_dict["activation"](z_out)
dJ_da = loss_dict["derivative"](a_out, y_out)
dJ_dz = dJ_da * activation_output_dict["derivative"](z_out)
nodes = {
    "z": {"label": "z", "value": float(np.sum(z_out)), "grad": float(np.sum(dJ_dz))},
    "a": {"label": "a", "value": float(np.sum(a_out)), "grad": float(np.sum(dJ_da))},
    "J": {"label": "J", "value": float(loss_dict["loss"](a_out, y_out)), "grad": 1.0},
}
draw_computation_graph(nodes, [("z", "a"), ("a", "J")], title="z -> a = identity(z) -> J = MSE(a, y), with y = 0.2: your values")
plt.show()

# %% [markdown]
# ### The loss as a function of one weight
#
# Take the Figure-8 network of assignment 1 (Lourenzutti's hand-set weights, zero biases) and vary a
# single weight, $w = w^{(3)}_{21}$, the one `W3[1, 0]`, keeping all others fixed. The last
# hidden layer `X2` does not depend on $w$, so we compute it once.

# %%
X, Y = figure8_data()
W = figure8_weights()
X2 = relu(relu(X @ W["W1"]) @ W["W2"])  # last hidden layer, shape (10, 2)


# %%
def loss_of_w(w):
    """J of the Figure-8 network with W3[1, 0] replaced by w."""
    W3 = W["W3"].copy()
    W3[1, 0] = w
    return MSE(identity(X2 @ W3), Y)


# %% [markdown]
# The output is $a_i = \dots + X2_{i2}\, w$, so by the chain rule
# $\frac{dJ}{dw} = \sum_i \frac{\partial J}{\partial a_i} X2_{i2}$: your `MSE_derivative` gives
# the slope. Assignment 2 computed this derivative, $dJ/dw^{(3)}_{21}$, for the first data point
# alone; here it is averaged over all ten points, so the number differs (Assignment 4 finds it
# again as `dW3[1, 0]` on the whole data set). $J$ at the given $w = 0.07$ is the cost of
# Assignment 1.

# %%
a = identity(X2 @ W["W3"])
slope = np.sum(MSE_derivative(a, Y) * X2[:, [1]])
print(f"J(0.07) = {loss_of_w(0.07):.4f}, dJ/dw at 0.07 = {slope:.5f}")

# %%
ws = np.linspace(-2000, 10000, 241)
near = np.linspace(-1500, 1500, 3)
plt.plot(ws, [loss_of_w(w) for w in ws], label="J(w)")
plt.plot(near, loss_of_w(0.07) + slope * (near - 0.07), "--", label="slope from MSE_derivative")
plt.plot([0.07], [loss_of_w(0.07)], "o", label="the given w = 0.07")
plt.xlabel("w = W3[1, 0]")
plt.ylabel("J")
plt.title("Figure-8 loss as a function of one weight")
plt.legend()
plt.show()


# %% [markdown]
# The curve is a parabola: the output is linear in an output-layer weight and $J$ is a square
# of the output. Its bottom lies near $w \approx 4000$, far from $0.07$, because the entries of
# `X2` are about $0.02$: the slope is small, and gradient descent with learning rate $0.01$
# moves $w$ by about $0.014$ per step. Small activations make slow learning.

# %% [markdown]
# ## 4. Sigmoid and tanh
#
# Two older activations, both smooth S-shapes (the COS 324 notes, section 11.4.3):
#
# $$\sigma(z) = \frac{1}{1 + e^{-z}}, \qquad \sigma'(z) = \sigma(z)\bigl(1 - \sigma(z)\bigr),
# \qquad \tanh'(z) = 1 - \tanh^2(z).$$
#
# Both derivatives can be written with the function's own output, $\sigma(z)$ or $\tanh(z)$:
# a network that kept its activations from the forward pass could reuse them. The functions you
# write here take `z` and compute the sigmoid or tanh again, which is simpler and just as right.
# Write `sigmoid`, `sigmoid_derivative` (use your
# `sigmoid`) and `tanh_derivative` (use `np.tanh`). Each works on any shape, like ReLU.

# %% nbgrader={"grade": false, "grade_id": "sigmoid", "locked": false, "schema_version": 3, "solution": true, "task": false}
def sigmoid(z):
    """Logistic sigmoid 1 / (1 + exp(-z)) of every entry of z.

    z: array of any shape.
    Returns a float array of z's shape with entries in (0, 1).
    """
    ### BEGIN SOLUTION
    return 1 / (1 + np.exp(-z))
    ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "test_sigmoid", "locked": true, "points": 1, "schema_version": 3, "solution": false, "task": false}
"""sigmoid: floats of the input's shape between 0 and 1; right on fresh arrays."""
out = check_elementwise(sigmoid, "sigmoid(z_demo)", fresh_z())
known.check(out, "sigmoid(z_demo)")
check_that(np.all((out > 0) & (out < 1)), "`sigmoid(z_demo)` should lie strictly between 0 and 1.")
known.confirm(sigmoid(np.random.default_rng(34).normal(0, 2, size=(3, 4))), "sigmoid of a random (3, 4) array")
### BEGIN HIDDEN TESTS
for z in random_inputs(311):
    name = f"sigmoid(z) for z of shape {z.shape} and dtype {z.dtype}"
    check_close(check_elementwise(sigmoid, name, z), 1 / (1 + np.exp(-z.astype(float))), name)
### END HIDDEN TESTS

# %% nbgrader={"grade": false, "grade_id": "sigmoid_derivative", "locked": false, "schema_version": 3, "solution": true, "task": false}
def sigmoid_derivative(z):
    """Slope of the sigmoid at every entry of z, written with the sigmoid's own output.

    z: array of any shape.
    Returns a float array of z's shape with entries in (0, 1/4].
    """
    ### BEGIN SOLUTION
    s = sigmoid(z)
    return s * (1 - s)
    ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "test_sigmoid_derivative", "locked": true, "points": 2, "schema_version": 3, "solution": false, "task": false}
"""sigmoid_derivative: in (0, 1/4], agrees with finite differences of your sigmoid; right values."""
out = check_elementwise(sigmoid_derivative, "sigmoid_derivative(z_demo)", fresh_z())
known.check(out, "sigmoid_derivative(z_demo)")
check_that(np.all((out > 0) & (out <= 0.25)), "`sigmoid_derivative` should lie in (0, 1/4].")
error = derivative_error(sigmoid, sigmoid_derivative, fresh_z())
check_that(error < 1e-6, f"sigmoid_derivative disagrees with the slope of sigmoid ({error:.1e}).")
### BEGIN HIDDEN TESTS
for z in random_inputs(312):
    name = f"sigmoid_derivative(z) for z of shape {z.shape} and dtype {z.dtype}"
    ### BEGIN REFERENCE
    s_ = 1 / (1 + np.exp(-z.astype(float)))
    ### END REFERENCE
    atol = 1e-6 if z.dtype == np.float32 else 1e-8  # float32 loses digits in 1 - s
    check_close(check_elementwise(sigmoid_derivative, name, z), s_ * (1 - s_), name, atol=atol)
    error = derivative_error(sigmoid, sigmoid_derivative, z)
    check_that(error < 1e-6, f"sigmoid_derivative disagrees with sigmoid's slope ({error:.1e}).")
### END HIDDEN TESTS

# %% nbgrader={"grade": false, "grade_id": "tanh_derivative", "locked": false, "schema_version": 3, "solution": true, "task": false}
def tanh_derivative(z):
    """Slope of tanh at every entry of z: 1 - tanh(z)**2.

    z: array of any shape.
    Returns a float array of z's shape with entries in (0, 1].
    """
    ### BEGIN SOLUTION
    return 1 - np.tanh(z) ** 2
    ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "test_tanh_derivative", "locked": true, "points": 2, "schema_version": 3, "solution": false, "task": false}
"""tanh_derivative: in [0, 1], agrees with finite differences of np.tanh; right values."""
out = check_elementwise(tanh_derivative, "tanh_derivative(z_demo)", fresh_z())
known.check(out, "tanh_derivative(z_demo)")
check_that(np.all((out >= 0) & (out <= 1)), "`tanh_derivative` should lie between 0 and 1.")
error = derivative_error(np.tanh, tanh_derivative, fresh_z())
check_that(error < 1e-6, f"tanh_derivative disagrees with the slope of np.tanh ({error:.1e}).")
### BEGIN HIDDEN TESTS
for z in random_inputs(313):
    name = f"tanh_derivative(z) for z of shape {z.shape} and dtype {z.dtype}"
    atol = 1e-6 if z.dtype == np.float32 else 1e-8  # float32 loses digits in 1 - t**2
    check_close(check_elementwise(tanh_derivative, name, z),
                1 / np.cosh(z.astype(float)) ** 2, name, atol=atol)
    error = derivative_error(np.tanh, tanh_derivative, z)
    check_that(error < 1e-6, f"tanh_derivative disagrees with np.tanh's slope for shape {z.shape}.")
### END HIDDEN TESTS

# %% [markdown]
# Both derivatives are largest at $z = 0$ and fade to $0$ for large $|z|$: a saturated unit
# passes almost no gradient back. The sigmoid's slope is at most $\frac14$, so on the way back
# each sigmoid layer multiplies the gradient by a factor of at most $\frac14$ of its own; the
# layer's weights multiply in as well and can make up for it or make it worse. With weights of
# moderate size, a deep stack of sigmoids tends to shrink the gradient that reaches its first
# layers, one reason ReLU (slope 1 where it is active) replaced it in deep networks.

# %%
plot_pair(sigmoid, sigmoid_derivative, "sigmoid")
plot_pair(np.tanh, tanh_derivative, "tanh")

# %% [markdown]
# ## 5. Softmax and cross-entropy
#
# For classification into $k$ classes, the output layer produces $k$ scores $o$ and the softmax
# turns them into probabilities:
#
# $$\operatorname{softmax}(o)_j = \frac{e^{o_j}}{\sum_{l=1}^{k} e^{o_l}}.$$
#
# `softmax(z)` works over the **last axis**: a vector of shape `(k,)` is one sample; a batch of
# shape `(n, k)` holds one sample per row, and every row becomes a probability vector.
# Summing over the wrong axis (the samples instead of the classes) is a classic bug.
#
# **Overflow.** $e^{1000}$ is `inf` in float64 (the largest is about $e^{709}$), and
# `inf / inf` is `nan`. Very negative scores fail the other way: every $e^{o_l}$ rounds to
# $0$ and you get `0 / 0`. The cure: subtracting the same number $c$ from every score of a row
# changes nothing, since $e^{o_j - c} / \sum_l e^{o_l - c} = e^{o_j}/\sum_l e^{o_l}$. Choose
# $c$ = the row's maximum: the largest exponent is then $e^0 = 1$, nothing overflows, and the
# denominator is at least $1$.

# %% nbgrader={"grade": false, "grade_id": "demo_softmax", "locked": true, "schema_version": 3, "solution": false, "task": false}
o_example = np.array([-4.0, 8.0, 4.0])  # the COS 324 example's three output scores, x = (1, 1, 1)
scores_demo = np.random.default_rng(4).normal(0, 2, size=(5, 3))  # 5 samples, 3 classes
labels_demo = np.array([0, 2, 1, 1, 0])


# %% nbgrader={"grade": false, "grade_id": "softmax", "locked": false, "schema_version": 3, "solution": true, "task": false}
def softmax(z):
    """Softmax over the last axis, computed without overflow.

    z: scores, shape (k,) for one sample or (n, k) for a batch (one sample per row).
    Returns an array of z's shape; each row is positive and sums to 1.
    """
    ### BEGIN SOLUTION
    shifted = z - np.max(z, axis=-1, keepdims=True)
    exps = np.exp(shifted)
    return exps / np.sum(exps, axis=-1, keepdims=True)
    ### END SOLUTION


# %%
print(softmax(o_example).round(4))

# %% nbgrader={"grade": true, "grade_id": "test_softmax", "locked": true, "points": 2, "schema_version": 3, "solution": false, "task": false}
"""softmax: shape of the input, every row a probability vector; right values on fresh batches."""
check_array(softmax(o_example), "softmax(o_example)", shape=(3,))
out = softmax(scores_demo)
check_array(out, "softmax(scores_demo)", shape=(5, 3))
known.confirm(out, "softmax(scores_demo)")
check_that(np.all(out >= 0), "`softmax(scores_demo)` has a negative entry.")
check_that(np.allclose(out.sum(axis=1), 1),
           "each row of `softmax(scores_demo)` should sum to 1: is the sum over the right axis?")
### BEGIN HIDDEN TESTS
check_close(softmax(o_example), [6.0336648e-06, 0.98200787, 0.01798610], "softmax(o_example)")
rng_test = np.random.default_rng(314)
for shape in [(4,), (1, 4), (4, 3), (3, 7), (6, 2)]:
    for dtype in (np.float64, np.float32):
        z = rng_test.normal(0, 3, size=shape).astype(dtype)
        ### BEGIN REFERENCE
        exps_ = np.exp(z.astype(float))
        ### END REFERENCE
        name = f"softmax(z) for z of shape {shape} and dtype {z.dtype}"
        out = softmax(z)
        check_array(out, name, shape=shape)
        check_that(out.dtype.kind == "f", f"`{name}` should hold floating-point numbers.")
        check_close(out, exps_ / exps_.sum(axis=-1, keepdims=True), name)
### END HIDDEN TESTS

# %% nbgrader={"grade": true, "grade_id": "test_softmax_stable", "locked": true, "points": 2, "schema_version": 3, "solution": false, "task": false}
"""softmax does not overflow: scores like 1000 or -1000 give finite, correct probabilities."""
big = softmax(np.array([1000.0, 1001.0, 1002.0]))
check_array(big, "softmax([1000, 1001, 1002])", shape=(3,))
check_close(big.sum(), 1.0, "the sum of softmax([1000, 1001, 1002])")
### BEGIN HIDDEN TESTS
### BEGIN REFERENCE
base_ = np.exp([0.0, 1.0, 2.0]) / np.exp([0.0, 1.0, 2.0]).sum()
expected_ = np.array([base_, base_, [1.0, 0.0, 0.0]])
### END REFERENCE
z = np.array([[1000.0, 1001.0, 1002.0], [-1002.0, -1001.0, -1000.0], [800.0, 0.0, -800.0]])
for dtype in (np.float64, np.float32):
    name = f"softmax of huge scores, dtype {np.dtype(dtype)}"
    check_close(softmax(z.astype(dtype)), expected_, name)
check_close(softmax(np.array([-1002.0, -1001.0, -1000.0])), base_, "softmax([-1002, -1001, -1000])")
### END HIDDEN TESTS

# %% [markdown]
# **Cross-entropy.** If the model gives probabilities $p$ and the true class is $y$, the loss
# is $-\log p_y$: zero for a sure right answer, large for a confident wrong one. Labels are
# **zero-based**, as in Python and PyTorch: classes are $0, 1, \dots, k-1$. For a batch we
# return the **mean** over the $n$ samples, like the $\frac1n$ of `MSE`:
#
# $$\operatorname{CE}(p, y) = \frac1n \sum_{i=1}^{n} -\log p_{i, y_i}.$$
#
# We call this function `mean_cross_entropy`: it takes **probabilities** and averages over a
# batch. (Assignment 1's `cross_entropy(p, label)` scored one probability vector; Assignment 5's
# `cross_entropy_from_logits(Z, y)` starts from the scores before the softmax.) One sample
# (`p` of shape `(k,)`, `y` one int) is the case $n = 1$. Fancy indexing picks one entry per row:
# `p[np.arange(n), y]`. Note that `p[:, y]` is something else: an `(n, n)` table of every row's
# probability of every label.
#
# The COS 324 notes compute this loss for $o = (-4, 8, 4)$ and write "$y = 2$ gives about
# $4.02$". That value is the loss of the **third** class, label `2` counted from zero; with the
# notes' labels counted from 1, their class 2 is the one with probability $0.98$ and loss
# $0.018$ (Assignment 1 discusses this slip). Here label `2` means the third class.

# %% nbgrader={"grade": false, "grade_id": "demo_ce", "locked": true, "schema_version": 3, "solution": false, "task": false}
p_demo = np.random.default_rng(5).dirichlet(np.ones(3), size=5)  # 5 rows of probabilities


# %% nbgrader={"grade": false, "grade_id": "cross_entropy", "locked": false, "schema_version": 3, "solution": true, "task": false}
def mean_cross_entropy(p, y):
    """Mean cross-entropy of probabilities p for zero-based integer labels y.

    p: probabilities, shape (n, k) (one sample per row) or (k,) for one sample.
    y: labels in 0..k-1, an int array of shape (n,), or one int for one sample.
    Returns the mean over the samples of -log p[i, y_i], as a single number.
    """
    ### BEGIN SOLUTION
    p = np.atleast_2d(p)
    y = np.atleast_1d(y)
    picked = p[np.arange(len(y)), y]
    return -np.mean(np.log(picked))
    ### END SOLUTION


# %%
print(mean_cross_entropy(softmax(o_example), 2))

# %% nbgrader={"grade": true, "grade_id": "test_cross_entropy", "locked": true, "points": 2, "schema_version": 3, "solution": false, "task": false}
"""mean_cross_entropy: one positive number; zero-based labels; the mean over a batch."""
check_number(mean_cross_entropy(p_demo, labels_demo), "mean_cross_entropy(p_demo, labels_demo)")
check_that(mean_cross_entropy(p_demo, labels_demo) > 0,
           "`mean_cross_entropy(p_demo, labels_demo)` should be positive: -log of a probability < 1.")
check_number(mean_cross_entropy(p_demo[0], 1), "mean_cross_entropy(p_demo[0], 1)")
singles_ = [as_number(mean_cross_entropy(p_demo[i], int(labels_demo[i])), "mean_cross_entropy of one sample")
            for i in range(len(labels_demo))]
check_that(np.isclose(as_number(mean_cross_entropy(p_demo, labels_demo), "mean_cross_entropy"), np.mean(singles_)),
           "`mean_cross_entropy(p_demo, labels_demo)` is not the mean of the five one-sample losses "
           "`mean_cross_entropy(p_demo[i], labels_demo[i])`: pick one entry per row, p[i, y_i].")
known.check(mean_cross_entropy(p_demo, labels_demo), "mean_cross_entropy(p_demo, labels_demo)")
known.confirm(np.array(singles_), "mean_cross_entropy of each of the five samples of p_demo")
### BEGIN HIDDEN TESTS
p_example = np.exp(o_example - 8.0) / np.exp(o_example - 8.0).sum()
check_close(mean_cross_entropy(p_example, 2), 4.0181559616008675, "mean_cross_entropy(softmax(o_example), 2)")
check_close(mean_cross_entropy(p_example, 0), 12.018155961600867, "mean_cross_entropy(softmax(o_example), 0)")
rng_test = np.random.default_rng(315)
for n, k in [(1, 3), (6, 3), (4, 5), (8, 2)]:
    for dtype in (np.float64, np.float32):
        p = rng_test.dirichlet(np.ones(k), size=n).astype(dtype)
        y = rng_test.integers(0, k, size=n)
        ### BEGIN REFERENCE
        expected_ = -np.log(p.astype(float)[np.arange(n), y]).mean()
        ### END REFERENCE
        name = f"mean_cross_entropy(p, y) for {n} samples, {p.dtype}"
        check_close(mean_cross_entropy(p, y), expected_, name)
        check_close(mean_cross_entropy(p[0], int(y[0])), -np.log(p.astype(float)[0, y[0]]),
                    "mean_cross_entropy(p, y) for one sample p of shape (k,)")
### END HIDDEN TESTS

# %% [markdown]
# **The gradient of softmax followed by cross-entropy.** For one sample,
# $\ell(o) = -\log \operatorname{softmax}(o)_y = -o_y + \log \sum_l e^{o_l}$. Differentiating,
# $\frac{\partial \ell}{\partial o_j} = \operatorname{softmax}(o)_j - [j = y]$, that is
#
# $$\frac{\partial \ell}{\partial o} = \operatorname{softmax}(o) - e_y,$$
#
# with $e_y$ the one-hot vector of the label (the COS 324 notes, equation 11.14, written there as
# $(\hat o - e_y)^\top$, where $\hat o$ is the softmax output). The combined
# formula is simpler and safer than chaining the softmax Jacobian with $-1/p_y$, which divides
# by probabilities that can be tiny.
#
# For a batch our loss is the mean, so each row also gets the factor $\frac1n$, exactly as in
# `MSE_derivative`: row $i$ of the gradient is $(\operatorname{softmax}(o_i) - e_{y_i})/n$.
# For one sample `o` of shape `(k,)`, $n = 1$. `np.eye(k)[y]` gives one-hot rows.

# %% nbgrader={"grade": false, "grade_id": "softmax_cross_entropy_gradient", "locked": false, "schema_version": 3, "solution": true, "task": false}
def softmax_cross_entropy_gradient(o, y):
    """Gradient of mean_cross_entropy(softmax(o), y) with respect to the scores o.

    o: scores before the softmax, shape (k,) for one sample or (n, k) for a batch.
    y: zero-based labels, one int, or an int array of shape (n,).
    Returns an array of o's shape: row i is (softmax(o_i) - onehot(y_i)) / n (n = 1 for one sample).
    """
    ### BEGIN SOLUTION
    onehot = np.eye(o.shape[-1])[y]
    n = 1 if o.ndim == 1 else o.shape[0]
    return (softmax(o) - onehot) / n
    ### END SOLUTION


# %%
print(softmax_cross_entropy_gradient(o_example, 2).round(4))

# %% nbgrader={"grade": true, "grade_id": "test_softmax_ce_gradient", "locked": true, "points": 2, "schema_version": 3, "solution": false, "task": false}
"""softmax_cross_entropy_gradient: shape of o, rows sum to 0; right for 1 and n samples."""
check_array(softmax_cross_entropy_gradient(o_example, 2), "gradient for o_example", shape=(3,))
out = softmax_cross_entropy_gradient(scores_demo, labels_demo)
check_array(out, "softmax_cross_entropy_gradient(scores_demo, labels_demo)", shape=(5, 3))
known.confirm(out, "softmax_cross_entropy_gradient(scores_demo, labels_demo)")
row_tol_ = 1e-8 if out.dtype.kind != "f" else max(1e-8, 32 * float(np.finfo(out.dtype).eps))
check_that(np.allclose(out.sum(axis=1), 0, atol=row_tol_),
           "each row of `softmax_cross_entropy_gradient(scores_demo, labels_demo)` should sum to 0 "
           "(softmax and one-hot rows both sum to 1).")
### BEGIN HIDDEN TESTS
### BEGIN REFERENCE
p_example_ = np.exp(o_example - 8.0) / np.exp(o_example - 8.0).sum()
### END REFERENCE
check_close(softmax_cross_entropy_gradient(o_example, 2), p_example_ - [0, 0, 1], "gradient for o_example")
rng_test = np.random.default_rng(316)
for n, k in [(1, 3), (6, 3), (4, 5)]:
    for dtype in (np.float64, np.float32):
        o = rng_test.normal(0, 3, size=(n, k)).astype(dtype)
        y = rng_test.integers(0, k, size=n)
        ### BEGIN REFERENCE
        exps_ = np.exp(o.astype(float))
        expected_ = (exps_ / exps_.sum(axis=1, keepdims=True) - np.eye(k)[y]) / n
        ### END REFERENCE
        name = f"softmax_cross_entropy_gradient(o, y) for o of shape {(n, k)}, {o.dtype}"
        check_close(softmax_cross_entropy_gradient(o, y), expected_, name)
### END HIDDEN TESTS

# %% [markdown]
# Finally, check the gradient against finite differences of your own loss,
# `mean_cross_entropy(softmax(o), y)`, as a function of the scores.

# %%
def cross_entropy_of_scores(o, y):
    """The loss as a function of the scores: mean_cross_entropy(softmax(o), y)."""
    return mean_cross_entropy(softmax(o), y)


print(derivative_error(cross_entropy_of_scores, softmax_cross_entropy_gradient, scores_demo,
                       labels_demo))

# %% nbgrader={"grade": true, "grade_id": "test_softmax_ce_gradient_fd", "locked": true, "points": 1, "schema_version": 3, "solution": false, "task": false}
"""softmax_cross_entropy_gradient is the finite-difference gradient of the loss of the scores."""
batch_loss_ = mean_cross_entropy(softmax(scores_demo), labels_demo)
one_by_one_ = np.mean([mean_cross_entropy(softmax(scores_demo[i]), int(labels_demo[i])) for i in range(5)])
if np.isclose(as_number(batch_loss_, "mean_cross_entropy"), as_number(one_by_one_, "mean_cross_entropy")):
    error = derivative_error(cross_entropy_of_scores, softmax_cross_entropy_gradient, scores_demo,
                             labels_demo)
    check_that(error < 1e-6, f"the gradient disagrees with finite differences (error {error:.1e}).")
else:
    print("Your mean_cross_entropy of a batch is not the mean of its one-sample losses, so its slope "
          "cannot judge the gradient: fix mean_cross_entropy first (see its test).")
### BEGIN HIDDEN TESTS
def loss_of_scores_(o, y):
    """The mean cross-entropy of softmax(o), straight from the scores (log-sum-exp)."""
    o2 = np.atleast_2d(o)
    top = o2.max(axis=1, keepdims=True)
    log_p = o2 - top - np.log(np.exp(o2 - top).sum(axis=1, keepdims=True))
    return -np.mean(log_p[np.arange(len(o2)), np.atleast_1d(y)])
### BEGIN REFERENCE
def gradient_of_scores_(o, y):
    """The gradient of loss_of_scores_ in o: (softmax(o) - one-hot(y)) / n."""
    o2 = np.atleast_2d(np.asarray(o, dtype=float))
    p = np.exp(o2 - o2.max(axis=1, keepdims=True))
    p /= p.sum(axis=1, keepdims=True)
    p[np.arange(len(o2)), np.atleast_1d(y)] -= 1
    return (p / len(o2)).reshape(np.shape(o))
### END REFERENCE
rng_test = np.random.default_rng(317)
for shape in [(4,), (1, 3), (6, 4), (5, 3)]:
    o = rng_test.normal(0, 3, size=shape)
    y = rng_test.integers(0, shape[-1], size=shape[:-1])
    y = int(y) if o.ndim == 1 else y
    error = derivative_error(loss_of_scores_, softmax_cross_entropy_gradient, o, y)
    check_that(error < 1e-6, f"the gradient disagrees with finite differences for shape {shape}.")
    check_close(softmax_cross_entropy_gradient(o, y), gradient_of_scores_(o, y),
                f"softmax_cross_entropy_gradient for scores of shape {shape}")
### END HIDDEN TESTS

# %% [markdown]
# ## What you built, and questions to think about
#
# You now have every activation and loss the network classes of the next assignments use, each
# with a derivative that agrees with finite differences of your own function.
#
# 1. At $z = 0$ the two-sided finite difference of ReLU is $\frac12$. Why is neither $0$ nor
#    $1$ "wrong", and why does the choice hardly matter in training?
# 2. The gradient reaching the first layer of a 10-layer sigmoid network is a product of 10
#    sigmoid slopes, each at most $\frac14$, and of the weights in between. How large must the
#    weights be for the gradient not to shrink, and what does that do to the forward pass?
# 3. What does `mean_cross_entropy` return when the true class has probability exactly `0.0`, and
#    why does computing the loss straight from the scores ($-o_y + \log\sum_l e^{o_l}$, with
#    the max shift) avoid the problem?
# 4. With the tutorial's `np.mean`-based loss and `(a - Y) / n`, by what factor is each gradient
#    step too large for a network with 3 outputs?

# %% [markdown]
# ## Where you stand
#
# Run the cell below whenever you like: it runs every check of this notebook again and prints one line for each, the first thing to fix at the top, and a known mistake by its name. It shows no answers and no tracebacks. Its last line says what the checks cannot decide: the points of the cells whose values no check compares with the right ones, which only the graded run decides. A line of ticks is a good sign, not a promise of full marks.

# %% nbgrader={"grade": false, "grade_id": "summary", "locked": true, "schema_version": 3, "solution": false, "task": false}
from workbook.summary import summarise

summarise("activations_losses.ipynb")
