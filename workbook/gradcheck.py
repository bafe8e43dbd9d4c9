"""Finite-difference gradients, so students can check their own derivatives without a key,
and a comparison of hand-written gradients with reference ones (autograd's), name by name."""

import numpy as np

__all__ = ["compare_gradients", "gradient_check", "numerical_gradient", "numerical_vjp",
           "relative_error", "vjp_agrees"]


def numerical_gradient(f, array, eps=1e-6):
    """Central-difference gradient of the scalar ``f()`` with respect to every entry of ``array``.

    ``array`` is changed in place, one entry at a time, and always restored, so ``f`` can read
    it through whatever object holds it (a weight matrix inside a network, say). The error of
    the central difference shrinks like ``eps**2``; much below 1e-6 rounding error takes over.
    """
    grad = np.zeros(array.shape, dtype=float)
    for index in np.ndindex(array.shape):
        saved = array[index]
        try:
            array[index] = saved + eps
            plus = float(np.sum(f()))
            array[index] = saved - eps
            minus = float(np.sum(f()))
        finally:
            array[index] = saved
        grad[index] = (plus - minus) / (2 * eps)
    return grad


def numerical_vjp(f, array, dout, eps=1e-6):
    """Central-difference gradient of ``sum(f() * dout)`` with respect to ``array``.

    That is what a layer's backward function computes from ``dout``, the gradient of the loss
    with respect to the layer's output ``f()``: its result has the shape of ``array`` and can be
    compared with the backward function's with :func:`relative_error`. ``dout`` has the shape
    of ``f()`` (or is a number: ``1.0`` differentiates ``f()`` itself when it returns a loss).
    ``array`` is nudged in place and restored, as in :func:`numerical_gradient`.
    """
    return numerical_gradient(lambda: np.asarray(f()) * dout, array, eps)


def _low_precision(value):
    """Is ``value`` an array (or number) of floats coarser than float64 (float32, float16)?"""
    dtype = np.asarray(value).dtype
    return dtype.kind == "f" and np.finfo(dtype).eps > np.finfo(np.float64).eps


def vjp_agrees(grad, f, array, dout=1.0):
    """Does ``grad`` equal :func:`numerical_vjp` of ``f`` with respect to ``array``?

    Yes when the :func:`relative_error` is below 1e-6 with a step of 1e-6, the test for float64
    arithmetic; or below 1e-2 with a step of 1e-3, for code that computes in float32 somewhere
    inside (float32 rounds at about 1e-7, and a step of 1e-6 would magnify that to the size of
    the gradient itself). A wrong gradient (a factor, a transpose, a missing term) is off by 0.1
    and more, so it fails both. ``grad`` must have the shape of ``array``.
    """
    grad = np.asarray(grad)
    if grad.shape != np.shape(array):
        return False
    return any(relative_error(grad, numerical_vjp(f, array, dout, eps=step)) < tol
               for step, tol in ((1e-6, 1e-6), (1e-3, 1e-2)))


def relative_error(a, b):
    """``max |a - b| / max(|a| + |b|, 1e-12)``: about 1e-7 or less when two gradients agree."""
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    return float(np.max(np.abs(a - b)) / max(float(np.max(np.abs(a) + np.abs(b))), 1e-12))


def gradient_check(net, X, Y, eps=1e-5, tol=1e-6, verbose=True):
    """Compare ``net.backward_pass`` with finite differences of the network's own loss.

    ``net`` is a network with the interface of the workbook's ``NN`` class: ``params`` (a dict
    of float arrays ``W1, b1, ...``), ``forward_pass(X, training=False)``,
    ``backward_pass(X, Y, coef)`` returning ``dW1, db1, ...``, and ``loss_function['loss']``.
    Every parameter ``P`` is nudged in turn, the loss of ``forward_pass(X)`` is measured, and
    the resulting central-difference gradient is compared with the ``dP`` of backward_pass.
    Nothing else is used: the check knows no formula, so it needs no answer key. The
    parameters are restored afterwards.

    X: inputs, shape (n, n_0); Y: targets, shape (n, n_out). Keep the network small (each
    entry of each parameter costs two forward passes).
    Prints one row per parameter (relative error, and a hint when it is off) if ``verbose``.
    Returns ``{name: relative error}``; ``inf`` when ``dP`` is missing or has the wrong shape.
    Below ``tol`` (about 1e-7 for a correct ReLU network away from its kinks) means agreement.
    Use weights of a normal size (say N(0, 1)): with tiny weights the gradients are tiny too,
    and the rounding error of the finite differences swamps them.
    """
    for name, value in net.params.items():
        if not (isinstance(value, np.ndarray) and value.dtype.kind == "f"):
            raise TypeError(
                f"net.params[{name!r}] should be an array of floats, but it is "
                f"{type(value).__name__} of dtype {getattr(value, 'dtype', None)}: "
                "finite differences need float parameters."
            )
    grads = net.backward_pass(X, Y, net.forward_pass(X, training=True))
    if not isinstance(grads, dict):
        kind = type(grads).__name__
        raise TypeError(f"backward_pass should return a dict, but it returned {kind}.")

    def loss():
        return net.loss_function["loss"](net.forward_pass(X), Y)

    # Rounding error of one central difference: each loss is rounded at about 1e-16 of its
    # size, and dividing by 2 eps magnifies that. A gradient not far above it cannot be judged.
    noise = np.finfo(float).eps * max(abs(float(np.sum(loss()))), 1.0) / eps
    errors, rows = {}, []
    for name, value in net.params.items():
        errors[name], hint = _compare(grads.get(f"d{name}"), name, value, loss, eps, tol, noise)
        rows.append((name, str(value.shape), errors[name], hint))
    if verbose:
        _print_report(rows)
    return errors


