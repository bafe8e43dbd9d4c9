"""nbgrader's ``SaveAutoGrades``, writing a notebook's grades in one transaction.

nbgrader's own commits after every grade and every comment: some thirty commits, each a write
of the SQLite file, for one notebook of this course. This one makes the same changes, through
nbgrader's own code, and commits them once.
"""

from nbgrader import preprocessors
from nbgrader.api import Gradebook

__all__ = ["SaveAutoGrades"]


class SaveAutoGrades(preprocessors.SaveAutoGrades):
    """nbgrader's ``SaveAutoGrades``, one commit per notebook (see the module's docstring)."""

    def preprocess(self, nb, resources):
        nbgrader = resources["nbgrader"]
        self.notebook_id, self.assignment_id = nbgrader["notebook"], nbgrader["assignment"]
        self.student_id, self.db_url = nbgrader["student"], nbgrader["db_url"]
        with Gradebook(self.db_url) as self.gradebook:
            session = self.gradebook.db
            session.commit = session.flush    # what nbgrader commits per cell is only flushed
            try:
                nb, resources = preprocessors.NbGraderPreprocessor.preprocess(self, nb,
                                                                                resources)
            finally:
                del session.commit
            session.commit()
        return nb, resources
