# %% [markdown]
# # Assignment 1 — The forward pass
#
# A neural network is a chain of very simple steps: multiply by a matrix, add a bias, bend the
# result with an activation function, and repeat. In this assignment you run that chain by hand
# and then with matrices, on two small networks whose numbers you can check on paper:
#
# 1. a three-layer ReLU network with three inputs, first with one output and then with three
#    outputs turned into class probabilities (softmax) and scored with cross-entropy;
# 2. the 2-3-2-1 regression network of the "Figure 8" data set, run on all ten data points at
#    once with one matrix product per layer, and its mean squared error cost;
# 3. the same computation written with inputs as *rows* instead of *columns*;
# 4. what goes wrong when the activation functions are left out.
#
# Every later assignment builds on the names you define here (`Z1, X1, Z2, X2, Z3, X3`, ...), so keep
# them exactly as asked.
#
# **How the checks work.** After each answer cell comes a test cell. It first runs *visible* checks
# (is it the right type? the right shape? does it have a property every right answer has?) and
# tells you what to fix, without revealing the answer. Where your value has many digits (an array
# computed from random inputs), a check compares it with the right one through a *fingerprint*, a
# scrambled summary of the rounded value that says "right" or "not right" but cannot be turned
# back into the answer; where it matches the value a known mistake gives, the check names that
# mistake. When your notebook is graded, *hidden* checks also try your code on new inputs, so
# passing the visible checks is necessary but not always sufficient. Replace every `raise NotImplementedError()` with your code, then use
# *Kernel → Restart and Run All* before you submit.
#
# **Sources.** The examples and numbers come from three tutorials, retold here in our own words:
# - Princeton COS 324, *Introduction to Machine Learning*, chapter 11, "Feedforward Neural Network
#   and Backpropagation" (princeton-introml.github.io, `files/ch11.pdf`): the ReLU network of Part 1,
#   softmax and cross-entropy, counting weights, and why nonlinearity matters.
# - Khiem Nguyen, "Neural network: a gentle introduction", University of Glasgow lecture slides
#   (github.com/khiemnguyen0407/uog-ml): the row-vector convention of Part 3.
# - Rodolfo Lourenzutti, "Feed Forward Neural Network" (lourenzutti.github.io/posts/fnn):
#   the Figure 8 data set, its network and Exercise 1 in Part 2.

# %% nbgrader={"grade": false, "grade_id": "setup", "locked": true, "schema_version": 3, "solution": false, "task": false}
import matplotlib.pyplot as plt
import numpy as np

from workbook.checks import check_array, check_close, check_number, check_that
from workbook.data import cos324_network, figure8_data, figure8_weights
from workbook.diagrams import draw_network
from workbook.fingerprints import Fingerprints

known = Fingerprints("forward_pass")   # recognises known mistakes (see the checks below)

# %% [markdown]
# ## Part 1 — A small ReLU network, one input at a time
#
# The first network takes an input $\mathbf{x} = (x_1, x_2, x_3)$, has two hidden layers of two
# units each, and no biases. Every hidden unit computes a weighted sum of the previous layer and
# passes it through the **ReLU**, $\mathrm{ReLU}(z) = \max(0, z)$, which keeps positive numbers and
# replaces negative ones with 0.
#
# We write vectors as **columns** here: $\mathbf{x}$ is a $3 \times 1$ matrix, and the weight matrix
# $\mathbf{W}^{(1)}$ has one *row per unit of the layer it feeds*, so its shape is $2 \times 3$:
#
# $$\mathbf{h}^{(1)} = \mathrm{ReLU}\big(\mathbf{W}^{(1)}\mathbf{x}\big), \qquad
# \mathbf{h}^{(2)} = \mathrm{ReLU}\big(\mathbf{W}^{(2)}\mathbf{h}^{(1)}\big), \qquad
# o = \mathbf{w}^{(o)}\mathbf{h}^{(2)}.$$
#
# Entry $(i, j)$ of $\mathbf{W}^{(1)}$ is the weight on the edge from input $x_j$ to hidden unit
# $h^{(1)}_i$. The output unit has no activation. The cell below loads the weights and the input
# $\mathbf{x} = (1, 1, 1)$.

# %% nbgrader={"grade": false, "grade_id": "load_cos324", "locked": true, "schema_version": 3, "solution": false, "task": false}
net = cos324_network()
x, W1, W2, w_out, W_out = net["x"], net["W1"], net["W2"], net["w_out"], net["W_out"]
for name, value in net.items():
    print(f"{name:6s} shape {str(value.shape):7s}", value.tolist())

# %% [markdown]
# The same network as a picture: one circle per unit, inputs on the left, and on each edge the
# weight it multiplies by. In the column convention the weight from input $x_j$ to hidden unit
# $h^{(1)}_i$ is `W1[i, j]`: the row says where the edge arrives, the column where it leaves.

# %%
draw_network([W1, W2, w_out], convention="column", title="The one-output network")
plt.show()


# %% [markdown]
# ### 1.1 ReLU
#
# Write `relu(z)`: it must work on a number or on an array of any shape, element by element, and
# return a new array (leave its input unchanged).

