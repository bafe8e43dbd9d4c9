# %% [markdown]
# # Assignment 8 — Layers as modules, regularisation, batch norm, and backprop by hand
#
# In Assignment 4 you wrote one class that did everything: every layer, the loss and the whole
# backward pass lived in two long methods. Real libraries are built the other way round: every
# kind of layer is a small module with a **forward** function, which computes its output and keeps
# what it will need later in a *cache*, and a **backward** function, which turns the gradient of
# the loss with respect to its output into the gradients with respect to its input and its
# parameters. A network is then a stack of such modules, and a new kind of layer is one more pair
# of functions, checked on its own. This assignment builds that library and uses it:
#
# 1. **Part 1, layers as modules.** `affine_forward` / `affine_backward`, `relu_forward` /
#    `relu_backward`, the two glued into a *sandwich* layer, the softmax and squared-error losses,
#    and your Assignment 4 network rebuilt from them, with the same numbers.
# 2. **Part 2, regularisation.** L2 weight decay, in the loss and in every weight gradient, and
#    inverted dropout, forward and backward, in training and in test mode.
# 3. **Part 3, normalisation.** Batch norm forward (training mode with running averages, test
#    mode) and backward, first step by step along its computation graph, then in a closed form,
#    checked against each other, finite differences and `torch.nn.BatchNorm1d`; layer norm as the
#    same code turned on its side.
# 4. **Part 4, a network and a training loop.** A `FullyConnectedNet` made of your layers and a
#    small `Solver` (mini-batches, learning-rate decay, a checkpoint of the best validation
#    accuracy), then two experiments on the handwritten digits: what weight decay and dropout do
#    to a network that overfits, and what batch norm does to a deep network started at the wrong
#    scale.
# 5. **Part 5, backprop by hand through a real network.** A small network (linear, batch norm,
#    tanh, linear, cross-entropy) runs in PyTorch one named step at a time; you write the gradient
#    of every step by hand, and a helper compares each with autograd, tensor by tensor, naming the
#    first one that disagrees.
#
# **Shapes.** Data comes one example per row, as in Assignment 4: a batch `x` of `N` examples
# with `D` features has shape `(N, D)`. Every docstring states the shape of what goes in and comes
# out, and the hidden tests draw a new batch size and new widths for every test, so a transpose
# that happens to work for square matrices, or a sum over the wrong axis, does not survive.
#
# **How the checks work.** After each answer cell comes a test cell. Its *visible* checks tell you
# what to fix (type, shape, a property every right answer has, agreement with finite differences
# or with PyTorch) without giving the answer away; when the notebook is graded, *hidden* checks
# compare your results with the correct ones on other data too. Replace every
# `raise NotImplementedError()` with your code, then use *Kernel → Restart and Run All* before you
# submit. The last cell sums up where you stand. The whole notebook runs in about 10 seconds on
# two CPU cores.
#
# **Sources.** The module design (forward and backward functions with a cache, the sandwich layer,
# the `Solver`, the checks of every layer against numerical gradients) follows the second
# assignment of Stanford's CS231n, *Convolutional Neural Networks for Visual Recognition*
# (F.-F. Li, J. Johnson, S. Yeung et al., <https://cs231n.github.io>), and its course notes on
# neural networks. Part 5 follows Andrej Karpathy's lecture *Building makemore Part 4: Becoming a
# Backprop Ninja* (2022, <https://github.com/karpathy/nn-zero-to-hero>). Weight decay as a penalty
# on the squared weights: A. Krogh and J. Hertz, "A simple weight decay can improve
# generalization" (NeurIPS 1991); why the biases are left out: I. Goodfellow, Y. Bengio and
# A. Courville, *Deep Learning* (MIT Press, 2016, section 7.1,
# <https://www.deeplearningbook.org>). Dropout: N. Srivastava, G. Hinton, A. Krizhevsky, I. Sutskever
# and R. Salakhutdinov, "Dropout: a simple way to prevent neural networks from overfitting"
# (JMLR 15, 2014, <https://jmlr.org/papers/v15/srivastava14a.html>). Batch norm: S. Ioffe and
# C. Szegedy, "Batch normalization: accelerating deep network training by reducing internal
# covariate shift" (ICML 2015, <https://arxiv.org/abs/1502.03167>). Layer norm: J. L. Ba, J. R.
# Kiros and G. E. Hinton, "Layer normalization" (2016, <https://arxiv.org/abs/1607.06450>).
# PyTorch's conventions are those documented for `torch.nn.BatchNorm1d`, `torch.nn.LayerNorm`,
# `torch.nn.Dropout` and `torch.optim.SGD` (<https://pytorch.org/docs/stable/>). The Figure-8
# network of Part 1 is from Rodolfo Lourenzutti's tutorial *Feed Forward Neural Network*
# (<https://lourenzutti.github.io/posts/fnn/>), the row-vector batch formulas from Khiem Nguyen's
# *Neural network: a gentle introduction*, University of Glasgow lecture slides
# (<https://github.com/khiemnguyen0407/uog-ml>). The text and code here are written for this
# workbook.
#
# **Data.** "Optical Recognition of Handwritten Digits", E. Alpaydin and C. Kaynak (1998), UCI
# Machine Learning Repository, <https://doi.org/10.24432/C50P49>, licensed under CC BY 4.0, in the
# 1,797-image version that scikit-learn ships as `load_digits`, stored in the course package.

# %% nbgrader={"grade": false, "grade_id": "threads", "locked": true, "schema_version": 3, "solution": false, "task": false}
import os

# The matrices of this notebook are small: one BLAS thread multiplies them fastest. (This must
# run before NumPy is first imported, so it has a cell of its own.)
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

# %% nbgrader={"grade": false, "grade_id": "setup", "locked": true, "schema_version": 3, "solution": false, "task": false}
import time

import matplotlib.pyplot as plt
import numpy as np
import torch
import torch.nn.functional as F

from workbook.checks import as_number, check_array, check_close, check_number, check_that
from workbook.data import figure8_data, figure8_weights
from workbook.diagrams import draw_computation_graph
from workbook.digits import load_digits, train_test_split
from workbook.gradcheck import compare_gradients, numerical_vjp, relative_error, vjp_agrees
from workbook.widgets import pictures_off

torch.set_num_threads(1)                 # small tensors are fastest on one thread
torch.set_default_dtype(torch.float64)   # double precision: results agree to many digits

# %% [markdown]
# ## Part 1 — Layers as modules
#
# A layer is two functions. The **forward** function takes the layer's input (and parameters)
# and returns its output together with a **cache**: whatever the backward function will need, for
# example the input itself. The **backward** function takes `dout`, the gradient of the loss with
# respect to the layer's output (same shape as the output), and the cache, and returns the
# gradient of the loss with respect to each input of the forward function. Nothing else passes
# between them, and no layer knows which layers come before or after it: that is what lets you
# stack them in any order.
#
# ### 1.1 The affine layer
#
# The affine (fully connected) layer computes $\;\text{out} = x\,w + b\;$ for a batch `x` of shape
# `(N, D)`, weights `w` of shape `(D, M)` and a bias `b` of `M` numbers added to every row. The
# bias may come as a vector of shape `(M,)` or, as in Assignment 4, as a row of shape `(1, M)`;
# either works in the forward pass thanks to broadcasting. With `dout` of shape `(N, M)`, the
# backward pass is the one you know from Assignment 4:
#
# $$dx = \text{dout}\; w^\top \;\; (N, D), \qquad dw = x^\top\, \text{dout} \;\; (D, M), \qquad
# db = \textstyle\sum_{\text{rows}} \text{dout}.$$
#
# Return `db` **in the shape of `b`**: `(M,)` for a vector bias, `(1, M)` for a row. A gradient
# always has the shape of the thing it is the gradient of, so that `b -= lr * db` never
# broadcasts into something else.

# %% nbgrader={"grade": false, "grade_id": "affine", "locked": false, "schema_version": 3, "solution": true, "task": false}
def affine_forward(x, w, b):
    """Forward pass of an affine layer.

    x: inputs, shape (N, D); w: weights, shape (D, M); b: bias, shape (M,) or (1, M).
    Returns (out, cache): out = x @ w + b, shape (N, M), and a cache for affine_backward.
    """
    ### BEGIN SOLUTION
    return x @ w + b, (x, w, b)
    ### END SOLUTION


def affine_backward(dout, cache):
    """Backward pass of an affine layer.

    dout: gradient of the loss with respect to out, shape (N, M); cache: from affine_forward.
    Returns (dx, dw, db): shapes (N, D), (D, M) and the shape of b.
    """
    ### BEGIN SOLUTION
    x, w, b = cache
    return dout @ w.T, x.T @ dout, dout.sum(axis=0).reshape(np.shape(b))
    ### END SOLUTION


# %% [markdown]
# The checks below use `numerical_vjp(f, array, dout)` from `workbook.gradcheck`: the
# finite-difference gradient of $\sum f() \odot \text{dout}$ with respect to `array`, nudging
# one entry at a time (and putting it back). That is exactly what a backward function computes
# from `dout`, so every backward pass in this notebook can be checked against its own forward
# pass, with no answer key: `relative_error(dx, numerical_vjp(...))` below about $10^{-7}$ means
# agreement. `vjp_agrees(dx, f, array, dout)` does both and answers yes or no (with a looser
# tolerance when `f` computes in float32, whose rounding finite differences magnify).

# %%
rng = np.random.default_rng(0)
x, w, b, dout = (rng.normal(size=shape) for shape in [(4, 3), (3, 5), (5,), (4, 5)])
dx, dw, db = affine_backward(dout, affine_forward(x, w, b)[1])
for name, grad, wrt in (("dx", dx, x), ("dw", dw, w), ("db", db, b)):
    numeric = numerical_vjp(lambda: affine_forward(x, w, b)[0], wrt, dout)
    print(f"{name}: relative error {relative_error(grad, numeric):.1e}")

# %% nbgrader={"grade": true, "grade_id": "test_affine_forward", "locked": true, "points": 2, "schema_version": 3, "solution": false, "task": false}
"""affine_forward: out = x @ w + b of shape (N, M), for a vector or a row bias."""
### BEGIN HIDDEN TESTS
# Test helpers for this and later test cells.
def distinct_(rng, count, low=2, high=12):
    """`count` different whole numbers from [low, high): batch sizes and widths that differ."""
    return [int(n) for n in rng.choice(np.arange(low, high), size=count, replace=False)]


### BEGIN REFERENCE
def ref_affine_grads_(x, w, b, dout):
    """dx, dw, db of an affine layer (db in the shape of b)."""
    return dout @ w.T, x.T @ dout, dout.sum(axis=0).reshape(np.shape(b))


def ref_softmax_loss_(scores, y):
    """Mean cross-entropy of the rows of scores against labels y, and its gradient."""
    shifted = scores - scores.max(axis=1, keepdims=True)
    log_probs = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
    rows = np.arange(len(y))
    probs = np.exp(log_probs)
    probs[rows, y] -= 1
    return -log_probs[rows, y].mean(), probs / len(y)


def ref_mse_loss_(a, Y):
    """sum((a - Y)**2) / (2N) and its gradient (a - Y) / N."""
    return np.sum((a - Y) ** 2) / (2 * len(a)), (a - Y) / len(a)


def ref_network_(params, X, Y, loss_fn, relu_hidden=True):
    """Loss and gradients of affine-ReLU layers with an affine output, by plain backprop."""
    layers = sum(name.startswith("W") for name in params)
    inputs, pre, h = [], [], X
    for layer in range(1, layers + 1):
        inputs.append(h)
        z = h @ params[f"W{layer}"] + params[f"b{layer}"]
        pre.append(z)
        h = np.maximum(z, 0) if layer < layers else z
    loss, delta = loss_fn(h, Y)
    grads = {}
    for layer in range(layers, 0, -1):
        if layer < layers:
            delta = delta * (pre[layer - 1] > 0)
        W, b = params[f"W{layer}"], params[f"b{layer}"]
        _, grads[f"W{layer}"], grads[f"b{layer}"] = ref_affine_grads_(inputs[layer - 1], W, b,
                                                                      delta)
        delta = delta @ W.T
    return loss, grads
### END REFERENCE
### END HIDDEN TESTS
rng_ = np.random.default_rng(0)
x_, w_, b_ = rng_.normal(size=(4, 3)), rng_.normal(size=(3, 5)), rng_.normal(size=5)
result_ = affine_forward(x_, w_, b_)
check_that(isinstance(result_, tuple) and len(result_) == 2,
           "affine_forward should return a pair (out, cache).")
check_array(result_[0], "out of affine_forward with x (4, 3), w (3, 5)", shape=(4, 5))
check_array(affine_forward(x_, w_, b_.reshape(1, 5))[0], "out with a bias of shape (1, 5)",
            shape=(4, 5))
### BEGIN HIDDEN TESTS
for seed_ in (801, 802, 803):
    rng_ = np.random.default_rng(seed_)
    N_, D_, M_ = distinct_(rng_, 3)
    x_, w_ = rng_.normal(size=(N_, D_)), rng_.normal(size=(D_, M_))
    b_ = rng_.normal(size=(M_,) if seed_ % 2 else (1, M_))
    check_close(affine_forward(x_, w_, b_)[0], x_ @ w_ + b_,
                f"out of affine_forward, x of shape {(N_, D_)}, w {(D_, M_)}, b {b_.shape}")
### END HIDDEN TESTS

# %% nbgrader={"grade": true, "grade_id": "test_affine_backward", "locked": true, "points": 3, "schema_version": 3, "solution": false, "task": false}
"""affine_backward: dx, dw, db of the right shapes, equal to finite differences of the forward pass."""
rng_ = np.random.default_rng(1)
x_, w_, b_ = rng_.normal(size=(4, 3)), rng_.normal(size=(3, 5)), rng_.normal(size=5)
dout_ = rng_.normal(size=(4, 5))
grads_ = affine_backward(dout_, affine_forward(x_, w_, b_)[1])
check_that(isinstance(grads_, tuple) and len(grads_) == 3,
           "affine_backward should return three gradients (dx, dw, db).")
for got_, wrt_ in zip(grads_, (x_, w_, b_), strict=True):
    name_ = {id(x_): "dx", id(w_): "dw", id(b_): "db"}[id(wrt_)]
    check_array(got_, f"{name_} for x (4, 3), w (3, 5), b (5,)", shape=wrt_.shape)
    check_that(vjp_agrees(got_, lambda: affine_forward(x_, w_, b_)[0], wrt_, dout_),
               f"`{name_}` disagrees with the finite differences of affine_forward.")
row_bias_ = b_.reshape(1, 5)
check_array(affine_backward(dout_, affine_forward(x_, w_, row_bias_)[1])[2],
            "db for a bias of shape (1, 5)", shape=(1, 5))
### BEGIN HIDDEN TESTS
for seed_ in (811, 812, 813, 814):
    rng_ = np.random.default_rng(seed_)
    N_, D_, M_ = distinct_(rng_, 3)
    x_, w_ = rng_.normal(size=(N_, D_)), rng_.normal(size=(D_, M_))
    b_ = rng_.normal(size=(M_,) if seed_ % 2 else (1, M_))
    dout_ = rng_.normal(size=(N_, M_))
    got_ = affine_backward(dout_, affine_forward(x_, w_, b_)[1])
    ### BEGIN REFERENCE
    want_ = ref_affine_grads_(x_, w_, b_, dout_)
    ### END REFERENCE
    for k_, name_ in enumerate(("dx", "dw", "db")):
        check_close(got_[k_], want_[k_],
                    f"{name_} of affine_backward, x {(N_, D_)}, w {(D_, M_)}, b {b_.shape}")
