# %% [markdown]
# # Assignment 9 — Convolution and pooling from scratch, and the speed vectorisation buys
#
# The layers so far connect every input to every unit. An image has structure that such a layer
# ignores: nearby pixels belong together, and a stroke means the same thing wherever it is. A
# **convolutional layer** slides one small filter over the whole image, so it has few weights and
# finds a pattern wherever it appears; a **max-pooling layer** keeps the strongest answer of each
# small window. In this assignment you backpropagate through both by hand, in NumPy, then make them
# fast:
#
# 1. **Part 1.** The arithmetic of a convolution: the size of its output, and zero padding.
# 2. **Part 2.** The forward pass with loops you can follow, checked against PyTorch's `conv2d`,
#    and a picture of what a filter does to an image.
# 3. **Part 3.** A gradient you can trust: PyTorch's autograd for any upstream gradient, beside the
#    finite differences of the course.
# 4. **Part 4.** The backward pass of the convolution (`dx`, `dw`, `db`), with loops.
# 5. **Part 5.** Max pooling, forward and backward, with a rule for ties.
# 6. **Part 6.** The fast versions: `im2col` and one matrix product, forward and backward.
# 7. **Part 7.** How much faster, and where the time goes.
# 8. **Part 8.** The receptive field of a unit: how much of the image it sees.
# 9. **Part 9.** A small convolutional network on the 8x8 digits, built from your layers, matched
#    with the same network in PyTorch (same initial weights, same gradients, same accuracy), and its
#    learned filters drawn.
# 10. **Part 10.** The path of one gradient, from the loss back to one weight of one filter.
#
# The whole notebook runs in well under 30 seconds on two CPU cores.
#
# **How the checks work.** After each answer cell comes a test cell. Its *visible* checks tell you
# what to fix (type, then shape, then a property every right answer has, or a comparison with
# PyTorch) without giving the answer away; when the notebook is graded, *hidden* checks compare
# your results with the correct ones on other shapes, strides and paddings. Replace every
# `raise NotImplementedError()` with your code, then use *Kernel → Restart and Run All* before you
# submit. The last cell sums up where you stand.
#
# **Sources.** The text and code here are written for this workbook; the facts come from:
# - *CS231n: Convolutional Neural Networks for Visual Recognition*, Stanford University, course
#   notes "Convolutional Neural Networks (CNNs / ConvNets)" (Andrej Karpathy and the CS231n staff,
#   <https://cs231n.github.io/convolutional-networks/>): the layer's shapes, the output-size
#   formula, max pooling and its backward pass, and convolution as one matrix product (`im2col`).
# - Vincent Dumoulin and Francesco Visin, "A guide to convolution arithmetic for deep learning"
#   (2016, <https://arxiv.org/abs/1603.07285>): output sizes with padding and stride, the rows no
#   window reaches.
# - PyTorch's documentation of `torch.nn.functional.conv2d`, `torch.nn.Conv2d`,
#   `torch.nn.functional.max_pool2d` and `torch.nn.functional.unfold`
#   (<https://pytorch.org/docs/stable/nn.functional.html>): the reference every layer here is
#   checked against, and the fact that its "convolution" is a cross-correlation.
# - André Araujo, Wade Norris and Jack Sim, "Computing Receptive Fields of Convolutional Neural
#   Networks", *Distill* (2019, <https://distill.pub/2019/computing-receptive-fields/>): the
#   recursion of Part 8.
#
# **Data.** "Optical Recognition of Handwritten Digits", E. Alpaydin and C. Kaynak (1998), UCI
# Machine Learning Repository, https://doi.org/10.24432/C50P49, licensed under CC BY 4.0, in the
# 1,797-image version that scikit-learn ships as `load_digits`, stored in the course package.

# %% nbgrader={"grade": false, "grade_id": "setup", "locked": true, "schema_version": 3, "solution": false, "task": false}
import matplotlib.pyplot as plt
import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

from workbook.checks import as_number, check_array, check_close, check_number, check_that
from workbook.digits import load_digits, train_test_split
from workbook.feature_maps import (
    draw_gradient_path,
    draw_maps,
    draw_receptive_field,
    plot_speedups,
)
from workbook.gradcheck import numerical_gradient, relative_error
from workbook.timing import time_pairs
from workbook.widgets import pictures_off

torch.set_num_threads(1)                 # small layers are fastest on one thread
torch.set_default_dtype(torch.float64)   # double precision: PyTorch and NumPy agree to ~1e-15


# %% [markdown]
# ## Part 1 — The arithmetic of a convolution
#
# Throughout, a batch of images is a 4-D array `x` of shape `(N, C, H, W)`: `N` images, each with
# `C` channels (1 for a grey image, 3 for colour, or the feature maps of a previous layer) of
# `H` rows and `W` columns. This is PyTorch's layout too.
#
# A convolutional layer has `F` filters, stored as `w` of shape `(F, C, HH, WW)`: each filter is a
# small stack of `C` windows of `HH` rows and `WW` columns, one window per input channel, and has
# one bias, `b` of shape `(F,)`. The filter is placed on the image, every weight multiplies the
# pixel under it, and the products plus the bias give one number. Then it moves by `stride` pixels
# to the right, and at the end of the row `stride` pixels down. Before that, the image may be
# surrounded by `pad` rows and columns of zeros on every side (**zero padding**), so that windows
# can be centred on the border pixels too.
#
# Along one axis of `size` pixels, with a kernel of `kernel` pixels, the padded axis has
# `size + 2 pad` pixels, and the window fits at the positions `0, stride, 2 stride, ...` as long as
# it does not run past the end. So the output has
#
# $$\text{out} = \left\lfloor \frac{\text{size} + 2\,\text{pad} - \text{kernel}}{\text{stride}}
# \right\rfloor + 1$$
#
# positions. When the division is not exact, the last few rows (or columns) of the padded image are
# never reached by any window, and they play no part; PyTorch does the same (Dumoulin and Visin's
# guide draws such cases).
#
# Write `conv_output_size(size, kernel, stride, pad)`, returning that number as an integer.

# %% nbgrader={"grade": false, "grade_id": "conv_output_size", "locked": false, "schema_version": 3, "solution": true, "task": false}
def conv_output_size(size, kernel, stride=1, pad=0):
    """The number of positions of a window of `kernel` pixels along an axis of `size` pixels,
    moved by `stride`, after `pad` zeros on each side (an int)."""
    ### BEGIN SOLUTION
    return (size + 2 * pad - kernel) // stride + 1
    ### END SOLUTION


print("8 pixels, kernel 3, stride 1, pad 1:", conv_output_size(8, 3, 1, 1))

# %% nbgrader={"grade": true, "grade_id": "test_conv_output_size", "locked": true, "points": 2, "schema_version": 3, "solution": false, "task": false}
"""conv_output_size: one whole number, the size of the output along one axis."""
size_ = conv_output_size(8, 3, 1, 1)
check_number(size_, "conv_output_size(8, 3, 1, 1)")
check_that(as_number(size_, "conv_output_size(8, 3, 1, 1)") == 8,
           "A 3-pixel kernel with stride 1 and one zero on each side keeps the size: "
           "conv_output_size(8, 3, 1, 1) should be 8.")
check_that(conv_output_size(8, 8) == 1, "A kernel as large as the input fits once.")
### BEGIN HIDDEN TESTS
check_close(conv_output_size(7, 3, 2, 1), 4, "conv_output_size(7, 3, 2, 1)")
check_close(conv_output_size(8, 3, 2, 0), 3, "conv_output_size(8, 3, 2, 0): the division is not exact")
check_close(conv_output_size(6, 2, 3, 2), 3, "conv_output_size(6, 2, 3, 2)")
check_close(conv_output_size(28, 5, 1, 0), 24, "conv_output_size(28, 5, 1, 0)")
check_close(conv_output_size(9, 4, 3, 0), 2, "conv_output_size(9, 4, 3, 0)")
check_close(float(isinstance(conv_output_size(9, 4, 3, 0), int | np.integer)), 1.0,
            "conv_output_size returns an integer")
### END HIDDEN TESTS

# %% [markdown]
# Write `zero_pad(x, pad)`: `x` with `pad` rows of zeros above and below and `pad` columns of zeros
# left and right of **every image and every channel**, so that the result has shape
# `(N, C, H + 2 pad, W + 2 pad)`. The batch and channel axes are not padded. `np.pad` does it, once
# you tell it how much to add before and after each of the four axes.

# %% nbgrader={"grade": false, "grade_id": "zero_pad", "locked": false, "schema_version": 3, "solution": true, "task": false}
def zero_pad(x, pad):
    """x: (N, C, H, W). Returns (N, C, H + 2 pad, W + 2 pad): x framed by `pad` zeros."""
    ### BEGIN SOLUTION
    return np.pad(x, ((0, 0), (0, 0), (pad, pad), (pad, pad)))
    ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "test_zero_pad", "locked": true, "points": 1, "schema_version": 3, "solution": false, "task": false}
"""zero_pad: the shape grows on the two image axes only; the frame is zeros; x sits in the middle."""
x_ = np.random.default_rng(0).normal(size=(2, 3, 4, 5))
padded_ = zero_pad(x_, 1)
check_array(padded_, "zero_pad(x, 1)", shape=(2, 3, 6, 7))
check_that(np.array_equal(padded_[:, :, 1:-1, 1:-1], x_),
           "The middle of zero_pad(x, 1) should be x itself.")
check_that(not padded_[:, :, [0, -1], :].any() and not padded_[:, :, :, [0, -1]].any(),
           "The frame added by zero_pad should be all zeros.")
### BEGIN HIDDEN TESTS
x_ = np.random.default_rng(1).normal(size=(3, 2, 5, 4))
check_close(zero_pad(x_, 2), np.pad(x_, ((0, 0), (0, 0), (2, 2), (2, 2))), "zero_pad(x, 2)")
check_close(zero_pad(x_, 0), x_, "zero_pad(x, 0)")
### END HIDDEN TESTS

# %% [markdown]
# ## Part 2 — The forward pass, with loops
#
# Output `out[n, f, i, j]` is what filter `f` says about the window of image `n` whose top-left
# corner is at row `i * stride`, column `j * stride` of the **padded** image `xp`:
#
# $$\text{out}[n, f, i, j] = b[f] + \sum_{c=0}^{C-1} \sum_{r=0}^{HH-1} \sum_{q=0}^{WW-1}
# w[f, c, r, q]\; xp[n, c,\; i\,\text{stride} + r,\; j\,\text{stride} + q].$$
#
# The output has shape `(N, F, H_out, W_out)`: one **feature map** per filter.
#
# **A word on the name.** In mathematics, a convolution *flips* the kernel: it pairs `w[r, q]`
# with the pixel at `(i - r, j - q)`. What deep learning calls a convolution does not flip it; it is
# a **cross-correlation**, the formula above, and it is what PyTorch's `conv2d` computes (its
# documentation says so). A network learns its filters either way, so nothing is lost, but a
# flipped kernel gives other numbers, and the checks here compare with PyTorch: do not flip.
#
# Write `conv_forward_naive(x, w, b, stride, pad)` with loops you can follow: over the images, the
# filters and the output rows and columns, with the sum over the window in one NumPy expression.
# Use your `conv_output_size` and `zero_pad`.

# %% nbgrader={"grade": false, "grade_id": "conv_forward_naive", "locked": false, "schema_version": 3, "solution": true, "task": false}
def conv_forward_naive(x, w, b, stride=1, pad=0):
    """A convolutional layer (a cross-correlation, as torch.nn.functional.conv2d), with loops.

    x: (N, C, H, W) images; w: (F, C, HH, WW) filters; b: (F,) biases.
    Returns out: (N, F, H_out, W_out), H_out = conv_output_size(H, HH, stride, pad) and
    W_out = conv_output_size(W, WW, stride, pad).
    """
    ### BEGIN SOLUTION
    N, C, H, W = x.shape
    n_filters, _, HH, WW = w.shape
    H_out, W_out = conv_output_size(H, HH, stride, pad), conv_output_size(W, WW, stride, pad)
    xp = zero_pad(x, pad)
    out = np.zeros((N, n_filters, H_out, W_out))
    for n in range(N):
        for f in range(n_filters):
            for i in range(H_out):
                for j in range(W_out):
                    window = xp[n, :, i * stride:i * stride + HH, j * stride:j * stride + WW]
                    out[n, f, i, j] = np.sum(window * w[f]) + b[f]
    return out
    ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "test_conv_forward_naive", "locked": true, "points": 3, "schema_version": 3, "solution": false, "task": false}
