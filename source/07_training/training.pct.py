# %% [markdown]
# # Assignment 7 — Practice at training: honest data, sanity checks, learning rates, optimisers, initialisation
#
# You can now build, differentiate and train a network. Getting one to train *well*, and knowing
# that it did, is a craft of its own, and this assignment practises it on the handwritten digits
# of Assignment 5 with a small PyTorch network:
#
# 1. **Part 1.** Three sets: training, validation and test, with the test set touched once.
# 2. **Part 2.** Two sanity checks every practitioner runs before a long training: the loss
#    before training should be about $\ln 10$ for ten classes, and the network must be able to
#    learn a tiny subset by heart.
# 3. **Part 3.** A learning-rate sweep, plotted, the choice made on the validation set, and the
#    test accuracy computed once at the end.
# 4. **Part 4.** Momentum and Adam, written by you in NumPy and matched number for number against
#    `torch.optim`.
# 5. **Part 5.** Initialisation: an experiment in which the activations of a deep network vanish or
#    explode unless the weights are scaled the way He or Glorot and Bengio worked out.
#
# The whole notebook runs in under a minute on two shared CPU cores (about ten seconds of computing:
# it waits longer when other work keeps the cores busy).
#
# **How the checks work.** After each answer cell comes a test cell. Its *visible* checks tell you
# what to fix (type, shape, a property every right answer has) without giving the answer away;
# where a result has many digits they compare it with the right one through a *fingerprint* (a
# scrambled summary that says "right" or "not right" but cannot be turned back into the answer),
# and where it is the result a known mistake gives they name the mistake. When the notebook is
# graded, *hidden* checks compare your results with the correct ones on other data too. Replace every `raise NotImplementedError()` with your code, then use
# *Kernel → Restart and Run All* before you submit. The last cell sums up where you stand.
#
# **Sources.** The learning rate $\eta$ of every update rule here is the one of the gradient
# descent step in Princeton COS 324, *Introduction to Machine Learning*, chapter 11, "Feedforward
# Neural Network and Backpropagation" (princeton-introml.github.io, `files/ch11.pdf`). Rodolfo
# Lourenzutti's tutorial "Feed Forward Neural Network" (lourenzutti.github.io/posts/fnn) draws
# its initial weights from a normal distribution with standard deviation 0.001; Part 5 asks what
# that does to a deep network. The update rules of Part 4 are PyTorch's, as documented for
# `torch.optim.SGD` and `torch.optim.Adam` (after D. Kingma and J. Ba, "Adam: a method for
# stochastic optimization", 2015); the scalings of Part 5 are from X. Glorot and Y. Bengio,
# "Understanding the difficulty of training deep feedforward neural networks" (2010) and K. He et
# al., "Delving deep into rectifiers" (2015). The text and code here are ours.
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
from workbook.digits import N_CLASSES, load_digits, train_test_split
from workbook.fingerprints import Fingerprints

torch.set_num_threads(1)                 # small networks are fastest on one thread
torch.set_default_dtype(torch.float64)   # double precision: results agree to many digits
known = Fingerprints("training")         # recognises known mistakes (see the checks)

# %% [markdown]
# ## Part 1 — Three sets, and the test set touched once
#
# A network's accuracy on the images it trained on says little: it may have learned those
# images by heart. So we hold images back. But every choice we make by looking at held-back
# images (the learning rate, the number of epochs, the width) tunes the network to them a little,
# and their accuracy stops being an honest estimate for new images. Hence **three** sets:
#
# | set | used for | how often |
# |---|---|---|
# | training | the gradient steps | every step |
# | validation | comparing settings and choosing among them | as often as we like |
# | test | the one accuracy we report | **once**, at the very end, after every choice is made |
#
# Write `split_indices(n, val_fraction, test_fraction, seed)`: shuffle the row numbers
# `0, ..., n-1` with `np.random.default_rng(seed)`, and return three integer arrays
# `(train, val, test)` of row numbers. `test` holds `round(test_fraction * n)` rows and `val`
# `round(val_fraction * n)` rows (both fractions are of all `n` rows); `train` holds the rest.
# No row may be in two sets, and every row must be in one. The same seed must give the same
# split.

# %% nbgrader={"grade": false, "grade_id": "split_indices", "locked": false, "schema_version": 3, "solution": true, "task": false}
def split_indices(n, val_fraction, test_fraction, seed):
    """Row numbers (train, val, test) of a shuffled three-way split of n rows."""
    ### BEGIN SOLUTION
    order = np.random.default_rng(seed).permutation(n)
    n_test, n_val = round(test_fraction * n), round(val_fraction * n)
    return order[n_test + n_val:], order[n_test:n_test + n_val], order[:n_test]
    ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "test_split_indices", "locked": true, "points": 3, "schema_version": 3, "solution": false, "task": false}
"""split_indices: sizes, no row twice, every row once, shuffled, the same for the same seed."""
parts_ = split_indices(50, 0.2, 0.1, seed=0)
check_that(isinstance(parts_, tuple) and len(parts_) == 3,
           "split_indices should return a tuple of three arrays: (train, val, test).")
for part_, label_ in zip(parts_, ("train", "val", "test"), strict=True):
    check_array(part_, label_)
    check_that(part_.dtype.kind in "iu", f"`{label_}` should hold integer row numbers.")
check_that([len(p) for p in parts_] == [35, 10, 5],
           "With n=50, val_fraction=0.2 and test_fraction=0.1 the sets should hold 35, 10 and "
           "5 rows (the fractions are of all n rows).")
check_that([len(p) for p in split_indices(13, 0.3, 0.2, seed=1)] == [6, 4, 3],
           "split_indices(13, 0.3, 0.2, seed=1) should give sets of 6, 4 and 3 "
           "rows: round(0.3 * 13) = round(3.9) = 4 and round(0.2 * 13) = round(2.6) = 3 "
           "(`int` would cut them down to 3 and 2).")
check_that(sorted(np.concatenate(parts_).tolist()) == list(range(50)),
           "Every row number 0..n-1 should be in exactly one of the three sets of split_indices.")
check_that(all(np.array_equal(a, b) for a, b in
               zip(parts_, split_indices(50, 0.2, 0.1, seed=0), strict=True)),
           "The same seed should give the same split: split_indices should shuffle with "
           "np.random.default_rng(seed).")
check_that(not np.array_equal(np.sort(parts_[2]), np.arange(5)) and not np.all(np.diff(parts_[0]) > 0),
           "split_indices should shuffle the rows: its test set holds the first rows, or its "
           "training rows are in order.")
