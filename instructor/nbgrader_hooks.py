"""The course's parts for nbgrader's own pipeline, named in ``nbgrader_config.py``.

nbgrader loads these by name, so its own commands and formgrader's buttons behave like ours:

- :class:`OverwriteCells` restores test cells without the false alarm of jupyter/nbgrader#1961
  (every test cell with hidden tests reported as changed in an untouched notebook);
- :class:`HideHiddenTests` keeps hidden tests, and the tracebacks that quote them, out of the
  feedback that ``nbgrader generate_feedback`` (formgrader's "Generate Feedback") writes;
- :class:`PercentPerDay` is the course's late penalty, applied by nbgrader's
  ``AssignLatePenalties`` (in ``nbgrader autograde`` and ``workbook grade`` alike).
"""

import math

from nbformat.notebooknode import NotebookNode
from nbgrader import preprocessors
from nbgrader.api import MissingEntry
from nbgrader.plugins import LateSubmissionPlugin
from traitlets import Float

from instructor.vocabulary import hidden_lines, is_test

__all__ = ["HideHiddenTests", "OverwriteCells", "PercentPerDay", "release_form"]


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
    """

    def preprocess_cell(self, cell, resources, cell_index):
        grade_id = cell.get("metadata", {}).get("nbgrader", {}).get("grade_id")
        if grade_id:
            try:
                source_cell = self.gradebook.find_source_cell(grade_id, self.notebook_id,
                                                              self.assignment_id)
            except MissingEntry:
                source_cell = None
            if (source_cell is not None and source_cell.locked
                    and cell.source == release_form(source_cell.source)):
                cell.source = source_cell.source
        return super().preprocess_cell(cell, resources, cell_index)


class HideHiddenTests(preprocessors.NbGraderPreprocessor):
    """Keep hidden tests out of nbgrader's feedback pages.

    Every test cell is shown as released (hidden tests removed, as ``ClearHiddenTests`` does for
    the release), and an error in it is shown as its name and message only: a traceback would
    quote the hidden line that failed. The checks' messages never hold an expected value.
    """

    def preprocess_cell(self, cell, resources, cell_index):
        if is_test(cell):
            secret = {line.strip() for line in hidden_lines(cell.source) if line.strip()}
            cell.source = release_form(cell.source)
            for output in cell.get("outputs", []):
                if output.get("output_type") == "error":
                    output["traceback"] = [f"{output.get('ename', 'Error')}: "
                                           f"{output.get('evalue', '')}"]
                elif output.get("output_type") == "stream":
                    output["text"] = "".join(
                        line for line in output.get("text", "").splitlines(keepends=True)
                        if line.strip() not in secret)
        return cell, resources


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