"""conv_forward_naive: the shape of the output, then the same numbers as PyTorch's conv2d."""
### BEGIN HIDDEN TESTS
# Test helpers for this and later test cells: the inputs of a random case, and PyTorch's answer.
CONV_CASES_ = [  # N, C, H, W, F, HH, WW, stride, pad
    (2, 3, 7, 6, 4, 3, 3, 2, 1),
    (1, 2, 5, 6, 3, 2, 3, 1, 0),     # a kernel wider than it is tall
    (3, 1, 8, 8, 2, 3, 3, 2, 0),     # the last row and column are reached by no window
    (2, 2, 6, 7, 3, 3, 2, 3, 2),     # padding 2, stride 3
    (1, 1, 4, 4, 1, 4, 4, 1, 0),     # one window
]


def conv_inputs_(case, seed):
    """x, w, b and an upstream gradient dout for one case, drawn with the given seed."""
    N, C, H, W, n_filters, HH, WW, stride, pad = case
    rng = np.random.default_rng(seed)
    out_shape = (N, n_filters, (H + 2 * pad - HH) // stride + 1, (W + 2 * pad - WW) // stride + 1)
    return (rng.normal(size=(N, C, H, W)), rng.normal(size=(n_filters, C, HH, WW)),
            rng.normal(size=n_filters), rng.normal(size=out_shape))


### BEGIN REFERENCE
def torch_conv_(x, w, b, dout, stride, pad):
    """out, dx, dw and db of a convolution, by PyTorch's conv2d and autograd."""
    tensors = [torch.tensor(a, requires_grad=True) for a in (x, w, b)]
    out = F.conv2d(*tensors, stride=stride, padding=pad)
    out.backward(torch.tensor(dout))
    return out.detach().numpy(), *(t.grad.numpy() for t in tensors)
### END REFERENCE
### END HIDDEN TESTS
rng_ = np.random.default_rng(0)
x_, w_, b_ = rng_.normal(size=(2, 3, 5, 5)), rng_.normal(size=(4, 3, 3, 3)), rng_.normal(size=4)
out_ = conv_forward_naive(x_, w_, b_, stride=2, pad=1)
check_array(out_, "conv_forward_naive(x, w, b, stride=2, pad=1)", shape=(2, 4, 3, 3))
torch_out_ = F.conv2d(torch.tensor(x_), torch.tensor(w_), torch.tensor(b_), stride=2, padding=1)
check_close(out_, torch_out_.numpy(), "conv_forward_naive(x, w, b, stride=2, pad=1) against F.conv2d")
### BEGIN HIDDEN TESTS
for number_, case_ in enumerate(CONV_CASES_):
    x_, w_, b_, dout_ = conv_inputs_(case_, seed=10 + number_)
    stride_, pad_ = case_[-2:]
    ### BEGIN REFERENCE
    want_ = torch_conv_(x_, w_, b_, dout_, stride_, pad_)[0]
    ### END REFERENCE
    check_close(conv_forward_naive(x_, w_, b_, stride_, pad_), want_,
                f"conv_forward_naive for (N, C, H, W, F, HH, WW, stride, pad) = {case_}")
### END HIDDEN TESTS

# %% [markdown]
# ### What a filter does to an image
#
# A filter answers one question at every position of the image. Below, one digit goes through three
# filters written by hand (no learning yet), with stride 1 and one zero of padding, so the feature
# maps have the size of the image: a **vertical edge** detector (bright on the left of the filter,
# dark on the right) is large where a stroke's left edge is, a **horizontal edge** detector where a
# stroke's top edge is, and a **blur** averages each pixel with its eight neighbours. Red is
# positive, blue negative. A learned filter does the same kind of thing, with weights found by
# gradient descent; you will see some in Part 9.

# %% nbgrader={"grade": false, "grade_id": "filter_picture", "locked": true, "schema_version": 3, "solution": false, "task": false}
DIGITS_X, DIGITS_Y = load_digits()
IMAGES = (DIGITS_X / 16.0).reshape(-1, 1, 8, 8)       # (1797, 1, 8, 8), pixels in [0, 1]
HAND_FILTERS = {"vertical edge": np.array([[1.0, 0.0, -1.0]] * 3),
                "horizontal edge": np.array([[1.0, 0.0, -1.0]] * 3).T,
                "blur": np.full((3, 3), 1 / 9)}


def filter_picture(image):
    """The image, each hand-made filter and the feature map it makes of the image."""
    w = np.stack(list(HAND_FILTERS.values()))[:, None]          # (3, 1, 3, 3)
    maps = conv_forward_naive(image[None], w, np.zeros(len(w)), stride=1, pad=1)[0]
    panels = [(f"the digit {DIGITS_Y[0]}", image[0])]
    for (name, kernel), feature_map in zip(HAND_FILTERS.items(), maps, strict=True):
        panels += [(f"filter: {name}", kernel), (f"feature map: {name}", feature_map)]
    return draw_maps(panels, diverging=True, title="Three filters on one digit (pad 1, stride 1)")


try:
    filter_picture(IMAGES[0])
    plt.show()
except NotImplementedError:
    plt.close("all")
    print("Write conv_forward_naive above to see what the filters do.")


# %% [markdown]
# ## Part 3 — A gradient you can trust
#
# The backward pass of a layer receives `dout`, the gradient of the loss with respect to the
# layer's output (same shape as `out`), and returns the gradients with respect to its inputs. To
# test it, we need the right answer for **any** `dout`, and two independent ways give it:
#
# - **Finite differences** (Assignment 2): the loss $L = \sum \text{out} \odot \text{dout}$ has
#   exactly `dout` as its gradient with respect to `out`, so nudging one entry of `x` and measuring
#   $L$ gives one entry of `dx`. The course's `numerical_gradient(f, array)` does this for every
#   entry of an array (slowly: two forward passes per entry).
# - **PyTorch's autograd** (Assignments 5 and 6): build `out` from tensors with
#   `requires_grad=True`, then `out.backward(gradient)` runs the backward pass with `gradient` as the
#   upstream gradient; the results land in each input's `.grad`. (`out.sum().backward()` would use
#   an upstream gradient of all ones instead.)
#
# Write `torch_gradients(fn, arrays, dout)`: turn every NumPy array of the list `arrays` into a
# float64 tensor that requires a gradient, compute `out = fn(*tensors)`, backpropagate `dout` (a
# NumPy array of the shape of `out`) through it, and return `(out, grads)`: `out` as a NumPy array
# and `grads` a list of NumPy arrays, the gradient of each input in order. With it, PyTorch becomes
# the reference for every layer you write: `F.conv2d` for the convolution, `F.max_pool2d` for
# pooling.

# %% nbgrader={"grade": false, "grade_id": "torch_gradients", "locked": false, "schema_version": 3, "solution": true, "task": false}
def torch_gradients(fn, arrays, dout):
    """out = fn(*tensors of arrays) and the gradient of sum(out * dout) for each array.

    fn: a function of len(arrays) tensors returning one tensor; arrays: a list of NumPy arrays;
    dout: a NumPy array of the shape of out.
    Returns (out, grads): out a NumPy array, grads a list of NumPy arrays, grads[k] of the
    shape of arrays[k].
    """
    ### BEGIN SOLUTION
    tensors = [torch.tensor(a, dtype=torch.float64, requires_grad=True) for a in arrays]
    out = fn(*tensors)
    out.backward(torch.tensor(dout, dtype=torch.float64))
    return out.detach().numpy(), [t.grad.numpy() for t in tensors]
    ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "test_torch_gradients", "locked": true, "points": 2, "schema_version": 3, "solution": false, "task": false}
"""torch_gradients: arrays out; the gradients of x * y weighted by dout, and of a conv2d."""
rng_ = np.random.default_rng(0)
a_, c_, dout_ = rng_.normal(size=(2, 3)), rng_.normal(size=(2, 3)), rng_.normal(size=(2, 3))
result_ = torch_gradients(lambda s, t: s * t, [a_, c_], dout_)
check_that(isinstance(result_, tuple) and len(result_) == 2,
           "torch_gradients should return a tuple (out, grads).")
check_array(result_[0], "out", shape=(2, 3))
check_that(isinstance(result_[1], list | tuple) and len(result_[1]) == 2,
           "grads should be a list with one gradient per input array.")
for grad_, label_ in zip(result_[1], ("the gradient of the first array", "of the second"),
                         strict=True):
    check_array(grad_, label_, shape=(2, 3))
check_close(result_[1][0], c_ * dout_,
            "the gradient of sum((a * c) * dout) with respect to a: is dout passed to backward()?")
### BEGIN HIDDEN TESTS
rng_ = np.random.default_rng(5)
a_, c_, dout_ = rng_.normal(size=(3, 4)), rng_.normal(size=(4, 2)), rng_.normal(size=(3, 2))
out_, grads_ = torch_gradients(lambda s, t: torch.tanh(s @ t), [a_, c_], dout_)
### BEGIN REFERENCE
tanh_ = np.tanh(a_ @ c_)
local_ = dout_ * (1 - tanh_**2)
### END REFERENCE
check_close(out_, tanh_, "out of tanh(a @ c)")
check_close(grads_[0], local_ @ c_.T, "the gradient of a in tanh(a @ c)")
check_close(grads_[1], a_.T @ local_, "the gradient of c in tanh(a @ c)")
x_, w_, b_, dout_ = conv_inputs_(CONV_CASES_[0], seed=50)
_, grads_ = torch_gradients(lambda s, t, u: F.conv2d(s, t, u, stride=2, padding=1),
                            [x_, w_, b_], dout_)
### BEGIN REFERENCE
want_ = torch_conv_(x_, w_, b_, dout_, 2, 1)
### END REFERENCE
check_close(grads_[0], want_[1], "dx of a conv2d by torch_gradients")
check_close(grads_[1], want_[2], "dw of a conv2d by torch_gradients")
check_close(grads_[2], want_[3], "db of a conv2d by torch_gradients")
### END HIDDEN TESTS

# %% [markdown]
# ## Part 4 — The backward pass of the convolution, with loops
#
# Every output `out[n, f, i, j]` was made from one window of `xp` and the whole filter `f`, so its
# gradient `dout[n, f, i, j]` flows back along the same products. For the output at `(n, f, i, j)`,
# with the window `xp[n, :, rows, cols]` (`rows = i*stride : i*stride + HH`, `cols` likewise):
#
# - every pixel of the window was multiplied by `w[f]`: it receives `w[f] * dout[n, f, i, j]`;
# - every weight of `w[f]` was multiplied by the pixel under it: it receives
#   `window * dout[n, f, i, j]`;
# - `b[f]` was added once: it receives `dout[n, f, i, j]`.
#
# A pixel lies in several windows whenever the stride is smaller than the kernel, and a weight is
# used at every position of every image, so these contributions must be **added up** (`+=`), as at
# every fan-out in Assignment 6. Accumulate into `dxp`, the gradient of the *padded* input, and cut
# the padding off at the end: the zeros of the frame are not inputs of the layer.
#
# Write `conv_backward_naive(dout, x, w, stride, pad)` returning `(dx, dw, db)`, with the same four
# loops as the forward pass.

# %% nbgrader={"grade": false, "grade_id": "conv_backward_naive", "locked": false, "schema_version": 3, "solution": true, "task": false}
def conv_backward_naive(dout, x, w, stride=1, pad=0):
    """The gradients of a convolutional layer, with loops.

    dout: (N, F, H_out, W_out), the gradient of the loss with respect to out;
    x: (N, C, H, W) and w: (F, C, HH, WW), the layer's inputs in the forward pass.
    Returns (dx, dw, db) of shapes (N, C, H, W), (F, C, HH, WW) and (F,).
    """
    ### BEGIN SOLUTION
    N, C, H, W = x.shape
    n_filters, _, HH, WW = w.shape
    _, _, H_out, W_out = dout.shape
    xp = zero_pad(x, pad)
    dxp, dw = np.zeros(xp.shape), np.zeros(w.shape)
    for n in range(N):
        for f in range(n_filters):
            for i in range(H_out):
                for j in range(W_out):
                    rows = slice(i * stride, i * stride + HH)
                    cols = slice(j * stride, j * stride + WW)
                    dxp[n, :, rows, cols] += w[f] * dout[n, f, i, j]
                    dw[f] += xp[n, :, rows, cols] * dout[n, f, i, j]
    db = dout.sum(axis=(0, 2, 3))
    return dxp[:, :, pad:pad + H, pad:pad + W], dw, db
    ### END SOLUTION


# %% [markdown]
# The cell below runs both references on a small case and prints the relative error of each of your
# gradients (the course's `relative_error`): about `1e-10` or less against finite differences,
# about `1e-15` against PyTorch, means they agree.

