"""Planted mistakes and correct variants: edits of an assignment's answers.

An assignment declares, in ``instructor/authoring/planted/<notebook>.py``, ``ASSIGNMENT`` and
``NOTEBOOK`` (the nbgrader assignment id and notebook name), ``MISTAKES`` (each an edit of the
solution that students really make, and the test cells that must lose points because of it)
and ``VARIANTS`` (correct answers written another way, which must earn full marks).
"""

from dataclasses import dataclass

__all__ = ["Edit", "Mistake", "Variant", "apply_edits"]


@dataclass(frozen=True)
class Edit:
    """Replace ``old`` by ``new`` in the solution of cell ``cell`` (a grade id).

    ``old`` must occur exactly once, so a changed solution breaks the declaration loudly.
    With ``old=None`` the whole cell is replaced by ``new``.
    """

    cell: str
    old: str | None
    new: str


@dataclass(frozen=True)
class Mistake:
    """A wrong submission: the solution with ``edits``; every cell in ``loses`` loses points.

    ``name`` says what the mistake is in a student's words: the feedback and the visible checks
    show it ("looks like a known mistake: W2 used without its transpose"). ``unseen`` says why
    no visible check can catch it, if none can (:mod:`.visible_catch` lists it).
    """

    name: str
    edits: tuple[Edit, ...]
    loses: tuple[str, ...]
    unseen: str = ""


@dataclass(frozen=True)
class Variant:
    """A correct submission written differently; it must earn full marks."""

    name: str
    edits: tuple[Edit, ...]


def apply_edits(cells, edits):
    """Return a copy of ``cells`` (``{grade_id: code}``) with ``edits`` applied."""
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
