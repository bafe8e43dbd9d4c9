"""Tests of the tests for Assignment 7: splits, sanity checks, learning rates, optimisers, init."""

from instructor.authoring.edits import Edit, Mistake, Variant

ASSIGNMENT = "07_training"
NOTEBOOK = "training"

TRAINED = ("test_train", "test_sweep")   # every trained number changes with a broken train

MISTAKES = [
    # the split
    Mistake(
        "validation fraction taken of the rows left after the test set",
        (Edit("split_indices", "round(val_fraction * n)", "round(val_fraction * (n - n_test))"),),
        loses=("test_split_indices",),
    ),
    Mistake(
        "int() where round() is asked for the sizes of the sets",
        (Edit("split_indices", "n_test, n_val = round(test_fraction * n), round(val_fraction * n)",
              "n_test, n_val = int(test_fraction * n), int(val_fraction * n)"),),
        loses=("test_split_indices",),
    ),
    Mistake(
        "rows not shuffled: the test set is the first rows",
        (Edit("split_indices", "np.random.default_rng(seed).permutation(n)", "np.arange(n)"),),
        loses=("test_split_indices",),
    ),
    Mistake(
        "seed ignored: a new split every call",
        (Edit("split_indices", "np.random.default_rng(seed)", "np.random.default_rng()"),),
        loses=("test_split_indices",),
    ),
    Mistake(
        "validation rows drawn from the start of the order, overlapping the test rows",
        (Edit("split_indices", "order[n_test:n_test + n_val]", "order[:n_val]"),),
        loses=("test_split_indices",),
    ),
    # the loss before training
    Mistake(
        "expected initial loss written as ln(1/10)",
        (Edit("initial_loss", "expected_initial_loss = np.log(N_CLASSES)",
              "expected_initial_loss = np.log(1 / N_CLASSES)"),),
        loses=("test_initial_loss",),
    ),
    Mistake(
        "cross-entropy of probabilities (a softmax too many)",
        (Edit("initial_loss", "F.cross_entropy(model(X), y)",
              "F.cross_entropy(torch.softmax(model(X), dim=1), y)"),),
        loses=("test_initial_loss",),
    ),
    Mistake(
        "cross-entropy summed over the rows, not averaged",
        (Edit("initial_loss", "F.cross_entropy(model(X), y)",
              'F.cross_entropy(model(X), y, reduction="sum")'),),
        loses=("test_initial_loss",),
    ),
    # the training loop
    Mistake(
        "gradients never reset: they pile up from batch to batch",
        (Edit("train", "            optimizer.zero_grad()\n", ""),),
        loses=TRAINED,
    ),
    Mistake(
        "one order of the rows drawn for all epochs",
        (Edit("train", "    for _ in range(epochs):\n"
                       "        order = torch.from_numpy(rng.permutation(len(X)))\n",
              "    order = torch.from_numpy(rng.permutation(len(X)))\n"
              "    for _ in range(epochs):\n"),),
        loses=TRAINED,
    ),
    Mistake(
        "a new generator every epoch: the same order of the rows in every epoch",
        (Edit("train", "    rng = np.random.default_rng(seed)\n    history = []\n"
                       "    for _ in range(epochs):\n",
              "    history = []\n    for _ in range(epochs):\n"
              "        rng = np.random.default_rng(seed)\n"),),
        loses=TRAINED,
    ),
    Mistake(
        "the last, smaller mini-batch of each epoch skipped",
        (Edit("train", "range(0, len(X), batch_size)",
              "range(0, len(X) - batch_size + 1, batch_size)"),),
        loses=TRAINED,
    ),
    Mistake(
        "the history records the last mini-batch's loss, not the loss on all rows",
        (Edit("train", "            F.cross_entropy(model(X[batch]), y[batch]).backward()",
              "            loss = F.cross_entropy(model(X[batch]), y[batch])\n"
              "            loss.backward()"),
         Edit("train", "            history.append(F.cross_entropy(model(X), y).item())",
              "            history.append(loss.item())")),
        loses=("test_train",),
    ),
    Mistake(
        "optimizer.step() before backward(): each step uses the previous batch's gradients",
        (Edit("train", "            F.cross_entropy(model(X[batch]), y[batch]).backward()\n"
                       "            optimizer.step()",
              "            optimizer.step()\n"
              "            F.cross_entropy(model(X[batch]), y[batch]).backward()"),),
        loses=TRAINED,
    ),
    Mistake(
        "the tiny subset trained with too small a learning rate",
        (Edit("overfit", "tiny_lr, tiny_epochs = 0.01, 100",
              "tiny_lr, tiny_epochs = 0.0001, 100"),),
        loses=("test_overfit",),
    ),
    # the sweep and the test set
    Mistake(
        "sweep scored on the training set, not the validation set",
        (Edit("sweep", "initial_loss(model, X_val, y_val)",
              "initial_loss(model, X_train, y_train)"),),
        loses=("test_sweep",),
    ),
    Mistake(
        "one model trained on, rate after rate, instead of a fresh one for each",
        (Edit("sweep", "for lr in LEARNING_RATES:\n    model = make_model(0)\n",
              "model = make_model(0)\nfor lr in LEARNING_RATES:\n"),),
        loses=("test_sweep",),
    ),
    Mistake(
        "best rate taken as the one with the highest validation loss",
        (Edit("sweep", "best_lr = min(", "best_lr = max("),),
        loses=("test_best_lr", "test_test_accuracy"),
    ),
    Mistake(
        "the learning rate chosen on the test set, not the validation set",
        (Edit("sweep", "best_lr = min(sweep_val_losses, key=sweep_val_losses.get)",
              "best_lr = min(LEARNING_RATES,\n"
              "              key=lambda lr: initial_loss(sweep_models[lr], X_test, y_test))"),),
        loses=("test_best_lr", "test_test_accuracy"),
    ),
    Mistake(
        "the final accuracy measured on the validation set",
        (Edit("test_accuracy", "X_test, y_test", "X_val, y_val"),),
        loses=("test_test_accuracy",),
    ),
    # momentum and Adam
    Mistake(
        "momentum with dampening: v = beta v + (1 - beta) g",
        (Edit("momentum", 'beta * state["velocity"] + grad',
              'beta * state["velocity"] + (1 - beta) * grad'),),
        loses=("test_momentum",),
    ),
    Mistake(
        "momentum step taken with the gradient, not the velocity",
        (Edit("momentum", 'return param - lr * state["velocity"]',
              "return param - lr * grad"),),
        loses=("test_momentum",),
    ),
    Mistake(
        "Adam without the bias corrections",
        (Edit("adam", 'm_hat, s_hat = state["m"] / (1 - beta1**t), state["s"] / (1 - beta2**t)',
              'm_hat, s_hat = state["m"], state["s"]'),),
        loses=("test_adam",),
    ),
    Mistake(
        "Adam with eps inside the square root",
        (Edit("adam", "np.sqrt(s_hat) + eps", "np.sqrt(s_hat + eps)"),),
        loses=("test_adam",),
    ),
    Mistake(
        "Adam's step count starting at 0",
        (Edit("adam", 'state.get("t", 0) + 1', 'state.get("t", -1) + 1'),),
        loses=("test_adam",),
    ),
    Mistake(
        "Adam's second moment of |g| instead of g squared",
        (Edit("adam", "(1 - beta2) * grad**2", "(1 - beta2) * np.abs(grad)"),),
        loses=("test_adam",),
    ),
    Mistake(
        "both bias corrections with beta1",
        (Edit("adam", '/ (1 - beta2**t)', '/ (1 - beta1**t)'),),
        loses=("test_adam",),
    ),
    # initialisation
    Mistake(
        "He scaling without the 2 (LeCun's 1 / fan_in)",
        (Edit("init", "np.sqrt(2.0 / fan_in)", "np.sqrt(1.0 / fan_in)"),),
        loses=("test_init_scales",),
    ),
    Mistake(
        "He's variance returned as the standard deviation",
        (Edit("init", "np.sqrt(2.0 / fan_in)", "2.0 / fan_in"),),
        loses=("test_init_scales",),
    ),
    Mistake(
        "Xavier from the inputs alone",
        (Edit("init", "np.sqrt(2.0 / (fan_in + fan_out))", "np.sqrt(1.0 / fan_in)"),),
        loses=("test_init_scales",),
    ),
    Mistake(
        "spread measured before the activation",
        (Edit("init", "        h = activation(h @ W)\n        stds.append(np.std(h))",
              "        z = h @ W\n        stds.append(np.std(z))\n        h = activation(z)"),),
        loses=("test_activation_stds",),
    ),
    Mistake(
        "weights applied transposed",
        (Edit("init", "        h = activation(h @ W)\n", "        h = activation(h @ W.T)\n"),),
        loses=("test_activation_stds",),
    ),
    Mistake(
        "the spread of each unit averaged instead of the spread of all entries",
        (Edit("init", "stds.append(np.std(h))", "stds.append(np.std(h, axis=0).mean())"),),
        loses=("test_activation_stds",),
    ),
    Mistake(
        "Xavier chosen for the ReLU network",
        (Edit("relu_choice", 'relu_choice = "He"', 'relu_choice = "Xavier"'),),
        loses=("test_relu_choice",),
        unseen="a choice among four names read off a picture: a visible check would give it away",
    ),
]