### END HIDDEN TESTS

# %% [markdown]
# ### 1.2 The ReLU layer
#
# `relu_forward(x)` returns $\max(x, 0)$, entry by entry, and a cache; `relu_backward(dout,
# cache)` lets the gradient through where the input was positive and stops it elsewhere. The ReLU
# has no parameters, so its backward function returns one gradient only, `dx`. At exactly 0 take
# the slope to be 0, as PyTorch does.

# %% nbgrader={"grade": false, "grade_id": "relu", "locked": false, "schema_version": 3, "solution": true, "task": false}
def relu_forward(x):
    """ReLU, entry by entry. x: any shape. Returns (out, cache), out of x's shape."""
    ### BEGIN SOLUTION
    return np.maximum(x, 0), x
    ### END SOLUTION


def relu_backward(dout, cache):
    """Backward pass of ReLU. dout: the shape of x. Returns dx, the shape of x."""
    ### BEGIN SOLUTION
    return dout * (cache > 0)
    ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "test_relu", "locked": true, "points": 2, "schema_version": 3, "solution": false, "task": false}
"""relu_forward and relu_backward: max(x, 0), and dout let through where x > 0."""
rng_ = np.random.default_rng(2)
x_, dout_ = rng_.normal(size=(5, 3)), rng_.normal(size=(5, 3))
out_, cache_ = relu_forward(x_)
check_array(out_, "out of relu_forward for x of shape (5, 3)", shape=(5, 3))
check_that(np.all(out_ >= 0), "A ReLU's output is never negative.")
dx_ = relu_backward(dout_, cache_)
check_array(dx_, "dx of relu_backward", shape=(5, 3))
check_that(vjp_agrees(dx_, lambda: relu_forward(x_)[0], x_, dout_),
           "`dx` disagrees with the finite differences of relu_forward.")
### BEGIN HIDDEN TESTS
for seed_ in (821, 822):
    rng_ = np.random.default_rng(seed_)
    N_, D_ = distinct_(rng_, 2)
    x_, dout_ = rng_.normal(size=(N_, D_)), rng_.normal(size=(N_, D_))
    relu_out_, relu_cache_ = relu_forward(x_)
    check_close(relu_out_, np.maximum(x_, 0), f"relu_forward for x of shape {(N_, D_)}")
    check_close(relu_backward(dout_, relu_cache_), dout_ * (x_ > 0),
                f"relu_backward for x of shape {(N_, D_)}")
### END HIDDEN TESTS

# %% [markdown]
# ### 1.3 A sandwich layer
#
# Hidden layers are almost always an affine layer followed by a nonlinearity, so it pays to glue
# the two into one *sandwich* layer: `affine_relu_forward` calls your two forward functions and
# keeps both caches in its own; `affine_relu_backward` calls the two backward functions **in the
# opposite order**: the gradient flows back through the ReLU first, then through the affine layer.
# Write both using your functions above, not by repeating their formulas.

# %% nbgrader={"grade": false, "grade_id": "sandwich", "locked": false, "schema_version": 3, "solution": true, "task": false}
def affine_relu_forward(x, w, b):
    """An affine layer followed by a ReLU. Shapes as affine_forward; out: (N, M)."""
    ### BEGIN SOLUTION
    a, fc_cache = affine_forward(x, w, b)
    out, relu_cache = relu_forward(a)
    return out, (fc_cache, relu_cache)
    ### END SOLUTION


def affine_relu_backward(dout, cache):
    """Backward pass of the sandwich. dout: (N, M). Returns (dx, dw, db) as affine_backward."""
    ### BEGIN SOLUTION
    fc_cache, relu_cache = cache
    return affine_backward(relu_backward(dout, relu_cache), fc_cache)
    ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "test_sandwich", "locked": true, "points": 2, "schema_version": 3, "solution": false, "task": false}
"""affine_relu_forward/backward: ReLU(x @ w + b), and its gradients."""
rng_ = np.random.default_rng(3)
x_, w_, b_ = rng_.normal(size=(6, 4)), rng_.normal(size=(4, 3)), rng_.normal(size=3)
dout_ = rng_.normal(size=(6, 3))
out_, cache_ = affine_relu_forward(x_, w_, b_)
check_array(out_, "out of affine_relu_forward, x (6, 4), w (4, 3)", shape=(6, 3))
check_that(np.all(out_ >= 0), "The sandwich ends in a ReLU: its output is never negative.")
dx_, dw_, db_ = affine_relu_backward(dout_, cache_)
check_array(dw_, "dw of affine_relu_backward", shape=(4, 3))
check_that(vjp_agrees(dx_, lambda: affine_relu_forward(x_, w_, b_)[0], x_, dout_),
           "`dx` of the sandwich disagrees with the finite differences of its forward pass.")
### BEGIN HIDDEN TESTS
for seed_ in (831, 832):
    rng_ = np.random.default_rng(seed_)
    N_, D_, M_ = distinct_(rng_, 3)
    x_, w_, b_ = rng_.normal(size=(N_, D_)), rng_.normal(size=(D_, M_)), rng_.normal(size=M_)
    dout_ = rng_.normal(size=(N_, M_))
    sandwich_out_, sandwich_cache_ = affine_relu_forward(x_, w_, b_)
    got_ = affine_relu_backward(dout_, sandwich_cache_)
    check_close(sandwich_out_, np.maximum(x_ @ w_ + b_, 0), f"the sandwich's output, x {(N_, D_)}")
    ### BEGIN REFERENCE
    want_ = ref_affine_grads_(x_, w_, b_, dout_ * (x_ @ w_ + b_ > 0))
    ### END REFERENCE
    for k_, name_ in enumerate(("dx", "dw", "db")):
        check_close(got_[k_], want_[k_], f"{name_} of the sandwich, x {(N_, D_)}, w {(D_, M_)}")
### END HIDDEN TESTS

# %% [markdown]
# ### 1.4 Loss layers
#
# A loss is a layer too, the last one: it takes the network's output and the targets and returns
# the loss (one number) and the gradient of the loss with respect to the output, which starts the
# backward pass. Write two:
#
# - `softmax_loss(scores, y)`: `scores` of shape `(N, C)` holds one row of logits per example,
#   `y` the `N` labels (whole numbers from 0 to C-1). The loss is the **mean** over the rows of the
#   cross-entropy $-\log \operatorname{softmax}(s_i)_{y_i}$, and its gradient with respect to the
#   scores is $(\operatorname{softmax}(s) - \text{one-hot}(y)) / N$. Subtract each row's largest
#   score before taking exponentials, so that logits in the hundreds do not overflow.
# - `mse_loss(a, Y)`: Assignment 4's cost $J = \frac{1}{2N}\sum_{i,j} (a_{ij} - Y_{ij})^2$ for
#   outputs and targets of shape `(N, K)`, with gradient $(a - Y)/N$: summed over the output
#   columns, averaged over the examples.

# %% nbgrader={"grade": false, "grade_id": "losses", "locked": false, "schema_version": 3, "solution": true, "task": false}
def softmax_loss(scores, y):
    """Mean cross-entropy of softmax(scores) against labels y.

    scores: (N, C) logits; y: (N,) whole numbers in 0..C-1.
    Returns (loss, dscores): a number, and the gradient of shape (N, C).
    """
    ### BEGIN SOLUTION
    shifted = scores - scores.max(axis=1, keepdims=True)
    log_probs = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
    rows = np.arange(len(y))
    dscores = np.exp(log_probs)
    dscores[rows, y] -= 1
    return -log_probs[rows, y].mean(), dscores / len(y)
    ### END SOLUTION


def mse_loss(a, Y):
    """J = sum((a - Y)**2) / (2N) and its gradient.

    a, Y: outputs and targets, shape (N, K). Returns (loss, da): a number, and shape (N, K).
    """
    ### BEGIN SOLUTION
    return np.sum((a - Y) ** 2) / (2 * len(a)), (a - Y) / len(a)
    ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "test_softmax_loss", "locked": true, "points": 3, "schema_version": 3, "solution": false, "task": false}
"""softmax_loss: the mean cross-entropy (as F.cross_entropy) and its gradient; no overflow."""
rng_ = np.random.default_rng(4)
scores_, y_ = rng_.normal(size=(6, 4)), rng_.integers(0, 4, size=6)
loss_, dscores_ = softmax_loss(scores_, y_)
check_number(loss_, "the loss of softmax_loss")
check_that(as_number(loss_, "the loss") > 0, "A cross-entropy is positive.")
check_array(dscores_, "dscores for scores of shape (6, 4)", shape=(6, 4))
check_that(np.allclose(dscores_.sum(axis=1), 0),
           "Every row of dscores should sum to 0 (softmax sums to 1, the one-hot too).")
check_that(abs(as_number(loss_, "the loss")
               - F.cross_entropy(torch.tensor(scores_), torch.tensor(y_)).item()) < 1e-10,
           "The loss disagrees with torch.nn.functional.cross_entropy (a mean over the rows).")
check_that(vjp_agrees(dscores_, lambda: softmax_loss(scores_, y_)[0], scores_),
           "`dscores` disagrees with the finite differences of the loss.")
### BEGIN HIDDEN TESTS
for seed_, scale_ in ((841, 1.0), (842, 3.0), (843, 400.0)):
    rng_ = np.random.default_rng(seed_)
    N_, C_ = distinct_(rng_, 2, low=3)
    scores_, y_ = scale_ * rng_.normal(size=(N_, C_)), rng_.integers(0, C_, size=N_)
    ### BEGIN REFERENCE
    want_ = ref_softmax_loss_(scores_, y_)
    ### END REFERENCE
    with np.errstate(all="ignore"):
        got_ = softmax_loss(scores_, y_)
    check_close(got_[0], want_[0], f"the loss for scores of shape {(N_, C_)} and size {scale_}")
    check_close(got_[1], want_[1], f"dscores for scores of shape {(N_, C_)} and size {scale_}")
### END HIDDEN TESTS

# %% nbgrader={"grade": true, "grade_id": "test_mse_loss", "locked": true, "points": 1, "schema_version": 3, "solution": false, "task": false}
"""mse_loss: sum((a - Y)**2) / (2N) and (a - Y) / N, for any number of output columns."""
rng_ = np.random.default_rng(5)
a_, Y_ = rng_.normal(size=(5, 3)), rng_.normal(size=(5, 3))
loss_, da_ = mse_loss(a_, Y_)
check_number(loss_, "the loss of mse_loss")
check_array(da_, "da for outputs of shape (5, 3)", shape=(5, 3))
check_that(vjp_agrees(da_, lambda: mse_loss(a_, Y_)[0], a_),
           "`da` disagrees with the finite differences of the loss.")
### BEGIN HIDDEN TESTS
for seed_ in (851, 852):
    rng_ = np.random.default_rng(seed_)
    N_, K_ = distinct_(rng_, 2)
    a_, Y_ = rng_.normal(size=(N_, K_)), rng_.normal(size=(N_, K_))
    ### BEGIN REFERENCE
    want_ = ref_mse_loss_(a_, Y_)
    ### END REFERENCE
    got_ = mse_loss(a_, Y_)
    check_close(got_[0], want_[0], f"the loss for outputs of shape {(N_, K_)}")
    check_close(got_[1], want_[1], f"da for outputs of shape {(N_, K_)}")
### END HIDDEN TESTS

# %% [markdown]
# ### 1.5 Assignment 4's network, rebuilt from modules
#
# Now stack them. Write `mlp_loss(params, X, Y, loss_fn)` for a network whose parameters are
# `params = {'W1': ..., 'b1': ..., ..., 'WL': ..., 'bL': ...}` (as many layers as there are
# weight matrices): every layer but the last is an `affine_relu` sandwich, the last is a plain
# affine layer, and `loss_fn` (your `softmax_loss` or `mse_loss`, or any function with the same
# interface) turns its output into the loss and the first `dout`. Keep the cache of **every**
# layer in a list as you go forward; then walk the layers backwards, each backward function
# handing its `dx` to the layer before it as that layer's `dout`. Return the loss and a dict of
# gradients with the **same keys as `params`**, each of the same shape.
#
# With the Figure-8 weights of Lourenzutti's tutorial, zero biases of shape `(1, n)` and
# `mse_loss`, this is exactly the network of Assignments 1-4, so the cell after the test cells
# prints the numbers you found there: the cost 2837.70 on the ten points, and the derivative
# $\partial J/\partial w^{(3)}_{21}$ of Assignment 2 (-2.773 on the first point alone, -1.372 on all
# ten).

# %% nbgrader={"grade": false, "grade_id": "mlp_loss", "locked": false, "schema_version": 3, "solution": true, "task": false}
def mlp_loss(params, X, Y, loss_fn):
    """Loss and gradients of affine-ReLU layers followed by an affine output layer.

    params: {'W1': (n_0, n_1), 'b1': (n_1,) or (1, n_1), ..., 'WL', 'bL'}; X: (N, n_0).
    Y: the targets loss_fn expects; loss_fn(out, Y) -> (loss, dout).
    Returns (loss, grads), grads with the keys of params, each of the same shape.
    """
    ### BEGIN SOLUTION
    layers = sum(name.startswith("W") for name in params)
    h, caches = X, []
    for layer in range(1, layers):
        h, cache = affine_relu_forward(h, params[f"W{layer}"], params[f"b{layer}"])
        caches.append(cache)
    out, last_cache = affine_forward(h, params[f"W{layers}"], params[f"b{layers}"])
    loss, dout = loss_fn(out, Y)
    grads = {}
    dout, grads[f"W{layers}"], grads[f"b{layers}"] = affine_backward(dout, last_cache)
    for layer in range(layers - 1, 0, -1):
        dout, grads[f"W{layer}"], grads[f"b{layer}"] = affine_relu_backward(dout,
                                                                            caches[layer - 1])
    return loss, grads
    ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "test_mlp_figure8", "locked": true, "points": 2, "schema_version": 3, "solution": false, "task": false}
"""mlp_loss on the Figure-8 network: a number and gradients shaped like the parameters."""
X8, Y8 = figure8_data()
params8 = {**figure8_weights(), "b1": np.zeros((1, 3)), "b2": np.zeros((1, 2)),
           "b3": np.zeros((1, 1))}
result_ = mlp_loss(params8, X8, Y8, mse_loss)
check_that(isinstance(result_, tuple) and len(result_) == 2,
           "mlp_loss should return a pair (loss, grads).")
check_number(result_[0], "the loss of the Figure-8 network")
check_that(isinstance(result_[1], dict) and sorted(result_[1]) == sorted(params8),
           "grads should be a dict with the keys of params: W1, b1, W2, b2, W3, b3.")
for name_, value_ in params8.items():
    check_array(result_[1][name_], f"grads['{name_}'] of the Figure-8 network", shape=value_.shape)
### BEGIN HIDDEN TESTS
for rows_ in (slice(0, 10), slice(0, 1), slice(3, 7)):
    ### BEGIN REFERENCE
    want_ = ref_network_(params8, X8[rows_], Y8[rows_], ref_mse_loss_)
    ### END REFERENCE
    got_ = mlp_loss(params8, X8[rows_], Y8[rows_], mse_loss)
    check_close(got_[0], want_[0], f"the cost of the Figure-8 network on rows {rows_}",
                rtol=1e-4, atol=1e-6)
    for name_ in ("W1", "b1", "W2", "b2", "W3", "b3"):
        check_close(got_[1][name_], want_[1][name_],
                    f"the gradient of {name_} of the Figure-8 network on rows {rows_}",
                    rtol=1e-4, atol=1e-6)
