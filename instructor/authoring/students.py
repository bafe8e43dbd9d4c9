"""Students working through nbgrader's exchange, as its command line does it for them.

Each :class:`Student` has a folder of their own and an nbgrader cache of their own, and runs
the real ``nbgrader fetch_assignment``, ``submit`` and ``fetch_feedback`` against a course's
exchange, as the Assignments panel does. Used by the grading service's tests and benchmark on
a plain course folder (on the hub, students are real users: ``instructor.hub.run_as``).
"""

import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from instructor.authoring.courses import venv_env
from instructor.authoring.submissions import write_submission

__all__ = ["Student"]


@dataclass
class Student:
    """``name``, working in ``home`` against the exchange at ``exchange`` of ``course_id``."""

    name: str
    home: Path
    exchange: Path
    course_id: str = "backprop-workbook"

    def nbgrader(self, *args):
        self.home.mkdir(parents=True, exist_ok=True)
        command = [sys.executable, "-m", "nbgrader", *args, f"--course={self.course_id}",
                   f"--Exchange.root={self.exchange}",
                   f"--Exchange.cache={self.home / '.nbgrader_cache'}"]
        result = subprocess.run(command, cwd=self.home, env=venv_env(), capture_output=True,
                                text=True)
        if result.returncode != 0:
            raise AssertionError(f"{self.name}: nbgrader {' '.join(args)} failed:\n"
                                 f"{result.stdout[-2000:]}\n{result.stderr[-2000:]}")
        return result

    def fetch(self, assignment):
        """``nbgrader fetch_assignment``: the release, in ``home/<assignment>/``."""
        if not (self.home / assignment).exists():
            self.nbgrader("fetch_assignment", assignment)
        return self.home / assignment

    def answer(self, assignment, cells):
        """Write ``cells`` (``{grade_id: code}``; None: leave the notebooks as they are) into
        every fetched notebook of ``assignment``."""
        for notebook in sorted(self.fetch(assignment).glob("*.ipynb")):
            write_submission(notebook, notebook, cells)

    def submit(self, assignment):
        """``nbgrader submit`` as this student."""
        return self.nbgrader("submit", assignment, f"--CourseDirectory.student_id={self.name}")

    def feedback(self, assignment):
        """``nbgrader fetch_feedback``: ``{timestamp folder: {notebook: page text}}`` of every
        page fetched so far."""
        self.nbgrader("fetch_feedback", assignment, f"--CourseDirectory.student_id={self.name}")
        found = {}
        for page in sorted((self.home / assignment / "feedback").glob("*/*.html")):
            found.setdefault(page.parent.name, {})[page.stem] = page.read_text()
        return found
