"""The hand-out: a value under test, handed out of a graded kernel as plain data.

When ``workbook grade`` runs a notebook, the hidden part of every test cell is rewritten so that
it hands out the quantities under test (the student's results on the test's inputs) instead of
comparing them in the kernel: the grader compares them, outside, with an answer key the kernel
never sees. This module is the one definition of that exchange, imported by both sides:

- in the kernel, :func:`give` (reached through :data:`ACCESS`) encodes a value
  (:func:`encode`) and displays it as one output of type :data:`MIME`;
- in the grader, :meth:`Payload.from_output` reads such an output back, and :func:`decode`
  rebuilds a value from plain data only (numbers, strings, lists), whatever the kernel sent.

Nothing here decides a grade; a value handed out is only data. Run as a student, nothing calls
this module.
"""

import math
import numbers
from dataclasses import dataclass

import numpy as np

__all__ = ["ACCESS", "MIME", "VERSION", "Payload", "decode", "encode", "give", "probe"]

MIME = "application/vnd.workbook.handout+json"
VERSION = 1
# The largest array handed out; bigger ones are described, not sent (the grader rejects them).
MAX_ENTRIES = 250_000
# What the grader rebuilds: NumPy's numeric dtypes, nothing that runs code when made.
DTYPES = frozenset({"bool", "int8", "int16", "int32", "int64", "uint8", "uint16", "uint32",
                    "uint64", "float16", "float32", "float64"})
MAX_DECODED = 10**6


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


class Unknown:
    """Stands in for a value of a type the grader does not rebuild (named as the kernel said)."""


def _float(x):
    """A number of the plain data (nan and the infinities come as strings)."""
    if not isinstance(x, int | float | str) or isinstance(x, bool):
        raise TypeError(f"not a number: {type(x).__name__}")
    return float(x)


def decode(encoded):
    """A value with the kind, dtype, shape and numbers ``encoded`` describes, built here.

    Only plain data is read: numbers, strings, lists. Anything malformed decodes to an
    object of an unknown type, which every check rejects.
    """
    try:
        return _decode(encoded)
    except (KeyError, TypeError, ValueError, OverflowError, AttributeError):
        return Unknown()


def _decode(encoded):
    kind = encoded["kind"]
    if kind == "NoneType":
        return None
    if kind == "bool":
        return bool(encoded["value"]) if isinstance(encoded["value"], bool) else Unknown()
    if kind == "int":
        return int(_float(encoded["value"]))
    if kind == "float":
        return _float(encoded["value"])
    if kind == "numpy scalar" and encoded["dtype"] in DTYPES:
        return np.dtype(encoded["dtype"]).type(_float(encoded["value"]))
    if kind in ("list", "tuple"):
        length = min(int(encoded["length"]), MAX_DECODED)
        return [None] * length if kind == "list" else (None,) * length
    if kind == "ndarray":
        shape = tuple(int(n) for n in encoded["shape"])
        if any(n < 0 for n in shape):
            raise ValueError("a negative dimension")
        size = math.prod(shape)
        if encoded["dtype"] not in DTYPES:
            return np.empty(shape if size <= MAX_DECODED else (0,), dtype=object)
        data = encoded.get("data")
        if not isinstance(data, list) or len(data) != size:   # too big to hand out
            return np.full(shape if size <= MAX_DECODED else (0,), np.nan)
        values = np.array([_float(x) for x in data], dtype=np.float64).reshape(shape)
        return values.astype(encoded["dtype"])
    return type(str(encoded.get("type", "object"))[:60] or "object", (Unknown,), {})()


@dataclass(frozen=True)
class Payload:
    """One hand-out: the value of check number ``site`` of a test cell.

    ``value`` is :func:`encode`'s plain data; ``name`` labels it in messages when the test
    computes its label; ``options`` (the answer key's run only) are the check's tolerances.
    """

    site: int
    value: dict
    name: str | None = None
    options: dict | None = None

    def to_output(self):
        """The display output the kernel sends (a MIME bundle of plain JSON)."""
        data = {"version": VERSION, "site": self.site, "value": self.value}
        if self.name is not None:
            data["name"] = self.name
        if self.options:
            data["options"] = self.options
        return {MIME: data}

    @classmethod
    def from_output(cls, data):
        """The payload of an output's ``data[MIME]``, or None if it is not a well-formed one
        (a hand-out forged or damaged by student code)."""
        if not isinstance(data, dict) or data.get("version") != VERSION:
            return None
        site, value, name = data.get("site"), data.get("value"), data.get("name")
        options = data.get("options")
        if (not isinstance(site, int) or isinstance(site, bool) or not isinstance(value, dict)
                or not isinstance(name, str | None) or not isinstance(options, dict | None)):
            return None
        return cls(site, value, name, options)


def give(site, value, name=None, options=None):
    """Hand out ``value`` for check number ``site`` of this test cell.

    ``name`` labels it in messages; ``options`` (the instructor's run only) are the check's
    tolerances.
    """
    from IPython.display import display

    options = {key: float(number) for key, number in (options or {}).items()}
    payload = Payload(int(site), encode(value), None if name is None else str(name)[:200],
                      options or None)
    display(payload.to_output(), raw=True)


def probe(code):
    """Run a grader's probe cell (its code as text) in a namespace of its own, with the real
    builtins: nothing the student named in theirs stands in for what the probe uses."""
    exec(code, {"__name__": "workbook_probe"})  # noqa: S102  (the grader's own code)


class WorkbookHandout(complex):
    """How a rewritten test cell (and a probe cell) reaches :func:`give` (:func:`probe`)
    without looking up a single name.

    A name in a cell (``give``, ``bool``, even ``__import__``) is looked up in the student's
    namespace first, where a student may have defined it. :data:`ACCESS` is made of a literal
    and attributes only: it lists the subclasses of ``complex`` (few: NumPy's ``complex128``
    and this class, which the kernel factory imports before any student code runs) and takes
    the first one with this name, which is this one however many a student adds later.
    """

    give = staticmethod(give)
    probe = staticmethod(probe)
    # A graded test cell runs on past a failing statement, so that every hidden check still
    # hands out its value: it holds the first error and raises it at the end of the cell.
    catch = Exception
    held = []

    @classmethod
    def hold(cls, error):
        if not cls.held:
            cls.held.append(error)

    @classmethod
    def release(cls):
        if cls.held:
            error = cls.held.pop()
            cls.held.clear()
            raise error


ACCESS = "[c for c in (0j).__class__.__subclasses__() if c.__name__ == 'WorkbookHandout'][0]"
