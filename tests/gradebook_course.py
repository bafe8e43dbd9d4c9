"""A course folder whose gradebook holds results, written with nbgrader's API (no grading run).

For the tests of what is made from grades (the Canvas file, grade passback): a gradebook
with assignments of one notebook and one graded cell each, students with LMS ids, each
student's score and late penalty, and the ``workbook-grades.csv`` statuses.
"""

import warnings
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from nbgrader.api import Gradebook

from instructor.authoring.courses import COURSE, venv_env
from instructor.grading.records import GRADES_FILE

__all__ = ["DUE", "Result", "graded_course"]

DUE = datetime(2027, 1, 15, 17, tzinfo=UTC)


@dataclass
class Result:
    """One student's hand-in: score, and the penalty when handed in late."""

    student: str
    assignment: str
    score: float | None          # None: nothing handed in (status missing)
    penalty: float = 0.0
    status: str = "ok"


def graded_course(folder, maxima, students, results, config=""):
    """Write the course into ``folder``: ``maxima`` ``{assignment: max}``, ``students``
    ``{id: lms_user_id or None}``, ``results`` [:class:`Result`], ``config`` appended to the
    course's ``nbgrader_config.py``. Returns the folder."""
    folder = Path(folder)
    (folder / "nbgrader_config.py").write_text((COURSE / "nbgrader_config.py").read_text()
                                               + config)
    warnings.filterwarnings("ignore", module="nbgrader.api")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("PATH", venv_env()["PATH"])       # nbgrader runs alembic from PATH
        with Gradebook(f"sqlite:///{folder / 'gradebook.db'}") as gb:
            for assignment, maximum in maxima.items():
                gb.add_assignment(assignment, duedate=DUE)
                gb.add_notebook("answers", assignment)
                gb.add_grade_cell("test_all", "answers", assignment, max_score=maximum,
                                  cell_type="code")
            for student, lms_user_id in students.items():
                gb.add_student(student, lms_user_id=lms_user_id,
                               first_name=student.capitalize(), last_name="Example")
            for result in results:
                if result.score is None:
                    continue
                late = timedelta(hours=5 if result.penalty else -1)
                submission = gb.add_submission(result.assignment, result.student,
                                               timestamp=DUE + late)
                gb.find_grade("test_all", "answers", result.assignment,
                              result.student).auto_score = result.score
                if result.penalty:
                    submission.notebooks[0].late_submission_penalty = result.penalty
            gb.db.commit()
    rows = "".join(f"{r.student},{r.assignment},"
                   f"{'' if r.score is None else f'{r.score - r.penalty:g}'},"
                   f"{maxima[r.assignment]},{r.status if r.score is not None else 'missing'},\n"
                   for r in results)
    (folder / GRADES_FILE).write_text("student,assignment,score,max_score,status,flags\n" + rows)
    return folder