# %% nbgrader={"grade": false, "grade_id": "relu", "locked": false, "schema_version": 3, "solution": true, "task": false}
def relu(z):
    """Element-wise max(0, z) for a number or an array of any shape."""
    ### BEGIN SOLUTION
    return np.maximum(z, 0)
    ### END SOLUTION


# %%
relu(np.array([-2.0, 0.0, 3.5]))  # try it

# %% nbgrader={"grade": true, "grade_id": "test_relu", "locked": true, "points": 1, "schema_version": 3, "solution": false, "task": false}
"""relu: element-wise, any shape, never negative, input left unchanged."""
z = np.array([[-2.0, 0.5], [3.0, -0.25]])
check_array(relu(z), "relu(z)", shape=z.shape)
check_that(np.all(relu(z) >= 0), "`relu(z)` has a negative entry.")
fresh = np.array([-1.0, 2.0, -3.0])
relu(fresh)
check_that(np.array_equal(fresh, [-1.0, 2.0, -3.0]), "relu changed its input in place.")
known.confirm(relu(np.random.default_rng(3).normal(size=(3, 4))), "relu of a random (3, 4) array")
### BEGIN HIDDEN TESTS
check_close(relu(z), [[0.0, 0.5], [3.0, 0.0]], "relu(z)")
cube = np.random.default_rng(7).normal(size=(4, 5, 3))
check_close(relu(cube), np.where(cube > 0, cube, 0.0), "relu of a 3-D array")
check_close(relu(np.array(-1.5)), 0.0, "relu(-1.5)")
check_close(relu(2.5), 2.5, "relu(2.5)")
### END HIDDEN TESTS

# %% [markdown]
# ### 1.2 The hidden layers
#
# Compute the two hidden layers for $\mathbf{x} = (1, 1, 1)$ as column vectors of shape `(2, 1)`:
# `h1` for $\mathbf{h}^{(1)}$ and `h2` for $\mathbf{h}^{(2)}$.
# Work out $h^{(1)}_1 = \mathrm{ReLU}(2 \cdot 1 - 3 \cdot 1 + 0 \cdot 1)$ on paper first, then let NumPy
# do it with `@`, the matrix product.

# %% nbgrader={"grade": false, "grade_id": "hidden_layers", "locked": false, "schema_version": 3, "solution": true, "task": false}
### BEGIN SOLUTION
h1 = relu(W1 @ x)
h2 = relu(W2 @ h1)
### END SOLUTION

# %% nbgrader={"grade": true, "grade_id": "test_h1", "locked": true, "points": 1, "schema_version": 3, "solution": false, "task": false}
"""h1: a (2, 1) column of ReLU outputs."""
check_array(h1, "h1", shape=(2, 1))
check_that(np.all(h1 >= 0), "`h1` has a negative entry, but a ReLU never outputs one.")
known.check(h1, "h1")
### BEGIN HIDDEN TESTS
check_close(h1, [[0.0], [2.0]], "h1")
### END HIDDEN TESTS

# %% nbgrader={"grade": true, "grade_id": "test_h2", "locked": true, "points": 1, "schema_version": 3, "solution": false, "task": false}
"""h2: a (2, 1) column of ReLU outputs, computed from h1."""
check_array(h2, "h2", shape=(2, 1))
check_that(np.all(h2 >= 0), "`h2` has a negative entry, but a ReLU never outputs one.")
check_that(np.allclose(h2, relu(W2 @ h1)), "`h2` should be the ReLU of `W2 @ h1` (your `h1`).")
### BEGIN HIDDEN TESTS
check_close(h2, [[4.0], [0.0]], "h2")
### END HIDDEN TESTS

# %% [markdown]
# ### 1.3 One output and the squared loss
#
# With a single output unit (weights `w_out`, shape `(1, 2)`), compute the output `o` and the
# squared loss $(y - o)^2$ for the target $y = 0$, as `squared_loss`. A single number may be a
# Python float, a NumPy scalar or a `(1, 1)` array: all are accepted.

# %% nbgrader={"grade": false, "grade_id": "single_output", "locked": false, "schema_version": 3, "solution": true, "task": false}
y = 0.0
### BEGIN SOLUTION
o = w_out @ h2
squared_loss = (y - o) ** 2
### END SOLUTION

# %% nbgrader={"grade": true, "grade_id": "test_o", "locked": true, "points": 1, "schema_version": 3, "solution": false, "task": false}
"""o: one number, the output of the single-output network, computed from h2."""
check_number(o, "o")
check_that(np.isclose(float(np.sum(o)), float(np.sum(w_out @ h2))),
           "`o` should be `w_out @ h2` (your `h2`): the output unit has no activation.")
### BEGIN HIDDEN TESTS
check_close(o, -4.0, "o")
### END HIDDEN TESTS

# %% nbgrader={"grade": true, "grade_id": "test_squared_loss", "locked": true, "points": 1, "schema_version": 3, "solution": false, "task": false}
"""squared_loss: one non-negative number."""
check_number(squared_loss, "squared_loss")
check_that(np.all(np.asarray(squared_loss) >= 0), "`squared_loss` is negative: a square never is.")
check_that(np.isclose(float(np.sum(squared_loss)), (y - float(np.sum(o))) ** 2),
           "`squared_loss` should be (y - o) squared, with your `o`.")
