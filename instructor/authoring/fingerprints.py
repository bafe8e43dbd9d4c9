"""The fingerprints of known mistakes, made at release: ``workbook/known/<notebook>.json``.

The visible checks of a notebook hand values to :class:`workbook.fingerprints.Fingerprints`
(``known.check(value, label)``, ``known.confirm(value, label)``). This module runs the release
notebook with the solution, with every planted mistake and with every correct variant
(:mod:`.visible_runs`, values recorded) and keeps:

- for every label a mistake changes, the fingerprint of the mistake's value, with the
  mistake's name; a fingerprint that the right value or any correct variant also has is
  dropped (no right answer may ever be named);
- for every label checked with ``confirm``, the fingerprint of the right value, which every
  variant must have too, and only if the value has enough digits that it cannot be guessed
  from its fingerprint.

The file records a digest of what it was made from (the release notebook's code, the
solution, the planted mistakes, the fingerprint code); ``bash course.sh release`` remakes a
stale one and a test checks that none is stale. Run as
``python -m instructor.authoring.fingerprints [ASSIGNMENT ...]``.
"""

import hashlib
import inspect
import json
import sys
from pathlib import Path

import numpy as np

from instructor.authoring.courses import COURSE
from instructor.authoring.edits import apply_edits
from instructor.authoring.planted import declarations
from instructor.authoring.submissions import solution_cells
from instructor.authoring.visible_catch import own_checks
from instructor.authoring.visible_runs import notebook_cells, run_submissions
from workbook import fingerprints as student_side

__all__ = ["FingerprintError", "build", "known_path", "source_digest", "stale", "write"]

MIN_HIDDEN_ENTRIES = 4      # a confirmed value needs this many entries of 3 or more digits


class FingerprintError(Exception):
    """A notebook's checks cannot be fingerprinted as written; the message says where."""


def known_path(root, spec):
    return Path(root) / "workbook" / "known" / f"{spec.NOTEBOOK}.json"


def _paths(root, spec):
    release = Path(root) / "release" / spec.ASSIGNMENT / f"{spec.NOTEBOOK}.ipynb"
    source = Path(root) / "source" / spec.ASSIGNMENT / f"{spec.NOTEBOOK}.ipynb"
    return release, source


def source_digest(root, spec):
    """What a notebook's fingerprints depend on, as one digest."""
    release, source = _paths(root, spec)
    parts = [[c.source for c in notebook_cells(release)], solution_cells(source),
             inspect.getsource(spec), inspect.getsource(student_side)]
    return hashlib.sha256(json.dumps(parts, sort_keys=True).encode()).hexdigest()


def _values(run):
    """``{label: (confirm, value)}`` of one run; a label seen twice must hold one value."""
    found = {}
    for entry in run.recorded:
        label, value = entry["label"], entry["value"]
        if value is None:
            continue
        shape, flat = value
        value = np.array(flat, dtype=float).reshape(shape)
        if label in found and not np.array_equal(found[label][1], value, equal_nan=True):
            raise FingerprintError(f"{run.name}: the label {label!r} is checked twice with "
                                   "different values; give each check a label of its own")
        found[label] = (entry["confirm"] or found.get(label, (False,))[0], value)
    return found


def _hidden_enough(value, fingerprint):
    """Has a value enough digits that its fingerprint cannot be inverted by guessing?"""
    entries = np.ravel(value)
    grid = np.abs(entries / fingerprint["step"])
    return int(np.sum((grid >= 100) & (entries != np.round(entries)))) >= MIN_HIDDEN_ENTRIES


