# %% [markdown]
# # Assignment 6 — Your own autograd
#
# In Assignment 2 you pushed derivatives back through the graph $L = 3(a + bc)$ by hand, one
# local derivative at a time. In Assignment 4 you wrote backpropagation for a whole network as a
# few matrix products. In Assignment 5 you called `loss.backward()` and PyTorch found every
# gradient for you. This assignment opens that last box: you write the engine that
# `backward()` runs, for networks of single numbers, and watch it reproduce everything you
# computed before.
#
# You build, one graded step at a time:
#
# 1. **`Value`**, a number that remembers how it was made: its inputs, the operation, its `data`
#    and, after a backward pass, its `grad`. It supports `+`, `*`, `-`, `/`, powers `**` by a
#    number, `exp`, `tanh` and `relu`, also with a plain number on the left (`2 * v`, `1 - v`),
#    and each operation knows its own local derivative.
# 2. **`backward()`**: put the graph in topological order, then walk it backwards applying the
#    chain rule at every node, **adding up** the gradient of a value that is used more than once.
# 3. **Checks** against what you already trust: the graph $L = 3(a + bc)$ of Assignment 2, finite
#    differences, and PyTorch's `torch.autograd` on the same expressions.
# 4. **A small network made of `Value`s** (`Neuron`, `Layer`, `MLP`) whose gradients agree, number
#    for number, with those of your Assignment 4 `NN` class given the same weights; then a few
#    steps of gradient descent, with the gradients reset between steps.
# 5. **A picture of the graph**: every node with its value and gradient, and the path along which
#    one gradient travels.
#
# **How grading works.** Each step has its own test cells worth 1-3 points. Visible checks tell
# you what is wrong (type, then a property every right answer has) without giving the answer
# away; when the notebook is graded, hidden checks compare with reference numbers. The checks
# against finite differences and PyTorch in Part 3 are visible, so you can run them yourself as
# often as you like. The checks use
# your code only through `Value(x)`, `.data`, `.grad`, `.backward()`, the operators, `.exp()`,
# `.tanh()`, `.relu()` and the classes and functions named below, so you may organise the inside
# of your code as you like. Before you submit, run *Kernel → Restart and Run All*.
#
# **Sources.** The idea of a tiny engine that differentiates expressions of single numbers, with a
# neural-network library on top of it, and the names `Value`, `data`, `grad` and `backward()`,
# come from Andrej Karpathy's **micrograd** (<https://github.com/karpathy/micrograd>, MIT licence).
# The graph $L = 3(a + bc)$ is the one of Assignment 2, from Khiem Nguyen, "Neural network: a
# gentle introduction", University of Glasgow lecture slides
# (<https://github.com/khiemnguyen0407/uog-ml>). The text and code here are written for this
# workbook.

# %% nbgrader={"grade": false, "grade_id": "setup", "locked": true, "schema_version": 3, "solution": false, "task": false}
import math

import matplotlib.pyplot as plt
import numpy as np
import torch

from workbook.checks import check_close, check_number, check_runs, check_that
from workbook.diagrams import draw_computation_graph, graph_path
from workbook.fingerprints import Fingerprints

torch.manual_seed(0)
torch.set_num_threads(1)
known = Fingerprints("autograd")   # recognises known mistakes (see the checks)


# %% [markdown]
# ## 1. A number that remembers how it was made
#
# A `Value` wraps one number, `data`. When two Values are combined, say `c = a * b`, the result is
# a new Value that keeps a reference to its inputs `a` and `b` (`c._prev`) and the name of the
# operation (`c._op`). Chaining operations therefore builds a **graph** behind your back, and that
# graph is all a backward pass needs.
#
# Each Value also has a `grad`, the derivative of some final output with respect to this Value.
# It starts at 0 and is filled in by the backward pass of Part 2. To make that possible, every
# operation stores on its result a small function `_backward` that knows the operation's *local*
# derivatives. For `c = a * b` it does
#
# $$\frac{\partial\,\text{out}}{\partial a} \mathrel{+}= \frac{\partial c}{\partial a}\,
# \frac{\partial\,\text{out}}{\partial c} = b \cdot \texttt{c.grad},$$
#
# that is `a.grad += b.data * c.grad`, and the same for `b`. Why `+=` and not `=` is the subject
# of Part 2; for now, always add.
#
# The class below is given: its constructor and how it prints. `as_value` turns a plain number
# into a Value, so that `v + 1` works. You add the operations one cell at a time, as in
# Assignment 4 (`Value.__add__ = __add__`).

# %% nbgrader={"grade": false, "grade_id": "value_class", "locked": true, "schema_version": 3, "solution": false, "task": false}
class Value:
    """One number in a computation graph: data, grad, and how it was made."""

    def __init__(self, data, _prev=(), _op=""):
        """data: the number; _prev: the Values it was computed from; _op: the operation's name."""
        self.data = float(data)
        self.grad = 0.0                 # d(output)/d(self), filled in by backward()
        self._prev = tuple(_prev)       # the inputs of the operation that made this Value
        self._op = _op                  # e.g. "+" or "tanh"; "" for an input or a constant
        self._backward = lambda: None   # passes self.grad on to the inputs; set by each operation

    def __repr__(self):
        return f"Value(data={self.data:.6g}, grad={self.grad:.6g})"


def as_value(x):
    """x itself if it is a Value, else a new Value holding the number x."""
    return x if isinstance(x, Value) else Value(x)


# %% [markdown]
# ### 1.1 Sum and product
#
# Write `__add__` and `__mul__`. Each one
#
# 1. turns `other` into a Value with `as_value` (it may be a plain number);
# 2. creates the result, `out = Value(<the number>, (self, other), "+")` (or `"*"`);
# 3. defines a function `_backward()` that adds the local derivative times `out.grad` to the grad
#    of each input, stores it as `out._backward`, and returns `out`.
#
# The local derivatives: $\partial(s + o)/\partial s = \partial(s + o)/\partial o = 1$;
# $\partial(s \cdot o)/\partial s = o$ and $\partial(s \cdot o)/\partial o = s$. Inside
# `_backward`, read `out.grad`: by the time it runs, the backward pass will have filled it in.

# %% nbgrader={"grade": false, "grade_id": "add_mul", "locked": false, "schema_version": 3, "solution": true, "task": false}
def __add__(self, other):
    """self + other, other a Value or a number. Local derivatives: 1 and 1."""
    ### BEGIN SOLUTION
    other = as_value(other)
    out = Value(self.data + other.data, (self, other), "+")

    def _backward():
        self.grad += out.grad
        other.grad += out.grad

    out._backward = _backward
    return out
    ### END SOLUTION


def __mul__(self, other):
    """self * other, other a Value or a number. Local derivatives: other.data and self.data."""
    ### BEGIN SOLUTION
    other = as_value(other)
    out = Value(self.data * other.data, (self, other), "*")

    def _backward():
        self.grad += other.data * out.grad
        other.grad += self.data * out.grad

    out._backward = _backward
    return out
    ### END SOLUTION


Value.__add__ = __add__
Value.__mul__ = __mul__

# %%
x, y = Value(2.0), Value(-3.0)
print(x + y, x * y, x * y + 1)

# %% nbgrader={"grade": true, "grade_id": "test_add_mul", "locked": true, "points": 2, "schema_version": 3, "solution": false, "task": false}
"""__add__ and __mul__: a new Value with the sum or product, for Values and for numbers."""
x, y = Value(2.0), Value(-3.5)
total, product = x + y, x * y
check_that(isinstance(total, Value), f"`x + y` should be a Value, but it is a {type(total).__name__}.")
check_that(isinstance(product, Value), f"`x * y` should be a Value, but it is a {type(product).__name__}.")
check_number(total.data, "(x + y).data")
check_number(product.data, "(x * y).data")
check_that(isinstance(x + 1, Value) and isinstance(x * 2.5, Value),
           "`x + 1` and `x * 2.5`, a Value and a number, should give Values too: use as_value.")
check_that(x.data == 2.0 and y.data == -3.5, "an operation should not change its inputs.")
### BEGIN HIDDEN TESTS
check_close(total.data, -1.5, "(x + y).data")
check_close(product.data, -7.0, "(x * y).data")
check_close((x + 1).data, 3.0, "(x + 1).data")
check_close((x * 2.5).data, 5.0, "(x * 2.5).data")
check_close((x * x + y).data, 0.5, "(x * x + y).data")
rng_test = np.random.default_rng(61)
for first, second in rng_test.normal(size=(5, 2)):
    check_close((Value(first) * Value(second) + Value(first)).data, first * second + first,
                "u * w + u for random u and w")
### END HIDDEN TESTS

# %% [markdown]
# ### 1.2 The other operators
#
# Python calls `v.__sub__(w)` for `v - w`, `v.__truediv__(w)` for `v / w` and `v.__pow__(n)` for
# `v ** n`. When the left operand is a plain number, as in `2 * v`, `1 + v`, `1 - v` or `2 / v`,
# the number does not know about Values, and Python asks the right operand instead:
# `v.__rmul__(2)`, `v.__radd__(1)`, `v.__rsub__(1)`, `v.__rtruediv__(2)`. Note the order: in
# `__rsub__(self, other)` the result is `other - self`.
#
# Most of these need no new derivative, because they can be written with what you have:
# $-v = v \cdot (-1)$, $v - w = v + (-w)$, and $v / w = v \cdot w^{-1}$. Only the power is new.
# Write `__pow__` for a **number** exponent `n` (an int or a float, not a Value) as a new
# operation, like `__mul__`, with the local derivative
# $\partial(v^n)/\partial v = n\,v^{n-1}$. Then the division can use it. You may also write any
# of the others as an operation of its own, with its own `_backward`: both are correct.

# %% nbgrader={"grade": false, "grade_id": "more_ops", "locked": false, "schema_version": 3, "solution": true, "task": false}
def __neg__(self):
    """-self."""
    ### BEGIN SOLUTION
    return self * -1
    ### END SOLUTION


def __sub__(self, other):
    """self - other."""
    ### BEGIN SOLUTION
    return self + (-as_value(other))
    ### END SOLUTION


def __radd__(self, other):
    """other + self, for a number other."""
    ### BEGIN SOLUTION
    return self + other
    ### END SOLUTION


