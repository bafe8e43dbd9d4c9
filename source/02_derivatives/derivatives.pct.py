# %% [markdown]
# # Assignment 2 — Derivatives, one weight at a time
#
# Training a network means asking, for every weight, *if I nudge this weight a little, how much
# does the cost change?* That number is a partial derivative, and the **chain rule** computes it by
# multiplying small, local derivatives along the path from the weight to the cost. In this
# assignment you apply the chain rule by hand, one derivative at a time, before Assignment 4
# turns it into the vectorised backpropagation algorithm (Assignment 3 first collects the
# activations and losses it needs):
#
# 1. a computation graph with three inputs, forward and then backward;
# 2. logistic regression: the gradient for one example, then the average over a mini-batch;
# 3. the *delta method*: nudge one weight of a small ReLU network and watch the output move, then
#    explain that change with the chain rule and with Jacobian matrices;
# 4. the eleven weight derivatives of the Figure 8 network for its first data point (and those of
#    its first layer for any weights), several of which are exactly zero for a reason you will find, and then all of them at once, stacked into
#    matrices by the first steps of backpropagation;
# 5. a finite-difference check, so you can test every derivative you write without an answer key.
#
# **How the checks work.** After each answer cell comes a test cell. Its *visible* checks tell you
# if a value has the wrong type or shape, and compare what they can with your own other answers:
# a derivative with the slope of your own cost, a function with the *fingerprint* of its right
# values on random inputs (a scrambled summary that says "right" or "not right" but cannot be
# turned back into the answer). Where your value is the one a known mistake gives, the check
# names that mistake. When your notebook is graded, *hidden* checks also compare your values with
# the correct ones, on new inputs too. Part 5 shows how the slopes are measured. Replace every `raise NotImplementedError()` with your code, then use
# *Kernel → Restart and Run All* before you submit.
#
# **Sources.** The examples and numbers come from three tutorials, retold in our own words:
# - Khiem Nguyen, "Neural network: a gentle introduction", University of Glasgow lecture slides
#   (github.com/khiemnguyen0407/uog-ml): the computation graph $L = 3(a + bc)$ and the
#   logistic-regression gradients of Parts 1 and 2.
# - Princeton COS 324, *Introduction to Machine Learning*, chapter 11, "Feedforward Neural Network
#   and Backpropagation" (princeton-introml.github.io, `files/ch11.pdf`): the delta method,
#   Problems 11.3.3, 11.3.4 and 11.4.2, and the Jacobian of the ReLU in Part 3.
# - Rodolfo Lourenzutti, "Feed Forward Neural Network" (lourenzutti.github.io/posts/fnn):
#   the Figure 8 data and network and Exercises 2–4 in Part 4.

# %% nbgrader={"grade": false, "grade_id": "setup", "locked": true, "schema_version": 3, "solution": false, "task": false}
import matplotlib.pyplot as plt
import numpy as np

from workbook.checks import check_array, check_close, check_number, check_that
from workbook.data import cos324_network, figure8_data, figure8_weights
from workbook.diagrams import derivative_path, draw_computation_graph, draw_network
from workbook.fingerprints import Fingerprints
from workbook.gradcheck import numerical_gradient, relative_error
from workbook.widgets import delta_explorer

known = Fingerprints("derivatives")   # recognises known mistakes (see the checks below)

# %% [markdown]
# ## Part 1 — A computation graph
#
# Take $L(a, b, c) = 3(a + bc)$. A computer evaluates it in small steps, each with a name:
#
# $$u = bc, \qquad v = a + u, \qquad L = 3v.$$
#
# Drawn as a graph, each step is a node and each arrow carries a value forward. We evaluate it at
# $a = 5$, $b = 3$, $c = 2$.
#
# ### 1.1 Forward
#
# Compute `u`, `v` and `L`, one step at a time.

# %% nbgrader={"grade": false, "grade_id": "graph_inputs", "locked": true, "schema_version": 3, "solution": false, "task": false}
a, b, c = 5.0, 3.0, 2.0

# %% nbgrader={"grade": false, "grade_id": "graph_forward", "locked": false, "schema_version": 3, "solution": true, "task": false}
# Define u, v and L.
### BEGIN SOLUTION
u = b * c
v = a + u
L = 3 * v
### END SOLUTION

# %% nbgrader={"grade": true, "grade_id": "test_graph_forward", "locked": true, "points": 1, "schema_version": 3, "solution": false, "task": false}
"""u, v, L: three numbers, each step computed from the one before."""
for value, name in [(u, "u"), (v, "v"), (L, "L")]:
    check_number(value, name)
check_that(np.isclose(float(np.sum(L)), 3 * float(np.sum(v))), "`L` should be 3 times `v`.")
### BEGIN HIDDEN TESTS
check_close(u, 6.0, "u")
check_close(v, 11.0, "v")
check_close(L, 33.0, "L")
### END HIDDEN TESTS

# %% [markdown]
# ### 1.2 Backward
#
# Now go the other way. Start at the end, where $\partial L / \partial L = 1$, and walk back
# through the graph. At each node you only need one *local* derivative, the derivative of that
# node's output with respect to its input, and the chain rule multiplies them:
#
# $$\frac{\partial L}{\partial u} = \frac{\partial L}{\partial v}\,\frac{\partial v}{\partial u},
# \qquad \frac{\partial L}{\partial b} = \frac{\partial L}{\partial u}\,\frac{\partial u}{\partial b}.$$
#
# The local derivatives are easy: $\partial L/\partial v = 3$; an addition $v = a + u$ passes a
# change straight through ($\partial v/\partial a = \partial v/\partial u = 1$); a product
# $u = bc$ scales a change in $b$ by the *other* factor, $c$. Compute `dL_dv`, `dL_du`,
# `dL_da`, `dL_db` and `dL_dc` by multiplying local derivatives, not from a formula for $L$.

# %% nbgrader={"grade": false, "grade_id": "graph_backward", "locked": false, "schema_version": 3, "solution": true, "task": false}
# Define dL_dv, dL_du, dL_da, dL_db and dL_dc.
### BEGIN SOLUTION
dL_dv = 3.0
dL_du = dL_dv * 1.0
dL_da = dL_dv * 1.0
dL_db = dL_du * c
dL_dc = dL_du * b
### END SOLUTION

# %% nbgrader={"grade": true, "grade_id": "test_graph_backward_uv", "locked": true, "points": 1, "schema_version": 3, "solution": false, "task": false}
"""dL_dv and dL_du: numbers; an addition passes the gradient through unchanged."""
check_number(dL_dv, "dL_dv")
check_number(dL_du, "dL_du")
check_that(np.isclose(float(np.sum(dL_du)), float(np.sum(dL_dv))),
           "`dL_du` should equal `dL_dv`: v = a + u, so dv/du = 1.")
### BEGIN HIDDEN TESTS
check_close(dL_dv, 3.0, "dL_dv")
check_close(dL_du, 3.0, "dL_du")
### END HIDDEN TESTS

# %% nbgrader={"grade": true, "grade_id": "test_dL_da", "locked": true, "points": 1, "schema_version": 3, "solution": false, "task": false}
"""dL_da: one number, dL_dv times the local derivative dv/da."""
check_number(dL_da, "dL_da")
check_that(np.isclose(float(np.sum(dL_da)), float(np.sum(dL_dv))),
           "`dL_da` should be `dL_dv` times dv/da, and an addition passes a change straight through.")
### BEGIN HIDDEN TESTS
check_close(dL_da, 3.0, "dL_da")
### END HIDDEN TESTS

# %% nbgrader={"grade": true, "grade_id": "test_dL_db", "locked": true, "points": 1, "schema_version": 3, "solution": false, "task": false}
"""dL_db: one number, dL_du times the local derivative du/db."""
check_number(dL_db, "dL_db")
known.check(dL_db, "dL_db")
check_that(np.isclose(float(np.sum(dL_db)), float(np.sum(dL_du)) * 2.0),   # c = 2
           "`dL_db` should be `dL_du` times du/db: a product u = bc scales a change in b by the "
           "other factor.")
### BEGIN HIDDEN TESTS
check_close(dL_db, 6.0, "dL_db")
### END HIDDEN TESTS

# %% nbgrader={"grade": true, "grade_id": "test_dL_dc", "locked": true, "points": 1, "schema_version": 3, "solution": false, "task": false}
"""dL_dc: one number, dL_du times the local derivative du/dc."""
check_number(dL_dc, "dL_dc")
known.check(dL_dc, "dL_dc")
check_that(np.isclose(float(np.sum(dL_dc)), float(np.sum(dL_du)) * 3.0),   # b = 3 (b is the bias later)
           "`dL_dc` should be `dL_du` times du/dc: a product u = bc scales a change in c by the "
           "other factor.")
### BEGIN HIDDEN TESTS
check_close(dL_dc, 9.0, "dL_dc")
### END HIDDEN TESTS

# %% [markdown]
# Your numbers on the graph: values in blue above each node, the derivative of $L$ with respect to
# that node in red below it. Read it backwards: the red number at each node is the red number of
# the node it feeds, times the local derivative of that arrow.

# %% nbgrader={"grade": false, "grade_id": "draw_graph", "locked": true, "schema_version": 3, "solution": false, "task": false}
nodes = {
    "a": {"label": "a", "value": a, "grad": dL_da},
    "b": {"label": "b", "value": b, "grad": dL_db},
    "c": {"label": "c", "value": c, "grad": dL_dc},
    "u": {"label": "u = b·c", "value": u, "grad": dL_du},
    "v": {"label": "v = a + u", "value": v, "grad": dL_dv},
    "L": {"label": "L = 3v", "value": L, "grad": 1.0},
}
edges = [("b", "u"), ("c", "u"), ("a", "v"), ("u", "v"), ("v", "L")]
draw_computation_graph(nodes, edges, title="L = 3(a + bc): forward values and gradients")
plt.show()


# %% [markdown]
# *Think about it:* $\partial L/\partial b = 3c$ depends on the *value* of $c$. That is why the
# forward pass comes first: backward needs the numbers it stored.

# %% [markdown]
# ## Part 2 — Logistic regression
#
# A logistic-regression model is the smallest "network": one unit with a sigmoid. We write one
# example as a **row** $\mathbf{x}$ of shape `(1, n)`, the weights as a column $\mathbf{w}$ of
# shape `(n, 1)`, and a bias $b$:
#
# $$z = \mathbf{x}\mathbf{w} + b, \qquad a = \sigma(z) = \frac{1}{1 + e^{-z}}, \qquad
# \mathcal{L}(a, y) = -y \log a - (1 - y) \log(1 - a),$$
#
# with the label $y \in \{0, 1\}$. The cell below holds the model, one example and its forward pass; complete its `sigmoid`
# first (one line: the formula above).

# %% nbgrader={"grade": false, "grade_id": "logistic_setup", "locked": false, "schema_version": 3, "solution": true, "task": false}
# Write the sigmoid (you will meet it again in Assignment 3).
def sigmoid(z):
    """1 / (1 + exp(-z)), element-wise."""
    ### BEGIN SOLUTION
    return 1 / (1 + np.exp(-z))
    ### END SOLUTION


