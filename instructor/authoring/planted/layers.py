"""Tests of the tests for Assignment 8: layers as modules, regularisation, normalisation, a
Solver, and backprop by hand through a PyTorch network."""

from instructor.authoring.edits import Edit, Mistake, Variant

ASSIGNMENT = "08_layers"
NOTEBOOK = "layers"

DROPOUT_FORWARD = '''    mask = (rng.random(x.shape) < 1 - p) / (1 - p)
    return x * mask, (mask, train)'''
BN_RUNNING = (
    '        bn_param["running_mean"] = (1 - momentum) * bn_param["running_mean"] + momentum * mu\n'
    '        bn_param["running_var"] = ((1 - momentum) * bn_param["running_var"]\n'
    "                                   + momentum * var * n / (n - 1))")

RUNNING_UPDATED_ALWAYS = '''
def batchnorm_forward(x, gamma, beta, bn_param):
    eps, momentum = bn_param["eps"], bn_param["momentum"]
    mu, var = x.mean(axis=0), x.var(axis=0)
    n = len(x)
    bn_param["running_mean"] = (1 - momentum) * bn_param["running_mean"] + momentum * mu
    bn_param["running_var"] = ((1 - momentum) * bn_param["running_var"]
                               + momentum * var * n / (n - 1))
    if bn_param["mode"] == "test":
        mu, var = bn_param["running_mean"], bn_param["running_var"]
    xc = x - mu
    inv_std = 1.0 / np.sqrt(var + eps)
    xhat = xc * inv_std
    return gamma * xhat + beta, (xc, var, inv_std, xhat, gamma, eps)
'''

