"""Tests of the tests for assignment 6: a scalar autograd (Value, backward) and an MLP of Values."""

from instructor.authoring.edits import Edit, Mistake, Variant
from instructor.authoring.planted.neural_network import ONE_CELL_CLASS

ASSIGNMENT = "06_autograd"
NOTEBOOK = "autograd"

GRADS = ("test_finite_differences", "test_torch")
NETWORK = ("test_mlp_vs_nn", "test_train")

MISTAKES = [
    # += at fan-out
    Mistake(
        "= where += is needed in the backward of a product",
        (Edit("add_mul", "self.grad += other.data * out.grad\n        other.grad += self.data",
              "self.grad = other.data * out.grad\n        other.grad = self.data"),),
        loses=("test_backward_fanout", *GRADS, *NETWORK),
    ),
    Mistake(
        "= where += is needed in the backward of a sum",
        (Edit("add_mul", "self.grad += out.grad\n        other.grad += out.grad",
              "self.grad = out.grad\n        other.grad = out.grad"),),
        loses=("test_backward_fanout", *NETWORK),
    ),
    # the order of the backward pass
    Mistake(
        "no topological order: each node calls its own _backward, then its inputs'",
        (Edit("backward", None, '''
def backward(self):
    self.grad = 1.0

    def push(node):
        node._backward()
        for child in node._prev:
            push(child)

    push(self)


Value.backward = backward
'''),),
        loses=("test_backward_order", *GRADS, *NETWORK),
    ),
    Mistake(
        "topological order walked forwards, not in reverse",
        (Edit("backward", "for node in reversed(order):", "for node in order:"),),
        loses=("test_graph_L", "test_backward_fanout", "test_backward_order", "test_ops_grad",
               "test_functions_grad", *GRADS, *NETWORK),
    ),
    Mistake(
        "depth-first search without a visited set: shared nodes pass their grad on twice",
        (Edit("backward", "if id(node) not in visited:", "if True:"),),
        loses=("test_backward_order", *GRADS, *NETWORK),
    ),
    Mistake(
        "the output's grad never seeded with 1",
        (Edit("backward", "    self.grad = 1.0\n", ""),),
        loses=("test_graph_L", "test_backward_fanout", "test_backward_order", "test_ops_grad",
               "test_functions_grad", *NETWORK),
    ),
    Mistake(
        "backward() resets every grad before it starts, where it should only add",
        (Edit("backward", "    visit(self)\n    self.grad = 1.0\n",
              "    visit(self)\n    for node in order:\n        node.grad = 0.0\n"
              "    self.grad = 1.0\n"),),
        loses=("test_backward_twice",),
    ),
    # grads reset between steps
    Mistake(
        "train without model.zero_grad(): grads pile up from step to step",
        (Edit("train", "        model.zero_grad()\n", ""),),
        loses=("test_train",),
    ),
    Mistake(
        "zero_grad resets only the last layer",
        (Edit("layer_mlp", "for p in self.parameters():\n            p.grad = 0.0",
              "for p in self.layers[-1].parameters():\n            p.grad = 0.0"),),
        loses=("test_zero_grad", "test_train"),
    ),
    # local derivatives
    Mistake(
        "tanh' taken as 1 - t",
        (Edit("functions", "(1 - t**2) * out.grad", "(1 - t) * out.grad"),),
        loses=("test_functions_grad", *GRADS),
    ),
    Mistake(
        "tanh' taken as t ** 2",
        (Edit("functions", "(1 - t**2) * out.grad", "t**2 * out.grad"),),
        loses=("test_functions_grad", *GRADS),
    ),
    Mistake(
        "tanh' written with the input: 1 - x ** 2",
        (Edit("functions", "(1 - t**2) * out.grad", "(1 - self.data**2) * out.grad"),),
        loses=("test_functions_grad", *GRADS),
    ),
    Mistake(
        "power rule as n * x ** n",
        (Edit("more_ops", "+= n * self.data ** (n - 1)", "+= n * self.data**n"),),
        loses=("test_ops_grad", *GRADS, *NETWORK),
    ),
    Mistake(
        "power rule without the factor n",
        (Edit("more_ops", "+= n * self.data ** (n - 1)", "+= self.data ** (n - 1)"),),
        loses=("test_ops_grad", *GRADS, *NETWORK),
    ),
    Mistake(
        "exp' written with the input instead of the output",
        (Edit("functions", "self.grad += out.data * out.grad",
              "self.grad += self.data * out.grad"),),
        loses=("test_functions_grad", *GRADS),
    ),
    Mistake(
        "relu'(0) taken as 1, where this notebook takes 0",
        (Edit("functions", "(self.data > 0) * out.grad", "(self.data >= 0) * out.grad"),),
        loses=("test_functions_grad",),
    ),
    Mistake(
        "relu passes the gradient on also where its input is negative",
        (Edit("functions", "(self.data > 0) * out.grad", "out.grad"),),
        loses=("test_functions_grad", *GRADS, *NETWORK),
    ),
    # reflected and derived operators
    Mistake(
        "__rmul__ missing (2 * v fails)",
        (Edit("more_ops", "Value.__rmul__ = __rmul__\n", ""),),
        loses=("test_more_ops", "test_ops_grad", "test_graph_L", *GRADS),
    ),
    Mistake(
        "__radd__ missing (1 + v and sum() fail)",
        (Edit("more_ops", "Value.__radd__ = __radd__\n", ""),),
        loses=("test_more_ops", "test_ops_grad", *GRADS, "test_mse_loss", *NETWORK),
    ),
    Mistake(
        "v - w computed as w - v",
        (Edit("more_ops", "return self + (-as_value(other))", "return other + (-self)"),),
        loses=("test_more_ops", "test_ops_grad", "test_torch"),
    ),
    Mistake(
        "1 - v computed as v - 1",
        (Edit("more_ops", "return as_value(other) + (-self)", "return self + (-as_value(other))"),),
        loses=("test_more_ops", "test_ops_grad", "test_torch"),
    ),
    Mistake(
        "2 / v computed as v / 2",
        (Edit("more_ops", "return as_value(other) * self**-1",
              "return self * as_value(other) ** -1"),),
        loses=("test_more_ops", "test_ops_grad", "test_torch"),
    ),
    # the network
    Mistake(
        "a ReLU on the MLP's output layer too",
        (Edit("layer_mlp", "relu=k < last", "relu=True"),),
        loses=("test_mlp", *NETWORK),
    ),
    Mistake(
        "a Neuron without its bias",
        (Edit("neuron", "x, strict=True)), self.b)", "x, strict=True)), 0)"),),
        loses=("test_neuron", "test_mlp", *NETWORK),
    ),
    Mistake(
        "mse_loss without the 1/2",
        (Edit("mse_loss", "return total / (2 * len(X))", "return total / len(X)"),),
        loses=("test_mse_loss", *NETWORK),
    ),
    Mistake(
        "train steps uphill: p.data + learning_rate * p.grad",
        (Edit("train", "p.data -= learning_rate * p.grad", "p.data += learning_rate * p.grad"),),
        loses=("test_train",),
    ),
]