def logistic_cost(X, Y, w, b):
    """Mean cross-entropy of the model over the rows of X: (m, n), Y: (m, 1), w: (n, 1)."""
    A = sigmoid(X @ w + b)
    return float(np.mean(-Y * np.log(A) - (1 - Y) * np.log(1 - A)))


def logistic_slope(X, Y, w, b, index=None, h=1e-6):
    """Slope of logistic_cost in w[index] (or in b if index is None), by centred differences.

    The visible checks below compare your derivatives with it; you can too.
    """
    step = np.zeros_like(w, dtype=float)
    if index is None:
        return (logistic_cost(X, Y, w, b + h) - logistic_cost(X, Y, w, b - h)) / (2 * h)
    step[index] = h
    return (logistic_cost(X, Y, w + step, b) - logistic_cost(X, Y, w - step, b)) / (2 * h)


w = np.array([[0.5], [-0.25], [1.0]])
b = 0.1
x_one = np.array([[2.0, 1.0, -1.0]])
y_one = 1.0
z_one = x_one @ w + b
a_one = sigmoid(z_one)
print("z =", z_one, " a =", a_one)

# %% [markdown]
# ### 2.1 One example
#
# Walk back from the loss, one local derivative at a time (the slides write $da$ for
# $\partial\mathcal{L}/\partial a$, and so on):
#
# - $da = \partial\mathcal{L}/\partial a = -\dfrac{y}{a} + \dfrac{1 - y}{1 - a}$;
# - $dz = da \cdot \sigma'(z)$, and the sigmoid has the handy derivative $\sigma'(z) = a(1 - a)$;
# - $z = \mathbf{x}\mathbf{w} + b$, so $\partial z / \partial w_i = x_i$ and $\partial z/\partial b = 1$.
#
# Compute `da`, `dz`, `dw` (shape `(3, 1)`, like `w`, so that `w - 0.1 * dw` is a gradient step)
# and `db`. Multiply out $da \cdot a(1-a)$ on paper: it simplifies to something very short.

# %% nbgrader={"grade": false, "grade_id": "logistic_one", "locked": false, "schema_version": 3, "solution": true, "task": false}
# Define da, dz, dw (shape (3, 1)) and db.
### BEGIN SOLUTION
da = -y_one / a_one + (1 - y_one) / (1 - a_one)
dz = da * a_one * (1 - a_one)
dw = x_one.T * dz
db = dz
### END SOLUTION

# %% nbgrader={"grade": true, "grade_id": "test_dz", "locked": true, "points": 1, "schema_version": 3, "solution": false, "task": false}
"""dz: one number, the slope of the loss of x_one in z (a nudge of b moves z one for one)."""
check_number(dz, "dz")
known.check(dz, "dz")
check_that(np.isclose(float(np.sum(dz)), logistic_slope(x_one, np.array([[y_one]]), w, b), rtol=1e-5),
           "`dz` disagrees with the slope of the loss of your sigmoid: check the factor "
           "sigma'(z) = a(1 - a).")
### BEGIN HIDDEN TESTS
check_close(dz, -0.5374298453437496, "dz")
### END HIDDEN TESTS

# %% nbgrader={"grade": true, "grade_id": "test_dw_one", "locked": true, "points": 1, "schema_version": 3, "solution": false, "task": false}
"""dw: a (3, 1) column like w, entry i the slope of the loss in w[i]."""
check_array(dw, "dw", shape=(3, 1))
known.check(dw, "dw")
slopes_ = [logistic_slope(x_one, np.array([[y_one]]), w, b, (i, 0)) for i in range(3)]
check_that(np.allclose(np.ravel(dw), slopes_, rtol=1e-5, atol=1e-8),
           "`dw` disagrees with the slopes of the loss in each weight: is `dz` right, and is "
           "entry i of `dw` equal to x_i times dz?")
### BEGIN HIDDEN TESTS
check_close(dw, [[-1.0748596906874992], [-0.5374298453437496], [0.5374298453437496]], "dw")
### END HIDDEN TESTS

# %% nbgrader={"grade": true, "grade_id": "test_db_one", "locked": true, "points": 1, "schema_version": 3, "solution": false, "task": false}
"""db: one number, the slope of the loss in b."""
check_number(db, "db")
known.check(db, "db")
check_that(np.isclose(float(np.sum(db)), logistic_slope(x_one, np.array([[y_one]]), w, b), rtol=1e-5),
           "`db` disagrees with the slope of the loss in b.")
### BEGIN HIDDEN TESTS
check_close(db, -0.5374298453437496, "db")
### END HIDDEN TESTS

# %% [markdown]
# ### 2.2 A mini-batch
#
# With $m$ examples stacked as the rows of $\mathbf{X}$ (shape `(m, n)`), the cost is the
# **average** loss, $J = \frac{1}{m}\sum_k \mathcal{L}(a_k, y_k)$. Each example contributes its
# own $dz_k = a_k - y_k$; the derivative of an average is the average of the derivatives:
#
# $$d\mathbf{w} = \frac{1}{m}\sum_{k=1}^{m} dz_k\, \mathbf{x}_k^{\mathsf T}
# = \frac{1}{m}\mathbf{X}^{\mathsf T}\, d\mathbf{Z}, \qquad
# db = \frac{1}{m}\sum_{k=1}^{m} dz_k,$$
#
# where $d\mathbf{Z} = \mathbf{A} - \mathbf{Y}$ has shape `(m, 1)`: the sum runs over the batch
# axis, axis 0. Write `logistic_gradients`. A loop over the examples or matrix products: both are fine.

# %% nbgrader={"grade": false, "grade_id": "logistic_batch", "locked": false, "schema_version": 3, "solution": true, "task": false}
def logistic_gradients(X, Y, w, b):
    """Gradient of the mean cross-entropy over a mini-batch.

    X: (m, n) examples as rows; Y: (m, 1) labels in {0, 1}; w: (n, 1); b: a number.
    Returns (dw, db): dw of shape (n, 1) and db a number.
    """
    ### BEGIN SOLUTION
    m = X.shape[0]
    dZ = sigmoid(X @ w + b) - Y
    return X.T @ dZ / m, np.sum(dZ) / m
    ### END SOLUTION


# %% nbgrader={"grade": false, "grade_id": "batch_data", "locked": true, "schema_version": 3, "solution": false, "task": false}
rng = np.random.default_rng(2)
X_batch = np.round(rng.normal(size=(8, 3)), 2)
Y_batch = (rng.random((8, 1)) < 0.5).astype(float)
dw_batch, db_batch = logistic_gradients(X_batch, Y_batch, w, b)
print("dw shape:", np.shape(dw_batch), " db shape:", np.shape(db_batch))

# %% nbgrader={"grade": true, "grade_id": "test_logistic_batch", "locked": true, "points": 2, "schema_version": 3, "solution": false, "task": false}
"""logistic_gradients on the notebook's mini-batch: dw (3, 1) and db a number."""
check_array(dw_batch, "dw_batch (from logistic_gradients)", shape=(3, 1))
check_number(db_batch, "db_batch (from logistic_gradients)")
known.check(dw_batch, "dw_batch (from logistic_gradients)")
known.check(db_batch, "db_batch (from logistic_gradients)")
slopes_ = [logistic_slope(X_batch, Y_batch, w, b, (i, 0)) for i in range(3)]
check_that(np.allclose(np.ravel(dw_batch), slopes_, rtol=1e-5, atol=1e-8),
           "`dw_batch` of your logistic_gradients disagrees with the slopes of the mean cost in each weight.")
check_that(np.isclose(float(np.sum(db_batch)), logistic_slope(X_batch, Y_batch, w, b), rtol=1e-5),
           "`db_batch` of your logistic_gradients disagrees with the slope of the mean cost in b.")
### BEGIN HIDDEN TESTS
check_close(dw_batch, [[-0.10019833], [0.15540495], [0.09209765]], "dw_batch", rtol=1e-6)
check_close(db_batch, -0.11514616462945, "db_batch")
### END HIDDEN TESTS

# %% nbgrader={"grade": true, "grade_id": "test_logistic_batch_fresh", "locked": true, "points": 2, "schema_version": 3, "solution": false, "task": false}
"""logistic_gradients on new data: one example, and any batch, agree with the slopes of the cost."""
one_dw, one_db = logistic_gradients(x_one, np.array([[y_one]]), w, b)
check_array(one_dw, "dw for one example", shape=(3, 1))
check_number(one_db, "db for one example")
one_slopes_ = [logistic_slope(x_one, np.array([[y_one]]), w, b, (i, 0)) for i in range(3)]
check_that(np.allclose(np.ravel(one_dw), one_slopes_, rtol=1e-5, atol=1e-8),
           "for the single example of 2.1, logistic_gradients disagrees with the slopes of the cost.")
### BEGIN HIDDEN TESTS
### BEGIN REFERENCE
def reference_cost_(X, Y, w, b):
    """The mean cross-entropy of the logistic model over the rows of X, the sigmoid written out."""
    A = 1 / (1 + np.exp(-(X @ w + b)))
    return float(np.mean(-Y * np.log(A) - (1 - Y) * np.log(1 - A)))


h_ = 1e-6
### END REFERENCE
check_close(one_dw, x_one.T * (1 / (1 + np.exp(-(x_one @ w + b))) - y_one), "dw for one example")
fresh = np.random.default_rng(11)
Xf = fresh.normal(size=(13, 4))
Yf = (fresh.random((13, 1)) < 0.5).astype(float)
wf = fresh.normal(size=(4, 1))
dwf, dbf = logistic_gradients(Xf, Yf, wf, -0.3)
for k in range(4):
    ### BEGIN REFERENCE
    step_ = np.zeros_like(wf)
    step_[k, 0] = h_
    slope_ = (reference_cost_(Xf, Yf, wf + step_, -0.3)
              - reference_cost_(Xf, Yf, wf - step_, -0.3)) / (2 * h_)
    ### END REFERENCE
    check_close(dwf[k, 0], slope_, "dw on a new mini-batch", rtol=1e-6)
### BEGIN REFERENCE
slope_b_ = (reference_cost_(Xf, Yf, wf, -0.3 + h_) - reference_cost_(Xf, Yf, wf, -0.3 - h_)) / (2 * h_)
### END REFERENCE
check_close(dbf, slope_b_, "db on a new mini-batch", rtol=1e-6)
### END HIDDEN TESTS

# %% [markdown]
# ## Part 3 — The delta method and Jacobians
#
# Back to the small ReLU network of Assignment 1, now with the input $\mathbf{x} = (3, 1, 2)$ and
# its three outputs. Vectors are **columns** again and `W1[i, j]` is the weight from input
# $x_{j+1}$ to hidden unit $h^{(1)}_{i+1}$ (the notes count from 1, Python from 0). Complete the
# forward pass below with your code from Assignment 1, written as a function of the weights
# (the delta method calls it with nudged weights).