def __rmul__(self, other):
    """other * self, for a number other."""
    ### BEGIN SOLUTION
    return self * other
    ### END SOLUTION


def __rsub__(self, other):
    """other - self, for a number other."""
    ### BEGIN SOLUTION
    return as_value(other) + (-self)
    ### END SOLUTION


def __pow__(self, n):
    """self ** n for a number n (int or float). Local derivative: n * self.data ** (n - 1)."""
    ### BEGIN SOLUTION
    out = Value(self.data**n, (self,), f"**{n}")

    def _backward():
        self.grad += n * self.data ** (n - 1) * out.grad

    out._backward = _backward
    return out
    ### END SOLUTION


def __truediv__(self, other):
    """self / other."""
    ### BEGIN SOLUTION
    return self * as_value(other) ** -1
    ### END SOLUTION


def __rtruediv__(self, other):
    """other / self, for a number other."""
    ### BEGIN SOLUTION
    return as_value(other) * self**-1
    ### END SOLUTION


Value.__neg__ = __neg__
Value.__sub__ = __sub__
Value.__radd__ = __radd__
Value.__rmul__ = __rmul__
Value.__rsub__ = __rsub__
Value.__pow__ = __pow__
Value.__truediv__ = __truediv__
Value.__rtruediv__ = __rtruediv__

# %% nbgrader={"grade": true, "grade_id": "test_more_ops", "locked": true, "points": 2, "schema_version": 3, "solution": false, "task": false}
"""-, /, ** and the reflected forms (2 * v, 1 + v, 1 - v, 2 / v) give Values with the right data."""
v, w = Value(1.5), Value(-0.5)
methods_ = {"-v": "__neg__", "v - w": "__sub__", "v / w": "__truediv__", "v ** 3": "__pow__",
            "2 * v": "__rmul__", "1 + v": "__radd__", "1 - v": "__rsub__", "2 / v": "__rtruediv__",
            "v - 1": "__sub__", "v / 4": "__truediv__"}
for name_, make_ in [("2 * v", lambda: 2 * v), ("1 + v", lambda: 1 + v), ("1 - v", lambda: 1 - v),
                     ("2 / v", lambda: 2 / v)]:
    check_runs(make_, f"`{name_}` (a number on the left: Python asks Value.{methods_[name_]})")
results = {"-v": -v, "v - w": v - w, "v / w": v / w, "v ** 3": v**3, "2 * v": 2 * v,
           "1 + v": 1 + v, "1 - v": 1 - v, "2 / v": 2 / v, "v - 1": v - 1, "v / 4": v / 4}
for name, result in results.items():
    check_that(isinstance(result, Value), f"`{name}` should be a Value, but it is a {type(result).__name__}.")
    check_number(result.data, f"({name}).data")
check_that(v.data == 1.5 and w.data == -0.5, "an operation should not change its inputs.")
vf_, wf_ = 1.5, -0.5
plain_ = {"-v": -vf_, "v - w": vf_ - wf_, "v / w": vf_ / wf_, "v ** 3": vf_**3, "2 * v": 2 * vf_,
          "1 + v": 1 + vf_, "1 - v": 1 - vf_, "2 / v": 2 / vf_, "v - 1": vf_ - 1, "v / 4": vf_ / 4}
for name, result in results.items():
    check_that(np.isclose(result.data, plain_[name]),
               f"`({name}).data`, from Value.{methods_[name]}, is not what {name} gives on the plain "
               "numbers 1.5 and -0.5.")
### BEGIN HIDDEN TESTS
### BEGIN REFERENCE
expected_ = {"-v": -1.5, "v - w": 2.0, "v / w": -3.0, "v ** 3": 3.375, "2 * v": 3.0, "1 + v": 2.5,
             "1 - v": -0.5, "2 / v": 4 / 3, "v - 1": 0.5, "v / 4": 0.375}
### END REFERENCE
for name in ["-v", "v - w", "v / w", "v ** 3", "2 * v", "1 + v", "1 - v", "2 / v", "v - 1", "v / 4"]:
    check_close(results[name].data, expected_[name], f"({name}).data")
check_close((w - v).data, -2.0, "(w - v).data")
check_close((3 - w).data, 3.5, "(3 - w).data")
check_close((w / v).data, -1 / 3, "(w / v).data")
check_close((1 / w).data, -2.0, "(1 / w).data")
check_close((w**2).data, 0.25, "(w ** 2).data")
check_close((v**-2).data, 1 / 2.25, "(v ** -2).data")
check_close((v**0.5).data, 1.5**0.5, "(v ** 0.5).data")
### END HIDDEN TESTS

# %% [markdown]
# ### 1.3 Three functions
#
# Now `exp`, `tanh` and `relu`, each a new operation on one input (`_prev` is `(self,)`), with
# its local derivative:
#
# - $\frac{d}{dv} e^v = e^v$, the output itself;
# - $\frac{d}{dv}\tanh v = 1 - \tanh^2 v$, again written with the output;
# - $\frac{d}{dv}\,\mathrm{relu}(v) = 1$ if $v > 0$, else $0$ (we take 0 at $v = 0$).
#
# Use `math.exp` and `math.tanh` for the numbers.

# %% nbgrader={"grade": false, "grade_id": "functions", "locked": false, "schema_version": 3, "solution": true, "task": false}
def exp(self):
    """e ** self."""
    ### BEGIN SOLUTION
    out = Value(math.exp(self.data), (self,), "exp")

    def _backward():
        self.grad += out.data * out.grad

    out._backward = _backward
    return out
    ### END SOLUTION


def tanh(self):
    """tanh(self)."""
    ### BEGIN SOLUTION
    t = math.tanh(self.data)
    out = Value(t, (self,), "tanh")

    def _backward():
        self.grad += (1 - t**2) * out.grad

    out._backward = _backward
    return out
    ### END SOLUTION


def relu(self):
    """max(self, 0)."""
    ### BEGIN SOLUTION
    out = Value(self.data if self.data > 0 else 0.0, (self,), "relu")

    def _backward():
        self.grad += (self.data > 0) * out.grad

    out._backward = _backward
    return out
    ### END SOLUTION


Value.exp = exp
Value.tanh = tanh
Value.relu = relu

# %% nbgrader={"grade": true, "grade_id": "test_functions", "locked": true, "points": 1, "schema_version": 3, "solution": false, "task": false}
"""exp, tanh, relu: Values; e^v > 0, -1 < tanh v < 1, relu never negative."""
for start in (-1.25, 0.4, 2.0):
    v = Value(start)
    for name, result in [("exp", v.exp()), ("tanh", v.tanh()), ("relu", v.relu())]:
        check_that(isinstance(result, Value), f"`v.{name}()` should be a Value, but it is a {type(result).__name__}.")
        check_number(result.data, f"v.{name}().data")
    check_that(v.exp().data > 0, "e ** v is always positive.")
    check_that(-1 < v.tanh().data < 1, "tanh(v) always lies between -1 and 1.")
    check_that(v.relu().data >= 0, "relu(v) is never negative.")
### BEGIN HIDDEN TESTS
check_close(Value(0.4).exp().data, math.exp(0.4), "Value(0.4).exp().data")
check_close(Value(-1.25).tanh().data, math.tanh(-1.25), "Value(-1.25).tanh().data")
check_close(Value(2.0).relu().data, 2.0, "Value(2.0).relu().data")
check_close(Value(-1.25).relu().data, 0.0, "Value(-1.25).relu().data")
check_close((Value(0.3) * 2).tanh().exp().data, math.exp(math.tanh(0.6)), "exp(tanh(2 * 0.3))")
### END HIDDEN TESTS

# %% [markdown]
# ## 2. The backward pass
#
# Every Value now knows how to pass its gradient one step back. `backward()`, called on the final
# output, makes all of these steps in the right order:
#
# 1. **Topological order.** List every Value the output depends on so that each Value comes
#    *after* all of its inputs. A depth-first search does it: to visit a node, first visit each of
#    its inputs (skip those already visited), then append the node to the list. The output ends
#    up last.
# 2. **Seed.** The derivative of the output with respect to itself is 1: set `self.grad = 1.0`.
# 3. **Walk backwards.** Go through the list in *reverse* order, calling each node's
#    `_backward()`. The reverse of a topological order guarantees that when a node passes its
#    gradient on, every node that uses it has already passed its share to it, so its `grad` is
#    complete.
#
# **Why `+=`.** If a value is used more than once, as `x` in $y = x \cdot x + x$ (three times:
# twice in the product, once in the sum), then a small change in `x` reaches `y` along three
# paths, and $\partial y/\partial x$ is the **sum** of what each path contributes (here
# $x + x + 1$). Each use calls a `_backward` that adds its part to `x.grad`;
# with `=` instead of `+=`, the last use would overwrite the others.
#
# **Why the order.** The same reasoning shows why a plain recursion "call my `_backward`, then my
# inputs'" is wrong: a node shared by two paths would pass on its gradient twice, or before all of
# it has arrived.
#
# `backward()` only *adds* to the grads it finds, the grads of inner nodes too: it never resets
# any of them (it only seeds the output's own grad with 1). So calling it twice on the same graph
# does *not* simply double the gradients: every inner node still holds its grad from the first
# call and passes the sum on. On $L = 3(a + bc)$ the second call leaves `a.grad`, `b.grad` and
# `c.grad` at 9, 24 and 36, not 6, 12 and 18. Resetting is `zero_grad`'s job, between two
# training steps (Part 4), and the checks test both calls.

# %% nbgrader={"grade": false, "grade_id": "backward", "locked": false, "schema_version": 3, "solution": true, "task": false}
def backward(self):
    """Fill in d(self)/d(node), in node.grad, for every node of the graph that made self."""
    ### BEGIN SOLUTION
    order, visited = [], set()

    def visit(node):
        if id(node) not in visited:
            visited.add(id(node))
            for child in node._prev:
                visit(child)
            order.append(node)

    visit(self)
    self.grad = 1.0
    for node in reversed(order):
        node._backward()
    ### END SOLUTION


Value.backward = backward

# %% [markdown]
# The checks compare the grads of `backward()` with slopes measured on the forward values alone,
# by nudging one input of an expression both ways (Part 3 explains this finite difference):

