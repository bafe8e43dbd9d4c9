"""Is the repository laid out and pinned the way instructors and CI expect?"""

import re
import tomllib

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


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.parent.name)
def test_test_cells_can_fail(path):
    """Does every test cell end in a check or an assert, never in a bare expression?"""
    nb = nbformat.read(path, as_version=4)
    for cell in nb.cells:
        meta = cell.metadata.get("nbgrader", {})
        if not meta.get("grade") or meta.get("solution"):
            continue
        lines = [ln for ln in cell.source.splitlines() if ln.strip() and not ln.startswith("#")]
        statements = [ln for ln in lines if not ln.startswith((" ", ")", "]"))]
        last = statements[-1]
        assert last.startswith(("check_", "assert ")), f"{meta['grade_id']} ends with {last!r}"
        assert meta.get("points", 0) > 0, f"{meta['grade_id']} is worth no points"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.parent.name)
def test_notebook_has_unique_grade_ids_and_no_outputs(path):
    """Are grade ids unique, and is the source notebook saved without outputs?"""
    nb = nbformat.read(path, as_version=4)
    ids = [c.metadata["nbgrader"]["grade_id"] for c in nb.cells if "nbgrader" in c.metadata]
    assert len(ids) == len(set(ids))
    assert all(not c.get("outputs") for c in nb.cells if c.cell_type == "code")