# %% nbgrader={"grade": false, "grade_id": "cos324_setup", "locked": false, "schema_version": 3, "solution": true, "task": false}
# Your forward pass from Assignment 1, as a function of the weights.
net = cos324_network()
W1_c, W2_c, W_out = net["W1"], net["W2"], net["W_out"]
x_c = np.array([[3.0], [1.0], [2.0]])


def cos324_forward(x, W1, W2, W_out):
    """Column convention: x (3, 1) -> h1 (2, 1) -> h2 (2, 1) -> o (3, 1), ReLU on h1, h2."""
    ### BEGIN SOLUTION
    h1 = np.maximum(W1 @ x, 0)
    h2 = np.maximum(W2 @ h1, 0)
    return h1, h2, W_out @ h2
    ### END SOLUTION


h1_c, h2_c, o_c = cos324_forward(x_c, W1_c, W2_c, W_out)
print("h1 =", h1_c.ravel(), " h2 =", h2_c.ravel(), " o =", o_c.ravel())

# %% [markdown]
# ### 3.1 Nudge a weight
#
# What is $\partial o_1 / \partial w^{(1)}_{2,2}$? Find out by experiment: add a small
# $\Delta$ (the `nudge` below) to the weight $w^{(1)}_{2,2}$ (from $x_2$ to $h^{(1)}_2$, which is
# `W1_c[1, 1]`), run the network again, and divide the change of $o_1$ by $\Delta$. Change a **copy** of `W1_c`, so
# that the rest of the notebook still sees the original weights. Store the ratio in `do1_dw22`.

# %% nbgrader={"grade": false, "grade_id": "delta_method", "locked": false, "schema_version": 3, "solution": true, "task": false}
nudge = 1e-3
# Nudge a copy of W1_c by `nudge`, run cos324_forward again, and define do1_dw22.
### BEGIN SOLUTION
W1_nudged = W1_c.copy()
W1_nudged[1, 1] += nudge
o_nudged = cos324_forward(x_c, W1_nudged, W2_c, W_out)[2]
do1_dw22 = (o_nudged[0, 0] - o_c[0, 0]) / nudge
### END SOLUTION

# %% nbgrader={"grade": true, "grade_id": "test_do1_dw22", "locked": true, "points": 2, "schema_version": 3, "solution": false, "task": false}
"""do1_dw22: one number, and W1_c left unchanged; hidden: also the forward pass it uses."""
check_number(do1_dw22, "do1_dw22")
check_that(np.array_equal(W1_c, cos324_network()["W1"]),
           "`W1_c` was changed: nudge a copy (`W1_c.copy()`), not the original.")
# W2 of the COS 324 network is symmetric: try cos324_forward on weights that are not.
rng_fw_ = np.random.default_rng(21)
others_ = rng_fw_.normal(size=(2, 3)), rng_fw_.normal(size=(2, 2)), rng_fw_.normal(size=(3, 2))
known.confirm(np.hstack([cos324_forward(x_, *others_)[2] for x_ in rng_fw_.normal(size=(4, 3, 1))]),
              "cos324_forward's output for other, non-symmetric weights")
### BEGIN HIDDEN TESTS
check_close(do1_dw22, -6.0, "do1_dw22")
check_close(W1_c, cos324_network()["W1"], "W1_c after the delta method (nudge a copy)")
# W2 of the COS 324 network is symmetric: try the forward pass it uses on other weights too.
rng_ = np.random.default_rng(13)
V1_, V2_, V3_ = rng_.normal(size=(2, 3)), rng_.normal(size=(2, 2)), rng_.normal(size=(3, 2))
for x_ in rng_.normal(size=(6, 3, 1)):
    ### BEGIN REFERENCE
    h1_ = np.maximum(V1_ @ x_, 0)
    h2_ = np.maximum(V2_ @ h1_, 0)
    ### END REFERENCE
    check_close(cos324_forward(x_, V1_, V2_, V3_)[2], V3_ @ h2_,
                "the output of cos324_forward with other (non-symmetric) weights")
### END HIDDEN TESTS

# %% [markdown]
# The delta method, live: the slider nudges `W1[1, 1]` and your own `cos324_forward` recomputes
# $o_1$ at $\mathbf{x} = (3, 1, 2)$. Near the given weight the output moves along a straight line,
# and the slope $\Delta o_1 / \Delta w$ it shows is the derivative you just computed. (Without a
# browser, for instance when the notebook is graded, you see a static picture instead.)

# %%
delta_explorer(lambda W: cos324_forward(x_c, W, W2_c, W_out)[2][0, 0], W1_c, (1, 1),
               name="W1[1,1]", output_name="o1")

# %% [markdown]
# The nudge travels forward: $h^{(1)}_2$ grows by $\Delta$ (and $h^{(1)}_1$ not at all), which moves
# both units of the second hidden layer, which both feed $o_1$. The chain rule says the same in
# symbols: add up, over every path from the weight to $o_1$, the product of the local derivatives
# along it.
#
# ### 3.2 Problem 11.3.3
#
# Changing $h^{(2)}_1$ alone by $\Delta$ changes $o_1 = -h^{(2)}_1 + 2h^{(2)}_2$ by $-\Delta$, so
# $\partial o_1/\partial h^{(2)}_1 = -1$. In the same way, find the three numbers below (write
# $w$ for $w^{(1)}_{2,2}$; a name like `dh2_1_dw` means $\partial h^{(2)}_1 / \partial w$).
# Work them out from the weights and the values printed above; the ReLUs here are all active.
#
# | name | derivative |
# |---|---|
# | `do1_dh2_2` | $\partial o_1 / \partial h^{(2)}_2$ |
# | `dh2_1_dw` | $\partial h^{(2)}_1 / \partial w$ |
# | `dh2_2_dw` | $\partial h^{(2)}_2 / \partial w$ |

# %% nbgrader={"grade": false, "grade_id": "problem_11_3_3", "locked": false, "schema_version": 3, "solution": true, "task": false}
do1_dh2_1 = -1.0
# Define do1_dh2_2, dh2_1_dw and dh2_2_dw.
### BEGIN SOLUTION
do1_dh2_2 = W_out[0, 1]
dh2_1_dw = W2_c[0, 1] * x_c[1, 0]
dh2_2_dw = W2_c[1, 1] * x_c[1, 0]
### END SOLUTION

# %% nbgrader={"grade": true, "grade_id": "test_do1_dh2_2", "locked": true, "points": 1, "schema_version": 3, "solution": false, "task": false}
"""do1_dh2_2: one number."""
check_number(do1_dh2_2, "do1_dh2_2")
### BEGIN HIDDEN TESTS
check_close(do1_dh2_2, 2.0, "do1_dh2_2")
### END HIDDEN TESTS

# %% nbgrader={"grade": true, "grade_id": "test_dh2_1_dw", "locked": true, "points": 1, "schema_version": 3, "solution": false, "task": false}
"""dh2_1_dw: one number."""
check_number(dh2_1_dw, "dh2_1_dw")
### BEGIN HIDDEN TESTS
check_close(dh2_1_dw, 2.0, "dh2_1_dw")
### END HIDDEN TESTS

# %% nbgrader={"grade": true, "grade_id": "test_dh2_2_dw", "locked": true, "points": 1, "schema_version": 3, "solution": false, "task": false}
"""dh2_2_dw: one number."""
check_number(dh2_2_dw, "dh2_2_dw")
### BEGIN HIDDEN TESTS
check_close(dh2_2_dw, -2.0, "dh2_2_dw")
### END HIDDEN TESTS

# %% [markdown]
# Two paths lead from $w$ to $o_1$, one through each unit of the second hidden layer. Their sum
# should match your experiment in 3.1:

# %%
chain_rule = do1_dh2_1 * dh2_1_dw + do1_dh2_2 * dh2_2_dw
print(f"chain rule: {float(np.sum(chain_rule)):.6f}   delta method: {float(np.sum(do1_dw22)):.6f}")

# %% [markdown]
# ### 3.3 Problem 11.3.4
#
# Now split each path one step further, through $h^{(1)}_2$:
#
# | name | derivative |
# |---|---|
# | `dh2_1_dh1_2` | $\partial h^{(2)}_1 / \partial h^{(1)}_2$ |
# | `dh2_2_dh1_2` | $\partial h^{(2)}_2 / \partial h^{(1)}_2$ |
# | `dh1_2_dw` | $\partial h^{(1)}_2 / \partial w$ |

# %% nbgrader={"grade": false, "grade_id": "problem_11_3_4", "locked": false, "schema_version": 3, "solution": true, "task": false}
# Define dh2_1_dh1_2, dh2_2_dh1_2 and dh1_2_dw.
### BEGIN SOLUTION
dh2_1_dh1_2 = W2_c[0, 1]
dh2_2_dh1_2 = W2_c[1, 1]
dh1_2_dw = x_c[1, 0]
### END SOLUTION

# %% nbgrader={"grade": true, "grade_id": "test_dh2_1_dh1_2", "locked": true, "points": 1, "schema_version": 3, "solution": false, "task": false}
"""dh2_1_dh1_2: one number."""
check_number(dh2_1_dh1_2, "dh2_1_dh1_2")
### BEGIN HIDDEN TESTS
check_close(dh2_1_dh1_2, 2.0, "dh2_1_dh1_2")
### END HIDDEN TESTS

# %% nbgrader={"grade": true, "grade_id": "test_dh2_2_dh1_2", "locked": true, "points": 1, "schema_version": 3, "solution": false, "task": false}
"""dh2_2_dh1_2: one number."""
check_number(dh2_2_dh1_2, "dh2_2_dh1_2")
### BEGIN HIDDEN TESTS
check_close(dh2_2_dh1_2, -2.0, "dh2_2_dh1_2")
### END HIDDEN TESTS

# %% nbgrader={"grade": true, "grade_id": "test_dh1_2_dw", "locked": true, "points": 1, "schema_version": 3, "solution": false, "task": false}
"""dh1_2_dw: one number."""
check_number(dh1_2_dw, "dh1_2_dw")
### BEGIN HIDDEN TESTS
check_close(dh1_2_dw, 1.0, "dh1_2_dw")
### END HIDDEN TESTS

# %%
paths = (do1_dh2_1 * dh2_1_dh1_2 * dh1_2_dw) + (do1_dh2_2 * dh2_2_dh1_2 * dh1_2_dw)
print(f"sum over the two paths: {float(np.sum(paths)):.6f}   delta method: {float(np.sum(do1_dw22)):.6f}")

# %% [markdown]
# ### 3.4 Jacobians (Problem 11.4.2)
#
# When a vector $\mathbf{y} \in \mathbb{R}^m$ depends on $\mathbf{x} \in \mathbb{R}^n$, all the
# partial derivatives fit in one $m \times n$ matrix, the **Jacobian** $J(\mathbf{y}, \mathbf{x})$,
# whose entry $(i, j)$ is $\partial y_i / \partial x_j$: row $i$ is the gradient of $y_i$. Give the
# Jacobian of
#
# $$y_1 = 2x_1 - x_2 + 3x_3, \qquad y_2 = -x_1 + 2x_3$$
#
# as a NumPy array `jac_y_x` of shape `(2, 3)`.

