# %% [markdown]
# # Assignment 5 — From NumPy to PyTorch, on real handwritten digits
#
# So far you have built every piece of a neural network yourself: the forward pass, the loss, the
# backward pass, gradient descent. Real projects use a library that does this for them, and
# the most widely used one is **PyTorch**. In this assignment you meet PyTorch by checking it
# against your own NumPy code, number for number, and then let both learn to read digits:
#
# 1. **Part 1.** The small PyTorch network of the COS 324 notes: build it, compute its output and
#    loss, let PyTorch's *autograd* find the gradients, and reproduce all of it with your own
#    NumPy forward pass and backpropagation.
# 2. **Part 2.** How many parameters does a network have? Count them with a formula, then let
#    PyTorch count them for you.
# 3. **Part 3.** 1,797 real 8×8 images of handwritten digits: train a classifier with softmax,
#    cross-entropy and mini-batch gradient descent, in NumPy.
# 4. **Part 4.** The same network with `nn.Module` and `torch.optim.SGD`.
# 5. **Part 5.** What does the network get wrong? A grid of predictions and a confusion matrix.
#
# Both trainings must reach **at least 93% accuracy on the test set**, and each takes a few
# seconds on two CPU cores (30 seconds at most). PyTorch is an optional part of the course
# package: if `import torch` fails, install it with `pip install -e ".[torch]"` (the
# `environment.yml` of the course already includes it).
#
# **How the checks work.** After each answer cell comes a test cell. Its *visible* checks tell you
# what to fix (type, shape, a property every right answer has) without revealing the answer; where
# a value has many digits they compare it with the right one through a *fingerprint* (a
# scrambled summary that says "right" or "not right" but cannot be turned back into the answer),
# and where it is the value a known mistake gives they name the mistake. When your notebook is
# graded, *hidden* checks also compare your results with the correct ones, on new inputs too. Replace
# every `raise NotImplementedError()` with your code, then use *Kernel → Restart and Run All*
# before you submit.
#
# **Sources.** The examples and numbers come from these tutorials, retold in our own words:
# - Princeton COS 324, *Introduction to Machine Learning*, chapter 11, "Feedforward Neural Network
#   and Backpropagation" (princeton-introml.github.io, `files/ch11.pdf`): the PyTorch `Net` of
#   Part 1, and the warning that `backward()` accumulates gradients.
# - Khiem Nguyen, "Neural network: a gentle introduction", University of Glasgow lecture slides
#   (github.com/khiemnguyen0407/uog-ml): `nn.Module` and `nn.Linear`, the mini-batch formulas with
#   their $\frac{1}{m}$ and their sum over the batch, and the parameter counts of Part 2.
# - Rodolfo Lourenzutti, "Feed Forward Neural Network" (lourenzutti.github.io/posts/fnn): the post
#   ends by promising a PyTorch version of its network; this assignment is ours.
#
# **Data.** "Optical Recognition of Handwritten Digits", E. Alpaydin and C. Kaynak (1998), UCI
# Machine Learning Repository, https://doi.org/10.24432/C50P49, licensed under CC BY 4.0. We use
# the 1,797-image part that scikit-learn ships as `load_digits`, stored in the course package as
# `workbook/digits.npz`, so nothing is downloaded.

# %% nbgrader={"grade": false, "grade_id": "setup", "locked": true, "schema_version": 3, "solution": false, "task": false}
import copy
import time

import matplotlib.pyplot as plt
import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from IPython.display import display

from workbook.checks import (
    as_number,
    check_array,
    check_close,
    check_number,
    check_runs,
    check_that,
)
from workbook.diagrams import draw_network
from workbook.digits import N_CLASSES, load_digits, train_test_split
from workbook.fingerprints import Fingerprints
from workbook.gradcheck import numerical_gradient, relative_error

torch.set_num_threads(1)   # small networks are fastest on one thread, and results reproducible
known = Fingerprints("pytorch_digits")   # recognises known mistakes (see the checks)

# %% [markdown]
# ## Part 1 — The COS 324 network in PyTorch, and again in NumPy
#
# At the end of its chapter on backpropagation, COS 324 builds a tiny network in PyTorch: two
# inputs, hidden layers of 2 and 3 units, two outputs, **no biases**, and a ReLU after each
# hidden layer. The output layer has no ReLU: its two numbers are the *logits* of two classes.
# The weights are set by hand, so every number can be checked.
#
# PyTorch's fully connected layer is `nn.Linear(n_in, n_out, bias=False)`. It stores its weight
# matrix as the attribute `weight`, of shape **`(n_out, n_in)`**: one row per unit it feeds, as in
# the column convention of Assignment 1. It takes inputs stored as *rows*, a batch of shape
# `(m, n_in)`, and returns `X @ weight.T`, of shape `(m, n_out)`; a single input of shape `(n_in,)`
# works too. The weights below are written in that `(n_out, n_in)` layout.

# %% nbgrader={"grade": false, "grade_id": "net_weights", "locked": true, "schema_version": 3, "solution": false, "task": false}
NET_WEIGHTS = [
    np.array([[-2.0, 1.0], [3.0, -1.0]]),              # layer 1: 2 inputs -> 2 units
    np.array([[0.0, 1.0], [2.0, -1.0], [1.0, 2.0]]),   # layer 2: 2 -> 3 units
    np.array([[-1.0, 2.0, 1.0], [3.0, 0.0, 0.0]]),     # layer 3: 3 -> 2 outputs (logits)
]
x = torch.tensor([3.0, 1.0], dtype=torch.float64)   # the input of the COS 324 example

# %% [markdown]
# The network drawn from these matrices. Like `nn.Linear`, each matrix has one row per unit it feeds, shape
# `(outputs, inputs)`: the column convention of Assignment 1.

# %%
draw_network(NET_WEIGHTS, convention="column", title="The COS 324 PyTorch example: 2-2-3-2, no biases")
plt.show()


# %% [markdown]
# ### 1.1 A network is an `nn.Module`
#
# A PyTorch network is a class derived from `nn.Module`. Its `__init__` creates the layers
# (storing a layer as an attribute registers its weights as *parameters* of the network) and its
# `forward` says how to apply them; calling `net(x)` runs `forward`.
#
# Complete `Net` so that `net(x)` computes the COS 324 network with the weights `NET_WEIGHTS`:
# three bias-free linear layers, ReLU after the first two. Build it in **double precision**:
# pass `dtype=torch.float64` to each `nn.Linear`, or call `.double()` on the finished network
# (section 1.3 shows why). To put a NumPy matrix `W` into a layer, either copy it under
# `torch.no_grad()` with `layer.weight.copy_(torch.from_numpy(W))`, or replace the parameter:
# `layer.weight = nn.Parameter(torch.from_numpy(W))`. If you prefer an `nn.Sequential`, that is
# fine too, as long as `net` ends up with the same layers.

# %% nbgrader={"grade": false, "grade_id": "net", "locked": false, "schema_version": 3, "solution": true, "task": false}
class Net(nn.Module):
    """The COS 324 network: 2 -> 2 -> 3 -> 2 units, no biases, ReLU after the hidden layers."""

    def __init__(self, weights):
        super().__init__()
        ### BEGIN SOLUTION
        self.hidden1 = nn.Linear(2, 2, bias=False, dtype=torch.float64)
        self.hidden2 = nn.Linear(2, 3, bias=False, dtype=torch.float64)
        self.output = nn.Linear(3, 2, bias=False, dtype=torch.float64)
        with torch.no_grad():
            for layer, W in zip([self.hidden1, self.hidden2, self.output], weights, strict=True):
                layer.weight.copy_(torch.from_numpy(W))
        ### END SOLUTION

    def forward(self, x):
        """x: (2,) or (m, 2) float64 tensor -> logits, (2,) or (m, 2)."""
        ### BEGIN SOLUTION
        h1 = torch.relu(self.hidden1(x))
        h2 = torch.relu(self.hidden2(h1))
        return self.output(h2)
        ### END SOLUTION


net = Net(NET_WEIGHTS)

# %%
print(net)   # try it: the layers PyTorch found in your network

# %% nbgrader={"grade": true, "grade_id": "test_net", "locked": true, "points": 2, "schema_version": 3, "solution": false, "task": false}
"""net: an nn.Module with 16 float64 weights and no biases; net(x) gives two logits."""
check_that(isinstance(net, nn.Module), f"`net` should be an nn.Module, not a {type(net).__name__}.")
n_net_ = sum(p.numel() for p in net.parameters())
check_that(n_net_ == 16, f"`net` has {n_net_} parameters, but the COS 324 network has 16 weights "
           "and no biases (use bias=False).")
check_that(all(p.dtype == torch.float64 for p in net.parameters()),
           "the weights of `net` should be float64 (see section 1.3).")
out_ = net(x)
check_that(isinstance(out_, torch.Tensor) and tuple(out_.shape) == (2,),
           "`net(x)` should be a tensor of shape (2,) for an input x of shape (2,).")
### BEGIN HIDDEN TESTS
check_close(out_.detach().numpy(), [8.0, 24.0], "net(x)")
batch_ = np.random.default_rng(2).normal(size=(8, 2)) * 3
### BEGIN REFERENCE
cos324_weights_ = [np.array([[-2.0, 1.0], [3.0, -1.0]]),
                   np.array([[0.0, 1.0], [2.0, -1.0], [1.0, 2.0]]),
                   np.array([[-1.0, 2.0, 1.0], [3.0, 0.0, 0.0]])]
expected_ = (np.maximum(np.maximum(batch_ @ cos324_weights_[0].T, 0) @ cos324_weights_[1].T, 0)
             @ cos324_weights_[2].T)
### END REFERENCE
check_close(net(torch.from_numpy(batch_)).detach().numpy(), expected_, "net on 8 random inputs")
### END HIDDEN TESTS

# %% [markdown]
# ### 1.2 Forward, loss, backward
#
# Compute `logits = net(x)`, the cross-entropy `loss` of these logits when the true class is
# `label` (class 1, the second output: labels count from 0), and call `loss.backward()`.
#
# PyTorch's `F.cross_entropy(logits, labels)` works on a *batch*: logits of shape `(m, k)` and
# integer labels of shape `(m,)`; `logits.unsqueeze(0)` turns our two logits into a batch of one,
# shape `(1, 2)`. It applies the softmax itself, so give it the **logits**, not probabilities.
#
# `loss.backward()` is *autograd* at work: PyTorch recorded every operation that led to `loss`,
# and now runs backpropagation through them, storing $\partial\,\text{loss} / \partial W$ in the
# attribute `.grad` of every weight, for a layer you stored as `self.layer1`, that is
# `net.layer1.weight.grad`, and `[p.grad for p in net.parameters()]` lists them all, layer by layer.

