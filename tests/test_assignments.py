"""Do the hidden tests grade correctly? Solution full, blank zero, mistakes lose, variants full.

Every assignment declared in ``instructor/authoring/planted/`` is graded once per test session by
the course's grader (``workbook grade``, auditing in the same run what only the answer key
decides) on every declared submission, and by the real ``nbgrader autograde`` on the right
answers and the blank release, on temporary copies of the course.
"""

import functools
import re

import nbformat
import pytest

from instructor.authoring.courses import (
    BLANK,
    SOLUTION,
    executed_errors,
    grade_declared,
    student_id,
)
from instructor.authoring.courses import COURSE as ROOT
from instructor.authoring.independence import dependent_expectations
from instructor.authoring.planted import declarations
from instructor.grading.mistakes import load_mistake_key
from instructor.grading.rewrite import sites_of
from instructor.vocabulary import (
    DECIDED,
    SUMMARY_ID,
    grade_id,
    hidden_lines,
    is_test,
    solution_lines,
)

# Runs graders, kernels or browsers: the slow layer (`pytest -m "not slow"` skips it).
pytestmark = pytest.mark.slow

SPECS = list(declarations().values())
MISTAKES = [(spec, m) for spec in SPECS for m in spec.MISTAKES]
VARIANTS = [(spec, v) for spec in SPECS for v in spec.VARIANTS]


def write_score_table(assignment, grades):
    """Keep each submission's score under test-artifacts/, for the record of a run."""
    folder = ROOT / "test-artifacts" / "tests-of-tests"
    folder.mkdir(parents=True, exist_ok=True)
    lines = [f"{g.score:g}/{g.max_score:g}  {name}" for name, g in grades.items()]
    (folder / f"{assignment}.txt").write_text("\n".join(lines) + "\n")


def spec_id(spec):
    return spec.ASSIGNMENT


def pair_ids(pairs):
    return [f"{spec.ASSIGNMENT}-{item.name}" for spec, item in pairs]


@pytest.fixture(scope="session")
def graded_by(tmp_path_factory):
    """Grade each assignment's submissions at most once per grader and session.

    Stock nbgrader, the reference the course's grader must agree with, grades the right answers
    and the blank release; `workbook grade` grades (and audits) every submission.
    """
    cache = {}

    def grade(spec, grader="workbook"):
        if (spec.ASSIGNMENT, grader) not in cache:
            folder = tmp_path_factory.mktemp(f"{spec.ASSIGNMENT}-{grader}")
            cache[spec.ASSIGNMENT, grader] = grade_declared(folder, spec, grader,
                                                            right_only=grader == "nbgrader")
            if grader == "workbook":
                write_score_table(spec.ASSIGNMENT, cache[spec.ASSIGNMENT, grader][1])
        return cache[spec.ASSIGNMENT, grader]

    return grade


@pytest.fixture(scope="session")
def graded(graded_by):
    """The course's own grader, `workbook grade` (sandboxed, hidden checks decided outside)."""
    return graded_by


def test_every_source_assignment_is_declared():
    """Does every assignment in source/ have a tests-of-tests declaration?"""
    on_disk = sorted(p.name for p in (ROOT / "source").iterdir() if p.is_dir())
    assert on_disk == sorted(spec.ASSIGNMENT for spec in SPECS)


@pytest.mark.parametrize("spec", SPECS, ids=spec_id)
def test_declaration_is_strong_enough(spec):
    """Does each assignment plant at least five mistakes, each aimed at named test cells?"""
    assert len(spec.MISTAKES) >= 5
    assert all(m.loses for m in spec.MISTAKES)


@pytest.mark.parametrize("spec", SPECS, ids=spec_id)
def test_solution_runs_clean_and_earns_full_marks(spec, graded):
    """Does the source notebook run top to bottom without error and earn every point the
    grader decides? (A written answer scores nothing until a person grades it.)"""
    course, grades, _ = graded(spec)
    assert executed_errors(course, spec.ASSIGNMENT, spec.NOTEBOOK, SOLUTION) == []
    result = grades[SOLUTION]
    assert result.auto_max > 0
    assert result.score == result.auto_max, result.cells
    assert all(result.cells[name] == 0 for name in result.written), result.cells


@pytest.mark.parametrize("spec", SPECS, ids=spec_id)
def test_blank_release_earns_zero_without_crashing(spec, graded):
    """Does the untouched release score 0, with the grader finishing normally?"""
    _, grades, process = graded(spec)
    assert process.returncode == 0
    assert grades[BLANK].score == 0, grades[BLANK].cells
    assert grades[BLANK].max_score == grades[SOLUTION].max_score