# %% nbgrader={"grade": false, "grade_id": "slope_tool", "locked": true, "schema_version": 3, "solution": false, "task": false}
def slope(f, point, k, h=1e-6):
    """The slope of f(Value(x) for x in point).data in input k, by centred differences."""
    up, down = list(point), list(point)
    up[k] += h
    down[k] -= h
    return (f(*[Value(x) for x in up]).data - f(*[Value(x) for x in down]).data) / (2 * h)


def agrees(grad, f, point, k):
    """Does a grad from backward() agree with the slope of f in input k?"""
    return np.isclose(float(grad), slope(f, point, k), rtol=1e-5, atol=1e-6)


# %% [markdown]
# ### 2.1 The graph of Assignment 2
#
# $L = 3(a + bc)$ at $a = 5$, $b = 3$, $c = 2$, with $u = bc$ and $v = a + u$. In Assignment 2 you
# found $\partial L/\partial a$, $\partial L/\partial b$ and $\partial L/\partial c$ by hand; now
# `L.backward()` finds them. Compare with your Assignment 2 answers.

# %%
a, b, c = Value(5.0), Value(3.0), Value(2.0)
u = b * c
v = a + u
L = 3 * v
L.backward()
print("L =", L.data)
print("dL/da =", a.grad, " dL/db =", b.grad, " dL/dc =", c.grad)

# %% nbgrader={"grade": true, "grade_id": "test_graph_L", "locked": true, "points": 2, "schema_version": 3, "solution": false, "task": false}
"""L = 3(a + bc) of Assignment 2: backward fills in every grad, and dL/dL = 1."""
a_t, b_t, c_t = Value(5.0), Value(3.0), Value(2.0)
u_t = b_t * c_t
v_t = a_t + u_t
L_t = 3 * v_t
L_t.backward()
for node, name in [(a_t, "a"), (b_t, "b"), (c_t, "c"), (u_t, "u"), (v_t, "v"), (L_t, "L")]:
    check_number(node.grad, f"{name}.grad")
known.check(np.array([a_t.grad, b_t.grad, c_t.grad], dtype=float), "the grads of a, b and c for L = 3(a + bc)")
check_close(L_t.grad, 1.0, "L.grad, the derivative of L with respect to itself,")
check_that(a_t.grad != 0 and b_t.grad != 0 and c_t.grad != 0,
           "after L.backward(), the grads of the inputs a, b and c should not be 0.")
for k_, leaf_ in enumerate([a_t, b_t, c_t]):
    check_that(agrees(leaf_.grad, lambda a, b, c: 3 * (a + b * c), (5.0, 3.0, 2.0), k_),
               f"after L.backward(), the grad of input {'abc'[k_]} disagrees with the slope of L: "
               "is the output seeded with 1, and are the nodes walked in reverse topological order?")
### BEGIN HIDDEN TESTS
check_close(L_t.data, 33.0, "L.data")
check_close(a_t.grad, 3.0, "dL/da")
check_close(b_t.grad, 6.0, "dL/db")
check_close(c_t.grad, 9.0, "dL/dc")
check_close(u_t.grad, 3.0, "dL/du")
check_close(v_t.grad, 3.0, "dL/dv")
a_2, b_2, c_2 = Value(-1.5), Value(0.5), Value(4.0)
L_2 = (a_2 + b_2 * c_2) * 3
L_2.backward()
check_close(a_2.grad, 3.0, "dL/da at a=-1.5, b=0.5, c=4")
check_close(b_2.grad, 12.0, "dL/db at a=-1.5, b=0.5, c=4")
check_close(c_2.grad, 1.5, "dL/dc at a=-1.5, b=0.5, c=4")
### END HIDDEN TESTS

# %% nbgrader={"grade": true, "grade_id": "test_backward_fanout", "locked": true, "points": 2, "schema_version": 3, "solution": false, "task": false}
"""A Value used more than once collects the gradient of every use (+=, not =)."""
x = Value(3.0)
y = x * x + x
y.backward()
check_number(x.grad, "x.grad for y = x * x + x")
known.check(x.grad, "x.grad for y = x * x + x")
check_that(x.grad != 0, "after y.backward(), x.grad should not be 0.")
check_that(agrees(x.grad, lambda t: t * t + t, (3.0,), 0),
           "x.grad for y = x * x + x disagrees with the slope of y: each use of x must add its part "
           "to x.grad (`+=` in every _backward, `=` overwrites the others).")
twice_used_ = Value(-2.0)
(twice_used_ + twice_used_).backward()
check_that(agrees(twice_used_.grad, lambda t: t + t, (-2.0,), 0),
           "a.grad for a + a disagrees with the slope of a + a: the _backward of a sum must add to "
           "the grads of both its inputs (`+=`, not `=`), even when they are one Value.")
### BEGIN HIDDEN TESTS
check_close(x.grad, 7.0, "dy/dx for y = x * x + x at x = 3")
a_t = Value(-2.0)
(a_t + a_t).backward()
check_close(a_t.grad, 2.0, "d(a + a)/da")
p, q, r = Value(1.5), Value(-0.5), Value(2.0)
(p * q + p * r).backward()
check_close(p.grad, 1.5, "d(pq + pr)/dp")
check_close(q.grad, 1.5, "d(pq + pr)/dq")
check_close(r.grad, 1.5, "d(pq + pr)/dr")
t = Value(0.7)
(t * t * t).backward()
check_close(t.grad, 3 * 0.49, "d(t * t * t)/dt")
s = Value(-0.4)
(s.tanh() * s + s.exp() * s).backward()
### BEGIN REFERENCE
th_ = math.tanh(-0.4)
### END REFERENCE
check_close(s.grad, (1 - th_**2) * -0.4 + th_ + math.exp(-0.4) * (1 - 0.4),
            "d(s tanh(s) + s e^s)/ds")
### END HIDDEN TESTS

# %% nbgrader={"grade": true, "grade_id": "test_backward_order", "locked": true, "points": 2, "schema_version": 3, "solution": false, "task": false}
"""Shared inner nodes: each passes its gradient on once, after all of it has arrived."""
a_t, b_t = Value(1.5), Value(-2.0)
d = a_t * b_t
f = d * 2 + d
f.backward()
check_number(a_t.grad, "a.grad for f = 2d + d, d = ab")
check_number(d.grad, "d.grad for f = 2d + d")
known.check(np.array([a_t.grad, b_t.grad, d.grad], dtype=float), "the grads of a, b and d for f = 2d + d, d = ab")
check_that(agrees(a_t.grad, lambda a, b: (a * b) * 2 + a * b, (1.5, -2.0), 0)
           and agrees(b_t.grad, lambda a, b: (a * b) * 2 + a * b, (1.5, -2.0), 1),
           "the grads of a and b for f = 2d + d, d = ab, disagree with the slopes of f: does the "
           "shared node d pass its grad on once, after all of it has arrived (reverse topological "
           "order, every node visited once)?")
### BEGIN HIDDEN TESTS
check_close(d.grad, 3.0, "df/dd for f = 2d + d")
check_close(a_t.grad, -6.0, "df/da for f = 2d + d, d = ab")
check_close(b_t.grad, 4.5, "df/db for f = 2d + d, d = ab")
a_2, b_2 = Value(1.5), Value(-2.0)
d_2 = a_2 * b_2
g = d_2 + d_2 * 2
g.backward()
check_close(a_2.grad, -6.0, "dg/da for g = d + 2d, d = ab")
chain = [Value(0.5)]
while len(chain) <= 12:
    chain.append(chain[-1] * 0.75 + chain[-1] * 0.5)
chain[-1].backward()
check_close(chain[0].grad, 1.25**12, "the derivative through 12 steps of n -> 0.75 n + 0.5 n")
x = Value(0.3)
h = x.tanh()
k = h * h + h.exp()
k.backward()
### BEGIN REFERENCE
th_ = math.tanh(0.3)
### END REFERENCE
check_close(x.grad, (2 * th_ + math.exp(th_)) * (1 - th_**2), "d(h^2 + e^h)/dx, h = tanh x")
### END HIDDEN TESTS

# %% nbgrader={"grade": true, "grade_id": "test_backward_twice", "locked": true, "points": 1, "schema_version": 3, "solution": false, "task": false}
"""backward() adds to every grad it finds and resets none: a second call on the same graph adds again."""
a_t, b_t, c_t = Value(5.0), Value(3.0), Value(2.0)
L_t = 3 * (a_t + b_t * c_t)
L_t.backward()
once_ = [a_t.grad, b_t.grad, c_t.grad]
L_t.backward()
twice_ = [a_t.grad, b_t.grad, c_t.grad]
check_that(all(second > first for first, second in zip(once_, twice_, strict=True)),
           "a second L.backward() should add to the grads of a, b and c: backward() never resets "
           "a grad (zero_grad does that).")
### BEGIN HIDDEN TESTS
check_close(np.array(twice_, dtype=float), [9.0, 24.0, 36.0],
            "dL/da, dL/db and dL/dc after two calls of L.backward() on L = 3(a + bc)")
p_t, q_t = Value(0.5), Value(-1.5)
m_t = p_t * q_t + p_t
m_t.backward()
m_t.backward()
# the first call leaves p -0.5, q 0.5 and pq 1; the second adds 1 + q * 2 to p and p * 2 to q
check_close(np.array([p_t.grad, q_t.grad], dtype=float), [-2.5, 1.5],
            "the grads of p and q after two calls of backward() on p q + p")
### END HIDDEN TESTS

# %% [markdown]
# ### 2.1.1 In your own words: why `+=` at a value used twice
#
# In the check `test_backward_fanout`, $y = x \cdot x + x$ at $x = 3$, and your `backward()` gives
# `x.grad` $= 7$. Explain, in the cell below (a person grades this answer, out of 3 points):
#
# 1. which `_backward` calls add to `x.grad` during `y.backward()`, and how much each adds;
# 2. why the right `x.grad` is the *sum* of these parts (think of a small nudge of $x$);
# 3. what `x.grad` would be if every `_backward` wrote its part with `=` instead of `+=`, and why.