# %% nbgrader={"grade": false, "grade_id": "torch_loss", "locked": false, "schema_version": 3, "solution": true, "task": false}
label = torch.tensor([1])   # the true class of x, as a batch of one label
net.zero_grad()             # start from empty gradients, so that this cell can be re-run
### BEGIN SOLUTION
logits = net(x)
loss = F.cross_entropy(logits.unsqueeze(0), label)
loss.backward()
### END SOLUTION
print("logits:", logits.detach().numpy(), " loss:", loss.item())

# %% nbgrader={"grade": true, "grade_id": "test_torch_loss", "locked": true, "points": 2, "schema_version": 3, "solution": false, "task": false}
"""logits and loss: two logits and one positive number; backpropagation filled every .grad."""
check_that(isinstance(logits, torch.Tensor) and tuple(logits.shape) == (2,),
           "`logits` should be a tensor of shape (2,): the output of net(x).")
check_that(isinstance(loss, torch.Tensor) and loss.numel() == 1,
           "`loss` should be a one-element tensor, as F.cross_entropy returns it.")
check_that(loss.item() > 0, "`loss` should be positive.")
known.check(loss.item(), "loss")
check_that(all(p.grad is not None for p in net.parameters()),
           "some weights of `net` have no .grad: call backward() on the loss.")
### BEGIN HIDDEN TESTS
check_close(logits.detach().numpy(), [8.0, 24.0], "logits")
check_close(loss.item(), 1.1253516840233601e-07, "loss")
first_layer_ = [p for p in net.parameters() if tuple(p.shape) == (2, 2)][0]
### BEGIN REFERENCE
expected_ = [[0.0, 0.0], [-6.752109725355977e-07, -2.2507032417853255e-07]]
### END REFERENCE
check_close(first_layer_.grad.numpy(), expected_, "the gradient of the first layer", atol=1e-14)
### END HIDDEN TESTS

# %% [markdown]
# ### 1.3 Why double precision?
#
# The true class has logit 24 and the other one 8, so the softmax gives the true class the
# probability $1/(1 + e^{-16})$ and the loss is $\log(1 + e^{-16}) \approx 1.1 \times 10^{-7}$:
# tiny, because the network is very sure, and right.
#
# PyTorch's default number type, `float32`, keeps about 7 significant digits: just above 1, the
# next number it can store is $1 + 2^{-23} \approx 1 + 1.19 \times 10^{-7}$. The sum
# $1 + e^{-16}$ inside the loss cannot be stored and is rounded, so in `float32` the loss comes out
# as $1.19 \times 10^{-7}$ whatever the exact value, and the gradients are off by several
# percent. Run the cell below to see it. Training is not bothered by this (the loss of an untrained
# network is around 2, far from the limits of `float32`, which is why Part 4 uses the default),
# but checking gradients is: that is what `float64` is for.

# %%
net32 = copy.deepcopy(net).float()   # the same network in float32
loss32 = F.cross_entropy(net32(x.float()).unsqueeze(0), label)
print(f"float64 loss {loss.item():.4e}   float32 loss {loss32.item():.4e}")
print("float32 spacing just above 1:", torch.finfo(torch.float32).eps)


# %% [markdown]
# ### 1.4 The same network in NumPy: softmax for a batch
#
# Now reproduce these numbers with NumPy. From here on, inputs are **rows**, as in PyTorch: a
# batch of logits is an `(m, k)` array, one row per example. Write `softmax(Z)`, the softmax of
# every row. Subtract each row's largest logit before taking exponentials (Assignment 1): the
# result is unchanged and nothing can overflow, even for logits like 1000.

# %% nbgrader={"grade": false, "grade_id": "softmax", "locked": false, "schema_version": 3, "solution": true, "task": false}
def softmax(Z):
    """Row-wise softmax: logits Z, shape (m, k) -> probabilities (m, k), each row sums to 1."""
    ### BEGIN SOLUTION
    e = np.exp(Z - np.max(Z, axis=1, keepdims=True))
    return e / np.sum(e, axis=1, keepdims=True)
    ### END SOLUTION


# %%
softmax(np.array([[1.0, 2.0, 3.0], [1000.0, 1000.0, 1000.0]]))   # try it

# %% nbgrader={"grade": true, "grade_id": "test_softmax", "locked": true, "points": 2, "schema_version": 3, "solution": false, "task": false}
"""softmax: rows of probabilities that each sum to 1, without overflow for large logits."""
Z_ = np.array([[1.0, 2.0, 3.0], [0.0, 0.0, 0.0]])
P_ = softmax(Z_)
check_array(P_, "softmax(Z)", shape=(2, 3))
check_that(np.all((P_ >= 0) & (P_ <= 1)), "softmax(Z) has an entry outside [0, 1].")
check_that(np.allclose(P_.sum(axis=1), 1), "the rows of softmax(Z) do not each sum to 1.")
check_array(softmax(np.array([[1000.0, 1001.0, 999.0]])), "softmax of the logits 1000, 1001, 999")
known.confirm(softmax(np.random.default_rng(41).normal(size=(3, 4))), "softmax of a random (3, 4) batch")
### BEGIN HIDDEN TESTS
### BEGIN REFERENCE
def reference_softmax_(Z):
    return torch.softmax(torch.from_numpy(Z), dim=1).numpy()
### END REFERENCE
check_close(P_, reference_softmax_(Z_), "softmax(Z)")
big_ = np.array([[1000.0, 1001.0, 999.0], [-1000.0, -1002.0, -1001.0]])
check_close(softmax(big_), reference_softmax_(big_), "softmax of large logits")
rand_ = np.random.default_rng(4).normal(size=(5, 10)) * 5
check_close(softmax(rand_), reference_softmax_(rand_), "softmax of a (5, 10) batch")
### END HIDDEN TESTS

# %% [markdown]
# ### 1.5 One-hot labels
#
# Labels are integers `0, 1, ..., k-1`. Backpropagation needs them as **one-hot** rows: row `i` of
# `one_hot(y, k)` is all zeros except for a 1 in column `y[i]`. Label `0` puts its 1 in the
# *first* column: Python counts from 0, and so do our labels.

# %% nbgrader={"grade": false, "grade_id": "one_hot", "locked": false, "schema_version": 3, "solution": true, "task": false}
def one_hot(y, k):
    """Integer labels y, shape (m,), values 0..k-1 -> float array (m, k), one 1 in each row."""
    ### BEGIN SOLUTION
    return np.eye(k)[y]
    ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "test_one_hot", "locked": true, "points": 1, "schema_version": 3, "solution": false, "task": false}
"""one_hot: an (m, k) array whose rows each hold a single 1."""
Y_ = one_hot(np.array([2, 0, 1]), 4)
check_array(Y_, "one_hot(y, 4)", shape=(3, 4))
check_that(np.all((Y_ == 0) | (Y_ == 1)) and np.all(Y_.sum(axis=1) == 1),
           "every row of one_hot(y, k) should hold one 1 and zeros elsewhere.")
check_that(np.array_equal(np.argmax(Y_, axis=1), [2, 0, 1]),
           "row i of one_hot(y, k) should have its 1 in column y[i] (label 0 in the first column).")
### BEGIN HIDDEN TESTS
check_close(Y_, [[0, 0, 1, 0], [1, 0, 0, 0], [0, 1, 0, 0]], "one_hot([2, 0, 1], 4)")
check_close(one_hot(np.arange(10), 10), np.identity(10), "one_hot(0..9, 10)")
### END HIDDEN TESTS

# %% [markdown]
# ### 1.6 Cross-entropy from logits
#
# The loss of a batch is the **mean** over its $m$ examples of $-\log$ of the probability given
# to the true class:
#
# $$J = -\frac{1}{m} \sum_{i=1}^{m} \log \mathrm{softmax}(\mathbf{Z})_{i,\,y_i}.$$
#
# Write `cross_entropy_from_logits(Z, y)`, which, like `F.cross_entropy`, takes **logits** `Z` of shape
# `(m, k)` and integer labels `y` of shape `(m,)`. You may build on your `softmax`. (Even more
# robust: $\log \mathrm{softmax}(\mathbf{z})_j = z_j - c - \log \sum_l e^{z_l - c}$ with
# $c = \max_l z_l$, which never takes the logarithm of 0.) `Z[np.arange(m), y]` picks entry
# `y[i]` of each row `i`.
#
# The name says what the function takes. Assignment 1's `cross_entropy(p, label)` scored one
# vector of probabilities, Assignment 3's `mean_cross_entropy(p, y)` averaged probabilities over a
# batch; this one starts from logits, like PyTorch's.

# %% nbgrader={"grade": false, "grade_id": "cross_entropy", "locked": false, "schema_version": 3, "solution": true, "task": false}
def cross_entropy_from_logits(Z, y):
    """Mean cross-entropy of logits Z, shape (m, k), for integer labels y, shape (m,)."""
    ### BEGIN SOLUTION
    shifted = Z - np.max(Z, axis=1, keepdims=True)
    log_probs = shifted - np.log(np.sum(np.exp(shifted), axis=1, keepdims=True))
    return -np.mean(log_probs[np.arange(len(y)), y])
    ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "test_cross_entropy", "locked": true, "points": 2, "schema_version": 3, "solution": false, "task": false}
"""cross_entropy_from_logits: one positive number, the mean over the batch, labels counted from 0."""
Z_ = np.array([[2.0, 0.5, -1.0], [0.0, 3.0, 1.0]])
check_number(cross_entropy_from_logits(Z_, np.array([0, 1])), "cross_entropy_from_logits(Z, y)")
check_that(as_number(cross_entropy_from_logits(Z_, np.array([0, 1])), "cross_entropy_from_logits(Z, y)") > 0,
           "`cross_entropy_from_logits(Z, y)` should be positive.")
rows_ = [as_number(cross_entropy_from_logits(Z_[i:i + 1], np.array([label_])), "cross_entropy_from_logits")
         for i, label_ in enumerate([0, 1])]
check_that(np.isclose(as_number(cross_entropy_from_logits(Z_, np.array([0, 1])), "cross_entropy_from_logits"),
                      np.mean(rows_)),
           "`cross_entropy_from_logits` of a batch should be the mean of the losses of its rows.")