### END HIDDEN TESTS

# %% nbgrader={"grade": true, "grade_id": "test_mlp_any_shape", "locked": true, "points": 3, "schema_version": 3, "solution": false, "task": false}
"""mlp_loss for any depth, widths and batch size, with either loss."""
rng_ = np.random.default_rng(6)
small_ = {"W1": rng_.normal(size=(3, 4)), "b1": rng_.normal(size=4),
          "W2": rng_.normal(size=(4, 2)), "b2": rng_.normal(size=2)}
X_, y_ = rng_.normal(size=(5, 3)), rng_.integers(0, 2, size=5)
loss_, grads_ = mlp_loss(small_, X_, y_, softmax_loss)
for name_, value_ in small_.items():
    check_array(grads_[name_], f"grads['{name_}'] of a [3, 4, 2] network", shape=value_.shape)
    check_that(vjp_agrees(grads_[name_], lambda: mlp_loss(small_, X_, y_, softmax_loss)[0],
                          value_),
               f"grads['{name_}'] disagrees with the finite differences of your loss.")
### BEGIN HIDDEN TESTS
for seed_ in (861, 862, 863, 864):
    rng_ = np.random.default_rng(seed_)
    dims_ = distinct_(rng_, 2 + seed_ % 3)
    N_ = int(rng_.integers(2, 12))
    params_ = {}
    for layer_ in range(1, len(dims_)):
        params_[f"W{layer_}"] = rng_.normal(size=(dims_[layer_ - 1], dims_[layer_]))
        params_[f"b{layer_}"] = rng_.normal(size=(dims_[layer_],) if seed_ % 2 else
                                            (1, dims_[layer_]))
    X_ = rng_.normal(size=(N_, dims_[0]))
    kind_ = "softmax" if seed_ % 2 else "mse"
    if kind_ == "softmax":
        Y_ = rng_.integers(0, dims_[-1], size=N_)
    else:
        Y_ = rng_.normal(size=(N_, dims_[-1]))
    ### BEGIN REFERENCE
    want_ = ref_network_(params_, X_, Y_, {"softmax": ref_softmax_loss_,
                                            "mse": ref_mse_loss_}[kind_])
    ### END REFERENCE
    got_ = mlp_loss(params_, X_, Y_, softmax_loss if kind_ == "softmax" else mse_loss)
    check_close(got_[0], want_[0], f"the loss of a {dims_} network on {N_} rows ({kind_})",
                rtol=1e-4, atol=1e-6)
    for name_ in sorted(params_):
        check_close(got_[1][name_], want_[1][name_],
                    f"the gradient of {name_} of a {dims_} network on {N_} rows",
                    rtol=1e-4, atol=1e-6)
### END HIDDEN TESTS

# %% [markdown]
# The Figure-8 network of Assignments 1-4, rebuilt from your modules: its cost, the derivative of
# Assignment 2, and 1000 steps of gradient descent with learning rate $10^{-4}$, which took the
# cost to about 74.80 in Assignment 4.

# %%
loss8, grads8 = mlp_loss(params8, X8, Y8, mse_loss)
print(f"J = {loss8:.4f};  dJ/dW3[1, 0] = {grads8['W3'][1, 0]:.5f} on all ten points, "
      f"{mlp_loss(params8, X8[:1], Y8[:1], mse_loss)[1]['W3'][1, 0]:.5f} on the first")
trained8 = {name: value.copy() for name, value in params8.items()}
for _ in range(1000):
    _, step_grads = mlp_loss(trained8, X8, Y8, mse_loss)
    for name in trained8:
        trained8[name] -= 1e-4 * step_grads[name]
print(f"J after 1000 steps: {mlp_loss(trained8, X8, Y8, mse_loss)[0]:.4f}")

# %% [markdown]
# ## Part 2 — Regularisation
#
# A network with more parameters than examples can learn its training set by heart, noise and
# all, and then does worse on new data than its training accuracy promises: it **overfits**. The
# gap between training and validation accuracy measures how much. Two standard remedies follow;
# Part 4 measures what they do.
#
# ### 2.1 L2 weight decay
#
# Add to the loss a penalty on the size of the weights,
#
# $$J_\text{reg} = J + \frac{\lambda}{2} \sum_{l} \sum_{i,j} \big(W^{(l)}_{ij}\big)^2,
# \qquad\text{so that}\qquad \frac{\partial J_\text{reg}}{\partial W^{(l)}} =
# \frac{\partial J}{\partial W^{(l)}} + \lambda\, W^{(l)}.$$
#
# The $\frac12$ makes the gradient simply $\lambda W$, and then a gradient step
# $W \leftarrow W - \eta(\partial J/\partial W + \lambda W)$ first shrinks every weight by the factor
# $1 - \eta\lambda$: hence the name *weight decay*. It is what `torch.optim.SGD(...,
# weight_decay=λ)` does: it adds $\lambda W$ to the gradient of every parameter it is given.
# Large weights are what let a network bend sharply around single training points; the penalty
# makes it pay for them.
#
# Decay **only the weight matrices**, the keys that start with `W`. The biases stay out. A weight
# multiplies an input, so a large weight makes the output react strongly to that input, which is
# what fitting the noise of single training points takes; a bias shifts a unit's output by the
# same amount for every input, so it cannot bend the fit around any one of them. There is one
# bias per unit, too few to overfit with, and pulling them towards 0 would only fight a useful
# offset and make the network underfit (Goodfellow, Bengio and Courville, *Deep Learning*,
# section 7.1). Batch norm's `gamma` and `beta` (Part 3) stay out for the same reasons. (PyTorch's `weight_decay` decays every parameter it is given, biases too,
# unless you hand the biases to the optimiser in a group of their own with `weight_decay=0`.)
#
# Write `add_weight_decay(loss, grads, params, reg)`: it returns the new loss and a **new** dict
# of gradients with the same keys as `grads`, without changing `params`.

# %% nbgrader={"grade": false, "grade_id": "weight_decay", "locked": false, "schema_version": 3, "solution": true, "task": false}
def add_weight_decay(loss, grads, params, reg):
    """L2 weight decay on the weight matrices (keys starting with 'W') only.

    loss: a number; params: {name: array}; grads: {name: array of the shape of params[name]};
    reg: lambda >= 0. Returns (loss + reg/2 * sum of the squared weights, a new dict of grads
    with reg * W added to the gradient of every weight W, each of its parameter's shape).
    """
    ### BEGIN SOLUTION
    weights = [name for name in params if name.startswith("W")]
    penalty = 0.5 * reg * sum(np.sum(params[name] ** 2) for name in weights)
    new_grads = {name: grad + reg * params[name] if name in weights else grad
                 for name, grad in grads.items()}
    return loss + penalty, new_grads
    ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "test_weight_decay", "locked": true, "points": 3, "schema_version": 3, "solution": false, "task": false}
"""add_weight_decay: penalty in the loss, reg * W in every weight gradient, biases untouched."""
rng_ = np.random.default_rng(7)
params_ = {"W1": rng_.normal(size=(3, 4)), "b1": rng_.normal(size=4),
           "W2": rng_.normal(size=(4, 2)), "b2": rng_.normal(size=2)}
grads_ = {name: rng_.normal(size=value.shape) for name, value in params_.items()}
saved_ = {name: value.copy() for name, value in params_.items()}
loss_, new_ = add_weight_decay(1.5, dict(grads_), params_, 0.1)
check_number(loss_, "the loss with weight decay")
check_that(as_number(loss_, "the loss") > 1.5, "A penalty on the weights makes the loss larger.")
check_that(isinstance(new_, dict) and sorted(new_) == sorted(grads_),
           "The new grads should be a dict with the keys of grads.")
for name_, value_ in params_.items():
    check_array(new_[name_], f"the new grads['{name_}']", shape=value_.shape)
check_that(all(np.array_equal(params_[k], saved_[k]) for k in params_),
           "add_weight_decay should not change params.")
check_that(np.allclose(params_["W1"] - 0.5 * new_["W1"],
                       (1 - 0.5 * 0.1) * params_["W1"] - 0.5 * grads_["W1"]),
           "A gradient step with your grads['W1'] (learning rate 0.5, reg 0.1) should first "
           "shrink W1 by the factor 1 - 0.5 * 0.1, then step along the data's gradient.")
### BEGIN HIDDEN TESTS
for seed_ in (871, 872):
    rng_ = np.random.default_rng(seed_)
    D_, H_, C_ = distinct_(rng_, 3)
    reg_ = float(rng_.uniform(0.01, 1.0))
    shapes_ = {"W1": (D_, H_), "b1": (H_,), "gamma1": (H_,), "beta1": (H_,), "W2": (H_, C_),
               "b2": (C_,)}
    params_ = {name: rng_.normal(size=shape) for name, shape in shapes_.items()}
    grads_ = {name: rng_.normal(size=shape) for name, shape in shapes_.items()}
    base_ = float(rng_.uniform(0.5, 3.0))
    ### BEGIN REFERENCE
    want_loss_ = base_ + 0.5 * reg_ * (np.sum(params_["W1"] ** 2) + np.sum(params_["W2"] ** 2))
    want_grads_ = {name: grads_[name] + (reg_ * params_[name] if name[0] == "W" else 0)
                   for name in shapes_}
    ### END REFERENCE
    loss_, new_ = add_weight_decay(base_, {k: v.copy() for k, v in grads_.items()}, params_, reg_)
    check_close(loss_, want_loss_, f"the loss with weight decay, reg={reg_:.3f}")
    for name_ in shapes_:
        check_close(new_[name_], want_grads_[name_], f"the new grads['{name_}'], reg={reg_:.3f}")
### END HIDDEN TESTS

# %% [markdown]
# ### 2.2 Inverted dropout
#
# Dropout switches off a random share `p` of the units in every training step: each unit's output
# is set to 0 with probability `p`, independently, a new choice at every step. No unit can then
# rely on any other being there, and the network learns features that are useful on their own;
# Srivastava et al. read it as training a huge family of thinned networks that share their weights.
#
# At test time every unit is on, so each unit receives more input than during training, by a
# factor $1/(1-p)$ on average. *Inverted* dropout makes up for it during **training**: the
# surviving outputs are divided by the probability of surviving, $1 - p$, so their expected value
# is the same as without dropout, and in test mode the layer does nothing at all. (Scaling at test
# time instead works too, but then the test-time code must know `p`; inverted dropout keeps the
# trained network free of it. PyTorch's `torch.nn.Dropout` is inverted dropout, with the same
# `p`.)
#
# Write `dropout_forward(x, p, train, rng)`:
#
# - in training mode (`train=True`), draw the mask with **one** call `rng.random(x.shape)` and keep
#   a unit where that number is **below `1 - p`**; return `x` times the mask divided by `1 - p`.
#   Draw nothing else from `rng`: the seed of the generator then decides the mask, so a run can
#   be repeated exactly;
# - in test mode (`train=False`), return `x` unchanged and draw nothing.
#
# and `dropout_backward(dout, cache)`: the gradient flows back through **the same mask** the
# forward pass used, with the same scaling (the layer is a multiplication by a fixed matrix of
# 0s and $1/(1-p)$s), and in test mode unchanged. Keep the mask in the cache: drawing a new one in
# the backward pass would send the gradient to units that were switched off.

# %% nbgrader={"grade": false, "grade_id": "dropout", "locked": false, "schema_version": 3, "solution": true, "task": false}
def dropout_forward(x, p, train, rng):
    """Inverted dropout. x: any shape; p: probability of dropping a unit, 0 <= p < 1.

    train: True for training mode, False for test mode; rng: a np.random.Generator.
    Returns (out, cache), out of x's shape.
    """
    ### BEGIN SOLUTION
    if not train:
        return x, (None, train)
    mask = (rng.random(x.shape) < 1 - p) / (1 - p)
    return x * mask, (mask, train)
    ### END SOLUTION


def dropout_backward(dout, cache):
    """Backward pass of inverted dropout. dout: the shape of x. Returns dx, the shape of x."""
    ### BEGIN SOLUTION
    mask, train = cache
    return dout * mask if train else dout
    ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "test_dropout_forward", "locked": true, "points": 3, "schema_version": 3, "solution": false, "task": false}
"""dropout_forward: a share p of zeros, survivors divided by 1 - p, nothing in test mode, repeatable."""
### BEGIN HIDDEN TESTS
### BEGIN REFERENCE
def ref_dropout_mask_(shape, p, seed):
    """The scaled mask of inverted dropout drawn from np.random.default_rng(seed)."""
    return (np.random.default_rng(seed).random(shape) < 1 - p) / (1 - p)
### END REFERENCE
### END HIDDEN TESTS
x_ = np.random.default_rng(8).uniform(1.0, 2.0, size=(400, 50))
out_, _ = dropout_forward(x_, 0.3, True, np.random.default_rng(0))
check_array(out_, "out of dropout_forward for x of shape (400, 50)", shape=(400, 50))
check_that(abs(np.mean(out_ == 0) - 0.3) < 0.01,
           "With p=0.3, about 30% of the outputs should be 0 in training mode.")
check_that(np.allclose(out_[out_ != 0], (x_ / 0.7)[out_ != 0]),
           "The surviving outputs should be divided by 1 - p = 0.7 in training mode.")
check_that(np.array_equal(out_, dropout_forward(x_, 0.3, True, np.random.default_rng(0))[0]),
           "Two generators with the same seed should give the same mask.")
test_out_ = dropout_forward(x_, 0.3, False, np.random.default_rng(0))[0]
check_array(test_out_, "out in test mode", shape=(400, 50))
check_that(np.allclose(test_out_, x_), "In test mode inverted dropout changes nothing.")
### BEGIN HIDDEN TESTS
for seed_ in (881, 882, 883):
    rng_ = np.random.default_rng(seed_)
    N_, D_ = distinct_(rng_, 2)
    p_ = float(rng_.uniform(0.1, 0.8))
    x_ = rng_.normal(size=(N_, D_))
    got_ = dropout_forward(x_, p_, True, np.random.default_rng(seed_ + 1))[0]
    check_close(got_, x_ * ref_dropout_mask_((N_, D_), p_, seed_ + 1),
                f"out in training mode, x {(N_, D_)}, p={p_:.2f}")
    check_close(dropout_forward(x_, p_, False, np.random.default_rng(seed_))[0], x_,
                f"out in test mode, x {(N_, D_)}")
big_ = np.ones((300, 200))
check_close(np.mean(dropout_forward(big_, 0.6, True, np.random.default_rng(5))[0]), 1.0,
            "the mean output in training mode (inverted dropout keeps the mean)", atol=0.02)
### END HIDDEN TESTS

# %% nbgrader={"grade": true, "grade_id": "test_dropout_backward", "locked": true, "points": 2, "schema_version": 3, "solution": false, "task": false}
"""dropout_backward: the forward pass's own mask and scaling; unchanged in test mode."""
rng_ = np.random.default_rng(9)
x_, dout_ = rng_.normal(size=(6, 5)), rng_.normal(size=(6, 5))
out_, cache_ = dropout_forward(x_, 0.4, True, np.random.default_rng(1))
dx_ = dropout_backward(dout_, cache_)
check_array(dx_, "dx of dropout_backward", shape=(6, 5))
check_that(vjp_agrees(dx_, lambda: dropout_forward(x_, 0.4, True, np.random.default_rng(1))[0],
                      x_, dout_),
           "`dx` disagrees with the finite differences of dropout_forward with the same mask.")