# %% [markdown] nbgrader={"grade": true, "grade_id": "explain_fanout", "locked": false, "points": 3, "schema_version": 3, "solution": true, "task": false}
# ### BEGIN SOLUTION
# **Model answer.**
#
# 1. Write $m = x \cdot x$, so $y = m + x$. `y.backward()` seeds `y.grad = 1`. The sum's
#    `_backward` adds `1 * y.grad` $= 1$ to `m.grad` and $1$ to `x.grad`. The product's
#    `_backward` then runs once but adds to `x.grad` twice, once for each factor:
#    `other.data * m.grad` $= 3$ and `self.data * m.grad` $= 3$. In all, $1 + 3 + 3 = 7$.
# 2. $x$ reaches $y$ along three paths (two through the product, one straight into the sum). A
#    small nudge $\Delta$ of $x$ moves all three uses at once, and to first order their effects on
#    $y$ add up: $y$ changes by about $(3 + 3 + 1)\Delta$. That is the chain rule for a value with
#    several uses: its derivative is the sum over its uses of what each use passes back, which is
#    $2x + 1 = 7$, the derivative of $x^2 + x$.
# 3. With `=`, each use overwrites what the uses before it wrote. In reverse topological order the
#    sum runs first (`x.grad = 1`) and the product last (`x.grad = 3`, then `3` again), so `x.grad`
#    ends at 3, the part of one path only, instead of 7. (Likewise `a + a` would give 1, not 2.)
#    `+=` is also why every grad must start at 0, and why a second `backward()` adds again.
#
# **Rubric (3 points; for the grader, never released).**
#
# - 1 point: the three contributions, 1 from the sum and 3 and 3 from the two factors of the
#   product (with `y.grad` $= 1$, `m.grad` $= 1$). Half a point if the parts are right in words
#   but the numbers are missing or one is wrong.
# - 1 point: why they add: several paths from $x$ to $y$, the nudge argument, or the
#   multivariable chain rule ("the derivative is the sum over the paths"). Half a point for "the
#   gradients accumulate" with no reason.
# - 1 point: with `=` the last write wins, so `x.grad` holds only one path's part: 3 (accept 1 if
#   the student argues from an order in which the sum's `_backward` runs last, with the reason).
# - Common wrong ideas: "with `=` the gradient would be 0" or "`=` would double it" (no point for
#   part 3); "`+=` is needed because `backward()` is called twice" (that is about calls, not
#   about a value used twice: no point for part 2); "the product rule gives 2x, so x.grad is 6"
#   (forgets the sum's path: half a point for part 1 at most).
# ### END SOLUTION

# %% [markdown]
# ### 2.2 Every local derivative
#
# Each operation of Part 1 is now checked through `backward()`: a mistake in one local
# derivative shows up here.

# %% nbgrader={"grade": true, "grade_id": "test_ops_grad", "locked": true, "points": 2, "schema_version": 3, "solution": false, "task": false}
"""Gradients through +, *, -, /, ** and the reflected forms, one operation at a time."""
cases = {
    "v + w": (lambda v, w: v + w, (1.5, -0.5)),
    "v * w": (lambda v, w: v * w, (1.5, -0.5)),
    "v - w": (lambda v, w: v - w, (1.5, -0.5)),
    "v / w": (lambda v, w: v / w, (1.5, -0.5)),
    "v ** 3": (lambda v: v**3, (1.5,)),
    "v ** -2": (lambda v: v**-2, (1.5,)),
    "v ** 0.5": (lambda v: v**0.5, (2.0,)),
    "-v": (lambda v: -v, (1.5,)),
    "2 * v": (lambda v: 2 * v, (1.5,)),
    "1 + v": (lambda v: 1 + v, (1.5,)),
    "1 - v": (lambda v: 1 - v, (1.5,)),
    "2 / v": (lambda v: 2 / v, (1.5,)),
}
grads = {}
for name, (make, numbers) in cases.items():
    inputs = [Value(number) for number in numbers]
    make(*inputs).backward()
    for k, leaf in enumerate(inputs):
        check_number(leaf.grad, f"the grad of input {k + 1} of {name}")
    grads[name] = [leaf.grad for leaf in inputs]
    known.check(np.array(grads[name], dtype=float), f"the grads of the inputs of {name}")
check_that(grads["v + w"][0] == 1.0, "an addition passes the gradient through unchanged: "
           "d(v + w)/dv should be 1.")
for name, (make, numbers) in cases.items():
    for k_ in range(len(numbers)):
        check_that(agrees(grads[name][k_], make, numbers, k_),
                   f"the grad of input {k_ + 1} of {name} disagrees with the slope of {name}: look at "
                   "the _backward of that operation.")
### BEGIN HIDDEN TESTS
### BEGIN REFERENCE
expected_ = {
    "v * w": [-0.5, 1.5], "v - w": [1.0, -1.0], "v / w": [-2.0, -6.0], "v ** 3": [6.75],
    "v ** -2": [-2 * 1.5**-3], "v ** 0.5": [0.5 * 2**-0.5], "-v": [-1.0], "2 * v": [2.0],
    "1 + v": [1.0], "1 - v": [-1.0], "2 / v": [-2 / 2.25], "v + w": [1.0, 1.0],
}
### END REFERENCE
for name, (_, numbers) in cases.items():
    for k in range(len(numbers)):
        check_close(grads[name][k], expected_[name][k],
                    f"the derivative of {name} with respect to input {k + 1}")
w = Value(-0.8)
(w**4 - 3 / w).backward()
check_close(w.grad, 4 * (-0.8) ** 3 + 3 / 0.64, "d(w^4 - 3/w)/dw at w = -0.8")
### END HIDDEN TESTS

# %% nbgrader={"grade": true, "grade_id": "test_functions_grad", "locked": true, "points": 2, "schema_version": 3, "solution": false, "task": false}
"""Gradients through exp, tanh and relu, on both sides of 0."""
grads = {}
for name, start in [("exp", 0.7), ("exp", -1.1), ("tanh", 0.6), ("tanh", -1.3), ("relu", 1.5),
                    ("relu", -0.8)]:
    v = Value(start)
    getattr(v, name)().backward()
    check_number(v.grad, f"the grad of Value({start}) after Value({start}).{name}().backward()")
    grads[name, start] = v.grad
    known.check(v.grad, f"the grad of {name} at {start}")
check_that(grads["exp", 0.7] > 0 and grads["tanh", 0.6] > 0,
           "e^v and tanh v grow with v: their derivatives are positive.")
for (name, start), grad in grads.items():
    check_that(agrees(grad, lambda v, name=name: getattr(v, name)(), (start,), 0),
               f"the grad of {name} at {start} disagrees with the slope of {name}: look at its _backward.")
at_zero = Value(0.0)
at_zero.relu().backward()
check_that(at_zero.grad == 0, "the grad of relu at 0 should be 0: this notebook takes relu'(0) = 0.")
### BEGIN HIDDEN TESTS
check_close(grads["exp", 0.7], math.exp(0.7), "d(e^v)/dv at 0.7")
check_close(grads["exp", -1.1], math.exp(-1.1), "d(e^v)/dv at -1.1")
check_close(grads["tanh", 0.6], 1 - math.tanh(0.6) ** 2, "d(tanh v)/dv at 0.6")
check_close(grads["tanh", -1.3], 1 - math.tanh(-1.3) ** 2, "d(tanh v)/dv at -1.3")
check_close(grads["relu", 1.5], 1.0, "d(relu v)/dv at 1.5")
check_close(grads["relu", -0.8], 0.0, "d(relu v)/dv at -0.8")
check_close(at_zero.grad, 0.0, "d(relu v)/dv at 0 (this notebook takes 0)")
v = Value(0.25)
(3 * v).tanh().exp().backward()
### BEGIN REFERENCE
t3_ = math.tanh(0.75)
### END REFERENCE
check_close(v.grad, math.exp(t3_) * (1 - t3_**2) * 3, "d exp(tanh(3v))/dv at 0.25")
### END HIDDEN TESTS

# %% [markdown]
# ## 3. Checks against what you already trust
#
# Two independent ways to get the same numbers.
#
# **Finite differences.** Nudge one input by $\pm h$ and look at the output:
# $\partial f/\partial x \approx \big(f(x + h) - f(x - h)\big) / 2h$. This uses only the forward
# values, so it cannot share a mistake with your `_backward` functions.
#
# **PyTorch.** A `torch.tensor(..., requires_grad=True)` has `+`, `*`, `**`, `.exp()`, `.tanh()`
# and `.relu()` just like your Value, so the very same Python function runs on both, and
# `torch.autograd` computes the gradients its own way.
#
# The four expressions below mix every operation, use some inputs more than once, and share inner
# nodes.

# %% nbgrader={"grade": false, "grade_id": "expressions", "locked": true, "schema_version": 3, "solution": false, "task": false}
def expression_1(a, b, c):
    return (a * b + c).tanh() * a - b / c


def expression_2(a, b, c):
    return ((a - b) ** 2 + 2 * c).exp() / 3 + (1 - a).relu()


def expression_3(a, b, c):
    d = a * b + 1
    e = d * d
    return (e + d).relu() - 2 / (1 + e) + c * d


def expression_4(a, b, c):
    return -(a**3) + (b * c).tanh() ** 2 * (c - 1) + (a - c).relu() * b


EXPRESSIONS = [expression_1, expression_2, expression_3, expression_4]
points_rng = np.random.default_rng(6)
POINTS = points_rng.uniform(0.5, 1.5, size=(6, 3)) * points_rng.choice([-1.0, 1.0], size=(6, 3))

# %%
for f in EXPRESSIONS:
    a, b, c = (Value(x) for x in POINTS[0])
    out = f(a, b, c)
    out.backward()
    print(f"{f.__name__}: {out.data:9.4f}   grads {a.grad:9.4f} {b.grad:9.4f} {c.grad:9.4f}")