Zc_ = np.random.default_rng(42).normal(size=(5, 4)) * 2
known.confirm(np.array([as_number(cross_entropy_from_logits(Zc_, np.full(5, k)), "cross_entropy_from_logits")
                        for k in range(4)]),
              "cross_entropy_from_logits of a random batch, with every label in turn")
### BEGIN HIDDEN TESTS
### BEGIN REFERENCE
def reference_ce_(Z, y):
    return F.cross_entropy(torch.from_numpy(Z), torch.from_numpy(y)).item()
### END REFERENCE
y_ = np.array([0, 1])
check_close(cross_entropy_from_logits(Z_, y_), reference_ce_(Z_, y_), "cross_entropy_from_logits(Z, y)")
rng_ = np.random.default_rng(6)
Zr_, yr_ = rng_.normal(size=(7, 5)) * 3, rng_.integers(0, 5, size=7)
check_close(cross_entropy_from_logits(Zr_, yr_), reference_ce_(Zr_, yr_), "cross_entropy_from_logits of a batch of 7")
check_close(cross_entropy_from_logits(np.array([[8.0, 24.0]]), np.array([0])), 16.00000011253517,
            "cross_entropy_from_logits for one example")
### END HIDDEN TESTS

# %% [markdown]
# ### 1.7 The forward pass in NumPy
#
# Write `numpy_forward(X, weights)` for a bias-free ReLU network of any depth, with the weights
# stored as `nn.Linear` stores them: each layer computes `A @ W.T`, followed by a ReLU except
# after the last layer. Then use it to compute `numpy_logits` for the COS 324 input `x_row` and
# `numpy_loss`, their cross-entropy for label 1. They should match PyTorch's.

# %% nbgrader={"grade": false, "grade_id": "numpy_forward", "locked": false, "schema_version": 3, "solution": true, "task": false}
def numpy_forward(X, weights):
    """Logits of a bias-free ReLU network for inputs stored as rows.

    X: (m, n_0). weights: list of arrays, weights[l] of shape (n_(l+1), n_l), as nn.Linear
    stores them. ReLU after every layer but the last. Returns the logits, shape (m, n_L).
    """
    ### BEGIN SOLUTION
    A = X
    for W in weights[:-1]:
        A = np.maximum(A @ W.T, 0)
    return A @ weights[-1].T
    ### END SOLUTION


x_row = x.numpy()[None, :]   # the input x as a batch of one row, shape (1, 2)
### BEGIN SOLUTION
numpy_logits = numpy_forward(x_row, NET_WEIGHTS)
numpy_loss = cross_entropy_from_logits(numpy_logits, np.array([1]))
### END SOLUTION
print("NumPy logits:", numpy_logits, " loss:", numpy_loss)

# %% nbgrader={"grade": true, "grade_id": "test_numpy_forward", "locked": true, "points": 2, "schema_version": 3, "solution": false, "task": false}
"""numpy_forward: one row of logits per input; numpy_loss: one positive number."""
check_array(numpy_logits, "numpy_logits", shape=(1, 2))
check_number(numpy_loss, "numpy_loss")
check_that(as_number(numpy_loss, "numpy_loss") > 0, "`numpy_loss` should be positive.")
rng_forward_ = np.random.default_rng(43)
known.confirm(numpy_forward(rng_forward_.normal(size=(3, 4)),
                            [rng_forward_.normal(size=shape) for shape in [(5, 4), (4, 5), (2, 4)]]),
              "numpy_forward of a random batch through a random 4-5-4-2 network")
### BEGIN HIDDEN TESTS
check_close(numpy_logits, [[8.0, 24.0]], "numpy_logits")
check_close(numpy_loss, 1.1253516840233601e-07, "numpy_loss")
rng_ = np.random.default_rng(8)
Ws_ = [rng_.normal(size=shape) for shape in [(6, 4), (5, 6), (3, 5)]]
Xr_ = rng_.normal(size=(7, 4))
### BEGIN REFERENCE
expected_ = np.maximum(np.maximum(Xr_ @ Ws_[0].T, 0) @ Ws_[1].T, 0) @ Ws_[2].T
### END REFERENCE
check_close(numpy_forward(Xr_, Ws_), expected_, "numpy_forward on a random 4-6-5-3 network")
X5_ = rng_.normal(size=(4, 5))
check_close(numpy_forward(X5_, Ws_[2:]), X5_ @ Ws_[2].T, "numpy_forward with a single layer")
### END HIDDEN TESTS

# %% [markdown]
# ### 1.8 Backpropagation in NumPy, checked against autograd
#
# Now the gradients. For the mean cross-entropy of a batch of $m$ rows, with
# $\mathbf{A}_0 = \mathbf{X}$, $\mathbf{Z}_l = \mathbf{A}_{l-1}\mathbf{W}_l^\top$, ReLU hidden
# layers and one-hot labels $\mathbf{Y}$, backpropagation runs from the last layer $L$ back to
# the first:
#
# $$\mathrm{d}\mathbf{Z}_L = \frac{1}{m}\big(\mathrm{softmax}(\mathbf{Z}_L) - \mathbf{Y}\big), \qquad
# \mathrm{d}\mathbf{W}_l = \mathrm{d}\mathbf{Z}_l^\top \mathbf{A}_{l-1}, \qquad
# \mathrm{d}\mathbf{Z}_{l-1} = \big(\mathrm{d}\mathbf{Z}_l \mathbf{W}_l\big) \odot
# \mathbb{1}[\mathbf{Z}_{l-1} > 0].$$
#
# These are the Glasgow slides' mini-batch formulas in PyTorch's layout: $\mathrm{d}\mathbf{W}_l$
# has the shape of $\mathbf{W}_l$, `(n_l, n_(l-1))`, exactly like `weight.grad`. The
# $\frac{1}{m}$ comes from the *mean* in the loss; the slides write it in front of every
# $\mathrm{d}\mathbf{W}$ instead, which is the same. The product
# $\mathrm{d}\mathbf{Z}_l^\top \mathbf{A}_{l-1}$ sums over the batch: each example adds its own
# contribution.
#
# Write `numpy_backward(X, y, weights)` returning the list of gradients, one per layer. Keep the
# activations of the forward pass (or the pre-activations; $\mathbf{A} > 0$ exactly where
# $\mathbf{Z} > 0$) in a list as you go.

# %% nbgrader={"grade": false, "grade_id": "numpy_backward", "locked": false, "schema_version": 3, "solution": true, "task": false}
def numpy_backward(X, y, weights):
    """Gradients of the mean cross-entropy with respect to every weight matrix.

    X: (m, n_0) inputs as rows; y: (m,) integer labels; weights as for numpy_forward.
    Returns a list of arrays, grads[l] with the shape of weights[l].
    """
    ### BEGIN SOLUTION
    activations = [X]
    for W in weights[:-1]:
        activations.append(np.maximum(activations[-1] @ W.T, 0))
    Z = activations[-1] @ weights[-1].T
    m = X.shape[0]
    dZ = (softmax(Z) - one_hot(y, Z.shape[1])) / m
    grads = [None] * len(weights)
    for layer in reversed(range(len(weights))):
        grads[layer] = dZ.T @ activations[layer]
        dZ = (dZ @ weights[layer]) * (activations[layer] > 0)
    return grads
    ### END SOLUTION


# %% [markdown]
# Compare your gradients with the ones autograd stored in your PyTorch network in 1.2: the
# relative error (from `workbook.gradcheck`) should be around $10^{-9}$ or smaller.

# %%
my_grads = numpy_backward(x_row, np.array([1]), NET_WEIGHTS)
autograd_grads = [p.grad.numpy() for p in net.parameters()]
if not isinstance(my_grads, (list, tuple)) or len(my_grads) != len(autograd_grads):
    print("numpy_backward should return a list with one gradient per layer: see the test below.")
else:
    for number, (mine, theirs) in enumerate(zip(my_grads, autograd_grads, strict=True), start=1):
        if np.shape(mine) != theirs.shape:
            print(f"layer {number}: your gradient has shape {np.shape(mine)}, the weights {theirs.shape}")
        else:
            print(f"layer {number}: relative error {relative_error(mine, theirs):.1e}")

# %% nbgrader={"grade": true, "grade_id": "test_numpy_backward", "locked": true, "points": 3, "schema_version": 3, "solution": false, "task": false}
"""numpy_backward: one gradient per layer, shaped like the weights, equal to autograd's."""
grads_np_ = numpy_backward(x_row, np.array([1]), NET_WEIGHTS)
check_that(len(grads_np_) == 3, "numpy_backward should return one gradient per layer (3 here).")
for l_, (g_, W_) in enumerate(zip(grads_np_, NET_WEIGHTS, strict=True)):
    check_array(g_, f"grads[{l_}]", shape=W_.shape)
    known.check(g_, f"grads[{l_}] of numpy_backward for x_row")


def autograd_grads_(X, y, weights):
    """The gradients that PyTorch's autograd finds for the same network and loss."""
    Ws = [torch.tensor(W, requires_grad=True) for W in weights]
    A = torch.from_numpy(X)
    for W in Ws[:-1]:
        A = torch.relu(A @ W.T)
    F.cross_entropy(A @ Ws[-1].T, torch.from_numpy(y)).backward()
    return [W.grad.numpy() for W in Ws]


autograd_ = autograd_grads_(x_row, np.array([1]), NET_WEIGHTS)
for l_, (g_, e_) in enumerate(zip(grads_np_, autograd_, strict=True)):
    error_ = relative_error(g_, e_)
    check_that(error_ < 1e-6, f"grads[{l_}] of numpy_backward and autograd's gradient differ "
               f"(relative error {error_:.1e}).")
# and on a batch of five random inputs, where the 1/m of the mean shows
rng_batch_ = np.random.default_rng(44)
X5_, y5_ = rng_batch_.normal(size=(5, 2)) * 2, np.array([0, 1, 1, 0, 1])
for l_, (g_, e_) in enumerate(zip(numpy_backward(X5_, y5_, NET_WEIGHTS),
                                  autograd_grads_(X5_, y5_, NET_WEIGHTS), strict=True)):
    error_ = relative_error(g_, e_)
    check_that(error_ < 1e-6, f"on a batch of five inputs, grads[{l_}] of numpy_backward and "
               f"autograd's gradient differ (relative error {error_:.1e}): the loss is the mean "
               "over the batch.")