# %% nbgrader={"grade": false, "grade_id": "conv_gradient_table", "locked": true, "schema_version": 3, "solution": false, "task": false}
def gradient_table(label, forward, arrays, names, grads, torch_fn, dout):
    """Print the relative error of each of your gradients `grads` (of `arrays`, called `names`)
    against finite differences of your `forward`, and against PyTorch's autograd of
    `torch_fn`, for the upstream gradient `dout`."""
    _, by_torch = torch_gradients(torch_fn, arrays, dout)
    print(f"{label}:   finite differences   PyTorch")
    for name, grad, array, reference in zip(names, grads, arrays, by_torch, strict=True):
        numeric = numerical_gradient(lambda: np.sum(forward(*arrays) * dout), array)
        print(f"  {name}   {relative_error(grad, numeric):18.1e}   "
              f"{relative_error(grad, reference):8.1e}")


def conv_gradient_table(stride, pad, seed=0):
    """Your dx, dw and db against finite differences and PyTorch, on one small case."""
    rng = np.random.default_rng(seed)
    x, w, b = rng.normal(size=(1, 2, 4, 4)), rng.normal(size=(2, 2, 3, 3)), rng.normal(size=2)
    dout = rng.normal(size=conv_forward_naive(x, w, b, stride, pad).shape)
    gradient_table(f"stride {stride}, pad {pad}",
                   lambda x, w, b: conv_forward_naive(x, w, b, stride, pad), [x, w, b],
                   ("dx", "dw", "db"), conv_backward_naive(dout, x, w, stride, pad),
                   lambda s, t, u: F.conv2d(s, t, u, stride=stride, padding=pad), dout)


try:
    conv_gradient_table(stride=1, pad=1)
    conv_gradient_table(stride=2, pad=0)
except NotImplementedError:
    print("Write conv_forward_naive, torch_gradients and conv_backward_naive to see the table.")

# %% nbgrader={"grade": true, "grade_id": "test_conv_backward_dx", "locked": true, "points": 2, "schema_version": 3, "solution": false, "task": false}
"""conv_backward_naive: dx has the shape of x and agrees with finite differences of conv2d."""
rng_ = np.random.default_rng(1)
x_, w_, b_ = rng_.normal(size=(1, 2, 4, 4)), rng_.normal(size=(2, 2, 3, 3)), rng_.normal(size=2)
dout_ = rng_.normal(size=(1, 2, 2, 2))
grads_ = conv_backward_naive(dout_, x_, w_, stride=2, pad=1)
check_that(isinstance(grads_, tuple) and len(grads_) == 3,
           "conv_backward_naive should return a tuple (dx, dw, db).")
check_array(grads_[0], "dx", shape=x_.shape)


def conv_loss_():
    """sum(out * dout) of PyTorch's conv2d on x_ as it is now (finite differences nudge it)."""
    out = F.conv2d(torch.from_numpy(x_), torch.from_numpy(w_), torch.from_numpy(b_), stride=2,
                   padding=1)
    return np.sum(out.numpy() * dout_)


check_close(grads_[0], numerical_gradient(conv_loss_, x_),
            "dx against finite differences (stride 2, pad 1)", rtol=1e-6, atol=1e-7)
### BEGIN HIDDEN TESTS
for number_, case_ in enumerate(CONV_CASES_):
    x_, w_, b_, dout_ = conv_inputs_(case_, seed=20 + number_)
    stride_, pad_ = case_[-2:]
    ### BEGIN REFERENCE
    want_ = torch_conv_(x_, w_, b_, dout_, stride_, pad_)[1]
    ### END REFERENCE
    check_close(conv_backward_naive(dout_, x_, w_, stride_, pad_)[0], want_,
                f"dx for (N, C, H, W, F, HH, WW, stride, pad) = {case_}")
### END HIDDEN TESTS

# %% nbgrader={"grade": true, "grade_id": "test_conv_backward_dw", "locked": true, "points": 2, "schema_version": 3, "solution": false, "task": false}
"""conv_backward_naive: dw has the shape of w and agrees with PyTorch's autograd."""
rng_ = np.random.default_rng(2)
x_, w_, b_ = rng_.normal(size=(2, 2, 5, 4)), rng_.normal(size=(3, 2, 2, 3)), rng_.normal(size=3)
dout_ = rng_.normal(size=(2, 3, 4, 2))
dw_ = conv_backward_naive(dout_, x_, w_, stride=1, pad=0)[1]
check_array(dw_, "dw", shape=w_.shape)
check_close(dw_, torch_gradients(F.conv2d, [x_, w_, b_], dout_)[1][1],
            "dw against PyTorch (stride 1, pad 0)")
### BEGIN HIDDEN TESTS
for number_, case_ in enumerate(CONV_CASES_):
    x_, w_, b_, dout_ = conv_inputs_(case_, seed=30 + number_)
    stride_, pad_ = case_[-2:]
    ### BEGIN REFERENCE
    want_ = torch_conv_(x_, w_, b_, dout_, stride_, pad_)[2]
    ### END REFERENCE
    check_close(conv_backward_naive(dout_, x_, w_, stride_, pad_)[1], want_,
                f"dw for (N, C, H, W, F, HH, WW, stride, pad) = {case_}")
### END HIDDEN TESTS

# %% nbgrader={"grade": true, "grade_id": "test_conv_backward_db", "locked": true, "points": 1, "schema_version": 3, "solution": false, "task": false}
"""conv_backward_naive: db has one entry per filter, the sum of that filter's upstream gradients."""
rng_ = np.random.default_rng(3)
x_, w_ = rng_.normal(size=(3, 2, 4, 4)), rng_.normal(size=(2, 2, 3, 3))
db_ = conv_backward_naive(rng_.normal(size=(3, 2, 2, 2)), x_, w_)[2]
check_array(db_, "db", shape=(2,))
### BEGIN HIDDEN TESTS
for number_, case_ in enumerate(CONV_CASES_):
    x_, w_, b_, dout_ = conv_inputs_(case_, seed=40 + number_)
    stride_, pad_ = case_[-2:]
    ### BEGIN REFERENCE
    want_ = torch_conv_(x_, w_, b_, dout_, stride_, pad_)[3]
    ### END REFERENCE
    check_close(conv_backward_naive(dout_, x_, w_, stride_, pad_)[2], want_,
                f"db for (N, C, H, W, F, HH, WW, stride, pad) = {case_}")
### END HIDDEN TESTS

# %% [markdown]
# ## Part 5 — Max pooling
#
# A max-pooling layer has no weights. It slides a `pool x pool` window over every channel of every
# image separately, with a stride, and keeps the largest value of each window (no padding here):
#
# $$\text{out}[n, c, i, j] = \max_{0 \le r, q < \text{pool}}\; x[n, c,\; i\,\text{stride} + r,\;
# j\,\text{stride} + q].$$
#
# The output has shape `(N, C, H_out, W_out)`, with `conv_output_size(H, pool, stride)` rows. With
# `pool = stride = 2`, the usual choice, it halves the height and the width.
#
# Write `maxpool_forward_naive(x, pool, stride)` with loops.

# %% nbgrader={"grade": false, "grade_id": "maxpool_forward_naive", "locked": false, "schema_version": 3, "solution": true, "task": false}
def maxpool_forward_naive(x, pool=2, stride=2):
    """Max pooling, as torch.nn.functional.max_pool2d(x, pool, stride), with loops.

    x: (N, C, H, W). Returns out: (N, C, H_out, W_out), H_out = conv_output_size(H, pool, stride).
    """
    ### BEGIN SOLUTION
    N, C, H, W = x.shape
    H_out, W_out = conv_output_size(H, pool, stride), conv_output_size(W, pool, stride)
    out = np.zeros((N, C, H_out, W_out))
    for n in range(N):
        for c in range(C):
            for i in range(H_out):
                for j in range(W_out):
                    window = x[n, c, i * stride:i * stride + pool, j * stride:j * stride + pool]
                    out[n, c, i, j] = window.max()
    return out
    ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "test_maxpool_forward_naive", "locked": true, "points": 2, "schema_version": 3, "solution": false, "task": false}
"""maxpool_forward_naive: the shape, then the same numbers as F.max_pool2d."""
### BEGIN HIDDEN TESTS
# Test helpers for this and later test cells.
POOL_CASES_ = [  # N, C, H, W, pool, stride
    (2, 3, 6, 7, 2, 2),      # the last column is in no window
    (1, 2, 7, 7, 3, 2),      # overlapping windows
    (2, 2, 5, 6, 3, 1),
    (1, 1, 4, 7, 2, 3),      # gaps between the windows
]