### BEGIN HIDDEN TESTS
for seed_ in (891, 892):
    rng_ = np.random.default_rng(seed_)
    N_, D_ = distinct_(rng_, 2)
    p_ = float(rng_.uniform(0.1, 0.8))
    # a ReLU's output: many exact zeros, which dropout must not confuse with dropped units
    x_, dout_ = np.maximum(rng_.normal(size=(N_, D_)), 0), rng_.normal(size=(N_, D_))
    cache_ = dropout_forward(x_, p_, True, np.random.default_rng(seed_ + 1))[1]
    check_close(dropout_backward(dout_, cache_), dout_ * ref_dropout_mask_((N_, D_), p_, seed_ + 1),
                f"dx in training mode, x {(N_, D_)}, p={p_:.2f}")
    test_cache_ = dropout_forward(x_, p_, False, np.random.default_rng(seed_))[1]
    check_close(dropout_backward(dout_, test_cache_), dout_, f"dx in test mode, x {(N_, D_)}")
### END HIDDEN TESTS

# %% [markdown]
# ## Part 3 — Normalisation
#
# ### 3.1 Batch norm, forward
#
# Deep networks are hard to train when the scale of each layer's inputs drifts while the layers
# below it learn. Batch normalisation (Ioffe and Szegedy) resets it in every training step: for
# each feature (each **column** of a batch `x` of shape `(N, D)`), subtract the mean over the
# batch and divide by the standard deviation over the batch, then let the network choose the
# scale and shift it wants with two learned vectors `gamma` and `beta` of `D` numbers:
#
# $$\mu = \frac1N \sum_i x_i, \qquad \sigma^2 = \frac1N \sum_i (x_i - \mu)^2, \qquad
# \hat x_i = \frac{x_i - \mu}{\sqrt{\sigma^2 + \epsilon}}, \qquad y_i = \gamma \odot \hat x_i + \beta.$$
#
# The variance divides by $N$, not $N - 1$: it is the variance of these $N$ numbers, not an
# estimate of anything. The small $\epsilon$ (`bn_param['eps']`) keeps the division safe when a
# feature is constant over the batch.
#
# A test example comes alone, without a batch, so in **test mode** the layer uses running
# averages of the batch statistics collected during training, and changes nothing else. We follow
# PyTorch's `torch.nn.BatchNorm1d` exactly, so that you can check against it. In **training mode**
# every call also updates, with `m = bn_param['momentum']` (0.1 by default),
#
# $$\text{running\_mean} \leftarrow (1 - m)\,\text{running\_mean} + m\,\mu, \qquad
# \text{running\_var} \leftarrow (1 - m)\,\text{running\_var} + m\,\frac{N}{N-1}\,\sigma^2,$$
#
# where the running variance, unlike the one that normalises, is PyTorch's unbiased estimate
# (dividing by $N - 1$). In **test mode** nothing is updated, and
# $y = \gamma \odot (x - \text{running\_mean}) / \sqrt{\text{running\_var} + \epsilon} + \beta$.
#
# `bn_param` is a dict made by `make_bn_param` below, which holds the mode (`'train'` or
# `'test'`), `eps`, `momentum` and the two running averages; `batchnorm_forward` reads it and, in
# training mode, stores the new running averages in it. The picture shows the computation graph of
# the training-mode forward pass; the thick arrows are the paths through the batch statistics, by
# which every example's output depends on every other example in the batch.

# %% nbgrader={"grade": false, "grade_id": "bn_param", "locked": true, "schema_version": 3, "solution": false, "task": false}
def make_bn_param(D, eps=1e-5, momentum=0.1):
    """The state of a batch-norm layer of D features, as torch.nn.BatchNorm1d starts it."""
    return {"mode": "train", "eps": eps, "momentum": momentum,
            "running_mean": np.zeros(D), "running_var": np.ones(D)}


BN_NODES = {"x": {"label": "x"}, "mu": {"label": "μ"}, "xc": {"label": "x − μ"},
            "var": {"label": "σ²"}, "inv_std": {"label": "1/√(σ²+ε)"}, "xhat": {"label": "x̂"},
            "gamma": {"label": "γ"}, "beta": {"label": "β"}, "y": {"label": "γx̂ + β"}}
BN_EDGES = [("x", "mu"), ("x", "xc"), ("mu", "xc"), ("xc", "var"), ("var", "inv_std"),
            ("xc", "xhat"), ("inv_std", "xhat"), ("xhat", "y"), ("gamma", "y"), ("beta", "y")]
BN_PLACES = {"x": (0, 0), "mu": (2.2, 1.4), "xc": (4.4, 0), "var": (6.6, 1.4),
             "inv_std": (8.8, 1.4), "xhat": (11, 0), "gamma": (11, -1.4), "beta": (11, -2.6),
             "y": (13.2, -1.2)}
if not pictures_off():
    draw_computation_graph(BN_NODES, BN_EDGES, positions=BN_PLACES,
                           title="Batch norm in training mode (thick: through the batch statistics)",
                           highlight=[("x", "mu"), ("mu", "xc"), ("xc", "var"),
                                      ("var", "inv_std"), ("inv_std", "xhat")])
    plt.show()

# %% nbgrader={"grade": false, "grade_id": "batchnorm_forward", "locked": false, "schema_version": 3, "solution": true, "task": false}
def batchnorm_forward(x, gamma, beta, bn_param):
    """Batch norm over the rows of x, in bn_param['mode'] ('train' or 'test').

    x: (N, D); gamma, beta: (D,); bn_param: as made by make_bn_param(D); in training mode its
    'running_mean' and 'running_var' (each (D,)) are updated.
    Returns (out, cache): out of shape (N, D), and a cache for the backward functions.
    """
    ### BEGIN SOLUTION
    eps, momentum = bn_param["eps"], bn_param["momentum"]
    if bn_param["mode"] == "train":
        mu, var = x.mean(axis=0), x.var(axis=0)
        n = len(x)
        bn_param["running_mean"] = (1 - momentum) * bn_param["running_mean"] + momentum * mu
        bn_param["running_var"] = ((1 - momentum) * bn_param["running_var"]
                                   + momentum * var * n / (n - 1))
    else:
        mu, var = bn_param["running_mean"], bn_param["running_var"]
    xc = x - mu
    inv_std = 1.0 / np.sqrt(var + eps)
    xhat = xc * inv_std
    return gamma * xhat + beta, (xc, var, inv_std, xhat, gamma, eps)
    ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "test_bn_train", "locked": true, "points": 3, "schema_version": 3, "solution": false, "task": false}
"""batchnorm_forward in training mode: each column normalised, then scaled by gamma and shifted by beta."""
### BEGIN HIDDEN TESTS
# Test helpers for this and later test cells.
def bn_case_(seed, scale=1.0):
    """A batch x (N, D), gamma, beta and eps for batch-norm tests, N and D drawn by seed."""
    rng = np.random.default_rng(seed)
    N, D = distinct_(rng, 2, low=3)
    x = scale * (rng.normal(size=(D,)) + rng.uniform(0.5, 2.0, size=D) * rng.normal(size=(N, D)))
    return x, rng.normal(size=D), rng.normal(size=D), float(rng.choice([1e-5, 1e-3, 0.1]))


### BEGIN REFERENCE
def torch_bn_run_(batches, gamma, beta, eps, momentum, modes):
    """Outputs and running averages of torch.nn.BatchNorm1d called on each batch in turn."""
    layer = torch.nn.BatchNorm1d(len(gamma), eps=eps, momentum=momentum)
    with torch.no_grad():
        layer.weight.copy_(torch.tensor(gamma))
        layer.bias.copy_(torch.tensor(beta))
        outs, means, variances = [], [], []
        for batch, mode in zip(batches, modes, strict=True):
            layer.train(mode == "train")
            outs.append(layer(torch.tensor(batch)).numpy())
            means.append(layer.running_mean.numpy().copy())
            variances.append(layer.running_var.numpy().copy())
    return outs, means, variances


def torch_bn_grads_(x, gamma, beta, eps, dout):
    """dx, dgamma, dbeta of batch norm in training mode, by autograd."""
    xt, gt, bt = (torch.tensor(a, requires_grad=True) for a in (x, gamma, beta))
    F.batch_norm(xt, None, None, gt, bt, training=True, eps=eps).backward(torch.tensor(dout))
    return xt.grad.numpy(), gt.grad.numpy(), bt.grad.numpy()
### END REFERENCE
### END HIDDEN TESTS
rng_ = np.random.default_rng(10)
x_ = 3 + 2 * rng_.normal(size=(8, 4))
out_, _ = batchnorm_forward(x_, np.ones(4), np.zeros(4), make_bn_param(4))
check_array(out_, "out of batchnorm_forward for x of shape (8, 4)", shape=(8, 4))
check_that(np.allclose(out_.mean(axis=0), 0) and np.allclose(out_.std(axis=0), 1, atol=1e-4),
           "With gamma = 1 and beta = 0, every column of out should have mean 0 and standard "
           "deviation 1 (normalise each column, over the rows of the batch).")
gamma_, beta_ = rng_.normal(size=4), rng_.normal(size=4)
out_, _ = batchnorm_forward(x_, gamma_, beta_, make_bn_param(4))
torch_bn_ = torch.nn.BatchNorm1d(4)
with torch.no_grad():
    torch_bn_.weight.copy_(torch.tensor(gamma_))
    torch_bn_.bias.copy_(torch.tensor(beta_))
    check_that(np.allclose(out_, torch_bn_(torch.tensor(x_)).numpy()),
               "out disagrees with torch.nn.BatchNorm1d in training mode.")
### BEGIN HIDDEN TESTS
for seed_, scale_ in ((901, 1.0), (902, 0.01), (903, 50.0)):
    x_, gamma_, beta_, eps_ = bn_case_(seed_, scale_)
    param_ = make_bn_param(len(gamma_), eps=eps_)
    ### BEGIN REFERENCE
    want_ = torch_bn_run_([x_], gamma_, beta_, eps_, 0.1, ["train"])[0][0]
    ### END REFERENCE
    check_close(batchnorm_forward(x_, gamma_, beta_, param_)[0], want_,
                f"out in training mode, x {x_.shape}, eps={eps_:g}")
### END HIDDEN TESTS

# %% nbgrader={"grade": true, "grade_id": "test_bn_running", "locked": true, "points": 2, "schema_version": 3, "solution": false, "task": false}
"""batchnorm_forward in training mode updates the running averages as torch.nn.BatchNorm1d does."""
rng_ = np.random.default_rng(11)
param_ = make_bn_param(3)
for _ in range(4):
    batchnorm_forward(5 + rng_.normal(size=(6, 3)), np.ones(3), np.zeros(3), param_)
for key_ in ("running_mean", "running_var"):
    check_array(param_[key_], f"bn_param['{key_}'] after four batches", shape=(3,))
check_that(np.all(param_["running_mean"] > 0),
           "After batches with mean about 5, the running mean should have moved up from 0.")
### BEGIN HIDDEN TESTS
for seed_ in (911, 912):
    x_, gamma_, beta_, eps_ = bn_case_(seed_)
    momentum_ = float(np.random.default_rng(seed_).uniform(0.05, 0.5))
    batches_ = [x_, 2 * x_[::-1] + 1, x_ ** 2]
    ### BEGIN REFERENCE
    means_, variances_ = torch_bn_run_(batches_, gamma_, beta_, eps_, momentum_,
                                       ["train"] * 3)[1:]
    ### END REFERENCE
    param_ = make_bn_param(len(gamma_), eps=eps_, momentum=momentum_)
    for k_, batch_ in enumerate(batches_):
        batchnorm_forward(batch_, gamma_, beta_, param_)
        check_close(param_["running_mean"], means_[k_],
                    f"running_mean after {k_ + 1} batches of shape {x_.shape}")
        check_close(param_["running_var"], variances_[k_],
                    f"running_var after {k_ + 1} batches of shape {x_.shape}")
### END HIDDEN TESTS

# %% nbgrader={"grade": true, "grade_id": "test_bn_test_mode", "locked": true, "points": 2, "schema_version": 3, "solution": false, "task": false}
"""batchnorm_forward in test mode: the running averages, and no update of them."""
rng_ = np.random.default_rng(12)
param_ = make_bn_param(3)
batchnorm_forward(rng_.normal(size=(6, 3)), np.ones(3), np.zeros(3), param_)
saved_ = {key: np.array(param_[key]) for key in ("running_mean", "running_var")}
param_["mode"] = "test"
out_, _ = batchnorm_forward(rng_.normal(size=(1, 3)), np.ones(3), np.zeros(3), param_)
check_array(out_, "out in test mode for a single example", shape=(1, 3))
check_that(all(np.array_equal(param_[key], saved_[key]) for key in saved_),
           "Test mode should leave the running averages as they are.")
