"""Does the students' gradient checker judge a network's backward pass correctly?"""

import numpy as np
import pytest

from workbook.gradcheck import (
    compare_gradients,
    gradient_check,
    numerical_gradient,
    numerical_vjp,
    relative_error,
    vjp_agrees,
)


class TanhNet:
    """A 2-layer network with the NN interface: tanh hidden layer, linear output, MSE loss."""

    def __init__(self, seed=0):
        rng = np.random.default_rng(seed)
        self.params = {
            "W1": rng.normal(size=(3, 4)),
            "b1": rng.normal(size=(1, 4)),
            "W2": rng.normal(size=(4, 2)),
            "b2": rng.normal(size=(1, 2)),
        }
        self.loss_function = {"loss": lambda a, Y: np.sum((a - Y) ** 2) / (2 * len(a))}
        self.scale = {}  # multiply a gradient by a factor, to plant a mistake

    def forward_pass(self, X, training=False):
        z1 = X @ self.params["W1"] + self.params["b1"]
        x1 = np.tanh(z1)
        x2 = x1 @ self.params["W2"] + self.params["b2"]
        return {"x0": X, "z1": z1, "x1": x1, "z2": x2, "x2": x2} if training else x2

    def backward_pass(self, X, Y, coef):
        dZ2 = (coef["x2"] - Y) / len(X)
        dZ1 = dZ2 @ self.params["W2"].T * (1 - coef["x1"] ** 2)
        grads = {
            "dZ2": dZ2, "dW2": coef["x1"].T @ dZ2, "db2": dZ2.sum(axis=0, keepdims=True),
            "dZ1": dZ1, "dW1": X.T @ dZ1, "db1": dZ1.sum(axis=0, keepdims=True),
        }
        for name, factor in self.scale.items():
            grads[name] = factor * grads[name]
        return grads


@pytest.fixture
def data():
    rng = np.random.default_rng(1)
    return rng.normal(size=(5, 3)), rng.normal(size=(5, 2))


def test_correct_network_passes(data, capsys):
    """Does a correct backward pass get a tiny error and an 'ok' for every parameter?"""
    errors = gradient_check(TanhNet(), *data)
    assert list(errors) == ["W1", "b1", "W2", "b2"]
    assert max(errors.values()) < 1e-7
    report = capsys.readouterr().out.splitlines()
    assert len(report) == 5
    for line, name in zip(report[1:], errors, strict=True):
        assert line.split()[0] == name and line.endswith("ok")


def test_wrong_gradient_is_flagged_alone(data, capsys):
    """Is a gradient twice too large flagged, with its factor, and only that one?"""
    net = TanhNet()
    net.scale["db1"] = 2.0
    errors = gradient_check(net, *data)
    assert errors["b1"] > 0.3
    assert max(errors[name] for name in ["W1", "W2", "b2"]) < 1e-7
    line = next(ln for ln in capsys.readouterr().out.splitlines() if ln.startswith("b1"))
    assert "MISMATCH" in line and "2 times" in line


def test_sign_flip_and_zero_gradient_get_hints(data, capsys):
    """Does the report name a flipped sign (factor -1) and an all-zero gradient?"""
    net = TanhNet()
    net.scale.update({"dW2": -1.0, "db2": 0.0})
    errors = gradient_check(net, *data)
    assert errors["W2"] > 0.5 and errors["b2"] > 0.5
    out = capsys.readouterr().out
    assert "-1 times" in out and "all zeros" in out


def test_missing_or_misshapen_gradient_is_infinite(data, capsys):
    """Is a missing dW1 or a transposed dW2 reported as such, with an infinite error?"""
    net = TanhNet()
    original = net.backward_pass

    def broken(X, Y, coef):
        grads = original(X, Y, coef)
        del grads["dW1"]
        grads["dW2"] = grads["dW2"].T
        return grads

    net.backward_pass = broken
    errors = gradient_check(net, *data)
    assert errors["W1"] == np.inf and errors["W2"] == np.inf
    out = capsys.readouterr().out
    assert "returned no 'dW1'" in out and "shape (2, 4)" in out