### BEGIN HIDDEN TESTS
def compare_(X, y, weights, what, atol=1e-8):
    ### BEGIN REFERENCE
    expected_ = autograd_grads_(X, y, [W.copy() for W in weights])
    ### END REFERENCE
    kept = [W.copy() for W in weights]
    got = numpy_backward(X, y, weights)
    check_that(len(got) == len(weights), f"{what}: one gradient per layer, please.")
    for layer_ in range(len(weights)):
        check_close(got[layer_], expected_[layer_], f"{what}, grads[{layer_}]", atol=atol)
    check_that(all(np.array_equal(a, b) for a, b in zip(weights, kept, strict=True)),
               "numpy_backward changed the weights it was given.")
W_ = [np.array([[-2.0, 1.0], [3.0, -1.0]]), np.array([[0.0, 1.0], [2.0, -1.0], [1.0, 2.0]]),
      np.array([[-1.0, 2.0, 1.0], [3.0, 0.0, 0.0]])]
compare_(x_row, np.array([1]), W_, "numpy_backward of the COS 324 network, label 1", atol=1e-15)
compare_(x_row, np.array([0]), W_, "numpy_backward of the COS 324 network, label 0")
rng_ = np.random.default_rng(9)
Ws_ = [rng_.normal(size=shape) for shape in [(6, 4), (5, 6), (3, 5)]]
Xr_, yr_ = rng_.normal(size=(7, 4)), np.array([0, 2, 1, 1, 0, 2, 2])
compare_(Xr_, yr_, Ws_, "numpy_backward on a random 4-6-5-3 network and a batch of 7")
### END HIDDEN TESTS

# %% [markdown]
# ## Part 2 — Counting parameters
#
# A layer `nn.Linear(n_in, n_out)` has `n_in * n_out` weights and, unless `bias=False`, `n_out`
# biases. The Glasgow slides ask how many learnable parameters two networks have (all layers with
# biases): the network with layer sizes $[3, 5, 5, 3, 1]$, and the MNIST classifier
# 784 → 512 → 512 → 10 that reads $28 \times 28$ images flattened into 784 numbers. (The slides
# write $784 = 24 \cdot 24$; that is a slip: $24 \cdot 24 = 576$ and $28 \cdot 28 = 784$.)
#
# Write `count_parameters(layer_sizes)` and use it to set `n_small` and `n_mnist`.

# %% nbgrader={"grade": false, "grade_id": "count_parameters", "locked": false, "schema_version": 3, "solution": true, "task": false}
def count_parameters(layer_sizes):
    """Weights plus biases of a fully connected network with these layer sizes, inputs first."""
    ### BEGIN SOLUTION
    pairs = zip(layer_sizes[:-1], layer_sizes[1:], strict=True)
    return sum(n_in * n_out + n_out for n_in, n_out in pairs)
    ### END SOLUTION


### BEGIN SOLUTION
n_small = count_parameters([3, 5, 5, 3, 1])
n_mnist = count_parameters([784, 512, 512, 10])
### END SOLUTION

# %% nbgrader={"grade": true, "grade_id": "test_count_parameters", "locked": true, "points": 2, "schema_version": 3, "solution": false, "task": false}
"""count_parameters: whole numbers, for any list of layer sizes."""
for value_, name_ in [(n_small, "n_small"), (n_mnist, "n_mnist"),
                      (count_parameters([4, 1]), "count_parameters([4, 1])")]:
    check_number(value_, name_)
    check_that(float(value_) == int(value_), f"`{name_}` should be a whole number.")
check_that(count_parameters([1, 1]) == 2, "count_parameters([1, 1]) should be 2: one unit feeding "
           "one unit has one weight and one bias.")
check_that(count_parameters([2, 3, 4]) == count_parameters([2, 3]) + count_parameters([3, 4]),
           "count_parameters of three layers should be the sum over its two pairs of neighbouring layers.")
### BEGIN HIDDEN TESTS
check_close(n_small, 72, "n_small")
check_close(n_mnist, 669706, "n_mnist")
check_close(count_parameters([4, 1]), 5, "count_parameters([4, 1])")
check_close(count_parameters((2, 2, 3, 2)), 23, "count_parameters((2, 2, 3, 2))")
### END HIDDEN TESTS

# %% [markdown]
# PyTorch counts for you: `model.parameters()` yields every weight and bias tensor, and
# `p.numel()` is the number of entries of a tensor. Build `mnist_model`, the slides' network:
# `nn.Flatten()` (which turns each $28 \times 28$ image of a batch into a row of 784 numbers),
# then linear layers 784 → 512 → 512 → 10 with biases and a ReLU after each of the first two,
# all in one `nn.Sequential`. The cell then compares PyTorch's count with yours.

# %% nbgrader={"grade": false, "grade_id": "mnist_model", "locked": false, "schema_version": 3, "solution": true, "task": false}
### BEGIN SOLUTION
mnist_model = nn.Sequential(
    nn.Flatten(),
    nn.Linear(28 * 28, 512), nn.ReLU(),
    nn.Linear(512, 512), nn.ReLU(),
    nn.Linear(512, 10),
)
### END SOLUTION
print("PyTorch counts", sum(p.numel() for p in mnist_model.parameters()), "parameters;",
      "your formula says", n_mnist)

# %% nbgrader={"grade": true, "grade_id": "test_mnist_model", "locked": true, "points": 1, "schema_version": 3, "solution": false, "task": false}
"""mnist_model: a batch of 28x28 images in, 10 logits per image out."""
check_that(isinstance(mnist_model, nn.Module), "`mnist_model` should be an nn.Module.")
images_ = torch.zeros(3, 28, 28)
check_that(tuple(check_runs(lambda: mnist_model(images_), "`mnist_model` on a batch of three 28x28 images")
                 .shape) == (3, 10),
           "`mnist_model` should map a batch of 3 images (3, 28, 28) to logits (3, 10).")
### BEGIN HIDDEN TESTS
n_model_ = sum(p.numel() for p in mnist_model.parameters())
check_close(n_model_, 669706, "the number of parameters of `mnist_model`")
### END HIDDEN TESTS

# %% [markdown]
# ## Part 3 — Real digits, in NumPy
#
# Time for real data. Each image is $8 \times 8$ pixels; each pixel counts the inked dots of a
# $4 \times 4$ block of a larger scan, a whole number from 0 to 16. We divide by 16 so that pixels
# lie in $[0, 1]$ and flatten each image into a row of 64 numbers. Then we cut the images into
# three sets:
#
# - a **test set**, a quarter of the images, which we use **once**, at the very end, for the
#   accuracy we report: the network never trains on it and we never choose anything by it, so
#   its accuracy is an honest estimate for digits the network has not seen;
# - a **validation set**, a fifth of the rest, which we watch during training and by which we
#   would choose settings (epochs, learning rate, width): choosing by the test set instead would
#   tune the network to it, and its accuracy would no longer be honest;
# - the **training set**, everything else, the only images the gradient steps see.
#
# `train_test_split` shuffles with a fixed seed, so everyone gets the same three sets.

# %% nbgrader={"grade": false, "grade_id": "load_digits", "locked": true, "schema_version": 3, "solution": false, "task": false}
X_all, y_all = load_digits()   # (1797, 64) pixels 0..16, (1797,) labels 0..9
X_all = X_all / 16.0           # pixels in [0, 1]
X_rest, X_test, y_rest, y_test = train_test_split(X_all, y_all, test_fraction=0.25, seed=0)
X_train, X_val, y_train, y_val = train_test_split(X_rest, y_rest, test_fraction=0.2, seed=1)
print("training set:", X_train.shape, "  validation set:", X_val.shape, "  test set:", X_test.shape)
print("images of each digit in the training set:", np.bincount(y_train, minlength=N_CLASSES))


# %% nbgrader={"grade": false, "grade_id": "show_digits", "locked": true, "schema_version": 3, "solution": false, "task": false}
def show_digits(X, titles, wrong=None, ncols=10):
    """Draw the rows of X as 8x8 images in a grid, titled; frame in red those flagged in wrong."""
    wrong = np.zeros(len(X), dtype=bool) if wrong is None else wrong
    nrows = -(-len(X) // ncols)
    fig, axes = plt.subplots(nrows, ncols, figsize=(1.05 * ncols, 1.25 * nrows), squeeze=False)
    for ax in axes.ravel():
        ax.set_axis_off()
    for ax, image, title, bad in zip(axes.ravel(), X, titles, wrong, strict=False):
        ax.imshow(image.reshape(8, 8), cmap="gray_r", vmin=0, vmax=1)
        ax.set_title(title, fontsize=9, color="crimson" if bad else "black")
        if bad:
            ax.add_patch(plt.Rectangle((-0.5, -0.5), 8, 8, fill=False, ec="crimson", lw=3))
    return fig


show_digits(X_train[:20], [f"label {label}" for label in y_train[:20]])
plt.show()

# %% [markdown]
# The network for the digits has 64 inputs, one hidden layer of `HIDDEN` ReLU units and 10
# outputs, one logit per digit, now **with biases**. The parameters live in a dict, in PyTorch's
# layout so that Part 4 can compare: `W1` is `(HIDDEN, 64)`, `b1` is `(HIDDEN,)`, `W2` is
# `(10, HIDDEN)`, `b2` is `(10,)`. `init_params` draws the weights at random (scaled by
# $\sqrt{2 / n_\text{in}}$, which suits ReLU networks) and sets the biases to zero. The training
# settings are fixed for everyone:

# %% nbgrader={"grade": false, "grade_id": "settings", "locked": true, "schema_version": 3, "solution": false, "task": false}
HIDDEN = 64              # hidden units
EPOCHS = 20              # passes over the training set
BATCH_SIZE = 16          # examples per gradient step
LEARNING_RATE = 0.05
TARGET_ACCURACY = 0.93   # on the test set, for the NumPy and the PyTorch network
TIME_LIMIT = 30.0        # seconds of training, for each of the two networks, on two CPU cores


def init_params(sizes, seed):
    """Weights (n_out, n_in) drawn from N(0, 2 / n_in), zero biases; sizes like [64, 64, 10]."""
    rng = np.random.default_rng(seed)
    params = {}
    for number, (n_in, n_out) in enumerate(zip(sizes[:-1], sizes[1:], strict=True), start=1):
        params[f"W{number}"] = rng.normal(0.0, np.sqrt(2.0 / n_in), size=(n_out, n_in))
        params[f"b{number}"] = np.zeros(n_out)
    return params


# %% [markdown]
# ### 3.1 Forward pass with biases
#
# $$\mathbf{Z}_1 = \mathbf{X}\mathbf{W}_1^\top + \mathbf{b}_1, \qquad
# \mathbf{A}_1 = \mathrm{ReLU}(\mathbf{Z}_1), \qquad
# \mathbf{Z}_2 = \mathbf{A}_1\mathbf{W}_2^\top + \mathbf{b}_2.$$
#
# Adding the bias row $\mathbf{b}_1$ of shape `(HIDDEN,)` to the `(m, HIDDEN)` matrix
# $\mathbf{X}\mathbf{W}_1^\top$ adds it to every row: NumPy's broadcasting does this for you.
# Write `forward(X, params)` returning the logits $\mathbf{Z}_2$.

# %% nbgrader={"grade": false, "grade_id": "forward", "locked": false, "schema_version": 3, "solution": true, "task": false}
def forward(X, params):
    """Logits of the digits network: X (m, 64) -> ReLU hidden layer (m, HIDDEN) -> (m, 10)."""
    ### BEGIN SOLUTION
    A1 = np.maximum(X @ params["W1"].T + params["b1"], 0)
    return A1 @ params["W2"].T + params["b2"]
    ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "test_forward", "locked": true, "points": 1, "schema_version": 3, "solution": false, "task": false}