def _summary(course, spec, student):
    """What the last cell (``workbook.summary``) printed in a notebook graded by nbgrader."""
    path = course / "autograded" / student / spec.ASSIGNMENT / f"{spec.NOTEBOOK}.ipynb"
    nb = nbformat.read(path, as_version=4)
    assert grade_id(nb.cells[-1]) == SUMMARY_ID, "the last cell is not the summary"
    return "".join(output.get("text", "") for output in nb.cells[-1].outputs)


@pytest.mark.parametrize("spec", SPECS, ids=spec_id)
def test_summary_cell_says_where_a_student_stands(spec, graded_by):
    """Does the last cell count the visible checks, one line each, naming the first to fix, and
    say which points only the graded run decides?"""
    course, _, _ = graded_by(spec, "nbgrader")
    source = nbformat.read(ROOT / "source" / spec.ASSIGNMENT / f"{spec.NOTEBOOK}.ipynb", 4)
    assert f'summarise("{spec.NOTEBOOK}.ipynb")' in source.cells[-1].source
    checks = sum(is_test(cell) for cell in source.cells)
    solution = _summary(course, spec, SOLUTION)
    assert solution.startswith(f"{checks} of {checks} checks pass."), solution
    assert solution.splitlines()[-1].startswith("Not decided here: "), solution
    blank = _summary(course, spec, BLANK).splitlines()
    assert blank[0].startswith(f"0 of {checks} checks pass; first to fix: "), blank[0]
    assert len(blank) == 2 + checks and "Traceback" not in "".join(blank)
    assert blank[-1].startswith("Not decided here: "), blank[-1]


@pytest.mark.parametrize("spec, mistake", MISTAKES, ids=pair_ids(MISTAKES))
def test_planted_mistake_loses_points(spec, mistake, graded):
    """Does a mistake students really make lose points in the test cells aimed at it?"""
    _, grades, _ = graded(spec)
    result = grades[mistake.name]
    assert result.score < result.auto_max
    for cell in mistake.loses:
        assert cell in result.cells, f"{cell!r} is not a graded cell"
        assert result.cells[cell] < result.max_cells[cell], f"{cell} kept its points"


@pytest.mark.parametrize("spec, variant", VARIANTS, ids=pair_ids(VARIANTS))
def test_correct_variant_earns_full_marks(spec, variant, graded):
    """Does a correct answer written another way earn every point?"""
    _, grades, _ = graded(spec)
    result = grades[variant.name]
    assert result.score == result.auto_max, {
        k: v for k, v in result.cells.items() if v < result.max_cells[k] and k not in
        result.written
    }


@pytest.mark.parametrize("spec", SPECS, ids=spec_id)
def test_committed_release_matches_generated(spec, graded):
    """Is release/ regenerated from source/ (no one forgot to run generate_assignment)?"""
    course, _, _ = graded(spec)
    name = f"{spec.NOTEBOOK}.ipynb"
    generated = nbformat.read(course / "release" / spec.ASSIGNMENT / name, as_version=4)
    committed = nbformat.read(ROOT / "release" / spec.ASSIGNMENT / name, as_version=4)
    assert committed == generated, "release/ is stale: run `bash course.sh release`"


@functools.cache
def _secret_lines():
    """Solution and hidden-test lines of every source notebook, specific enough to be a leak.

    A line that any source notebook also shows students (``weights = figure8_weights()`` in a
    given cell, say) is public, not a secret.
    """
    secret, public = set(), set()
    for path in (ROOT / "source").glob("*/*.ipynb"):
        for cell in nbformat.read(path, as_version=4).cells:
            inside = solution_lines(cell.source) + hidden_lines(cell.source)
            secret.update(inside)
            public.update({line.strip() for line in cell.source.splitlines()} - set(inside))
    return {line for line in secret - public if _meaningful(line)}


@pytest.mark.parametrize("spec", SPECS, ids=spec_id)
def test_release_holds_no_solution_or_hidden_test(spec):
    """Does the student's copy leak no solution or hidden-test line, of any assignment?"""
    path = ROOT / "release" / spec.ASSIGNMENT / f"{spec.NOTEBOOK}.ipynb"
    text = path.read_text()
    assert "BEGIN SOLUTION" not in text and "HIDDEN TESTS" not in text
    release = nbformat.reads(text, as_version=4)
    code = {line.strip() for c in release.cells if c.cell_type == "code"
            for line in c.source.splitlines()}
    assert sorted(code & _secret_lines()) == []


def _meaningful(line):
    """Lines specific enough that finding them in a release would be a leak.

    Signatures (``def relu(z):``) are given to students on purpose, so they do not count.
    """
    return (
        len(line) > 12
        and not line.startswith(("#", "def "))
        and re.search(r"[=(]", line) is not None
    )