### BEGIN HIDDEN TESTS
check_close(squared_loss, 16.0, "squared_loss")
### END HIDDEN TESTS

# %% [markdown]
# Your numbers, drawn where they live: each circle shows the value you computed for that unit at
# $\mathbf{x} = (1, 1, 1)$. Check one hidden unit by hand against the weights on its incoming edges.

# %%
draw_network([W1, W2, w_out], convention="column", values=[x, h1, h2, o],
             title="Your forward pass at x = (1, 1, 1)")
plt.show()

# %% [markdown]
# ### 1.4 Three outputs and the softmax
#
# For classification into three classes the same hidden layers feed three output units, with the
# $3 \times 2$ weight matrix `W_out`. Compute the raw outputs (often called *logits*) `o3`, a
# `(3, 1)` column.
#
# The **softmax** turns logits into probabilities:
# $\mathrm{softmax}(\mathbf{o})_k = e^{o_k} / \sum_j e^{o_j}$. Computed literally, $e^{1000}$
# overflows to `inf` and the result becomes `nan`. Because adding the same constant $c$ to every
# logit multiplies numerator and denominator by $e^{c}$, the result does not change; choosing
# $c = -\max_j o_j$ makes every exponent $\le 0$, so nothing can overflow.
#
# Write `softmax(v)` for a column vector (shape `(k, 1)`; a flat `(k,)` vector should work too),
# using that trick, and compute the class probabilities `p = softmax(o3)`.

# %% nbgrader={"grade": false, "grade_id": "three_outputs", "locked": false, "schema_version": 3, "solution": true, "task": false}
### BEGIN SOLUTION
o3 = W_out @ h2
### END SOLUTION

# %% nbgrader={"grade": true, "grade_id": "test_o3", "locked": true, "points": 1, "schema_version": 3, "solution": false, "task": false}
"""o3: the (3, 1) column of logits, computed from h2."""
check_array(o3, "o3", shape=(3, 1))
check_that(np.allclose(o3, W_out @ h2), "`o3` should be `W_out @ h2` (your `h2`), with no activation.")
### BEGIN HIDDEN TESTS
check_close(o3, [[-4.0], [8.0], [4.0]], "o3")
### END HIDDEN TESTS

# %% [markdown]
# The three-output network differs only in its last layer:

# %%
draw_network([W1, W2, W_out], convention="column", values=[x, h1, h2, o3],
             title="Three outputs: your logits o3 on the right")
plt.show()


# %% nbgrader={"grade": false, "grade_id": "softmax", "locked": false, "schema_version": 3, "solution": true, "task": false}
def softmax(v):
    """Probabilities from the logits v (shape (k, 1) or (k,)), without overflow."""
    ### BEGIN SOLUTION
    e = np.exp(v - np.max(v))
    return e / np.sum(e)
    ### END SOLUTION


### BEGIN SOLUTION
p = softmax(o3)
### END SOLUTION

# %%
softmax(np.array([[1.0], [2.0], [3.0]]))  # try it: the largest logit gets the largest share

# %% nbgrader={"grade": true, "grade_id": "test_softmax", "locked": true, "points": 2, "schema_version": 3, "solution": false, "task": false}
"""softmax: same shape, entries in [0, 1] that sum to 1, no overflow; p is the softmax of o3."""
probs = softmax(np.array([[1.0], [2.0], [3.0]]))
check_array(probs, "softmax(v)", shape=(3, 1))
check_that(np.all((probs >= 0) & (probs <= 1)), "softmax gave an entry outside [0, 1].")
check_that(abs(np.sum(probs) - 1) < 1e-9, "the entries of softmax(v) do not sum to 1.")
huge_ = softmax(np.array([[1000.0], [1001.0], [999.0]]))
check_array(huge_, "softmax of the logits 1000, 1001, 999", shape=(3, 1))
check_that(abs(np.sum(huge_) - 1) < 1e-9, "softmax of large logits does not sum to 1.")
check_array(softmax(np.array([-3.0, 0.0, 2.0, 5.0])), "softmax of a flat vector", shape=(4,))
known.confirm(softmax(np.random.default_rng(4).normal(size=(6, 1))),
              "softmax of six random logits")
check_array(p, "p", shape=(3, 1))
check_that(np.allclose(p, softmax(o3)), "`p` should be `softmax(o3)`.")
### BEGIN HIDDEN TESTS
check_close(p, [[6.0336648e-06], [0.98200787], [0.01798610]], "p")
check_close(probs, [[0.09003057], [0.24472847], [0.66524096]], "softmax(v)")
huge = softmax(np.array([[1000.0], [1001.0], [999.0]]))
check_close(huge, [[0.24472847], [0.66524096], [0.09003057]], "softmax of large logits")
flat = softmax(np.array([-3.0, 0.0, 2.0, 5.0]))
check_close(flat, [3.1741430e-04, 6.3754366e-03, 4.7108459e-02, 9.4619869e-01], "softmax(flat)")
### END HIDDEN TESTS

