"""What one grade run knows before it reads any hand-in: the course, the assignment, its keys.

:meth:`Assignment.load` reads it once (the gradebook's notebooks and points, the answer keys,
the release notebooks, the files given beside them) and refuses, with a :class:`GradingError`
saying what to run, an assignment that cannot be graded at all. Every step of the run then asks
it, never the course folder again.
"""

from dataclasses import dataclass, field
from pathlib import Path

import nbformat
from nbgrader.api import Gradebook, MissingEntry
from nbgrader.coursedir import CourseDirectory

from instructor.course import course_config
from instructor.grading import GradingError, defaults, handins
from instructor.grading.keys import AnswerKeyError, load_key
from instructor.grading.mistakes import load_mistake_key
from instructor.grading.steps import WORKBOOK
from instructor.nbgrader_hooks import REMEMBERED_CELLS

__all__ = ["Assignment"]


@dataclass
class Assignment:
    """One assignment of one course, as a grade run needs it."""

    root: Path
    name: str
    config: object
    coursedir: CourseDirectory
    notebooks: list                 # notebook names, without .ipynb
    max_score: float
    keys: dict                      # {notebook: AnswerKey}
    releases: dict                  # {notebook: the release notebook}
    given: dict                     # {relative path: bytes}: the source's files beside them
    cell_timeout: int
    mistakes: dict = field(default_factory=dict)   # {notebook: MistakeKey}, where current
    remembered_cells: dict = field(default_factory=dict)   # the gradebook's, for OverwriteCells

    @property
    def db_url(self):
        return self.config.CourseDirectory.db_url

    @classmethod
    def load(cls, root, name, cell_timeout=None):
        """Read the course at ``root`` for grading assignment ``name``."""
        root = Path(root).resolve()
        config = course_config(root)
        coursedir = CourseDirectory(config=config)
        with Gradebook(config.CourseDirectory.db_url) as gb:
            try:
                found = gb.find_assignment(name)
            except MissingEntry:
                raise GradingError(
                    f"there is no assignment {name!r} in the gradebook: run "
                    f"`nbgrader generate_assignment {name}` first") from None
            notebooks, max_score = sorted(nb.name for nb in found.notebooks), found.max_score
        keys, releases = {}, {}
        for notebook in notebooks:
            try:
                keys[notebook] = load_key(root / "source" / name / f"{notebook}.ipynb")
            except AnswerKeyError as error:
                raise GradingError(str(error)) from None
            release = root / "release" / name / f"{notebook}.ipynb"
            if not release.is_file():
                raise GradingError(f"release/{name}/{notebook}.ipynb is missing: run "
                                   f"`nbgrader generate_assignment {name}` first")
            releases[notebook] = nbformat.read(release, as_version=4)
        timeout = cell_timeout or config.Execute.get("timeout", defaults.CELL_TIMEOUT_S)
        return cls(root, name, config, coursedir, notebooks, max_score, keys, releases,
                   _given_files(root / "source" / name, coursedir.ignore), timeout,
                   _mistake_keys(root, name, notebooks))

    def resources(self, student, notebook, context):
        """nbgrader's resources for one student's notebook, with the grader's ``context``."""
        return {"nbgrader": {"student": student, "assignment": self.name,
                             "notebook": notebook, "db_url": self.db_url},
                "unique_key": notebook, "output_files_dir": f"{notebook}_files",
                REMEMBERED_CELLS: self.remembered_cells, WORKBOOK: context}


def _mistake_keys(root, assignment, notebooks):
    """``{notebook: MistakeKey}`` of the notebooks whose planted mistakes have a current key."""
    from instructor.authoring.planted import declarations

    spec = declarations().get(assignment)
    found = {}
    for notebook in notebooks:
        if spec is not None and spec.NOTEBOOK == notebook:
            key = load_mistake_key(root / "source" / assignment / f"{notebook}.ipynb", spec)
            if key is not None:
                found[notebook] = key
    return found


def _given_files(source, ignore):
    """The files beside the source notebooks, which every hand-in gets (as nbgrader does)."""
    files = {}
    for path in sorted(source.rglob("*")):
        relative = path.relative_to(source)
        if path.is_file() and path.suffix != ".ipynb" and not handins.ignored(relative, ignore):
            files[str(relative)] = path.read_bytes()
    return files
