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

from instructor.authoring.courses import COURSE as ROOT
from instructor.grading.keys import KEY_SUFFIX, stale_keys
from instructor.release import TWIN_SUFFIX, stale_twins
from instructor.vocabulary import grade_id, is_test

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


def test_setuptools_reads_pyproject_without_a_warning():
    """Does setuptools read pyproject.toml without a deprecation banner (a license given as a
    TOML table printed two on every install)?"""
    import warnings

    from setuptools.config.pyprojecttoml import read_configuration

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        project = read_configuration(ROOT / "pyproject.toml")["project"]
    assert project["license"] == "MIT"


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
    for cell in filter(is_test, nb.cells):
        tree = ast.parse(cell.source)
        last = tree.body[-1]
        bare = isinstance(last, ast.Expr) and not isinstance(last.value, ast.Call)
        assert not bare, f"{grade_id(cell)} ends in a bare expression"
        assert _checks_something(tree), f"{grade_id(cell)} checks nothing"
        assert cell.metadata.nbgrader.get("points", 0) > 0, f"{grade_id(cell)} is worth no points"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.parent.name)
def test_notebook_has_unique_grade_ids_and_no_outputs(path):
    """Are grade ids unique, and is the source notebook saved without outputs?"""
    nb = nbformat.read(path, as_version=4)
    ids = [grade_id(c) for c in nb.cells if grade_id(c)]
    assert len(ids) == len(set(ids))
    assert all(not c.get("outputs") for c in nb.cells if c.cell_type == "code")


@pytest.mark.slow
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


def test_every_source_notebook_has_its_text_twin_in_sync():
    """Is each source/<id>/<name>.pct.py the percent-format text of its notebook?"""
    stale = [str(p.relative_to(ROOT)) for p in stale_twins(ROOT)]
    assert stale == [], "text twins are stale: run `bash course.sh release`"


def test_every_answer_key_is_made_from_its_notebooks_present_code():
    """Is each source/<id>/<name>.key.json up to date with the notebook's code?"""
    stale = [str(p.relative_to(ROOT)) for p in stale_keys(ROOT)]
    assert stale == [], "answer keys are stale: run `bash course.sh release`"


def test_every_mistake_key_is_made_from_its_notebooks_code_and_mistakes():
    """Is every assignment's mistake key there and made from its present code and planted
    mistakes (`bash course.sh release` makes the stale ones)?"""
    from instructor.authoring.planted import declarations
    from instructor.grading.mistakes import load_mistake_key

    stale = [spec.ASSIGNMENT for spec in declarations().values()
             if load_mistake_key(ROOT / "source" / spec.ASSIGNMENT / f"{spec.NOTEBOOK}.ipynb",
                                 spec) is None]
    assert stale == [], "run `bash course.sh release`"


def test_release_holds_notebooks_and_no_text_twin_or_key():
    """Does the release leave the twins and the keys (which hold the answers) behind?"""
    assert list((ROOT / "release").rglob(f"*{TWIN_SUFFIX}")) == []
    assert list((ROOT / "release").rglob(f"*{KEY_SUFFIX}")) == []
    assert sorted(p.relative_to(ROOT / "release") for p in (ROOT / "release").rglob("*.ipynb"))


def test_nothing_refers_outside_the_repository():
    """Does no tracked file point at ../shared or another folder outside the course?"""
    tracked = subprocess.run(["git", "ls-files"], cwd=ROOT, capture_output=True, text=True,
                             check=True).stdout.split()
    outside = re.compile(r"\.\./shared|shared/seeds|REFERENCE\.md|TOOLCHAIN\.md")
    found = [name for name in tracked if name.endswith((".py", ".md", ".sh", ".toml", ".yml"))
             and name != "tests/test_repository.py" and outside.search((ROOT / name).read_text())]
    assert found == []


def _imports(path):
    tree = ast.parse(path.read_text())
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            yield from (alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            yield node.module.split(".")[0]


def test_the_students_package_never_imports_the_instructors():
    """Can workbook/ run where instructor/ is not there (in a student kernel)?"""
    found = [str(p.relative_to(ROOT)) for p in (ROOT / "workbook").glob("*.py")
             if "instructor" in set(_imports(p))]
    assert found == []


def test_every_third_party_import_is_a_declared_dependency():
    """Is every module the course imports installed by a pinned requirement?"""
    build = tomllib.loads((ROOT / "pyproject.toml").read_text())["build-system"]["requires"]
    declared = {re.split(r"[\[=<>]", r)[0].lower().replace("-", "_")
                for r in [*pyproject_pins(), *build]}
    # import name -> distribution name, where they differ
    provided_by = {"yaml": "pyyaml", "traitlets": "jupyter_client", "IPython": "ipykernel",
                   "zmq": "jupyter_client", "distributed": "dask", "jupyter_core": "jupyter_client",
                   "nbclient": "nbclient", "sqlalchemy": "sqlalchemy", "jwt": "pyjwt",
                   "ltiauthenticator": "jupyterhub_ltiauthenticator", "tornado": "jupyterhub"}
    local = {"workbook", "instructor", "lab_server", "postgres_server", "test_widgets",
             "test_grader", "gradebook_course", "lti_platform", "lti_hub", "test_similarity"}
    files = [*ROOT.glob("workbook/*.py"), *ROOT.glob("instructor/**/*.py"),
             *ROOT.glob("tests/*.py"), *ROOT.glob("benchmarks/*.py")]
    missing = set()
    for path in files:
        for module in _imports(path):
            if module in sys.stdlib_module_names or module in local:
                continue
            name = provided_by.get(module, module).lower()
            if name not in declared:
                missing.add(f"{module} ({path.relative_to(ROOT)})")
    assert sorted(missing) == []


def test_the_stderr_pattern_runs_in_linear_time():
    """Can crafted stderr not stall the grader in nbgrader's IgnorePattern search?"""
    import time

    from instructor.course import course_config

    pattern = course_config(ROOT).IgnorePattern.pattern
    started = time.perf_counter()
    assert re.search(pattern, "a" * 200_000) is None
    assert time.perf_counter() - started < 1.0
    for line in ("RuntimeWarning: overflow", "x UserWarning: y", "Warning: z"):
        assert re.search(pattern, line)