### BEGIN HIDDEN TESTS
big_ = split_indices(1000, 0.25, 0.15, seed=3)
check_close(np.array([len(p) for p in big_]), [600, 250, 150], "the sizes of the three sets, n=1000")
check_close(len(np.unique(np.concatenate(big_))), 1000, "the number of distinct rows, n=1000")
check_close(float(np.isin(np.concatenate(big_), np.arange(1000)).all()), 1.0,
            "every row number in 0..999")
# shuffled: the test rows are not one block of consecutive row numbers, nor sorted
check_close(float(np.ptp(big_[2]) + 1 > len(big_[2]) and not np.all(np.diff(big_[2]) > 0)), 1.0,
            "the test rows are shuffled")
check_close(float(all(np.array_equal(a, b) for a, b in
                      zip(big_, split_indices(1000, 0.25, 0.15, seed=3), strict=True))), 1.0,
            "the same seed gives the same split")
other_ = split_indices(1000, 0.25, 0.15, seed=4)
check_close(float(not np.array_equal(big_[2], other_[2])), 1.0,
            "another seed gives another split")
check_close(np.array([len(p) for p in split_indices(7, 0.3, 0.3, seed=1)]), [3, 2, 2],
            "the sizes of the three sets, n=7 (round each fraction of n)")
check_close(np.array([len(p) for p in split_indices(9, 0.3, 0.3, seed=2)]), [3, 3, 3],
            "the sizes of the three sets, n=9 (0.3 * 9 = 2.7 rounds to 3)")
### END HIDDEN TESTS

# %% [markdown]
# From here on we use the course's own split (two calls of `train_test_split` with fixed seeds, as
# in Assignment 5), so that everyone's numbers agree: a quarter of the images for testing, a fifth
# of the rest for validation. The pixels are divided by 16 so that they lie in $[0, 1]$, and
# everything becomes a PyTorch tensor. `make_model(seed)` builds the network we train throughout,
# 64 inputs, 32 ReLU units, 10 logits, with PyTorch's usual initial weights drawn after
# `torch.manual_seed(seed)`; `accuracy` is the share of rows whose largest logit is the label.

# %% nbgrader={"grade": false, "grade_id": "data", "locked": true, "schema_version": 3, "solution": false, "task": false}
X_all, y_all = load_digits()
X_rest, X_test, y_rest, y_test = train_test_split(X_all / 16.0, y_all, test_fraction=0.25, seed=0)
X_train, X_val, y_train, y_val = train_test_split(X_rest, y_rest, test_fraction=0.2, seed=1)
X_train, X_val, X_test = (torch.from_numpy(a) for a in (X_train, X_val, X_test))
y_train, y_val, y_test = (torch.from_numpy(a) for a in (y_train, y_val, y_test))
print("training:", tuple(X_train.shape), " validation:", tuple(X_val.shape),
      " test:", tuple(X_test.shape))


def make_model(seed):
    """The network of this assignment, 64 -> 32 (ReLU) -> 10, initialised after manual_seed(seed)."""
    torch.manual_seed(seed)
    return nn.Sequential(nn.Linear(64, 32), nn.ReLU(), nn.Linear(32, N_CLASSES))


def accuracy(model, X, y):
    """The share of rows of X whose largest logit is at the label (a Python float)."""
    with torch.no_grad():
        return (model(X).argmax(dim=1) == y).double().mean().item()


# %% [markdown]
# ## Part 2 — Two sanity checks before training
#
# ### 2.1 The loss before training
#
# A network that has learned nothing should give every class about the same probability, $1/10$
# for ten digits, and the cross-entropy of a probability $1/10$ is $-\ln(1/10) = \ln 10$. An
# initial loss far from that means a bug in the loss (probabilities where logits are expected, a
# sum where a mean is) or initial weights so large that the network is already confidently wrong.
#
# Set `expected_initial_loss` to that number (computed, not typed in), and write
# `initial_loss(model, X, y)`: the mean cross-entropy of the model's logits on `(X, y)`, as a
# Python float, computed without recording a graph for backpropagation (`torch.no_grad()`).
# `F.cross_entropy` takes **logits**, not probabilities.

# %% nbgrader={"grade": false, "grade_id": "initial_loss", "locked": false, "schema_version": 3, "solution": true, "task": false}
### BEGIN SOLUTION
expected_initial_loss = np.log(N_CLASSES)


def initial_loss(model, X, y):
    """Mean cross-entropy of model(X) against the labels y, as a float, without a graph."""
    with torch.no_grad():
        return F.cross_entropy(model(X), y).item()
### END SOLUTION


print(f"loss of make_model(0) on the training set before training: "
      f"{initial_loss(make_model(0), X_train, y_train):.4f}   (ln 10 = {expected_initial_loss:.4f})")

# %% nbgrader={"grade": true, "grade_id": "test_initial_loss", "locked": true, "points": 3, "schema_version": 3, "solution": false, "task": false}
"""expected_initial_loss is ln 10; initial_loss of an untrained network is close to it."""
check_number(expected_initial_loss, "expected_initial_loss")
check_that(abs(as_number(expected_initial_loss, "expected_initial_loss") - 2.3) < 0.01,
           "`expected_initial_loss` should be -ln(1/10) = ln 10 for ten equally likely classes.")
start_ = initial_loss(make_model(0), X_val, y_val)
check_number(start_, "initial_loss(make_model(0), X_val, y_val)")
known.check(start_, "initial_loss(make_model(0), X_val, y_val)")
check_that(abs(as_number(start_, "initial_loss") - np.log(10)) < 0.1,
           "initial_loss of an untrained network should be within 0.1 of ln 10: is `F.cross_entropy` given "
           "logits (not probabilities), and is it the mean over the rows?")
confident_ = []
for seed_ in (6, 7, 8, 9):
    with torch.no_grad():
        loud_model_ = make_model(seed_)
        loud_model_[2].weight.mul_(8.0)   # confident from the start: far from ln 10
    confident_.append(as_number(initial_loss(loud_model_, X_val, y_val), "initial_loss"))
known.confirm(np.array(confident_), "initial_loss of four networks with large output weights")
### BEGIN HIDDEN TESTS
check_close(expected_initial_loss, np.log(10), "expected_initial_loss")
with torch.no_grad():
    loud_ = make_model(5)
    loud_[2].weight.mul_(8.0)       # confident from the start: the loss is far from ln 10
    ### BEGIN REFERENCE
    expected_loud_ = F.cross_entropy(loud_(X_val), y_val).item()
    expected_start_ = F.cross_entropy(make_model(0)(X_val), y_val).item()
    ### END REFERENCE
