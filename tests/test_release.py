"""Students never lose work to a release: ``bash course.sh release`` and ``bash course.sh lab``."""

import shutil

import nbformat
import pytest

from instructor.authoring.courses import COURSE
from instructor.release import KEPT, release
from instructor.workcopy import WORK, make_working_copy

ASSIGNMENT, NAME = "01_forward_pass", "forward_pass.ipynb"


def _course(tmp_path):
    shutil.copy(COURSE / "nbgrader_config.py", tmp_path / "nbgrader_config.py")
    shutil.copytree(COURSE / "source" / ASSIGNMENT, tmp_path / "source" / ASSIGNMENT)
    shutil.copytree(COURSE / "release" / ASSIGNMENT, tmp_path / "release" / ASSIGNMENT)
    return tmp_path


def _edit(path, text):
    nb = nbformat.read(path, as_version=4)
    nb.cells[-1].source += f"\n# {text}"
    nbformat.write(nb, path)


@pytest.mark.slow
@pytest.mark.slow
def test_release_keeps_a_notebook_edited_in_release(tmp_path):
    """Does the release keep an edited release notebook (and nothing else), and say so?"""
    course = _course(tmp_path)
    ids, kept = release(course)            # a fresh clone: no record, nothing differs
    assert ids == [ASSIGNMENT] and kept == []
    path = course / "release" / ASSIGNMENT / NAME
    _edit(path, "a student's work, typed into release/")
    _, kept = release(course)
    assert [original for original, _ in kept] == [path]
    copy = kept[0][1]
    assert copy.is_relative_to(course / KEPT) and "a student's work" in copy.read_text()
    assert "a student's work" not in path.read_text()      # the release itself is regenerated
    _, kept = release(course)                               # released as written: nothing kept
    assert kept == []


def test_working_copy_is_made_once_and_never_overwritten(tmp_path):
    """Does ``bash course.sh lab``'s copy take new files and leave every existing one alone?"""
    course = _course(tmp_path)
    copied, kept = make_working_copy(course)
    mine = course / WORK / ASSIGNMENT / NAME
    assert mine in copied and kept == []
    _edit(mine, "my answer")
    (course / "release" / ASSIGNMENT / "extra.csv").write_text("x\n1\n")
    copied, kept = make_working_copy(course)
    assert copied == [course / WORK / ASSIGNMENT / "extra.csv"] and mine in kept
    assert "my answer" in mine.read_text()