# %% [markdown]
# ### 1.5 Cross-entropy, and a counting slip in the source
#
# Write $\hat{\mathbf{o}} = \mathrm{softmax}(\mathbf{o})$ for the class probabilities (your `p`).
# If the true class is $y$, the cross-entropy loss is $-\log \hat{o}_y$: small when the network
# gives the true class a high probability, large when it does not.
#
# Python counts from 0, so the three classes are `0, 1, 2`. The COS 324 notes number them from 1
# and, in their example, write "$y = 2$ gives about 4.02" while the formula they show uses the
# *second* probability, $e^8/(e^{-4}+e^8+e^4) \approx 0.98$, whose loss is only about 0.02. The
# value 4.02 belongs to the **third** class — label `2` when counting from 0. We count from 0
# throughout this course.
#
# Write `cross_entropy(p, label)` returning $-\log$ of the probability that `p` gives class `label`
# (counted from 0), and compute `ce_label2`, the loss of your `p` when the true label is `2`.

# %% nbgrader={"grade": false, "grade_id": "cross_entropy", "locked": false, "schema_version": 3, "solution": true, "task": false}
def cross_entropy(p, label):
    """-log of the probability of class `label` (0-based) in the probability vector p."""
    ### BEGIN SOLUTION
    return -np.log(np.ravel(p)[label])
    ### END SOLUTION


### BEGIN SOLUTION
ce_label2 = cross_entropy(p, 2)
### END SOLUTION

# %% nbgrader={"grade": true, "grade_id": "test_cross_entropy", "locked": true, "points": 2, "schema_version": 3, "solution": false, "task": false}
"""cross_entropy: one positive number per label; labels count from 0."""
check_number(cross_entropy(p, 1), "cross_entropy(p, 1)")
check_number(ce_label2, "ce_label2")
check_that(float(np.ravel(ce_label2)[0]) > 0, "`ce_label2` should be positive.")
probs_ = np.random.default_rng(5).dirichlet(np.ones(5))
known.confirm(np.array([float(np.sum(cross_entropy(probs_, k))) for k in range(5)]),
              "cross_entropy of five random probabilities, label by label")
known.check(ce_label2, "ce_label2")
### BEGIN HIDDEN TESTS
check_close(ce_label2, 4.01815596, "ce_label2")
check_close(cross_entropy(p, 0), 12.01815596, "cross_entropy(p, 0)")
q = np.array([[0.1], [0.2], [0.7]])
check_close(cross_entropy(q, 2), 0.35667494, "cross_entropy(q, 2)")
check_close(cross_entropy(q.ravel(), 0), 2.30258509, "cross_entropy of a flat vector")
### END HIDDEN TESTS

# %% [markdown]
# ### 1.6 Counting weights
#
# A fully connected layer from $d_i$ units to $d_{i+1}$ units has $d_i \cdot d_{i+1}$ weights, so a
# network with layer sizes $d_0, d_1, \dots, d_L$ has $\sum_{i=0}^{L-1} d_i\, d_{i+1}$ weights
# (this network has no biases; we count those separately in later assignments).
#
# Write `count_weights(layer_sizes)` and use it for the three-output network above (sizes 3, 2, 2, 3)
# to set `n_weights`.

# %% nbgrader={"grade": false, "grade_id": "count_weights", "locked": false, "schema_version": 3, "solution": true, "task": false}
def count_weights(layer_sizes):
    """Number of weights of a fully connected network without biases, e.g. [3, 2, 2, 3]."""
    ### BEGIN SOLUTION
    return sum(a * b for a, b in zip(layer_sizes[:-1], layer_sizes[1:], strict=True))
    ### END SOLUTION


### BEGIN SOLUTION
n_weights = count_weights([3, 2, 2, 3])
### END SOLUTION

# %% nbgrader={"grade": true, "grade_id": "test_count_weights", "locked": true, "points": 2, "schema_version": 3, "solution": false, "task": false}
"""count_weights: a whole number, for any list of layer sizes."""
check_number(n_weights, "n_weights")
check_that(float(n_weights) == int(n_weights), "`n_weights` should be a whole number.")
check_number(count_weights([4, 1]), "count_weights([4, 1])")
check_that(count_weights([1, 1]) == 1, "count_weights([1, 1]) should be 1: one unit feeding one "
           "unit is one edge, one weight (biases are not counted here).")
check_that(count_weights([2, 3, 4]) == count_weights([2, 3]) + count_weights([3, 4]),
           "count_weights of three layers should be the sum over its two pairs of neighbouring "
           "layers: does the loop reach the last pair?")
### BEGIN HIDDEN TESTS
check_close(n_weights, 16, "n_weights")
check_close(count_weights([4, 1]), 4, "count_weights([4, 1])")
check_close(count_weights([3, 5, 5, 3, 1]), 58, "count_weights([3, 5, 5, 3, 1])")
check_close(count_weights((784, 512, 512, 10)), 668672, "count_weights((784, 512, 512, 10))")
### END HIDDEN TESTS