# %% nbgrader={"grade": false, "grade_id": "jacobian", "locked": false, "schema_version": 3, "solution": true, "task": false}
# Define jac_y_x, shape (2, 3).
### BEGIN SOLUTION
jac_y_x = np.array([[2.0, -1.0, 3.0], [-1.0, 0.0, 2.0]])
### END SOLUTION

# %% [markdown]
# A Jacobian predicts how the output moves: $\mathbf{y}(\mathbf{x} + \Delta\mathbf{x}) \approx
# \mathbf{y}(\mathbf{x}) + J\,\Delta\mathbf{x}$, exactly so for this linear $\mathbf{y}$. Try it:

# %%
def y_of(x):
    return np.array([2 * x[0] - x[1] + 3 * x[2], -x[0] + 2 * x[2]])


x0, step = np.array([1.0, -2.0, 0.5]), np.array([0.01, 0.02, -0.03])
print("prediction matches:", np.allclose(y_of(x0 + step) - y_of(x0), jac_y_x @ step))

# %% nbgrader={"grade": true, "grade_id": "test_jac_y_x", "locked": true, "points": 2, "schema_version": 3, "solution": false, "task": false}
"""jac_y_x: a (2, 3) array, one row per output."""
check_array(jac_y_x, "jac_y_x", shape=(2, 3))
### BEGIN HIDDEN TESTS
check_close(jac_y_x, [[2, -1, 3], [-1, 0, 2]], "jac_y_x")
### END HIDDEN TESTS

# %% [markdown]
# ### 3.5 The Jacobian of the ReLU
#
# $\mathbf{y} = \mathrm{ReLU}(\mathbf{z})$ works element by element, so $y_i$ depends on $z_i$
# only: the Jacobian is diagonal. On the diagonal, $\partial y_i / \partial z_i$ is 1 where
# $z_i > 0$ and 0 where $z_i < 0$; at $z_i = 0$ we follow the usual convention and take 0. Write
# `relu_jacobian(z)`.

# %% nbgrader={"grade": false, "grade_id": "relu_jacobian", "locked": false, "schema_version": 3, "solution": true, "task": false}
def relu_jacobian(z):
    """Jacobian of ReLU at z: shape (n, n), diagonal, 1 where z > 0 and 0 elsewhere (z = 0 too).

    z: an array of n numbers, shape (n,) or (n, 1).
    """
    ### BEGIN SOLUTION
    gate = np.reshape(z, -1) > 0
    return np.diag(gate.astype(float))
    ### END SOLUTION


# %%
relu_jacobian(np.array([[1.5], [-2.0], [0.0]]))

# %% nbgrader={"grade": true, "grade_id": "test_relu_jacobian", "locked": true, "points": 2, "schema_version": 3, "solution": false, "task": false}
"""relu_jacobian: (n, n), diagonal, entries 0 or 1, for columns and flat vectors."""
z = np.array([[0.7], [-1.2], [2.5], [-0.1]])
jac = relu_jacobian(z)
check_array(jac, "relu_jacobian(z)", shape=(4, 4))
check_that(np.all(jac == np.diag(np.diag(jac))), "`relu_jacobian(z)` has a non-zero entry off the diagonal.")
check_that(np.all(np.isin(jac, [0.0, 1.0])), "Every entry of `relu_jacobian(z)` should be 0 or 1.")
check_array(relu_jacobian(z.ravel()), "relu_jacobian of a flat vector", shape=(4, 4))
check_that(relu_jacobian(np.array([0.0, 2.0]))[0, 0] == 0,
           "`relu_jacobian` at z = 0 should have 0 on the diagonal: this notebook takes ReLU'(0) = 0.")
### BEGIN HIDDEN TESTS
check_close(jac, np.diag([1.0, 0.0, 1.0, 0.0]), "relu_jacobian(z)")
check_close(relu_jacobian(np.array([0.0, 3.0, -3.0])), np.diag([0.0, 1.0, 0.0]), "relu_jacobian at 0")
wide = np.random.default_rng(5).normal(size=7).astype(np.float32)
check_close(relu_jacobian(wide), np.diag((wide > 0).astype(float)), "relu_jacobian of float32 input")
### END HIDDEN TESTS

# %% [markdown]
# With it, the chain rule for a whole layer is one matrix product: for $\mathbf{h} =
# \mathrm{ReLU}(\mathbf{A}\mathbf{x})$, $J(\mathbf{h}, \mathbf{x}) = \mathrm{diag}(\mathbb{1}[\mathbf{A}\mathbf{x} > 0])\,\mathbf{A}$.
# A zero on the diagonal wipes out a whole row: a unit whose ReLU is off passes no derivative
# back. Keep that in mind for Part 4.

# %% [markdown]
# ## Part 4 — The Figure 8 network, one weight at a time
#
# The 2-3-2-1 regression network of Assignment 1: ReLU on both hidden layers, identity at the
# output, no biases. Rows are data points, `Z1 = X @ W1`, and `W1[i, j]` is the weight from unit
# $i+1$ of one layer to unit $j+1$ of the next. The tutorial names its derivatives with the
# 1-based indices of its notation $w^{(l)}_{i,j}$: **`dj_dw2_21` is the derivative with respect
# to `W2[1, 0]`**, the weight from hidden unit 2 of layer 1 to hidden unit 1 of layer 2.
#
# For one data point the cost is $J = \tfrac12(\hat y - y)^2$, so $\partial J/\partial \hat y
# = \hat y - y$. Complete the cell below with your ReLU and forward pass from Assignment 1, as functions of
# the weights; it then runs them on all ten points. You need the first row (index 0) of each
# array.

# %% nbgrader={"grade": false, "grade_id": "figure8_setup", "locked": false, "schema_version": 3, "solution": true, "task": false}
# Your ReLU and forward pass from Assignment 1, as functions of the weights.
X, Y = figure8_data()
weights = figure8_weights()
W1, W2, W3 = weights["W1"], weights["W2"], weights["W3"]


def relu(z):
    ### BEGIN SOLUTION
    return np.maximum(z, 0)
    ### END SOLUTION


def forward(X, W1, W2, W3):
    """Row convention: X (m, 2) -> Z1, X1 (m, 3) -> Z2, X2 (m, 2) -> Z3, X3 (m, 1)."""
    ### BEGIN SOLUTION
    Z1 = X @ W1
    X1 = relu(Z1)
    Z2 = X1 @ W2
    X2 = relu(Z2)
    Z3 = X2 @ W3
    X3 = Z3  # identity output
    return Z1, X1, Z2, X2, Z3, X3
    ### END SOLUTION


Z1, X1, Z2, X2, Z3, X3 = forward(X, W1, W2, W3)
print("first point: Z1 =", Z1[0], " Z2 =", Z2[0], " prediction =", X3[0, 0], " target =", Y[0, 0])


# %% [markdown]
# ### 4.1 The cost of the first data point
#
# Write `cost_first_point(W1, W2, W3)`: the cost $J = \frac12(\hat y - y)^2$ of the **first data
# point only**, for any weights. Part 5 uses it to check every derivative you compute here.

# %% nbgrader={"grade": false, "grade_id": "cost_first_point", "locked": false, "schema_version": 3, "solution": true, "task": false}
def cost_first_point(W1, W2, W3):
    """J = 1/2 (yhat - y)^2 for the first row of X and Y.

    W1: (2, 3), W2: (3, 2), W3: (2, 1). Returns a number.
    """
    ### BEGIN SOLUTION
    *_, yhat = forward(X[:1], W1, W2, W3)
    return 0.5 * (yhat[0, 0] - Y[0, 0]) ** 2
    ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "test_cost_first_point", "locked": true, "points": 2, "schema_version": 3, "solution": false, "task": false}
"""cost_first_point: a positive number, for these weights and for others."""
check_number(cost_first_point(W1, W2, W3), "cost_first_point(W1, W2, W3)")
known.check(cost_first_point(W1, W2, W3), "cost_first_point(W1, W2, W3)")
check_that(float(np.sum(cost_first_point(W1, W2, W3))) > 0, "The cost should be positive here.")
rng_cost_ = np.random.default_rng(22)
costs_ = [float(np.sum(cost_first_point(rng_cost_.normal(size=(2, 3)), rng_cost_.normal(size=(3, 2)),
                                        rng_cost_.normal(size=(2, 1)))))
          for _ in range(6)]
known.confirm(np.array(costs_), "cost_first_point (through your forward) for six random sets of weights")
### BEGIN HIDDEN TESTS
check_close(cost_first_point(W1, W2, W3), 6384.30589007542, "cost_first_point(W1, W2, W3)")
other = np.random.default_rng(8)
V1, V2, V3 = other.normal(size=(2, 3)), other.normal(size=(3, 2)), other.normal(size=(2, 1))
### BEGIN REFERENCE
hidden1_ = np.maximum(X[0] @ V1, 0)
hidden2_ = np.maximum(hidden1_ @ V2, 0)
### END REFERENCE
check_close(cost_first_point(V1, V2, V3), 0.5 * (hidden2_ @ V3[:, 0] - Y[0, 0]) ** 2,
            "cost_first_point with other weights")
# positive weights keep every hidden unit alive; with V3 and with -V3 one output is negative,
# where a ReLU on the output would show
alive = np.random.default_rng(25)
P1, P2, P3 = alive.uniform(0.01, 0.1, size=(2, 3)), alive.uniform(0.1, 1.0, size=(3, 2)), alive.normal(size=(2, 1))
for sign in (1.0, -1.0):
    ### BEGIN REFERENCE
    alive_hidden_ = np.maximum(np.maximum(X[0] @ P1, 0) @ P2, 0)
    ### END REFERENCE
    check_close(cost_first_point(P1, P2, sign * P3), 0.5 * (alive_hidden_ @ (sign * P3[:, 0]) - Y[0, 0]) ** 2,
                "cost_first_point with other weights, every hidden unit alive")
### END HIDDEN TESTS

# %% [markdown]
# ### 4.2 Exercise 2: a weight of the output layer
#
# The highlighted edge below is $w^{(3)}_{2,1}$ (`W3[1, 0]`); the numbers in the circles are the
# first point's activations. Its derivative has three factors,
#
# $$\frac{\partial J}{\partial w^{(3)}_{2,1}} = \frac{\partial J}{\partial \hat y}\cdot
# \frac{\partial \hat y}{\partial z^{(3)}_1}\cdot \frac{\partial z^{(3)}_1}{\partial w^{(3)}_{2,1}},$$
#
# the last being the activation at the start of the edge. Compute `dJ_dz3` (the first two
# factors: the identity output has derivative 1) and then `dj_dw3_21`.

