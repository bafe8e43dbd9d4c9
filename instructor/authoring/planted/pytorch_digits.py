"""Tests of the tests for Assignment 5: from NumPy to PyTorch, on real digits."""

from instructor.authoring.edits import Edit, Mistake, Variant

ASSIGNMENT = "05_pytorch_digits"
NOTEBOOK = "pytorch_digits"

MISTAKES = [
    Mistake(
        "softmax without the max shift (overflows)",
        (Edit("softmax", "np.exp(Z - np.max(Z, axis=1, keepdims=True))", "np.exp(Z)"),),
        loses=("test_softmax",),
    ),
    Mistake(
        "one_hot with the labels off by one, np.eye(k)[y - 1]",
        (Edit("one_hot", "np.eye(k)[y]", "np.eye(k)[y - 1]"),),
        loses=("test_one_hot", "test_numpy_backward", "test_loss_and_grads"),
    ),
    Mistake(
        "cross-entropy summed over the batch, not averaged",
        (Edit("cross_entropy", "-np.mean(log_probs", "-np.sum(log_probs"),),
        loses=("test_cross_entropy",),
    ),
    Mistake(
        "F.cross_entropy given probabilities (a softmax too many) in 1.2",
        (
            Edit(
                "torch_loss",
                "F.cross_entropy(logits.unsqueeze(0), label)",
                "F.cross_entropy(torch.softmax(logits, dim=0).unsqueeze(0), label)",
            ),
        ),
        loses=("test_torch_loss",),
    ),
    Mistake(
        "loss_and_grads without the 1/m of the mean",
        (Edit("loss_and_grads", "one_hot(y, Z2.shape[1])) / m", "one_hot(y, Z2.shape[1]))"),),
        loses=("test_loss_and_grads",),
    ),
    Mistake(
        "loss_and_grads without the ReLU gate on dZ1",
        (Edit("loss_and_grads", '(dZ2 @ params["W2"]) * (Z1 > 0)', '(dZ2 @ params["W2"])'),),
        loses=("test_loss_and_grads",),
    ),
    Mistake(
        "numpy_backward without the 1/m of the mean",
        (Edit("numpy_backward", "dZ = (softmax(Z) - one_hot(y, Z.shape[1])) / m",
              "dZ = softmax(Z) - one_hot(y, Z.shape[1])"),),
        loses=("test_numpy_backward",),
    ),
    Mistake(
        "biases left out of the parameter count",
        (Edit("count_parameters", "n_in * n_out + n_out for", "n_in * n_out for"),),
        loses=("test_count_parameters",),
    ),
    Mistake(
        "the 24 x 24 input size of the slides (the images are 28 x 28)",
        (Edit("mnist_model", "nn.Linear(28 * 28, 512)", "nn.Linear(24 * 24, 512)"),),
        loses=("test_mnist_model",),
    ),
    Mistake(
        "the last and partial mini-batch of each epoch skipped",
        (
            Edit(
                "train_epoch",
                "range(0, X.shape[0], batch_size)",
                "range(0, X.shape[0] - batch_size, batch_size)",
            ),
        ),
        loses=("test_train_epoch",),
    ),
    Mistake(
        "train_epoch steps uphill: p + learning_rate * grad",
        (Edit("train_epoch", "params[key] -= learning_rate * grads[key]",
              "params[key] += learning_rate * grads[key]"),),
        loses=("test_train_epoch", "test_numpy_test_accuracy"),
    ),
    Mistake(
        "train_epoch takes one step per epoch, on its last batch only",
        (Edit("train_epoch", "        _, grads = loss_and_grads(X[batch], y[batch], params)\n"
              "        for key in params:\n            params[key] -= learning_rate * grads[key]",
              "        pass\n    _, grads = loss_and_grads(X[batch], y[batch], params)\n"
              "    for key in params:\n        params[key] -= learning_rate * grads[key]"),),
        loses=("test_train_epoch", "test_numpy_test_accuracy"),
    ),
    Mistake(
        "numpy_test_accuracy measured on the training set",
        (
            Edit(
                "numpy_test_accuracy",
                "accuracy(forward(X_test, params), y_test)",
                "accuracy(forward(X_train, params), y_train)",
            ),
        ),
        loses=("test_numpy_test_accuracy",),
    ),
    Mistake(
        "train_step without optimizer.zero_grad()",
        (Edit("train_step", "optimizer.zero_grad()\n    ", ""),),
        loses=("test_train_step",),
    ),
    Mistake(
        "train_step gives F.cross_entropy probabilities (a softmax too many)",
        (
            Edit(
                "train_step",
                "F.cross_entropy(model(X_batch), y_batch)",
                "F.cross_entropy(torch.softmax(model(X_batch), dim=1), y_batch)",
            ),
        ),
        loses=("test_train_step",),
    ),
    Mistake(
        "a softmax layer at the end of model",
        (
            Edit(
                "model",
                "nn.Linear(HIDDEN, N_CLASSES))",
                "nn.Linear(HIDDEN, N_CLASSES), nn.Softmax(dim=1))",
            ),
        ),
        loses=("test_model",),
    ),
    Mistake(
        "torch_test_accuracy measured on the training set",
        (
            Edit(
                "torch_test_accuracy",
                "torch_accuracy(model, X_test_t, y_test_t)",
                "torch_accuracy(model, X_train_t, y_train_t)",
            ),
        ),
        loses=("test_torch_test_accuracy",),
    ),
    Mistake(
        "confusion matrix transposed (predictions as rows)",
        (
            Edit(
                "confusion_matrix",
                "np.add.at(counts, (y_true, y_pred), 1)",
                "np.add.at(counts, (y_pred, y_true), 1)",
            ),
        ),
        loses=("test_confusion_matrix",),
    ),
]