# %% [markdown]
# ## Part 2 — A whole data set at once: the Figure 8 network
#
# Now a regression problem: ten points with two features each, and a target close to
# $x_1^2 + x_2^2$ (plus noise). The network has layer sizes 2, 3, 2, 1: two ReLU hidden layers and an
# identity output, so it can predict any real number.
#
# From here on we follow the other common convention: each **data point is a row**. The inputs
# form a $10 \times 2$ matrix $\mathbf{X}$, and the weight matrix of layer $l$ has shape
# $n_{l-1} \times n_l$ (inputs by outputs), so one matrix product handles all ten points:
#
# $$\mathbf{Z}^{(l)} = \mathbf{X}^{(l-1)}\mathbf{W}^{(l)} + \mathbf{b}^{(l)}, \qquad
# \mathbf{X}^{(l)} = a\big(\mathbf{Z}^{(l)}\big), \qquad \mathbf{X}^{(0)} = \mathbf{X}.$$
#
# Row $i$ of $\mathbf{Z}^{(l)}$ holds the weighted sums (the *pre-activations*) of layer $l$ for data
# point $i$; $\mathbf{X}^{(l)}$ holds the activations. All biases of this network are zero. The cell
# below draws the data.

# %% nbgrader={"grade": false, "grade_id": "load_figure8", "locked": true, "schema_version": 3, "solution": false, "task": false}
X, Y = figure8_data()              # X: (10, 2) inputs, Y: (10, 1) targets
weights = figure8_weights()
W1f, W2f, W3f = weights["W1"], weights["W2"], weights["W3"]   # (2, 3), (3, 2), (2, 1)

fig, ax = plt.subplots(figsize=(5, 4))
points = ax.scatter(X[:, 0], X[:, 1], c=Y[:, 0], cmap="viridis", s=80, edgecolor="k")
for i, (x1, x2) in enumerate(X):
    ax.annotate(str(i), (x1, x2), textcoords="offset points", xytext=(6, 4))
ax.set(xlabel="$x_1$", ylabel="$x_2$", title="The Figure 8 data: ten points, coloured by target")
fig.colorbar(points, label="target $y$")
plt.show()

# %% [markdown]
# The network with its hand-set weights. In the row convention `W1f[i, j]` is the weight from
# input $i$ to hidden unit $j$: each **row** holds the weights *leaving* one unit, each **column**
# the weights *arriving* at one unit.

# %%
draw_network([W1f, W2f, W3f], title="The 2-3-2-1 network of Figure 8 (row convention)")
plt.show()

# %% [markdown]
# ### 2.1 The forward pass for all ten points
#
# Compute `Z1, X1, Z2, X2, Z3, X3` with one matrix product per layer (`W1f`, `W2f`, `W3f`), ReLU on
# the hidden layers and the identity on the output. As a check on paper, the first row of `Z1` is
# $6.1 \cdot (-0.08) + 8.7 \cdot 0.02 = -0.314$ for the first unit.

# %% nbgrader={"grade": false, "grade_id": "figure8_forward", "locked": false, "schema_version": 3, "solution": true, "task": false}
### BEGIN SOLUTION
Z1 = X @ W1f
X1 = relu(Z1)
Z2 = X1 @ W2f
X2 = relu(Z2)
Z3 = X2 @ W3f
X3 = Z3
### END SOLUTION

# %% nbgrader={"grade": true, "grade_id": "test_layer1", "locked": true, "points": 1, "schema_version": 3, "solution": false, "task": false}
"""Z1 and X1: one row per data point, X1 = ReLU(Z1)."""
check_array(Z1, "Z1", shape=(10, 3))
check_array(X1, "X1", shape=(10, 3))
check_that(np.allclose(X1, np.maximum(Z1, 0)), "`X1` should be the ReLU of `Z1`.")
known.confirm(Z1, "Z1")
### BEGIN HIDDEN TESTS
### BEGIN REFERENCE
X_, Y_ = figure8_data()
W_ = figure8_weights()
### END REFERENCE
check_close(Z1[0], [-0.314, 0.818, -0.417], "the first row of Z1")
check_close(Z1, X_ @ W_["W1"], "Z1")
### END HIDDEN TESTS

# %% nbgrader={"grade": true, "grade_id": "test_layer2", "locked": true, "points": 1, "schema_version": 3, "solution": false, "task": false}
"""Z2 and X2: one row per data point, X2 = ReLU(Z2)."""
check_array(Z2, "Z2", shape=(10, 2))
check_array(X2, "X2", shape=(10, 2))
check_that(np.allclose(X2, np.maximum(Z2, 0)), "`X2` should be the ReLU of `Z2`.")
known.confirm(Z2, "Z2")
### BEGIN HIDDEN TESTS
### BEGIN REFERENCE
X_, Y_ = figure8_data()
W_ = figure8_weights()
### END REFERENCE
check_close(Z2[0], [-0.07362, 0.02454], "the first row of Z2")
check_close(Z2, np.maximum(X_ @ W_["W1"], 0) @ W_["W2"], "Z2")
### END HIDDEN TESTS