def pool_inputs_(case, seed, ties=False):
    """x and an upstream gradient for one case; with ties, x holds only 0, 1 and 2."""
    N, C, H, W, pool, stride = case
    rng = np.random.default_rng(seed)
    shape = (N, C, H, W)
    x = rng.integers(0, 3, size=shape).astype(float) if ties else rng.normal(size=shape)
    return x, rng.normal(size=(N, C, (H - pool) // stride + 1, (W - pool) // stride + 1))


### BEGIN REFERENCE
def maxpool_reference_(x, dout, pool, stride):
    """out and dx of max pooling; dx sends each window's gradient to its first maximum."""
    out, dx = np.zeros(dout.shape), np.zeros(x.shape)
    for n, c, i, j in np.ndindex(*dout.shape):
        window = x[n, c, i * stride:i * stride + pool, j * stride:j * stride + pool]
        first = int(np.argmax(window))          # the first maximum, in row-major order
        out[n, c, i, j] = window.flat[first]
        dx[n, c, i * stride + first // pool, j * stride + first % pool] += dout[n, c, i, j]
    return out, dx
### END REFERENCE
### END HIDDEN TESTS
x_ = np.random.default_rng(0).normal(size=(2, 3, 6, 6))
out_ = maxpool_forward_naive(x_, pool=2, stride=2)
check_array(out_, "maxpool_forward_naive(x, 2, 2)", shape=(2, 3, 3, 3))
check_close(out_, F.max_pool2d(torch.tensor(x_), 2, 2).numpy(),
            "maxpool_forward_naive(x, 2, 2) against F.max_pool2d")
### BEGIN HIDDEN TESTS
for number_, case_ in enumerate(POOL_CASES_):
    x_, dout_ = pool_inputs_(case_, seed=60 + number_)
    ### BEGIN REFERENCE
    want_ = F.max_pool2d(torch.tensor(x_), case_[4], case_[5]).numpy()
    ### END REFERENCE
    check_close(maxpool_forward_naive(x_, case_[4], case_[5]), want_,
                f"maxpool_forward_naive for (N, C, H, W, pool, stride) = {case_}")
### END HIDDEN TESTS

# %% [markdown]
# ### Backward: only the maximum moved the output
#
# Nudge an entry of a window that is not its maximum, and the output does not change: its gradient
# is 0. Nudge the maximum, and the output moves with it: it receives the whole of
# `dout[n, c, i, j]`. So the backward pass sends each window's upstream gradient to **one** entry,
# the window's maximum, and every other entry gets nothing from that window. When windows overlap
# (stride smaller than pool), one entry can be the maximum of several windows: add up (`+=`).
#
# **Ties.** When several entries of a window share the maximum, the maximum is not differentiable
# there, and a rule must choose. This course's rule: **the first maximum in row-major order** (the
# one `np.argmax` of the flattened window finds: the top row first, left to right) receives the
# whole gradient, and the other tied entries get nothing. PyTorch's CPU code makes the same choice,
# although its documentation does not promise one. Sending the gradient to every tied entry would
# count the window's gradient twice or more.
#
# Write `maxpool_backward_naive(dout, x, pool, stride)` returning `dx`, with loops, following that
# rule.

# %% nbgrader={"grade": false, "grade_id": "maxpool_backward_naive", "locked": false, "schema_version": 3, "solution": true, "task": false}
def maxpool_backward_naive(dout, x, pool=2, stride=2):
    """The gradient of max pooling with respect to its input, with loops.

    dout: (N, C, H_out, W_out), the gradient of the loss with respect to the pooled output;
    x: (N, C, H, W), the input of the forward pass.
    Returns dx: (N, C, H, W); each window's gradient goes to its first maximum (row-major).
    """
    ### BEGIN SOLUTION
    N, C, H_out, W_out = dout.shape
    dx = np.zeros(x.shape)
    for n in range(N):
        for c in range(C):
            for i in range(H_out):
                for j in range(W_out):
                    window = x[n, c, i * stride:i * stride + pool, j * stride:j * stride + pool]
                    r, q = np.unravel_index(np.argmax(window), window.shape)
                    dx[n, c, i * stride + r, j * stride + q] += dout[n, c, i, j]
    return dx
    ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "test_maxpool_backward_naive", "locked": true, "points": 2, "schema_version": 3, "solution": false, "task": false}
"""maxpool_backward_naive: dx has the shape of x and agrees with F.max_pool2d's autograd."""
rng_ = np.random.default_rng(1)
x_, dout_ = rng_.normal(size=(2, 2, 5, 5)), rng_.normal(size=(2, 2, 2, 2))
dx_ = maxpool_backward_naive(dout_, x_, pool=3, stride=2)
check_array(dx_, "maxpool_backward_naive(dout, x, 3, 2)", shape=x_.shape)
check_close(dx_.sum(), dout_.sum(),
            "the sum of dx: every window sends its whole gradient, once, to one entry")
check_close(dx_, torch_gradients(lambda s: F.max_pool2d(s, 3, 2), [x_], dout_)[1][0],
            "dx against PyTorch (pool 3, stride 2: overlapping windows)")
### BEGIN HIDDEN TESTS
for number_, case_ in enumerate(POOL_CASES_):
    x_, dout_ = pool_inputs_(case_, seed=70 + number_)
    ### BEGIN REFERENCE
    want_ = maxpool_reference_(x_, dout_, case_[4], case_[5])[1]
    ### END REFERENCE
    check_close(maxpool_backward_naive(dout_, x_, case_[4], case_[5]), want_,
                f"maxpool_backward_naive for (N, C, H, W, pool, stride) = {case_}")
### END HIDDEN TESTS

# %% nbgrader={"grade": true, "grade_id": "test_maxpool_ties", "locked": true, "points": 1, "schema_version": 3, "solution": false, "task": false}
"""maxpool_backward_naive with ties: each window's gradient goes to its first maximum only."""
x_ = np.array([[[[1.0, 3.0], [3.0, 0.0]]]])          # one window, two maxima
dx_ = maxpool_backward_naive(np.array([[[[5.0]]]]), x_, pool=2, stride=2)
check_array(dx_, "maxpool_backward_naive on a window with a tie", shape=(1, 1, 2, 2))
check_that(dx_.sum() == 5.0 and np.count_nonzero(dx_) == 1,
           "With a tie, the whole gradient goes to one entry of the window, not to every maximum.")
check_that(dx_[0, 0, 0, 1] == 5.0,
           "With a tie, the gradient goes to the first maximum in row-major order.")
### BEGIN HIDDEN TESTS
for number_, case_ in enumerate(POOL_CASES_ + [(2, 2, 6, 6, 2, 1)]):
    x_, dout_ = pool_inputs_(case_, seed=80 + number_, ties=True)
    ### BEGIN REFERENCE
    want_ = maxpool_reference_(x_, dout_, case_[4], case_[5])[1]
    ### END REFERENCE
    check_close(maxpool_backward_naive(dout_, x_, case_[4], case_[5]), want_,
                f"maxpool_backward_naive with ties for {case_}")
### END HIDDEN TESTS

# %% [markdown]
# The same table for your max pooling: its gradient against finite differences of your forward
# pass, and against PyTorch's `max_pool2d`, on random numbers (no ties, so the maximum of every
# window is differentiable), once with windows apart and once with overlapping windows.

# %% nbgrader={"grade": false, "grade_id": "pool_gradient_table", "locked": true, "schema_version": 3, "solution": false, "task": false}
def pool_gradient_table(pool, stride, seed=0):
    """Your max-pooling dx against finite differences and PyTorch, on one small case."""
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(2, 2, 5, 5))
    dout = rng.normal(size=maxpool_forward_naive(x, pool, stride).shape)
    gradient_table(f"pool {pool}, stride {stride}", lambda x: maxpool_forward_naive(x, pool, stride),
                   [x], ("dx",), [maxpool_backward_naive(dout, x, pool, stride)],
                   lambda s: F.max_pool2d(s, pool, stride), dout)


try:
    pool_gradient_table(pool=2, stride=2)
    pool_gradient_table(pool=3, stride=2)
except NotImplementedError:
    print("Write both max-pooling functions and torch_gradients to see the table.")


# %% [markdown]
# ## Part 6 — The fast version: `im2col` and one matrix product
#
# The loops of Part 2 compute, at every position, the dot product of one window with one filter.
# Stack **all** the windows as the rows of one matrix, and all the filters as the columns of
# another, and one matrix product computes every output at once. The CS231n notes call the first
# matrix `im2col` ("image to columns"; here the windows are rows, as PyTorch's `unfold` gives them
# once transposed).
#
# `im2col(x, kh, kw, stride, pad)` returns a matrix of shape `(N * H_out * W_out, C * kh * kw)`:
#
# - **row** `n * H_out * W_out + i * W_out + j` is the window of output position `(i, j)` of image
#   `n` (the rows go image by image, and within an image row by row, like `out[n, :, i, j]` read in
#   order);
# - within a row, the window `xp[n, :, i*stride : i*stride + kh, j*stride : j*stride + kw]` is
#   flattened channel first, then row, then column: the order in which `w.reshape(F, -1)` flattens
#   a filter of shape `(C, kh, kw)`. The two orders **must** match, or every output pairs each
#   weight with the wrong pixel.
#
# Then `im2col(x) @ w.reshape(F, -1).T + b` has shape `(N * H_out * W_out, F)`, and a reshape to
# `(N, H_out, W_out, F)` and a transpose give `out`. The matrix holds every pixel up to `kh * kw`
# times: speed is bought with memory.
#
# Write `im2col` without a loop over the images or the output positions. One way: for each of the
# `kh * kw` offsets `(r, q)` of the window, the slice
# `xp[:, :, r : r + stride*H_out : stride, q : q + stride*W_out : stride]` holds, for **every**
# window at once, the pixel at offset `(r, q)`; put it in place in an array of shape
# `(N, H_out, W_out, C, kh, kw)` and reshape. (`np.lib.stride_tricks.as_strided` can even build the
# windows as a view without copying anything; either is fine.)

# %% nbgrader={"grade": false, "grade_id": "im2col", "locked": false, "schema_version": 3, "solution": true, "task": false}
def im2col(x, kh, kw, stride=1, pad=0):
    """Every window of the padded images as one row.

    x: (N, C, H, W). Returns (N * H_out * W_out, C * kh * kw): row n*H_out*W_out + i*W_out + j is
    the window of output position (i, j) of image n, flattened in the order (channel, row, column).
    """
    ### BEGIN SOLUTION
    N, C, H, W = x.shape
    H_out, W_out = conv_output_size(H, kh, stride, pad), conv_output_size(W, kw, stride, pad)
    xp = zero_pad(x, pad)
    cols = np.zeros((N, H_out, W_out, C, kh, kw))
    for r in range(kh):
        for q in range(kw):
            at_offset = xp[:, :, r:r + stride * H_out:stride, q:q + stride * W_out:stride]
            cols[:, :, :, :, r, q] = at_offset.transpose(0, 2, 3, 1)
    return cols.reshape(N * H_out * W_out, C * kh * kw)
    ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "test_im2col", "locked": true, "points": 2, "schema_version": 3, "solution": false, "task": false}
"""im2col: the shape; row 0 is the first window, flattened as w.reshape(F, -1) flattens a filter."""
x_ = np.arange(2 * 2 * 4 * 5, dtype=float).reshape(2, 2, 4, 5)
cols_ = im2col(x_, 3, 2, stride=1, pad=0)
check_array(cols_, "im2col(x, 3, 2) of x of shape (2, 2, 4, 5)", shape=(2 * 2 * 4, 2 * 3 * 2))
check_that(np.array_equal(cols_[0], x_[0, :, 0:3, 0:2].reshape(-1)),
           "Row 0 should be the window x[0, :, 0:3, 0:2], flattened channel, row, column.")
check_that(np.array_equal(cols_[1], x_[0, :, 0:3, 1:3].reshape(-1)),
           "Row 1 should be the window one column to the right: rows go along an output row.")
### BEGIN HIDDEN TESTS
for number_, case_ in enumerate(CONV_CASES_):
    x_, w_, b_, dout_ = conv_inputs_(case_, seed=90 + number_)
    kh_, kw_, stride_, pad_ = case_[5:]
    ### BEGIN REFERENCE
    unfolded_ = F.unfold(torch.tensor(x_), (kh_, kw_), padding=pad_, stride=stride_)
    want_ = unfolded_.transpose(1, 2).reshape(-1, unfolded_.shape[1]).numpy()
    ### END REFERENCE
    check_close(im2col(x_, kh_, kw_, stride_, pad_), want_,
                f"im2col for (N, C, H, W, F, HH, WW, stride, pad) = {case_}")
### END HIDDEN TESTS

# %% [markdown]
# Now the forward pass in one matrix product. Write `conv_forward_fast(x, w, b, stride, pad)`: the
# same output as `conv_forward_naive`, computed as `im2col(...) @ w.reshape(F, -1).T + b`, reshaped
# and transposed to `(N, F, H_out, W_out)`. No Python loop.

# %% nbgrader={"grade": false, "grade_id": "conv_forward_fast", "locked": false, "schema_version": 3, "solution": true, "task": false}
def conv_forward_fast(x, w, b, stride=1, pad=0):
    """conv_forward_naive in one matrix product. x: (N, C, H, W); w: (F, C, HH, WW); b: (F,).

    Returns out: (N, F, H_out, W_out).
    """
    ### BEGIN SOLUTION
    N, _, H, W = x.shape
    n_filters, _, HH, WW = w.shape
    H_out, W_out = conv_output_size(H, HH, stride, pad), conv_output_size(W, WW, stride, pad)
    rows = im2col(x, HH, WW, stride, pad) @ w.reshape(n_filters, -1).T + b
    return rows.reshape(N, H_out, W_out, n_filters).transpose(0, 3, 1, 2)
    ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "test_conv_forward_fast", "locked": true, "points": 2, "schema_version": 3, "solution": false, "task": false}
"""conv_forward_fast: the shape, then the same numbers as conv2d (and as your loops)."""
rng_ = np.random.default_rng(4)
x_, w_, b_ = rng_.normal(size=(2, 3, 6, 5)), rng_.normal(size=(4, 3, 3, 2)), rng_.normal(size=4)
fast_ = conv_forward_fast(x_, w_, b_, stride=2, pad=1)
check_array(fast_, "conv_forward_fast(x, w, b, stride=2, pad=1)", shape=(2, 4, 3, 3))
check_close(fast_, F.conv2d(torch.tensor(x_), torch.tensor(w_), torch.tensor(b_), stride=2,
                            padding=1).numpy(), "conv_forward_fast against F.conv2d")
### BEGIN HIDDEN TESTS
for number_, case_ in enumerate(CONV_CASES_):
    x_, w_, b_, dout_ = conv_inputs_(case_, seed=100 + number_)
    stride_, pad_ = case_[-2:]
    ### BEGIN REFERENCE
    want_ = torch_conv_(x_, w_, b_, dout_, stride_, pad_)[0]
    ### END REFERENCE
    check_close(conv_forward_fast(x_, w_, b_, stride_, pad_), want_,
                f"conv_forward_fast for (N, C, H, W, F, HH, WW, stride, pad) = {case_}")
### END HIDDEN TESTS

# %% [markdown]
# ### Backward, in matrix products
#
# Write the forward pass as matrices: with `X = im2col(x)` of shape `(P, K)` (`P` positions, `K =
# C*HH*WW`), `Wm = w.reshape(F, K)`, and `D` the upstream gradient `dout` laid out like the rows of
# the product, shape `(P, F)` (the inverse of the reshape and transpose of the forward pass), the
# layer is `Out = X @ Wm.T + b`, and Assignment 4's rules for a dense layer give
#
# $$dW_m = D^\top X, \qquad db = \textstyle\sum_{\text{rows}} D, \qquad dX = D\, W_m.$$
#
# `dX` is the gradient of the *matrix of windows*. Each of its entries belongs to one pixel of the
# padded image, and a pixel that sits in several windows appears in several rows, so its gradient is
# the **sum** of its entries. `col2im(cols, x_shape, kh, kw, stride, pad)` does exactly that: it
# adds every entry of a matrix shaped like `im2col`'s output back to the pixel it was copied from,
# and cuts off the padding, returning an array of shape `x_shape`. (It is the *adjoint* of
# `im2col`, not its inverse: overlapping windows are added, not overwritten.)
#
# Write `col2im` with the same `kh * kw` offsets as `im2col` (adding with `+=`), then
# `conv_backward_fast(dout, x, w, stride, pad)`, with the same results as `conv_backward_naive`.