# %% nbgrader={"grade": true, "grade_id": "test_finite_differences", "locked": true, "points": 2, "schema_version": 3, "solution": false, "task": false}
"""backward agrees with central differences of your own forward pass, on every expression."""
h = 1e-6
for f in EXPRESSIONS:
    for point in POINTS:
        leaves = [Value(x) for x in point]
        out = f(*leaves)
        out.backward()
        for k in range(3):
            check_number(leaves[k].grad, f"the grad of input {k + 1} of {f.__name__}")
            up, down = point.copy(), point.copy()
            up[k] += h
            down[k] -= h
            numeric = (f(*(Value(x) for x in up)).data - f(*(Value(x) for x in down)).data) / (2 * h)
            check_close(leaves[k].grad, numeric, f"the grad of input {k + 1} of {f.__name__} "
                        f"at {np.round(point, 3).tolist()}, compared with a central difference,",
                        rtol=1e-5, atol=1e-6)
### BEGIN HIDDEN TESTS
### BEGIN REFERENCE
def torch_reference_(f, point):
    """The value and the three gradients of f at point, by PyTorch's autograd."""
    inputs_ = [torch.tensor(float(v), dtype=torch.float64, requires_grad=True) for v in point]
    value = f(*inputs_)
    value.backward()
    return value.item(), [t.grad.item() for t in inputs_]
### END REFERENCE
for f in EXPRESSIONS:
    for point in POINTS:
        leaves = [Value(x) for x in point]
        f(*leaves).backward()
        check_close(np.array([leaf.grad for leaf in leaves], dtype=float),
                    torch_reference_(f, point)[1],
                    f"the grads of {f.__name__} at {np.round(point, 3).tolist()}")
### END HIDDEN TESTS

# %% nbgrader={"grade": true, "grade_id": "test_torch", "locked": true, "points": 2, "schema_version": 3, "solution": false, "task": false}
"""backward agrees with torch.autograd on every expression: the values and every gradient."""
def compare(f, point):
    leaves = [Value(x) for x in point]
    out = f(*leaves)
    out.backward()
    tensors = [torch.tensor(float(x), dtype=torch.float64, requires_grad=True) for x in point]
    reference = f(*tensors)
    reference.backward()
    where = f"{f.__name__} at {np.round(point, 3).tolist()}"
    check_close(out.data, reference.item(), f"the value of {where}, compared with PyTorch,")
    for k in range(3):
        check_close(leaves[k].grad, tensors[k].grad.item(),
                    f"the grad of input {k + 1} of {where}, compared with PyTorch,")


for f in EXPRESSIONS:
    for point in POINTS:
        compare(f, point)
### BEGIN HIDDEN TESTS
rng_test = np.random.default_rng(66)
extra = rng_test.uniform(0.3, 1.8, size=(12, 3)) * rng_test.choice([-1.0, 1.0], size=(12, 3))
### BEGIN REFERENCE
def torch_reference_(f, point):
    """The value and the three gradients of f at point, by PyTorch's autograd."""
    inputs_ = [torch.tensor(float(v), dtype=torch.float64, requires_grad=True) for v in point]
    value = f(*inputs_)
    value.backward()
    return value.item(), [t.grad.item() for t in inputs_]
### END REFERENCE
for f in EXPRESSIONS:
    for extra_point in extra:
        leaves = [Value(x) for x in extra_point]
        out = f(*leaves)
        out.backward()
        where = f"{f.__name__} at {np.round(extra_point, 3).tolist()}"
        check_close(out.data, torch_reference_(f, extra_point)[0], f"the value of {where}")
        check_close(np.array([leaf.grad for leaf in leaves], dtype=float),
                    torch_reference_(f, extra_point)[1], f"the grads of {where}")
### END HIDDEN TESTS

# %% [markdown]
# ## 4. A neural network made of Values
#
# With `Value` and `backward()`, a neural network is only bookkeeping. We build the same kind of
# network as in Assignment 4, ReLU hidden layers and a linear output, out of single numbers:
#
# - a **`Neuron`** with `n_in` weights and a bias, all Values, computes
#   $\mathrm{relu}(w_1 x_1 + \dots + w_{n} x_{n} + b)$, or the sum without the ReLU when
#   `relu=False`;
# - a **`Layer`** is a list of `n_out` neurons that all read the same input;
# - an **`MLP`** with `sizes = [2, 3, 1]` chains `Layer(2, 3)` and `Layer(3, 1)`: every layer but
#   the last uses the ReLU, the last one is linear.
#
# Each has `parameters()`, the list of its Values to train, **in this order**: layer by layer,
# neuron by neuron, each neuron's weights and then its bias. The checks rely on that order: the
# given `set_parameters(model, numbers)` below writes numbers into `parameters()` in turn, and
# `mlp_order` lists the weights of an Assignment 4 network in the same order (`W[:, j]`, then
# `b[0, j]`, for neuron `j`).
#
# Inputs `x` are lists of Python numbers (turn a NumPy row into one with `.tolist()`); a layer and
# an MLP return a **list** of Values, even when it has one output.

# %% nbgrader={"grade": false, "grade_id": "mlp_tools", "locked": true, "schema_version": 3, "solution": false, "task": false}
def set_parameters(model, numbers):
    """Write the numbers into model.parameters(), in order (there must be as many)."""
    params = model.parameters()
    if len(params) != len(numbers):
        raise ValueError(f"the model has {len(params)} parameters, but {len(numbers)} numbers were given")
    for p, number in zip(params, numbers, strict=True):
        p.data = float(number)


def mlp_order(arrays):
    """[W1, b1, W2, b2, ...] of the row convention (W: (n_in, n_out), b: (1, n_out)) as one list
    of numbers, in the order of MLP.parameters(): for each neuron j, W[:, j] and then b[0, j]."""
    numbers = []
    for W, b in zip(arrays[::2], arrays[1::2], strict=True):
        for j in range(W.shape[1]):
            numbers += [*np.asarray(W)[:, j].tolist(), float(np.asarray(b).reshape(-1)[j])]
    return numbers


# %% [markdown]
# ### 4.1 A neuron
#
# `Neuron(n_in, rng, relu=True)` draws its `n_in` weights from `rng.uniform(-1, 1)` and starts
# its bias at 0. Calling it on a list `x` of `n_in` numbers returns one Value.

# %% nbgrader={"grade": false, "grade_id": "neuron", "locked": false, "schema_version": 3, "solution": true, "task": false}
class Neuron:
    """One unit: relu(w . x + b), or w . x + b when relu=False; weights and bias are Values."""

    def __init__(self, n_in, rng, relu=True):
        """n_in weights from rng.uniform(-1, 1), a bias of 0."""
        ### BEGIN SOLUTION
        self.w = [Value(rng.uniform(-1, 1)) for _ in range(n_in)]
        self.b = Value(0.0)
        self.use_relu = relu
        ### END SOLUTION

    def __call__(self, x):
        """x: a list of n_in numbers or Values. Returns one Value."""
        ### BEGIN SOLUTION
        z = sum((wi * xi for wi, xi in zip(self.w, x, strict=True)), self.b)
        return z.relu() if self.use_relu else z
        ### END SOLUTION

    def parameters(self):
        """The weights, then the bias: a list of n_in + 1 Values."""
        ### BEGIN SOLUTION
        return [*self.w, self.b]
        ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "test_neuron", "locked": true, "points": 1, "schema_version": 3, "solution": false, "task": false}
"""Neuron: n_in + 1 parameters (Values), one Value out, never negative with the ReLU."""
neuron = Neuron(3, np.random.default_rng(0))
params = neuron.parameters()
check_that(isinstance(params, list) and len(params) == 4,
           "a Neuron with 3 inputs should have a list of 4 parameters: 3 weights, then the bias.")
check_that(all(isinstance(p, Value) for p in params), "every parameter should be a Value.")
out = neuron([0.5, -1.0, 2.0])
check_that(isinstance(out, Value), f"a Neuron should return a Value, but it returned a {type(out).__name__}.")
check_that(out.data >= 0, "a ReLU neuron never returns a negative number.")
plain_neuron_ = Neuron(2, np.random.default_rng(3), relu=False)
set_parameters(plain_neuron_, [0.75, -0.5, 0.3])
check_that(np.isclose(plain_neuron_([2.0, 1.0]).data, 0.75 * 2.0 - 0.5 * 1.0 + 0.3),
           "a linear Neuron with weights (0.75, -0.5) and bias 0.3 should give w . x + b on "
           "x = (2, 1): are the weights and the bias all used?")
### BEGIN HIDDEN TESTS
set_parameters(neuron, [0.5, -1.0, 0.25, 0.1])
check_close(neuron([0.5, -1.0, 2.0]).data, 1.85, "a neuron with w = (0.5, -1, 0.25), b = 0.1 on (0.5, -1, 2)")
check_close(neuron([-2.0, 1.0, 0.0]).data, 0.0, "a ReLU neuron with a negative sum")
linear = Neuron(2, np.random.default_rng(1), relu=False)
set_parameters(linear, [1.0, -2.0, -0.5])
check_close(linear([1.0, 1.0]).data, -1.5, "a linear neuron with w = (1, -2), b = -0.5 on (1, 1)")
big = Neuron(200, np.random.default_rng(2)).parameters()
weights = np.array([p.data for p in big[:-1]])
check_that(np.all(np.abs(weights) <= 1) and weights.std() > 0.4,
           "the weights should be drawn from rng.uniform(-1, 1).")
### END HIDDEN TESTS

# %% [markdown]
# ### 4.2 A layer and a network
#
# `Layer(n_in, n_out, rng, relu=True)` holds `n_out` neurons (built in order, each drawing from
# the same `rng`) and returns the list of their outputs. `MLP(sizes, rng)` holds one layer per
# pair of consecutive sizes, the last one linear. `MLP.zero_grad()` sets the `grad` of every
# parameter back to 0.

# %% nbgrader={"grade": false, "grade_id": "layer_mlp", "locked": false, "schema_version": 3, "solution": true, "task": false}
class Layer:
    """n_out neurons reading the same n_in inputs."""

    def __init__(self, n_in, n_out, rng, relu=True):
        ### BEGIN SOLUTION
        self.neurons = [Neuron(n_in, rng, relu) for _ in range(n_out)]
        ### END SOLUTION

    def __call__(self, x):
        """x: a list of n_in numbers or Values. Returns a list of n_out Values."""
        ### BEGIN SOLUTION
        return [neuron(x) for neuron in self.neurons]
        ### END SOLUTION

    def parameters(self):
        """The parameters of the neurons, neuron by neuron."""
        ### BEGIN SOLUTION
        return [p for neuron in self.neurons for p in neuron.parameters()]
        ### END SOLUTION