MISTAKES = [
    # Part 1: the affine and ReLU layers, the sandwich, the losses, the network
    Mistake(
        "affine forward without the bias",
        (Edit("affine", "return x @ w + b, (x, w, b)", "return x @ w, (x, w, b)"),),
        loses=("test_affine_forward",),
    ),
    Mistake(
        "dw transposed: dout.T @ x",
        (Edit("affine", "x.T @ dout", "dout.T @ x"),),
        loses=("test_affine_backward",),
    ),
    Mistake(
        "db summed over the features instead of the batch",
        (Edit("affine", "dout.sum(axis=0).reshape(np.shape(b))", "dout.sum(axis=1)"),),
        loses=("test_affine_backward",),
    ),
    Mistake(
        "db kept as a row (1, M) whatever the shape of b",
        (Edit("affine", "dout.sum(axis=0).reshape(np.shape(b))",
              "np.sum(dout, axis=0, keepdims=True)"),),
        loses=("test_affine_backward",),
    ),
    Mistake(
        "ReLU backward masked by the sign of dout, not of the input",
        (Edit("relu", "return dout * (cache > 0)", "return dout * (dout > 0)"),),
        loses=("test_relu",),
    ),
    Mistake(
        "sandwich backward in the forward order: affine first, then ReLU",
        (Edit("sandwich", "    return affine_backward(relu_backward(dout, relu_cache), fc_cache)",
              "    dx, dw, db = affine_backward(dout, fc_cache)\n"
              "    return relu_backward(dx, relu_cache), dw, db"),),
        loses=("test_sandwich",),
    ),
    Mistake(
        "softmax without subtracting the row maximum: large logits overflow",
        (Edit("losses", "shifted = scores - scores.max(axis=1, keepdims=True)",
              "shifted = scores"),),
        loses=("test_softmax_loss",),
    ),
    Mistake(
        "dscores missing the 1/N of the mean",
        (Edit("losses", "return -log_probs[rows, y].mean(), dscores / len(y)",
              "return -log_probs[rows, y].mean(), dscores"),),
        loses=("test_softmax_loss",),
    ),
    Mistake(
        "cross-entropy summed over the rows, not averaged",
        (Edit("losses", "-log_probs[rows, y].mean()", "-log_probs[rows, y].sum()"),),
        loses=("test_softmax_loss",),
    ),
    Mistake(
        "dscores without subtracting the one-hot labels",
        (Edit("losses", "    dscores[rows, y] -= 1\n", ""),),
        loses=("test_softmax_loss",),
    ),
    Mistake(
        "MSE averaged over every entry (np.mean), not summed over the outputs",
        (Edit("losses", "np.sum((a - Y) ** 2) / (2 * len(a))", "np.mean((a - Y) ** 2) / 2"),),
        loses=("test_mse_loss",),
    ),
    Mistake(
        "a ReLU after the output layer too",
        (Edit("mlp_loss", 'out, last_cache = affine_forward(h, params[f"W{layers}"]',
              'out, last_cache = affine_relu_forward(h, params[f"W{layers}"]'),
         Edit("mlp_loss", "= affine_backward(dout, last_cache)",
              "= affine_relu_backward(dout, last_cache)")),
        loses=("test_mlp_any_shape",),
    ),
    Mistake(
        "one cache for every hidden layer: the last one's",
        (Edit("mlp_loss", "caches[layer - 1])", "cache)"),),
        loses=("test_mlp_figure8", "test_mlp_any_shape"),
    ),
    # Part 2: weight decay and dropout
    Mistake(
        "weight decay on the biases too",
        (Edit("weight_decay", 'weights = [name for name in params if name.startswith("W")]',
              "weights = list(params)"),),
        loses=("test_weight_decay",),
    ),
    Mistake(
        "the penalty without its 1/2 (inconsistent with the gradient reg * W)",
        (Edit("weight_decay", "penalty = 0.5 * reg * sum(", "penalty = reg * sum("),),
        loses=("test_weight_decay",),
    ),
    Mistake(
        "the penalty in the loss but not in the gradients",
        (Edit("weight_decay", "grad + reg * params[name] if name in weights else grad",
              "grad"),),
        loses=("test_weight_decay",),
    ),
    Mistake(
        "dropout scaled at test time instead of training time",
        (Edit("dropout", "return x, (None, train)", "return x * (1 - p), (None, train)"),
         Edit("dropout", "(rng.random(x.shape) < 1 - p) / (1 - p)", "rng.random(x.shape) < 1 - p")),
        loses=("test_dropout_forward", "test_dropout_backward"),
    ),
    Mistake(
        "dropout applied in test mode too",
        (Edit("dropout", "    if not train:\n        return x, (None, train)\n", ""),),
        loses=("test_dropout_forward",),
    ),
    Mistake(
        "mask not reused in backward: a new one drawn from the generator",
        (Edit("dropout", "return x * mask, (mask, train)", "return x * mask, ((rng, p), train)"),
         Edit("dropout", "    mask, train = cache\n    return dout * mask if train else dout",
              "    drawn, train = cache\n"
              "    if not train:\n"
              "        return dout\n"
              "    rng, p = drawn\n"
              "    return dout * (rng.random(dout.shape) < 1 - p) / (1 - p)")),
        loses=("test_dropout_backward",),
    ),
    Mistake(
        "p taken as the probability of keeping a unit",
        (Edit("dropout", "(rng.random(x.shape) < 1 - p) / (1 - p)",
              "(rng.random(x.shape) < p) / p"),),
        loses=("test_dropout_forward",),
    ),
    Mistake(
        "dropout backward without the 1/(1 - p) of the forward pass",
        (Edit("dropout", DROPOUT_FORWARD, "    keep = rng.random(x.shape) < 1 - p\n"
                                          "    return x * keep / (1 - p), (keep, train)"),),
        loses=("test_dropout_backward",),
    ),
    Mistake(
        "dropout backward recovers the mask from the output (out != 0)",
        (Edit("dropout", "    return x * mask, (mask, train)",
              "    out = x * mask\n    return out, ((out != 0) / (1 - p), train)"),),
        loses=("test_dropout_backward",),
    ),
    # Part 3: batch norm and layer norm
    Mistake(
        "batch norm normalised with the unbiased variance (N - 1)",
        (Edit("batchnorm_forward", "x.mean(axis=0), x.var(axis=0)",
              "x.mean(axis=0), x.var(axis=0, ddof=1)"),),
        loses=("test_bn_train",),
    ),
    Mistake(
        "running averages updated in test mode too",
        (Edit("batchnorm_forward", None, RUNNING_UPDATED_ALWAYS),),
        loses=("test_bn_test_mode",),
    ),
    Mistake(
        "test mode normalised with the batch's own statistics",
        (Edit("batchnorm_forward",
              'mu, var = bn_param["running_mean"], bn_param["running_var"]',
              "mu, var = x.mean(axis=0), x.var(axis=0)"),),
        loses=("test_bn_test_mode",),
    ),
    Mistake(
        "momentum the other way round: 1 - momentum on the new batch",
        (Edit("batchnorm_forward", BN_RUNNING,
              '        bn_param["running_mean"] = momentum * bn_param["running_mean"] + '
              "(1 - momentum) * mu\n"
              '        bn_param["running_var"] = (momentum * bn_param["running_var"]\n'
              "                                   + (1 - momentum) * var * n / (n - 1))"),),
        loses=("test_bn_running",),
    ),
    Mistake(
        "running variance from the biased variance (PyTorch keeps the unbiased one)",
        (Edit("batchnorm_forward", "momentum * var * n / (n - 1))", "momentum * var)"),),
        loses=("test_bn_running",),
    ),
    Mistake(
        "eps added after the square root",
        (Edit("batchnorm_forward", "1.0 / np.sqrt(var + eps)", "1.0 / (np.sqrt(var) + eps)"),),
        loses=("test_bn_train",),
    ),
    Mistake(
        "batch norm backward: the mean's gradient summed over the wrong axis",
        (Edit("batchnorm_backward", "dmu = -dxc.sum(axis=0)",
              "dmu = -dxc.sum(axis=1, keepdims=True)"),),
        loses=("test_bn_backward",),
    ),
    Mistake(
        "batch norm backward: the mean's gradient missing the 1/N of the batch mean",
        (Edit("batchnorm_backward", "dx = dxc + dmu / n", "dx = dxc + dmu"),),
        loses=("test_bn_backward",),
    ),
    Mistake(
        "batch norm backward: the path of x - mu through the variance forgotten",
        (Edit("batchnorm_backward", "dxc = dxhat * inv_std + dvar * 2 * xc / n",
              "dxc = dxhat * inv_std"),),
        loses=("test_bn_backward",),
    ),
    Mistake(
        "batch norm backward: dgamma summed over the features instead of the batch",
        (Edit("batchnorm_backward", "dgamma = (dout * xhat).sum(axis=0)",
              "dgamma = (dout * xhat).sum(axis=1)"),),
        loses=("test_bn_backward",),
    ),
    Mistake(
        "closed form without the x-hat term",
        (Edit("batchnorm_backward_alt",
              "n * dxhat - dxhat.sum(axis=0) - xhat * (dxhat * xhat).sum(axis=0)",
              "n * dxhat - dxhat.sum(axis=0)"),),
        loses=("test_bn_backward_alt",),
    ),
    Mistake(
        "closed form with dout where gamma * dout belongs",
        (Edit("batchnorm_backward_alt", "dxhat = dout * gamma", "dxhat = dout"),),
        loses=("test_bn_backward_alt",),
    ),
    Mistake(
        "layer norm over the batch axis: batch norm by another name",
        (Edit("layernorm", "    n = len(x)\n    xhat_t, bn_cache = batchnorm_forward("
                           "x.T, np.ones(n), np.zeros(n), make_bn_param(n, eps=eps))\n"
                           "    xhat = xhat_t.T\n",
              "    d = x.shape[1]\n    xhat, bn_cache = batchnorm_forward("
              "x, np.ones(d), np.zeros(d), make_bn_param(d, eps=eps))\n"),
         Edit("layernorm", "batchnorm_backward_alt((dout * gamma).T, bn_cache)\n    return dx_t.T,",
              "batchnorm_backward_alt(dout * gamma, bn_cache)\n    return dx_t,")),
        loses=("test_layernorm",),
    ),
    # Part 4: the network and the Solver
    Mistake(
        "the network keeps dropout on in test mode",
        (Edit("fc_loss", "dropout_forward(h, self.dropout, train, self.dropout_rng)",
              "dropout_forward(h, self.dropout, True, self.dropout_rng)"),),
        loses=("test_fc_regularised",),
    ),
    Mistake(
        "the network keeps batch norm in training mode at test time",
        (Edit("fc_loss", 'bn_param["mode"] = "train" if train else "test"',
              'bn_param["mode"] = "train"'),),
        loses=("test_fc_normalised",),
    ),
    Mistake(
        "the network forgets the weight decay",
        (Edit("fc_loss", "return add_weight_decay(loss, grads, self.params, self.reg)",
              "return loss, grads"),),
        loses=("test_fc_regularised",),
    ),
    Mistake(
        "learning rate decayed after every batch, not every epoch",
        (Edit("solver_train", "        self.lr *= self.lr_decay\n", ""),
         Edit("solver_train", "                self.model.params[name] -= self.lr * grad\n",
              "                self.model.params[name] -= self.lr * grad\n"
              "            self.lr *= self.lr_decay\n")),
        loses=("test_solver_decay",),
    ),
    Mistake(
        "the checkpoint is the parameters themselves, not a copy",
        (Edit("solver_train",
              "self.best_params = {name: value.copy() for name, value in "
              "self.model.params.items()}",
              "self.best_params = self.model.params"),),
        loses=("test_solver_checkpoint",),
    ),
    Mistake(
        "the best parameters never put back after training",
        (Edit("solver_train", "    self.model.params = {name: value.copy() for name, value in "
                              "self.best_params.items()}\n", ""),),
        loses=("test_solver_checkpoint",),
    ),
    Mistake(
        "the rows shuffled once for all epochs",
        (Edit("solver_train", "    for _ in range(self.epochs):\n"
                              "        order = rng.permutation(len(X))\n",
              "    order = rng.permutation(len(X))\n    for _ in range(self.epochs):\n"),),
        loses=("test_solver_history",),
    ),
    Mistake(
        "the last, smaller batch of every epoch dropped",
        (Edit("solver_train", "range(0, len(X), self.batch_size)",
              "range(0, len(X) - self.batch_size + 1, self.batch_size)"),),
        loses=("test_solver_history",),
    ),
    # Part 5: backprop by hand
    Mistake(
        "dlogits without the direct path from log_probs",
        (Edit("backprop_head", 'g["logits"] = g["log_probs"] + g["counts"] * v["counts"]',
              'g["logits"] = g["counts"] * v["counts"]'),),
        loses=("test_backprop_head",),
    ),
    Mistake(
        "dlog_probs missing the 1/N of the mean",
        (Edit("backprop_head", "= -1.0 / n", "= -1.0"),),
        loses=("test_backprop_head",),
    ),
    Mistake(
        "counts_sum's gradient not summed over the row it was broadcast across",
        (Edit("backprop_head", '-g["log_probs"].sum(axis=1, keepdims=True) / v["counts_sum"]',
              '-g["log_probs"] / v["counts_sum"]'),),
        loses=("test_backprop_head",),
    ),
    Mistake(
        "tanh' as 1 - tanh(h)**2, though h already is the tanh",
        (Edit("backprop_body", 'dh * (1 - v["h"] ** 2)', 'dh * (1 - np.tanh(v["h"]) ** 2)'),),
        loses=("test_backprop_batchnorm",),
    ),
    Mistake(
        "var's gradient with the exponent of inv_std (-0.5 instead of -1.5)",
        (Edit("backprop_body", '(v["var"] + EPS) ** -1.5', '(v["var"] + EPS) ** -0.5'),),
        loses=("test_backprop_batchnorm",),
    ),
    Mistake(
        "zc's gradient only through zhat: the branch through var forgotten",
        (Edit("backprop_body", 'g["zhat"] * v["inv_std"] + g["var"] * 2 * v["zc"] / n',
              'g["zhat"] * v["inv_std"]'),),
        loses=("test_backprop_batchnorm",),
    ),
    Mistake(
        "inv_std's gradient without keepdims: shape (H,) instead of (1, H)",
        (Edit("backprop_body", '(g["zhat"] * v["zc"]).sum(axis=0, keepdims=True)',
              '(g["zhat"] * v["zc"]).sum(axis=0)'),),
        loses=("test_backprop_batchnorm",),
    ),
    Mistake(
        "z1's gradient only the direct path: the branch through mu forgotten",
        (Edit("backprop_body", 'g["z1"] = g["zc"] + g["mu"] / n', 'g["z1"] = g["zc"]'),),
        loses=("test_backprop_first_layer",),
    ),
    Mistake(
        "dW1 from the wrong side: dz1.T @ x",
        (Edit("backprop_body", 'v["x"].T @ g["z1"]', 'g["z1"].T @ v["x"]'),),
        loses=("test_backprop_first_layer",),
    ),
]