# %% nbgrader={"grade": false, "grade_id": "col2im", "locked": false, "schema_version": 3, "solution": true, "task": false}
def col2im(cols, x_shape, kh, kw, stride=1, pad=0):
    """The adjoint of im2col: every entry of cols added to the pixel it was copied from.

    cols: (N * H_out * W_out, C * kh * kw), laid out as im2col's output; x_shape: (N, C, H, W).
    Returns an array of shape x_shape (the padding cut off).
    """
    ### BEGIN SOLUTION
    N, C, H, W = x_shape
    H_out, W_out = conv_output_size(H, kh, stride, pad), conv_output_size(W, kw, stride, pad)
    windows = cols.reshape(N, H_out, W_out, C, kh, kw)
    dxp = np.zeros((N, C, H + 2 * pad, W + 2 * pad))
    for r in range(kh):
        for q in range(kw):
            dxp[:, :, r:r + stride * H_out:stride, q:q + stride * W_out:stride] += \
                windows[:, :, :, :, r, q].transpose(0, 3, 1, 2)
    return dxp[:, :, pad:pad + H, pad:pad + W]
    ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "test_col2im", "locked": true, "points": 2, "schema_version": 3, "solution": false, "task": false}
"""col2im: the shape of x; a matrix of ones adds up to how many windows hold each pixel."""
counts_ = col2im(np.ones((1 * 3 * 3, 1 * 2 * 2)), (1, 1, 4, 4), 2, 2, stride=1, pad=0)
check_array(counts_, "col2im of ones for x of shape (1, 1, 4, 4), kernel 2, stride 1",
            shape=(1, 1, 4, 4))
check_that(counts_[0, 0, 0, 0] == 1 and counts_[0, 0, 1, 1] == 4,
           "With a 2x2 kernel and stride 1, a corner pixel is in 1 window and an inner pixel in 4: "
           "col2im must add overlapping entries, not overwrite them.")
### BEGIN HIDDEN TESTS
for number_, case_ in enumerate(CONV_CASES_):
    N_, C_, H_, W_ = case_[:4]
    kh_, kw_, stride_, pad_ = case_[5:]
    rows_ = ((H_ + 2 * pad_ - kh_) // stride_ + 1) * ((W_ + 2 * pad_ - kw_) // stride_ + 1)
    cols_ = np.random.default_rng(110 + number_).normal(size=(N_ * rows_, C_ * kh_ * kw_))
    ### BEGIN REFERENCE
    folded_ = torch.tensor(cols_).reshape(N_, rows_, -1).transpose(1, 2)
    want_ = F.fold(folded_, (H_, W_), (kh_, kw_), padding=pad_, stride=stride_).numpy()
    ### END REFERENCE
    check_close(col2im(cols_, (N_, C_, H_, W_), kh_, kw_, stride_, pad_), want_,
                f"col2im for (N, C, H, W, F, HH, WW, stride, pad) = {case_}")
### END HIDDEN TESTS

# %% nbgrader={"grade": false, "grade_id": "conv_backward_fast", "locked": false, "schema_version": 3, "solution": true, "task": false}
def conv_backward_fast(dout, x, w, stride=1, pad=0):
    """conv_backward_naive in matrix products.

    dout: (N, F, H_out, W_out); x: (N, C, H, W); w: (F, C, HH, WW).
    Returns (dx, dw, db) of shapes (N, C, H, W), (F, C, HH, WW) and (F,).
    """
    ### BEGIN SOLUTION
    n_filters, _, HH, WW = w.shape
    windows = im2col(x, HH, WW, stride, pad)
    D = dout.transpose(0, 2, 3, 1).reshape(-1, n_filters)
    dw = (D.T @ windows).reshape(w.shape)
    db = D.sum(axis=0)
    dx = col2im(D @ w.reshape(n_filters, -1), x.shape, HH, WW, stride, pad)
    return dx, dw, db
    ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "test_conv_backward_fast", "locked": true, "points": 3, "schema_version": 3, "solution": false, "task": false}
"""conv_backward_fast: the shapes, then the same dx, dw and db as PyTorch (and your loops)."""
rng_ = np.random.default_rng(5)
x_, w_, b_ = rng_.normal(size=(2, 3, 6, 5)), rng_.normal(size=(4, 3, 3, 2)), rng_.normal(size=4)
dout_ = rng_.normal(size=(2, 4, 3, 3))
fast_ = conv_backward_fast(dout_, x_, w_, stride=2, pad=1)
check_that(isinstance(fast_, tuple) and len(fast_) == 3,
           "conv_backward_fast should return a tuple (dx, dw, db).")
for got_, like_, label_ in zip(fast_, (x_, w_, b_), ("dx", "dw", "db"), strict=True):
    check_array(got_, label_, shape=like_.shape)
_, by_torch_ = torch_gradients(lambda s, t, u: F.conv2d(s, t, u, stride=2, padding=1),
                               [x_, w_, b_], dout_)
for got_, theirs_, label_ in zip(fast_, by_torch_, ("dx", "dw", "db"), strict=True):
    check_close(got_, theirs_, f"{label_} of conv_backward_fast against PyTorch")
### BEGIN HIDDEN TESTS
for number_, case_ in enumerate(CONV_CASES_):
    x_, w_, b_, dout_ = conv_inputs_(case_, seed=120 + number_)
    stride_, pad_ = case_[-2:]
    ### BEGIN REFERENCE
    want_ = torch_conv_(x_, w_, b_, dout_, stride_, pad_)
    ### END REFERENCE
    dx_, dw_, db_ = conv_backward_fast(dout_, x_, w_, stride_, pad_)
    check_close(dx_, want_[1], f"dx of conv_backward_fast for {case_}")
    check_close(dw_, want_[2], f"dw of conv_backward_fast for {case_}")
    check_close(db_, want_[3], f"db of conv_backward_fast for {case_}")
### END HIDDEN TESTS

# %% [markdown]
# ### Max pooling, fast
#
# Pooling fits the same mould. Treat every channel of every image as an image of its own (reshape
# `x` to `(N * C, 1, H, W)`), and `im2col` with a `pool x pool` kernel gives one window per row:
# the maximum of each row is the output. Backward, build a matrix of zeros shaped like those
# windows, put each row's upstream gradient at that row's **first** maximum (`argmax` along the row
# finds it, by the rule of Part 5), and let `col2im` add everything back into place, overlaps
# included. Write `maxpool_forward_fast` and `maxpool_backward_fast` that way, without a loop over
# images, channels or positions.

# %% nbgrader={"grade": false, "grade_id": "maxpool_fast", "locked": false, "schema_version": 3, "solution": true, "task": false}
def maxpool_forward_fast(x, pool=2, stride=2):
    """maxpool_forward_naive without loops. x: (N, C, H, W); returns (N, C, H_out, W_out)."""
    ### BEGIN SOLUTION
    N, C, H, W = x.shape
    H_out, W_out = conv_output_size(H, pool, stride), conv_output_size(W, pool, stride)
    windows = im2col(x.reshape(N * C, 1, H, W), pool, pool, stride)
    return windows.max(axis=1).reshape(N, C, H_out, W_out)
    ### END SOLUTION


def maxpool_backward_fast(dout, x, pool=2, stride=2):
    """maxpool_backward_naive without loops (the same rule for ties).

    dout: (N, C, H_out, W_out); x: (N, C, H, W). Returns dx: (N, C, H, W).
    """
    ### BEGIN SOLUTION
    N, C, H, W = x.shape
    windows = im2col(x.reshape(N * C, 1, H, W), pool, pool, stride)
    dwindows = np.zeros(windows.shape)
    dwindows[np.arange(len(windows)), windows.argmax(axis=1)] = dout.reshape(-1)
    return col2im(dwindows, (N * C, 1, H, W), pool, pool, stride).reshape(x.shape)
    ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "test_maxpool_forward_fast", "locked": true, "points": 1, "schema_version": 3, "solution": false, "task": false}
"""maxpool_forward_fast: the same output as F.max_pool2d."""
x_ = np.random.default_rng(6).normal(size=(2, 3, 6, 6))
check_array(maxpool_forward_fast(x_, 2, 2), "maxpool_forward_fast(x, 2, 2)", shape=(2, 3, 3, 3))
check_close(maxpool_forward_fast(x_, 2, 2), F.max_pool2d(torch.tensor(x_), 2, 2).numpy(),
            "maxpool_forward_fast(x, 2, 2) against F.max_pool2d")
### BEGIN HIDDEN TESTS
for number_, case_ in enumerate(POOL_CASES_):
    x_, dout_ = pool_inputs_(case_, seed=130 + number_)
    ### BEGIN REFERENCE
    want_ = F.max_pool2d(torch.tensor(x_), case_[4], case_[5]).numpy()
    ### END REFERENCE
    check_close(maxpool_forward_fast(x_, case_[4], case_[5]), want_,
                f"maxpool_forward_fast for (N, C, H, W, pool, stride) = {case_}")
### END HIDDEN TESTS

# %% nbgrader={"grade": true, "grade_id": "test_maxpool_backward_fast", "locked": true, "points": 2, "schema_version": 3, "solution": false, "task": false}
"""maxpool_backward_fast: the shape of x; the same dx as PyTorch, and the rule for ties."""
rng_ = np.random.default_rng(7)
x_, dout_ = rng_.normal(size=(2, 2, 5, 5)), rng_.normal(size=(2, 2, 2, 2))
dx_ = maxpool_backward_fast(dout_, x_, 3, 2)
check_array(dx_, "maxpool_backward_fast(dout, x, 3, 2)", shape=x_.shape)
check_close(dx_, torch_gradients(lambda s: F.max_pool2d(s, 3, 2), [x_], dout_)[1][0],
            "dx of maxpool_backward_fast against PyTorch (overlapping windows)")
tie_ = maxpool_backward_fast(np.array([[[[5.0]]]]), np.array([[[[1.0, 3.0], [3.0, 0.0]]]]))
check_that(tie_.reshape(-1).tolist() == [0.0, 5.0, 0.0, 0.0],
           "With a tie, the gradient goes to the first maximum in row-major order, and only there.")
### BEGIN HIDDEN TESTS
for number_, case_ in enumerate(POOL_CASES_):
    for ties_ in (False, True):
        x_, dout_ = pool_inputs_(case_, seed=140 + number_, ties=ties_)
        ### BEGIN REFERENCE
        want_ = maxpool_reference_(x_, dout_, case_[4], case_[5])[1]
        ### END REFERENCE
        check_close(maxpool_backward_fast(dout_, x_, case_[4], case_[5]), want_,
                    f"maxpool_backward_fast for {case_}" + (" with ties" if ties_ else ""))
### END HIDDEN TESTS

# %% [markdown]
# ## Part 7 — How much faster, and where the time goes
#
# Both versions do the same arithmetic. Every output needs one multiply-add per weight of its
# filter, so a layer costs
#
# $$N \cdot F \cdot H_\text{out} \cdot W_\text{out} \cdot C \cdot HH \cdot WW$$
#
# multiply-adds, whichever way it is written. Write `conv_multiply_adds(x_shape, w_shape, stride,
# pad)` returning that number (an integer).

# %% nbgrader={"grade": false, "grade_id": "conv_multiply_adds", "locked": false, "schema_version": 3, "solution": true, "task": false}
def conv_multiply_adds(x_shape, w_shape, stride=1, pad=0):
    """Multiply-adds of a convolution of images of x_shape (N, C, H, W) by filters of w_shape
    (F, C, HH, WW) (an int)."""
    ### BEGIN SOLUTION
    N, C, H, W = x_shape
    n_filters, _, HH, WW = w_shape
    positions = conv_output_size(H, HH, stride, pad) * conv_output_size(W, WW, stride, pad)
    return N * n_filters * positions * C * HH * WW
    ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "test_conv_multiply_adds", "locked": true, "points": 1, "schema_version": 3, "solution": false, "task": false}
"""conv_multiply_adds: one whole number, growing with every axis of the images and filters."""
count_ = conv_multiply_adds((2, 3, 8, 8), (4, 3, 3, 3), stride=1, pad=1)
check_number(count_, "conv_multiply_adds((2, 3, 8, 8), (4, 3, 3, 3), 1, 1)")
check_that(conv_multiply_adds((4, 3, 8, 8), (4, 3, 3, 3), 1, 1) == 2 * count_,
           "Twice the images should cost twice the multiply-adds.")
### BEGIN HIDDEN TESTS
check_close(conv_multiply_adds((2, 3, 8, 8), (4, 3, 3, 3), 1, 1), 2 * 4 * 64 * 27,
            "conv_multiply_adds((2, 3, 8, 8), (4, 3, 3, 3), 1, 1)")