# %% nbgrader={"grade": true, "grade_id": "test_layer3", "locked": true, "points": 1, "schema_version": 3, "solution": false, "task": false}
"""Z3 and X3: one prediction per data point; the output activation is the identity."""
check_array(Z3, "Z3", shape=(10, 1))
check_array(X3, "X3", shape=(10, 1))
check_that(np.allclose(X3, Z3), "`X3` should equal `Z3`: the output layer has no ReLU.")
known.confirm(Z3, "Z3")
### BEGIN HIDDEN TESTS
### BEGIN REFERENCE
X_, Y_ = figure8_data()
W_ = figure8_weights()
### END REFERENCE
check_close(Z3[0], [0.0017178], "the first row of Z3")
### BEGIN REFERENCE
hidden_ = np.maximum(np.maximum(X_ @ W_["W1"], 0) @ W_["W2"], 0)
### END REFERENCE
check_close(X3, hidden_ @ W_["W3"], "X3")
### END HIDDEN TESTS

# %% [markdown]
# The first data point travelling through the network, with your values. A hidden unit showing 0
# is *dead* for this input: its ReLU received a negative number. In the next assignment you will
# see that any derivative that has to pass through a dead unit is 0.

# %%
draw_network([W1f, W2f, W3f], values=[X[0], X1[0], X2[0], X3[0]],
             title="Your forward pass for the first point, x = (6.1, 8.7)")
plt.show()

# %% [markdown]
# ### 2.2 The cost
#
# For regression we use half the mean squared error over the $n = 10$ points:
#
# $$J = \frac{1}{2n} \sum_{i=1}^{n} \big(\hat{y}_i - y_i\big)^2, \qquad \hat{y}_i = X^{(3)}_{i}.$$
#
# The $\tfrac{1}{2}$ makes the derivative tidy ($\hat{y} - y$ instead of $2(\hat{y} - y)$), which you
# will appreciate in the next assignment. Compute `J`. Watch the shapes: `X3` and `Y` are both
# `(10, 1)`; subtracting a `(10,)` array from a `(10, 1)` array would silently broadcast to
# `(10, 10)`.

# %% nbgrader={"grade": false, "grade_id": "cost", "locked": false, "schema_version": 3, "solution": true, "task": false}
### BEGIN SOLUTION
n = X.shape[0]
J = np.sum((X3 - Y) ** 2) / (2 * n)
### END SOLUTION

# %% nbgrader={"grade": true, "grade_id": "test_cost", "locked": true, "points": 2, "schema_version": 3, "solution": false, "task": false}
"""J: one positive number, the half mean squared error over the ten points."""
check_number(J, "J")
check_that(float(np.ravel(J)[0]) > 0, "`J` should be positive: the untrained network is far off.")
known.check(J, "J")
if np.shape(X3) == np.shape(Y):   # test_layer3 reports a wrong shape of X3
    squared_errors_ = (np.asarray(X3, dtype=float) - Y) ** 2
    check_that(np.isclose(float(np.ravel(J)[0]), np.sum(squared_errors_) / (2 * len(Y)), rtol=1e-5),
               "`J` is not half the mean of the squared errors of your `X3`: is it divided by "
               "2n, in brackets (`a / 2 * n` divides by 2 and then multiplies by n), and does "
               "`X3 - Y` keep the shape (10, 1)?")
### BEGIN HIDDEN TESTS
check_close(J, 2837.70392836, "J")
### END HIDDEN TESTS

# %% [markdown]
# Our untrained network predicts almost 0 for every point while the targets are around 40 to 110,
# hence the large cost. Training (Assignment 4) will change the weights to bring it down.
#
# ## Part 3 — Columns or rows: two conventions, the same numbers
#
# Part 1 wrote one input as a column and used $\mathbf{h} = \mathrm{ReLU}(\mathbf{W}\mathbf{x})$ with
# $\mathbf{W}$ of shape *outputs × inputs*. Part 2 stacked inputs as rows and used
# $\mathbf{Z} = \mathbf{X}\mathbf{W}$ with $\mathbf{W}$ of shape *inputs × outputs*. The Glasgow
# slides mix the two in a way you will meet in PyTorch: inputs are rows, but a layer stores
# its weights as *outputs × inputs* and computes $\mathbf{Z} = \mathbf{A}\mathbf{W}^\top + \mathbf{b}$.
#
# They all agree because of one identity: $(\mathbf{W}\mathbf{x})^\top = \mathbf{x}^\top\mathbf{W}^\top$.
# Transposing a column result gives the row result, and the ReLU, working entry by entry, does not
# care which way the numbers are laid out.
#
# Write `forward_rows(X_rows)`: the three-output network of Part 1 (weights `W1`, `W2`, `W_out`,
# as given, outputs × inputs) applied to a batch of inputs stored as rows, shape `(m, 3)`,
# returning the logits as an `(m, 3)` array. Do not loop over the rows.

# %% nbgrader={"grade": false, "grade_id": "forward_rows", "locked": false, "schema_version": 3, "solution": true, "task": false}
def forward_rows(X_rows):
    """Logits of the Part 1 three-output network for inputs stored as rows, (m, 3) -> (m, 3)."""
    ### BEGIN SOLUTION
    H1 = relu(X_rows @ W1.T)
    H2 = relu(H1 @ W2.T)
    return H2 @ W_out.T
    ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "test_forward_rows", "locked": true, "points": 2, "schema_version": 3, "solution": false, "task": false}