"""forward: one row of 10 logits per image."""
params_ = init_params([64, HIDDEN, N_CLASSES], seed=3)
check_array(forward(X_train[:5], params_), "forward(X, params)", shape=(5, N_CLASSES))
rng_fw_ = np.random.default_rng(45)
biased_ = {"W1": rng_fw_.normal(size=(6, 64)), "b1": rng_fw_.normal(size=6),
           "W2": rng_fw_.normal(size=(10, 6)), "b2": rng_fw_.normal(size=10)}
known.confirm(forward(X_train[:3], biased_), "forward of three images with random weights and biases")
### BEGIN HIDDEN TESTS
rng_ = np.random.default_rng(10)
p_ = {"W1": rng_.normal(size=(7, 64)), "b1": rng_.normal(size=7),
      "W2": rng_.normal(size=(10, 7)), "b2": rng_.normal(size=10)}
### BEGIN REFERENCE
expected_ = np.maximum(X_val[:9] @ p_["W1"].T + p_["b1"], 0) @ p_["W2"].T + p_["b2"]
### END REFERENCE
check_close(forward(X_val[:9], p_), expected_, "forward with random weights and biases")
### END HIDDEN TESTS

# %% [markdown]
# ### 3.2 Loss and gradients of a mini-batch
#
# With $\mathrm{d}\mathbf{Z}_2 = \frac{1}{m}\big(\mathrm{softmax}(\mathbf{Z}_2) - \mathbf{Y}\big)$
# as in 1.8, the biases add one rule to the ones you know: a bias touches every example of the
# batch, so its gradient is a **sum over the batch axis**,
#
# $$\mathrm{d}\mathbf{W}_2 = \mathrm{d}\mathbf{Z}_2^\top \mathbf{A}_1, \quad
# \mathrm{d}\mathbf{b}_2 = \textstyle\sum_i (\mathrm{d}\mathbf{Z}_2)_{i,:}
# \;\text{(`np.sum(dZ2, axis=0)`)}, \quad
# \mathrm{d}\mathbf{Z}_1 = (\mathrm{d}\mathbf{Z}_2\mathbf{W}_2) \odot \mathbb{1}[\mathbf{Z}_1 > 0],$$
#
# and the same for $\mathbf{W}_1$, $\mathbf{b}_1$ with $\mathbf{A}_0 = \mathbf{X}$. (The slides
# put $\frac{1}{m}$ in front of each sum; here it is already inside $\mathrm{d}\mathbf{Z}_2$.)
#
# Write `loss_and_grads(X, y, params)` returning the mean cross-entropy of the batch and a dict of
# gradients with the same keys and shapes as `params`. Do not change `params`.

# %% nbgrader={"grade": false, "grade_id": "loss_and_grads", "locked": false, "schema_version": 3, "solution": true, "task": false}
def loss_and_grads(X, y, params):
    """Mean cross-entropy of a batch (X (m, 64), labels y (m,)) and its gradients.

    Returns (loss, grads); grads has the keys of params, each array with the same shape.
    """
    ### BEGIN SOLUTION
    m = X.shape[0]
    Z1 = X @ params["W1"].T + params["b1"]
    A1 = np.maximum(Z1, 0)
    Z2 = A1 @ params["W2"].T + params["b2"]
    dZ2 = (softmax(Z2) - one_hot(y, Z2.shape[1])) / m
    dZ1 = (dZ2 @ params["W2"]) * (Z1 > 0)
    grads = {
        "W1": dZ1.T @ X, "b1": np.sum(dZ1, axis=0),
        "W2": dZ2.T @ A1, "b2": np.sum(dZ2, axis=0),
    }
    return cross_entropy_from_logits(Z2, y), grads
    ### END SOLUTION


# %% [markdown]
# Before the test, check your gradients yourself with finite differences on a small network, as
# in Assignment 3 (`numerical_gradient` nudges one entry at a time): the relative errors should
# be around $10^{-7}$ or smaller. (If your code computes in `float32`, a finite difference of its
# loss is far coarser: the cell then takes a larger step and you should expect $10^{-3}$ or less.)

# %%
small = init_params([64, 5, N_CLASSES], seed=1)
small_loss, my_grads = loss_and_grads(X_train[:8], y_train[:8], small)
low_precision = np.asarray(small_loss).dtype.itemsize < 8   # a float32 loss
step = 3e-3 if low_precision else 1e-6
if low_precision:
    print("Your loss is float32, so the finite differences use a step of 3e-3: expect 1e-3 or less.")
for key in small:
    if not isinstance(my_grads, dict) or np.shape(my_grads.get(key)) != small[key].shape:
        print(f"{key}: grads holds no array of shape {small[key].shape} under '{key}': see the test below.")
        continue
    numeric = numerical_gradient(lambda: loss_and_grads(X_train[:8], y_train[:8], small)[0],
                                 small[key], step)
    print(f"{key}: relative error {relative_error(my_grads[key], numeric):.1e}")

# %% nbgrader={"grade": true, "grade_id": "test_loss_and_grads", "locked": true, "points": 3, "schema_version": 3, "solution": false, "task": false}
"""loss_and_grads: a positive loss, and gradients with the keys and shapes of params."""
params_ = init_params([64, 5, N_CLASSES], seed=2)
result_ = loss_and_grads(X_train[:6], y_train[:6], params_)
check_that(isinstance(result_, tuple) and len(result_) == 2,
           "loss_and_grads should return a pair (loss, grads).")
loss_, grads_ = result_
check_number(loss_, "loss")
check_that(as_number(loss_, "loss") > 0, "the loss should be positive.")
check_that(isinstance(grads_, dict) and set(grads_) == set(params_),
           "grads should be a dict with the keys W1, b1, W2, b2.")
for key_ in params_:
    check_array(grads_[key_], f"grads['{key_}']", shape=params_[key_].shape)
known.check(loss_, "the loss of loss_and_grads on six images")
for key_ in ["W2", "b2", "b1"]:
    known.confirm(grads_[key_], f"grads['{key_}'] of loss_and_grads on six images")
### BEGIN HIDDEN TESTS
rng_ = np.random.default_rng(12)
p_ = {"W1": rng_.normal(size=(6, 64)) * 0.5, "b1": rng_.normal(size=6),
      "W2": rng_.normal(size=(10, 6)), "b2": rng_.normal(size=10)}
kept_ = {k: v.copy() for k, v in p_.items()}
Xb_, yb_ = X_train[20:31], y_train[20:31]


### BEGIN REFERENCE
def autograd_reference_(X, y, params):
    """The mean cross-entropy of the digits network and its gradients, by PyTorch's autograd."""
    tensors = {k: torch.tensor(v, requires_grad=True) for k, v in params.items()}
    hidden = torch.relu(torch.from_numpy(X) @ tensors["W1"].T + tensors["b1"])
    loss = F.cross_entropy(hidden @ tensors["W2"].T + tensors["b2"], torch.from_numpy(y))
    loss.backward()
    return loss.item(), {k: t.grad.numpy() for k, t in tensors.items()}


reference_loss_, reference_grads_ = autograd_reference_(Xb_, yb_, kept_)
### END REFERENCE
loss_, grads_ = loss_and_grads(Xb_, yb_, p_)
check_close(loss_, reference_loss_, "the loss of a batch of 11")
for key_ in ["W1", "b1", "W2", "b2"]:
    check_close(grads_[key_], reference_grads_[key_], f"grads['{key_}'] for a batch of 11")
check_that(all(np.array_equal(p_[k], kept_[k]) for k in p_), "loss_and_grads changed params.")
### END HIDDEN TESTS

# %% [markdown]
# ### 3.3 One epoch of mini-batch gradient descent
#
# An **epoch** is one pass over the training set. Shuffle the examples (`rng.permutation(m)` gives
# a random order of the indices `0..m-1`), cut that order into consecutive batches of
# `batch_size` (the last one may be smaller), and for each batch take one gradient step,
# $\theta \leftarrow \theta - \eta\, \partial J / \partial \theta$, on every parameter. Write
# `train_epoch`; it updates the arrays in the dict `params` and returns nothing.

# %% nbgrader={"grade": false, "grade_id": "train_epoch", "locked": false, "schema_version": 3, "solution": true, "task": false}
def train_epoch(X, y, params, learning_rate, batch_size, rng):
    """One epoch of mini-batch SGD on (X, y), updating the entries of params.

    rng: a np.random.Generator, used to shuffle the examples before cutting them into batches.
    """
    ### BEGIN SOLUTION
    order = rng.permutation(X.shape[0])
    for start in range(0, X.shape[0], batch_size):
        batch = order[start:start + batch_size]
        _, grads = loss_and_grads(X[batch], y[batch], params)
        for key in params:
            params[key] -= learning_rate * grads[key]
    ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "test_train_epoch", "locked": true, "points": 2, "schema_version": 3, "solution": false, "task": false}
