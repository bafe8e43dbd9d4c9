"""Is the repository laid out and pinned the way instructors and CI expect?"""

import ast
import re
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import nbformat
import pytest
import yaml

from harness import ROOT

NOTEBOOKS = sorted((ROOT / "source").glob("*/*.ipynb"))


def pyproject_pins():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    requirements = list(project["dependencies"])
    for extra in project["optional-dependencies"].values():
        requirements += extra
    return requirements


def test_every_dependency_is_pinned_exactly():
    """Is every dependency, extras included, pinned to one version?"""
    loose = [r for r in pyproject_pins() if not re.fullmatch(r"[\w\-\[\],.]+==[\w.]+", r)]
    assert loose == []


def test_environment_yml_agrees_with_pyproject():
    """Does conda's environment.yml pin exactly what pyproject.toml pins?"""
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    pip_section = next(d["pip"] for d in env["dependencies"] if isinstance(d, dict))
    pins = sorted(p for p in pip_section if not p.startswith("-e"))
    assert pins == sorted(pyproject_pins())
    assert "-e .[dev,torch]" in pip_section
    assert "python=3.11" in env["dependencies"]


def test_generated_folders_stay_out_of_git():
    """Are grading outputs and the gradebook git-ignored?"""
    ignored = (ROOT / ".gitignore").read_text().split()
    for entry in ["gradebook.db", "autograded/*", "submitted/", "feedback/", ".venv/"]:
        assert entry in ignored


def _checks_something(tree):
    """Does the code hold an assert or a call to a check_* helper?"""
    for node in ast.walk(tree):
        if isinstance(node, ast.Assert):
            return True
        if isinstance(node, ast.Call) and getattr(node.func, "id", "").startswith("check"):
            return True
    return False


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.parent.name)
def test_test_cells_can_fail(path):
    """Does every test cell check something, and never end in a bare, non-call expression?"""
    nb = nbformat.read(path, as_version=4)
    for cell in nb.cells:
        meta = cell.metadata.get("nbgrader", {})
        if not meta.get("grade") or meta.get("solution"):
            continue
        tree = ast.parse(cell.source)
        last = tree.body[-1]
        bare = isinstance(last, ast.Expr) and not isinstance(last.value, ast.Call)
        assert not bare, f"{meta['grade_id']} ends in a bare expression"
        assert _checks_something(tree), f"{meta['grade_id']} checks nothing"
        assert meta.get("points", 0) > 0, f"{meta['grade_id']} is worth no points"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.parent.name)
def test_notebook_has_unique_grade_ids_and_no_outputs(path):
    """Are grade ids unique, and is the source notebook saved without outputs?"""
    nb = nbformat.read(path, as_version=4)
    ids = [c.metadata["nbgrader"]["grade_id"] for c in nb.cells if "nbgrader" in c.metadata]
    assert len(ids) == len(set(ids))
    assert all(not c.get("outputs") for c in nb.cells if c.cell_type == "code")


def test_first_gradebook_works_without_an_activated_venv(tmp_path):
    """Does generate_assignment create the gradebook when the venv's bin/ is not on PATH?"""
    (tmp_path / "source").mkdir()
    shutil.copy(ROOT / "nbgrader_config.py", tmp_path)
    shutil.copytree(ROOT / "source" / "01_forward_pass", tmp_path / "source" / "01_forward_pass")
    env = {"HOME": str(tmp_path), "PATH": "/usr/bin:/bin"}
    nbgrader = Path(sys.executable).parent / "nbgrader"
    result = subprocess.run(
        [str(nbgrader), "generate_assignment", "01_forward_pass"],
        cwd=tmp_path, env=env, capture_output=True, text=True,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert (tmp_path / "gradebook.db").exists()
