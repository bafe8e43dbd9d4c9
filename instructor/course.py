"""The course's nbgrader configuration, read the way nbgrader reads it."""

from pathlib import Path

from traitlets.config import Config

__all__ = ["course_config"]


def course_config(root):
    """The configuration in ``root/nbgrader_config.py`` (course id, gradebook URL, limits...)."""
    config = Config()
    path = Path(root) / "nbgrader_config.py"
    exec(path.read_text(), {"get_config": lambda: config, "__file__": str(path)})
    return config
