"""The course's parts for nbgrader's own pipeline, named in ``nbgrader_config.py``.

nbgrader loads these by name, so its own commands and formgrader's buttons behave like ours:

- :class:`OverwriteCells` restores test cells without the false alarm of jupyter/nbgrader#1961
  (every test cell with hidden tests reported as changed in an untouched notebook);
- :class:`HideHiddenTests` keeps hidden tests, and any output that quotes them, out of the
  feedback that ``nbgrader generate_feedback`` (formgrader's "Generate Feedback") writes;
- :class:`PercentPerDay` is the course's late penalty, applied by nbgrader's
  ``AssignLatePenalties`` (in ``nbgrader autograde`` and ``workbook grade`` alike), and
  :func:`score_after_penalty` the score that every page and file of ours shows.
"""

import math
from types import SimpleNamespace

from nbformat.notebooknode import NotebookNode
from nbgrader import preprocessors
from nbgrader.api import MissingEntry
from nbgrader.coursedir import CourseDirectory
from nbgrader.plugins import LateSubmissionPlugin
from traitlets import Float

from instructor.pages import plain, scrub
from instructor.vocabulary import is_test, secret_lines

__all__ = ["REMEMBERED_CELLS", "HideHiddenTests", "OverwriteCells", "PercentPerDay",
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


class HideHiddenTests(preprocessors.NbGraderPreprocessor):
    """nbgrader's feedback pages built as ``workbook feedback`` builds its own.

    Only what the student made and what the grader decided is shown
    (:mod:`instructor.graded`): every test cell as released (hidden tests removed, as
    ``ClearHiddenTests`` does for the release), with only the grader's messages and the names
    of its errors; every other code cell with the outputs of the student's own run as handed
    in (``submitted/``), never what the graded kernel printed. Text is scrubbed of hidden-test
    lines too; outputs other than text and images are left out.
    """

    def preprocess(self, nb, resources):
        from instructor.graded import matching_cells, test_messages
        from instructor.grading.handins import read_notebook

        ids = resources.get("nbgrader", {})
        coursedir = CourseDirectory(config=self.config)
        path = coursedir.format_path(coursedir.submitted_directory, ids.get("student", "?"),
                                     ids.get("assignment", "?"))
        try:
            handed_in = read_notebook(f"{path}/{ids.get('notebook', '?')}.ipynb")[0]
        except Exception:  # noqa: BLE001  (missing or unreadable: no outputs are shown)
            handed_in = None
        theirs = matching_cells(nb, handed_in)
        secrets = secret_lines(nb.cells)
        for index, cell in enumerate(nb.cells):
            if cell.cell_type != "code":
                continue
            if is_test(cell):
                messages = test_messages(cell)
                cell.source = release_form(cell.source)
                cell.outputs = [NotebookNode(output_type="stream", name="stderr",
                                             text=scrub("\n".join(messages), secrets) + "\n")
                                ] if messages else []
                continue
            mine = theirs.get(index)
            cell.outputs = [NotebookNode(o) for o in (mine.get("outputs", []) if mine else [])]
            for output in cell.outputs:
                _scrub_output(output, secrets)
        return nb, resources


def _scrub_output(output, secrets):
    """Drop what quotes a hidden test from one output of the student's own run, in place."""
    kind = output.get("output_type")
    if kind == "stream":
        output["text"] = scrub(plain(output.get("text", "")), secrets)
    elif kind == "error":
        output["evalue"] = scrub(plain(output.get("evalue", "")), secrets)
        output["traceback"] = [scrub(plain(line), secrets) for line in output["traceback"]]
    elif "data" in output:
        data = output["data"]
        for mime in list(data):
            if mime.startswith("text/"):
                data[mime] = scrub(plain(data[mime]), secrets)
            elif not mime.startswith("image/"):
                del data[mime]


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