FLOAT32_LAYERS = '''
def affine_forward(x, w, b):
    x32, w32, b32 = (np.asarray(a, dtype=np.float32) for a in (x, w, b))
    return x32 @ w32 + b32, (x32, w32, b32)


def affine_backward(dout, cache):
    x, w, b = cache
    dout = dout.astype(np.float32)
    return dout @ w.T, x.T @ dout, dout.sum(axis=0).reshape(b.shape)
'''

EINSUM_LAYERS = '''
def affine_forward(x, w, b):
    return np.einsum("nd,dm->nm", x, w) + b, {"x": x, "w": w, "b_shape": np.shape(b)}


def affine_backward(dout, cache):
    dx = np.einsum("nm,dm->nd", dout, cache["w"])
    dw = np.einsum("nd,nm->dm", cache["x"], dout)
    db = np.einsum("nm->m", dout).reshape(cache["b_shape"])
    return dx, dw, db
'''

OTHER_ORDER_LOSSES = '''
def softmax_loss(scores, y):
    n = scores.shape[0]
    top = np.max(scores, axis=1, keepdims=True)
    log_norm = top + np.log(np.sum(np.exp(scores - top), axis=1, keepdims=True))
    probs = np.exp(scores - log_norm)
    one_hot = np.zeros_like(scores)
    one_hot[np.arange(n), y] = 1.0
    loss = np.sum(log_norm[:, 0] - scores[np.arange(n), y]) / n
    return float(loss), (probs - one_hot) / n


def mse_loss(a, Y):
    diff = a - Y
    return np.float32(0.5 * np.einsum("nk,nk->", diff, diff) / len(a)), diff / len(a)
'''