def test_parameters_are_restored_and_quiet_mode_prints_nothing(data, capsys):
    """Does the check leave every parameter exactly as it was, and print nothing if asked?"""
    net = TanhNet()
    before = {name: value.copy() for name, value in net.params.items()}
    gradient_check(net, *data, verbose=False)
    assert capsys.readouterr().out == ""
    for name, value in before.items():
        assert np.array_equal(net.params[name], value)


def test_integer_parameters_are_refused(data):
    """Are integer parameters refused with a clear message instead of a wrong answer?"""
    net = TanhNet()
    net.params["b2"] = np.zeros((1, 2), dtype=int)
    with pytest.raises(TypeError, match="b2"):
        gradient_check(net, *data)


def test_a_backward_pass_without_a_dict_is_refused(data):
    """Does a backward_pass that forgot its return get a clear message?"""
    net = TanhNet()
    net.backward_pass = lambda X, Y, coef: None
    with pytest.raises(TypeError, match="returned NoneType"):
        gradient_check(net, *data)


def test_the_check_uses_only_the_networks_own_loss(data):
    """Is the loss the network's own? A network whose loss is doubled fails the check."""
    net = TanhNet()
    loss = net.loss_function["loss"]
    net.loss_function = {"loss": lambda a, Y: 2 * loss(a, Y)}
    errors = gradient_check(net, *data, verbose=False)
    assert min(errors.values()) > 0.3


def test_numerical_gradient_and_relative_error():
    """Do the building blocks agree with a gradient known in closed form?"""
    w = np.array([[1.0, -2.0], [0.5, 3.0]])
    grad = numerical_gradient(lambda: np.sum(w**3), w)
    assert relative_error(grad, 3 * w**2) < 1e-8
    assert relative_error(grad, -3 * w**2) == pytest.approx(1.0)


def test_tiny_gradients_are_flagged_as_unreliable(data, capsys):
    """Does the report warn, instead of blaming the student, when weights are tiny?"""
    net = TanhNet()
    net.params = {name: 1e-6 * value for name, value in net.params.items()}
    errors = gradient_check(net, *data)
    assert errors["W1"] > 1e-6
    line = next(ln for ln in capsys.readouterr().out.splitlines() if ln.startswith("W1"))
    assert "rounding may dominate" in line


def test_one_entry_parameter_gets_no_meaningless_factor(capsys):
    """Does a wrong one-entry bias get a sign hint, never 'x times the finite differences'?"""
    rng = np.random.default_rng(1)
    X, Y = rng.normal(size=(5, 3)), rng.normal(size=(5, 1))
    net = TanhNet()
    net.params["W2"], net.params["b2"] = net.params["W2"][:, :1], net.params["b2"][:, :1]
    net.scale["db2"] = 1.7
    errors = gradient_check(net, X, Y)
    assert errors["b2"] > 0.1
    line = next(ln for ln in capsys.readouterr().out.splitlines() if ln.startswith("b2"))
    assert "MISMATCH" in line and "times" not in line and "right sign" in line
    net.scale["db2"] = -1.0
    gradient_check(net, X, Y)
    line = next(ln for ln in capsys.readouterr().out.splitlines() if ln.startswith("b2"))
    assert "opposite sign" in line


def test_small_gradients_of_a_large_loss_are_flagged(capsys):
    """With a loss in the millions, are small gradients flagged as unjudgeable, not as wrong?"""
    rng = np.random.default_rng(1)
    X, Y = rng.normal(size=(5, 3)), 3000 + rng.normal(size=(5, 2))
    net = TanhNet()
    net.params = {name: 1e-3 * value for name, value in net.params.items()}
    errors = gradient_check(net, X, Y)
    out = capsys.readouterr().out
    w1 = next(ln for ln in out.splitlines() if ln.startswith("W1"))
    assert errors["W1"] > 1e-6 and "rounding may dominate" in w1