SEQUENTIAL_NET = """
net = nn.Sequential(
    nn.Linear(2, 2, bias=False), nn.ReLU(),
    nn.Linear(2, 3, bias=False), nn.ReLU(),
    nn.Linear(3, 2, bias=False),
).double()
with torch.no_grad():
    for layer, W in zip(net[::2], NET_WEIGHTS, strict=True):
        layer.weight.copy_(torch.tensor(W))
"""

CUSTOM_MODEL = """
torch.manual_seed(0)


class DigitsNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc1 = nn.Linear(64, HIDDEN)
        self.fc2 = nn.Linear(HIDDEN, N_CLASSES)

    def forward(self, X):
        return self.fc2(F.relu(self.fc1(X)))


model = DigitsNet()
optimizer = torch.optim.SGD(model.parameters(), lr=LEARNING_RATE)
"""

OUTPUT_FIRST_MODEL = """
class DigitsNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.out = nn.Linear(HIDDEN, N_CLASSES)   # created first: other initial weights
        self.hidden = nn.Linear(64, HIDDEN)

    def forward(self, X):
        return self.out(torch.relu(self.hidden(X)))


model = DigitsNet()
optimizer = torch.optim.SGD(model.parameters(), lr=LEARNING_RATE)
"""

VARIANTS = [
    Variant(
        "train_epoch shuffles with rng.choice(m, m, replace=False)",
        (Edit("train_epoch", "order = rng.permutation(X.shape[0])",
              "order = rng.choice(X.shape[0], X.shape[0], replace=False)"),),
    ),
    Variant(
        "a model of its own class that creates its output layer first (other initial weights)",
        (Edit("model", None, OUTPUT_FIRST_MODEL),),
    ),
    Variant(
        "loss_and_grads computed in float32",
        (Edit("loss_and_grads", "    m = X.shape[0]\n",
              "    m = X.shape[0]\n    X = X.astype(np.float32)\n"
              "    params = {k: v.astype(np.float32) for k, v in params.items()}\n"),),
    ),
    Variant(
        "nn.Sequential net and nn.CrossEntropyLoss",
        (
            Edit("net", None, SEQUENTIAL_NET),
            Edit(
                "torch_loss",
                "loss = F.cross_entropy(logits.unsqueeze(0), label)",
                "criterion = nn.CrossEntropyLoss()\nloss = criterion(logits[None, :], label)",
            ),
        ),
    ),
    Variant(
        "nn.Parameter weights and own digits module with zero_grad after the step",
        (
            Edit(
                "net",
                "        with torch.no_grad():\n"
                "            for layer, W in zip([self.hidden1, self.hidden2, self.output],"
                " weights, strict=True):\n"
                "                layer.weight.copy_(torch.from_numpy(W))",
                "        self.hidden1.weight = nn.Parameter(torch.tensor(weights[0]))\n"
                "        self.hidden2.weight = nn.Parameter(torch.tensor(weights[1]))\n"
                "        self.output.weight = nn.Parameter(torch.tensor(weights[2]))",
            ),
            Edit("model", None, CUSTOM_MODEL),
            Edit(
                "train_step",
                "optimizer.zero_grad()\n    loss = F.cross_entropy(model(X_batch), y_batch)\n"
                "    loss.backward()\n    optimizer.step()\n    return loss.item()",
                "loss = nn.CrossEntropyLoss()(model(X_batch), y_batch)\n    loss.backward()\n"
                "    optimizer.step()\n    model.zero_grad()\n    return float(loss)",
            ),
        ),
    ),
    Variant(
        "log-sum-exp softmax and loops and cross-entropy through softmax",
        (
            Edit(
                "numpy_forward",
                "numpy_loss = cross_entropy_from_logits(numpy_logits, np.array([1]))",
                "numpy_loss = float(cross_entropy_from_logits(numpy_logits, np.array([1])))",
            ),
            Edit(
                "softmax",
                "e = np.exp(Z - np.max(Z, axis=1, keepdims=True))\n"
                "    return e / np.sum(e, axis=1, keepdims=True)",
                "top = Z.max(axis=1, keepdims=True)\n"
                "    log_total = top + np.log(np.exp(Z - top).sum(axis=1, keepdims=True))\n"
                "    return np.exp(Z - log_total)",
            ),
            Edit(
                "one_hot",
                "return np.eye(k)[y]",
                "Y = np.zeros((len(y), k))\n    for i, label in enumerate(y):\n"
                "        Y[i, label] = 1.0\n    return Y",
            ),
            Edit(
                "cross_entropy",
                None,
                "def cross_entropy_from_logits(Z, y):\n    P = softmax(Z)\n"
                "    return -np.mean(np.log(P[np.arange(len(y)), y]))",
            ),
            Edit(
                "count_parameters",
                "pairs = zip(layer_sizes[:-1], layer_sizes[1:], strict=True)\n"
                "    return sum(n_in * n_out + n_out for n_in, n_out in pairs)",
                "total = 0\n    for i in range(1, len(layer_sizes)):\n"
                "        total += (layer_sizes[i - 1] + 1) * layer_sizes[i]\n    return total",
            ),
            Edit(
                "confusion_matrix",
                "np.add.at(counts, (y_true, y_pred), 1)",
                "for t, p in zip(y_true, y_pred, strict=True):\n        counts[t, p] += 1",
            ),
        ),
    ),
    Variant(
        "factor 1 over m in dW and db and shuffled indices and new arrays",
        (
            Edit(
                "torch_accuracy",
                None,
                "def torch_accuracy(model, X, y):\n"
                "    with torch.no_grad():\n"
                "        scores = model(X).numpy()\n"
                "    return float(np.mean(scores.argmax(axis=1) == y.numpy()))",
            ),
            Edit(
                "loss_and_grads",
                None,
                "def loss_and_grads(X, y, params):\n"
                "    m = len(X)\n"
                "    Z1 = X @ params['W1'].T + params['b1']\n"
                "    A1 = np.where(Z1 > 0, Z1, 0.0)\n"
                "    Z2 = A1 @ params['W2'].T + params['b2']\n"
                "    dZ2 = softmax(Z2) - one_hot(y, 10)\n"
                "    dZ1 = dZ2 @ params['W2'] * np.where(Z1 > 0, 1.0, 0.0)\n"
                "    grads = {'W2': dZ2.T @ A1 / m, 'b2': dZ2.sum(axis=0) / m,\n"
                "             'W1': dZ1.T @ X / m, 'b1': dZ1.sum(axis=0) / m}\n"
                "    return float(cross_entropy_from_logits(Z2, y)), grads",
            ),
            Edit(
                "train_epoch",
                None,
                "def train_epoch(X, y, params, learning_rate, batch_size, rng):\n"
                "    indices = np.arange(len(X))\n"
                "    rng.shuffle(indices)\n"
                "    start = 0\n"
                "    while start < len(X):\n"
                "        chosen = indices[start:start + batch_size]\n"
                "        grads = loss_and_grads(X[chosen], y[chosen], params)[1]\n"
                "        for name in list(params):\n"
                "            params[name] = params[name] - learning_rate * grads[name]\n"
                "        start += batch_size",
            ),
            Edit(
                "accuracy",
                "return np.mean(np.argmax(Z, axis=1) == y)",
                "return float(np.sum(Z.argmax(axis=1) == y) / len(y))",
            ),
        ),
    ),
]
