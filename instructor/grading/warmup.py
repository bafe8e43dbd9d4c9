"""Kernel factories started first, while ``workbook grade`` is still starting itself.

A factory (:class:`instructor.grading.sandbox.Factory`) takes about a second to import
ipykernel, numpy and matplotlib; the grader takes about as long to import nbgrader and read the
course, on one core. Started before those imports, from the release notebook read as plain
JSON, the factories use the other core meanwhile; the workers, forked later, adopt them
(:func:`instructor.grading.execute.adopt_factory`). Nothing here imports nbgrader or nbformat.
"""

import json
from pathlib import Path

from instructor.grading.defaults import Limits
from instructor.grading.imports import preloaded_modules
from instructor.grading.sandbox import Factory, FactorySpec, sandbox_problem

__all__ = ["prestart"]


def prestart(root, assignment, count, limits=None):
    """``count`` factories for ``assignment``'s first release notebook (none if it has none)."""
    notebooks = sorted((Path(root) / "release" / assignment).glob("*.ipynb"))
    if not notebooks or count < 1:
        return []
    try:
        preload = preloaded_modules(json.loads(notebooks[0].read_text()))
    except (OSError, ValueError):
        return []
    spec = FactorySpec(limits or Limits(), preload, sandbox_problem() is None)
    return [Factory(spec) for _ in range(count)]