RECURSIVE_SORT = '''
def topological_order(node, seen=None):
    """Every node below `node`, inputs before the nodes made from them."""
    seen = set() if seen is None else seen
    if node in seen:
        return []
    seen.add(node)
    order = []
    for child in node._prev:
        order += topological_order(child, seen)
    return order + [node]


def backward(self):
    self.grad = 1
    for node in topological_order(self)[::-1]:
        node._backward()


Value.backward = backward
'''

ITERATIVE_SORT = '''
def backward(self):
    order, seen, stack = [], set(), [(self, False)]
    while stack:
        node, expanded = stack.pop()
        if expanded:
            order.append(node)
            continue
        if id(node) in seen:
            continue
        seen.add(id(node))
        stack.append((node, True))
        for child in node._prev:
            if id(child) not in seen:
                stack.append((child, False))
    self.grad = 1.0
    for node in order[::-1]:
        node._backward()


Value.backward = backward
'''

COUNTED_USES = '''
def backward(self):
    """Kahn's algorithm: a node passes its grad on once every node that uses it has."""
    uses, seen, todo = {}, {id(self)}, [self]
    while todo:
        node = todo.pop()
        for child in node._prev:
            uses[id(child)] = uses.get(id(child), 0) + 1
            if id(child) not in seen:
                seen.add(id(child))
                todo.append(child)
    self.grad = 1.0
    ready = [self]
    while ready:
        node = ready.pop()
        node._backward()
        for child in node._prev:
            uses[id(child)] -= 1
            if uses[id(child)] == 0:
                ready.append(child)


Value.backward = backward
'''

