"""Mistakes named: which planted mistake a wrong hand-out looks like.

Every assignment declares the mistakes students really make (``instructor/authoring/planted``).
:func:`build_mistake_key` grades each of them, with the solution, on a throw-away course and
keeps, for every hidden check, a fingerprint of each *wrong* value a mistake handed out
(:func:`fingerprint`: the value rounded to four significant digits, hashed) and the mistakes
that hand it out. The :class:`MistakeKey` is stored beside the answer key,
``source/<id>/<name>.mistakes.key.json`` (never released: ``*.key.json``), and records what it
was made from, so a test knows when it is stale. When a student's hidden check fails with a
value whose fingerprint a mistake made, the grader adds the mistake's name to the cell's
messages ("looks like: W2 used without its transpose"): the name of a mistake, never a value.
"""

import hashlib
import json
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

import nbformat
import numpy as np

from workbook.handout import decode

__all__ = ["MISTAKES_SUFFIX", "MOST_NAMES", "MistakeKey", "build_mistake_key", "fingerprint",
           "load_mistake_key", "mistake_key_path", "source_fingerprint"]

MISTAKES_SUFFIX = ".mistakes.key.json"
VERSION = 1
# A value that more than this many planted mistakes hand out at one check says nothing about
# which of them a student made (a learning rate among three, a loss that did not fall): it
# names none of them.
MOST_NAMES = 2
LARGEST = 20_000          # entries of an array fingerprinted whole; larger ones by summary


def fingerprint(encoded):
    """A digest of a handed-out value (plain data), equal for values that agree to four
    significant digits; None for what is not a number or an array of numbers."""
    value = decode(encoded)
    if isinstance(value, bool) or value is None:
        return None
    try:
        array = np.asarray(value, dtype=float)
    except (TypeError, ValueError):
        return None
    if array.dtype.kind != "f":
        return None
    if array.size > LARGEST:
        array = np.array([array.size, np.nansum(array), np.nansum(np.abs(array))])
    digits = " ".join(np.char.mod("%.4g", array.ravel() + 0.0))
    return hashlib.sha256(f"{array.shape}|{digits}".encode()).hexdigest()[:24]


def mistake_key_path(notebook):
    notebook = Path(notebook)
    return notebook.with_name(notebook.stem + MISTAKES_SUFFIX)


def source_fingerprint(notebook, spec):
    """What a mistake key is made from: the notebook's code and the declared mistakes."""
    from instructor.grading import keys

    nb = nbformat.read(notebook, as_version=4)
    declared = [(m.name, [(e.cell, e.old, e.new) for e in m.edits]) for m in spec.MISTAKES]
    return hashlib.sha256(json.dumps([keys.fingerprint(nb), declared]).encode()).hexdigest()


@dataclass(frozen=True)
class MistakeKey:
    """``{grade_id: {site: {fingerprint: [mistake names]}}}`` and what it was made from."""

    fingerprint: str
    cells: dict

    def names(self, cell, site, encoded):
        """The mistakes that hand out ``encoded`` at check ``site`` of test cell ``cell``."""
        found = self.cells.get(cell, {}).get(str(site), {})
        digest = fingerprint(encoded) if found else None
        names = found.get(digest, []) if digest else []
        return names if len(names) <= MOST_NAMES else []

    def telling(self):
        """The names of the mistakes some value of their own can name."""
        return {name for sites in self.cells.values() for found in sites.values()
                for names in found.values() if len(names) <= MOST_NAMES for name in names}

    def to_json(self):
        return json.dumps({"version": VERSION, "fingerprint": self.fingerprint,
                           "cells": self.cells}, sort_keys=True)

    @classmethod
    def from_json(cls, text):
        data = json.loads(text)
        if data.get("version") != VERSION:
            raise ValueError(f"mistake key version {data.get('version')}, not {VERSION}")
        return cls(data["fingerprint"], data["cells"])


def load_mistake_key(notebook, spec):
    """The current mistake key of ``notebook`` (declared by ``spec``), or None (none made,
    or made from other code or other mistakes: nothing is named then)."""
    path = mistake_key_path(notebook)
    if spec is None or not path.exists():
        return None
    try:
        key = MistakeKey.from_json(path.read_text())
    except (ValueError, KeyError, TypeError):
        return None
    return key if key.fingerprint == source_fingerprint(notebook, spec) else None


def build_mistake_key(root, spec, jobs=None):
    """Grade every planted mistake of ``spec`` (and the solution) on a throw-away copy of the
    course at ``root``; write and return the notebook's :class:`MistakeKey`."""
    from instructor.authoring.courses import declared_submissions, make_course, student_id
    from instructor.authoring.submissions import solution_cells, write_submission
    from instructor.grading.grade_run import Options, grade

    root = Path(root)
    notebook = root / "source" / spec.ASSIGNMENT / f"{spec.NOTEBOOK}.ipynb"
    with tempfile.TemporaryDirectory(prefix="mistake-key-") as folder:
        course = make_course(Path(folder), [spec.ASSIGNMENT])
        release = course / "release" / spec.ASSIGNMENT / notebook.name
        submissions = declared_submissions(spec, solution_cells(notebook))
        names = {student_id(name): name for name in submissions}
        for sid, name in names.items():
            write_submission(release, course / "submitted" / sid / spec.ASSIGNMENT
                             / notebook.name, submissions[name])
        options = Options(progress=False, record_handouts=True, **(
            {"jobs": jobs} if jobs else {}))
        run = grade(course, spec.ASSIGNMENT, options=options)
        shutil.rmtree(course, ignore_errors=True)
    handed = {names[r.student]: r.handouts.get(spec.NOTEBOOK, {}) for r in run.results}
    right = handed.get("solution", {})
    planted = {m.name for m in spec.MISTAKES}
    cells = {}
    for name, by_cell in sorted(handed.items()):
        if name not in planted:
            continue
        for cell, sites in by_cell.items():
            for site, digests in sites.items():
                correct = set(right.get(cell, {}).get(site, []))
                for digest in set(digests) - correct - {None}:
                    known = cells.setdefault(cell, {}).setdefault(str(site), {})
                    known.setdefault(digest, [])
                    if name not in known[digest]:
                        known[digest].append(name)
    key = MistakeKey(source_fingerprint(notebook, spec), cells)
    mistake_key_path(notebook).write_text(key.to_json() + "\n")
    return key


def main(argv=None):
    """``python -m instructor.grading.mistakes [ASSIGNMENT ...]``: make the stale mistake keys
    (each grades every planted mistake of its assignment: minutes, not seconds)."""
    import sys
    import warnings

    from instructor.authoring.planted import declarations
    from instructor.course import find_course

    warnings.filterwarnings("ignore", module="nbgrader.api")
    root = find_course()
    wanted = (argv if argv is not None else sys.argv[1:]) or sorted(declarations())
    for assignment in wanted:
        spec = declarations()[assignment]
        notebook = root / "source" / assignment / f"{spec.NOTEBOOK}.ipynb"
        if load_mistake_key(notebook, spec) is None:
            print(f"making the mistake key of {assignment}: grading its {len(spec.MISTAKES)} "
                  "planted mistakes ...", flush=True)
            build_mistake_key(root, spec)


if __name__ == "__main__":
    main()