def _layer(seed=2):
    """A small layer out = tanh(x @ w), its inputs and an upstream gradient dout."""
    rng = np.random.default_rng(seed)
    return rng.normal(size=(4, 3)), rng.normal(size=(3, 5)), rng.normal(size=(4, 5))


def test_numerical_vjp_is_what_a_backward_function_returns():
    """Does numerical_vjp give dout pushed back through the layer, and leave its input as it was?"""
    x, w, dout = _layer()
    saved = x.copy()
    numeric = numerical_vjp(lambda: np.tanh(x @ w), x, dout)
    exact = (dout * (1 - np.tanh(x @ w) ** 2)) @ w.T
    assert relative_error(numeric, exact) < 1e-8
    assert np.array_equal(x, saved)
    loss = numerical_vjp(lambda: np.sum(np.tanh(x @ w)), w, 1.0)   # a loss: dout = 1
    assert relative_error(loss, x.T @ (1 - np.tanh(x @ w) ** 2)) < 1e-8


def test_vjp_agrees_accepts_float32_and_refuses_mistakes():
    """Does vjp_agrees accept a right gradient, computed in float64 or in float32, and refuse a
    wrong factor, a missing term, a transpose and a wrong shape?"""
    x, w, dout = _layer()
    exact = (dout * (1 - np.tanh(x @ w) ** 2)) @ w.T
    assert vjp_agrees(exact, lambda: np.tanh(x @ w), x, dout)
    x32 = lambda: np.tanh(x.astype(np.float32) @ w.astype(np.float32))  # noqa: E731
    assert vjp_agrees(exact.astype(np.float32), x32, x, dout)
    assert relative_error(exact, numerical_vjp(x32, x, dout)) > 1e-6   # the reason for it
    assert not vjp_agrees(2 * exact, lambda: np.tanh(x @ w), x, dout)
    assert not vjp_agrees(dout @ w.T, lambda: np.tanh(x @ w), x, dout)
    square = np.random.default_rng(3).normal(size=(3, 3))
    assert not vjp_agrees(dout[:3, :3] @ square, lambda: x[:3] @ square, x[:3], dout[:3, :3])
    assert not vjp_agrees(exact.T, lambda: np.tanh(x @ w), x, dout)


def test_compare_gradients_names_the_first_that_disagrees(capsys):
    """Does compare_gradients go in the order given, print a row each, and return the first
    gradient that is wrong, missing or misshapen (None when all agree)?"""
    rng = np.random.default_rng(4)
    reference = {"c": rng.normal(size=(2, 3)), "b": rng.normal(size=(1, 3)),
                 "a": rng.normal(size=3)}
    order = ["c", "b", "a"]
    assert compare_gradients(dict(reference), reference, order=order) is None
    report = capsys.readouterr().out.splitlines()
    assert [line.split()[0] for line in report[1:4]] == order and report[-1] == "all agree"
    wrong = {**reference, "b": 1.01 * reference["b"], "a": 2 * reference["a"]}
    assert compare_gradients(wrong, reference, order=order, verbose=False) == "b"
    assert compare_gradients({**reference, "b": reference["b"][0]}, reference,
                             order=order) == "b"
    assert "WRONG SHAPE (3,), should be (1, 3)" in capsys.readouterr().out
    assert compare_gradients({"c": reference["c"]}, reference, order=order,
                             verbose=False) == "b"
    float32 = {name: value.astype(np.float32) for name, value in reference.items()}
    assert compare_gradients(float32, reference, order=order, verbose=False) is None


def test_compare_gradients_reads_tensors():
    """Are torch tensors (a .grad, say) read as arrays, without the gradient graph?"""
    torch = pytest.importorskip("torch")
    value = torch.tensor([[1.0, -2.0]], dtype=torch.float64, requires_grad=True)
    (value ** 2).sum().backward()
    assert compare_gradients({"v": np.array([[2.0, -4.0]])}, {"v": value.grad},
                             verbose=False) is None
    assert compare_gradients({"v": value * 2}, {"v": np.array([[2.0, -4.0]])},
                             verbose=False) is None