FLOAT_MASK_DROPOUT = '''
def dropout_forward(x, p, train, rng):
    if train:
        keep = (rng.random(x.shape) < 1 - p).astype(x.dtype)
        cache = {"scale": keep / (1 - p), "train": True}
        return x * cache["scale"], cache
    return x.copy(), {"train": False}


def dropout_backward(dout, cache):
    if not cache["train"]:
        return dout.copy()
    return dout * cache["scale"]
'''

BN_OTHER_WAY = '''
def batchnorm_forward(x, gamma, beta, bn_param):
    n = x.shape[0]
    if bn_param["mode"] == "test":
        mean, variance = bn_param["running_mean"], bn_param["running_var"]
    else:
        mean = np.einsum("nd->d", x) / n
        variance = np.einsum("nd,nd->d", x - mean, x - mean) / n
        m = bn_param["momentum"]
        bn_param["running_mean"] *= 1 - m
        bn_param["running_mean"] += m * mean
        bn_param["running_var"] *= 1 - m
        bn_param["running_var"] += m * variance * n / (n - 1)
    std = np.sqrt(variance + bn_param["eps"])
    xhat = (x - mean) / std
    return xhat * gamma + beta, {"x": x, "mean": mean, "std": std, "xhat": xhat, "gamma": gamma}


def batchnorm_backward(dout, cache):
    # the graph walked through the standard deviation instead of its inverse
    n = dout.shape[0]
    x, mean, std, gamma = cache["x"], cache["mean"], cache["std"], cache["gamma"]
    dgamma = np.sum(dout * cache["xhat"], axis=0)
    dbeta = np.sum(dout, axis=0)
    dxhat = dout * gamma
    dxc = dxhat / std
    dstd = -np.sum(dxhat * (x - mean), axis=0) / std**2
    dvar = dstd / (2 * std)
    dxc = dxc + 2 * (x - mean) * dvar / n
    dx = dxc - np.sum(dxc, axis=0) / n
    return dx, dgamma, dbeta


def batchnorm_backward_alt(dout, cache):
    n = dout.shape[0]
    xhat, gamma, std = cache["xhat"], cache["gamma"], cache["std"]
    dxhat = gamma * dout
    mean_dxhat = np.mean(dxhat, axis=0)
    mean_dxhat_xhat = np.einsum("nd,nd->d", dxhat, xhat) / n
    return (dxhat - mean_dxhat - xhat * mean_dxhat_xhat) / std, \\
        np.einsum("nd,nd->d", dout, xhat), dout.sum(axis=0)
'''

