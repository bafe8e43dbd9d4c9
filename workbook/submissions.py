"""Build submissions the way a student makes them: the release notebook, answers filled in.

Used by the demo and by the tests of the tests. Answers are read from ``source/`` at run time;
this module holds none.
"""

from pathlib import Path

import nbformat

__all__ = ["apply_edits", "solution_cells", "strip_markers", "write_submission"]

BEGIN_SOLUTION, END_SOLUTION = "### BEGIN SOLUTION", "### END SOLUTION"


def strip_markers(text):
    """The code a student would type: a source cell without nbgrader's solution markers."""
    lines = text.splitlines()
    return "\n".join(line for line in lines if line.strip() not in (BEGIN_SOLUTION, END_SOLUTION))


def solution_cells(source_notebook):
    """``{grade_id: student-facing code}`` for every code solution cell of a source notebook."""
    nb = nbformat.read(source_notebook, as_version=4)
    cells = {}
    for cell in nb.cells:
        meta = cell.metadata.get("nbgrader", {})
        if meta.get("solution") and cell.cell_type == "code":
            cells[meta["grade_id"]] = strip_markers(cell.source)
    return cells


def apply_edits(cells, edits):
    """Return a copy of ``cells`` with ``edits`` applied.

    Each edit has ``cell`` (a grade id), ``old`` and ``new``: ``old`` must occur exactly once,
    so a changed solution breaks a stale edit loudly; ``old=None`` replaces the whole cell.
    """
    cells = dict(cells)
    for edit in edits:
        if edit.cell not in cells:
            raise ValueError(f"edit names cell {edit.cell!r}, which is not a solution cell")
        if edit.old is None:
            cells[edit.cell] = edit.new
            continue
        count = cells[edit.cell].count(edit.old)
        if count != 1:
            raise ValueError(
                f"edit of {edit.cell!r}: {edit.old!r} occurs {count} times, not once"
            )
        cells[edit.cell] = cells[edit.cell].replace(edit.old, edit.new)
    return cells


def write_submission(release_notebook, target, cells):
    """Write ``release_notebook`` to ``target`` with its solution cells replaced by ``cells``.

    Cells missing from ``cells`` keep the release stub; ``cells=None`` hands in the release
    notebook untouched (a blank submission).
    """
    nb = nbformat.read(release_notebook, as_version=4)
    for cell in nb.cells:
        grade_id = cell.metadata.get("nbgrader", {}).get("grade_id")
        if cells is not None and grade_id in cells:
            cell.source = cells[grade_id]
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, target)