@pytest.mark.parametrize("spec", SPECS, ids=spec_id)
def test_workbook_grade_agrees_with_stock_nbgrader(spec, graded_by):
    """Does `workbook grade`, deciding hidden tests outside the kernel, grade like nbgrader?

    Right answers (the solution, every variant) and the blank release get the same score on
    every cell from both.
    """
    _, stock, _ = graded_by(spec, "nbgrader")
    _, ours, _ = graded_by(spec, "workbook")
    assert {name: ours[name].cells for name in stock} == {name: grades.cells
                                                          for name, grades in stock.items()}


@pytest.mark.parametrize("spec", SPECS, ids=spec_id)
def test_hidden_tests_decide_without_the_kernels_word(spec, graded):
    """With every error the kernel reports ignored and every ``check_that`` taken as passing,
    do the answer key's own decisions still give the solution full marks, the blank release
    zero, and every planted mistake its loss?

    That is the most a student who forges everything in their own kernel could score.
    """
    _, grades, _ = graded(spec)

    def full(name):
        return sum(grades[name].audit.values()) == grades[name].auto_max

    assert full(SOLUTION), grades[SOLUTION].audit
    assert sum(grades[BLANK].audit.values()) == 0, {
        k: v for k, v in grades[BLANK].audit.items() if v}
    kept = {m.name: [c for c in m.loses
                     if grades[m.name].audit[c] == grades[m.name].max_cells[c]]
            for m in spec.MISTAKES}
    assert {name: cells for name, cells in kept.items() if cells} == {}
    for variant in spec.VARIANTS:
        assert full(variant.name), variant.name


@pytest.mark.parametrize("path", sorted(ROOT.glob("source/*/*.ipynb")), ids=lambda p: p.parent.name)
def test_every_test_cell_is_decided_outside_the_kernel(path):
    """Does every test cell compare at least one value with the key, outside the kernel?"""
    nb = nbformat.read(path, as_version=4)
    undecided = [grade_id(c) for c in nb.cells if is_test(c)
                 and not any(site.check == "check_close" for site in sites_of(c.source))]
    assert undecided == []


@pytest.mark.parametrize("path", sorted(ROOT.glob("source/*/*.ipynb")), ids=lambda p: p.parent.name)
def test_hidden_tests_expect_what_the_course_computes(path):
    """Is every hidden expected value computed from the course's own data and reference code?

    One computed from the student's answers (``relu(z)`` of the student's ``relu``) passes a
    wrong but self-consistent answer under stock nbgrader and fails it under the answer key:
    the two graders would differ.
    """
    found = dependent_expectations(nbformat.read(path, as_version=4))
    assert [str(dependence) for dependence in found] == []


def _hints(course, student, spec):
    """The 'looks like' names the grader gave in one autograded notebook."""
    path = course / "autograded" / student / spec.ASSIGNMENT / f"{spec.NOTEBOOK}.ipynb"
    nb = nbformat.read(path, as_version=4)
    return {entry["text"] for cell in nb.cells for entry in cell.metadata.get(DECIDED, [])
            if entry.get("by") == "hint"}


@pytest.mark.parametrize("spec", SPECS, ids=spec_id)
def test_mistakes_are_named_and_right_answers_never(spec, graded):
    """Does a planted mistake's feedback name it ("looks like: ...") wherever the mistake key
    knows values that tell it apart (nine in ten at least), and is no right answer (solution,
    variant) ever named?"""
    course, _, _ = graded(spec)
    key = load_mistake_key(course / "source" / spec.ASSIGNMENT / f"{spec.NOTEBOOK}.ipynb",
                           spec)
    assert key is not None, "the mistake key is stale: run `bash course.sh release`"
    known = key.telling()
    named = {m.name for m in spec.MISTAKES
             if any(m.name in hint for hint in _hints(course, student_id(m.name), spec))}
    folder = ROOT / "test-artifacts" / "tests-of-tests"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"{spec.ASSIGNMENT}-named.txt").write_text(
        f"{len(named)} of {len(spec.MISTAKES)} planted mistakes named "
        f"({len(known)} with values of their own)\n"
        + "".join(f"{'named' if m.name in named else '-':>6}  {m.name}\n" for m in spec.MISTAKES))
    # One in ten may go unnamed: a mistake whose values are random each run (weights from
    # NumPy's global generator) cannot be recognised by them.
    assert len(known - named) <= len(known) // 10, known - named
    for right in [SOLUTION, *(v.name for v in spec.VARIANTS)]:
        assert _hints(course, student_id(right), spec) == set(), right
