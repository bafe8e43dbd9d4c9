"""Build submissions the way a student makes them: the release notebook, answers filled in.

Used by the demo, the tests of the tests and the benchmarks. Answers are read from ``source/``
at run time; this module holds none.
"""

from pathlib import Path

import nbformat

from instructor.vocabulary import grade_id, is_solution, strip_solution_markers

__all__ = ["solution_cells", "write_submission"]


def solution_cells(source_notebook):
    """``{grade_id: student-facing code}`` for every code solution cell of a source notebook."""
    nb = nbformat.read(source_notebook, as_version=4)
    return {grade_id(cell): strip_solution_markers(cell.source) for cell in nb.cells
            if is_solution(cell) and cell.cell_type == "code"}


def write_submission(release_notebook, target, cells):
    """Write ``release_notebook`` to ``target`` with its solution cells replaced by ``cells``.

    Cells missing from ``cells`` keep the release stub; ``cells=None`` hands in the release
    notebook untouched (a blank submission).
    """
    nb = nbformat.read(release_notebook, as_version=4)
    for cell in nb.cells:
        if cells is not None and grade_id(cell) in cells:
            cell.source = cells[grade_id(cell)]
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, target)