def build(spec, root=COURSE):
    """``(the notebook's fingerprints as JSON-ready data, a report of lines)``."""
    release, source = _paths(root, spec)
    answers = solution_cells(source)
    cells = notebook_cells(release)
    position = {c.grade_id: i for i, c in enumerate(cells)}
    submissions = {}
    for mistake in spec.MISTAKES:
        theirs = apply_edits(answers, mistake.edits)
        first = min(position[g] for g in theirs if theirs[g] != answers.get(g))
        last = [position[c] for c in mistake.loses if c in position] + own_checks(cells, first)
        submissions[mistake.name] = (theirs, max(last, default=first))
    for variant in spec.VARIANTS:
        submissions[variant.name] = (apply_edits(answers, variant.edits), len(cells) - 1)
    runs = run_submissions(cells, answers, submissions, record=True)
    salt = hashlib.sha256(f"backprop-workbook/{spec.NOTEBOOK}".encode()).hexdigest()[:16]
    right = _values(runs["solution"])
    report, labels = [], {}
    for label, (confirm, value) in right.items():
        entry = labels.setdefault(label, {"mistakes": []})
        if confirm:
            fingerprint = student_side.make_print(salt, label, value)
            if not _hidden_enough(value, fingerprint):
                raise FingerprintError(f"{spec.NOTEBOOK}: {label!r} is confirmed, but its value "
                                       "has too few digits to be hidden by a fingerprint; use "
                                       "check, or confirm a value computed from random inputs")
            entry["right"] = fingerprint
    for mistake in spec.MISTAKES:
        for label, (_, value) in _values(runs[mistake.name]).items():
            if label not in right:
                continue
            fingerprint = student_side.make_print(salt, label, value)
            if fingerprint is None or student_side.matches(salt, label, right[label][1],
                                                           fingerprint):
                continue          # the mistake does not show in this value
            same = [m for m in labels[label]["mistakes"]
                    if {**m, "names": None} == {**fingerprint, "names": None}]
            if same:
                same[0]["names"].append(mistake.name)
            else:
                labels[label]["mistakes"].append({**fingerprint, "names": [mistake.name]})
    for variant in spec.VARIANTS:
        for label, (_, value) in _values(runs[variant.name]).items():
            if label not in labels:
                continue
            entry = labels[label]
            if "right" in entry and not student_side.matches(salt, label, value, entry["right"]):
                raise FingerprintError(f"{spec.NOTEBOOK}: the correct variant {variant.name!r} "
                                       f"does not match the right value of {label!r}")
            kept = [m for m in entry["mistakes"]
                    if not student_side.matches(salt, label, value, m)]
            for dropped in entry["mistakes"]:
                if dropped not in kept:
                    report.append(f"{label}: not named ({', '.join(dropped['names'])}): the "
                                  f"variant {variant.name!r} has the same value")
            entry["mistakes"] = kept
    labels = {k: v for k, v in sorted(labels.items()) if v["mistakes"] or "right" in v}
    report += [f"the solution raised in {line}" for line in runs["solution"].crashed]
    data = {"version": 1, "notebook": spec.NOTEBOOK, "source": source_digest(root, spec),
            "salt": salt, "labels": labels}
    return data, report


def stale(root=COURSE, specs=None):
    """The declarations whose fingerprints are missing or out of date."""
    found = []
    for spec in (specs or declarations().values()):
        path = known_path(root, spec)
        try:
            current = json.loads(path.read_text())["source"] == source_digest(root, spec)
        except (FileNotFoundError, ValueError, KeyError):
            current = False
        if not current:
            found.append(spec)
    return found


def write(root=COURSE, assignments=None):
    """Remake the stale fingerprints of ``assignments`` (default: all); the paths written."""
    specs = [s for a, s in declarations().items() if not assignments or a in assignments]
    written = []
    for spec in stale(root, specs):
        data, report = build(spec, root)
        path = known_path(root, spec)
        path.parent.mkdir(exist_ok=True)
        path.write_text(json.dumps(data, indent=1, sort_keys=True) + "\n")
        for line in report:
            print(f"{spec.ASSIGNMENT}: {line}", file=sys.stderr)
        written.append(path)
    return written


if __name__ == "__main__":
    for written_path in write(COURSE, sys.argv[1:] or None):
        print(f"wrote {written_path.relative_to(COURSE)}")
