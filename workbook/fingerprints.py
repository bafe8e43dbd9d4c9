"""Known mistakes, and right values, recognised by their fingerprints.

A fingerprint is a salted hash of a value rounded on a grid: it tells whether your value is
(almost) the one the course computed, without holding that value (the tests of UBC's DSCI 100
course, github.com/UBC-DSCI/dsci-100-assets, compare answers the same way).
``bash course.sh release`` runs every planted mistake of an assignment
(``instructor/authoring/planted/``) and keeps the fingerprints of the wrong values it produces
on the notebook's visible data, with a short name for each, in ``workbook/known/<notebook>.json``.
A test cell then asks::

    known = Fingerprints("forward_pass")      # once, in the setup cell
    known.check(h1, "h1")                     # says so if h1 looks like a known mistake
    known.confirm(relu(cube), "relu(cube)")   # ... and, for values of many digits, if it is wrong

``confirm`` also compares with the fingerprint of the right value. It is used only where the
value has too many digits to be guessed from its fingerprint (several entries computed from
random inputs); a single number, a small count or a choice between a few answers is never
confirmed, and never named when naming the mistake would give the answer away.

The grid: entry ``t`` of the value the fingerprint was made from is rounded as
``floor(t / step + shift)``, with ``step`` the power of ten a thousandth of the largest entry's
(it says no more of the value than its order of magnitude) and ``shift`` 0 or 1/2, whichever
keeps ``t`` at least a quarter step from a rounding edge. So any value within a quarter step of
``t`` in every entry (float32 rounding, another order of the sums) gets the same fingerprint,
and one that is off by more than a step gets another.
"""

import hashlib
import json
from pathlib import Path

import numpy as np

from workbook.checks import CheckError

__all__ = ["DIGITS", "Fingerprints", "canonical", "digest", "make_print", "matches"]

KNOWN = Path(__file__).resolve().parent / "known"
DIGITS = -3                 # the grid step: 10 ** DIGITS times the largest entry's power of ten
MAX_ENTRIES = 5000          # larger values are neither fingerprinted nor checked
_SPECIAL = {"nan": 2**62, "inf": 2**62 + 1, "-inf": -(2**62)}


def canonical(value):
    """``(shape, flat float64 entries)`` of a number or numeric array, or None.

    A single number, in whatever form (float, NumPy scalar, 1-element array, one-element
    tensor), has shape ``()``. Tensors are read through ``.detach().numpy()``.
    """
    if hasattr(value, "detach") and hasattr(value, "numpy"):
        try:
            value = value.detach().cpu().numpy()
        except Exception:  # noqa: BLE001  (anything a tensor cannot give is not fingerprinted)
            return None
    if isinstance(value, str | bytes | dict) or value is None:
        return None
    try:
        array = np.asarray(value, dtype=float)
    except (TypeError, ValueError):
        return None
    if array.size > MAX_ENTRIES or array.size == 0:
        return None
    shape = () if array.size == 1 else array.shape
    return tuple(int(n) for n in shape), array.reshape(-1)


def _grid(entries, step, shifts):
    """The integers of the grid for ``entries`` (nan and the infinities have codes of their own)."""
    finite = np.isfinite(entries)
    q = np.zeros(entries.shape, dtype=np.int64)
    q[finite] = np.floor(entries[finite] / step + shifts[finite]).astype(np.int64)
    q[np.isnan(entries)] = _SPECIAL["nan"]
    q[np.isposinf(entries)] = _SPECIAL["inf"]
    q[np.isneginf(entries)] = _SPECIAL["-inf"]
    return q


def digest(salt, label, shape, q):
    """The hash of grid integers ``q`` of a value of ``shape``, for ``label``."""
    text = f"{salt}\n{label}\n{list(shape)}\n".encode() + np.asarray(q, "<i8").tobytes()
    return hashlib.sha256(text).hexdigest()[:24]


def make_print(salt, label, value):
    """The fingerprint of ``value`` for ``label``: a dict of plain data, or None."""
    found = canonical(value)
    if found is None:
        return None
    shape, entries = found
    finite = entries[np.isfinite(entries)]
    top = float(np.max(np.abs(finite))) if finite.size else 0.0
    step = 10.0 ** (np.floor(np.log10(top)) + DIGITS) if top > 0 else 1e-12
    fraction = np.mod(np.where(np.isfinite(entries), entries, 0.0) / step, 1.0)
    shifts = np.where((fraction < 0.25) | (fraction >= 0.75), 0.5, 0.0)
    bits = np.packbits(shifts > 0).tobytes().hex()
    return {"shape": list(shape), "step": step, "shifts": bits,
            "digest": digest(salt, label, shape, _grid(entries, step, shifts))}


def matches(salt, label, value, fingerprint):
    """Does ``value`` have this fingerprint (the same shape, the same grid integers)?"""
    found = canonical(value)
    if found is None:
        return False
    shape, entries = found
    if list(shape) != fingerprint["shape"]:
        return False
    bits = np.unpackbits(np.frombuffer(bytes.fromhex(fingerprint["shifts"]), np.uint8))
    shifts = bits[: entries.size].astype(float) / 2
    return digest(salt, label, shape, _grid(entries, fingerprint["step"], shifts)) \
        == fingerprint["digest"]


class Fingerprints:
    """The known mistakes (and confirmable right values) of one notebook's visible checks."""

    # Set by the course's own tools only: "record" keeps every value checked instead of
    # checking it; "measure" checks as usual but notes a recognised mistake instead of
    # raising, so that a measurement can also see what the other checks catch.
    mode = None
    recorded = []
    named = []

    def __init__(self, notebook):
        path = KNOWN / f"{notebook}.json"
        data = json.loads(path.read_text(encoding="utf-8")) if path.is_file() else {}
        self.notebook = notebook
        self.salt = data.get("salt", "")
        self.labels = data.get("labels", {})

    def check(self, value, label):
        """Raise ``CheckError`` if ``value`` looks like a known mistake's value for ``label``."""
        self._look(value, label, confirm=False)

    def confirm(self, value, label):
        """As :meth:`check`, then raise ``CheckError`` if ``value`` is not the right one."""
        self._look(value, label, confirm=True)

    def _look(self, value, label, confirm):
        if Fingerprints.mode == "record":
            found = canonical(value)
            Fingerprints.recorded.append({
                "label": label, "confirm": confirm,
                "value": None if found is None else [list(found[0]),
                                                     [float(x) for x in found[1]]]})
            return
        known = self.labels.get(label, {})
        names = [name for mistake in known.get("mistakes", [])
                 if matches(self.salt, label, value, mistake) for name in mistake["names"]]
        if names:
            if Fingerprints.mode == "measure":
                Fingerprints.named.append({"label": label, "names": names})
            else:
                raise CheckError(f"`{label}` looks like a known mistake: "
                                 f"{' or '.join(dict.fromkeys(names))}.")
        right = known.get("right")
        if confirm and right is not None and not matches(self.salt, label, value, right):
            raise CheckError(f"`{label}` has the right type and shape, but its value is not "
                             "right on this data.")
