"""The course folder: finding it, reading its ``nbgrader_config.py`` as nbgrader does."""

from pathlib import Path

from traitlets.config import Config

__all__ = ["CONFIG", "FEEDBACK", "CourseNotFound", "course_assignments",
           "course_config", "find_course", "source_notebooks"]

CONFIG = "nbgrader_config.py"
# nbgrader's feedback folder (`CourseDirectory.feedback_directory`), where
# `nbgrader release_feedback` takes the pages from: `workbook feedback` writes there too.
FEEDBACK = "feedback"


class CourseNotFound(Exception):
    """No ``nbgrader_config.py`` where the course was looked for."""


def find_course(path=None):
    """The course folder: ``path`` if given, else the working folder or its nearest parent
    holding ``nbgrader_config.py``."""
    if path is not None:
        root = Path(path).resolve()
        if not (root / CONFIG).is_file():
            raise CourseNotFound(f"{root} is not a course folder: it has no {CONFIG}")
        return root
    here = Path.cwd().resolve()
    for folder in (here, *here.parents):
        if (folder / CONFIG).is_file():
            return folder
    raise CourseNotFound(f"no course here: neither {here} nor a folder above it has {CONFIG}. "
                         "Run workbook inside the course folder, or pass --course PATH.")


def course_config(root):
    """The configuration in ``root/nbgrader_config.py`` (course id, gradebook URL, limits...)."""
    config = Config()
    path = Path(root) / CONFIG
    exec(path.read_text(), {"get_config": lambda: config, "__file__": str(path)})
    return config


def course_assignments(root):
    """``(in the gradebook, in source/)``: two sets of assignment ids."""
    import warnings

    from nbgrader.api import Gradebook

    sources = {p.name for p in (Path(root) / "source").glob("*") if p.is_dir()}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with Gradebook(course_config(root).CourseDirectory.db_url) as gb:
            generated = {a.name for a in gb.assignments}
    return generated, sources


def source_notebooks(root, assignments=None):
    """The instructor notebooks ``source/<id>/<name>.ipynb`` of ``assignments`` (default: all)."""
    paths = sorted(Path(root, "source").glob("*/*.ipynb"))
    return [p for p in paths if assignments is None or p.parent.name in assignments]
