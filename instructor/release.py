"""``bash course.sh release``: build ``release/`` from ``source/``, the text twins and the keys.

nbgrader's own ``GenerateAssignment`` converter does the work, for every assignment in one
process (one start-up instead of one per assignment). Beside every ``source/<id>/<name>.ipynb``
it writes ``<name>.pct.py``, the same notebook in jupytext's percent format: one Python file in
which each cell starts with a ``# %%`` line carrying its nbgrader metadata, so a change to a
hidden test reads as a diff of Python lines. The ``.ipynb`` is the original; the twin is
rewritten from it, and a test checks that they agree. The course's ``CourseDirectory.ignore``
keeps twins out of the release and out of grading. Last, the answer key of every notebook whose
code changed is made by running the solution (:mod:`instructor.grading.keys`), the fingerprints
of its planted mistakes (:mod:`instructor.authoring.fingerprints`), and the mistake key of every
notebook whose code or planted mistakes changed, by grading each planted mistake
(:mod:`instructor.grading.mistakes`; minutes per assignment). A release notebook edited by hand
is never lost: see :func:`release`.

Run as ``python -m instructor.release [ASSIGNMENT ...]`` (default: every assignment).
"""

import copy
import hashlib
import json
import subprocess
import sys
import time
from pathlib import Path

import nbformat

from instructor.authoring.planted import declarations
from instructor.course import course_config, source_notebooks
from instructor.grading import mistakes
from instructor.grading.keys import write_keys

__all__ = [
    "KEPT", "RECORD", "TWIN_SUFFIX", "generate", "release", "stale_twins", "twin_path",
    "twin_text", "write_fingerprints", "write_twins",
]

TWIN_SUFFIX = ".pct.py"
RECORD = Path(".workbook") / "released.json"   # sha256 of each release notebook, as written
KEPT = "kept"                                   # release notebooks changed by hand, kept here


def twin_path(notebook):
    """Where the text twin of ``notebook`` (a path to an ``.ipynb``) lives."""
    notebook = Path(notebook)
    return notebook.with_name(notebook.stem + TWIN_SUFFIX)


def twin_text(nb):
    """The percent-format text of ``nb``: every cell, with its metadata; no notebook header."""
    import jupytext  # not needed to generate, and not installed on the hub

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


def release(root, assignments=None):
    """Generate the release, keeping any release notebook that was changed since the last one.

    Students work in a copy (``bash course.sh lab`` makes ``work/``), yet an edit made in
    ``release/`` itself must not vanish: every release notebook that differs from what the
    last release wrote (per ``.workbook/released.json``; all of them in a fresh clone) is read
    first, and if the new release differs from it, the old file is kept under ``kept/``.
    Returns ``(assignment ids, [(release notebook, where its old version is kept), ...])``.
    """
    root = Path(root).resolve()
    ids = sorted({p.parent.name for p in source_notebooks(root, assignments)})
    record = _read_record(root)
    current = {path: path.read_bytes() for assignment in ids
               for path in sorted((root / "release" / assignment).glob("*.ipynb"))}
    held = {path: data for path, data in current.items()
            if record.get(path.relative_to(root).as_posix()) != _digest(data)}
    generate(root, ids)
    stamp = time.strftime("%Y%m%d-%H%M%S")
    kept = []
    for path, data in held.items():
        if path.exists() and path.read_bytes() == data:
            continue
        target = root / KEPT / path.relative_to(root).parent / f"{path.stem}-{stamp}.ipynb"
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
        kept.append((path, target))
    for assignment in ids:
        for path in (root / "release" / assignment).glob("*.ipynb"):
            record[path.relative_to(root).as_posix()] = _digest(path.read_bytes())
    (root / RECORD).parent.mkdir(exist_ok=True)
    (root / RECORD).write_text(json.dumps(record, indent=1, sort_keys=True) + "\n")
    return ids, kept


def _digest(data):
    return hashlib.sha256(data).hexdigest()


def _read_record(root):
    try:
        return json.loads((root / RECORD).read_text())
    except (FileNotFoundError, json.JSONDecodeError):
        return {}


def write_fingerprints(root, assignments=None):
    """Remake the stale fingerprints of known mistakes (``workbook/known/``), in a process of
    their own (:mod:`instructor.authoring.fingerprints` runs notebooks in it); the ids remade."""
    from instructor.authoring.fingerprints import stale

    ids = [spec.ASSIGNMENT for spec in stale(root)
           if not assignments or spec.ASSIGNMENT in assignments]
    if ids:
        subprocess.run([sys.executable, "-m", "instructor.authoring.fingerprints", *ids],
                       cwd=root, check=True)
    return ids


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    root = Path.cwd()
    ids, kept = release(root, argv or None)
    twins = write_twins(root, argv or None)
    keys = write_keys(root, argv or None)
    prints = write_fingerprints(root, argv or None)
    print(f"released {len(ids)} assignments: {', '.join(ids)}"
          + (f"; rewrote {len(twins)} text twins" if twins else "")
          + (f"; made {len(keys)} answer keys" if keys else "")
          + (f"; fingerprinted the known mistakes of {len(prints)}" if prints else ""),
          flush=True)
    mistakes.main(argv or [a for a in ids if a in declarations()])
    for original, copy_ in kept:
        print(f"warning: {original.relative_to(root)} had been changed since it was released; "
              f"the changed file is kept as {copy_.relative_to(root)}", file=sys.stderr)


if __name__ == "__main__":
    main()
