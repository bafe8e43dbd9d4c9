"""The answer key: the expected values of every hidden check, from the instructor's own run.

``bash course.sh release`` runs each source notebook (the solution) once, its hidden checks
rewritten to hand out the *expected* value they state (:func:`instructor.grading.rewrite.rewrite`
with ``key=True``), and stores what they handed out beside the notebook as
``<name>.key.json``. ``nbgrader_config.py`` lists the pattern in ``CourseDirectory.ignore``, so
the key is never released, never copied into a grading folder and never seen by a kernel;
stock nbgrader does not need it (it grades the hidden tests as written). The key records a
fingerprint of the notebook's code; a test checks that every key is up to date.
"""

import hashlib
import json
import os
import sys
from pathlib import Path

import nbformat

from instructor.course import source_notebooks
from instructor.grading.rewrite import rewrite
from instructor.grading.trusted import take_handouts
from instructor.vocabulary import grade_id, is_test

__all__ = ["KEY_SUFFIX", "AnswerKeyError", "fingerprint", "key_path", "load_key", "make_key",
           "stale_keys", "write_keys"]

KEY_SUFFIX = ".key.json"


class AnswerKeyError(Exception):
    """A key is missing, out of date or could not be made; the message says which and why."""


def key_path(notebook):
    notebook = Path(notebook)
    return notebook.with_name(notebook.stem + KEY_SUFFIX)


def fingerprint(nb):
    """A digest of the notebook's code: the key is out of date when any code cell changes."""
    code = [cell.source for cell in nb.cells if cell.cell_type == "code"]
    return hashlib.sha256(json.dumps(code).encode()).hexdigest()


def make_key(notebook, timeout=600):
    """Run the source ``notebook`` with hidden checks handing out their expected values.

    Returns ``{"fingerprint": ..., "cells": {grade_id: [[value, ...] per check]}}``. The
    solution must run without an error.
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
        count = len(sites[grade_id(cell)])
        values = [[] for _ in range(count)]
        for payload in take_handouts(cell):
            entry = {"value": payload.value}
            if payload.options:
                entry["options"] = payload.options
            values[payload.site].append(entry)
        cells[grade_id(cell)] = values
    return {"fingerprint": digest, "cells": cells}


def _current(path):
    """Is the key of the source notebook ``path`` there and made from its present code?"""
    key = key_path(path)
    if not key.exists():
        return False
    try:
        stored = json.loads(key.read_text())["fingerprint"]
    except (ValueError, KeyError):
        return False
    return stored == fingerprint(nbformat.read(path, as_version=4))


def stale_keys(root):
    """Source notebooks whose key is missing or out of date."""
    return [path for path in source_notebooks(root) if not _current(path)]


def write_keys(root, assignments=None):
    """Make the key of every source notebook whose key is missing or out of date."""
    written = []
    for path in source_notebooks(root, assignments):
        if not _current(path):
            key_path(path).write_text(json.dumps(make_key(path), indent=None) + "\n")
            written.append(key_path(path))
    return written


def load_key(source_notebook):
    """The key of ``source_notebook``; ``AnswerKeyError`` if it is missing or out of date."""
    path = Path(source_notebook)
    if not _current(path):
        raise AnswerKeyError(f"the answer key of {path.parent.name}/{path.name} is missing or out "
                        "of date: run `bash course.sh release`")
    return json.loads(key_path(path).read_text())["cells"]
