"""``bash course.sh release``: build ``release/`` from ``source/``, the text twins and the keys.

nbgrader's own ``GenerateAssignment`` converter does the work, for every assignment in one
process (one start-up instead of one per assignment). Beside every ``source/<id>/<name>.ipynb``
it writes ``<name>.pct.py``, the same notebook in jupytext's percent format: one Python file in
which each cell starts with a ``# %%`` line carrying its nbgrader metadata, so a change to a
hidden test reads as a diff of Python lines. The ``.ipynb`` is the original; the twin is
rewritten from it, and a test checks that they agree. The course's ``CourseDirectory.ignore``
keeps twins out of the release and out of grading. Last, the answer key of every notebook whose
code changed is made by running the solution (:mod:`instructor.grading.keys`).

Run as ``python -m instructor.release [ASSIGNMENT ...]`` (default: every assignment).
"""

import copy
import sys
from pathlib import Path

import jupytext
import nbformat

from instructor.course import course_config, source_notebooks
from instructor.grading.keys import write_keys

__all__ = ["TWIN_SUFFIX", "generate", "stale_twins", "twin_path", "twin_text", "write_twins"]

TWIN_SUFFIX = ".pct.py"


def twin_path(notebook):
    """Where the text twin of ``notebook`` (a path to an ``.ipynb``) lives."""
    notebook = Path(notebook)
    return notebook.with_name(notebook.stem + TWIN_SUFFIX)


def twin_text(nb):
    """The percent-format text of ``nb``: every cell, with its metadata; no notebook header."""
    nb = copy.deepcopy(nb)
    nb.metadata["jupytext"] = {"notebook_metadata_filter": "-all"}
    return jupytext.writes(nb, fmt="py:percent")


def write_twins(root, assignments=None):
    """Write the twin of every source notebook whose twin is missing or out of date."""
    written = []
    for path in source_notebooks(root, assignments):
        text, twin = twin_text(nbformat.read(path, as_version=4)), twin_path(path)
        if not twin.exists() or twin.read_text() != text:
            twin.write_text(text)
            written.append(twin)
    return written


def stale_twins(root):
    """Source notebooks whose twin is missing or differs from the notebook."""
    return [path for path in source_notebooks(root)
            if not twin_path(path).exists()
            or twin_path(path).read_text() != twin_text(nbformat.read(path, as_version=4))]


def generate(root, assignments=None):
    """Run nbgrader's ``generate_assignment --force`` for ``assignments`` (default: all)."""
    from nbgrader.converters import GenerateAssignment
    from nbgrader.coursedir import CourseDirectory

    root = Path(root).resolve()
    config = course_config(root)
    config.GenerateAssignment.force = True
    config.Application.log_level = "ERROR"
    ids = sorted({p.parent.name for p in source_notebooks(root, assignments)})
    for assignment in ids:
        coursedir = CourseDirectory(config=config)
        coursedir.assignment_id = assignment
        GenerateAssignment(coursedir=coursedir, config=config).start()
    return ids


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    root = Path.cwd()
    ids = generate(root, argv or None)
    twins = write_twins(root, argv or None)
    keys = write_keys(root, argv or None)
    print(f"released {len(ids)} assignments: {', '.join(ids)}"
          + (f"; rewrote {len(twins)} text twins" if twins else "")
          + (f"; made {len(keys)} answer keys" if keys else ""))


if __name__ == "__main__":
    main()