LAYERNORM_ALONG_ROWS = '''
def layernorm_forward(x, gamma, beta, eps=1e-5):
    mean = x.mean(axis=1, keepdims=True)
    inv = 1 / np.sqrt(x.var(axis=1, keepdims=True) + eps)
    xhat = (x - mean) * inv
    return gamma * xhat + beta, (xhat, inv, gamma)


def layernorm_backward(dout, cache):
    xhat, inv, gamma = cache
    d = dout.shape[1]
    g = dout * gamma
    dx = inv / d * (d * g - g.sum(axis=1, keepdims=True)
                    - xhat * (g * xhat).sum(axis=1, keepdims=True))
    return dx, (dout * xhat).sum(axis=0), dout.sum(axis=0)
'''

DEEPCOPY_SOLVER = '''
import copy


def train(self):
    data = self.data
    n = data["X_train"].shape[0]
    rng = np.random.default_rng(self.seed)
    for epoch in range(self.epochs):
        shuffled = rng.permutation(n)
        for rows in np.array_split(shuffled, range(self.batch_size, n, self.batch_size)):
            loss, grads = self.model.loss(data["X_train"][rows], data["y_train"][rows])
            self.loss_history.append(loss)
            self.model.params = {k: v - self.lr * grads[k] for k, v in self.model.params.items()}
        self.lr = self.lr * self.lr_decay
        self.train_acc_history.append(self.accuracy(data["X_train"], data["y_train"]))
        val = self.accuracy(data["X_val"], data["y_val"])
        self.val_acc_history.append(val)
        if val > self.best_val_acc:
            self.best_val_acc, self.best_params = val, copy.deepcopy(self.model.params)
    for name, value in self.best_params.items():
        self.model.params[name] = value
'''