def _compare(analytic, name, value, loss, eps, tol, noise=0.0):
    """Relative error of one parameter's gradient, and a hint for the report."""
    if analytic is None:
        return float("inf"), f"backward_pass returned no 'd{name}'"
    analytic = np.asarray(analytic, dtype=float)
    if analytic.shape != value.shape:
        return float("inf"), f"d{name} has shape {analytic.shape}, but {name} has {value.shape}"
    numeric = numerical_gradient(loss, value, eps)
    error = relative_error(analytic, numeric)
    if error < tol:
        return error, "ok"
    return error, _hint(analytic, numeric, tol, noise)


TINY = "MISMATCH? the gradient is so tiny that rounding may dominate: use larger weights"


def _hint(analytic, numeric, tol, noise=0.0):
    """Describe how a wrong gradient differs from the finite differences.

    ``noise`` is the rounding error expected of one finite difference; a gradient less than
    ``10 * noise / tol`` in size may miss the tolerance even when it is right.
    """
    if not np.any(analytic):
        return "MISMATCH: your gradient is all zeros"
    largest = float(np.max(np.abs(analytic) + np.abs(numeric)))
    if largest < 1e-5 or largest * tol < 10 * noise:
        return TINY
    size = float(np.sum(numeric * numeric))
    if analytic.size == 1:
        # One number is always some multiple of another: a factor says nothing, but a sign does.
        if float(np.sum(analytic * numeric)) < 0:
            return "MISMATCH: yours has the opposite sign of the finite difference"
        return "MISMATCH: a single number, of the right sign but the wrong size"
    if size > 0:
        factor = float(np.sum(analytic * numeric)) / size
        if relative_error(analytic, factor * numeric) < tol:
            return f"MISMATCH: yours is {factor:.4g} times the finite differences"
    return "MISMATCH"


def _print_report(rows):
    """Print the gradient-check table, one row per parameter."""
    print(f"{'parameter':<10} {'shape':<10} {'rel. error':>10}  verdict")
    for name, shape, error, hint in rows:
        print(f"{name:<10} {shape:<10} {error:>10.1e}  {hint}")


def _as_array(value):
    """A NumPy array of ``value``: an array, a number, or a tensor (detached from its graph)."""
    if hasattr(value, "detach"):       # a torch.Tensor, without importing torch here
        value = value.detach().cpu().numpy()
    return np.asarray(value)


def compare_gradients(mine, reference, order=None, tol=1e-7, verbose=True):
    """Compare gradients written by hand with reference ones, name by name, in ``order``.

    mine, reference: ``{name: gradient}``; a reference gradient may be a NumPy array or a torch
    tensor (``tensor.grad``). order: the names to compare, in the order to compare them (by
    default the reference's); put them in backward order, from the loss to the inputs, so that
    the first disagreement is where the mistake is and the later ones may only inherit it.
    A gradient agrees when it has the reference's shape and differs from it by at most
    ``tol`` times the larger of 1 and the reference's largest entry (``tol`` is at least 2e-5
    for a float32 gradient, which rounds at about 1e-7 of every number it adds up).
    Prints a row per name if ``verbose``; returns the first name that disagrees, or None.
    """
    names = list(reference) if order is None else list(order)
    first, rows = None, []
    for name in names:
        want = np.asarray(_as_array(reference[name]), dtype=float)
        verdict, diff = "ok", float("nan")
        if name not in mine:
            verdict = "MISSING"
        else:
            got = np.asarray(_as_array(mine[name]), dtype=float)
            if got.shape != want.shape:
                verdict = f"WRONG SHAPE {got.shape}, should be {want.shape}"
            else:
                diff = float(np.max(np.abs(got - want))) if want.size else 0.0
                scale = max(1.0, float(np.max(np.abs(want))) if want.size else 0.0)
                allowed = max(tol, 2e-5) if _low_precision(_as_array(mine[name])) else tol
                if not diff <= allowed * scale:
                    verdict = "MISMATCH"
        if verdict != "ok" and first is None:
            first = name
        rows.append((name, str(want.shape), diff, verdict))
    if verbose:
        print(f"{'tensor':<12} {'shape':<10} {'max |diff|':>10}  verdict")
        for name, shape, diff, verdict in rows:
            print(f"{name:<12} {shape:<10} {diff:>10.1e}  {verdict}")
        print("all agree" if first is None else f"first to disagree: {first}")
    return first