class MLP:
    """Layers of sizes[0] -> sizes[1] -> ... -> sizes[-1]: ReLU hidden layers, a linear output."""

    def __init__(self, sizes, rng):
        ### BEGIN SOLUTION
        last = len(sizes) - 2
        self.layers = [Layer(sizes[k], sizes[k + 1], rng, relu=k < last)
                       for k in range(len(sizes) - 1)]
        ### END SOLUTION

    def __call__(self, x):
        """x: a list of sizes[0] numbers. Returns a list of sizes[-1] Values."""
        ### BEGIN SOLUTION
        for layer in self.layers:
            x = layer(x)
        return x
        ### END SOLUTION

    def parameters(self):
        """The parameters of the layers, layer by layer."""
        ### BEGIN SOLUTION
        return [p for layer in self.layers for p in layer.parameters()]
        ### END SOLUTION

    def zero_grad(self):
        """Set the grad of every parameter to 0."""
        ### BEGIN SOLUTION
        for p in self.parameters():
            p.grad = 0.0
        ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "test_mlp", "locked": true, "points": 2, "schema_version": 3, "solution": false, "task": false}
"""Layer and MLP: the right numbers of outputs and parameters; ReLU hidden layers, a linear output."""
rng_mlp = np.random.default_rng(1)
layer = Layer(2, 3, rng_mlp)
outs = layer([0.5, -1.0])
check_that(isinstance(outs, list) and len(outs) == 3, "Layer(2, 3, rng) should return a list of 3 Values.")
check_that(all(isinstance(o, Value) for o in outs), "a layer's outputs should be Values.")
check_that(len(layer.parameters()) == 9, "Layer(2, 3, rng) should have 9 parameters (3 neurons of 2 weights and a bias).")
model = MLP([2, 3, 1], rng_mlp)
check_that(len(model.parameters()) == 13, "MLP([2, 3, 1], rng) should have 13 parameters.")
check_that(all(isinstance(p, Value) for p in model.parameters()), "every parameter should be a Value.")
y_out = model([0.5, -1.0])
check_that(isinstance(y_out, list) and len(y_out) == 1 and isinstance(y_out[0], Value),
           "MLP([2, 3, 1], rng) should return a list of one Value.")
rng_check_ = np.random.default_rng(65)
arrays_ = [rng_check_.normal(size=shape) for shape in [(2, 4), (1, 4), (4, 3), (1, 3), (3, 2), (1, 2)]]
checked_ = MLP([2, 4, 3, 2], np.random.default_rng(4))
set_parameters(checked_, mlp_order(arrays_))
known.confirm(np.array([[o.data for o in checked_(row)] for row in rng_check_.normal(size=(3, 2)).tolist()]),
              "the outputs of MLP([2, 4, 3, 2]) with set weights, on three random inputs")
### BEGIN HIDDEN TESTS
### BEGIN REFERENCE
def reference_forward_(params, X):
    """NumPy forward pass: ReLU hidden layers, linear output; params [W1, b1, W2, b2, ...]."""
    out = X
    n_layers = len(params) // 2
    for k in range(n_layers):
        out = out @ params[2 * k] + params[2 * k + 1]
        if k < n_layers - 1:
            out = np.maximum(out, 0)
    return out
### END REFERENCE


rng_test = np.random.default_rng(62)
sizes = [2, 4, 3, 2]
params = []
for n_in, n_out in zip(sizes[:-1], sizes[1:], strict=True):
    params += [rng_test.normal(size=(n_in, n_out)), rng_test.normal(size=(1, n_out))]
X_test = rng_test.normal(size=(5, 2))
### BEGIN REFERENCE
expected_ = reference_forward_(params, X_test)
if not np.any(expected_ < 0):   # a linear output must show: a ReLU there would be caught
    raise ValueError("the test data should give negative outputs")
### END REFERENCE
model = MLP(sizes, np.random.default_rng(3))
check_that(len(model.parameters()) == 12 + 15 + 8, "MLP([2, 4, 3, 2]) should have 35 parameters.")
set_parameters(model, mlp_order(params))
for row, x_row in enumerate(X_test.tolist()):
    outputs = model(x_row)
    check_that(len(outputs) == 2, "MLP([2, 4, 3, 2]) should return 2 Values.")
    for k in range(2):
        check_close(outputs[k].data, expected_[row][k], f"output {k + 1} of an MLP([2, 4, 3, 2]) with set weights")
### END HIDDEN TESTS

# %% nbgrader={"grade": true, "grade_id": "test_zero_grad", "locked": true, "points": 1, "schema_version": 3, "solution": false, "task": false}
"""MLP.zero_grad sets the grad of every parameter to 0 and leaves the data alone."""
model = MLP([2, 4, 1], np.random.default_rng(5))
for p in model.parameters():
    p.grad = 1.5
before = [p.data for p in model.parameters()]
model.zero_grad()
check_that(all(p.grad == 0 for p in model.parameters()), "after zero_grad() every parameter's grad should be 0.")
check_that([p.data for p in model.parameters()] == before, "zero_grad() should not change the data.")
### BEGIN HIDDEN TESTS
deep = MLP([3, 4, 3, 2], np.random.default_rng(6))
out = deep([0.5, -0.2, 1.0])
(out[0] * out[1] + out[0]).backward()
deep.zero_grad()
check_that(all(p.grad == 0 for p in deep.parameters()),
           "after backward() and zero_grad(), every parameter's grad of a [3, 4, 3, 2] MLP should be 0.")
check_close(np.array([p.grad for p in deep.parameters()], dtype=float), np.zeros(39),
            "the grads of the 39 parameters of a [3, 4, 3, 2] MLP after zero_grad()")
### END HIDDEN TESTS

# %% [markdown]
# ### 4.3 The loss
#
# `mse_loss(model, X, Y)` runs the model on every row of `X` (NumPy, shape `(n, n_in)`) and
# returns, as one Value, the loss of Assignment 4,
# $J = \frac{1}{2n}\sum_{i,j}(a_{ij} - Y_{ij})^2$, with `Y` of shape `(n, n_out)`. Because it is a
# Value, `J.backward()` fills in the gradient of every parameter at once.

# %% nbgrader={"grade": false, "grade_id": "mse_loss", "locked": false, "schema_version": 3, "solution": true, "task": false}
def mse_loss(model, X, Y):
    """J = sum over samples i and outputs j of (model(X[i])[j] - Y[i, j]) ** 2, over 2n. A Value."""
    ### BEGIN SOLUTION
    total = 0
    for x_row, y_row in zip(X.tolist(), Y.tolist(), strict=True):
        for a_out, target in zip(model(x_row), y_row, strict=True):
            total = total + (a_out - target) ** 2
    return total / (2 * len(X))
    ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "test_mse_loss", "locked": true, "points": 1, "schema_version": 3, "solution": false, "task": false}
"""mse_loss: a non-negative Value, 0 when the model fits the targets exactly."""
rng_loss = np.random.default_rng(7)
X_loss, Y_loss = rng_loss.normal(size=(4, 2)), rng_loss.normal(size=(4, 1))
model = MLP([2, 3, 1], np.random.default_rng(8))
J = mse_loss(model, X_loss, Y_loss)
check_that(isinstance(J, Value), f"mse_loss should return a Value, but it returned a {type(J).__name__}.")
check_number(J.data, "mse_loss(...).data")
check_that(J.data >= 0, "a sum of squares is never negative.")
fitted = np.array([[model(row)[0].data] for row in X_loss.tolist()])
check_that(abs(mse_loss(model, X_loss, fitted).data) < 1e-12,
           "mse_loss should be 0 when Y is exactly what the model predicts.")
check_that(np.isclose(J.data, np.sum((fitted - Y_loss) ** 2) / (2 * len(X_loss))),
           "mse_loss should be the sum of the squared errors of the model's outputs divided by 2n, "
           "n the number of rows of X.")
### BEGIN HIDDEN TESTS
rng_test = np.random.default_rng(63)
params = [rng_test.normal(size=(2, 3)), rng_test.normal(size=(1, 3)), rng_test.normal(size=(3, 2)),
          rng_test.normal(size=(1, 2))]
X_test, Y_test = rng_test.normal(size=(5, 2)), rng_test.normal(size=(5, 2))
### BEGIN REFERENCE
hidden_ = np.maximum(X_test @ params[0] + params[1], 0)
output_ = hidden_ @ params[2] + params[3]
### END REFERENCE
model = MLP([2, 3, 2], np.random.default_rng(9))
set_parameters(model, mlp_order(params))
check_close(mse_loss(model, X_test, Y_test).data, np.sum((output_ - Y_test) ** 2) / 10,
            "mse_loss of a [2, 3, 2] MLP on 5 samples")
### END HIDDEN TESTS

# %% [markdown]
# ### 4.4 The same gradients as your Assignment 4 network
#
# Paste your Assignment 4 class into the next cell: the `NN` class of its given cell and your four
# methods (`initialize_parameters`, `forward_pass`, `backward_pass`, `train`, with their
# `NN.method = method` lines). This cell is not graded again; the test after it compares your two
# implementations with each other, which is the point of this section.

# %% nbgrader={"grade": false, "grade_id": "assignment4", "locked": false, "schema_version": 3, "solution": true, "task": false}
# Paste your Assignment 4 NN class and its four methods here (not graded again).
### BEGIN SOLUTION
class NN:
    """A fully connected network with one sample per row: Z_l = X_(l-1) @ W_l + b_l."""

    def __init__(self, layers_dims, activation_hidden, activation_output, loss_function,
                 seed=None):
        """Store the layers, activations and loss, and draw the parameters.

        layers_dims: layer sizes, input first; [2, 3, 2, 1] has 2 inputs, hidden layers of
            3 and 2 units and 1 output. self.L = len(layers_dims) counts the input layer.
        activation_hidden: an activation dict {'activation': g, 'derivative': g_prime} used by
            every hidden layer, or a list with one such dict per hidden layer.
        activation_output: the activation dict of the output layer.
        loss_function: {'loss': J(a, Y), 'derivative': dJ/da (a, Y)}.
        seed: seed for np.random.default_rng, so that the weights are reproducible.
        """
        self.L = len(layers_dims)
        self.loss_function = loss_function
        if isinstance(activation_hidden, list):
            hidden = list(activation_hidden)
        else:
            hidden = [activation_hidden] * (self.L - 2)
        if len(hidden) != self.L - 2:
            raise ValueError(f"{self.L - 2} hidden layers need {self.L - 2} activations.")
        self.a = [None, *hidden, activation_output]  # the input layer 0 has none
        self.params = {}
        self.initialize_parameters(layers_dims, np.random.default_rng(seed))


