"""nbgrader's two steps that write the gradebook, on one transaction per student.

``workbook grade`` writes a student's results once, after everything for that student
succeeded (:mod:`instructor.grading.commit`): it opens one gradebook session, runs these steps
for each notebook on it (``resources[GRADEBOOK]``) and commits at the end, or rolls back.

- :class:`SaveAutoGrades` is nbgrader's, run on grades and comments read with two queries per
  notebook: nbgrader's own looks each up with a query of six joins and commits after each
  (some eighty queries and forty commits for one notebook of this course, measured at 70 ms);
- :class:`AssignLatePenalties` is nbgrader's late penalty, on the same session.
"""

from contextlib import contextmanager

from nbgrader import preprocessors
from nbgrader.api import BaseCell, Comment, Grade

__all__ = ["GRADEBOOK", "AssignLatePenalties", "SaveAutoGrades", "deferred_commits"]

GRADEBOOK = "workbook_gradebook"    # resources key: the student's open Gradebook


@contextmanager
def deferred_commits(gradebook):
    """Inside, the gradebook's ``commit`` only flushes and expires what it loaded (so scores
    computed by the database are read again): nbgrader's code, which commits after every
    change, writes nothing for good until the caller commits once."""
    session = gradebook.db

    def flush():
        session.flush()
        session.expire_all()

    session.commit = flush
    try:
        yield gradebook
    finally:
        vars(session).pop("commit", None)


def _ids(step, resources):
    nbgrader = resources["nbgrader"]
    step.notebook_id, step.assignment_id = nbgrader["notebook"], nbgrader["assignment"]
    step.student_id, step.db_url = nbgrader["student"], nbgrader["db_url"]


class SaveAutoGrades(preprocessors.SaveAutoGrades):
    """nbgrader's ``SaveAutoGrades`` on prefetched grades, in the student's transaction."""

    def preprocess(self, nb, resources):
        _ids(self, resources)
        gradebook = resources[GRADEBOOK]
        self.gradebook = _Prefetched(gradebook, self.notebook_id, self.assignment_id,
                                     self.student_id)
        session, deferred = gradebook.db, vars(gradebook.db).get("commit")
        session.commit = session.flush     # per cell: keep the prefetched rows loaded
        try:
            nb, resources = preprocessors.NbGraderPreprocessor.preprocess(self, nb, resources)
        finally:
            vars(session).pop("commit", None)
            if deferred is not None:
                session.commit = deferred
        session.flush()
        session.expire_all()               # scores the database computes are read again
        return nb, resources


class AssignLatePenalties(preprocessors.AssignLatePenalties):
    """nbgrader's ``AssignLatePenalties``, in the student's transaction (its own opens a
    gradebook and commits)."""

    def preprocess(self, nb, resources):
        _ids(self, resources)
        self.init_plugin()
        self.gradebook = resources[GRADEBOOK]
        submission = self.gradebook.find_submission(self.assignment_id, self.student_id)
        notebook = self.gradebook.find_submission_notebook(self.notebook_id, self.assignment_id,
                                                           self.student_id)
        notebook.late_submission_penalty = None
        if submission.total_seconds_late > 0:
            penalty = self.plugin_inst.late_submission_penalty(
                self.student_id, notebook.score, submission.total_seconds_late)
            if penalty is not None:
                notebook.late_submission_penalty = self._check_late_penalty(notebook, penalty)
        self.gradebook.db.commit()    # deferred: a flush (see deferred_commits)
        return nb, resources


class _Prefetched:
    """A gradebook that answers ``find_grade`` and ``find_comment`` for one submitted
    notebook from two queries made up front; anything else goes to the gradebook itself."""

    def __init__(self, gradebook, notebook, assignment, student):
        self.gradebook = gradebook
        submitted = gradebook.find_submission_notebook(notebook, assignment, student)
        self.found = {}
        for kind, model in (("grade", Grade), ("comment", Comment)):
            rows = (gradebook.db.query(BaseCell.name, model)
                    .join(model, model.cell_id == BaseCell.id)
                    .filter(model.notebook_id == submitted.id))
            self.found.update({(kind, name): row for name, row in rows})

    def __getattr__(self, name):
        return getattr(self.gradebook, name)

    def find_grade(self, grade_cell, notebook, assignment, student):
        found = self.found.get(("grade", grade_cell))
        if found is None:
            found = self.gradebook.find_grade(grade_cell, notebook, assignment, student)
        return found

    def find_comment(self, solution_cell, notebook, assignment, student):
        found = self.found.get(("comment", solution_cell))
        if found is None:
            found = self.gradebook.find_comment(solution_cell, notebook, assignment, student)
        return found