check_close(conv_multiply_adds((1, 5, 9, 7), (2, 5, 3, 2), 2, 0), 1 * 2 * 4 * 3 * 30,
            "conv_multiply_adds((1, 5, 9, 7), (2, 5, 3, 2), 2, 0)")
### END HIDDEN TESTS

# %% [markdown]
# The cell below times your two versions, forward and backward together, on images of growing
# size (two images, three channels, four 3x3 filters, padding 1), prints the time of each, the
# speed-up, and the time each takes per multiply-add, and plots them. The sizes are kept small so
# the loops finish quickly; the speed-up grows with the size until the fast version's own costs
# dominate. (A graded run skips the timing: machines differ, so it is never graded.)

# %% nbgrader={"grade": false, "grade_id": "timing", "locked": true, "schema_version": 3, "solution": false, "task": false}
TIMING_SIZES = [4, 8, 12, 16, 20]


def naive_layer(x, w, b):
    """Forward and backward of your loop version (stride 1, pad 1)."""
    out = conv_forward_naive(x, w, b, 1, 1)
    return conv_backward_naive(np.ones_like(out), x, w, 1, 1)


def fast_layer(x, w, b):
    """Forward and backward of your im2col version (stride 1, pad 1)."""
    out = conv_forward_fast(x, w, b, 1, 1)
    return conv_backward_fast(np.ones_like(out), x, w, 1, 1)


def timing_sweep():
    rng = np.random.default_rng(0)
    w, b = rng.normal(size=(4, 3, 3, 3)), rng.normal(size=4)
    cases = [(rng.normal(size=(2, 3, size, size)), w, b) for size in TIMING_SIZES]
    slow, fast = time_pairs(naive_layer, fast_layer, cases)
    print(" size   loops (ms)   im2col (ms)   speed-up   ns per multiply-add: loops  im2col")
    for size, (x, _, _), t_slow, t_fast in zip(TIMING_SIZES, cases, slow, fast, strict=True):
        adds = 2 * conv_multiply_adds(x.shape, w.shape, 1, 1)   # forward and backward
        print(f"{size:5d} {t_slow * 1e3:12.2f} {t_fast * 1e3:13.3f} {t_slow / t_fast:9.0f}x "
              f"{t_slow / adds * 1e9:27.1f} {t_fast / adds * 1e9:7.2f}")
    plot_speedups(TIMING_SIZES, slow, fast, xlabel="height = width of the images (pixels)",
                  labels=("loops", "im2col + matrix product"))
    plt.show()


if pictures_off():
    print("Timing skipped in a graded run.")
else:
    try:
        timing_sweep()
    except NotImplementedError:
        plt.close("all")
        print("Write both versions of the convolution (and conv_multiply_adds) to time them.")


# %% [markdown]
# ### Where does the time go?
#
# Both versions do the same multiply-adds, yet one is tens to hundreds of times slower. Explain, in
# the cell below, in a few sentences, where the time of the loop version goes. Some facts to use:
# the body of the innermost loop runs $N \cdot F \cdot H_\text{out} \cdot W_\text{out}$ times, and
# each time Python looks up names, builds a slice object and a view of the window, and asks NumPy
# for a product and a sum of only $C \cdot HH \cdot WW$ numbers (27 here); look at the
# nanoseconds per multiply-add in the table. The fast version makes a few dozen NumPy calls in all,
# and spends most of its time in one matrix product, done by a compiled, cache-aware library
# (BLAS). What does it pay instead (think of the size of the `im2col` matrix)? Why does the speed-up
# grow with the image size at first? (Not graded: a question to think about.)

# %% [markdown]
# *Your explanation here.*

# %% [markdown]
# ## Part 8 — The receptive field of a unit
#
# A unit of the first convolutional layer sees a `kernel x kernel` patch of the image. A unit of the
# second layer sees a patch of the first layer's output, and each of those units sees its own patch
# of the image, so it sees more: its **receptive field** is every input pixel that can change its
# value. Araujo, Norris and Sim give the recursion for a stack of layers, each with a `kernel` and a
# `stride` (a pooling window counts as a layer too): keep the size `r` of the field so far (1 pixel
# to start) and the **jump** `j`, the distance in input pixels between two neighbouring units of
# the current layer (1 to start); then each layer, from the input up, does
#
# $$r \leftarrow r + (\text{kernel} - 1)\, j, \qquad j \leftarrow j \cdot \text{stride}.$$
#
# Moving one step within a `kernel`-wide window of this layer moves `j` pixels in the input, hence
# the first line; the second says that a stride spreads the next layer's units further apart.
#
# Write `receptive_field(layers)`: `layers` is a list of `(kernel, stride)` pairs from the input
# up; return the side `r` of the square receptive field of one unit of the last layer (padding
# changes where the field sits, not its size).

# %% nbgrader={"grade": false, "grade_id": "receptive_field", "locked": false, "schema_version": 3, "solution": true, "task": false}
def receptive_field(layers):
    """The side of the receptive field of a unit after `layers`, a list of (kernel, stride)
    pairs from the input up (an int)."""
    ### BEGIN SOLUTION
    size, jump = 1, 1
    for kernel, stride in layers:
        size += (kernel - 1) * jump
        jump *= stride
    return size
    ### END SOLUTION


print("two 3x3 convolutions, stride 1:", receptive_field([(3, 1), (3, 1)]))

# %% nbgrader={"grade": true, "grade_id": "test_receptive_field", "locked": true, "points": 2, "schema_version": 3, "solution": false, "task": false}
"""receptive_field: one whole number; one layer sees its kernel, and more layers see more."""
check_number(receptive_field([(3, 1)]), "receptive_field([(3, 1)])")
check_that(receptive_field([(3, 1)]) == 3, "One 3x3 layer sees 3x3 pixels.")
check_that(receptive_field([]) == 1, "With no layer, a unit is one pixel.")
check_that(receptive_field([(3, 1), (3, 1)]) > 3, "A second layer sees more than the first.")
### BEGIN HIDDEN TESTS
check_close(receptive_field([(3, 1), (3, 1)]), 5, "receptive_field of two 3x3 layers")
check_close(receptive_field([(3, 1), (2, 2), (3, 1)]), 8, "conv 3, pool 2, conv 3")
check_close(receptive_field([(3, 2), (3, 1)]), 7, "a stride-2 layer below a stride-1 layer")
check_close(receptive_field([(5, 2), (3, 2), (3, 1), (2, 2)]), 21,
            "four layers with strides 2, 2, 1, 2")
check_close(receptive_field([(11, 4), (3, 2), (5, 1)]), 51, "kernels 11, 3, 5, strides 4, 2, 1")
### END HIDDEN TESTS

# %% [markdown]
# Your backward pass can *show* the field. Take three 3x3 convolutions, the middle one with
# stride 2, on a 15x15 image; set every weight to 1, and send an upstream gradient of 1 to a single
# unit of the last layer, 0 to all others. Backpropagate with your `conv_backward_fast`: `dx` is
# non-zero exactly on the pixels that reach that unit, and each entry counts the paths from that
# pixel to the unit. The box should be as wide as `receptive_field` says, and the counts show that
# the centre of a field matters far more than its rim.

# %% nbgrader={"grade": false, "grade_id": "receptive_field_picture", "locked": true, "schema_version": 3, "solution": false, "task": false}
FIELD_LAYERS = [(3, 1), (3, 2), (3, 1)]


def field_influence(size=15, unit=(1, 1)):
    """dx of one unit of the last layer, with every weight 1: the paths from each pixel to it."""
    shapes = [(1, 1, size, size)]
    for kernel, stride in FIELD_LAYERS:
        side = conv_output_size(shapes[-1][2], kernel, stride)
        shapes.append((1, 1, side, side))
    grad = np.zeros(shapes[-1])
    grad[0, 0, unit[0], unit[1]] = 1.0
    for (kernel, stride), shape in zip(FIELD_LAYERS[::-1], shapes[-2::-1], strict=True):
        grad = conv_backward_fast(grad, np.zeros(shape), np.ones((1, 1, kernel, kernel)),
                                  stride)[0]
    return grad[0, 0]


try:
    print(f"receptive_field({FIELD_LAYERS}) = {receptive_field(FIELD_LAYERS)}")
    draw_receptive_field(field_influence(), unit_label="unit (1, 1) of the third layer",
                         title="Paths from each pixel to one unit (3x3, 3x3 stride 2, 3x3)")
    plt.show()
except NotImplementedError:
    plt.close("all")
    print("Write receptive_field and conv_backward_fast to see the picture.")

# %% [markdown]
# ## Part 9 — A small convolutional network on the digits
#
# Time to learn filters instead of writing them. The network reads an 8x8 digit (one channel),
# and is built from your fast layers:
#
# | layer | output shape | parameters |
# |---|---|---|
# | convolution, 8 filters 3x3, stride 1, pad 1 | `(N, 8, 8, 8)` | `W1` (8, 1, 3, 3), `b1` (8,) |
# | ReLU | `(N, 8, 8, 8)` | |
# | max pooling 2x2, stride 2 | `(N, 8, 4, 4)` | |
# | flatten (`reshape(N, -1)`, in C order) | `(N, 128)` | |
# | dense layer, `scores = flat @ W2 + b2` | `(N, 10)` | `W2` (128, 10), `b2` (10,) |
#
# and it is trained on the mean cross-entropy of the softmax of the scores. If you wrote
# Assignment 8's layers, these are the same pieces; here they live in this notebook. Below are the
# data (a quarter of the digits held out for testing, with the course's split), the initial
# weights (drawn from a seeded generator, with He's scale $\sqrt{2/9}$ for the convolution's 9
# inputs per unit and $1/\sqrt{128}$ for the dense layer), the softmax
# cross-entropy and its gradient with respect to the scores (Assignment 3), and `cnn_loss`, which
# strings your forward pass, the loss and your backward pass together.

# %% nbgrader={"grade": false, "grade_id": "cnn_setup", "locked": true, "schema_version": 3, "solution": false, "task": false}
X_train, X_test, y_train, y_test = train_test_split(IMAGES, DIGITS_Y, test_fraction=0.25, seed=0)
print("training images:", X_train.shape, " test images:", X_test.shape)


def init_cnn(seed, filters=8):
    """Initial parameters of the network: {'W1': (filters, 1, 3, 3), 'b1': (filters,),
    'W2': (16 * filters, 10), 'b2': (10,)}."""
    rng = np.random.default_rng(seed)
    return {"W1": rng.normal(0.0, np.sqrt(2 / 9), size=(filters, 1, 3, 3)),
            "b1": np.zeros(filters),
            "W2": rng.normal(0.0, np.sqrt(1 / (16 * filters)), size=(16 * filters, 10)),
            "b2": np.zeros(10)}


def softmax_cross_entropy(scores, y):
    """Mean cross-entropy of softmax(scores) against labels y (N,), and its gradient (N, 10)."""
    shifted = scores - scores.max(axis=1, keepdims=True)
    log_probs = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
    rows = np.arange(len(y))
    dscores = np.exp(log_probs)
    dscores[rows, y] -= 1.0
    return -log_probs[rows, y].mean(), dscores / len(y)


def cnn_loss(params, X, y):
    """The loss of the network on (X, y) and its gradients {'W1', 'b1', 'W2', 'b2'}."""
    scores, cache = cnn_forward(params, X)
    loss, dscores = softmax_cross_entropy(scores, y)
    return loss, cnn_backward(dscores, cache)


def cnn_accuracy(params, X, y):
    """The share of images of X whose largest score is at the label."""
    return float(np.mean(cnn_forward(params, X)[0].argmax(axis=1) == y))


# %% [markdown]
# Write `cnn_forward(params, X)`, returning `(scores, cache)`: the scores of shape `(N, 10)`, and in
# `cache` whatever your backward pass will need (the inputs and outputs of each layer, and the
# parameters). Then `cnn_backward(dscores, cache)`: given the gradient of the loss with respect to
# the scores, return the dict of gradients `{'W1', 'b1', 'W2', 'b2'}`, each of the shape of its
# parameter. Go backwards through the table: the dense layer (Assignment 4's rules), the flatten
# (a reshape back to the pooled shape), the pooling, the ReLU (its gradient is 0 where its input was
# not positive), the convolution. Use your fast layers.