HEAD_OTHER_ORDER = '''
def backprop_head(v, y):
    n = y.shape[0]
    picked = np.zeros(v["log_probs"].shape)
    picked[range(n), y] = 1.0
    d_log_probs = -picked / n
    d_counts_sum = -np.sum(d_log_probs, axis=1, keepdims=True) / v["counts_sum"]
    d_counts = np.broadcast_to(d_counts_sum, v["counts"].shape).copy()
    d_logits = d_counts * np.exp(v["logits"])
    d_logits += d_log_probs
    return {"log_probs": d_log_probs, "counts_sum": d_counts_sum, "counts": d_counts,
            "logits": d_logits, "h": d_logits @ v["W2"].T,
            "W2": np.einsum("nh,nc->hc", v["h"], d_logits), "b2": np.einsum("nc->c", d_logits)}
'''

BODY_FLOAT32 = '''
def backprop_body(v, dh):
    v = {k: np.asarray(a, dtype=np.float32) for k, a in v.items()}
    n = dh.shape[0]
    dzbn = dh.astype(np.float32) * (1 - v["h"] * v["h"])
    dzhat = dzbn * v["gamma"]
    dvar = np.sum(dzhat * v["zc"], axis=0, keepdims=True) * -0.5 * (v["var"] + EPS) ** -1.5
    dzc = dzhat * v["inv_std"] + 2 * v["zc"] * dvar / n
    dmu = -np.sum(dzc, axis=0, keepdims=True)
    dz1 = dzc + np.repeat(dmu / n, n, axis=0)
    return {"zbn": dzbn, "gamma": np.sum(dzbn * v["zhat"], axis=0), "beta": np.sum(dzbn, axis=0),
            "zhat": dzhat, "inv_std": np.sum(dzhat * v["zc"], axis=0, keepdims=True),
            "var": dvar, "zc": dzc, "mu": dmu, "z1": dz1, "W1": v["x"].T @ dz1,
            "b1": dz1.sum(axis=0), "x": dz1 @ v["W1"].T}
'''

VARIANTS = [
    Variant(
        "affine layer in float32; ReLU cached by its output",
        (Edit("affine", None, FLOAT32_LAYERS),
         Edit("relu", "return np.maximum(x, 0), x", "out = np.maximum(x, 0)\n    return out, out")),
    ),
    Variant(
        "affine layer by einsum with a dict cache; losses by log-sum-exp and a one-hot matrix",
        (Edit("affine", None, EINSUM_LAYERS), Edit("losses", None, OTHER_ORDER_LOSSES)),
    ),
    Variant(
        "dropout with a float mask in a dict; weight decay by a loop",
        (Edit("dropout", None, FLOAT_MASK_DROPOUT),
         Edit("weight_decay", None, '''
def add_weight_decay(loss, grads, params, reg):
    new_grads, total = dict(grads), loss
    for name, value in params.items():
        if name[0] == "W":
            total = total + reg / 2 * np.vdot(value, value)
            new_grads[name] = grads[name] + reg * value
    return total, new_grads
''')),
    ),
    Variant(
        "batch norm by einsum, running averages updated in place, backward through the std",
        (Edit("batchnorm_forward", None, BN_OTHER_WAY), Edit("batchnorm_backward", None, ""),
         Edit("batchnorm_backward_alt", None, "")),
    ),
    Variant(
        "layer norm written along the rows directly",
        (Edit("layernorm", None, LAYERNORM_ALONG_ROWS),),
    ),
    Variant(
        "Solver with new arrays every step, np.array_split batches and a deep copy",
        (Edit("solver_train", None, DEEPCOPY_SOLVER + "\n\nSolver.train = train\n"),),
    ),
    Variant(
        "backprop by hand in another order, einsum in the head, float32 in the body",
        (Edit("backprop_head", None, HEAD_OTHER_ORDER), Edit("backprop_body", None, BODY_FLOAT32)),
    ),
]