### BEGIN HIDDEN TESTS
for seed_ in (921, 922):
    x_, gamma_, beta_, eps_ = bn_case_(seed_)
    later_ = 1.5 * x_[: max(2, len(x_) // 2)] - 0.5
    ### BEGIN REFERENCE
    outs_, means_, variances_ = torch_bn_run_([x_, x_ + 1, later_], gamma_, beta_, eps_, 0.1,
                                              ["train", "train", "test"])
    ### END REFERENCE
    state_ = make_bn_param(len(gamma_), eps=eps_)
    for batch_ in (x_, x_ + 1):
        batchnorm_forward(batch_, gamma_, beta_, state_)
    state_["mode"] = "test"
    check_close(batchnorm_forward(later_, gamma_, beta_, state_)[0], outs_[2],
                f"out in test mode, after two training batches of shape {x_.shape}")
    check_close(state_["running_mean"], means_[2], "running_mean after a test-mode call")
    check_close(state_["running_var"], variances_[2], "running_var after a test-mode call")
### END HIDDEN TESTS

# %% [markdown]
# ### 3.2 Batch norm, backward: step by step
#
# The backward pass is hard to write in one go, because every output row depends on every input
# row through $\mu$ and $\sigma^2$. So walk the graph above backwards, one node at a time, exactly
# as Assignment 6's `backward()` did, with the local derivative of each step and two rules:
#
# 1. **Broadcasting forward is summing backward.** $\mu$, $\sigma^2$ and $1/\sqrt{\sigma^2+\epsilon}$
#    have one number per feature and are used in every row; $\gamma$ and $\beta$ too. Their
#    gradients add up the contributions of all rows (`sum(axis=0)`), and have their own shapes.
#    A mean over the $N$ rows hands each row $1/N$ of the gradient it receives.
# 2. **A node used twice gets both gradients, added.** $x - \mu$ feeds both $\hat x$ and
#    $\sigma^2$; $x$ feeds both $x - \mu$ and $\mu$.
#
# Write `batchnorm_backward(dout, cache)` this way: from `dout` to $d\beta$, $d\gamma$ and
# $d\hat x$, then $d(1/\sqrt{\sigma^2+\epsilon})$, $d\sigma^2$, $d(x-\mu)$ (both paths), $d\mu$,
# and finally $dx$ (both paths). Store in the cache of `batchnorm_forward` whatever you need.

# %% nbgrader={"grade": false, "grade_id": "batchnorm_backward", "locked": false, "schema_version": 3, "solution": true, "task": false}
def batchnorm_backward(dout, cache):
    """Backward pass of batch norm in training mode, node by node along its graph.

    dout: (N, D); cache: from batchnorm_forward in training mode.
    Returns (dx, dgamma, dbeta): shapes (N, D), (D,), (D,).
    """
    ### BEGIN SOLUTION
    xc, var, inv_std, xhat, gamma, eps = cache
    n = len(dout)
    dbeta = dout.sum(axis=0)
    dgamma = (dout * xhat).sum(axis=0)
    dxhat = dout * gamma
    dinv_std = (dxhat * xc).sum(axis=0)
    dvar = dinv_std * -0.5 * (var + eps) ** -1.5
    dxc = dxhat * inv_std + dvar * 2 * xc / n
    dmu = -dxc.sum(axis=0)
    dx = dxc + dmu / n
    return dx, dgamma, dbeta
    ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "test_bn_backward", "locked": true, "points": 3, "schema_version": 3, "solution": false, "task": false}
"""batchnorm_backward: dx, dgamma, dbeta equal to finite differences of batchnorm_forward."""
rng_ = np.random.default_rng(13)
x_, gamma_, beta_ = rng_.normal(size=(5, 4)), rng_.normal(size=4), rng_.normal(size=4)
dout_ = rng_.normal(size=(5, 4))


def bn_train_out_():
    return batchnorm_forward(x_, gamma_, beta_, make_bn_param(4))[0]


grads_ = batchnorm_backward(dout_, batchnorm_forward(x_, gamma_, beta_, make_bn_param(4))[1])
check_that(isinstance(grads_, tuple) and len(grads_) == 3,
           "batchnorm_backward should return (dx, dgamma, dbeta).")
for got_, wrt_, name_ in zip(grads_, (x_, gamma_, beta_), ("dx", "dgamma", "dbeta"), strict=True):
    check_array(got_, f"{name_} for x of shape (5, 4)", shape=wrt_.shape)
    check_that(vjp_agrees(got_, bn_train_out_, wrt_, dout_),
               f"`{name_}` disagrees with the finite differences of batchnorm_forward.")
### BEGIN HIDDEN TESTS
for seed_, scale_ in ((931, 1.0), (932, 0.01), (933, 20.0)):
    x_, gamma_, beta_, eps_ = bn_case_(seed_, scale_)
    dout_ = np.random.default_rng(seed_ + 1).normal(size=x_.shape)
    ### BEGIN REFERENCE
    want_ = torch_bn_grads_(x_, gamma_, beta_, eps_, dout_)
    ### END REFERENCE
    cache_ = batchnorm_forward(x_, gamma_, beta_, make_bn_param(len(gamma_), eps=eps_))[1]
    got_ = batchnorm_backward(dout_, cache_)
    for k_, name_ in enumerate(("dx", "dgamma", "dbeta")):
        check_close(got_[k_], want_[k_], f"{name_} for x of shape {x_.shape}, eps={eps_:g}")
### END HIDDEN TESTS

# %% [markdown]
# ### 3.3 Batch norm, backward: the closed form
#
# Follow the same steps on paper and the intermediate gradients cancel into one short formula.
# With $d\hat x = \gamma \odot \text{dout}$ and every sum over the $N$ rows of the batch,
#
# $$dx = \frac{1}{N\sqrt{\sigma^2 + \epsilon}}\Big(N\, d\hat x - \sum_i d\hat x_i - \hat x \odot
# \sum_i \big(d\hat x_i \odot \hat x_i\big)\Big), \qquad d\gamma = \sum_i \text{dout}_i \odot
# \hat x_i, \qquad d\beta = \sum_i \text{dout}_i .$$
#
# Read it: the gradient of every example loses its share of the batch's mean gradient (the
# outputs must keep mean $\beta$) and its component along $\hat x$ (they must keep spread
# $\gamma$). Write `batchnorm_backward_alt(dout, cache)` with this formula, from the same cache.
# It must agree with your step-by-step version to rounding error, and it is faster.

# %% nbgrader={"grade": false, "grade_id": "batchnorm_backward_alt", "locked": false, "schema_version": 3, "solution": true, "task": false}
def batchnorm_backward_alt(dout, cache):
    """Backward pass of batch norm in training mode, in closed form.

    dout: (N, D); cache: from batchnorm_forward in training mode.
    Returns (dx, dgamma, dbeta): shapes (N, D), (D,), (D,).
    """
    ### BEGIN SOLUTION
    _, _, inv_std, xhat, gamma, _ = cache
    n = len(dout)
    dxhat = dout * gamma
    dx = inv_std / n * (n * dxhat - dxhat.sum(axis=0) - xhat * (dxhat * xhat).sum(axis=0))
    return dx, (dout * xhat).sum(axis=0), dout.sum(axis=0)
    ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "test_bn_backward_alt", "locked": true, "points": 3, "schema_version": 3, "solution": false, "task": false}
"""batchnorm_backward_alt: the same gradients as the step-by-step version and autograd."""
rng_ = np.random.default_rng(14)
x_, gamma_, beta_ = rng_.normal(size=(7, 3)), rng_.normal(size=3), rng_.normal(size=3)
dout_ = rng_.normal(size=(7, 3))
cache_ = batchnorm_forward(x_, gamma_, beta_, make_bn_param(3))[1]
alt_ = batchnorm_backward_alt(dout_, cache_)
check_that(isinstance(alt_, tuple) and len(alt_) == 3,
           "batchnorm_backward_alt should return (dx, dgamma, dbeta).")
for got_, shape_, name_ in zip(alt_, ((7, 3), (3,), (3,)), ("dx", "dgamma", "dbeta"), strict=True):
    check_array(got_, f"{name_} of batchnorm_backward_alt", shape=shape_)
check_that(relative_error(alt_[0], batchnorm_backward(dout_, cache_)[0]) < 1e-4,
           "dx of batchnorm_backward_alt disagrees with batchnorm_backward.")
xt_ = torch.tensor(x_, requires_grad=True)
F.batch_norm(xt_, None, None, torch.tensor(gamma_), torch.tensor(beta_), training=True,
             eps=1e-5).backward(torch.tensor(dout_))
check_that(relative_error(alt_[0], xt_.grad.numpy()) < 1e-4, "dx disagrees with autograd.")
### BEGIN HIDDEN TESTS
for seed_, scale_ in ((941, 1.0), (942, 0.01), (943, 20.0)):
    x_, gamma_, beta_, eps_ = bn_case_(seed_, scale_)
    dout_ = np.random.default_rng(seed_ + 1).normal(size=x_.shape)
    ### BEGIN REFERENCE
    want_ = torch_bn_grads_(x_, gamma_, beta_, eps_, dout_)
    ### END REFERENCE
    cache_ = batchnorm_forward(x_, gamma_, beta_, make_bn_param(len(gamma_), eps=eps_))[1]
    got_ = batchnorm_backward_alt(dout_, cache_)
    for k_, name_ in enumerate(("dx", "dgamma", "dbeta")):
        check_close(got_[k_], want_[k_], f"{name_} for x of shape {x_.shape}, eps={eps_:g}")
### END HIDDEN TESTS

# %%
rng = np.random.default_rng(0)
x_demo, dout_demo = rng.normal(size=(200, 100)), rng.normal(size=(200, 100))
cache_demo = batchnorm_forward(x_demo, np.ones(100), np.zeros(100), make_bn_param(100))[1]
for backward in (batchnorm_backward, batchnorm_backward_alt):
    started = time.perf_counter()
    for _ in range(50):
        backward(dout_demo, cache_demo)
    print(f"{backward.__name__:<24} {(time.perf_counter() - started) / 50 * 1e6:7.0f} µs a call")

# %% [markdown]
# ### 3.4 Layer norm: the same code on the other axis
#
# Batch norm needs a batch: with a few examples its statistics are noisy, with one example it
# cannot work in training mode, and it behaves differently in training and in test. Layer
# normalisation (Ba, Kiros and Hinton) normalises each **row** instead, over its $D$ features, so
# every example is normalised on its own, the same way in training and in test, and no running
# averages are needed. `gamma` and `beta` stay per feature, of shape `(D,)`.
#
# Normalising the rows of `x` is normalising the columns of `x.T`: write
# `layernorm_forward(x, gamma, beta, eps)` by calling your `batchnorm_forward` on `x.T` (with
# `gamma` 1, `beta` 0 and a throw-away `make_bn_param` in training mode), transposing the result
# back, and only then scaling by `gamma` and shifting by `beta`. `layernorm_backward(dout, cache)`
# does the same backwards with `batchnorm_backward_alt`; $d\gamma$ and $d\beta$ are summed over
# the rows as before. (`torch.nn.LayerNorm` is the PyTorch layer to compare with.)

# %% nbgrader={"grade": false, "grade_id": "layernorm", "locked": false, "schema_version": 3, "solution": true, "task": false}
def layernorm_forward(x, gamma, beta, eps=1e-5):
    """Layer norm: every row of x normalised over its features, then gamma * x_hat + beta.

    x: (N, D); gamma, beta: (D,). Returns (out, cache), out of shape (N, D).
    """
    ### BEGIN SOLUTION
    n = len(x)
    xhat_t, bn_cache = batchnorm_forward(x.T, np.ones(n), np.zeros(n), make_bn_param(n, eps=eps))
    xhat = xhat_t.T
    return gamma * xhat + beta, (bn_cache, xhat, gamma)
    ### END SOLUTION


def layernorm_backward(dout, cache):
    """Backward pass of layer norm. dout: (N, D). Returns (dx, dgamma, dbeta): (N, D), (D,), (D,)."""
    ### BEGIN SOLUTION
    bn_cache, xhat, gamma = cache
    dx_t, _, _ = batchnorm_backward_alt((dout * gamma).T, bn_cache)
    return dx_t.T, (dout * xhat).sum(axis=0), dout.sum(axis=0)
    ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "test_layernorm", "locked": true, "points": 3, "schema_version": 3, "solution": false, "task": false}
"""layernorm_forward and layernorm_backward: as torch.nn.LayerNorm, forward and backward."""
rng_ = np.random.default_rng(15)
x_, gamma_, beta_ = 3 + rng_.normal(size=(4, 6)), rng_.normal(size=6), rng_.normal(size=6)
dout_ = rng_.normal(size=(4, 6))
out_, cache_ = layernorm_forward(x_, np.ones(6), np.zeros(6))
check_array(out_, "out of layernorm_forward for x of shape (4, 6)", shape=(4, 6))
check_that(np.allclose(out_.mean(axis=1), 0),
           "With gamma = 1 and beta = 0, every row of out should have mean 0.")
grads_ = layernorm_backward(dout_, layernorm_forward(x_, gamma_, beta_)[1])
for got_, wrt_, name_ in zip(grads_, (x_, gamma_, beta_), ("dx", "dgamma", "dbeta"), strict=True):
    check_array(got_, f"{name_} of layernorm_backward", shape=wrt_.shape)
    check_that(vjp_agrees(got_, lambda: layernorm_forward(x_, gamma_, beta_)[0], wrt_, dout_),
               f"`{name_}` disagrees with the finite differences of layernorm_forward.")
### BEGIN HIDDEN TESTS
### BEGIN REFERENCE
def torch_ln_(x, gamma, beta, eps, dout):
    """Output and dx, dgamma, dbeta of torch's layer norm."""
    xt, gt, bt = (torch.tensor(a, requires_grad=True) for a in (x, gamma, beta))
    out = F.layer_norm(xt, (x.shape[1],), gt, bt, eps=eps)
    out.backward(torch.tensor(dout))
    return out.detach().numpy(), xt.grad.numpy(), gt.grad.numpy(), bt.grad.numpy()
### END REFERENCE
for seed_, scale_ in ((951, 1.0), (952, 0.01)):
    x_, gamma_, beta_, eps_ = bn_case_(seed_, scale_)
    dout_ = np.random.default_rng(seed_ + 1).normal(size=x_.shape)
    ### BEGIN REFERENCE
    want_ = torch_ln_(x_, gamma_, beta_, eps_, dout_)
    ### END REFERENCE
    out_, cache_ = layernorm_forward(x_, gamma_, beta_, eps_)
    check_close(out_, want_[0], f"out of layer norm, x of shape {x_.shape}, eps={eps_:g}")
    got_ = layernorm_backward(dout_, cache_)
    for k_, name_ in enumerate(("dx", "dgamma", "dbeta")):
        check_close(got_[k_], want_[k_ + 1], f"{name_} of layer norm, x of shape {x_.shape}")
### END HIDDEN TESTS

# %% [markdown]
# ## Part 4 — A network made of your layers, and a training loop
#
# ### 4.1 `FullyConnectedNet`
#
# The class below holds a network's parameters and settings; you write its `loss` method from your
# layers. A network with `dims = [n_0, n_1, ..., n_L]` has $L$ layers: each hidden layer $l < L$ is
#
# $$\text{affine} \;\rightarrow\; [\text{batch norm or layer norm}] \;\rightarrow\; \text{ReLU}
# \;\rightarrow\; [\text{dropout}]$$
#
# and the last layer is affine, followed by `self.loss_fn` (`softmax_loss` unless another is
# given). The parts in brackets are there only when asked for:
#
# - `self.normalization` is `None`, `'batchnorm'` or `'layernorm'`; hidden layer `l` then has the
#   parameters `gamma{l}` and `beta{l}`, and batch norm keeps its state in `self.bn_params[l - 1]`
#   (set its `'mode'` before each call). Layer norm uses the same dict's `'eps'` only;
# - dropout is applied only when `self.dropout > 0`, with `p = self.dropout` and the generator
#   `self.dropout_rng`;
# - weight decay: apply `add_weight_decay` with `self.reg` to the loss and gradients at the end.
#
# `loss(X)` without labels is **test mode**: no dropout, batch norm with its running averages, and
# it returns the scores of the last layer, shape `(N, n_L)`, without computing any loss. `loss(X,
# y)` is **training mode** and returns `(loss, grads)`, with `grads` keyed like `self.params`.
# Use `batchnorm_backward_alt` (or your step-by-step version; they agree).

# %% nbgrader={"grade": false, "grade_id": "fc_net", "locked": true, "schema_version": 3, "solution": false, "task": false}
class FullyConnectedNet:
    """A fully connected network made of the layers of this notebook (see the text above)."""

    def __init__(self, dims, *, reg=0.0, dropout=0.0, normalization=None, weight_scale=1e-2,
                 loss_fn=None, seed=0):
        """dims: [n_0, ..., n_L]; reg: the weight decay lambda; dropout: the p of every hidden
        layer (0: none); normalization: None, 'batchnorm' or 'layernorm'; weight_scale: the
        standard deviation of the initial weights; loss_fn: softmax_loss unless given; seed:
        for the initial weights (and, plus one, for the dropout masks)."""
        self.dims, self.reg, self.dropout = list(dims), reg, dropout
        self.normalization = normalization
        self.loss_fn = softmax_loss if loss_fn is None else loss_fn
        self.n_layers = len(dims) - 1
        rng = np.random.default_rng(seed)
        self.params = {}
        for layer in range(1, len(dims)):
            self.params[f"W{layer}"] = weight_scale * rng.normal(size=(dims[layer - 1], dims[layer]))
            self.params[f"b{layer}"] = np.zeros(dims[layer])
            if normalization is not None and layer < self.n_layers:
                self.params[f"gamma{layer}"] = np.ones(dims[layer])
                self.params[f"beta{layer}"] = np.zeros(dims[layer])
        self.bn_params = [make_bn_param(width) for width in dims[1:-1]]
        self.dropout_rng = np.random.default_rng(seed + 1)


