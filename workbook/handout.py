"""Hand a value under test out of the kernel, as plain data, for the grader to judge.

When ``workbook grade`` runs a notebook, the hidden part of every test cell is rewritten so that
it calls :func:`give` with the quantities under test (the student's results on the test's
inputs) instead of comparing them in the kernel: the grader compares them, outside, with a key
the kernel never sees. Nothing here decides a grade; a value handed out is only data.

Run as a student, nothing calls this module.
"""

import math
import numbers

import numpy as np

__all__ = ["MIME", "encode", "give"]

MIME = "application/vnd.workbook.handout+json"
# The largest array handed out; bigger ones are described, not sent (the grader rejects them).
MAX_ENTRIES = 250_000


def _number(x):
    """A JSON-safe float: nan and the infinities as strings."""
    x = float(x)
    return x if math.isfinite(x) else repr(x)


def encode(value):
    """``value`` as plain data: its kind, and for numbers and arrays their exact contents."""
    if value is None:
        return {"kind": "NoneType"}
    if isinstance(value, np.ndarray):
        base = np.ndarray.view(value, np.ndarray)
        described = {"kind": "ndarray", "dtype": str(base.dtype), "shape": list(base.shape)}
        if base.dtype.kind in "biuf" and base.size <= MAX_ENTRIES:
            flat = np.ndarray.tolist(np.ravel(base.astype(np.float64)))
            described["data"] = [_number(x) for x in flat]
        return described
    if isinstance(value, bool):
        return {"kind": "bool", "value": value}
    if isinstance(value, np.generic) and value.dtype.kind in "biuf":
        return {"kind": "numpy scalar", "dtype": str(value.dtype), "value": _number(value)}
    if isinstance(value, numbers.Integral):
        return {"kind": "int", "value": _number(value)}
    if isinstance(value, numbers.Real):
        return {"kind": "float", "value": _number(value)}
    if isinstance(value, list | tuple):
        return {"kind": type(value).__name__, "length": len(value)}
    return {"kind": "other", "type": type(value).__name__[:60]}


def give(site, value, name=None, options=None):
    """Hand out ``value`` for check number ``site`` of this test cell.

    ``name`` labels it in messages; ``options`` (the instructor's run only) are the check's
    tolerances.
    """
    from IPython.display import display

    payload = {"site": int(site), "value": encode(value)}
    if name is not None:
        payload["name"] = str(name)[:200]
    if options:
        payload["options"] = {key: float(number) for key, number in options.items()}
    display({MIME: payload}, raw=True)