DIRECT_OPS = '''
def __neg__(self):
    out = Value(-self.data, (self,), "neg")

    def _backward():
        self.grad -= out.grad

    out._backward = _backward
    return out


def __sub__(self, other):
    other = as_value(other)
    out = Value(self.data - other.data, (self, other), "-")

    def _backward():
        self.grad += out.grad
        other.grad -= out.grad

    out._backward = _backward
    return out


def __radd__(self, other):
    return as_value(other) + self


def __rmul__(self, other):
    return as_value(other) * self


def __rsub__(self, other):
    return as_value(other) - self


def __pow__(self, n):
    assert isinstance(n, (int, float)), "only number exponents"
    out = Value(math.pow(self.data, n), (self,), "pow")

    def _backward():
        self.grad += out.grad * n * math.pow(self.data, n - 1)

    out._backward = _backward
    return out


def __truediv__(self, other):
    other = as_value(other)
    out = Value(self.data / other.data, (self, other), "/")

    def _backward():
        self.grad += out.grad / other.data
        other.grad -= out.grad * self.data / other.data**2

    out._backward = _backward
    return out


def __rtruediv__(self, other):
    return as_value(other) / self


Value.__neg__ = __neg__
Value.__sub__ = __sub__
Value.__radd__ = __radd__
Value.__rmul__ = __rmul__
Value.__rsub__ = __rsub__
Value.__pow__ = __pow__
Value.__truediv__ = __truediv__
Value.__rtruediv__ = __rtruediv__
'''

COMPOSED_FUNCTIONS = '''
def exp(self):
    out = Value(np.exp(self.data), (self,), "exp")

    def _backward():
        self.grad += np.exp(self.data) * out.grad

    out._backward = _backward
    return out


def tanh(self):
    # built from other Values: backward() differentiates the pieces
    e = (2 * self).exp()
    return (e - 1) / (e + 1)


def relu(self):
    out = Value(max(0.0, self.data), (self,), "ReLU")

    def _backward():
        self.grad += out.grad if out.data > 0 else 0.0

    out._backward = _backward
    return out


Value.exp = exp
Value.tanh = tanh
Value.relu = relu
'''

LOOP_NEURON = '''
class Neuron:
    def __init__(self, n_in, rng, relu=True):
        self.weights = []
        for _ in range(n_in):
            self.weights.append(Value(rng.uniform(-1, 1)))
        self.bias = Value(0)
        self.relu = relu

    def __call__(self, x):
        total = Value(0.0)
        for w, xi in zip(self.weights, x):
            total = total + w * xi
        total = total + self.bias
        if self.relu:
            return total.relu()
        return total

    def parameters(self):
        return self.weights + [self.bias]
'''

LOOP_LAYERS = '''
class Layer:
    def __init__(self, n_in, n_out, rng, relu=True):
        self.units = []
        for _ in range(n_out):
            self.units.append(Neuron(n_in, rng, relu=relu))

    def __call__(self, x):
        return [unit(x) for unit in self.units]

    def parameters(self):
        params = []
        for unit in self.units:
            params.extend(unit.parameters())
        return params


class MLP:
    def __init__(self, sizes, rng):
        pairs = list(zip(sizes[:-1], sizes[1:]))
        self.layers = [Layer(n_in, n_out, rng, relu=(i != len(pairs) - 1))
                       for i, (n_in, n_out) in enumerate(pairs)]

    def __call__(self, x):
        out = x
        for layer in self.layers:
            out = layer(out)
        return out

    def parameters(self):
        return sum((layer.parameters() for layer in self.layers), [])

    def zero_grad(self):
        for layer in self.layers:
            for p in layer.parameters():
                p.grad = 0
'''

SUM_LOSS = '''
def mse_loss(model, X, Y):
    squares = [(a - y) * (a - y) for x_row, y_row in zip(X, Y)
               for a, y in zip(model(list(x_row)), y_row)]
    return sum(squares) * (1 / (2 * X.shape[0]))
'''

RESET_AFTER = '''
def train(model, X, Y, steps, learning_rate):
    history = []
    for _ in range(steps):
        J = mse_loss(model, X, Y)
        J.backward()
        for p in model.parameters():
            p.data = p.data - learning_rate * p.grad
        model.zero_grad()
        history.append(J.data)
    return history
'''

VARIANTS = [
    Variant("recursive topological sort returning lists, output seeded with the int 1",
            (Edit("backward", None, RECURSIVE_SORT),)),
    Variant("iterative topological sort with an explicit stack",
            (Edit("backward", None, ITERATIVE_SORT),)),
    Variant("Kahn's algorithm: count the uses of every node",
            (Edit("backward", None, COUNTED_USES),)),
    Variant("every operator its own operation, with its own _backward",
            (Edit("more_ops", None, DIRECT_OPS),)),
    Variant("np.exp, tanh composed of other Values, relu via max",
            (Edit("functions", None, COMPOSED_FUNCTIONS),)),
    Variant(
        "the network with loops, other attribute names, a summed loss, reset after the update",
        (Edit("neuron", None, LOOP_NEURON), Edit("layer_mlp", None, LOOP_LAYERS),
         Edit("mse_loss", None, SUM_LOSS), Edit("train", None, RESET_AFTER)),
    ),
    Variant("Assignment 4 pasted as one class written another way",
            (Edit("assignment4", None, ONE_CELL_CLASS),)),
]