# %% nbgrader={"grade": false, "grade_id": "cnn_forward", "locked": false, "schema_version": 3, "solution": true, "task": false}
def cnn_forward(params, X):
    """params: a dict like init_cnn's; X: (N, 1, 8, 8) images.
    Returns (scores (N, 10), cache for cnn_backward)."""
    ### BEGIN SOLUTION
    z = conv_forward_fast(X, params["W1"], params["b1"], stride=1, pad=1)
    a = np.maximum(z, 0)
    pooled = maxpool_forward_fast(a, 2, 2)
    flat = pooled.reshape(len(X), -1)
    scores = flat @ params["W2"] + params["b2"]
    return scores, (X, z, a, pooled, flat, params)
    ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "test_cnn_forward", "locked": true, "points": 2, "schema_version": 3, "solution": false, "task": false}
"""cnn_forward: scores of shape (N, 10), the same as the network written with PyTorch's functions."""
### BEGIN HIDDEN TESTS
# Test helpers for this and later test cells.
def cnn_params_(seed, filters=8):
    """Parameters of the network with biases that are not zero."""
    rng = np.random.default_rng(seed)
    return {"W1": rng.normal(0.0, 0.5, size=(filters, 1, 3, 3)),
            "b1": rng.normal(0.0, 0.1, size=filters),
            "W2": rng.normal(0.0, 0.2, size=(16 * filters, 10)),
            "b2": rng.normal(0.0, 0.1, size=10)}


### BEGIN REFERENCE
def torch_cnn_scores_(tensors, X):
    """The network's scores, by PyTorch's functions, from a dict of parameter tensors."""
    z = F.conv2d(torch.as_tensor(X), tensors["W1"], tensors["b1"], padding=1)
    return F.max_pool2d(torch.relu(z), 2).flatten(1) @ tensors["W2"] + tensors["b2"]


def torch_cnn_(params, X, dscores):
    """scores, and the gradients of sum(scores * dscores), by PyTorch."""
    tensors = {name: torch.tensor(value, requires_grad=True) for name, value in params.items()}
    scores = torch_cnn_scores_(tensors, X)
    scores.backward(torch.tensor(dscores))
    return scores.detach().numpy(), {name: t.grad.numpy() for name, t in tensors.items()}
### END REFERENCE
### END HIDDEN TESTS
scores_, cache_ = cnn_forward(init_cnn(0), X_train[:5])
check_array(scores_, "the scores of cnn_forward(params, X_train[:5])", shape=(5, 10))
### BEGIN HIDDEN TESTS
for seed_, rows_ in ((1, slice(0, 7)), (2, slice(100, 103))):
    params_ = cnn_params_(seed_)
    ### BEGIN REFERENCE
    want_ = torch_cnn_(params_, X_train[rows_], np.ones((len(X_train[rows_]), 10)))[0]
    ### END REFERENCE
    check_close(cnn_forward(params_, X_train[rows_])[0], want_,
                f"the scores of cnn_forward on X_train[{rows_.start}:{rows_.stop}]")
params_ = cnn_params_(3, filters=4)
### BEGIN REFERENCE
want_ = torch_cnn_(params_, X_test[:4], np.ones((4, 10)))[0]
### END REFERENCE
check_close(cnn_forward(params_, X_test[:4])[0], want_, "the scores with 4 filters")
### END HIDDEN TESTS

# %% nbgrader={"grade": false, "grade_id": "cnn_backward", "locked": false, "schema_version": 3, "solution": true, "task": false}
def cnn_backward(dscores, cache):
    """dscores: (N, 10), the gradient of the loss with respect to the scores; cache: from
    cnn_forward. Returns {'W1', 'b1', 'W2', 'b2'}: the gradients, shaped like the parameters."""
    ### BEGIN SOLUTION
    X, z, a, pooled, flat, params = cache
    grads = {"W2": flat.T @ dscores, "b2": dscores.sum(axis=0)}
    dpooled = (dscores @ params["W2"].T).reshape(pooled.shape)
    dz = maxpool_backward_fast(dpooled, a, 2, 2) * (z > 0)
    _, grads["W1"], grads["b1"] = conv_backward_fast(dz, X, params["W1"], stride=1, pad=1)
    return grads
    ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "test_cnn_backward", "locked": true, "points": 3, "schema_version": 3, "solution": false, "task": false}
"""cnn_backward: a gradient for every parameter, of its shape, agreeing with finite differences."""
params_ = init_cnn(0)
params_["b1"] = np.linspace(-0.2, 0.2, 8)      # no unit exactly at the ReLU's kink
loss_, grads_ = cnn_loss(params_, X_train[:6], y_train[:6])
check_that(isinstance(grads_, dict) and sorted(grads_) == ["W1", "W2", "b1", "b2"],
           "cnn_backward should return a dict with the keys 'W1', 'b1', 'W2', 'b2'.")
for name_, value_ in params_.items():
    check_array(grads_[name_], f"the gradient of {name_}", shape=value_.shape)
numeric_ = numerical_gradient(lambda: cnn_loss(params_, X_train[:6], y_train[:6])[0],
                              params_["b1"])
check_close(grads_["b1"], numeric_, "the gradient of b1 against finite differences",
            rtol=1e-5, atol=1e-7)
### BEGIN HIDDEN TESTS
for seed_, rows_ in ((4, slice(0, 9)), (5, slice(200, 205))):
    params_ = cnn_params_(seed_, filters=seed_ - 1)
    dscores_ = np.random.default_rng(seed_).normal(size=(len(X_train[rows_]), 10))
    ### BEGIN REFERENCE
    want_ = torch_cnn_(params_, X_train[rows_], dscores_)[1]
    ### END REFERENCE
    grads_ = cnn_backward(dscores_, cnn_forward(params_, X_train[rows_])[1])
    for name_ in ("W1", "b1", "W2", "b2"):
        check_close(grads_[name_], want_[name_], f"the gradient of {name_} (seed {seed_})")
### END HIDDEN TESTS

# %% [markdown]
# ### The same network in PyTorch
#
# Build the same network with `torch.nn` and give it **your** initial weights, so that the two can
# be compared number for number. Write `make_torch_cnn(params)`: an `nn.Sequential` of
# `nn.Conv2d(1, F, 3, padding=1)`, `nn.ReLU()`, `nn.MaxPool2d(2)`, `nn.Flatten()` and
# `nn.Linear(16 * F, 10)`, with `F = params["W1"].shape[0]`, whose parameters are set (inside
# `torch.no_grad()`, with `.copy_`) to those of `params`. Mind the layouts: `nn.Conv2d` stores its
# weight as `(F, C, HH, WW)`, like `W1`, but `nn.Linear` stores its weight as `(out, in)`, so
# `(10, 128)`, while your `W2` is `(128, 10)`: the transpose, not a reshape. Keep that order of
# layers: the checks read `list(model.parameters())` as conv weight, conv bias, dense weight,
# dense bias.

# %% nbgrader={"grade": false, "grade_id": "make_torch_cnn", "locked": false, "schema_version": 3, "solution": true, "task": false}
def make_torch_cnn(params):
    """The network of this part in torch.nn, its parameters copied from params.

    params: {'W1': (F, 1, 3, 3), 'b1': (F,), 'W2': (16 F, 10), 'b2': (10,)}, NumPy arrays.
    Returns an nn.Module whose list(parameters()) is the conv weight (F, 1, 3, 3), the conv bias
    (F,), the dense weight (10, 16 F) and the dense bias (10,).
    """
    ### BEGIN SOLUTION
    filters = params["W1"].shape[0]
    model = nn.Sequential(nn.Conv2d(1, filters, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
                          nn.Flatten(), nn.Linear(16 * filters, 10))
    with torch.no_grad():
        model[0].weight.copy_(torch.from_numpy(params["W1"]))
        model[0].bias.copy_(torch.from_numpy(params["b1"]))
        model[4].weight.copy_(torch.from_numpy(params["W2"].T))
        model[4].bias.copy_(torch.from_numpy(params["b2"]))
    return model
    ### END SOLUTION


# %% [markdown]
# The first step: the same loss and the same gradients, from the same weights and the same 32
# images, one computed by your layers and one by PyTorch's autograd. The largest differences should
# be around `1e-16`.

# %% nbgrader={"grade": false, "grade_id": "first_step", "locked": true, "schema_version": 3, "solution": false, "task": false}
def first_step_differences(params, X, y):
    """The largest difference of the loss and of each gradient, NumPy against PyTorch."""
    model = make_torch_cnn(params)
    torch_loss = F.cross_entropy(model(torch.from_numpy(X)), torch.from_numpy(y))
    torch_loss.backward()
    weight, bias, dense, dense_bias = (p.grad.numpy() for p in model.parameters())
    loss, grads = cnn_loss(params, X, y)
    print(f"loss: yours {loss:.12f}, PyTorch {torch_loss.item():.12f}")
    for name, theirs in (("W1", weight), ("b1", bias), ("W2", dense.T), ("b2", dense_bias)):
        print(f"  largest difference of d{name}: {np.max(np.abs(grads[name] - theirs)):.1e}")


try:
    first_step_differences(init_cnn(0), X_train[:32], y_train[:32])
except NotImplementedError:
    print("Write cnn_forward, cnn_backward and make_torch_cnn to compare the first step.")

# %% nbgrader={"grade": true, "grade_id": "test_make_torch_cnn", "locked": true, "points": 2, "schema_version": 3, "solution": false, "task": false}
"""make_torch_cnn: an nn.Module with four parameters, the network's logits and first-step gradients."""
model_ = make_torch_cnn(init_cnn(0))
check_that(isinstance(model_, nn.Module), "make_torch_cnn should return a torch.nn.Module.")
shapes_ = [tuple(p.shape) for p in model_.parameters()]
check_that(shapes_ == [(8, 1, 3, 3), (8,), (10, 128), (10,)],
           "The parameters should be, in order, the conv weight (8, 1, 3, 3), its bias (8,), the "
           f"dense weight (10, 128) and its bias (10,); they are {shapes_}.")
check_close(model_(torch.from_numpy(X_train[:5])).detach().numpy(),
            cnn_forward(init_cnn(0), X_train[:5])[0],
            "the model's logits against your cnn_forward with the same weights")
### BEGIN HIDDEN TESTS
for seed_, filters_ in ((6, 4), (7, 3)):
    params_ = cnn_params_(seed_, filters=filters_)
    X_, y_ = X_train[10:22], y_train[10:22]
    ### BEGIN REFERENCE
    tensors_ = {name: torch.tensor(value, requires_grad=True) for name, value in params_.items()}
    torch_scores_ = torch_cnn_scores_(tensors_, X_)
    F.cross_entropy(torch_scores_, torch.from_numpy(y_)).backward()
    want_scores_ = torch_scores_.detach().numpy()
    want_grads_ = [tensors_[name].grad.numpy() for name in ("W1", "b1")]
    want_grads_ += [tensors_["W2"].grad.numpy().T, tensors_["b2"].grad.numpy()]
    ### END REFERENCE
    model_ = make_torch_cnn(params_)
    logits_ = model_(torch.from_numpy(X_))
    check_close(logits_.detach().numpy(), want_scores_, f"the logits with {filters_} filters")
    F.cross_entropy(logits_, torch.from_numpy(y_)).backward()
    parameters_ = list(model_.parameters())
    for number_ in range(4):
        check_close(parameters_[number_].grad.numpy(), want_grads_[number_],
                    f"the gradient of parameter {number_} with {filters_} filters")
### END HIDDEN TESTS

# %% [markdown]
# ### Training, with a plain loop
#
# Write `train_cnn(params, X, y, epochs, batch_size, lr, seed)`: mini-batch gradient descent on
# copies of the parameters (leave the arrays of `params` unchanged). Make one generator
# `rng = np.random.default_rng(seed)` before the first epoch; at the start of every epoch draw a new
# order of the rows with `rng.permutation(len(X))` and walk through it in mini-batches of
# `batch_size` (the last one may be smaller: keep it); for each mini-batch, compute `cnn_loss`, take
# the step `p -= lr * grad` for every parameter, and append the mini-batch's loss (a float) to a
# history. Return `(trained params, history)`.
#
# This is the loop of Assignment 5 and Assignment 7; Assignment 8's `Solver` would run the same
# steps for you (a plain loop keeps this notebook on its own). PyTorch's `torch.optim.SGD` at the
# same rate, fed the same mini-batches, takes exactly the same steps, which the cell after the
# test puts to the proof.

# %% nbgrader={"grade": false, "grade_id": "train_cnn", "locked": false, "schema_version": 3, "solution": true, "task": false}
def train_cnn(params, X, y, epochs, batch_size, lr, seed):
    """Mini-batch SGD on copies of params (a dict like init_cnn's), on images X (N, 1, 8, 8)
    with labels y (N,). Returns (trained params, a list of the loss of every mini-batch)."""
    ### BEGIN SOLUTION
    params = {name: value.copy() for name, value in params.items()}
    rng = np.random.default_rng(seed)
    history = []
    for _ in range(epochs):
        order = rng.permutation(len(X))
        for start in range(0, len(X), batch_size):
            rows = order[start:start + batch_size]
            loss, grads = cnn_loss(params, X[rows], y[rows])
            for name in params:
                params[name] -= lr * grads[name]
            history.append(float(loss))
    return params, history
    ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "test_train_cnn", "locked": true, "points": 3, "schema_version": 3, "solution": false, "task": false}