check_close(initial_loss(loud_, X_val, y_val), expected_loud_,
            "initial_loss of a network with large output weights")
check_close(initial_loss(make_model(0), X_val, y_val), expected_start_,
            "initial_loss(make_model(0), X_val, y_val)")
check_close(float(initial_loss(make_model(0), X_val[:7], y_val[:7]) > 0), 1.0,
            "initial_loss is positive")
### END HIDDEN TESTS

# %% [markdown]
# ### 2.2 The training loop
#
# Write `train(model, optimizer, X, y, epochs, batch_size, seed)`, mini-batch training as in
# Assignment 5, now with PyTorch doing the gradients:
#
# - make **one** generator `rng = np.random.default_rng(seed)` before the first epoch;
# - at the start of every epoch draw a new order of the rows, `rng.permutation(len(X))`, and walk
#   through it in mini-batches of `batch_size` rows (the last one may be smaller: keep it);
# - for every mini-batch: reset the gradients, compute the mean cross-entropy of the batch, call
#   `backward()`, take the optimizer's step;
# - after every epoch append the cross-entropy on **all** of `(X, y)` (a float, computed without a
#   graph) to a list, and return that list, one number per epoch.
#
# A NumPy array of row numbers can index a tensor directly (`X[batch]`), or convert it first with
# `torch.from_numpy`.

# %% nbgrader={"grade": false, "grade_id": "train", "locked": false, "schema_version": 3, "solution": true, "task": false}
def train(model, optimizer, X, y, epochs, batch_size, seed):
    """Mini-batch training; returns the loss on all of (X, y) after each epoch."""
    ### BEGIN SOLUTION
    rng = np.random.default_rng(seed)
    history = []
    for _ in range(epochs):
        order = torch.from_numpy(rng.permutation(len(X)))
        for start in range(0, len(X), batch_size):
            batch = order[start:start + batch_size]
            optimizer.zero_grad()
            F.cross_entropy(model(X[batch]), y[batch]).backward()
            optimizer.step()
        with torch.no_grad():
            history.append(F.cross_entropy(model(X), y).item())
    return history
    ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "test_train", "locked": true, "points": 4, "schema_version": 3, "solution": false, "task": false}
"""train: one loss per epoch, each a float; the loss falls; the model's weights move."""
### BEGIN HIDDEN TESTS
# Test helper for this and every later test cell of the notebook.
### BEGIN REFERENCE
def reference_train_(model, optimizer, X, y, epochs, batch_size, seed):
    rng = np.random.default_rng(seed)
    losses = []
    for _ in range(epochs):
        order = rng.permutation(len(X))
        for start in range(0, len(X), batch_size):
            rows = torch.from_numpy(order[start:start + batch_size])
            for p in model.parameters():
                p.grad = None
            F.cross_entropy(model(X[rows]), y[rows]).backward()
            optimizer.step()
        with torch.no_grad():
            losses.append(F.cross_entropy(model(X), y).item())
    return losses
### END REFERENCE
### END HIDDEN TESTS
model_ = make_model(1)
before_ = [p.detach().clone() for p in model_.parameters()]
history_ = train(model_, torch.optim.SGD(model_.parameters(), lr=0.1), X_train[:200],
                 y_train[:200], epochs=3, batch_size=32, seed=0)
check_that(isinstance(history_, list) and len(history_) == 3,
           "train(..., epochs=3, ...) should return a list of three losses, one per epoch.")
for loss_ in history_:
    check_number(loss_, "each loss in the history")
check_that(all(not torch.equal(a, b) for a, b in zip(before_, model_.parameters(), strict=True)),
           "train should change every parameter of the model: is optimizer.step() called?")
check_that(history_[-1] < history_[0] < np.log(10),
           "The training loss should fall from epoch to epoch with lr=0.1: are the gradients "
           "reset before each backward()?")
run_ = make_model(2)
known.confirm(np.array(train(run_, torch.optim.SGD(run_.parameters(), lr=0.2), X_train[:90], y_train[:90],
                             epochs=4, batch_size=16, seed=5)),
              "the history of train on 90 rows, batches of 16 (the last one smaller), 4 epochs, seed 5")
### BEGIN HIDDEN TESTS
### BEGIN REFERENCE
def reference_run_():
    """make_model(3) trained by reference_train_: its losses, first-layer weights, logits of X_val[:5]."""
    ref = make_model(3)
    losses = reference_train_(ref, torch.optim.SGD(ref.parameters(), lr=0.2), X_train[:100],
                              y_train[:100], epochs=4, batch_size=16, seed=7)
    with torch.no_grad():
        return losses, ref[0].weight.detach().numpy().copy(), ref(X_val[:5]).numpy()


want_, want_weight_, want_logits_ = reference_run_()
### END REFERENCE
mine_ = make_model(3)
got_ = train(mine_, torch.optim.SGD(mine_.parameters(), lr=0.2), X_train[:100], y_train[:100],
             epochs=4, batch_size=16, seed=7)
check_close(np.array(got_), want_, "the loss history of train (100 rows, batches of 16, seed 7)")
check_close(mine_[0].weight.detach().numpy(), want_weight_, "the first layer's weights after train")
with torch.no_grad():
    check_close(mine_(X_val[:5]).numpy(), want_logits_, "the trained model's logits")
### END HIDDEN TESTS

# %% [markdown]
# ### 2.3 Learning a tiny subset by heart
#
# The second sanity check: take 20 training images and train on nothing else. A network with
# 2,410 parameters can learn 20 images perfectly, so the training loss should go to almost 0 and
# the accuracy on those 20 to 100%. If it does not, something in the model or the loop is broken,
# and no amount of waiting on the full data will fix it.
#
# Choose `tiny_lr` and `tiny_epochs` for `torch.optim.Adam` (batches of all 20 rows, seed 0, the
# model `make_model(0)`) so that the final training loss is **below 0.01**, with no more than 300
# epochs. Keep the trained model as `tiny_model` and its loss history as `tiny_history`.