# %% nbgrader={"grade": false, "grade_id": "show_path", "locked": true, "schema_version": 3, "solution": false, "task": false}
def show_path(layer, i, j, title):
    """Draw the network with the first point's activations and the path of one weight."""
    path = derivative_path([2, 3, 2, 1], layer, i, j)
    draw_network([W1, W2, W3], values=[X[0], X1[0], X2[0], X3[0]], highlight=path, title=title)
    plt.show()


def slope_of_your_cost(matrix, index):
    """The slope of your cost_first_point in one weight, `matrix` ("W1", "W2" or "W3") at
    `index`, by centred differences (Part 5 explains them); the checks compare your
    derivatives with it."""
    nudged = {name: np.array(weights[name], dtype=float) for name in ("W1", "W2", "W3")}
    return numerical_gradient(lambda: cost_first_point(**nudged), nudged[matrix])[index]


show_path(2, 1, 0, "dJ/dw3_21: the edge W3[1, 0]")

# %% nbgrader={"grade": false, "grade_id": "exercise_2", "locked": false, "schema_version": 3, "solution": true, "task": false}
# Define dJ_dz3, then dj_dw3_21.
### BEGIN SOLUTION
dJ_dz3 = X3[0, 0] - Y[0, 0]
dj_dw3_21 = dJ_dz3 * X2[0, 1]
### END SOLUTION

# %% nbgrader={"grade": true, "grade_id": "test_dj_dw3_21", "locked": true, "points": 2, "schema_version": 3, "solution": false, "task": false}
"""dj_dw3_21: one number (a float, a NumPy scalar or a 1-element array)."""
check_number(dj_dw3_21, "dj_dw3_21")
known.check(dj_dw3_21, "dj_dw3_21")
check_that(np.isclose(float(np.sum(dj_dw3_21)), slope_of_your_cost("W3", (1, 0)), rtol=1e-5, atol=1e-4),
           "`dj_dw3_21` disagrees with the slope of your `cost_first_point` in W3[1, 0] "
           "(if test_cost_first_point passes, look again at each factor of the chain).")
### BEGIN HIDDEN TESTS
check_close(dj_dw3_21, -2.7729778451879996, "dj_dw3_21")
### END HIDDEN TESTS

# %% [markdown]
# ### 4.3 Exercise 3: a weight of the second hidden layer
#
# A weight of layer 2 is one step further from the cost. For $w^{(2)}_{i,j}$ (from unit $i$ of
# layer 1 to unit $j$ of layer 2) the path runs through $z^{(2)}_j$, its ReLU, and the output:
#
# $$\frac{\partial J}{\partial w^{(2)}_{i,j}} = \frac{\partial J}{\partial z^{(3)}_1}\cdot
# w^{(3)}_{j,1} \cdot \mathrm{ReLU}'\big(z^{(2)}_j\big)\cdot x^{(1)}_i,$$
#
# where $\mathrm{ReLU}'(z)$ is 1 if $z > 0$ and 0 otherwise. In NumPy, `(Z2[0, 0] > 0)` is a
# boolean that multiplies like 1 or 0. Compute `dj_dw2_21` (the highlighted edge).

# %%
show_path(1, 1, 0, "dJ/dw2_21: the edge W2[1, 0]")

# %% nbgrader={"grade": false, "grade_id": "exercise_3", "locked": false, "schema_version": 3, "solution": true, "task": false}
# Define dj_dw2_21.
### BEGIN SOLUTION
dj_dw2_21 = dJ_dz3 * W3[0, 0] * (Z2[0, 0] > 0) * X1[0, 1]
### END SOLUTION

# %% nbgrader={"grade": true, "grade_id": "test_dj_dw2_21", "locked": true, "points": 1, "schema_version": 3, "solution": false, "task": false}
"""dj_dw2_21: one number (a float, a NumPy scalar or a 1-element array)."""
check_number(dj_dw2_21, "dj_dw2_21")
known.check(dj_dw2_21, "dj_dw2_21")
check_that(np.isclose(float(np.sum(dj_dw2_21)), slope_of_your_cost("W2", (1, 0)), rtol=1e-5, atol=1e-4),
           "`dj_dw2_21` disagrees with the slope of your `cost_first_point` in W2[1, 0] "
           "(if test_cost_first_point passes, look again at each factor of the chain).")
### BEGIN HIDDEN TESTS
check_close(dj_dw2_21, 0.0, "dj_dw2_21")
### END HIDDEN TESTS

# %% [markdown]
# Now the rest of layer 2: `dj_dw2_11`, `dj_dw2_12`, `dj_dw2_22` and `dj_dw2_31`. Write each
# as the same four-factor product; only the indices change.

# %% nbgrader={"grade": false, "grade_id": "exercise_3_more", "locked": false, "schema_version": 3, "solution": true, "task": false}
# Define dj_dw2_11, dj_dw2_12, dj_dw2_22 and dj_dw2_31.
### BEGIN SOLUTION
dj_dw2_11 = dJ_dz3 * W3[0, 0] * (Z2[0, 0] > 0) * X1[0, 0]
dj_dw2_12 = dJ_dz3 * W3[1, 0] * (Z2[0, 1] > 0) * X1[0, 0]
dj_dw2_22 = dJ_dz3 * W3[1, 0] * (Z2[0, 1] > 0) * X1[0, 1]
dj_dw2_31 = dJ_dz3 * W3[0, 0] * (Z2[0, 0] > 0) * X1[0, 2]
### END SOLUTION

# %% nbgrader={"grade": true, "grade_id": "test_dj_dw2_11", "locked": true, "points": 1, "schema_version": 3, "solution": false, "task": false}
"""dj_dw2_11: one number (a float, a NumPy scalar or a 1-element array)."""
check_number(dj_dw2_11, "dj_dw2_11")
known.check(dj_dw2_11, "dj_dw2_11")
check_that(np.isclose(float(np.sum(dj_dw2_11)), slope_of_your_cost("W2", (0, 0)), rtol=1e-5, atol=1e-4),
           "`dj_dw2_11` disagrees with the slope of your `cost_first_point` in W2[0, 0] "
           "(if test_cost_first_point passes, look again at each factor of the chain).")
### BEGIN HIDDEN TESTS
check_close(dj_dw2_11, 0.0, "dj_dw2_11")
### END HIDDEN TESTS

# %% nbgrader={"grade": true, "grade_id": "test_dj_dw2_12", "locked": true, "points": 1, "schema_version": 3, "solution": false, "task": false}
"""dj_dw2_12: one number (a float, a NumPy scalar or a 1-element array)."""
check_number(dj_dw2_12, "dj_dw2_12")
known.check(dj_dw2_12, "dj_dw2_12")
check_that(np.isclose(float(np.sum(dj_dw2_12)), slope_of_your_cost("W2", (0, 1)), rtol=1e-5, atol=1e-4),
           "`dj_dw2_12` disagrees with the slope of your `cost_first_point` in W2[0, 1] "
           "(if test_cost_first_point passes, look again at each factor of the chain).")
### BEGIN HIDDEN TESTS
check_close(dj_dw2_12, 0.0, "dj_dw2_12")
### END HIDDEN TESTS

# %% nbgrader={"grade": true, "grade_id": "test_dj_dw2_22", "locked": true, "points": 2, "schema_version": 3, "solution": false, "task": false}
"""dj_dw2_22: one number (a float, a NumPy scalar or a 1-element array)."""
check_number(dj_dw2_22, "dj_dw2_22")
known.check(dj_dw2_22, "dj_dw2_22")
check_that(np.isclose(float(np.sum(dj_dw2_22)), slope_of_your_cost("W2", (1, 1)), rtol=1e-5, atol=1e-4),
           "`dj_dw2_22` disagrees with the slope of your `cost_first_point` in W2[1, 1] "
           "(if test_cost_first_point passes, look again at each factor of the chain).")
### BEGIN HIDDEN TESTS
check_close(dj_dw2_22, -6.470281638772001, "dj_dw2_22")
### END HIDDEN TESTS

# %% nbgrader={"grade": true, "grade_id": "test_dj_dw2_31", "locked": true, "points": 1, "schema_version": 3, "solution": false, "task": false}
"""dj_dw2_31: one number (a float, a NumPy scalar or a 1-element array)."""
check_number(dj_dw2_31, "dj_dw2_31")
known.check(dj_dw2_31, "dj_dw2_31")
check_that(np.isclose(float(np.sum(dj_dw2_31)), slope_of_your_cost("W2", (2, 0)), rtol=1e-5, atol=1e-4),
           "`dj_dw2_31` disagrees with the slope of your `cost_first_point` in W2[2, 0] "
           "(if test_cost_first_point passes, look again at each factor of the chain).")
### BEGIN HIDDEN TESTS
check_close(dj_dw2_31, 0.0, "dj_dw2_31")
### END HIDDEN TESTS

# %% [markdown]
# ### 4.4 Exercise 4: a weight of the first hidden layer
#
# A weight of layer 1, $w^{(1)}_{i,j}$, feeds hidden unit $j$ of layer 1, and that unit feeds
# **both** units of layer 2: two paths reach the cost, and the chain rule adds them.
#
# $$\frac{\partial J}{\partial w^{(1)}_{i,j}} = \Big(\sum_{k=1}^{2}
# \frac{\partial J}{\partial z^{(2)}_k}\, w^{(2)}_{j,k}\Big)\cdot
# \mathrm{ReLU}'\big(z^{(1)}_j\big)\cdot x_i,
# \qquad \frac{\partial J}{\partial z^{(2)}_k} = \frac{\partial J}{\partial z^{(3)}_1}\,
# w^{(3)}_{k,1}\,\mathrm{ReLU}'\big(z^{(2)}_k\big).$$
#
# Here $x_i$ is the network's input, `X[0, i-1]`. Compute `dj_dw1_12` (highlighted), then
# `dj_dw1_11`, `dj_dw1_13`, `dj_dw1_22` and `dj_dw1_23`. Naming the two
# $\partial J/\partial z^{(2)}_k$ first saves a lot of typing.

# %%
show_path(0, 0, 1, "dJ/dw1_12: the edge W1[0, 1] and the paths it feeds")

# %% nbgrader={"grade": false, "grade_id": "exercise_4", "locked": false, "schema_version": 3, "solution": true, "task": false}
# Define dJ_dz2_1 and dJ_dz2_2 (they save typing later), then dj_dw1_12.
### BEGIN SOLUTION
dJ_dz2_1 = dJ_dz3 * W3[0, 0] * (Z2[0, 0] > 0)
dJ_dz2_2 = dJ_dz3 * W3[1, 0] * (Z2[0, 1] > 0)
dj_dw1_12 = (dJ_dz2_1 * W2[1, 0] + dJ_dz2_2 * W2[1, 1]) * (Z1[0, 1] > 0) * X[0, 0]
### END SOLUTION