"""train_epoch: updates every parameter, keeps shapes; three epochs learn the digits (validation set)."""
### BEGIN HIDDEN TESTS
### BEGIN REFERENCE
def reference_gradients_(X, y, params):
    """The gradients of the mean cross-entropy of the digits network, written out in NumPy."""
    Z1 = X @ params["W1"].T + params["b1"]
    A1 = np.maximum(Z1, 0)
    Z2 = A1 @ params["W2"].T + params["b2"]
    P = np.exp(Z2 - Z2.max(axis=1, keepdims=True))
    P /= P.sum(axis=1, keepdims=True)
    dZ2 = (P - np.eye(Z2.shape[1])[y]) / len(X)
    dZ1 = (dZ2 @ params["W2"]) * (Z1 > 0)
    return {"W1": dZ1.T @ X, "b1": dZ1.sum(axis=0), "W2": dZ2.T @ A1, "b2": dZ2.sum(axis=0)}
### END REFERENCE
### END HIDDEN TESTS
params_ = init_params([64, 8, N_CLASSES], seed=4)
before_ = {k: v.copy() for k, v in params_.items()}
train_epoch(X_train[:40], y_train[:40], params_, 0.1, 16, np.random.default_rng(0))
check_that(set(params_) == set(before_), "train_epoch should keep the keys of params.")
for key_ in before_:
    check_array(params_[key_], f"params['{key_}']", shape=before_[key_].shape)
    check_that(not np.array_equal(params_[key_], before_[key_]),
               f"params['{key_}'] did not change during the epoch.")
p_ = init_params([64, 32, N_CLASSES], seed=5)
rng_ = np.random.default_rng(6)
for _ in range(3):
    train_epoch(X_train, y_train, p_, 0.05, 16, rng_)
hits_ = np.argmax(np.maximum(X_val @ p_["W1"].T + p_["b1"], 0) @ p_["W2"].T + p_["b2"], axis=1)
check_that(np.mean(hits_ == y_val) > 0.7, "three epochs of train_epoch did not learn enough: do the "
           "steps go against the gradient, and does every batch take one?")
# with one batch holding every example, an epoch is one step along the gradient of loss_and_grads
whole_ = init_params([64, 8, N_CLASSES], seed=7)
step_grads_ = loss_and_grads(X_train[:30], y_train[:30], whole_)[1]
step_ = {k: v - 0.1 * step_grads_[k] for k, v in whole_.items()}
train_epoch(X_train[:30], y_train[:30], whole_, 0.1, 30, np.random.default_rng(1))
check_that(all(np.allclose(whole_[k], step_[k]) for k in step_),
           "with batch_size equal to the number of examples, one epoch of train_epoch should take "
           "exactly one step, p - learning_rate * grad, for every parameter: is the last (here "
           "the only) batch skipped?")
### BEGIN HIDDEN TESTS
initial_ = init_params([64, 8, N_CLASSES], seed=4)
### BEGIN REFERENCE
gradients_ = reference_gradients_(X_train[:40], y_train[:40], initial_)
### END REFERENCE
for batch_ in [40, 100]:
    p_ = init_params([64, 8, N_CLASSES], seed=4)
    train_epoch(X_train[:40], y_train[:40], p_, 0.1, batch_, np.random.default_rng(0))
    for key_ in initial_:
        check_close(p_[key_], initial_[key_] - 0.1 * gradients_[key_],
                    f"params['{key_}'] after one epoch whose only batch is the whole set")
# forty copies of one image: in any order, batches of 16 take three equal steps (16, 16, 8)
same_, same_y_ = np.repeat(X_train[:1], 40, axis=0), np.repeat(y_train[:1], 40)
p_ = init_params([64, 8, N_CLASSES], seed=4)
train_epoch(same_, same_y_, p_, 0.1, 16, np.random.default_rng(0))
### BEGIN REFERENCE
stepped_ = dict(initial_)
for __ in range(3):
    one_ = reference_gradients_(same_[:1], same_y_[:1], stepped_)
    stepped_ = {k: v - 0.1 * one_[k] for k, v in stepped_.items()}
### END REFERENCE
for key_ in initial_:
    check_close(p_[key_], stepped_[key_],
                f"params['{key_}'] after one epoch of 40 copies of one image, batches of 16")
### END HIDDEN TESTS

# %% [markdown]
# ### 3.4 Accuracy
#
# The **accuracy** is the fraction of examples whose largest logit is the one of the true class
# (`np.argmax` along the class axis). Write `accuracy(Z, y)`.

# %% nbgrader={"grade": false, "grade_id": "accuracy", "locked": false, "schema_version": 3, "solution": true, "task": false}
def accuracy(Z, y):
    """Fraction of rows of the logits Z (m, k) whose largest entry is at the label y (m,)."""
    ### BEGIN SOLUTION
    return np.mean(np.argmax(Z, axis=1) == y)
    ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "test_accuracy", "locked": true, "points": 1, "schema_version": 3, "solution": false, "task": false}
"""accuracy: one number between 0 and 1."""
Z_ = np.array([[0.1, 2.0, -1.0], [3.0, 0.0, 1.0], [0.0, 0.5, 0.4], [1.0, 2.0, 3.0]])
value_ = accuracy(Z_, np.array([1, 0, 2, 2]))
check_number(value_, "accuracy(Z, y)")
check_that(0 <= as_number(value_, "accuracy(Z, y)") <= 1, "an accuracy lies between 0 and 1.")
### BEGIN HIDDEN TESTS
check_close(value_, 0.75, "accuracy(Z, y)")
rng_ = np.random.default_rng(13)
Zr_, yr_ = rng_.normal(size=(50, 10)), rng_.integers(0, 10, size=50)
check_close(accuracy(Zr_, yr_), np.mean(Zr_.argmax(axis=1) == yr_), "accuracy of a random batch")
### END HIDDEN TESTS

# %% [markdown]
# ### 3.5 Training, live
#
# The cell below defines the training driver used for both networks: after every epoch it records
# the loss on the training set and the accuracy on the training and validation sets, and every five epochs it redraws the
# curves. Then it trains your NumPy network from `init_params([64, HIDDEN, 10], seed=0)`,
# shuffling with a generator of seed 1. Watch the two accuracy curves: the gap between them is
# the price of judging a network on the data it learned from.

# %% nbgrader={"grade": false, "grade_id": "fit", "locked": true, "schema_version": 3, "solution": false, "task": false}
def plot_history(history, title):
    """Training loss, and accuracy on the training and validation sets, epoch by epoch; returns the (closed) figure."""
    epochs = np.arange(1, len(history["loss"]) + 1)
    fig, (ax_loss, ax_acc) = plt.subplots(1, 2, figsize=(9.5, 3.2))
    ax_loss.plot(epochs, history["loss"], "o-", ms=3)
    ax_loss.set(xlabel="epoch", ylabel="mean cross-entropy", title=f"{title}: training loss")
    ax_acc.plot(epochs, history["train"], "o-", ms=3, label="training set")
    ax_acc.plot(epochs, history["val"], "s-", ms=3, label="validation set")
    ax_acc.axhline(TARGET_ACCURACY, color="gray", ls="--", lw=1, label="target")
    ax_acc.set(xlabel="epoch", ylabel="accuracy", ylim=(0.6, 1.0), title=f"{title}: accuracy")
    ax_acc.legend(loc="lower right")
    plt.close(fig)   # shown through a display handle, so that it can be redrawn in place
    return fig


def fit(run_epoch, scores, epochs, title, redraw_every=5):
    """Call run_epoch() `epochs` times, recording scores() = (loss, train acc, validation acc) after
    each and redrawing the curves every few epochs; return the history and the seconds spent
    in run_epoch (the training itself, without the drawing)."""
    history, seconds, handle = {"loss": [], "train": [], "val": []}, 0.0, None
    for epoch in range(1, epochs + 1):
        start = time.perf_counter()
        run_epoch()
        seconds += time.perf_counter() - start
        for key, value in zip(history, scores(), strict=True):
            history[key].append(float(value))
        if epoch % redraw_every and epoch != epochs:
            continue
        figure = plot_history(history, title)
        if handle is None:
            handle = display(figure, display_id=True)
        else:
            handle.update(figure)
    return history, seconds


# %% nbgrader={"grade": false, "grade_id": "train_numpy", "locked": true, "schema_version": 3, "solution": false, "task": false}
params = init_params([64, HIDDEN, N_CLASSES], seed=0)
shuffle_rng = np.random.default_rng(1)


def numpy_epoch():
    train_epoch(X_train, y_train, params, LEARNING_RATE, BATCH_SIZE, shuffle_rng)


def numpy_scores():
    Z_train, Z_val = forward(X_train, params), forward(X_val, params)
    return cross_entropy_from_logits(Z_train, y_train), accuracy(Z_train, y_train), accuracy(Z_val, y_val)


numpy_history, numpy_seconds = fit(numpy_epoch, numpy_scores, EPOCHS, "NumPy")
print(f"NumPy: {EPOCHS} epochs of training in {numpy_seconds:.1f} s")

# %% [markdown]
# ### 3.6 The test accuracy
#
# Training is over and nothing will be changed any more, so now, once, look at the test set: set
# `numpy_test_accuracy` to the accuracy of the trained network (`params`) on the **test set**.
# It must reach `TARGET_ACCURACY`.

# %% nbgrader={"grade": false, "grade_id": "numpy_test_accuracy", "locked": false, "schema_version": 3, "solution": true, "task": false}
### BEGIN SOLUTION
numpy_test_accuracy = accuracy(forward(X_test, params), y_test)
### END SOLUTION
print(f"NumPy network: {float(numpy_test_accuracy):.1%} of the test digits right")

# %% nbgrader={"grade": true, "grade_id": "test_numpy_test_accuracy", "locked": true, "points": 2, "schema_version": 3, "solution": false, "task": false}
"""numpy_test_accuracy: the trained NumPy network's accuracy on the test set, on target, in time."""
check_number(numpy_test_accuracy, "numpy_test_accuracy")
check_that(0 <= as_number(numpy_test_accuracy, "numpy_test_accuracy") <= 1,
           "an accuracy lies between 0 and 1.")
check_that(numpy_seconds < TIME_LIMIT,
           f"training took {numpy_seconds:.0f} s, more than {TIME_LIMIT:.0f} s: vectorise it.")
check_that(as_number(accuracy(forward(X_test, params), y_test), "accuracy") >= TARGET_ACCURACY,
           "your trained NumPy network misses the target accuracy on the test set: does "
           "train_epoch step against the gradient on every batch, and is loss_and_grads right?")
check_that(np.isclose(as_number(numpy_test_accuracy, "numpy_test_accuracy"),
                      as_number(accuracy(forward(X_test, params), y_test), "accuracy")),
           "`numpy_test_accuracy` should be the accuracy of the trained params on the test set "
           "(X_test, y_test).")