"""train_cnn: one loss per mini-batch, the parameters given left alone, the loss falling."""
### BEGIN HIDDEN TESTS
# Test helper for this and the next test cell.
### BEGIN REFERENCE
def torch_train_(params, X, y, epochs, batch_size, lr, seed):
    """The same schedule with torch.optim.SGD: trained parameters and mini-batch losses."""
    tensors = {name: torch.tensor(value, requires_grad=True) for name, value in params.items()}
    optimizer = torch.optim.SGD(tensors.values(), lr=lr)
    rng, losses = np.random.default_rng(seed), []
    for _ in range(epochs):
        order = rng.permutation(len(X))
        for start in range(0, len(X), batch_size):
            rows = order[start:start + batch_size]
            optimizer.zero_grad()
            loss = F.cross_entropy(torch_cnn_scores_(tensors, X[rows]), torch.from_numpy(y[rows]))
            loss.backward()
            optimizer.step()
            losses.append(loss.item())
    return {name: t.detach().numpy() for name, t in tensors.items()}, losses
### END REFERENCE
### END HIDDEN TESTS
start_ = init_cnn(1)
trained_, history_ = train_cnn(start_, X_train[:120], y_train[:120], epochs=2, batch_size=25,
                               lr=0.1, seed=0)
check_that(isinstance(history_, list) and len(history_) == 10,
           "120 images in mini-batches of 25 for 2 epochs should give a history of 10 losses "
           "(5 mini-batches an epoch, the last one of 20 images).")
check_that(isinstance(trained_, dict) and sorted(trained_) == ["W1", "W2", "b1", "b2"],
           "train_cnn should return the trained parameters as a dict like params.")
check_that(np.array_equal(start_["W1"], init_cnn(1)["W1"]),
           "train_cnn should leave the arrays of params unchanged: train copies of them.")
check_that(np.mean(history_[-3:]) < np.mean(history_[:3]),
           "The loss should fall during training: is the step p -= lr * grad?")
### BEGIN HIDDEN TESTS
params_ = cnn_params_(8, filters=4)
X_, y_ = X_train[300:367], y_train[300:367]
### BEGIN REFERENCE
want_params_, want_losses_ = torch_train_(params_, X_, y_, 3, 16, 0.05, 11)
original_W2_ = params_["W2"].copy()
### END REFERENCE
trained_, history_ = train_cnn(params_, X_, y_, epochs=3, batch_size=16, lr=0.05, seed=11)
check_close(np.array(history_), want_losses_, "the losses of 3 epochs of mini-batches of 16")
for name_ in ("W1", "b1", "W2", "b2"):
    check_close(trained_[name_], want_params_[name_], f"the trained {name_}")
check_close(params_["W2"], original_W2_, "the W2 given to train_cnn, after training")
### END HIDDEN TESTS

# %% [markdown]
# Now the real training: both networks start from `init_cnn(0)` and take 6 epochs of mini-batches
# of 16 at the rate 0.1, in the same order. The cell prints how far apart their losses and weights
# ever get, and their accuracies on the test set (a graded run trains yours only); then it plots
# both loss curves (they lie on top of each other) and draws the eight filters your network
# learned. Some look like the edge detectors of Part 2, at various angles.

# %% nbgrader={"grade": false, "grade_id": "train_both", "locked": true, "schema_version": 3, "solution": false, "task": false}
EPOCHS, BATCH, LR = 6, 16, 0.1


def train_torch_cnn(model, X, y, epochs, batch_size, lr, seed):
    """The same loop in PyTorch: torch.optim.SGD on the same mini-batches; the batch losses."""
    optimizer = torch.optim.SGD(model.parameters(), lr=lr)
    X, y = torch.from_numpy(X), torch.from_numpy(y)
    rng, history = np.random.default_rng(seed), []
    for _ in range(epochs):
        order = torch.from_numpy(rng.permutation(len(X)))
        for start in range(0, len(X), batch_size):
            rows = order[start:start + batch_size]
            optimizer.zero_grad()
            loss = F.cross_entropy(model(X[rows]), y[rows])
            loss.backward()
            optimizer.step()
            history.append(loss.item())
    return history


def torch_accuracy(model, X, y):
    """The share of images of X whose largest logit is at the label."""
    with torch.no_grad():
        return float((model(torch.from_numpy(X)).argmax(dim=1).numpy() == y).mean())


def train_twin():
    """Train the PyTorch twin like your network; print how far apart the two ever get."""
    model = make_torch_cnn(init_cnn(0))
    history = train_torch_cnn(model, X_train, y_train, EPOCHS, BATCH, LR, seed=0)
    print(f"test accuracy of its PyTorch twin: {torch_accuracy(model, X_test, y_test):.1%}")
    print(f"largest difference of the two loss histories: "
          f"{np.max(np.abs(np.array(numpy_history) - history)):.1e}")
    trained_weight = next(model.parameters()).detach().numpy()
    print(f"largest difference of the trained W1: "
          f"{np.max(np.abs(cnn_params['W1'] - trained_weight)):.1e}")
    return history


try:
    cnn_params, numpy_history = train_cnn(init_cnn(0), X_train, y_train, EPOCHS, BATCH, LR, seed=0)
    cnn_test_accuracy = cnn_accuracy(cnn_params, X_test, y_test)
    print(f"{len(numpy_history)} steps; test accuracy of your network: {cnn_test_accuracy:.1%}")
except NotImplementedError:
    print("Write cnn_forward, cnn_backward and train_cnn above to train your network.")

if pictures_off():      # nothing of the twin is graded: a graded run saves the time
    print("The PyTorch twin is not trained in a graded run.")
else:
    try:
        torch_history = train_twin()
    except (NotImplementedError, NameError):
        print("Write make_torch_cnn (and your network) to train the PyTorch twin beside it.")


# %% nbgrader={"grade": false, "grade_id": "training_pictures", "locked": true, "schema_version": 3, "solution": false, "task": false}
def plot_histories(numpy_history, torch_history):
    """Both loss curves, one on top of the other."""
    fig, ax = plt.subplots(figsize=(7, 3.4))
    steps = np.arange(1, len(numpy_history) + 1)
    ax.plot(steps, numpy_history, lw=2.5, alpha=0.6, label="your NumPy layers")
    ax.plot(steps, torch_history, "--", lw=1, color="black", label="PyTorch")
    ax.set(xlabel="mini-batch step", ylabel="mini-batch loss", yscale="log",
           title="The same training, twice")
    ax.legend()
    return fig


if not pictures_off() and "torch_history" in globals():
    plot_histories(numpy_history, torch_history)
    plt.show()
if "cnn_params" in globals():
    draw_maps([(f"filter {f}", kernel[0]) for f, kernel in enumerate(cnn_params["W1"])],
              diverging=True, title="The eight learned 3x3 filters (red positive, blue negative)")
    plt.show()

# %% nbgrader={"grade": true, "grade_id": "test_cnn_accuracy", "locked": true, "points": 1, "schema_version": 3, "solution": false, "task": false}
"""The trained network: more than 90% of the test digits right, as PyTorch's twin gets."""
check_number(cnn_test_accuracy, "cnn_test_accuracy")
check_that(cnn_test_accuracy > 0.9,
           "Your trained network should get more than 90% of the test digits right.")
### BEGIN HIDDEN TESTS
### BEGIN REFERENCE
reference_params_ = torch_train_(init_cnn(0), X_train, y_train, EPOCHS, BATCH, LR, 0)[0]
reference_accuracy_ = float(np.mean(
    torch_cnn_(reference_params_, X_test, np.ones((len(X_test), 10)))[0].argmax(axis=1) == y_test))
### END REFERENCE
check_close(cnn_test_accuracy, reference_accuracy_, "the test accuracy of the trained network")
### END HIDDEN TESTS

# %% [markdown]
# ## Part 10 — The path of one gradient
#
# How does the loss reach one weight of one filter? Take one test digit, and follow the gradient
# of its loss backwards through your trained network, layer by layer, for filter `f` and its weight
# `W1[f, 0, r, q]`:
#
# 1. the gradient of the loss with respect to the ten scores, `softmax - one-hot`;
# 2. through the dense layer, the gradient of the 4x4 pooled map of filter `f`;
# 3. through max pooling: each window's gradient lands on its maximum, all else is 0;
# 4. through the ReLU: it survives only where the convolution's output was positive;
# 5. the weight `W1[f, 0, r, q]` multiplied, at every output position `(i, j)`, the padded pixel
#    `xp[i + r, j + q]`: so its gradient is the sum over all positions of that pixel times the
#    gradient at `(i, j)`. The fifth panel shows these products, and the last their sum.
#
# The picture draws each step with the values of your own layers, and the cell checks that the sum
# is the entry of `dW1` that your `cnn_backward` computes.

# %% nbgrader={"grade": false, "grade_id": "gradient_path", "locked": true, "schema_version": 3, "solution": false, "task": false}
def gradient_path(params, x, label, f=0, r=0, q=0):
    """The steps from the loss of one image x (1, 1, 8, 8) back to W1[f, 0, r, q]."""
    z = conv_forward_fast(x, params["W1"], params["b1"], 1, 1)
    relu = np.maximum(z, 0)
    pooled = maxpool_forward_fast(relu, 2, 2)
    scores = pooled.reshape(1, -1) @ params["W2"] + params["b2"]
    _, dscores = softmax_cross_entropy(scores, np.array([label]))
    dpooled = (dscores @ params["W2"].T).reshape(pooled.shape)
    drelu = maxpool_backward_fast(dpooled, relu, 2, 2)
    dz = drelu * (z > 0)
    under = zero_pad(x, 1)[0, 0, r:r + 8, q:q + 8]       # the pixel W1[f, 0, r, q] met at (i, j)
    total = float(np.sum(dz[0, f] * under))
    mine = cnn_backward(dscores, cnn_forward(params, x)[1])["W1"][f, 0, r, q]
    print(f"sum of the products: {total:.6f}; dW1[{f}, 0, {r}, {q}] by cnn_backward: {mine:.6f}")
    return [("∂L/∂scores", dscores[0], None),
            (f"∂L/∂pooled, filter {f}", dpooled[0, f], "dense layer: @ W2ᵀ"),
            (f"∂L/∂ReLU output, filter {f}", drelu[0, f], "max pool: to each maximum"),
            (f"∂L/∂z, filter {f}", dz[0, f], "ReLU: where z > 0"),
            (f"∂L/∂z × pixel under W1[{f},0,{r},{q}]", dz[0, f] * under, "× shifted pixels"),
            (f"∂L/∂W1[{f},0,{r},{q}]", total, "sum")]


try:
    steps = gradient_path(cnn_params, X_test[:1], y_test[0], f=int(np.argmax(
        np.abs(cnn_params["W1"]).sum(axis=(1, 2, 3)))), r=1, q=0)
    draw_gradient_path(steps, title=f"From the loss of one test digit (a {y_test[0]}) back to "
                                    "one weight of one filter")
    plt.show()
except (NameError, NotImplementedError):
    plt.close("all")
    print("Train the network in Part 9 to follow a gradient through it.")

# %% [markdown]
# ## What you built
#
# A convolutional layer and a max-pooling layer, forward and backward, first with loops that
# follow the definitions and then with `im2col` and one matrix product, each checked against finite
# differences and PyTorch's autograd for any upstream gradient; a rule for ties and a test that
# enforces it; the cost of a layer in multiply-adds, and a measurement of how much of the loop
# version's time went to Python rather than arithmetic; the receptive field of a unit, by formula
# and by backpropagation; and a convolutional network of your own layers that learns the digits
# step for step like its PyTorch twin.

# %% [markdown]
# ## Where you stand
#
# Run the cell below whenever you like: it runs every check of this notebook again and prints one line for each, the first thing to fix at the top. It shows no answers and no tracebacks. The hidden tests that decide your grade check more than these do, so a line of ticks is a good sign, not a promise.

# %% nbgrader={"grade": false, "grade_id": "summary", "locked": true, "schema_version": 3, "solution": false, "task": false}
from workbook.summary import summarise

summarise("convolution.ipynb")