# %% nbgrader={"grade": true, "grade_id": "test_dj_dw1_12", "locked": true, "points": 2, "schema_version": 3, "solution": false, "task": false}
"""dj_dw1_12: one number (a float, a NumPy scalar or a 1-element array)."""
check_number(dj_dw1_12, "dj_dw1_12")
known.check(dj_dw1_12, "dj_dw1_12")
check_that(np.isclose(float(np.sum(dj_dw1_12)), slope_of_your_cost("W1", (0, 1)), rtol=1e-5, atol=1e-4),
           "`dj_dw1_12` disagrees with the slope of your `cost_first_point` in W1[0, 1] "
           "(if test_cost_first_point passes, look again at each factor of the chain).")
### BEGIN HIDDEN TESTS
check_close(dj_dw1_12, -1.447507994982, "dj_dw1_12")
### END HIDDEN TESTS

# %% nbgrader={"grade": false, "grade_id": "exercise_4_more", "locked": false, "schema_version": 3, "solution": true, "task": false}
# Define dj_dw1_11, dj_dw1_13, dj_dw1_22 and dj_dw1_23.
### BEGIN SOLUTION
dj_dw1_11 = (dJ_dz2_1 * W2[0, 0] + dJ_dz2_2 * W2[0, 1]) * (Z1[0, 0] > 0) * X[0, 0]
dj_dw1_13 = (dJ_dz2_1 * W2[2, 0] + dJ_dz2_2 * W2[2, 1]) * (Z1[0, 2] > 0) * X[0, 0]
dj_dw1_22 = (dJ_dz2_1 * W2[1, 0] + dJ_dz2_2 * W2[1, 1]) * (Z1[0, 1] > 0) * X[0, 1]
dj_dw1_23 = (dJ_dz2_1 * W2[2, 0] + dJ_dz2_2 * W2[2, 1]) * (Z1[0, 2] > 0) * X[0, 1]
### END SOLUTION

# %% nbgrader={"grade": true, "grade_id": "test_dj_dw1_11", "locked": true, "points": 1, "schema_version": 3, "solution": false, "task": false}
"""dj_dw1_11: one number (a float, a NumPy scalar or a 1-element array)."""
check_number(dj_dw1_11, "dj_dw1_11")
known.check(dj_dw1_11, "dj_dw1_11")
check_that(np.isclose(float(np.sum(dj_dw1_11)), slope_of_your_cost("W1", (0, 0)), rtol=1e-5, atol=1e-4),
           "`dj_dw1_11` disagrees with the slope of your `cost_first_point` in W1[0, 0] "
           "(if test_cost_first_point passes, look again at each factor of the chain).")
### BEGIN HIDDEN TESTS
check_close(dj_dw1_11, 0.0, "dj_dw1_11")
### END HIDDEN TESTS

# %% nbgrader={"grade": true, "grade_id": "test_dj_dw1_13", "locked": true, "points": 1, "schema_version": 3, "solution": false, "task": false}
"""dj_dw1_13: one number (a float, a NumPy scalar or a 1-element array)."""
check_number(dj_dw1_13, "dj_dw1_13")
known.check(dj_dw1_13, "dj_dw1_13")
check_that(np.isclose(float(np.sum(dj_dw1_13)), slope_of_your_cost("W1", (0, 2)), rtol=1e-5, atol=1e-4),
           "`dj_dw1_13` disagrees with the slope of your `cost_first_point` in W1[0, 2] "
           "(if test_cost_first_point passes, look again at each factor of the chain).")
### BEGIN HIDDEN TESTS
check_close(dj_dw1_13, 0.0, "dj_dw1_13")
### END HIDDEN TESTS

# %% nbgrader={"grade": true, "grade_id": "test_dj_dw1_22", "locked": true, "points": 2, "schema_version": 3, "solution": false, "task": false}
"""dj_dw1_22: one number (a float, a NumPy scalar or a 1-element array)."""
check_number(dj_dw1_22, "dj_dw1_22")
known.check(dj_dw1_22, "dj_dw1_22")
check_that(np.isclose(float(np.sum(dj_dw1_22)), slope_of_your_cost("W1", (1, 1)), rtol=1e-5, atol=1e-4),
           "`dj_dw1_22` disagrees with the slope of your `cost_first_point` in W1[1, 1] "
           "(if test_cost_first_point passes, look again at each factor of the chain).")
### BEGIN HIDDEN TESTS
check_close(dj_dw1_22, -2.064478615794, "dj_dw1_22")
### END HIDDEN TESTS

# %% nbgrader={"grade": true, "grade_id": "test_dj_dw1_23", "locked": true, "points": 1, "schema_version": 3, "solution": false, "task": false}
"""dj_dw1_23: one number (a float, a NumPy scalar or a 1-element array)."""
check_number(dj_dw1_23, "dj_dw1_23")
known.check(dj_dw1_23, "dj_dw1_23")
check_that(np.isclose(float(np.sum(dj_dw1_23)), slope_of_your_cost("W1", (1, 2)), rtol=1e-5, atol=1e-4),
           "`dj_dw1_23` disagrees with the slope of your `cost_first_point` in W1[1, 2] "
           "(if test_cost_first_point passes, look again at each factor of the chain).")
### BEGIN HIDDEN TESTS
check_close(dj_dw1_23, 0.0, "dj_dw1_23")
### END HIDDEN TESTS

# %% [markdown]
# Leave out the path through the first unit of layer 2 and none of your five numbers changes: for
# this point and these weights that unit is dead, so its path carries 0 (4.5 says why). The chain
# rule does not know that in advance; it adds every path, and with other weights both carry a
# derivative. Write the derivative for any weights, as a function:
# `dj_dw1(i, j, W1, W2, W3)` is $\partial J / \partial w^{(1)}_{i,j}$ for the first data point,
# with $i$ and $j$ counted from 1 as in the names above, so `dj_dw1(1, 2, W1, W2, W3)` is your
# `dj_dw1_12`. Get the values it needs from your `forward`, run on `X[:1]` with the weights given.

# %% nbgrader={"grade": false, "grade_id": "exercise_4_any_weights", "locked": false, "schema_version": 3, "solution": true, "task": false}
def dj_dw1(i, j, W1, W2, W3):
    """dJ/dw1_ij for the first data point, for any weights W1 (2, 3), W2 (3, 2), W3 (2, 1).

    i, j: counted from 1, as in the notation (the weight W1[i - 1, j - 1]). Returns a number.
    """
    ### BEGIN SOLUTION
    Z1, X1, Z2, X2, Z3, X3 = forward(X[:1], W1, W2, W3)
    dJ_dz2 = (X3[0, 0] - Y[0, 0]) * W3[:, 0] * (Z2[0] > 0)
    paths = dJ_dz2[0] * W2[j - 1, 0] + dJ_dz2[1] * W2[j - 1, 1]
    return paths * (Z1[0, j - 1] > 0) * X[0, i - 1]
    ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "test_dj_dw1_paths", "locked": true, "points": 2, "schema_version": 3, "solution": false, "task": false}
"""dj_dw1: a number; it repeats your dj_dw1_12, and adds both paths when both units of layer 2 are alive."""
check_number(dj_dw1(1, 2, W1, W2, W3), "dj_dw1(1, 2, W1, W2, W3)")
check_that(np.isclose(float(np.sum(dj_dw1(1, 2, W1, W2, W3))), float(np.sum(dj_dw1_12))),
           "`dj_dw1(1, 2, W1, W2, W3)` should repeat your `dj_dw1_12`.")
# positive weights into both hidden layers: every unit is alive for the first point
rng_alive_ = np.random.default_rng(23)
alive_ = (rng_alive_.uniform(0.01, 0.1, size=(2, 3)), rng_alive_.uniform(0.1, 1.0, size=(3, 2)),
          rng_alive_.normal(size=(2, 1)))
known.confirm(np.array([[float(np.sum(dj_dw1(i, j, *alive_))) for j in (1, 2, 3)] for i in (1, 2)]),
              "dj_dw1 for the six weights of layer 1, with both units of layer 2 alive")
### BEGIN HIDDEN TESTS
### BEGIN REFERENCE
def reference_dj_dw1_(i, j, V1, V2, V3):
    """Both paths from w1_ij to the cost of the first point, added."""
    z1 = X[0] @ V1
    z2 = np.maximum(z1, 0) @ V2
    d2 = (np.maximum(z2, 0) @ V3[:, 0] - Y[0, 0]) * V3[:, 0] * (z2 > 0)
    return (d2 @ V2[j - 1]) * (z1[j - 1] > 0) * X[0, i - 1]
### END REFERENCE
rng_paths = np.random.default_rng(24)
weight_sets = [(rng_paths.uniform(0.01, 0.1, size=(2, 3)), rng_paths.uniform(0.1, 1.0, size=(3, 2)),
                rng_paths.normal(size=(2, 1))) for _ in range(3)]
for V1, V2, V3 in weight_sets:
    for i, j in [(1, 2), (2, 3), (1, 1)]:
        check_close(dj_dw1(i, j, V1, V2, V3), reference_dj_dw1_(i, j, V1, V2, V3),
                    f"dj_dw1({i}, {j}, ...) with both units of layer 2 alive")
### END HIDDEN TESTS

# %% [markdown]
# ### 4.5 Why so many zeros?
#
# Seven of your eleven derivatives are exactly 0, and it is not an accident of rounding. Look at
# `Z1[0]` and `Z2[0]` printed above. A unit whose pre-activation $z$ (the weighted sum
# that goes into its ReLU) is negative is **dead** for this
# data point: its ReLU outputs 0, and its derivative $\mathrm{ReLU}'(z)$ is 0 too. Then
#
# - every weight *leaving* a dead unit multiplies an activation of 0, so the cost does not
#   notice it (the factor $x^{(1)}_i$ above), and
# - every weight *entering* a dead unit has its path cut by the gate $\mathrm{ReLU}'(z) = 0$, and
#   so is every path that runs *through* that unit.
#
# Before you go on, explain two of your zeros to yourself: why is `dj_dw2_12` zero although the
# unit it enters is alive? And why is `dj_dw1_12` *not* zero although one of its two paths runs
# through a dead unit? (The drawings above show the activations you need.)
#
# Record which units are dead for the first point, as boolean arrays: `dead_layer1` of shape
# `(3,)` and `dead_layer2` of shape `(2,)`, `True` where the unit's ReLU outputs 0.

# %% nbgrader={"grade": false, "grade_id": "dead_units", "locked": false, "schema_version": 3, "solution": true, "task": false}
# Define dead_layer1 (3 values) and dead_layer2 (2 values).
### BEGIN SOLUTION
dead_layer1 = Z1[0] <= 0
dead_layer2 = Z2[0] <= 0
### END SOLUTION

# %% nbgrader={"grade": true, "grade_id": "test_dead_layer1", "locked": true, "points": 1, "schema_version": 3, "solution": false, "task": false}
"""dead_layer1: 3 booleans (or 0/1), one per unit of the layer."""
check_that(np.size(dead_layer1) == 3, "`dead_layer1` should hold 3 values, one per unit.")
flags = np.asarray(dead_layer1).reshape(-1)
check_that(flags.dtype == bool or np.all(np.isin(flags, [0, 1])),
           "`dead_layer1` should hold True/False (or 1/0), not the pre-activations themselves.")