### BEGIN HIDDEN TESTS
# Any valid shuffle trains a network of its own: the test asks for what the text asks, the
# accuracy of the trained params on the test set, at the target.
logits_ = np.maximum(X_test @ params["W1"].T + params["b1"], 0) @ params["W2"].T + params["b2"]
own_accuracy_ = np.mean(np.argmax(logits_, axis=1) == y_test)
check_close(as_number(numpy_test_accuracy, "numpy_test_accuracy") - own_accuracy_, 0.0,
            "numpy_test_accuracy against the accuracy of the trained params on the test set", atol=1e-6)
check_close(float(own_accuracy_ >= TARGET_ACCURACY), 1.0,
            "the trained NumPy network reaches the target accuracy on the test set")
### END HIDDEN TESTS

# %% [markdown]
# ## Part 4 — The same network in PyTorch
#
# PyTorch works on tensors; the pixels become `float32` (the default type, plenty for training)
# and the labels `int64`, the type `F.cross_entropy` expects.

# %% nbgrader={"grade": false, "grade_id": "tensors", "locked": true, "schema_version": 3, "solution": false, "task": false}
X_train_t = torch.tensor(X_train, dtype=torch.float32)
X_val_t = torch.tensor(X_val, dtype=torch.float32)
X_test_t = torch.tensor(X_test, dtype=torch.float32)
y_train_t, y_val_t = torch.from_numpy(y_train), torch.from_numpy(y_val)   # int64 labels
y_test_t = torch.from_numpy(y_test)

# %% [markdown]
# ### 4.1 Model and optimizer
#
# Build `model`: the digits network as an `nn.Module`, `nn.Linear(64, HIDDEN)` (its `weight` and
# `bias` play the roles of `W1` and `b1`), a ReLU, and `nn.Linear(HIDDEN, 10)`. An
# `nn.Sequential` or your own class: both are fine. It must output **logits**: no softmax at the
# end, `F.cross_entropy` applies it. PyTorch draws the initial weights itself;
# `torch.manual_seed(0)` makes them the same for everyone.
#
# Then create `optimizer = torch.optim.SGD(model.parameters(), lr=LEARNING_RATE)`. The optimizer
# keeps the list of parameters; `optimizer.step()` applies $p \leftarrow p - \eta\,
# \partial J/\partial p$ to each, using the gradients stored in `p.grad`, and
# `optimizer.zero_grad()` clears them.

# %% nbgrader={"grade": false, "grade_id": "model", "locked": false, "schema_version": 3, "solution": true, "task": false}
torch.manual_seed(0)   # the same initial weights for everyone
### BEGIN SOLUTION
model = nn.Sequential(nn.Linear(64, HIDDEN), nn.ReLU(), nn.Linear(HIDDEN, N_CLASSES))
optimizer = torch.optim.SGD(model.parameters(), lr=LEARNING_RATE)
### END SOLUTION

# %% nbgrader={"grade": true, "grade_id": "test_model", "locked": true, "points": 2, "schema_version": 3, "solution": false, "task": false}
"""model: 64 inputs -> HIDDEN ReLU units -> 10 logits; optimizer: SGD over all its parameters."""
check_that(isinstance(model, nn.Module), "`model` should be an nn.Module.")
n_model_ = sum(p.numel() for p in model.parameters())
check_that(n_model_ == 64 * HIDDEN + HIDDEN + HIDDEN * N_CLASSES + N_CLASSES,
           f"`model` has {n_model_} parameters; 64 -> HIDDEN -> 10 with biases has more or fewer.")
out_ = model(X_val_t[:5])
check_that(isinstance(out_, torch.Tensor) and tuple(out_.shape) == (5, N_CLASSES),
           "`model` should map a batch of 5 images (5, 64) to logits (5, 10).")
check_that(isinstance(optimizer, torch.optim.Optimizer), "`optimizer` should be a torch optimizer.")
optimized_ = {id(p) for group in optimizer.param_groups for p in group["params"]}
check_that(all(id(p) in optimized_ for p in model.parameters()),
           "`optimizer` does not hold every parameter of `model`.")
check_that(not torch.allclose(out_.sum(dim=1), torch.ones(5)) and bool((out_ < 0).any()),
           "`model` outputs probabilities (its rows sum to 1): it should output logits, with no "
           "softmax at the end.")
### BEGIN HIDDEN TESTS
check_close(float(torch.allclose(out_.sum(dim=1), torch.ones(5)) or not bool((out_ < 0).any())), 0.0,
            "whether `model` outputs probabilities (it should output logits)")
a_, b_ = X_val_t[:4], X_val_t[4:8]
with torch.no_grad():
    gap_ = model(a_) + model(b_) - model(torch.zeros_like(a_)) - model(a_ + b_)
check_that(gap_.abs().max() > 1e-3, "`model` is linear: put a ReLU between the two layers.")
check_that(isinstance(optimizer, torch.optim.SGD), "`optimizer` should be torch.optim.SGD.")
check_close(optimizer.param_groups[0]["lr"], 0.05, "the optimizer's learning rate")
check_that(optimizer.param_groups[0].get("momentum", 0) == 0, "use plain SGD, no momentum.")
### END HIDDEN TESTS

# %% [markdown]
# ### 4.2 One training step
#
# A PyTorch training step has four beats: clear the old gradients, run the model and the loss
# on the batch, backpropagate, update. The first beat matters: as COS 324 warns, `backward()`
# **adds** the new gradients to whatever `.grad` already holds, so that gradients of several
# losses can be combined. Forget to clear them and every step moves along the sum of all gradients
# so far. `F.cross_entropy` averages over the batch by default: that is the $\frac{1}{m}$ of your
# NumPy version.
#
# Write `train_step`; it returns the loss of the batch as a Python float (`loss.item()`).

# %% nbgrader={"grade": false, "grade_id": "train_step", "locked": false, "schema_version": 3, "solution": true, "task": false}
def train_step(model, optimizer, X_batch, y_batch):
    """One SGD step on the mean cross-entropy of a batch; returns the batch loss as a float.

    X_batch: (m, 64) float32 tensor; y_batch: (m,) int64 tensor of labels 0..9.
    """
    ### BEGIN SOLUTION
    optimizer.zero_grad()
    loss = F.cross_entropy(model(X_batch), y_batch)
    loss.backward()
    optimizer.step()
    return loss.item()
    ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "test_train_step", "locked": true, "points": 3, "schema_version": 3, "solution": false, "task": false}
"""train_step: returns a positive float and moves the weights of the model it is given."""
torch.manual_seed(5)
probe_ = nn.Sequential(nn.Linear(64, 8), nn.ReLU(), nn.Linear(8, N_CLASSES))
start_ = copy.deepcopy(probe_)
probe_optimizer_ = torch.optim.SGD(probe_.parameters(), lr=0.5)
first_ = train_step(probe_, probe_optimizer_, X_train_t[:16], y_train_t[:16])
check_number(first_, "the value returned by train_step")
known.check(first_, "the value returned by train_step")
check_that(as_number(first_, "train_step's loss") > 0, "the loss should be positive.")
pairs_ = zip(probe_.parameters(), start_.parameters(), strict=True)
moved_ = [not torch.equal(p, q) for p, q in pairs_]
check_that(any(moved_), "train_step did not change the model's parameters: take a step.")
torch.manual_seed(6)
steady_ = nn.Sequential(nn.Linear(64, 4), nn.ReLU(), nn.Linear(4, N_CLASSES))
steady_optimizer_ = torch.optim.SGD(steady_.parameters(), lr=0.5)
for rows_ in [slice(0, 16), slice(16, 32), slice(32, 48)]:
    train_step(steady_, steady_optimizer_, X_train_t[rows_], y_train_t[rows_])
known.confirm(steady_[2].weight.detach().numpy(),
              "the output weights of a small model after three steps of train_step")
### BEGIN HIDDEN TESTS
### BEGIN REFERENCE
def reference_step_(net_, X_, y_, lr_):
    loss_ = F.cross_entropy(net_(X_), y_)
    grads_ = torch.autograd.grad(loss_, list(net_.parameters()))
    with torch.no_grad():
        for p_, g_ in zip(net_.parameters(), grads_, strict=True):
            p_ -= lr_ * g_
    return loss_.item()
### END REFERENCE
check_close(first_, reference_step_(start_, X_train_t[:16], y_train_t[:16], 0.5), "the first loss")
for batch_ in [slice(16, 48), slice(16, 48), slice(100, 105)]:
    got_ = train_step(probe_, probe_optimizer_, X_train_t[batch_], y_train_t[batch_])
    ### BEGIN REFERENCE
    expected_ = reference_step_(start_, X_train_t[batch_], y_train_t[batch_], 0.5)
    ### END REFERENCE
    check_close(got_, expected_, "the loss of a later step", rtol=1e-4)
for (name_, p_), q_ in zip(probe_.named_parameters(), start_.parameters(), strict=True):
    check_close(p_.detach().numpy(), q_.detach().numpy(), f"{name_} after four steps",
                rtol=1e-4, atol=1e-6)
### END HIDDEN TESTS

# %% [markdown]
# ### 4.3 Accuracy in PyTorch
#
# Write `torch_accuracy(model, X, y)`. Evaluate inside `with torch.no_grad():`, which tells
# autograd not to record anything (no backward pass will follow), and return a Python float.

# %% nbgrader={"grade": false, "grade_id": "torch_accuracy", "locked": false, "schema_version": 3, "solution": true, "task": false}
def torch_accuracy(model, X, y):
    """Fraction of the examples X (m, 64) whose largest logit is at their label y (m,)."""
    ### BEGIN SOLUTION
    with torch.no_grad():
        predictions = model(X).argmax(dim=1)
    return (predictions == y).float().mean().item()
    ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "test_torch_accuracy", "locked": true, "points": 1, "schema_version": 3, "solution": false, "task": false}
"""torch_accuracy: one number between 0 and 1."""
value_ = torch_accuracy(model, X_val_t[:20], y_val_t[:20])
check_number(value_, "torch_accuracy(model, X, y)")
check_that(0 <= as_number(value_, "torch_accuracy") <= 1, "an accuracy lies between 0 and 1.")
### BEGIN HIDDEN TESTS
torch.manual_seed(14)
probe_ = nn.Linear(64, N_CLASSES)
### BEGIN REFERENCE
with torch.no_grad():
    expected_ = (probe_(X_val_t).argmax(dim=1) == y_val_t).double().mean().item()