# %% nbgrader={"grade": false, "grade_id": "overfit", "locked": false, "schema_version": 3, "solution": true, "task": false}
X_tiny, y_tiny = X_train[:20], y_train[:20]
### BEGIN SOLUTION
tiny_lr, tiny_epochs = 0.01, 100
### END SOLUTION
tiny_model = make_model(0)
tiny_history = train(tiny_model, torch.optim.Adam(tiny_model.parameters(), lr=tiny_lr),
                     X_tiny, y_tiny, epochs=tiny_epochs, batch_size=20, seed=0)
print(f"after {tiny_epochs} epochs: loss {tiny_history[-1]:.5f}, "
      f"accuracy on the 20 images {accuracy(tiny_model, X_tiny, y_tiny):.0%}")

# %% nbgrader={"grade": true, "grade_id": "test_overfit", "locked": true, "points": 2, "schema_version": 3, "solution": false, "task": false}
"""The 20 training images learned by heart: loss below 0.01, every image right, within 300 epochs."""
check_that(isinstance(tiny_epochs, int) and 1 <= tiny_epochs <= 300,
           "`tiny_epochs` should be a whole number of epochs from 1 to 300.")
check_that(len(tiny_history) == tiny_epochs, "`tiny_history` should hold one loss per epoch.")
check_that(tiny_history[-1] < 0.01,
           "The final loss on the 20 images should be below 0.01: try a larger `tiny_lr` or "
           "more epochs (and check train if neither helps).")
### BEGIN HIDDEN TESTS
check_close(accuracy(tiny_model, X_tiny, y_tiny), 1.0, "the accuracy on the 20 images")
with torch.no_grad():
    check_close(float(F.cross_entropy(tiny_model(X_tiny), y_tiny).item() < 0.01), 1.0,
                "the loss of tiny_model on the 20 images is below 0.01")
### END HIDDEN TESTS

# %% [markdown]
# ## Part 3 — The learning rate
#
# The learning rate $\eta$ is the one setting every training run needs. Too small, and the loss
# barely moves in the epochs we can afford; too large, and each step overshoots the valley the
# gradient points into, the loss jumps about or climbs, and the network may end up knowing nothing.
# The only way to know is to try rates spread over several orders of magnitude and compare them
# **on the validation set**.
#
# For every rate in `LEARNING_RATES`, train a fresh `make_model(0)` with `torch.optim.SGD` at that
# rate for `SWEEP_EPOCHS` epochs on the training set, in batches of `SWEEP_BATCH`, with seed 0.
# Fill in three dicts keyed by the rate: `sweep_models` (the trained model), `sweep_histories`
# (the training-loss history `train` returns) and `sweep_val_losses` (the final cross-entropy on
# the **validation** set, a float). Then set `best_lr` to the rate with the lowest validation loss.

# %% nbgrader={"grade": false, "grade_id": "sweep_settings", "locked": true, "schema_version": 3, "solution": false, "task": false}
LEARNING_RATES = [0.003, 0.01, 0.03, 0.1, 0.3, 1.0, 3.0]
SWEEP_EPOCHS, SWEEP_BATCH = 12, 32

# %% nbgrader={"grade": false, "grade_id": "sweep", "locked": false, "schema_version": 3, "solution": true, "task": false}
sweep_models, sweep_histories, sweep_val_losses = {}, {}, {}
### BEGIN SOLUTION
for lr in LEARNING_RATES:
    model = make_model(0)
    sweep_histories[lr] = train(model, torch.optim.SGD(model.parameters(), lr=lr), X_train,
                                y_train, SWEEP_EPOCHS, SWEEP_BATCH, seed=0)
    sweep_models[lr] = model
    sweep_val_losses[lr] = initial_loss(model, X_val, y_val)
best_lr = min(sweep_val_losses, key=sweep_val_losses.get)
### END SOLUTION

# %% nbgrader={"grade": true, "grade_id": "test_sweep", "locked": true, "points": 3, "schema_version": 3, "solution": false, "task": false}
"""The sweep: a trained model, a history and a validation loss for every learning rate."""
### BEGIN HIDDEN TESTS
# Test helper for this and later test cells.
### BEGIN REFERENCE
def reference_sweep_():
    losses = []
    for lr in LEARNING_RATES:
        model = make_model(0)
        reference_train_(model, torch.optim.SGD(model.parameters(), lr=lr), X_train, y_train,
                         SWEEP_EPOCHS, SWEEP_BATCH, seed=0)
        with torch.no_grad():
            losses.append(F.cross_entropy(model(X_val), y_val).item())
    return np.array(losses)
### END REFERENCE
### END HIDDEN TESTS
for name_, table_ in (("sweep_models", sweep_models), ("sweep_histories", sweep_histories),
                      ("sweep_val_losses", sweep_val_losses)):
    check_that(isinstance(table_, dict) and sorted(table_) == sorted(LEARNING_RATES),
               f"`{name_}` should be a dict with one entry for every rate in LEARNING_RATES.")
check_that(all(len(sweep_histories[lr]) == SWEEP_EPOCHS for lr in LEARNING_RATES),
           "Every history should hold SWEEP_EPOCHS losses: train for SWEEP_EPOCHS epochs.")
for lr_ in LEARNING_RATES:
    check_number(sweep_val_losses[lr_], f"sweep_val_losses[{lr_}]")
check_that(all(abs(sweep_val_losses[lr] - initial_loss(sweep_models[lr], X_val, y_val)) < 1e-9
               for lr in LEARNING_RATES),
           "Each entry of `sweep_val_losses` should be the loss of that rate's trained model on "
           "the validation set (X_val, y_val).")
known.confirm(np.array([sweep_val_losses[lr] for lr in LEARNING_RATES]),
              "the validation losses of the sweep, rate by rate")
### BEGIN HIDDEN TESTS
check_close(np.array([sweep_val_losses[lr] for lr in LEARNING_RATES]), reference_sweep_(),
            "the validation losses of the sweep", rtol=1e-6)
### END HIDDEN TESTS

# %% nbgrader={"grade": true, "grade_id": "test_best_lr", "locked": true, "points": 1, "schema_version": 3, "solution": false, "task": false}
"""best_lr: the rate of LEARNING_RATES with the lowest validation loss."""
check_that(best_lr in LEARNING_RATES, "`best_lr` should be one of LEARNING_RATES.")
check_that(sweep_val_losses[best_lr] == min(sweep_val_losses.values()),
           "`best_lr` should be the rate whose model has the lowest validation loss.")
### BEGIN HIDDEN TESTS
check_close(best_lr, LEARNING_RATES[int(np.argmin(reference_sweep_()))], "best_lr")
### END HIDDEN TESTS