# %% nbgrader={"grade": false, "grade_id": "fc_loss", "locked": false, "schema_version": 3, "solution": true, "task": false}
def loss(self, X, y=None):
    """Scores in test mode (y is None), else (loss, grads) in training mode.

    X: (N, n_0); y: (N,) labels, or the targets self.loss_fn expects.
    Returns scores of shape (N, n_L), or (loss, grads) with grads keyed like self.params.
    """
    ### BEGIN SOLUTION
    train = y is not None
    h, caches = X, []
    for layer in range(1, self.n_layers):
        h, fc_cache = affine_forward(h, self.params[f"W{layer}"], self.params[f"b{layer}"])
        norm_cache = dropout_cache = None
        if self.normalization is not None:
            gamma, beta = self.params[f"gamma{layer}"], self.params[f"beta{layer}"]
            bn_param = self.bn_params[layer - 1]
            if self.normalization == "batchnorm":
                bn_param["mode"] = "train" if train else "test"
                h, norm_cache = batchnorm_forward(h, gamma, beta, bn_param)
            else:
                h, norm_cache = layernorm_forward(h, gamma, beta, bn_param["eps"])
        h, relu_cache = relu_forward(h)
        if self.dropout > 0:
            h, dropout_cache = dropout_forward(h, self.dropout, train, self.dropout_rng)
        caches.append((fc_cache, norm_cache, relu_cache, dropout_cache))
    last = self.n_layers
    scores, fc_cache = affine_forward(h, self.params[f"W{last}"], self.params[f"b{last}"])
    if not train:
        return scores
    loss, dout = self.loss_fn(scores, y)
    grads = {}
    dout, grads[f"W{last}"], grads[f"b{last}"] = affine_backward(dout, fc_cache)
    for layer in range(last - 1, 0, -1):
        fc_cache, norm_cache, relu_cache, dropout_cache = caches[layer - 1]
        if dropout_cache is not None:
            dout = dropout_backward(dout, dropout_cache)
        dout = relu_backward(dout, relu_cache)
        if self.normalization == "batchnorm":
            dout, grads[f"gamma{layer}"], grads[f"beta{layer}"] = batchnorm_backward_alt(
                dout, norm_cache)
        elif self.normalization == "layernorm":
            dout, grads[f"gamma{layer}"], grads[f"beta{layer}"] = layernorm_backward(
                dout, norm_cache)
        dout, grads[f"W{layer}"], grads[f"b{layer}"] = affine_backward(dout, fc_cache)
    return add_weight_decay(loss, grads, self.params, self.reg)
    ### END SOLUTION


FullyConnectedNet.loss = loss

# %% nbgrader={"grade": true, "grade_id": "test_fc_plain", "locked": true, "points": 2, "schema_version": 3, "solution": false, "task": false}
"""FullyConnectedNet.loss without extras: scores in test mode, loss and gradients in training mode."""
### BEGIN HIDDEN TESTS
# Test helpers for this and the next test cells.
def fc_case_(seed, normalization=None):
    """dims, X, y and parameters (N(0, 1), biases too) for a network test, drawn by seed."""
    rng = np.random.default_rng(seed)
    dims = distinct_(rng, 3 + seed % 2, low=3)
    N = int(rng.integers(3, 12))
    params = {}
    for layer in range(1, len(dims)):
        params[f"W{layer}"] = rng.normal(size=(dims[layer - 1], dims[layer])) / 2
        params[f"b{layer}"] = rng.normal(size=dims[layer])
        if normalization is not None and layer < len(dims) - 1:
            params[f"gamma{layer}"] = 1 + 0.3 * rng.normal(size=dims[layer])
            params[f"beta{layer}"] = 0.3 * rng.normal(size=dims[layer])
    X = rng.normal(size=(N, dims[0]))
    return dims, X, rng.integers(0, dims[-1], size=N), params


def fc_net_(dims, params, **settings):
    """Your FullyConnectedNet with a copy of the test's parameters."""
    net = FullyConnectedNet(dims, **settings)
    net.params = {name: value.copy() for name, value in params.items()}
    return net


### BEGIN REFERENCE
def ref_fc_(params, X, y, reg=0.0, dropout=0.0, normalization=None, dropout_seed=None,
            bn_states=None, train=True):
    """Scores, or loss and gradients, of the network, written for the tests with autograd."""
    layers = sum(name.startswith("W") for name in params)
    tensors = {name: torch.tensor(value, requires_grad=True) for name, value in params.items()}
    rng = np.random.default_rng(dropout_seed)
    h = torch.tensor(X)
    for layer in range(1, layers):
        h = h @ tensors[f"W{layer}"] + tensors[f"b{layer}"]
        if normalization == "batchnorm":
            state = bn_states[layer - 1]
            h = F.batch_norm(h, state["mean"], state["var"], tensors[f"gamma{layer}"],
                             tensors[f"beta{layer}"], training=train, momentum=0.1, eps=1e-5)
        elif normalization == "layernorm":
            h = F.layer_norm(h, (h.shape[1],), tensors[f"gamma{layer}"],
                             tensors[f"beta{layer}"], eps=1e-5)
        h = torch.relu(h)
        if dropout > 0 and train:
            h = h * torch.tensor((rng.random(tuple(h.shape)) < 1 - dropout) / (1 - dropout))
    scores = h @ tensors[f"W{layers}"] + tensors[f"b{layers}"]
    if not train:
        return scores.detach().numpy()
    loss = F.cross_entropy(scores, torch.tensor(y))
    loss = loss + 0.5 * reg * sum((tensors[f"W{k}"] ** 2).sum() for k in range(1, layers + 1))
    loss.backward()
    return loss.item(), {name: tensor.grad.numpy() for name, tensor in tensors.items()}
### END REFERENCE
### END HIDDEN TESTS
rng_ = np.random.default_rng(16)
X_, y_ = rng_.normal(size=(5, 4)), rng_.integers(0, 3, size=5)
net_ = FullyConnectedNet([4, 6, 3], weight_scale=1.0, seed=1)
check_array(net_.loss(X_), "the scores of a [4, 6, 3] network for 5 rows", shape=(5, 3))
result_ = net_.loss(X_, y_)
check_that(isinstance(result_, tuple) and len(result_) == 2,
           "loss(X, y) should return (loss, grads).")
check_number(result_[0], "the loss")
for name_, value_ in net_.params.items():
    check_array(result_[1][name_], f"grads['{name_}']", shape=value_.shape)
    check_that(vjp_agrees(result_[1][name_], lambda: net_.loss(X_, y_)[0], value_),
               f"grads['{name_}'] disagrees with the finite differences of your loss.")
### BEGIN HIDDEN TESTS
for seed_ in (961, 962, 963):
    dims_, X_, y_, params_ = fc_case_(seed_)
    ### BEGIN REFERENCE
    want_scores_ = ref_fc_(params_, X_, y_, train=False)
    want_loss_, want_grads_ = ref_fc_(params_, X_, y_)
    ### END REFERENCE
    net_ = fc_net_(dims_, params_)
    check_close(net_.loss(X_), want_scores_, f"the scores of a {dims_} network on {len(X_)} rows",
                rtol=1e-4, atol=1e-6)
    got_ = net_.loss(X_, y_)
    check_close(got_[0], want_loss_, f"the loss of a {dims_} network on {len(X_)} rows",
                rtol=1e-4, atol=1e-6)
    for name_ in sorted(params_):
        check_close(got_[1][name_], want_grads_[name_], f"grads['{name_}'] of a {dims_} network",
                    rtol=1e-4, atol=1e-6)
### END HIDDEN TESTS

# %% nbgrader={"grade": true, "grade_id": "test_fc_regularised", "locked": true, "points": 2, "schema_version": 3, "solution": false, "task": false}
"""FullyConnectedNet.loss with weight decay and dropout: the penalty in the loss and gradients, no dropout in test mode."""
rng_ = np.random.default_rng(17)
X_, y_ = rng_.normal(size=(5, 4)), rng_.integers(0, 3, size=5)
net_ = FullyConnectedNet([4, 6, 3], reg=0.5, dropout=0.3, weight_scale=1.0, seed=2)
check_that(np.array_equal(net_.loss(X_), net_.loss(X_)),
           "In test mode (no labels) the scores should not depend on any random draw.")
for name_, value_ in net_.params.items():
    net_.dropout_rng = np.random.default_rng(0)
    got_ = net_.loss(X_, y_)[1][name_]

    def same_mask_loss_():
        net_.dropout_rng = np.random.default_rng(0)
        return net_.loss(X_, y_)[0]

    check_that(vjp_agrees(got_, same_mask_loss_, value_),
               f"grads['{name_}'] disagrees with the finite differences of your loss (with the "
               "same dropout masks).")
### BEGIN HIDDEN TESTS
for seed_ in (971, 972):
    dims_, X_, y_, params_ = fc_case_(seed_)
    reg_ = float(np.random.default_rng(seed_).uniform(0.1, 1.0))
    ### BEGIN REFERENCE
    want_loss_, want_grads_ = ref_fc_(params_, X_, y_, reg=reg_, dropout=0.4,
                                      dropout_seed=seed_)
    want_scores_ = ref_fc_(params_, X_, y_, train=False)
    ### END REFERENCE
    net_ = fc_net_(dims_, params_, reg=reg_, dropout=0.4)
    net_.dropout_rng = np.random.default_rng(seed_)
    got_ = net_.loss(X_, y_)
    check_close(got_[0], want_loss_, f"the loss with reg={reg_:.2f} and dropout 0.4, {dims_}",
                rtol=1e-4, atol=1e-6)
    for name_ in sorted(params_):
        check_close(got_[1][name_], want_grads_[name_], f"grads['{name_}'] with weight decay "
                    f"and dropout, {dims_}",
                    rtol=1e-4, atol=1e-6)
    check_close(net_.loss(X_), want_scores_, f"the scores in test mode with dropout, {dims_}",
                rtol=1e-4, atol=1e-6)
### END HIDDEN TESTS

# %% nbgrader={"grade": true, "grade_id": "test_fc_normalised", "locked": true, "points": 2, "schema_version": 3, "solution": false, "task": false}
"""FullyConnectedNet.loss with batch norm or layer norm: gamma and beta learned, running averages in test mode."""
rng_ = np.random.default_rng(18)
X_, y_ = rng_.normal(size=(6, 4)), rng_.integers(0, 3, size=6)
for kind_ in ("batchnorm", "layernorm"):
    net_ = FullyConnectedNet([4, 5, 3], normalization=kind_, weight_scale=1.0, seed=3)
    loss_, grads_ = net_.loss(X_, y_)
    for name_ in ("gamma1", "beta1"):
        check_array(grads_.get(name_), f"grads['{name_}'] with {kind_}", shape=(5,))
    check_array(net_.loss(X_[:1]), f"the scores of one example in test mode, {kind_}",
                shape=(1, 3))
### BEGIN HIDDEN TESTS
for seed_, kind_ in ((981, "batchnorm"), (982, "layernorm"), (983, "batchnorm")):
    dims_, X_, y_, params_ = fc_case_(seed_, kind_)
    ### BEGIN REFERENCE
    states_ = [{"mean": torch.zeros(width), "var": torch.ones(width)} for width in dims_[1:-1]]
    want_loss_, want_grads_ = ref_fc_(params_, X_, y_, normalization=kind_, bn_states=states_)
    ref_fc_(params_, 2 * X_, y_, normalization=kind_, bn_states=states_)
    want_scores_ = ref_fc_(params_, X_[:2], y_, normalization=kind_, bn_states=states_,
                           train=False)
    ### END REFERENCE
    net_ = fc_net_(dims_, params_, normalization=kind_)
    got_ = net_.loss(X_, y_)
    check_close(got_[0], want_loss_, f"the loss with {kind_}, {dims_}",
                rtol=1e-4, atol=1e-6)
    for name_ in sorted(params_):
        check_close(got_[1][name_], want_grads_[name_], f"grads['{name_}'] with {kind_}, {dims_}",
                    rtol=1e-4, atol=1e-6)
    net_.loss(2 * X_, y_)
    check_close(net_.loss(X_[:2]), want_scores_, f"the scores in test mode with {kind_}, "
                "after two training batches",
                rtol=1e-4, atol=1e-6)
### END HIDDEN TESTS

# %% [markdown]
# ### 4.2 A `Solver`
#
# Training loops look alike, so we write one and reuse it: the `Solver` below takes a model (any
# object with a `params` dict and a `loss` method that works as `FullyConnectedNet.loss` does) and
# the data, `{'X_train', 'y_train', 'X_val', 'y_val'}`. (`LinearModel`, given with it, is such a
# model, one linear layer whose gradients PyTorch computes: the checks train it, so that they
# test your `Solver` apart from your layers.) Write the `Solver`'s `train` method:
#
# 1. make **one** generator `rng = np.random.default_rng(self.seed)` before the first epoch;
# 2. for every epoch of `self.epochs`: draw a new order of the training rows,
#    `rng.permutation(N)`, and walk through it in mini-batches of `self.batch_size` rows (keep the
#    last, smaller one). For every batch: `loss, grads = self.model.loss(X_batch, y_batch)`,
#    append the loss (a float) to `self.loss_history`, and take a gradient step
#    `param -= self.lr * grad` for every parameter;
# 3. at the end of every epoch: append `self.accuracy` on the training set and on the validation
#    set to `self.train_acc_history` and `self.val_acc_history`; if the validation accuracy is
#    **higher** than `self.best_val_acc` (strictly: a tie keeps the earlier checkpoint), store it
#    there and keep a **copy** of every parameter in `self.best_params` (a checkpoint); then
#    decay the learning rate: `self.lr *= self.lr_decay`;
# 4. after the last epoch, put the checkpoint back: the model ends with the parameters of its best
#    validation accuracy, not of its last step.
#
# The checkpoint is the simplest form of *early stopping*: the network that overfits during the
# last epochs is not the one we keep. The learning-rate decay takes smaller steps as training
# settles, so that the last epochs fine-tune instead of jumping around the minimum.

# %% nbgrader={"grade": false, "grade_id": "solver_class", "locked": true, "schema_version": 3, "solution": false, "task": false}
class Solver:
    """Mini-batch gradient descent with learning-rate decay and a best-validation checkpoint."""

    def __init__(self, model, data, *, lr=0.1, lr_decay=1.0, epochs=10, batch_size=50, seed=0):
        self.model, self.data = model, data
        self.lr, self.lr_decay, self.epochs = lr, lr_decay, epochs
        self.batch_size, self.seed = batch_size, seed
        self.loss_history, self.train_acc_history, self.val_acc_history = [], [], []
        self.best_val_acc, self.best_params = -1.0, {}

    def accuracy(self, X, y):
        """The share of the rows of X whose largest score is at the label (test mode)."""
        return float(np.mean(np.argmax(self.model.loss(X), axis=1) == y))


class LinearModel:
    """A linear classifier, scores = X @ W + b, whose loss and gradients PyTorch computes: a
    model with the interface of FullyConnectedNet, to check the Solver apart from your layers."""

    def __init__(self, D, C, seed=0):
        rng = np.random.default_rng(seed)
        self.params = {"W": 0.5 * rng.normal(size=(D, C)), "b": np.zeros(C)}

    def loss(self, X, y=None):
        W, b = (torch.tensor(self.params[name], requires_grad=True) for name in ("W", "b"))
        scores = torch.as_tensor(X) @ W + b
        if y is None:
            return scores.detach().numpy()
        loss = F.cross_entropy(scores, torch.as_tensor(y))
        loss.backward()
        return loss.item(), {"W": W.grad.numpy(), "b": b.grad.numpy()}