def initialize_parameters(self, layers_dims, rng):
    """Fill self.params with W1, b1, ..., W_(L-1), b_(L-1).

    layers_dims: the list of layer sizes given to the constructor.
    rng: a np.random.Generator; draw the weights from it layer by layer, W1 first.
    W_l: shape (layers_dims[l-1], layers_dims[l]), entries from N(0, 0.001**2).
    b_l: shape (1, layers_dims[l]), zeros.
    """
    for layer in range(1, self.L):
        shape = (layers_dims[layer - 1], layers_dims[layer])
        self.params[f"W{layer}"] = rng.normal(0.0, 0.001, size=shape)
        self.params[f"b{layer}"] = np.zeros((1, layers_dims[layer]))


NN.initialize_parameters = initialize_parameters


def forward_pass(self, X, training=False):
    """Run the inputs X through every layer.

    X: inputs, shape (n, layers_dims[0]), one sample per row.
    Returns the output X_(L-1), shape (n, layers_dims[-1]); with training=True returns instead
    the dict {'x0': X, 'z1': Z_1, 'x1': X_1, ..., 'z{L-1}': Z_(L-1), 'x{L-1}': X_(L-1)}.
    """
    outputs = {"x0": X}
    for layer in range(1, self.L):
        z = outputs[f"x{layer - 1}"] @ self.params[f"W{layer}"] + self.params[f"b{layer}"]
        outputs[f"z{layer}"] = z
        outputs[f"x{layer}"] = self.a[layer]["activation"](z)
    return outputs if training else outputs[f"x{self.L - 1}"]


NN.forward_pass = forward_pass


def backward_pass(self, X, Y, coef):
    """Gradients of the loss with respect to every Z_l, W_l and b_l, by backpropagation.

    X: inputs, shape (n, layers_dims[0]); Y: targets, shape (n, layers_dims[-1]).
    coef: the dict returned by self.forward_pass(X, training=True): 'x0', 'z1', 'x1', ...
    Returns {'dZ{l}': shape (n, n_l), 'dW{l}': shape of W_l, 'db{l}': shape (1, n_l)}
    for every layer l = 1, ..., L-1.
    """
    grads = {}
    out = self.L - 1
    for layer in range(out, 0, -1):
        if layer == out:
            dX_l = self.loss_function["derivative"](coef[f"x{layer}"], Y)
        else:
            dX_l = grads[f"dZ{layer + 1}"] @ self.params[f"W{layer + 1}"].T
        grads[f"dZ{layer}"] = dX_l * self.a[layer]["derivative"](coef[f"z{layer}"])
        grads[f"dW{layer}"] = coef[f"x{layer - 1}"].T @ grads[f"dZ{layer}"]
        grads[f"db{layer}"] = np.sum(grads[f"dZ{layer}"], axis=0, keepdims=True)
    return grads


NN.backward_pass = backward_pass


def train(self, X, Y, n_it, learning_rate=0.01, verbose=True):
    """Full-batch gradient descent: n_it steps of forward pass, backward pass and update.

    X: inputs, shape (n, layers_dims[0]); Y: targets, shape (n, layers_dims[-1]).
    n_it: number of steps; learning_rate: the step size.
    Each step subtracts learning_rate * dW_l from W_l and learning_rate * db_l from b_l.
    verbose: if true, print the loss every 100 iterations; if false, print nothing.
    """
    for i in range(n_it):
        coef = self.forward_pass(X, training=True)
        grads = self.backward_pass(X, Y, coef)
        for layer in range(1, self.L):
            self.params[f"W{layer}"] -= learning_rate * grads[f"dW{layer}"]
            self.params[f"b{layer}"] -= learning_rate * grads[f"db{layer}"]
        if verbose and i % 100 == 0:
            loss = self.loss_function["loss"](coef[f"x{self.L - 1}"], Y)
            print(f"iteration {i:5d}: loss {loss:.4f}")


NN.train = train
### END SOLUTION

# %% [markdown]
# The activations and the loss of Assignment 4, as the dictionaries its `NN` takes:

# %% nbgrader={"grade": false, "grade_id": "nn_tools", "locked": true, "schema_version": 3, "solution": false, "task": false}
relu_dict = {"activation": lambda z: np.maximum(z, 0), "derivative": lambda z: 1.0 * (z > 0)}
identity_dict = {"activation": lambda z: z, "derivative": np.ones_like}
mse_dict = {"loss": lambda a, Y: np.sum((a - Y) ** 2) / (2 * len(a)),
            "derivative": lambda a, Y: (a - Y) / len(a)}

# %% [markdown]
# Four points, a `[2, 3, 1]` network, and weights drawn once and given to both implementations:
# one backward pass each, and the gradients side by side.

# %%
data_rng = np.random.default_rng(4)
X4, Y4 = data_rng.normal(size=(4, 2)), data_rng.normal(size=(4, 1))
net = NN([2, 3, 1], relu_dict, identity_dict, mse_dict, seed=0)
net.params = {"W1": data_rng.normal(size=(2, 3)), "b1": data_rng.normal(size=(1, 3)),
              "W2": data_rng.normal(size=(3, 1)), "b2": data_rng.normal(size=(1, 1))}
model = MLP([2, 3, 1], np.random.default_rng(0))
set_parameters(model, mlp_order([net.params[k] for k in ("W1", "b1", "W2", "b2")]))

mse_loss(model, X4, Y4).backward()
grads = net.backward_pass(X4, Y4, net.forward_pass(X4, training=True))
theirs = mlp_order([grads[k] for k in ("dW1", "db1", "dW2", "db2")])
for k, (p, g) in enumerate(zip(model.parameters(), theirs, strict=True)):
    print(f"parameter {k:2d}: Value grad {p.grad: .6f}   NN grad {g: .6f}")

# %% nbgrader={"grade": true, "grade_id": "test_mlp_vs_nn", "locked": true, "points": 2, "schema_version": 3, "solution": false, "task": false}
"""The Value MLP's gradients equal your Assignment 4 NN's dW and db, for the same weights."""
def compare_with_nn(sizes, seed, n_samples):
    rng_cmp = np.random.default_rng(seed)
    X_cmp = rng_cmp.normal(size=(n_samples, sizes[0]))
    Y_cmp = rng_cmp.normal(size=(n_samples, sizes[-1]))
    net_cmp = NN(sizes, relu_dict, identity_dict, mse_dict, seed=seed)
    net_cmp.params = {}
    for layer in range(1, len(sizes)):
        net_cmp.params[f"W{layer}"] = rng_cmp.normal(size=(sizes[layer - 1], sizes[layer]))
        net_cmp.params[f"b{layer}"] = rng_cmp.normal(size=(1, sizes[layer]))
    names = [f"{k}{layer}" for layer in range(1, len(sizes)) for k in "Wb"]
    model_cmp = MLP(sizes, np.random.default_rng(seed))
    set_parameters(model_cmp, mlp_order([net_cmp.params[k] for k in names]))
    loss = mse_loss(model_cmp, X_cmp, Y_cmp)
    loss.backward()
    grads_cmp = net_cmp.backward_pass(X_cmp, Y_cmp, net_cmp.forward_pass(X_cmp, training=True))
    theirs_cmp = mlp_order([grads_cmp["d" + k] for k in names])
    ours_cmp = [p.grad for p in model_cmp.parameters()]
    check_that(len(ours_cmp) == len(theirs_cmp), f"an MLP({sizes}) should have {len(theirs_cmp)} parameters.")
    for k, (mine, nn_grad) in enumerate(zip(ours_cmp, theirs_cmp, strict=True)):
        check_number(mine, f"the grad of parameter {k} of MLP({sizes})")
        check_close(mine, nn_grad, f"the grad of parameter {k} of MLP({sizes}), compared with "
                    "your NN's backward_pass,")
    return loss.data, ours_cmp


compare_with_nn([2, 3, 1], 11, 4)
### BEGIN HIDDEN TESTS
### BEGIN REFERENCE
def reference_(params, X, Y):
    """NumPy loss and gradients of a ReLU MLP, linear output, J = sum((a - Y)^2) / (2n)."""
    xs, zs = [X], []
    n_layers = len(params) // 2
    for k in range(n_layers):
        z = xs[-1] @ params[2 * k] + params[2 * k + 1]
        zs.append(z)
        xs.append(np.maximum(z, 0) if k < n_layers - 1 else z)
    dz = (xs[-1] - Y) / len(X)
    grads = [None] * len(params)
    for k in reversed(range(n_layers)):
        grads[2 * k] = xs[k].T @ dz
        grads[2 * k + 1] = dz.sum(axis=0, keepdims=True)
        if k:
            dz = (dz @ params[2 * k].T) * (zs[k - 1] > 0)
    return np.sum((xs[-1] - Y) ** 2) / (2 * len(X)), grads
### END REFERENCE


for sizes, seed, n_samples in [([2, 3, 1], 11, 4), ([3, 4, 3, 2], 12, 5), ([1, 5, 1], 13, 6)]:
    loss_value, ours = compare_with_nn(sizes, seed, n_samples)
    ### BEGIN REFERENCE
    rng_ref_ = np.random.default_rng(seed)
    X_ref_ = rng_ref_.normal(size=(n_samples, sizes[0]))
    Y_ref_ = rng_ref_.normal(size=(n_samples, sizes[-1]))
    params_ = []
    for fan_in_, fan_out_ in zip(sizes[:-1], sizes[1:], strict=True):
        params_ += [rng_ref_.normal(size=(fan_in_, fan_out_)), rng_ref_.normal(size=(1, fan_out_))]
    expected_loss_, expected_grads_ = reference_(params_, X_ref_, Y_ref_)
    expected_numbers_ = mlp_order(expected_grads_)
    ### END REFERENCE
    check_close(loss_value, expected_loss_, f"the loss of MLP({sizes})")
    for k in range(sum((n_in + 1) * n_out for n_in, n_out in zip(sizes[:-1], sizes[1:], strict=True))):
        check_close(ours[k], expected_numbers_[k], f"the grad of parameter {k} of MLP({sizes})")