# %% [markdown]
# The picture shows what the sweep found: the training loss epoch by epoch for every rate
# (left), and the final validation loss against the rate on a logarithmic axis (right). The
# curve on the right is the usual "U": slow on the left, unstable on the right, and the best rate
# near the point where training starts to become unstable.

# %% nbgrader={"grade": false, "grade_id": "sweep_plot", "locked": true, "schema_version": 3, "solution": false, "task": false}
def plot_sweep():
    """Training curves of every rate, and the validation loss against the rate."""
    fig, (ax_curves, ax_u) = plt.subplots(1, 2, figsize=(11, 4))
    colours = plt.cm.viridis(np.linspace(0, 0.9, len(LEARNING_RATES)))
    for lr, colour in zip(LEARNING_RATES, colours, strict=True):
        ax_curves.plot(range(1, SWEEP_EPOCHS + 1), sweep_histories[lr], "o-", ms=3, color=colour,
                       label=f"η = {lr:g}")
    ax_curves.axhline(np.log(10), color="grey", ls=":", lw=1)
    ax_curves.text(1, np.log(10) * 1.05, "ln 10: nothing learned", color="grey", fontsize=8)
    ax_curves.set(xlabel="epoch", ylabel="training loss", yscale="log",
                  title="Training loss for each learning rate")
    ax_curves.legend(fontsize=8, ncol=2)
    ax_u.plot(LEARNING_RATES, [sweep_val_losses[lr] for lr in LEARNING_RATES], "s-", color="black")
    ax_u.plot([best_lr], [sweep_val_losses[best_lr]], "o", ms=14, mfc="none", mec="crimson", mew=2)
    ax_u.annotate(f"best: η = {best_lr:g}", (best_lr, sweep_val_losses[best_lr]),
                  xytext=(10, 25), textcoords="offset points", color="crimson")
    ax_u.set(xscale="log", xlabel="learning rate η", ylabel="validation loss after training",
             title="Choosing η on the validation set")
    fig.tight_layout()
    plt.show()


if sorted(sweep_val_losses) == sorted(LEARNING_RATES) and "best_lr" in globals():
    plot_sweep()
else:
    print("Finish the sweep above to see its picture.")

# %% [markdown]
# ### 3.1 The test set, once
#
# Every choice is made: the network is `make_model(0)` trained at `best_lr`, which the sweep
# already holds as `sweep_models[best_lr]`. Now, and only now, measure its accuracy on the test
# set and store it as `test_accuracy` (a float between 0 and 1). Picked by the validation set,
# the rate owes nothing to the test set, so this number is an honest estimate for digits the
# network has never seen. Had we picked the rate by the test set, its test loss would be the
# lowest of the sweep by construction, an estimate tilted in our favour; and here the test set
# would even pick another rate than the validation set does.

# %% nbgrader={"grade": false, "grade_id": "test_accuracy", "locked": false, "schema_version": 3, "solution": true, "task": false}
### BEGIN SOLUTION
test_accuracy = accuracy(sweep_models[best_lr], X_test, y_test)
### END SOLUTION
print(f"accuracy on the test set, measured once: {test_accuracy:.1%}")

# %% nbgrader={"grade": true, "grade_id": "test_test_accuracy", "locked": true, "points": 2, "schema_version": 3, "solution": false, "task": false}
"""test_accuracy: the chosen model's accuracy on the test set, a share between 0 and 1."""
check_number(test_accuracy, "test_accuracy")
check_that(0 <= as_number(test_accuracy, "test_accuracy") <= 1,
           "`test_accuracy` should be a share between 0 and 1 (not a percentage).")
check_that(test_accuracy > 0.9, "The chosen network should get more than 90% of the test "
                                "digits right: is it the model trained at best_lr?")
check_that(np.isclose(as_number(test_accuracy, "test_accuracy"), accuracy(sweep_models[best_lr], X_test, y_test)),
           "`test_accuracy` should be the accuracy of sweep_models[best_lr] on the test set "
           "(X_test, y_test).")
### BEGIN HIDDEN TESTS
### BEGIN REFERENCE
def reference_test_accuracy_():
    """The test accuracy of make_model(0) trained at the rate the reference sweep picks (with
    torch's random state put back afterwards)."""
    with torch.random.fork_rng():
        chosen = make_model(0)
        best = LEARNING_RATES[int(np.argmin(reference_sweep_()))]
        reference_train_(chosen, torch.optim.SGD(chosen.parameters(), lr=best), X_train,
                         y_train, SWEEP_EPOCHS, SWEEP_BATCH, seed=0)
        with torch.no_grad():
            return (chosen(X_test).argmax(dim=1) == y_test).double().mean().item()
### END REFERENCE


check_close(test_accuracy, reference_test_accuracy_(), "test_accuracy")
### END HIDDEN TESTS

# %% [markdown]
# ## Part 4 — Momentum and Adam, by hand
#
# Plain gradient descent takes the step $-\eta\,g$ with the current gradient $g$ alone. Two
# refinements drive almost all training today. You write both as NumPy functions that take one
# parameter array, its gradient and a `state` dict (empty at the first step; your function keeps
# whatever it needs in it between steps) and **return the new parameter array**. They must match
# PyTorch's own rules exactly, so the checks run `torch.optim` on the same gradients.
#
# **Momentum** (`torch.optim.SGD` with `momentum=β`) keeps a velocity $v$, the running sum of past
# gradients, each step's share shrinking by $\beta$:
#
# $$v \leftarrow \beta\, v + g, \qquad \theta \leftarrow \theta - \eta\, v, \qquad v = g \text{ at the first step.}$$
#
# **Adam** (`torch.optim.Adam`) keeps running means of the gradient and of its square, corrects
# their start at zero, and scales each entry's step by how large its gradients have been. At step
# $t = 1, 2, \ldots$:
#
# $$m \leftarrow \beta_1 m + (1-\beta_1)\, g, \qquad s \leftarrow \beta_2 s + (1-\beta_2)\, g^2, \qquad
# \hat m = \frac{m}{1-\beta_1^t}, \quad \hat s = \frac{s}{1-\beta_2^t}, \qquad
# \theta \leftarrow \theta - \eta\,\frac{\hat m}{\sqrt{\hat s} + \epsilon},$$
#
# with $m = s = 0$ before the first step, $g^2$ and the square root taken entry by entry, and
# $\epsilon$ added **after** the square root.