### BEGIN HIDDEN TESTS
check_close(flags.astype(bool).astype(float), [1.0, 0.0, 1.0], "dead_layer1")
### END HIDDEN TESTS

# %% nbgrader={"grade": true, "grade_id": "test_dead_layer2", "locked": true, "points": 1, "schema_version": 3, "solution": false, "task": false}
"""dead_layer2: 2 booleans (or 0/1), one per unit of the layer."""
check_that(np.size(dead_layer2) == 2, "`dead_layer2` should hold 2 values, one per unit.")
flags = np.asarray(dead_layer2).reshape(-1)
check_that(flags.dtype == bool or np.all(np.isin(flags, [0, 1])),
           "`dead_layer2` should hold True/False (or 1/0), not the pre-activations themselves.")
### BEGIN HIDDEN TESTS
check_close(flags.astype(bool).astype(float), [1.0, 0.0], "dead_layer2")
### END HIDDEN TESTS

# %% [markdown]
# Now look at all ten data points at once. A unit that is dead for *every* point never passes any
# derivative back, so gradient descent can never change the weights that enter it: it stays dead
# for good. This is the "dying ReLU" problem, and it is one reason why weights are initialised
# with care (Assignment 7).

# %%
print("layer 1, dead for every point:", np.all(Z1 <= 0, axis=0))
print("layer 2, dead for every point:", np.all(Z2 <= 0, axis=0))

# %% [markdown]
# **In your own words: why a dead unit gets no gradient.** Unit 1 of layer 1 is dead for the
# first point ($z^{(1)}_1 = -0.314$), and the cell above shows it is dead for all ten points.
# Explain, in the cell below (a person grades this answer, out of 3 points):
#
# 1. why each weight *entering* that unit, $w^{(1)}_{1,1}$ and $w^{(1)}_{2,1}$, gets a derivative
#    of exactly 0 from the first point (your `dj_dw1_11` is 0): which factor of the chain rule is 0,
#    and why is it exactly 0 and not just small?
# 2. what it means for training: gradient descent follows the derivative of the cost $J$ over all
#    ten points. Can it ever change these two weights? Can the unit come back to life?

# %% [markdown] nbgrader={"grade": true, "grade_id": "explain_dead_unit", "locked": false, "points": 3, "schema_version": 3, "solution": true, "task": false}
# ### BEGIN SOLUTION
# **Model answer.**
#
# 1. By the chain rule, $\partial J/\partial w^{(1)}_{i,1} = x^{(0)}_i \cdot
#    \partial J/\partial z^{(1)}_1$, and $\partial J/\partial z^{(1)}_1$ is everything that arrives
#    from layer 2 times the gate $\mathrm{ReLU}'(z^{(1)}_1)$. Here $z^{(1)}_1 = -0.314 < 0$, so
#    $\mathrm{ReLU}'(z^{(1)}_1) = 0$ and the whole product is 0, however large the other factors
#    (the inputs $6.1$ and $8.7$ are not small). It is exactly 0, not rounding: the ReLU is flat
#    for negative $z$, so a small nudge of $w^{(1)}_{1,1}$ moves $z^{(1)}_1$ a little but leaves it
#    negative, the unit still outputs 0, and nothing after it, not even $J$, changes at all.
# 2. The derivative of $J$ over all ten points is the mean of the ten per-point derivatives. The
#    unit is dead for every point, so every term is 0 and so is the mean: gradient descent never
#    changes $w^{(1)}_{1,1}$ and $w^{(1)}_{2,1}$. The unit's input is the data itself, which never
#    changes either, so $z^{(1)}_1$ stays negative for every point: the unit stays dead for good
#    (the "dying ReLU"). The weights leaving it get 0 too (they multiply an activation of 0), so
#    the network trains as if it had one hidden unit fewer. (A unit of a later layer could come
#    back if the layers before it change its inputs; this one cannot.)
#
# **Rubric (3 points; for the grader, never released).**
#
# - 1 point: the factor $\mathrm{ReLU}'(z^{(1)}_1) = 0$ (or "the ReLU's slope is 0 for negative
#   $z$", "the gate is closed") multiplies every path into the weight, so the product is 0.
# - 1 point: why *exactly* 0: the ReLU is flat below 0, a small change of the weight does not
#   change the unit's output or $J$. Half a point if only "the output is 0" is given (that alone
#   explains the weights *leaving* the unit, not the ones entering it).
# - 1 point: the gradient over all ten points is a sum or mean of zeros, so gradient descent
#   never changes these weights, and since the inputs are fixed data the unit stays dead for good.
#   Half a point for "the weights stop changing" with no reason why the unit cannot revive.
# - Common wrong ideas: "because the weights are small", "vanishing gradients" or "rounding" (no
#   point for part 1: the cause is the gate, not the size of the numbers); "the unit revives when
#   the other weights change" (no point for the last part: nothing that feeds this unit changes);
#   "the input is 0" (the inputs are 6.1 and 8.7; it is the unit's *output* that is 0).
# ### END SOLUTION

# %% [markdown]
# ### 4.6 From single weights to matrices
#
# Look back at the pattern of your eleven derivatives. Each one is a product of two factors: the
# activation at the **start** of the weight's edge, and $\partial J/\partial z$ at its **end**
# (for $w^{(2)}_{i,j}$, that is $x^{(1)}_i$ times $\partial J/\partial z^{(2)}_j$). Collect the
# $\partial J/\partial z$ of a layer in a row, $\delta^{(l)}$, and the derivatives of all the
# weights of that layer form one matrix, an outer product:
#
# $$\frac{\partial J}{\partial W^{(l)}} = X^{(l-1)\top}\,\delta^{(l)}.$$
#
# And $\delta^{(l)}$ does not need a path-by-path sum either: in 4.4 you wrote
# $\partial J/\partial z^{(2)}_k = \partial J/\partial z^{(3)}_1 \cdot w^{(3)}_{k,1} \cdot
# \mathrm{ReLU}'(z^{(2)}_k)$ for each $k$. For all $k$ at once that is one matrix product with the
# next layer's weights and one ReLU gate, and the same step, one layer further down, gives
# $\delta^{(1)}$ from $\delta^{(2)}$. Running that step from the output back to the input is
# **backpropagation**; Assignment 4 builds it for any network.
#
# Work with the first data point as a batch of one row (`X[:1]`, `Z1[:1]`, ...), so that every
# array is 2-D. The shapes are your guide:
#
# | array | what it holds | shape |
# |---|---|---|
# | `X[:1]`, `X1[:1]`, `X2[:1]` | activations entering layers 1, 2, 3 | `(1, 2)`, `(1, 3)`, `(1, 2)` |
# | `dJ_dZ3` | $\delta^{(3)} = \partial J/\partial z^{(3)}$ | `(1, 1)` |
# | `delta2` | $\delta^{(2)}$: your `dJ_dz2_1` and `dJ_dz2_2` side by side | `(1, 2)` |
# | `delta1` | $\delta^{(1)}$ | `(1, 3)` |
# | `dW3_first`, `dW2_first`, `dW1_first` | all derivatives of `W3`, `W2`, `W1` | `(2, 1)`, `(3, 2)`, `(2, 3)` |
#
# First the output layer: `dJ_dZ3` (your `dJ_dz3` as a `(1, 1)` array) and `dW3_first`.

# %% nbgrader={"grade": false, "grade_id": "stack_layer3", "locked": false, "schema_version": 3, "solution": true, "task": false}
# Define dJ_dZ3, shape (1, 1), and dW3_first, shape (2, 1).
### BEGIN SOLUTION
dJ_dZ3 = X3[:1] - Y[:1]
dW3_first = X2[:1].T @ dJ_dZ3
### END SOLUTION

# %% nbgrader={"grade": true, "grade_id": "test_dW3_first", "locked": true, "points": 1, "schema_version": 3, "solution": false, "task": false}
"""dW3_first: shape (2, 1), like W3; entry [1, 0] is your dj_dw3_21."""
check_array(dJ_dZ3, "dJ_dZ3", shape=(1, 1))
check_array(dW3_first, "dW3_first", shape=(2, 1))
known.check(dW3_first, "dW3_first")
check_that(np.isclose(dW3_first[1, 0], float(np.sum(dj_dw3_21))),
           "`dW3_first[1, 0]` should be your `dj_dw3_21`: activation at the start of the edge "
           "times dJ/dz at its end.")
### BEGIN HIDDEN TESTS
### BEGIN REFERENCE
Z1_, Z2_ = X[:1] @ W1, np.maximum(X[:1] @ W1, 0) @ W2
X2_ = np.maximum(Z2_, 0)
### END REFERENCE
check_close(dW3_first, X2_.T @ (X2_ @ W3 - Y[:1]), "dW3_first")
### END HIDDEN TESTS

# %% [markdown]
# Now one step back at a time. Write `delta2` with one matrix product and one ReLU gate (no
# loop, no indices), then `dW2_first`; then the same two lines one layer further down, `delta1`
# and `dW1_first`. The shapes in the table tell you where a transpose goes.

# %% nbgrader={"grade": false, "grade_id": "delta_recursion", "locked": false, "schema_version": 3, "solution": true, "task": false}
# Define delta2 (1, 2), dW2_first (3, 2), delta1 (1, 3) and dW1_first (2, 3).
### BEGIN SOLUTION
delta2 = (dJ_dZ3 @ W3.T) * (Z2[:1] > 0)
dW2_first = X1[:1].T @ delta2
delta1 = (delta2 @ W2.T) * (Z1[:1] > 0)
dW1_first = X[:1].T @ delta1
### END SOLUTION

# %% nbgrader={"grade": true, "grade_id": "test_delta2", "locked": true, "points": 2, "schema_version": 3, "solution": false, "task": false}
"""delta2 and dW2_first: shapes (1, 2) and (3, 2); they hold your dJ_dz2_k and dj_dw2_ij."""
check_array(delta2, "delta2", shape=(1, 2))
check_array(dW2_first, "dW2_first", shape=(3, 2))
known.check(delta2, "delta2")
check_that(np.allclose(np.ravel(delta2), [float(np.sum(dJ_dz2_1)), float(np.sum(dJ_dz2_2))]),
           "`delta2` should hold your `dJ_dz2_1` and `dJ_dz2_2`: did you gate it with the ReLU "
           "slope of layer 2?")
mine_ = {(1, 0): dj_dw2_21, (0, 0): dj_dw2_11, (0, 1): dj_dw2_12, (1, 1): dj_dw2_22, (2, 0): dj_dw2_31}
check_that(all(np.isclose(dW2_first[k], float(np.sum(v))) for k, v in mine_.items()),
           "some entry of `dW2_first` differs from your single-weight derivative of 4.3.")