### END HIDDEN TESTS

# %% [markdown]
# ### 4.5 Training
#
# `train(model, X, Y, steps, learning_rate)` runs `steps` steps of gradient descent on the whole
# data set. Each step:
#
# 1. computes `J = mse_loss(model, X, Y)`;
# 2. resets the grads with `model.zero_grad()`, because `backward()` *adds* to them: without the
#    reset, every step would also carry the gradients of all the steps before it;
# 3. calls `J.backward()`;
# 4. moves every parameter against its gradient, `p.data -= learning_rate * p.grad`.
#
# It returns the list of the `steps` losses `J.data`, each computed before its update.

# %% nbgrader={"grade": false, "grade_id": "train", "locked": false, "schema_version": 3, "solution": true, "task": false}
def train(model, X, Y, steps, learning_rate):
    """Gradient descent on mse_loss; returns the list of the losses, one per step, before its update."""
    ### BEGIN SOLUTION
    losses = []
    for _ in range(steps):
        loss = mse_loss(model, X, Y)
        model.zero_grad()
        loss.backward()
        for p in model.parameters():
            p.data -= learning_rate * p.grad
        losses.append(loss.data)
    return losses
    ### END SOLUTION


# %% [markdown]
# A tiny data set: eight points of the plane and the target $y = x_1 x_2$, which no straight line
# fits. A `[2, 6, 1]` network trains on it for 60 steps.

# %%
tiny_rng = np.random.default_rng(10)
X_tiny = tiny_rng.uniform(-1, 1, size=(8, 2))
Y_tiny = X_tiny[:, :1] * X_tiny[:, 1:]
tiny_model = MLP([2, 6, 1], np.random.default_rng(2))
tiny_losses = train(tiny_model, X_tiny, Y_tiny, 60, 0.2)
plt.figure(figsize=(5, 3))
plt.plot(tiny_losses)
plt.xlabel("step")
plt.ylabel("loss J")
plt.title("Training a network of Values")
plt.show()
print(f"loss: {tiny_losses[0]:.4f} at the start, {tiny_losses[-1]:.4f} after 60 steps")

# %% nbgrader={"grade": true, "grade_id": "test_train", "locked": true, "points": 3, "schema_version": 3, "solution": false, "task": false}
"""train: one loss per step, going down; the losses and weights of plain gradient descent."""
rng_train = np.random.default_rng(14)
X_tr, Y_tr = rng_train.normal(size=(4, 2)), rng_train.normal(size=(4, 1))
start = [rng_train.normal(size=(2, 3)), rng_train.normal(size=(1, 3)), rng_train.normal(size=(3, 1)),
         rng_train.normal(size=(1, 1))]
model = MLP([2, 3, 1], np.random.default_rng(0))
set_parameters(model, mlp_order(start))
losses = train(model, X_tr, Y_tr, 6, 0.1)
check_that(isinstance(losses, list) and len(losses) == 6, "train(..., steps=6, ...) should return a list of 6 losses.")
for k, loss in enumerate(losses):
    check_number(loss, f"loss {k}")
check_that(losses[-1] < losses[0], "the loss should go down during training.")
known.confirm(np.array(losses, dtype=float), "the six losses of train on MLP([2, 3, 1]) with set weights")
### BEGIN HIDDEN TESTS
### BEGIN REFERENCE
def reference_(params, X, Y):
    """NumPy loss and gradients of a ReLU MLP, linear output, J = sum((a - Y)^2) / (2n)."""
    xs, zs = [X], []
    n_layers = len(params) // 2
    for k in range(n_layers):
        z = xs[-1] @ params[2 * k] + params[2 * k + 1]
        zs.append(z)
        xs.append(np.maximum(z, 0) if k < n_layers - 1 else z)
    dz = (xs[-1] - Y) / len(X)
    grads = [None] * len(params)
    for k in reversed(range(n_layers)):
        grads[2 * k] = xs[k].T @ dz
        grads[2 * k + 1] = dz.sum(axis=0, keepdims=True)
        if k:
            dz = (dz @ params[2 * k].T) * (zs[k - 1] > 0)
    return np.sum((xs[-1] - Y) ** 2) / (2 * len(X)), grads
### END REFERENCE


for sizes, seed, steps, rate in [([2, 3, 1], None, 6, 0.1), ([3, 4, 2], 64, 8, 0.05)]:
    if seed is None:
        X_in, Y_in, params = X_tr, Y_tr, start
        trained = losses
    else:
        rng_test = np.random.default_rng(seed)
        X_in, Y_in = rng_test.normal(size=(5, sizes[0])), rng_test.normal(size=(5, sizes[-1]))
        params = []
        for n_in, n_out in zip(sizes[:-1], sizes[1:], strict=True):
            params += [rng_test.normal(size=(n_in, n_out)), rng_test.normal(size=(1, n_out))]
        model = MLP(sizes, np.random.default_rng(1))
        set_parameters(model, mlp_order(params))
        trained = train(model, X_in, Y_in, steps, rate)
    ### BEGIN REFERENCE
    stepped_ = [p.copy() for p in params]
    expected_ = []
    for __ in range(steps):
        loss_value_, grads_ = reference_(stepped_, X_in, Y_in)
        expected_.append(loss_value_)
        stepped_ = [p - rate * g for p, g in zip(stepped_, grads_, strict=True)]
    ### END REFERENCE
    check_close(np.array(trained, dtype=float), np.array(expected_), f"the {steps} losses of train on MLP({sizes})")
    check_close(np.array([p.data for p in model.parameters()]), np.array(mlp_order(stepped_)),
                f"the parameters of MLP({sizes}) after {steps} steps of train")
### END HIDDEN TESTS

# %% [markdown]
# ## 5. A picture of the graph
#
# `graph_of` below walks the graph behind a Value through `_prev` and lists its nodes and arrows
# for `draw_computation_graph`, the function that drew the graph of Assignment 2: the operation in
# each box, the value in blue above it, the gradient in red below it. `graph_path` picks the arrows
# between two nodes, here the way $\partial L/\partial b$ travels back from $L$ to $b$, drawn in
# orange.

# %% nbgrader={"grade": false, "grade_id": "graph_of", "locked": true, "schema_version": 3, "solution": false, "task": false}
def graph_of(output, names):
    """(nodes, edges) of the graph that made output, in the format of draw_computation_graph.

    names: {name: Value} for the Values to call by name; the other nodes are called n0, n1, ...
    and labelled by their operation, or by their number for a constant.
    """
    named = {id(value): name for name, value in names.items()}
    key, nodes, edges = {}, {}, []

    def visit(value):
        if id(value) in key:
            return
        for child in value._prev:
            visit(child)
        name = named.get(id(value), f"n{len(key)}")
        key[id(value)] = name
        label = value._op or (name if id(value) in named else f"{value.data:g}")
        nodes[name] = {"label": label, "value": value.data, "grad": value.grad}
        for child in value._prev:
            if (key[id(child)], name) not in edges:
                edges.append((key[id(child)], name))

    visit(output)
    return nodes, edges


# %%
a, b, c = Value(5.0), Value(3.0), Value(2.0)
L = 3 * (a + b * c)
L.backward()
nodes, edges = graph_of(L, {"a": a, "b": b, "c": c, "L": L})
draw_computation_graph(nodes, edges, highlight=graph_path(edges, "b", "L"),
                       title="L = 3(a + bc) as Values: the path of dL/db")
plt.show()

# %% [markdown]
# A value used more than once: in $y = x \tanh x + e^{x}$ the gradient of $x$ arrives along three
# paths, and `+=` adds them up. All three are highlighted.

# %%
x = Value(0.8)
y = x * x.tanh() + x.exp()
y.backward()
nodes, edges = graph_of(y, {"x": x, "y": y})
draw_computation_graph(nodes, edges, highlight=graph_path(edges, "x", "y"),
                       title="y = x tanh(x) + exp(x): three paths from x to y")
plt.show()
t = math.tanh(0.8)
print("dy/dx =", x.grad, "  by hand, tanh x + x (1 - tanh² x) + e^x =", t + 0.8 * (1 - t**2) + math.exp(0.8))

# %% [markdown]
# ## What you built, and questions to think about
#
# You wrote the engine behind `loss.backward()`: a graph recorded during the forward pass, a
# topological order, one local derivative per operation, and gradients that add up. Your network of
# Values computes the same gradients as your matrix backpropagation of Assignment 4, only slower.
#
# 1. How many Values does one forward pass of the `[2, 6, 1]` network over the eight points create?
#    Why is PyTorch, whose graph nodes are whole tensors, so much faster on the same network?
# 2. Call `L.backward()` twice on the graph of Part 2.1: `b.grad` becomes 24, not 12. Where does
#    the extra 6 come from (look at `u.grad`)? PyTorch, asked to run the same backward pass twice
#    (`retain_graph=True`), gives 12: it adds only to the grads of the leaves and computes the
#    inner ones afresh each time. When is adding up gradients across calls useful?
# 3. A recursive topological sort fails on a chain of about a thousand operations (Python's
#    recursion limit). How would you build the order without recursion?
# 4. `relu` has no derivative at 0 and we used 0 there. Does the choice matter for training?

# %% [markdown]
# ## Where you stand
#
# Run the cell below whenever you like: it runs every check of this notebook again and prints one line for each, the first thing to fix at the top, and a known mistake by its name. It shows no answers and no tracebacks. Its last line says what the checks cannot decide: the points of the cells whose values no check compares with the right ones, which only the graded run decides. A line of ticks is a good sign, not a promise of full marks.

# %% nbgrader={"grade": false, "grade_id": "summary", "locked": true, "schema_version": 3, "solution": false, "task": false}
from workbook.summary import summarise

summarise("autograd.ipynb")