# %% nbgrader={"grade": false, "grade_id": "momentum", "locked": false, "schema_version": 3, "solution": true, "task": false}
def momentum_step(param, grad, state, lr, beta=0.9):
    """One step of SGD with momentum, as torch.optim.SGD(momentum=beta); returns the new param."""
    ### BEGIN SOLUTION
    state["velocity"] = beta * state["velocity"] + grad if "velocity" in state else grad.copy()
    return param - lr * state["velocity"]
    ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "test_momentum", "locked": true, "points": 3, "schema_version": 3, "solution": false, "task": false}
"""momentum_step: the same parameters as torch.optim.SGD(momentum=0.9), step after step."""
def torch_steps_(make_optimizer, start, grads):
    """The parameter after each step of a torch optimizer fed the given gradients."""
    param = torch.tensor(start, requires_grad=True)
    optimizer, after = make_optimizer([param]), []
    for grad in grads:
        param.grad = torch.tensor(grad)
        optimizer.step()
        after.append(param.detach().numpy().copy())
    return np.array(after)


def my_steps_(step, start, grads, **settings):
    """The parameter after each step of your NumPy rule fed the given gradients."""
    param, state, after = np.array(start), {}, []
    for grad in grads:
        param = step(param.copy(), np.array(grad), state, **settings)
        check_array(param, f"the parameter returned by {step.__name__}", shape=np.shape(start))
        after.append(np.array(param))
    return np.array(after)


rng_ = np.random.default_rng(0)
start_, grads_ = rng_.normal(size=(2, 3)), rng_.normal(size=(4, 2, 3))
known.check(my_steps_(momentum_step, start_, grads_, lr=0.1, beta=0.9),
            "the parameter after each of four steps of momentum_step")
check_close(my_steps_(momentum_step, start_, grads_[:1], lr=0.1, beta=0.9)[0],
            torch_steps_(lambda p: torch.optim.SGD(p, lr=0.1, momentum=0.9), start_, grads_[:1])[0],
            "the parameter after the first step of momentum_step (the velocity starts as the gradient)")
check_close(my_steps_(momentum_step, start_, grads_, lr=0.1, beta=0.9),
            torch_steps_(lambda p: torch.optim.SGD(p, lr=0.1, momentum=0.9), start_, grads_),
            "the parameter after each of four steps of momentum_step")
### BEGIN HIDDEN TESTS
rng_ = np.random.default_rng(11)
start_, grads_ = rng_.normal(size=(3, 2)), rng_.normal(size=(6, 3, 2))
check_close(my_steps_(momentum_step, start_, grads_, lr=0.05, beta=0.5),
            torch_steps_(lambda p: torch.optim.SGD(p, lr=0.05, momentum=0.5), start_, grads_),
            "six momentum steps with lr=0.05, beta=0.5 on a (3, 2) parameter")
check_close(my_steps_(momentum_step, start_[0], grads_[:, 0], lr=0.3, beta=0.99),
            torch_steps_(lambda p: torch.optim.SGD(p, lr=0.3, momentum=0.99), start_[0],
                         grads_[:, 0]),
            "six momentum steps with beta=0.99 on a vector")
### END HIDDEN TESTS

# %% nbgrader={"grade": false, "grade_id": "adam", "locked": false, "schema_version": 3, "solution": true, "task": false}
def adam_step(param, grad, state, lr, beta1=0.9, beta2=0.999, eps=1e-8):
    """One step of Adam, as torch.optim.Adam(betas=(beta1, beta2), eps=eps); returns the new param."""
    ### BEGIN SOLUTION
    t = state["t"] = state.get("t", 0) + 1
    state["m"] = beta1 * state.get("m", 0.0) + (1 - beta1) * grad
    state["s"] = beta2 * state.get("s", 0.0) + (1 - beta2) * grad**2
    m_hat, s_hat = state["m"] / (1 - beta1**t), state["s"] / (1 - beta2**t)
    return param - lr * m_hat / (np.sqrt(s_hat) + eps)
    ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "test_adam", "locked": true, "points": 4, "schema_version": 3, "solution": false, "task": false}
"""adam_step: the same parameters as torch.optim.Adam, step after step."""
rng_ = np.random.default_rng(1)
start_, grads_ = rng_.normal(size=(2, 3)), rng_.normal(size=(5, 2, 3))
known.check(my_steps_(adam_step, start_, grads_, lr=0.1), "the parameter after each of five steps of adam_step")
check_close(my_steps_(adam_step, start_, grads_[:1], lr=0.1)[0],
            torch_steps_(lambda p: torch.optim.Adam(p, lr=0.1), start_, grads_[:1])[0],
            "the parameter after the first step of adam_step (with the bias correction, it moves "
            "by about lr in every entry)")
check_close(my_steps_(adam_step, start_, grads_, lr=0.1),
            torch_steps_(lambda p: torch.optim.Adam(p, lr=0.1), start_, grads_),
            "the parameter after each of five steps of adam_step")
small_ = 1e-3 * rng_.normal(size=(4, 2, 3))
check_close(my_steps_(adam_step, start_, small_, lr=0.01, eps=1e-3),
            torch_steps_(lambda p: torch.optim.Adam(p, lr=0.01, eps=1e-3), start_, small_),
            "the parameter after four steps of adam_step with small gradients and eps=1e-3 "
            "(eps is added after the square root)")
### BEGIN HIDDEN TESTS
rng_ = np.random.default_rng(12)
start_, grads_ = rng_.normal(size=(3, 2)), 1e-3 * rng_.normal(size=(7, 3, 2))
# small gradients and a large eps: where eps goes, and the bias corrections, both show
check_close(my_steps_(adam_step, start_, grads_, lr=0.01, beta1=0.8, beta2=0.9, eps=1e-3),
            torch_steps_(lambda p: torch.optim.Adam(p, lr=0.01, betas=(0.8, 0.9), eps=1e-3),
                         start_, grads_),
            "seven Adam steps with betas (0.8, 0.9), eps=1e-3 and small gradients")
check_close(my_steps_(adam_step, start_[:, 0], 1e3 * grads_[:, :, 0], lr=0.2, beta1=0.5),
            torch_steps_(lambda p: torch.optim.Adam(p, lr=0.2, betas=(0.5, 0.999)), start_[:, 0],
                         1e3 * grads_[:, :, 0]),
            "seven Adam steps with beta1=0.5 on a vector")
### END HIDDEN TESTS