"""forward_rows: (m, 3) logits that agree with the column version, o3."""
batch = np.array([[1.0, 1.0, 1.0], [3.0, 1.0, 2.0]])
check_array(forward_rows(batch), "forward_rows(batch)", shape=(2, 3))
check_that(
    np.allclose(forward_rows(x.T), np.ravel(o3)),
    "forward_rows(x.T) should equal your o3 laid out as a row.",
)
# W2 of this network is symmetric, so W2 and W2.T give the same numbers: try forward_rows once
# more with other weights in W1, W2 and W_out, none of them symmetric, then put them back.
kept_ = (W1, W2, W_out, net)
rng_rows_ = np.random.default_rng(13)
W1, W2, W_out = rng_rows_.normal(size=(2, 3)), rng_rows_.normal(size=(2, 2)), rng_rows_.normal(size=(3, 2))
net = {**kept_[3], "W1": W1, "W2": W2, "W_out": W_out}
try:
    other_rows_ = forward_rows(rng_rows_.normal(size=(8, 3)))
finally:
    W1, W2, W_out, net = kept_
known.confirm(other_rows_, "forward_rows with other weights (W2 not symmetric)")
### BEGIN HIDDEN TESTS
### BEGIN REFERENCE
net_ = cos324_network()
def reference_(A):
    H = np.maximum(np.maximum(A @ net_["W1"].T, 0) @ net_["W2"].T, 0)
    return H @ net_["W_out"].T
### END REFERENCE
check_close(forward_rows(batch), [[-4.0, 8.0, 4.0], [-3.0, 16.0, 11.0]], "forward_rows(batch)")
rows = np.random.default_rng(11).normal(size=(6, 3))
check_close(forward_rows(rows), reference_(rows), "forward_rows on random inputs")
# W2 of the COS 324 network is symmetric, so it cannot tell W2 from W2.T: run forward_rows
# once more with other weights in W1, W2 and W_out (and in `net`), none of them symmetric.
saved_ = (W1, W2, W_out, net)
rng_ = np.random.default_rng(12)
W1, W2, W_out = rng_.normal(size=(2, 3)), rng_.normal(size=(2, 2)), rng_.normal(size=(3, 2))
net = {**saved_[3], "W1": W1, "W2": W2, "W_out": W_out}
### BEGIN REFERENCE
other_ = {"W1": W1, "W2": W2, "W_out": W_out}
### END REFERENCE
many_ = rng_.normal(size=(40, 3))
try:
    got_ = forward_rows(many_)
finally:
    W1, W2, W_out, net = saved_
### BEGIN REFERENCE
H_ = np.maximum(np.maximum(many_ @ other_["W1"].T, 0) @ other_["W2"].T, 0)
### END REFERENCE
check_close(got_, H_ @ other_["W_out"].T,
            "forward_rows when W1, W2 and W_out hold other weights (with a W2 that is not symmetric)")
### END HIDDEN TESTS

# %% [markdown]
# ## Part 4 — Why a network needs its nonlinearity
#
# Remove the ReLUs from the network of Part 1 and every layer is a matrix product:
# $\mathbf{o} = \mathbf{W}^{(o)}\big(\mathbf{W}^{(2)}(\mathbf{W}^{(1)}\mathbf{x})\big)$. Matrix products
# can be regrouped, so this equals $\mathbf{W}'\mathbf{x}$ for a single $3 \times 3$ matrix
# $\mathbf{W}'$: the three "layers" are no more expressive than one linear map (here: multinomial
# logistic regression once the softmax is added). Depth only pays off with a nonlinearity between
# the layers.
#
# Compute that single matrix as `W_collapsed` (shape `(3, 3)`), from `W1`, `W2` and `W_out`.

# %% nbgrader={"grade": false, "grade_id": "collapse", "locked": false, "schema_version": 3, "solution": true, "task": false}
### BEGIN SOLUTION
W_collapsed = W_out @ W2 @ W1
### END SOLUTION

# %% nbgrader={"grade": true, "grade_id": "test_collapse", "locked": true, "points": 2, "schema_version": 3, "solution": false, "task": false}
"""W_collapsed: one (3, 3) matrix that replaces the three linear layers."""
check_array(W_collapsed, "W_collapsed", shape=(3, 3))
columns_ = np.random.default_rng(6).normal(size=(3, 4))
check_that(np.allclose(W_collapsed @ columns_, W_out @ (W2 @ (W1 @ columns_))),
           "`W_collapsed @ x` should equal the network without its ReLUs, "
           "`W_out @ (W2 @ (W1 @ x))`: mind the order of the factors.")
### BEGIN HIDDEN TESTS
check_close(W_collapsed, [[12.0, -15.0, -12.0], [6.0, -10.0, 4.0], [12.0, -17.0, -4.0]],
            "W_collapsed")
### END HIDDEN TESTS

# %% [markdown]
# Run the cell below to see the difference the ReLUs make: without them your single matrix
# reproduces the network exactly; with them it does not.

# %%
inputs = np.random.default_rng(0).normal(size=(3, 5))     # five random inputs, as columns
linear_net = W_out @ (W2 @ (W1 @ inputs))
relu_net = W_out @ relu(W2 @ relu(W1 @ inputs))
print("linear network == W_collapsed @ x:", np.allclose(linear_net, W_collapsed @ inputs))
print("ReLU network   == W_collapsed @ x:", np.allclose(relu_net, W_collapsed @ inputs))

