"""The course's parts for nbgrader's own pipeline, named in ``nbgrader_config.py``.

nbgrader loads these by name, so its own commands and formgrader's buttons behave like ours:

- :class:`OverwriteCells` restores test cells without the false alarm of jupyter/nbgrader#1961
  (every test cell with hidden tests reported as changed in an untouched notebook);
- :class:`FeedbackExporter` makes ``nbgrader generate_feedback`` (formgrader's "Generate
  Feedback") write the course's own feedback pages;
- :class:`PercentPerDay` is the course's late penalty, applied by nbgrader's
  ``AssignLatePenalties`` (in ``nbgrader autograde`` and ``workbook grade`` alike), and
  :func:`score_after_penalty` the score that every page and file of ours shows.
"""

import math
from types import SimpleNamespace

from nbconvert.exporters import HTMLExporter
from nbformat.notebooknode import NotebookNode
from nbgrader import preprocessors
from nbgrader.api import MissingEntry
from nbgrader.plugins import LateSubmissionPlugin
from traitlets import Float

__all__ = ["REMEMBERED_CELLS", "FeedbackExporter", "OverwriteCells", "PercentPerDay",
           "release_form", "score_after_penalty"]

# A resources key: a dict that one grading run shares between its notebooks, in which
# OverwriteCells keeps the gradebook's cells it looked up (``workbook grade`` passes it).
REMEMBERED_CELLS = "workbook_remembered_cells"


def release_form(source):
    """A test cell's source as ``generate_assignment`` releases it: hidden tests removed."""
    cell = NotebookNode(cell_type="code", source=source, metadata={})
    preprocessors.ClearHiddenTests()._remove_hidden_test_region(cell)
    return cell.source


class OverwriteCells(preprocessors.OverwriteCells):
    """nbgrader's ``OverwriteCells``, quiet where a cell is exactly what was released.

    nbgrader stores a test cell's checksum with its hidden tests and releases it without them,
    so every such cell of an untouched notebook is reported as changed ("Attribute 'checksum'
    for cell ... has changed!"), drowning the warnings that matter. A locked cell whose source
    is exactly its released form is restored silently; any other change is still reported and
    undone as nbgrader does.

    Each cell of the gradebook is looked up once per notebook, or once per grading run when
    ``resources`` holds a :data:`REMEMBERED_CELLS` dict (nbgrader looks each up twice per
    notebook, and our check a third time).
    """

    def preprocess(self, nb, resources):
        self.remembered = resources.get(REMEMBERED_CELLS, {})
        return super().preprocess(nb, resources)

    def preprocess_cell(self, cell, resources, cell_index):
        if not isinstance(self.gradebook, RememberedCells):   # set by nbgrader's preprocess
            self.gradebook = RememberedCells(self.gradebook, self.remembered)
        grade_id = cell.get("metadata", {}).get("nbgrader", {}).get("grade_id")
        if grade_id:
            try:
                source_cell = self.gradebook.find_source_cell(grade_id, self.notebook_id,
                                                              self.assignment_id)
            except MissingEntry:
                source_cell = None
            if (source_cell is not None and source_cell.locked
                    and cell.source == source_cell.released):
                cell.source = source_cell.source
        return super().preprocess_cell(cell, resources, cell_index)


class RememberedCells:
    """A gradebook whose source and graded cells are read once, then remembered in ``memo``.

    The cells are kept as plain copies of the columns nbgrader's OverwriteCells reads (and the
    source as released), not as database objects that outlive their session. Anything else is
    asked of the gradebook itself.
    """

    SOURCE = ("name", "cell_type", "locked", "checksum", "source")

    def __init__(self, gradebook, memo):
        self.gradebook, self.memo = gradebook, memo

    def __getattr__(self, name):
        return getattr(self.gradebook, name)

    def _remember(self, kind, key, find):
        if (kind, *key) not in self.memo:
            try:
                self.memo[(kind, *key)] = find(*key)
            except MissingEntry as missing:
                self.memo[(kind, *key)] = missing
        found = self.memo[(kind, *key)]
        if isinstance(found, MissingEntry):
            raise found
        return found

    def find_source_cell(self, name, notebook, assignment):
        def find(*key):
            cell = self.gradebook.find_source_cell(*key)
            copy = SimpleNamespace(**{column: getattr(cell, column) for column in self.SOURCE})
            copy.released = release_form(copy.source)
            return copy
        return self._remember("source", (name, notebook, assignment), find)

    def find_graded_cell(self, name, notebook, assignment):
        def find(*key):
            return SimpleNamespace(max_score=self.gradebook.find_graded_cell(*key).max_score)
        return self._remember("graded", (name, notebook, assignment), find)


class FeedbackExporter(HTMLExporter):
    """nbgrader's ``generate_feedback`` (formgrader's *Generate Feedback*) writes the page
    ``workbook feedback`` writes (:func:`instructor.feedback.page_for`): math as MathML, the
    grader's decisions, scores and comments a person set, no hidden test. Without it, that
    button replaced the course's pages with nbgrader's plain ones. nbgrader's preprocessors
    are not run: the page is built from the gradebook and the graded notebook, as ours are.
    """

    def from_notebook_node(self, nb, resources=None, **kw):
        from instructor.feedback import page_for

        resources = dict(resources or {})
        ids = resources.get("nbgrader", {})
        coursedir = getattr(self.parent, "coursedir", None)
        root = coursedir.root if coursedir is not None else "."
        page = page_for(root, ids["assignment"], ids["student"], ids["notebook"],
                        ids.get("db_url"))
        resources["output_extension"] = ".html"
        return page, resources


def score_after_penalty(submission):
    """The score a submission (or one notebook of it) keeps after its late penalty.

    nbgrader's gradebook keeps the two apart: ``score`` is what the answers earned.
    """
    return submission.score - (submission.late_submission_penalty or 0.0)


class PercentPerDay(LateSubmissionPlugin):
    """A late notebook loses ``percent`` of its score for every day, or part of one, it is late.

    Set in ``nbgrader_config.py`` (``c.PercentPerDay.percent``); the due date is the
    assignment's, in the gradebook (``nbgrader db assignment add ID --duedate=...``).
    """

    percent = Float(10.0, help="Share of the score lost per started day late, in percent.").tag(
        config=True)

    def late_submission_penalty(self, student_id, score, total_seconds_late):
        if total_seconds_late <= 0:
            return None
        days = math.ceil(total_seconds_late / 86400)
        return min(score, score * days * self.percent / 100)