# %% [markdown]
# Your update rules can drive a real training. `NumpyOptimizer` below is a tiny PyTorch-style
# optimizer that hands every parameter and its gradient to your NumPy function, with one `state`
# dict per parameter. The picture compares plain SGD, SGD with your momentum at the same rate, and
# your Adam, each training `make_model(0)` for ten epochs. At the same small rate, momentum goes
# much further than plain SGD, because steps in a steady direction add up; Adam gets far with a
# rate ten times smaller, because it sizes every weight's step by that weight's own gradients.

# %% nbgrader={"grade": false, "grade_id": "compare_optimisers", "locked": true, "schema_version": 3, "solution": false, "task": false}
class NumpyOptimizer:
    """Step a model's parameters with a NumPy rule step(param, grad, state, **settings)."""

    def __init__(self, params, step, **settings):
        self.params, self.step_rule, self.settings = list(params), step, settings
        self.states = [{} for _ in self.params]

    def zero_grad(self):
        for param in self.params:
            param.grad = None

    def step(self):
        with torch.no_grad():
            for param, state in zip(self.params, self.states, strict=True):
                new = self.step_rule(param.numpy().copy(), param.grad.numpy().copy(), state,
                                     **self.settings)
                param.copy_(torch.as_tensor(np.asarray(new, dtype=np.float64)))


def compare_optimisers(epochs=10):
    """Training-loss histories of SGD, your momentum and your Adam on the digits."""
    runs = {"SGD, η = 0.03": lambda p: torch.optim.SGD(p, lr=0.03),
            "your momentum, η = 0.03, β = 0.9": lambda p: NumpyOptimizer(p, momentum_step, lr=0.03),
            "your Adam, η = 0.003": lambda p: NumpyOptimizer(p, adam_step, lr=0.003)}
    histories = {}
    for label, make_optimizer in runs.items():
        model = make_model(0)
        histories[label] = train(model, make_optimizer(model.parameters()), X_train, y_train,
                                 epochs, SWEEP_BATCH, seed=0)
    return histories


try:
    fig, ax = plt.subplots(figsize=(6, 3.6))
    for label, history in compare_optimisers().items():
        ax.plot(range(1, len(history) + 1), history, "o-", ms=3, label=label)
    ax.set(xlabel="epoch", ylabel="training loss", yscale="log", title="Three optimisers")
    ax.legend(fontsize=8)
    plt.show()
except Exception as error:  # noqa: BLE001  (an unfinished answer above: say so, carry on)
    plt.close("all")
    print(f"The comparison needs train, momentum_step and adam_step: {type(error).__name__}")

# %% [markdown]
# ## Part 5 — Initialisation: why the scale of the first weights matters
#
# Lourenzutti's tutorial starts its network with weights drawn with standard deviation 0.001. For
# its two small layers that works; for a deep network it does not. Push a batch through many
# layers and watch the spread of the activations: in a layer with $n_\text{in}$ inputs and
# weights of standard deviation $\sigma$, each output sums $n_\text{in}$ terms, so its variance is
# about $n_\text{in}\sigma^2$ times that of the inputs (half that after a ReLU, which zeroes
# half of them). Unless that factor is 1, twenty layers multiply it twenty times: the activations
# **vanish** towards 0 or **explode**, and so do the gradients that flow back through the same
# weights.
#
# Two scalings keep the factor near 1:
#
# - **He** (for ReLU): $\sigma = \sqrt{2 / n_\text{in}}$, which makes up for the half the ReLU zeroes;
# - **Glorot and Bengio**, often called **Xavier** (for tanh and the like):
#   $\sigma = \sqrt{2 / (n_\text{in} + n_\text{out})}$, a compromise between the forward and the
#   backward pass.
#
# Write `he_std(fan_in)`, `xavier_std(fan_in, fan_out)`, and `activation_stds(X, weights,
# activation)`: start from `h = X`, and for every matrix `W` in the list `weights` (shape
# `(n_in, n_out)`, so a layer is `h @ W`, without biases) set `h = activation(h @ W)`; return a
# NumPy array with the standard deviation of all entries of `h` (`np.std`) after every layer, one
# number per layer.

# %% nbgrader={"grade": false, "grade_id": "init", "locked": false, "schema_version": 3, "solution": true, "task": false}
def he_std(fan_in):
    """The standard deviation of He initialisation for a layer with fan_in inputs."""
    ### BEGIN SOLUTION
    return np.sqrt(2.0 / fan_in)
    ### END SOLUTION


def xavier_std(fan_in, fan_out):
    """The standard deviation of Glorot-Bengio (Xavier) initialisation."""
    ### BEGIN SOLUTION
    return np.sqrt(2.0 / (fan_in + fan_out))
    ### END SOLUTION


def activation_stds(X, weights, activation):
    """np.std of the activations after each layer h = activation(h @ W), one per W in weights."""
    ### BEGIN SOLUTION
    h, stds = X, []
    for W in weights:
        h = activation(h @ W)
        stds.append(np.std(h))
    return np.array(stds)
    ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "test_init_scales", "locked": true, "points": 2, "schema_version": 3, "solution": false, "task": false}
"""he_std and xavier_std: single positive numbers that shrink as the layers widen."""
for value_, name_ in ((he_std(100), "he_std(100)"), (xavier_std(100, 50), "xavier_std(100, 50)")):
    check_number(value_, name_)
    check_that(0 < as_number(value_, name_) < 1, f"`{name_}` should be a small positive number.")
check_that(he_std(400) < he_std(100), "Wider layers need smaller weights: he_std(400) < he_std(100).")
known.confirm(np.array([as_number(he_std(n), "he_std") for n in (3, 17, 100, 511)]),
              "he_std of 3, 17, 100 and 511 inputs")
known.confirm(np.array([as_number(xavier_std(n_in, n_out), "xavier_std")
                        for n_in, n_out in ((3, 5), (17, 2), (100, 40), (511, 64))]),
              "xavier_std of four layers")
### BEGIN HIDDEN TESTS
check_close(he_std(128), np.sqrt(2 / 128), "he_std(128)")
check_close(he_std(3), np.sqrt(2 / 3), "he_std(3)")
check_close(xavier_std(100, 50), np.sqrt(2 / 150), "xavier_std(100, 50)")
check_close(xavier_std(7, 2), np.sqrt(2 / 9), "xavier_std(7, 2)")
### END HIDDEN TESTS