LOOSE_TRAIN = '''
def train(model, optimizer, X, y, epochs, batch_size, seed):
    """Mini-batch training; returns the loss on all of (X, y) after each epoch."""
    rng = np.random.default_rng(seed)
    history = []
    for epoch in range(epochs):
        perm = rng.permutation(X.shape[0])
        for i in range(0, X.shape[0], batch_size):
            idx = perm[i:i + batch_size]
            loss = F.cross_entropy(model(X[idx]), y[idx])
            loss.backward()
            optimizer.step()
            model.zero_grad()
        history.append(initial_loss(model, X, y))
    return history
'''

STATEFUL_OPTIMISERS = '''
def momentum_step(param, grad, state, lr, beta=0.9):
    velocity = state.setdefault("v", np.zeros_like(param))
    velocity *= beta
    velocity += grad
    return param - lr * velocity
'''

TORCH_STYLE_ADAM = '''
def adam_step(param, grad, state, lr, beta1=0.9, beta2=0.999, eps=1e-8):
    if not state:
        state.update(step=0, exp_avg=np.zeros_like(param), exp_avg_sq=np.zeros_like(param))
    state["step"] += 1
    state["exp_avg"] = state["exp_avg"] * beta1 + grad * (1 - beta1)
    state["exp_avg_sq"] = state["exp_avg_sq"] * beta2 + grad * grad * (1 - beta2)
    correction1, correction2 = 1 - beta1 ** state["step"], 1 - beta2 ** state["step"]
    denom = np.sqrt(state["exp_avg_sq"]) / np.sqrt(correction2) + eps
    return param - (lr / correction1) * state["exp_avg"] / denom
'''