# %% [markdown]
# ### 4.1 In your own words: why depth needs a nonlinearity
#
# The cell above printed `True` for the linear network and `False` for the ReLU network. Explain,
# in a few sentences, in the cell below (a person grades this answer, out of 3 points):
#
# 1. why $\mathbf{W}^{(o)}\big(\mathbf{W}^{(2)}(\mathbf{W}^{(1)}\mathbf{x})\big)$ is one matrix
#    times $\mathbf{x}$ *whatever the weights are*, not only for the weights of this network;
# 2. why *no* $3 \times 3$ matrix at all, not only your `W_collapsed`, can reproduce the ReLU
#    network. Hint: a matrix $\mathbf{M}$ sends $-\mathbf{x}$ to $-\mathbf{M}\mathbf{x}$. Run the
#    ReLU network on `x` and on `-x` and compare (quote your numbers);
# 3. what this means for building a deep network.

# %% [markdown] nbgrader={"grade": true, "grade_id": "explain_depth", "locked": false, "points": 3, "schema_version": 3, "solution": true, "task": false}
# ### BEGIN SOLUTION
# **Model answer.**
#
# 1. Matrix multiplication is associative: $\mathbf{W}^{(o)}(\mathbf{W}^{(2)}(\mathbf{W}^{(1)}\mathbf{x}))
#    = (\mathbf{W}^{(o)}\mathbf{W}^{(2)}\mathbf{W}^{(1)})\,\mathbf{x}$, so the product
#    $\mathbf{W}' = \mathbf{W}^{(o)}\mathbf{W}^{(2)}\mathbf{W}^{(1)}$ can be computed once, before
#    any input is seen. This holds for any weights and any number of layers: a chain of linear maps
#    is one linear map (with biases, one affine map).
# 2. Every matrix $\mathbf{M}$ is linear: $\mathbf{M}(-\mathbf{x}) = -\mathbf{M}\mathbf{x}$ and
#    $\mathbf{M}(\mathbf{x} + \mathbf{x}') = \mathbf{M}\mathbf{x} + \mathbf{M}\mathbf{x}'$. The ReLU network
#    is not: for $\mathbf{x} = (1, 1, 1)$ it outputs $(-4, 8, 4)$, and for $-\mathbf{x}$ it
#    outputs $(3, 4, 5)$, not $(4, -8, -4)$. The ReLU sets negative pre-activations to 0 and keeps
#    positive ones, so which units pass their input on depends on the input itself; the regrouping
#    of part 1 needs the same matrix for every input, and the ReLU between the layers blocks it.
# 3. Stacking linear layers adds weights but no expressive power: a deep linear network can only
#    draw the boundaries (or fit the functions) that one layer can, here multinomial logistic
#    regression. Depth pays off only with a nonlinearity between the layers.
#
# **Rubric (3 points; for the grader, never released).**
#
# - 1 point: associativity, or "the product of the matrices is itself a matrix", stated for any
#   weights. Half a point for "`W_collapsed` reproduces it" without saying why it must.
# - 1 point: a reason that rules out *every* matrix: a property all linear maps have and the ReLU
#   network lacks ($f(-\mathbf{x}) = -f(\mathbf{x})$, additivity, scaling by a negative number, or
#   "the ReLU's output is not a linear function of its input"), ideally with the numbers
#   $(-4, 8, 4)$ and $(3, 4, 5)$. Half a point for "the ReLU is nonlinear" with no argument why
#   no matrix can make up for it. No point for "`W_collapsed` gives different numbers" alone:
#   that rules out one matrix, not all.
# - 1 point: the consequence: without a nonlinearity extra layers add nothing a single layer could
#   not do, so depth needs a nonlinearity between layers.
# - Common wrong ideas: "the ReLU makes the network deeper" or "ReLUs add parameters" (no point
#   for part 2); "a linear network cannot be trained" (no point for part 3: it can, it is just no
#   better than one layer); "the ReLU network is nonlinear because of the softmax" (the softmax is
#   after the last layer and does not stop the collapse).
# ### END SOLUTION

# %% [markdown]
# ## What you built
#
# You ran a network forward by hand, with one matrix product per layer for a whole data set, turned
# logits into probabilities without overflow, scored them with cross-entropy and half the mean
# squared error, and saw why the ReLUs matter. Next, in Assignment 2, you will ask how the cost
# changes when one weight moves: the derivatives that training needs.

# %% [markdown]
# ## Where you stand
#
# Run the cell below whenever you like: it runs every check of this notebook again and prints one line for each, the first thing to fix at the top, and a known mistake by its name. It shows no answers and no tracebacks. Its last line says what the checks cannot decide: the points of the cells whose values no check compares with the right ones, which only the graded run decides. A line of ticks is a good sign, not a promise of full marks.

# %% nbgrader={"grade": false, "grade_id": "summary", "locked": true, "schema_version": 3, "solution": false, "task": false}
from workbook.summary import summarise

summarise("forward_pass.ipynb")