# %% nbgrader={"grade": true, "grade_id": "test_activation_stds", "locked": true, "points": 3, "schema_version": 3, "solution": false, "task": false}
"""activation_stds: one standard deviation per layer, of the activations after it."""
rng_ = np.random.default_rng(0)
layers_ = [rng_.normal(size=(4, 6)), rng_.normal(size=(6, 3))]
stds_ = activation_stds(rng_.normal(size=(5, 4)), layers_, np.tanh)
check_array(stds_, "activation_stds(...) for two layers", shape=(2,))
check_that(np.all(stds_ > 0), "A standard deviation of tanh activations should be positive here.")
four_ = [rng_.normal(size=(4, 6)), rng_.normal(size=(6, 5)), rng_.normal(size=(5, 5)), rng_.normal(size=(5, 3))]
known.confirm(activation_stds(rng_.normal(size=(8, 4)), four_, lambda z: np.maximum(z, 0)),
              "activation_stds of a random batch through four random ReLU layers")
### BEGIN HIDDEN TESTS
rng_ = np.random.default_rng(21)
inputs_ = rng_.normal(size=(9, 5))
chain_ = [rng_.normal(size=(5, 7)), 0.5 * rng_.normal(size=(7, 3)), rng_.normal(size=(3, 2))]
### BEGIN REFERENCE
def reference_stds_(h, weights, f):
    out = []
    for W in weights:
        h = f(h @ W)
        out.append(np.std(h))
    return np.array(out)
### END REFERENCE


check_close(activation_stds(inputs_, chain_, np.tanh), reference_stds_(inputs_, chain_, np.tanh),
            "activation_stds with tanh, layers (5, 7), (7, 3), (3, 2)")
relu_ = lambda z: np.maximum(z, 0)  # noqa: E731
check_close(activation_stds(inputs_, chain_, relu_), reference_stds_(inputs_, chain_, relu_),
            "activation_stds with ReLU")
### END HIDDEN TESTS

# %% [markdown]
# The experiment: 500 random inputs through 20 layers of 256 units, with the weights of every
# layer drawn with four standard deviations: Lourenzutti's 0.001, plain 1, Xavier and He, once with
# ReLU and once with tanh. The vertical axis is logarithmic: a straight line going down is an
# activation vanishing by the same factor at every layer, one going up is one exploding.

# %% nbgrader={"grade": false, "grade_id": "depth_experiment", "locked": true, "schema_version": 3, "solution": false, "task": false}
DEPTH, WIDTH = 20, 256
SCALES = {"0.001 (Lourenzutti)": lambda n_in, n_out: 0.001,
          "1": lambda n_in, n_out: 1.0,
          "Xavier": lambda n_in, n_out: xavier_std(n_in, n_out),
          "He": lambda n_in, n_out: he_std(n_in)}


def depth_experiment():
    """{activation name: {scale name: activation_stds through DEPTH layers}}."""
    rng = np.random.default_rng(0)
    inputs = rng.normal(size=(500, WIDTH))
    activations = {"ReLU": lambda z: np.maximum(z, 0), "tanh": np.tanh}
    results = {}
    for act_name, activation in activations.items():
        results[act_name] = {}
        for scale_name, scale in SCALES.items():
            weights = [rng.normal(0.0, scale(WIDTH, WIDTH), size=(WIDTH, WIDTH))
                       for _ in range(DEPTH)]
            results[act_name][scale_name] = activation_stds(inputs, weights, activation)
    return results


try:
    results = depth_experiment()
    fig, axes = plt.subplots(1, 2, figsize=(11, 4), sharey=True)
    for ax, (act_name, curves) in zip(axes, results.items(), strict=True):
        for scale_name, stds in curves.items():
            ax.plot(range(1, DEPTH + 1), np.maximum(stds, 1e-300), "o-", ms=3,
                    label=f"σ = {scale_name}")
        ax.set(yscale="log", xlabel="layer", title=f"{act_name} network, {WIDTH} units a layer")
        ax.axhspan(0.1, 10, color="green", alpha=0.25, lw=0, label="neither vanishing nor exploding")
    axes[0].set_ylabel("standard deviation of the activations")
    axes[1].legend(fontsize=8)
    fig.tight_layout()
    plt.show()
except Exception as error:  # noqa: BLE001  (an unfinished answer above: say so, carry on)
    plt.close("all")
    print(f"The experiment needs he_std, xavier_std and activation_stds: {type(error).__name__}")

# %% [markdown]
# With tanh, $\sigma = 1$ cannot explode, since tanh stays between -1 and 1, but it fails in another
# way: almost every unit sits near $\pm 1$, where the slope of tanh is almost 0, so the gradients
# vanish on the way back instead. Xavier and He keep the tanh units in their useful middle range.
#
# Read the picture: which of the four scalings keeps the activations of the **ReLU** network
# inside the shaded band, neither vanishing nor exploding, through all 20 layers? Set
# `relu_choice` to its name as written in `SCALES` (one of `"0.001 (Lourenzutti)"`, `"1"`,
# `"Xavier"`, `"He"`).

# %% nbgrader={"grade": false, "grade_id": "relu_choice", "locked": false, "schema_version": 3, "solution": true, "task": false}
### BEGIN SOLUTION
relu_choice = "He"
### END SOLUTION

# %% nbgrader={"grade": true, "grade_id": "test_relu_choice", "locked": true, "points": 1, "schema_version": 3, "solution": false, "task": false}
"""relu_choice: one of the names in SCALES."""
check_that(relu_choice in SCALES, f"`relu_choice` should be one of {sorted(SCALES)}.")
### BEGIN HIDDEN TESTS
check_close(float(relu_choice == "He"), 1.0, "relu_choice")
### END HIDDEN TESTS

# %% [markdown]
# ## What you practised
#
# You kept a test set aside and touched it once, checked a network before training it (its loss
# starts near $\ln 10$; it can learn 20 images by heart), swept the learning rate over three
# orders of magnitude and chose it on the validation set, wrote momentum and Adam exactly as
# PyTorch runs them, and saw why the first weights of a deep network are scaled by its width.
# These are the habits that make the difference between a network that trains and one that
# seems to.

# %% [markdown]
# ## Where you stand
#
# Run the cell below whenever you like: it runs every check of this notebook again and prints one line for each, the first thing to fix at the top, and a known mistake by its name. It shows no answers and no tracebacks. Its last line says what the checks cannot decide: the points of the cells whose values no check compares with the right ones, which only the graded run decides. A line of ticks is a good sign, not a promise of full marks.

# %% nbgrader={"grade": false, "grade_id": "summary", "locked": true, "schema_version": 3, "solution": false, "task": false}
from workbook.summary import summarise

summarise("training.ipynb")