# %% nbgrader={"grade": false, "grade_id": "solver_train", "locked": false, "schema_version": 3, "solution": true, "task": false}
def train(self):
    """Train self.model on self.data (see the steps above); returns nothing."""
    ### BEGIN SOLUTION
    X, y = self.data["X_train"], self.data["y_train"]
    rng = np.random.default_rng(self.seed)
    for _ in range(self.epochs):
        order = rng.permutation(len(X))
        for start in range(0, len(X), self.batch_size):
            rows = order[start:start + self.batch_size]
            loss, grads = self.model.loss(X[rows], y[rows])
            self.loss_history.append(float(loss))
            for name, grad in grads.items():
                self.model.params[name] -= self.lr * grad
        self.train_acc_history.append(self.accuracy(X, y))
        self.val_acc_history.append(self.accuracy(self.data["X_val"], self.data["y_val"]))
        if self.val_acc_history[-1] > self.best_val_acc:
            self.best_val_acc = self.val_acc_history[-1]
            self.best_params = {name: value.copy() for name, value in self.model.params.items()}
        self.lr *= self.lr_decay
    self.model.params = {name: value.copy() for name, value in self.best_params.items()}
    ### END SOLUTION


Solver.train = train

# %% nbgrader={"grade": true, "grade_id": "test_solver_history", "locked": true, "points": 2, "schema_version": 3, "solution": false, "task": false}
"""Solver.train: one loss per batch, one training and one validation accuracy per epoch."""
### BEGIN HIDDEN TESTS
# Test helpers for this and the next test cells.
def blobs_(seed):
    """Noisy clusters: a data dict, the sizes (N, D, C) and a batch size, all drawn by seed."""
    rng = np.random.default_rng(seed)
    D, C = distinct_(rng, 2, low=3, high=8)
    N, batch = int(rng.integers(40, 70)), int(rng.integers(7, 13))
    centres = rng.normal(size=(C, D))
    labels = rng.integers(0, C, size=N + 40)
    points = centres[labels] + 1.3 * rng.normal(size=(N + 40, D))
    data = {"X_train": points[:N], "y_train": labels[:N], "X_val": points[N:], "y_val": labels[N:]}
    return data, (N, D, C), batch


### BEGIN REFERENCE
def ref_solver_(seed, lr, lr_decay, epochs):
    """A plain training of LinearModel on blobs_(seed): histories, best accuracy, checkpoint,
    the learning rate."""
    data, (N, D, C), batch = blobs_(seed)
    model = LinearModel(D, C, seed)
    rng = np.random.default_rng(seed)
    losses, train_acc, val_acc, best, kept = [], [], [], -1.0, None

    def accuracy(X, y):
        return np.mean(np.argmax(model.loss(X), axis=1) == y)

    for _ in range(epochs):
        order = rng.permutation(N)
        for start in range(0, N, batch):
            rows = order[start:start + batch]
            loss, grads = model.loss(data["X_train"][rows], data["y_train"][rows])
            losses.append(loss)
            model.params = {k: v - lr * grads[k] for k, v in model.params.items()}
        train_acc.append(accuracy(data["X_train"], data["y_train"]))
        val_acc.append(accuracy(data["X_val"], data["y_val"]))
        if val_acc[-1] > best:
            best, kept = val_acc[-1], dict(model.params)
        lr *= lr_decay
    return {"loss": np.array(losses), "train": np.array(train_acc), "val": np.array(val_acc),
            "best": best, "W": kept["W"], "b": kept["b"], "lr": lr}
### END REFERENCE


def run_solver_(seed, lr, lr_decay, epochs):
    """Your Solver on LinearModel and blobs_(seed), trained."""
    data, (N, D, C), batch = blobs_(seed)
    solver = Solver(LinearModel(D, C, seed), data, lr=lr, lr_decay=lr_decay, epochs=epochs,
                    batch_size=batch, seed=seed)
    solver.train()
    return solver
### END HIDDEN TESTS
rng_ = np.random.default_rng(19)
data_ = {"X_train": rng_.normal(size=(23, 3)), "y_train": rng_.integers(0, 2, size=23),
         "X_val": rng_.normal(size=(9, 3)), "y_val": rng_.integers(0, 2, size=9)}
solver_ = Solver(LinearModel(3, 2), data_, epochs=3, batch_size=10)
solver_.train()
check_that(len(solver_.loss_history) == 9,
           "23 rows in batches of 10 make 3 batches an epoch (keep the last, smaller one): "
           "3 epochs should record 9 losses.")
check_that(len(solver_.train_acc_history) == 3 and len(solver_.val_acc_history) == 3,
           "There should be one training and one validation accuracy per epoch.")
check_that(all(0 <= a <= 1 for a in solver_.val_acc_history),
           "Accuracies are shares between 0 and 1.")
### BEGIN HIDDEN TESTS
for seed_ in (991, 992):
    ### BEGIN REFERENCE
    want_ = ref_solver_(seed_, 0.5, 0.9, 6)
    ### END REFERENCE
    solver_ = run_solver_(seed_, 0.5, 0.9, 6)
    check_close(np.array(solver_.loss_history, dtype=float), want_["loss"],
                "the loss history of a Solver on noisy clusters")
    check_close(np.array(solver_.train_acc_history, dtype=float), want_["train"],
                "the training accuracy history")
    check_close(np.array(solver_.val_acc_history, dtype=float), want_["val"],
                "the validation accuracy history")
### END HIDDEN TESTS

# %% nbgrader={"grade": true, "grade_id": "test_solver_decay", "locked": true, "points": 2, "schema_version": 3, "solution": false, "task": false}
"""Solver.train decays the learning rate once per epoch."""
solver_ = Solver(LinearModel(3, 2), data_, lr=0.2, lr_decay=0.5, epochs=3,
                 batch_size=10)
solver_.train()
check_number(solver_.lr, "solver.lr after training")
check_that(abs(solver_.lr - 0.025) < 1e-12,
           "After 3 epochs with lr=0.2 and lr_decay=0.5, solver.lr should be 0.2 * 0.5**3.")
### BEGIN HIDDEN TESTS
for seed_ in (993, 994):
    ### BEGIN REFERENCE
    want_ = ref_solver_(seed_, 0.8, 0.6, 5)
    ### END REFERENCE
    solver_ = run_solver_(seed_, 0.8, 0.6, 5)
    check_close(solver_.lr, want_["lr"], "solver.lr after 5 epochs with lr_decay=0.6")
    check_close(np.array(solver_.loss_history, dtype=float), want_["loss"],
                "the loss history with lr_decay=0.6")
### END HIDDEN TESTS

# %% nbgrader={"grade": true, "grade_id": "test_solver_checkpoint", "locked": true, "points": 2, "schema_version": 3, "solution": false, "task": false}
"""Solver.train keeps the parameters of the best validation accuracy and ends with them."""
check_that(abs(solver_.best_val_acc - max(solver_.val_acc_history)) < 1e-12,
           "best_val_acc should be the highest validation accuracy of the history.")
check_that(isinstance(solver_.best_params, dict)
           and sorted(solver_.best_params) == sorted(solver_.model.params),
           "best_params should hold a copy of every parameter.")
### BEGIN HIDDEN TESTS
for seed_ in (995, 996):
    ### BEGIN REFERENCE
    want_ = ref_solver_(seed_, 2.0, 1.0, 12)
    ### END REFERENCE
    solver_ = run_solver_(seed_, 2.0, 1.0, 12)
    check_close(solver_.best_val_acc, want_["best"], "best_val_acc")
    check_close(solver_.model.params["W"], want_["W"],
                "the model's W after training (the checkpoint of the best validation accuracy)")
    check_close(solver_.model.params["b"], want_["b"], "the model's b after training")
### END HIDDEN TESTS

# %% [markdown]
# ### 4.3 Experiment: overfitting, weight decay and dropout
#
# A network of two hidden layers of 100 units (17,610 parameters) trained on only 100 digits will
# learn them all by heart. We train it three times with the same `Solver` settings: plain, with
# weight decay ($\lambda = 0.01$), and with dropout ($p = 0.5$), and follow training and validation
# accuracy epoch by epoch. The shaded area between the two curves of a run is its gap. (The
# experiments take a few seconds; they are skipped when the notebook is graded.)

# %% nbgrader={"grade": false, "grade_id": "regularisation_experiment", "locked": true, "schema_version": 3, "solution": false, "task": false}
X_all, y_all = load_digits()
X_rest, X_test, y_rest, y_test = train_test_split(X_all / 16.0, y_all, test_fraction=0.25, seed=0)
X_train, X_val, y_train, y_val = train_test_split(X_rest, y_rest, test_fraction=0.2, seed=1)
SMALL = {"X_train": X_train[:100], "y_train": y_train[:100], "X_val": X_val, "y_val": y_val}
SETTINGS = {"plain": {}, "weight decay, λ = 0.01": {"reg": 0.01}, "dropout, p = 0.5": {"dropout": 0.5}}


def regularisation_experiment(epochs=100):
    """{setting: trained Solver} for the network [64, 100, 100, 10] on 100 training digits."""
    solvers = {}
    for name, settings in SETTINGS.items():
        net = FullyConnectedNet([64, 100, 100, 10], weight_scale=0.2, seed=0, **settings)
        solvers[name] = Solver(net, SMALL, lr=0.1, lr_decay=0.99, epochs=epochs, batch_size=20)
        solvers[name].train()
    return solvers


def plot_regularisation(solvers):
    """Training and validation accuracy of every run, and the sizes of their weights."""
    fig, (ax, ax_w) = plt.subplots(1, 2, figsize=(11, 4), gridspec_kw={"width_ratios": [2, 1]})
    for (name, solver), colour in zip(solvers.items(), ("tab:red", "tab:blue", "tab:green"),
                                      strict=True):
        epochs = np.arange(1, len(solver.val_acc_history) + 1)
        ax.plot(epochs, solver.train_acc_history, color=colour, lw=1, ls="--")
        ax.plot(epochs, solver.val_acc_history, color=colour, lw=2, label=name)
        ax.fill_between(epochs, solver.val_acc_history, solver.train_acc_history, color=colour,
                        alpha=0.08)
        squares = sum(np.sum(solver.model.params[k] ** 2) for k in ("W1", "W2", "W3"))
        ax_w.barh(name, squares, color=colour)
    ax.set(xlabel="epoch", ylabel="accuracy (dashed: training, solid: validation)",
           ylim=(0.5, 1.01), title="100 training digits, 17,610 parameters")
    ax.legend(loc="lower right", fontsize=9)
    ax_w.set(xlabel="sum of the squared weights (checkpoint)", title="Size of the weights")
    fig.tight_layout()
    plt.show()


if pictures_off():
    print("The experiment is skipped in a graded run.")
else:
    try:
        experiment_runs = regularisation_experiment()
        for name, solver in experiment_runs.items():
            print(f"{name:<24} training {solver.train_acc_history[-1]:.3f}   validation "
                  f"{solver.val_acc_history[-1]:.3f}   best validation {solver.best_val_acc:.3f}")
        plot_regularisation(experiment_runs)
    except Exception as error:  # noqa: BLE001  (an unfinished answer above: say so, carry on)
        plt.close("all")
        print(f"The experiment needs your layers, FullyConnectedNet.loss and Solver.train: "
              f"{type(error).__name__}: {error}")

# %% [markdown]
# Read the picture. Without regularisation, training accuracy reaches 100% within a few dozen
# epochs and the gap to validation accuracy stays open: after that the network only grows more
# confident on digits it already knows. Dropout slows the fit of the training set down and
# closes part of the gap; weight decay of this strength changes the accuracies little, but the
# bars show that its weights are a third smaller, and a network with smaller weights is a smoother
# function. The gain on a data set as clean as these digits is modest; on noisy data it is larger.
# Turn the knobs yourself: with $\lambda = 0.1$ or $p = 0.75$ the network can no longer fit even
# its training set (it *underfits*): regularisation trades training fit for a smaller gap, and
# the best strength lies in between, to be chosen on the validation set.

# %% [markdown]
# ### 4.4 Experiment: batch norm and the scale of the first weights
#
# Assignment 7 showed that a deep network only trains when its first weights have the right
# scale (He's $\sqrt{2/n_\text{in}}$, about 0.2 here). Batch norm undoes a wrong scale at every
# layer: after the normalisation, the scale of the weights before it no longer matters to the
# forward pass. Here a network with five hidden layers of 40 units is trained for 8 epochs on 400
# digits, with and without batch norm, from weights of five scales, and we plot the best
# validation accuracy of each run.

# %% nbgrader={"grade": false, "grade_id": "batchnorm_experiment", "locked": true, "schema_version": 3, "solution": false, "task": false}
WEIGHT_SCALES = [1e-3, 1e-2, 1e-1, 0.2, 1.0]
DEEP = [64, 40, 40, 40, 40, 40, 10]


def batchnorm_experiment(epochs=8):
    """{normalization: [best validation accuracy for every weight scale]}."""
    data = {"X_train": X_train[:400], "y_train": y_train[:400], "X_val": X_val, "y_val": y_val}
    results = {}
    for normalization in (None, "batchnorm"):
        results[normalization] = []
        for scale in WEIGHT_SCALES:
            net = FullyConnectedNet(DEEP, weight_scale=scale, normalization=normalization, seed=0)
            solver = Solver(net, data, lr=0.1, epochs=epochs, batch_size=50)
            with np.errstate(all="ignore"):   # the runs that blow up may overflow
                solver.train()
            results[normalization].append(solver.best_val_acc)
    return results


if pictures_off():
    print("The experiment is skipped in a graded run.")
else:
    try:
        deep_results = batchnorm_experiment()
        fig, ax = plt.subplots(figsize=(6.5, 4))
        ax.plot(WEIGHT_SCALES, deep_results[None], "o-", color="tab:red", label="without batch norm")
        ax.plot(WEIGHT_SCALES, deep_results["batchnorm"], "s-", color="tab:blue",
                label="with batch norm")
        ax.axhline(0.1, color="grey", ls=":", lw=1)
        ax.text(WEIGHT_SCALES[0], 0.12, "chance: 10%", color="grey", fontsize=8)
        ax.set(xscale="log", xlabel="standard deviation of the initial weights",
               ylabel="best validation accuracy", ylim=(0, 1),
               title=f"A network of {len(DEEP) - 2} hidden layers, 8 epochs")
        ax.legend()
        plt.show()
    except Exception as error:  # noqa: BLE001  (an unfinished answer above: say so, carry on)
        plt.close("all")
        print(f"The experiment needs your layers, FullyConnectedNet.loss and Solver.train: "
              f"{type(error).__name__}: {error}")

# %% [markdown]
# Without batch norm, only the scale near He's trains at all in 8 epochs: smaller weights make
# the signal (and the gradient) vanish over five layers, larger ones make it explode. With batch
# norm every scale trains. It does not make the scale irrelevant: the gradient with respect to a
# weight matrix shrinks as the weights grow (the normalisation divides by their scale), so very
# large weights learn slowly, and the weights of the last layer, after which nothing is
# normalised, still matter.

