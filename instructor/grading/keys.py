"""The answer key: the expected values of every hidden check, from the instructor's own run.

``bash course.sh release`` runs each source notebook (the solution) once, its hidden checks
rewritten to hand out the *expected* value they state and its reference regions in place
(:func:`instructor.grading.rewrite.rewrite` with ``key=True``), and stores what they handed out
beside the notebook as ``<name>.key.json`` (:class:`AnswerKey`). ``nbgrader_config.py`` lists
the pattern in ``CourseDirectory.ignore``, so the key is never released, never copied into a
grading folder and never seen by a kernel; stock nbgrader does not need it (it grades the
hidden tests as written). The key records a fingerprint of the notebook's code; a test checks
that every key is up to date.
"""

import hashlib
import json
import os
import sys
from dataclasses import dataclass, field
from pathlib import Path

import nbformat

from instructor.course import source_notebooks
from instructor.grading.decide import take_handouts
from instructor.grading.rewrite import rewrite
from instructor.vocabulary import grade_id, is_test

__all__ = ["KEY_SUFFIX", "AnswerKey", "AnswerKeyError", "Expected", "fingerprint", "key_path",
           "load_key", "make_key", "stale_keys", "write_keys"]

KEY_SUFFIX = ".key.json"
VERSION = 2


class AnswerKeyError(Exception):
    """A key is missing, out of date or could not be made; the message says which and why."""


@dataclass(frozen=True)
class Expected:
    """What one run of one hidden check handed out in the instructor's run: the expected
    value (:func:`workbook.handout.encode`'s plain data) and the check's tolerances."""

    value: dict
    options: dict = field(default_factory=dict)


@dataclass(frozen=True)
class AnswerKey:
    """A notebook's key: ``{grade_id: [[Expected, ...] per hidden check]}`` and the
    fingerprint of the code it was made from."""

    fingerprint: str
    cells: dict

    def to_json(self):
        cells = {cell: [[{"value": e.value, **({"options": e.options} if e.options else {})}
                         for e in site] for site in sites] for cell, sites in self.cells.items()}
        return json.dumps({"version": VERSION, "fingerprint": self.fingerprint, "cells": cells})

    @classmethod
    def from_json(cls, text):
        """The key in ``text``; AnswerKeyError if it is not one of this version."""
        try:
            data = json.loads(text)
            if data.get("version") != VERSION:
                raise ValueError(f"version {data.get('version')}, not {VERSION}")
            cells = {cell: [[Expected(e["value"], e.get("options", {})) for e in site]
                            for site in sites] for cell, sites in data["cells"].items()}
            return cls(data["fingerprint"], cells)
        except (ValueError, KeyError, TypeError, AttributeError) as error:
            raise AnswerKeyError(f"not an answer key: {error}") from None


def key_path(notebook):
    notebook = Path(notebook)
    return notebook.with_name(notebook.stem + KEY_SUFFIX)


def fingerprint(nb):
    """A digest of the notebook's code: the key is out of date when any code cell changes."""
    code = [cell.source for cell in nb.cells if cell.cell_type == "code"]
    return hashlib.sha256(json.dumps(code).encode()).hexdigest()


def make_key(notebook, timeout=600):
    """Run the source ``notebook`` with hidden checks handing out their expected values.

    Returns its :class:`AnswerKey`. The solution must run without an error.
    """
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError

    notebook = Path(notebook)
    nb = nbformat.read(notebook, as_version=4)
    digest = fingerprint(nb)
    sites = {}
    for cell in filter(is_test, nb.cells):
        cell.source, sites[grade_id(cell)] = rewrite(cell.source, key=True)
    # The hand-out is reached as in a graded kernel, whose factory imports it first.
    nb.cells.insert(0, nbformat.v4.new_code_cell("import workbook.handout"))
    env = {**os.environ, "WORKBOOK_PICTURES": "off", "MPLBACKEND": "agg",
           "PATH": str(Path(sys.executable).parent) + os.pathsep + os.environ.get("PATH", "")}
    client = NotebookClient(nb, timeout=timeout, kernel_name="python3",
                            resources={"metadata": {"path": str(notebook.parent)}})
    try:
        client.execute(env=env)
    except CellExecutionError as error:
        raise AnswerKeyError(f"{notebook}: the solution raised an error, so no key was made:\n"
                             f"{str(error)[-1500:]}") from None
    cells = {}
    for cell in filter(is_test, nb.cells):
        found = [[] for _ in sites[grade_id(cell)]]
        for payload in take_handouts(cell):
            found[payload.site].append(Expected(payload.value, payload.options or {}))
        cells[grade_id(cell)] = found
    return AnswerKey(digest, cells)


def _stored(path):
    """The stored key of the source notebook ``path``, or None if there is none readable."""
    try:
        return AnswerKey.from_json(key_path(path).read_text())
    except (OSError, AnswerKeyError):
        return None


def _current(path):
    """Is the key of the source notebook ``path`` there and made from its present code?"""
    stored = _stored(path)
    return stored is not None and stored.fingerprint == fingerprint(
        nbformat.read(path, as_version=4))


def stale_keys(root):
    """Source notebooks whose key is missing or out of date."""
    return [path for path in source_notebooks(root) if not _current(path)]


def write_keys(root, assignments=None):
    """Make the key of every source notebook whose key is missing or out of date."""
    written = []
    for path in source_notebooks(root, assignments):
        if not _current(path):
            key_path(path).write_text(make_key(path).to_json() + "\n")
            written.append(key_path(path))
    return written


def load_key(source_notebook):
    """The :class:`AnswerKey` of ``source_notebook``; ``AnswerKeyError`` if it is missing or
    out of date."""
    path = Path(source_notebook)
    if not _current(path):
        raise AnswerKeyError(f"the answer key of {path.parent.name}/{path.name} is missing or out "
                             "of date: run `bash course.sh release`")
    return _stored(path)