VARIANTS = [
    Variant(
        "split with np.split, the test rows at the end, via rng.choice",
        (Edit("split_indices", None, '''
def split_indices(n, val_fraction, test_fraction, seed):
    rng = np.random.default_rng(seed)
    order = rng.choice(n, size=n, replace=False)
    n_test, n_val = int(round(test_fraction * n)), int(round(val_fraction * n))
    train, val, test = np.split(order, [n - n_test - n_val, n - n_test])
    return train, val, test
'''),),
    ),
    Variant(
        "train indexing with NumPy rows, zero_grad after the step, history by initial_loss",
        (Edit("train", None, LOOSE_TRAIN),),
    ),
    Variant(
        "initial loss by log_softmax and a mean, as a NumPy float",
        (Edit("initial_loss", "        return F.cross_entropy(model(X), y).item()",
              "        log_probs = torch.log_softmax(model(X), dim=1)\n"
              "        return np.float64(-log_probs[torch.arange(len(y)), y].mean())"),),
    ),
    Variant(
        "another learning rate and epochs for the tiny subset; best rate by sorting",
        (Edit("overfit", "tiny_lr, tiny_epochs = 0.01, 100", "tiny_lr, tiny_epochs = 0.03, 60"),
         Edit("sweep", "best_lr = min(sweep_val_losses, key=sweep_val_losses.get)",
              "best_lr = sorted((loss, lr) for lr, loss in sweep_val_losses.items())[0][1]")),
    ),
    Variant(
        "momentum with a zero velocity kept in place; Adam written as torch.optim.Adam does",
        (Edit("momentum", None, STATEFUL_OPTIMISERS), Edit("adam", None, TORCH_STYLE_ADAM)),
    ),
    Variant(
        "scales with math.sqrt and powers; activation spreads in float32, by a comprehension",
        (Edit("init", "return np.sqrt(2.0 / fan_in)", "return math.sqrt(2 / fan_in)"),
         Edit("init", "return np.sqrt(2.0 / (fan_in + fan_out))",
              "return (2 / (fan_in + fan_out)) ** 0.5"),
         Edit("init", "    h, stds = X, []\n    for W in weights:\n        h = activation(h @ W)\n"
                      "        stds.append(np.std(h))\n    return np.array(stds)",
              "    hs = [np.asarray(X, dtype=np.float32)]\n"
              "    for W in weights:\n"
              "        hs.append(activation(hs[-1] @ W.astype(np.float32)))\n"
              "    return np.array([h.std() for h in hs[1:]], dtype=np.float32)"),
         Edit("init", "def he_std(fan_in):", "import math\n\n\ndef he_std(fan_in):")),
    ),
]