### BEGIN HIDDEN TESTS
### BEGIN REFERENCE
Z1_ = X[:1] @ W1
X1_ = np.maximum(Z1_, 0)
Z2_ = X1_ @ W2
d3_ = np.maximum(Z2_, 0) @ W3 - Y[:1]
d2_ = (d3_ @ W3.T) * (Z2_ > 0)
### END REFERENCE
check_close(delta2, d2_, "delta2")
check_close(dW2_first, X1_.T @ d2_, "dW2_first")
### END HIDDEN TESTS

# %% nbgrader={"grade": true, "grade_id": "test_dW1_first", "locked": true, "points": 2, "schema_version": 3, "solution": false, "task": false}
"""delta1 and dW1_first: shapes (1, 3) and (2, 3); dW1_first holds your dj_dw1_ij."""
check_array(delta1, "delta1", shape=(1, 3))
check_array(dW1_first, "dW1_first", shape=(2, 3))
known.check(dW1_first, "dW1_first")
mine_ = {(0, 1): dj_dw1_12, (0, 0): dj_dw1_11, (0, 2): dj_dw1_13, (1, 1): dj_dw1_22, (1, 2): dj_dw1_23}
check_that(all(np.isclose(dW1_first[k], float(np.sum(v))) for k, v in mine_.items()),
           "some entry of `dW1_first` differs from your single-weight derivative of 4.4.")
### BEGIN HIDDEN TESTS
### BEGIN REFERENCE
Z1_ = X[:1] @ W1
X1_ = np.maximum(Z1_, 0)
Z2_ = X1_ @ W2
d3_ = np.maximum(Z2_, 0) @ W3 - Y[:1]
d1_ = ((d3_ @ W3.T) * (Z2_ > 0) @ W2.T) * (Z1_ > 0)
### END REFERENCE
check_close(delta1, d1_, "delta1")
check_close(dW1_first, X[:1].T @ d1_, "dW1_first")
### END HIDDEN TESTS

# %% [markdown]
# Every entry agrees with the derivative you built path by path, including the zeros: a
# dead unit has a 0 in its column of `delta1` or `delta2`, and a 0 activation gives a zero row
# of the next `dW`. Two matrix products per layer replaced the whole path-by-path bookkeeping.
# With `X` in place of `X[:1]` the same lines give the gradient summed over all ten points, and
# with the $\frac1n$ of the mean cost, Assignment 4's backward pass.

# %% [markdown]
# ## Part 5 — Check your own derivatives
#
# You do not need an answer key to know whether a derivative is right: the definition of the
# derivative is a recipe for estimating it. Nudge the weight both ways by a small $\varepsilon$
# and take the slope,
#
# $$\frac{\partial J}{\partial w} \approx \frac{J(w + \varepsilon) - J(w - \varepsilon)}{2\varepsilon}.$$
#
# This **centred** difference is much better than the one-sided $(J(w + \varepsilon) - J(w))/\varepsilon$:
# its error shrinks like $\varepsilon^2$ instead of $\varepsilon$, because the curvature terms of
# the two sides cancel.
#
# Write `centred_difference(f, W, index, eps)`. Build the two nudged arrays from copies (for
# instance `W + step`, with `step` zero except at `index`) so that `W` itself is never changed.

# %% nbgrader={"grade": false, "grade_id": "centred_difference", "locked": false, "schema_version": 3, "solution": true, "task": false}
def centred_difference(f, W, index, eps=1e-5):
    """Slope of f along the entry W[index]: (f(W + eps) - f(W - eps)) / (2 eps).

    f: a function of one array shaped like W, returning a number.
    W: a float array of any shape, left unchanged. index: a tuple such as (1, 0).
    Returns a number.
    """
    ### BEGIN SOLUTION
    step = np.zeros_like(W, dtype=float)
    step[index] = eps
    return (f(W + step) - f(W - step)) / (2 * eps)
    ### END SOLUTION


# %%
centred_difference(lambda V: np.sum(V ** 2), np.array([[1.0, 3.0]]), (0, 1))  # slope of 3² is 6

# %% nbgrader={"grade": true, "grade_id": "test_centred_difference", "locked": true, "points": 2, "schema_version": 3, "solution": false, "task": false}
"""centred_difference: a number, W unchanged, and the centred (not one-sided) slope."""
V = np.array([[0.5, -1.0], [2.0, 1.5]])
slope = centred_difference(lambda M: np.sum(M ** 2), V, (1, 0))
check_number(slope, "centred_difference(...)")
check_that(np.array_equal(V, [[0.5, -1.0], [2.0, 1.5]]), "`centred_difference` changed W in place.")
wide_ = centred_difference(lambda M: np.sum(M ** 2), V, (1, 0), 0.5)
check_that(np.isclose(float(np.sum(wide_)), 2 * V[1, 0]),
           "for a parabola the centred difference is exact whatever eps, but your "
           "`centred_difference` with eps = 0.5 is not: is it (f(W + eps) - f(W - eps)) / (2 eps)?")
### BEGIN HIDDEN TESTS
check_close(slope, 4.0, "the slope of sum(W**2)")
cube = np.random.default_rng(9).normal(size=(2, 3))
for eps in (1e-2, 1e-3):
    ### BEGIN REFERENCE
    expected_ = 3 * cube[1, 2] ** 2 + eps ** 2   # exact for a cube
    ### END REFERENCE
    check_close(centred_difference(lambda M: np.sum(M ** 3), cube, (1, 2), eps), expected_,
                "the slope of sum(W**3)", rtol=1e-8)
check_close(centred_difference(lambda M: np.sum(np.sin(M)), cube, (0, 1)), np.cos(cube[0, 1]),
            "the slope of sum(sin(W)) with the default eps", rtol=1e-7)
### END HIDDEN TESTS

# %% [markdown]
# **Relative error.** Is a difference of 0.001 between two derivatives small? Next to 5000, yes;
# next to 0.002, no. So we compare with the *relative* error
# $|a - b| / (|a| + |b|)$, which ignores the scale (and is 0 when both are exactly 0). Below about
# $10^{-7}$ the two agree to the precision of the arithmetic; around $10^{-2}$ or more, one of them
# is wrong. Here is the check for all eleven of your derivatives; each is compared with the slope
# of **your** `cost_first_point`:

# %% nbgrader={"grade": false, "grade_id": "check_all", "locked": true, "schema_version": 3, "solution": false, "task": false}
WEIGHT_OF = {
    "dj_dw3_21": ("W3", (1, 0)),
    "dj_dw2_21": ("W2", (1, 0)), "dj_dw2_11": ("W2", (0, 0)), "dj_dw2_12": ("W2", (0, 1)),
    "dj_dw2_22": ("W2", (1, 1)), "dj_dw2_31": ("W2", (2, 0)),
    "dj_dw1_12": ("W1", (0, 1)), "dj_dw1_11": ("W1", (0, 0)), "dj_dw1_13": ("W1", (0, 2)),
    "dj_dw1_22": ("W1", (1, 1)), "dj_dw1_23": ("W1", (1, 2)),
}


def cost_along(matrix):
    """The first point's cost as a function of one weight matrix, the other two held fixed."""
    return lambda M: cost_first_point(**{**weights, matrix: M})


for name, (matrix, index) in WEIGHT_OF.items():
    if name not in globals():
        print(f"{name}: not defined yet")
        continue
    slope = centred_difference(cost_along(matrix), weights[matrix].copy(), index)  # a copy: W safe
    error = relative_error(globals()[name], slope)
    verdict = "agrees" if error < 1e-6 else "DISAGREES: look at this one again"
    print(f"{name}  ({matrix}{list(index)})  relative error {error:.1e}  {verdict}")

# %% [markdown]
# **Choosing $\varepsilon$.** Why $10^{-5}$ and not something far smaller? Two errors pull in
# opposite directions. A large $\varepsilon$ measures the slope over a wide stretch, where the
# curve bends (error $\propto \varepsilon^2$) or, with ReLUs, where a unit may switch on or off
# in the middle of the step and the slope jumps. A tiny $\varepsilon$ subtracts two nearly equal
# costs: each carries a rounding error of about $10^{-16}$ times its size, and dividing by
# $2\varepsilon$ blows that up (error $\propto 1/\varepsilon$). The plot measures both curves:
# the smooth logistic cost of Part 2, checked against your `logistic_gradients`, and the
# first-point cost of Figure 8, checked against your `dj_dw2_22`.

# %% nbgrader={"grade": false, "grade_id": "eps_plot", "locked": true, "schema_version": 3, "solution": false, "task": false}
eps_values = np.logspace(-12, -0.5, 47)
logistic_dw = logistic_gradients(X_batch, Y_batch, w, b)[0][0, 0]
logistic_errors = [
    relative_error(logistic_dw, centred_difference(
        lambda M: logistic_cost(X_batch, Y_batch, M, b), w.copy(), (0, 0), eps))
    for eps in eps_values
]
relu_errors = [
    relative_error(dj_dw2_22, centred_difference(cost_along("W2"), W2.copy(), (1, 1), eps))
    for eps in eps_values
]
fig, ax = plt.subplots(figsize=(6.5, 3.8))
ax.loglog(eps_values, np.maximum(logistic_errors, 1e-17), "o-", ms=3, label="logistic cost, w[0]")
ax.loglog(eps_values, np.maximum(relu_errors, 1e-17), "s-", ms=3, label="Figure 8 cost, W2[1, 1]")
ax.axvline(1e-5, color="gray", ls="--", lw=1)
ax.set_xlabel("ε")
ax.set_ylabel("relative error")
ax.set_title("Centred difference against your own derivative")
ax.legend()
plt.show()

# %% [markdown]
# Read the plot from the left: the error first falls as rounding matters less, then rises again.
# For the logistic cost it rises smoothly, like $\varepsilon^2$. For the Figure 8 cost, which is
# an exact parabola in one weight as long as no ReLU switches, the centred difference has no
# curvature error at all; the error jumps only once $\varepsilon$ is large enough to push
# $z^{(2)}_2$ below zero. Anywhere near $\varepsilon = 10^{-5}$ is safe for both.
#
# *Think about it:* checking all the weights this way costs two forward passes per weight. For a
# network with a million weights that is two million forward passes for one gradient. Assignment 4
# computes all of them in about the time of one extra pass, by sharing the factors
# ($\partial J/\partial z^{(3)}_1$, $\partial J/\partial z^{(2)}_k$, ...) you kept recomputing
# in Part 4, as the rows $\delta^{(l)}$ of 4.6 do: that is backpropagation.

# %% [markdown]
# ## Where you stand
#
# Run the cell below whenever you like: it runs every check of this notebook again and prints one line for each, the first thing to fix at the top, and a known mistake by its name. It shows no answers and no tracebacks. Its last line says what the checks cannot decide: the points of the cells whose values no check compares with the right ones, which only the graded run decides. A line of ticks is a good sign, not a promise of full marks.

# %% nbgrader={"grade": false, "grade_id": "summary", "locked": true, "schema_version": 3, "solution": false, "task": false}
from workbook.summary import summarise

summarise("derivatives.ipynb")