# %% [markdown]
# ## Part 5 — Backprop by hand through a real network
#
# The last part drops the modules and does what they hide: every gradient of a network, step by
# step, checked against PyTorch's autograd. The network classifies a batch `x` of shape `(N, D)`
# into `C` classes through one hidden layer of `H` units with batch norm and tanh. PyTorch runs it
# in these named steps (`EPS` is $10^{-5}$):
#
# | step | computed as | shape |
# |---|---|---|
# | `z1` | `x @ W1 + b1` | `(N, H)` |
# | `mu` | mean of `z1` over the rows | `(1, H)` |
# | `zc` | `z1 - mu` | `(N, H)` |
# | `var` | mean of `zc**2` over the rows | `(1, H)` |
# | `inv_std` | `(var + EPS) ** -0.5` | `(1, H)` |
# | `zhat` | `zc * inv_std` | `(N, H)` |
# | `zbn` | `gamma * zhat + beta` | `(N, H)` |
# | `h` | `tanh(zbn)` | `(N, H)` |
# | `logits` | `h @ W2 + b2` | `(N, C)` |
# | `counts` | `exp(logits)` | `(N, C)` |
# | `counts_sum` | sum of `counts` over each row | `(N, 1)` |
# | `log_probs` | `logits - log(counts_sum)` | `(N, C)` |
# | `loss` | minus the mean over the rows of `log_probs[i, y[i]]` | a number |
#
# with parameters `W1` `(D, H)`, `b1` `(H,)`, `gamma` and `beta` `(H,)`, `W2` `(H, C)` and `b2`
# `(C,)`. `forward_in_torch` below runs these steps on a dict of parameters and keeps every
# tensor, each set to keep its gradient, so that after `loss.backward()` every step's `.grad`
# holds $\partial\,\text{loss}/\partial\,\text{step}$. Your job is to compute each of them by hand,
# in NumPy, from the forward values, going backwards. Two remarks before you start:
#
# - every gradient has the shape of its tensor. Where the forward pass broadcast (`mu` and `var`
#   of shape `(1, H)`, `gamma` of shape `(H,)`, `counts_sum` of shape `(N, 1)`), the backward pass
#   sums over the broadcast axis, keeping the tensor's own shape;
# - a tensor used twice collects a gradient from each use: `logits` feeds `log_probs` directly and
#   through `counts`; `zc` feeds `var` and `zhat`; `z1` feeds `zc` directly and through `mu`.
#
# (`b1` is there on purpose: look at its gradient once you have it. There is no max-subtraction in
# this softmax, to keep the steps few; the logits of this small network stay small.)

# %% nbgrader={"grade": false, "grade_id": "torch_network", "locked": true, "schema_version": 3, "solution": false, "task": false}
EPS = 1e-5
STEPS = ["z1", "mu", "zc", "var", "inv_std", "zhat", "zbn", "h", "logits", "counts",
         "counts_sum", "log_probs", "loss"]
# The order in which gradients are compared: backwards from the loss.
BACKWARD_ORDER = ["log_probs", "counts_sum", "counts", "logits", "W2", "b2", "h", "zbn",
                  "gamma", "beta", "zhat", "inv_std", "var", "zc", "mu", "z1", "W1", "b1", "x"]


def draw_small_network(seed, N, D, H, C):
    """Parameters, a batch x of shape (N, D) and labels y of shape (N,), drawn by seed."""
    rng = np.random.default_rng(seed)
    params = {"W1": rng.normal(size=(D, H)) / np.sqrt(D), "b1": 0.1 * rng.normal(size=H),
              "gamma": 1 + 0.1 * rng.normal(size=H), "beta": 0.1 * rng.normal(size=H),
              "W2": rng.normal(size=(H, C)) / np.sqrt(H), "b2": 0.1 * rng.normal(size=C)}
    return params, rng.normal(size=(N, D)), rng.integers(0, C, size=N)


def forward_in_torch(params, x, y):
    """Every step of the network as a tensor that keeps its gradient: {name: tensor}."""
    t = {name: torch.tensor(value, requires_grad=True) for name, value in params.items()}
    t["x"] = torch.tensor(x, requires_grad=True)
    t["z1"] = t["x"] @ t["W1"] + t["b1"]
    t["mu"] = t["z1"].mean(dim=0, keepdim=True)
    t["zc"] = t["z1"] - t["mu"]
    t["var"] = (t["zc"] ** 2).mean(dim=0, keepdim=True)
    t["inv_std"] = (t["var"] + EPS) ** -0.5
    t["zhat"] = t["zc"] * t["inv_std"]
    t["zbn"] = t["gamma"] * t["zhat"] + t["beta"]
    t["h"] = torch.tanh(t["zbn"])
    t["logits"] = t["h"] @ t["W2"] + t["b2"]
    t["counts"] = t["logits"].exp()
    t["counts_sum"] = t["counts"].sum(dim=1, keepdim=True)
    t["log_probs"] = t["logits"] - t["counts_sum"].log()
    t["loss"] = -t["log_probs"][torch.arange(len(y)), torch.as_tensor(y)].mean()
    for name in STEPS:
        t[name].retain_grad()
    return t


def as_numpy(tensors):
    """The forward values of the tensors, as NumPy arrays: {name: array}."""
    return {name: tensor.detach().numpy() for name, tensor in tensors.items()}


def check_by_hand(mine, names, function):
    """The visible checks of Part 5: `mine` holds a gradient for each of `names`, of its tensor's
    shape, equal to autograd's on the example network below."""
    check_that(isinstance(mine, dict), f"{function} should return a dict {{name: gradient}}.")
    for name in names:
        check_that(name in mine, f"{function} returned no gradient for `{name}`.")
        check_array(mine[name], f"the gradient of {name}", shape=values5[name].shape)
    first = compare_gradients(mine, autograd5, order=names, verbose=False)
    check_that(first is None, f"The first gradient that disagrees with autograd is that of "
                              f"`{first}`: run compare_gradients to see the table.")


params5, x5, y5 = draw_small_network(0, N=8, D=5, H=6, C=4)
tensors5 = forward_in_torch(params5, x5, y5)
tensors5["loss"].backward()
values5 = as_numpy(tensors5)
autograd5 = {name: tensors5[name].grad.numpy() for name in BACKWARD_ORDER}
print(f"loss = {values5['loss']:.5f}   (near ln 4 = {np.log(4):.5f}, the loss of knowing nothing)")

# %% [markdown]
# ### 5.1 From the loss back to the hidden layer
#
# Write `backprop_head(v, y)`. `v` holds the forward values (`v['h']`, `v['logits']`,
# `v['counts']`, ..., and the parameters `v['W2']`, ...), `y` the labels. Return a dict with the
# gradients of the loss with respect to `log_probs`, `counts_sum`, `counts`, `logits`, `W2`, `b2`
# and `h`, under those names. In order:
#
# - `loss` is minus the mean of $N$ entries of `log_probs`: each of those gets $-1/N$, every other
#   entry 0;
# - `log_probs = logits - log(counts_sum)`: the derivative of $\log u$ is $1/u$, and `counts_sum`
#   was broadcast across each row;
# - `counts_sum` sums each row of `counts`; `counts = exp(logits)`, whose derivative is itself;
# - `logits` collects **two** contributions; then the affine layer `logits = h @ W2 + b2`.

# %% nbgrader={"grade": false, "grade_id": "backprop_head", "locked": false, "schema_version": 3, "solution": true, "task": false}
def backprop_head(v, y):
    """Gradients of the loss with respect to log_probs, counts_sum, counts, logits, W2, b2, h.

    v: {name: forward value}, as as_numpy(forward_in_torch(...)); y: (N,) labels.
    Returns {name: gradient}, each of the shape of v[name].
    """
    ### BEGIN SOLUTION
    n, rows = len(y), np.arange(len(y))
    g = {}
    g["log_probs"] = np.zeros_like(v["log_probs"])
    g["log_probs"][rows, y] = -1.0 / n
    g["counts_sum"] = -g["log_probs"].sum(axis=1, keepdims=True) / v["counts_sum"]
    g["counts"] = np.ones_like(v["counts"]) * g["counts_sum"]
    g["logits"] = g["log_probs"] + g["counts"] * v["counts"]
    g["W2"] = v["h"].T @ g["logits"]
    g["b2"] = g["logits"].sum(axis=0)
    g["h"] = g["logits"] @ v["W2"].T
    return g
    ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "test_backprop_head", "locked": true, "points": 3, "schema_version": 3, "solution": false, "task": false}
"""backprop_head: the gradients of log_probs, counts_sum, counts, logits, W2, b2 and h, as autograd finds them."""
### BEGIN HIDDEN TESTS
# Test helper for this and the next test cells.
def torch_case_(seed):
    """The network run forward in PyTorch, with N, D, H and C drawn by seed, all different."""
    N, D, H, C = distinct_(np.random.default_rng(seed), 4, low=3, high=13)
    params, x, y = draw_small_network(seed, N, D, H, C)
    return forward_in_torch(params, x, y), y, f"N={N}, D={D}, H={H}, C={C}"
### END HIDDEN TESTS
HEAD = ["log_probs", "counts_sum", "counts", "logits", "W2", "b2", "h"]
check_by_hand(backprop_head(values5, y5), HEAD, "backprop_head")
### BEGIN HIDDEN TESTS
for seed_ in (1001, 1002, 1003):
    tensors_, y_, sizes_ = torch_case_(seed_)
    got_ = backprop_head(as_numpy(tensors_), y_)
    ### BEGIN REFERENCE
    tensors_["loss"].backward()
    want_ = {name: tensors_[name].grad.numpy() for name in HEAD}
    ### END REFERENCE
    for name_ in HEAD:
        check_close(got_[name_], want_[name_], f"the gradient of {name_}, {sizes_}")
### END HIDDEN TESTS

# %% [markdown]
# ### 5.2 Through tanh and batch norm to the input
#
# Write `backprop_body(v, dh)`: from `dh`, the gradient of the loss with respect to `h`, to the
# gradients of `zbn`, `gamma`, `beta`, `zhat`, `inv_std`, `var`, `zc`, `mu`, `z1`, `W1`, `b1` and
# `x`, under those names. The derivative of $\tanh$ is $1 - \tanh^2$, and `h` already *is* the
# tanh. This is the step-by-step batch-norm backward of Part 3 once more, now with every
# intermediate checked on its own; the tests hand you autograd's `dh`, so a slip in 5.1 costs no
# points here.

# %% nbgrader={"grade": false, "grade_id": "backprop_body", "locked": false, "schema_version": 3, "solution": true, "task": false}
def backprop_body(v, dh):
    """Gradients with respect to zbn, gamma, beta, zhat, inv_std, var, zc, mu, z1, W1, b1, x.

    v: {name: forward value}; dh: the gradient of the loss with respect to h, shape (N, H).
    Returns {name: gradient}, each of the shape of v[name].
    """
    ### BEGIN SOLUTION
    n = len(dh)
    g = {}
    g["zbn"] = dh * (1 - v["h"] ** 2)
    g["gamma"] = (g["zbn"] * v["zhat"]).sum(axis=0)
    g["beta"] = g["zbn"].sum(axis=0)
    g["zhat"] = g["zbn"] * v["gamma"]
    g["inv_std"] = (g["zhat"] * v["zc"]).sum(axis=0, keepdims=True)
    g["var"] = g["inv_std"] * -0.5 * (v["var"] + EPS) ** -1.5
    g["zc"] = g["zhat"] * v["inv_std"] + g["var"] * 2 * v["zc"] / n
    g["mu"] = -g["zc"].sum(axis=0, keepdims=True)
    g["z1"] = g["zc"] + g["mu"] / n
    g["W1"] = v["x"].T @ g["z1"]
    g["b1"] = g["z1"].sum(axis=0)
    g["x"] = g["z1"] @ v["W1"].T
    return g
    ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "test_backprop_batchnorm", "locked": true, "points": 3, "schema_version": 3, "solution": false, "task": false}
"""backprop_body, through tanh and batch norm: zbn, gamma, beta, zhat, inv_std, var, zc, mu."""
NORM = ["zbn", "gamma", "beta", "zhat", "inv_std", "var", "zc", "mu"]
check_by_hand(backprop_body(values5, autograd5["h"]), NORM, "backprop_body")
### BEGIN HIDDEN TESTS
for seed_ in (1011, 1012, 1013):
    tensors_, _, sizes_ = torch_case_(seed_)
    tensors_["loss"].backward()
    dh_ = tensors_["h"].grad.numpy()
    ### BEGIN REFERENCE
    want_ = {name: tensors_[name].grad.numpy() for name in NORM}
    ### END REFERENCE
    got_ = backprop_body(as_numpy(tensors_), dh_)
    for name_ in NORM:
        check_close(got_[name_], want_[name_], f"the gradient of {name_}, {sizes_}")
### END HIDDEN TESTS

# %% nbgrader={"grade": true, "grade_id": "test_backprop_first_layer", "locked": true, "points": 2, "schema_version": 3, "solution": false, "task": false}
"""backprop_body, through the first layer: z1, W1, b1 and x."""
FIRST = ["z1", "W1", "b1", "x"]
check_by_hand(backprop_body(values5, autograd5["h"]), FIRST, "backprop_body")
### BEGIN HIDDEN TESTS
for seed_ in (1021, 1022):
    tensors_, _, sizes_ = torch_case_(seed_)
    tensors_["loss"].backward()
    dh_ = tensors_["h"].grad.numpy()
    ### BEGIN REFERENCE
    want_ = {name: tensors_[name].grad.numpy() for name in FIRST}
    ### END REFERENCE
    got_ = backprop_body(as_numpy(tensors_), dh_)
    for name_ in FIRST:
        check_close(got_[name_], want_[name_], f"the gradient of {name_}, {sizes_}")
### END HIDDEN TESTS

# %% [markdown]
# All of it at once: `compare_gradients` puts your gradients next to autograd's, tensor by tensor
# from the loss backwards, and names the first that disagrees (the ones after it may only be
# inheriting its mistake).

# %%
try:
    by_hand = {**backprop_head(values5, y5), **backprop_body(values5, autograd5["h"])}
    compare_gradients(by_hand, autograd5, order=BACKWARD_ORDER)
except Exception as error:  # noqa: BLE001  (an unfinished answer above: say so, carry on)
    print(f"Finish backprop_head and backprop_body first: {type(error).__name__}: {error}")

# %% [markdown]
# ## What you built, and questions to think about
#
# A small library of layers, each a forward and a backward function checked against finite
# differences and PyTorch; a network and a training loop assembled from them that reproduce
# Assignment 4 and train on the digits with weight decay, dropout and batch norm; and every
# gradient of a real network, by hand, matched to autograd tensor by tensor.
#
# 1. The gradient of `b1` in Part 5 is zero up to rounding, for every batch. Why does a bias
#    just before batch norm never learn anything, and why do networks with batch norm usually
#    drop that bias?
# 2. In Part 5, `mu` sends a gradient back to `z1`, and so does `zc`. Compute by hand the total
#    gradient that `mu` collects: why is the contribution of the `var` branch to it exactly 0?
# 3. Batch norm in training mode makes the output for one example depend on the other examples of
#    its batch. What goes wrong with batches of size 1, and why does test mode need running
#    averages?
# 4. Dropout with $p = 0.5$ trains, at each step, one of $2^{200}$ thinned versions of a network
#    with 200 hidden units. Test mode runs the network on the *expected* activations instead.
#    Why does that give the average of the thinned networks' outputs exactly when everything
#    after the dropped units is linear, and only approximately otherwise?
# 5. With weight decay, a gradient step first multiplies every weight by $1 - \eta\lambda$. What
#    happens to a weight whose gradient from the data is zero?

# %% [markdown]
# ## Where you stand
#
# Run the cell below whenever you like: it runs every check of this notebook again and prints one line for each, the first thing to fix at the top. It shows no answers and no tracebacks. The hidden tests that decide your grade check more than these do, so a line of ticks is a good sign, not a promise.

# %% nbgrader={"grade": false, "grade_id": "summary", "locked": true, "schema_version": 3, "solution": false, "task": false}
from workbook.summary import summarise

summarise("layers.ipynb")