### END REFERENCE
check_close(torch_accuracy(probe_, X_val_t, y_val_t), expected_, "the accuracy of a random model")
fixed_ = nn.Linear(64, 3)
with torch.no_grad():
    fixed_.weight.zero_()
    fixed_.bias.copy_(torch.tensor([0.0, 1.0, 0.5]))
check_close(torch_accuracy(fixed_, X_val_t[:4], torch.tensor([1, 1, 0, 2])), 0.5,
            "torch_accuracy of a model that always says 1")
### END HIDDEN TESTS

# %% [markdown]
# ### 4.4 Training, live
#
# Same driver, same data, same settings; the batches come from a generator of seed 1 again.

# %% nbgrader={"grade": false, "grade_id": "train_torch", "locked": true, "schema_version": 3, "solution": false, "task": false}
batch_rng = np.random.default_rng(1)


def torch_epoch():
    order = torch.from_numpy(batch_rng.permutation(len(X_train_t)))
    for start in range(0, len(order), BATCH_SIZE):
        batch = order[start:start + BATCH_SIZE]
        train_step(model, optimizer, X_train_t[batch], y_train_t[batch])


def torch_scores():
    loss = F.cross_entropy(model(X_train_t), y_train_t).item()
    train_accuracy = torch_accuracy(model, X_train_t, y_train_t)
    return loss, train_accuracy, torch_accuracy(model, X_val_t, y_val_t)


torch_history, torch_seconds = fit(torch_epoch, torch_scores, EPOCHS, "PyTorch")
print(f"PyTorch: {EPOCHS} epochs of training in {torch_seconds:.1f} s")

# %% [markdown]
# Set `torch_test_accuracy` to the accuracy of the trained `model` on the test set: again the
# first and only look at it for this network.

# %% nbgrader={"grade": false, "grade_id": "torch_test_accuracy", "locked": false, "schema_version": 3, "solution": true, "task": false}
### BEGIN SOLUTION
torch_test_accuracy = torch_accuracy(model, X_test_t, y_test_t)
### END SOLUTION
print(f"PyTorch network: {float(torch_test_accuracy):.1%} of the test digits right")

# %% nbgrader={"grade": true, "grade_id": "test_torch_test_accuracy", "locked": true, "points": 2, "schema_version": 3, "solution": false, "task": false}
"""torch_test_accuracy: the trained model's accuracy on the test set, on target, in time."""
check_number(torch_test_accuracy, "torch_test_accuracy")
check_that(0 <= as_number(torch_test_accuracy, "torch_test_accuracy") <= 1,
           "an accuracy lies between 0 and 1.")
check_that(torch_seconds < TIME_LIMIT,
           f"training took {torch_seconds:.0f} s, more than {TIME_LIMIT:.0f} s.")
check_that(as_number(torch_accuracy(model, X_test_t, y_test_t), "accuracy") >= TARGET_ACCURACY,
           "your trained PyTorch network misses the target accuracy on the test set: look at "
           "train_step (zero_grad, loss of the logits, backward, step) and at model.")
check_that(np.isclose(as_number(torch_test_accuracy, "torch_test_accuracy"),
                      as_number(torch_accuracy(model, X_test_t, y_test_t), "accuracy"), atol=1e-6),
           "`torch_test_accuracy` should be the accuracy of the trained model on the test set "
           "(X_test_t, y_test_t).")
### BEGIN HIDDEN TESTS
# A model of one's own class trains differently: the test asks for what the text asks, the
# accuracy of the trained model on the test set, at the target.
with torch.no_grad():
    own_accuracy_ = (model(X_test_t).argmax(dim=1) == y_test_t).double().mean().item()
check_close(as_number(torch_test_accuracy, "torch_test_accuracy") - own_accuracy_, 0.0,
            "torch_test_accuracy against the accuracy of the trained model on the test set", atol=1e-6)
check_close(float(own_accuracy_ >= TARGET_ACCURACY), 1.0,
            "the trained PyTorch network reaches the target accuracy on the test set")
### END HIDDEN TESTS

# %% [markdown]
# The two networks are the same mathematics. To see it, copy your NumPy parameters into a
# PyTorch network: `nn.Linear`'s `weight` and `bias` are exactly your `W1` and `b1`, so the
# logits agree to rounding error.

# %%
twin = nn.Sequential(nn.Linear(64, HIDDEN), nn.ReLU(), nn.Linear(HIDDEN, N_CLASSES)).double()
for layer, number in [(twin[0], 1), (twin[2], 2)]:
    layer.weight = nn.Parameter(torch.from_numpy(params[f"W{number}"]))
    layer.bias = nn.Parameter(torch.from_numpy(params[f"b{number}"]))
gap = twin(torch.from_numpy(X_val)).detach().numpy() - forward(X_val, params)
print("largest difference between the two networks' logits:", np.abs(gap).max())

# %% [markdown]
# ## Part 5 — What does the network get wrong?
#
# Accuracy is one number. Looking at the mistakes says more. We look at them on the validation
# set: the test set has given its one number per network, and studying its mistakes in detail
# would be the first step to tuning on it. The grid shows the validation digits the PyTorch network got wrong first
# (framed in red, titled "predicted (true)"), then some it got right.

# %% nbgrader={"grade": false, "grade_id": "show_predictions", "locked": true, "schema_version": 3, "solution": false, "task": false}
torch_predictions = model(X_val_t).argmax(dim=1).numpy()   # argmax carries no gradient
wrong = torch_predictions != y_val
shown = np.concatenate([np.flatnonzero(wrong), np.flatnonzero(~wrong)])[:30]
pairs = zip(torch_predictions[shown], y_val[shown], strict=True)
titles = [f"{p}" if p == t else f"{p} ({t})" for p, t in pairs]
show_digits(X_val[shown], titles, wrong[shown])
plt.suptitle(f"{wrong.sum()} of {len(y_val)} validation digits misclassified", y=1.02)
plt.show()


# %% [markdown]
# A **confusion matrix** counts, for every pair of digits $(i, j)$, how many validation images of
# the digit $i$ the network called $j$. Right answers sit on the diagonal; every off-diagonal count is
# a kind of mistake. Write `confusion_matrix(y_true, y_pred, n_classes)`, with the true digit as
# the **row** and the prediction as the **column**, and compute `confusion` for the PyTorch
# network's predictions on the validation set.

# %% nbgrader={"grade": false, "grade_id": "confusion_matrix", "locked": false, "schema_version": 3, "solution": true, "task": false}
def confusion_matrix(y_true, y_pred, n_classes=N_CLASSES):
    """Counts (n_classes, n_classes): entry [i, j] = number of examples of class i predicted j."""
    ### BEGIN SOLUTION
    counts = np.zeros((n_classes, n_classes), dtype=int)
    np.add.at(counts, (y_true, y_pred), 1)
    return counts
    ### END SOLUTION


### BEGIN SOLUTION
confusion = confusion_matrix(y_val, torch_predictions)
### END SOLUTION

# %% nbgrader={"grade": true, "grade_id": "test_confusion_matrix", "locked": true, "points": 2, "schema_version": 3, "solution": false, "task": false}
"""confusion: a (10, 10) table counting every validation image once, right answers on the diagonal."""
check_array(confusion, "confusion", shape=(N_CLASSES, N_CLASSES))
check_that(np.sum(confusion) == len(y_val), "`confusion` should count every validation image once.")
check_that(np.trace(confusion) == np.sum(torch_predictions == y_val),
           "the diagonal of `confusion` should count the right predictions.")
check_that(np.array_equal(np.sum(confusion, axis=1), np.bincount(y_val, minlength=N_CLASSES)),
           "row i of `confusion` should count every validation image of the digit i: the true "
           "digit is the row, the prediction the column.")
### BEGIN HIDDEN TESTS
small_ = confusion_matrix(np.array([0, 0, 1, 2, 2, 2]), np.array([0, 1, 1, 2, 0, 0]), 3)
check_close(small_, [[1, 1, 0], [0, 1, 0], [2, 0, 1]], "confusion_matrix of six labels")
rng_ = np.random.default_rng(15)
t_, p_ = rng_.integers(0, 4, size=60), rng_.integers(0, 4, size=60)
### BEGIN REFERENCE
expected_ = np.array([[np.sum((t_ == i) & (p_ == j)) for j in range(4)] for i in range(4)])
### END REFERENCE
check_close(confusion_matrix(t_, p_, 4), expected_, "confusion_matrix of 60 random labels")
### END HIDDEN TESTS

# %% nbgrader={"grade": false, "grade_id": "draw_confusion", "locked": true, "schema_version": 3, "solution": false, "task": false}
fig, ax = plt.subplots(figsize=(5.2, 4.6))
ax.imshow(confusion, cmap="Blues")
for (i, j), count in np.ndenumerate(confusion):
    if count:
        ax.text(j, i, count, ha="center", va="center", fontsize=8,
                color="white" if count > confusion.max() / 2 else "black")
ax.set(xlabel="predicted digit", ylabel="true digit", xticks=range(10), yticks=range(10),
       title="PyTorch network, validation set")
plt.show()

# %% [markdown]
# ## What you built
#
# You wrote a PyTorch network and checked PyTorch against yourself: the same logits, the same loss,
# and autograd's gradients equal to your own backpropagation. You saw why `float64` matters when
# checking tiny numbers, counted parameters two ways, and trained the same classifier on real
# handwritten digits twice, once with your own NumPy mini-batch gradient descent and once with
# `nn.Module` and `torch.optim.SGD`, each in a few seconds.
#
# Questions to think about (not graded):
# - Which digits does the confusion matrix mix up most? Look at those images in the grid: would
#   you have hesitated too?
# - Train for more epochs, or with a larger `LEARNING_RATE`. What happens to the gap between
#   training and validation accuracy? Which setting would you pick, and why by the validation
#   curve and not by the test accuracy?
# - Take `optimizer.zero_grad()` out of `train_step` and train again (in a copy of this
#   notebook). What do the curves do, and why?

# %% [markdown]
# ## Where you stand
#
# Run the cell below whenever you like: it runs every check of this notebook again and prints one line for each, the first thing to fix at the top, and a known mistake by its name. It shows no answers and no tracebacks. Its last line says what the checks cannot decide: the points of the cells whose values no check compares with the right ones, which only the graded run decides. A line of ticks is a good sign, not a promise of full marks.

# %% nbgrader={"grade": false, "grade_id": "summary", "locked": true, "schema_version": 3, "solution": false, "task": false}
from workbook.summary import summarise

summarise("pytorch_digits.ipynb")
