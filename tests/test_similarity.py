"""The similarity report finds copies and leaves independent work alone.

Hand-ins are made from each assignment's solution and its planted *variants*
(``instructor/authoring/planted/``: correct answers written another way, as different students
write them). A *copy* is another student's hand-in with every name it defines renamed and its
functions (and each class's methods) in reverse order. Every copy of a variant with enough code
of its own is found; no two independent hand-ins (the solution twice, the variants, blank
releases) are listed, at the default threshold or at half of it.
"""

import ast
import importlib
import json
import re
from pathlib import Path

import pytest

from instructor.authoring.courses import COURSE
from instructor.authoring.edits import apply_edits
from instructor.authoring.submissions import solution_cells, write_submission
from instructor.similarity import DEFAULT_THRESHOLD, MIN_SHARED, answer_cells, canonical, pairs_of
from instructor.vocabulary import strip_solution_markers

PLANTED = sorted(p.stem for p in (COURSE / "instructor" / "authoring" / "planted").glob("*.py")
                 if p.stem != "__init__")


def _start(node):
    return min([node.lineno, *(d.lineno for d in getattr(node, "decorator_list", []))]) - 1


def _reversed_defs(lines, body, end):
    """The lines of ``body`` with its functions and classes in reverse order (recursively in
    classes); other statements stay where they are."""
    chunks = []
    for index, node in enumerate(body):
        stop = _start(body[index + 1]) if index + 1 < len(body) else end
        text = lines[_start(node):stop]
        if isinstance(node, ast.ClassDef) and len(node.body) > 1:
            text = lines[_start(node):_start(node.body[0])] + _reversed_defs(lines, node.body,
                                                                              stop)
        chunks.append((isinstance(node, ast.FunctionDef | ast.ClassDef), text))
    moved = iter([text for is_def, text in chunks if is_def][::-1])
    return [line for is_def, text in chunks for line in (next(moved) if is_def else text)]


def disguise(code):
    """A copy of ``code``: names it defines renamed, functions and methods reordered."""
    if not code.endswith("\n"):
        code += "\n"
    tree = ast.parse(code)
    lines = code.splitlines(keepends=True)
    head = lines[:_start(tree.body[0])] if tree.body else lines
    code = "".join(head + _reversed_defs(lines, tree.body, len(lines)))
    names = {n.id for n in ast.walk(tree) if isinstance(n, ast.Name)
             and isinstance(n.ctx, ast.Store)}
    names |= {n.arg for n in ast.walk(tree) if isinstance(n, ast.arg)}
    names |= {n.name for n in ast.walk(tree) if isinstance(n, ast.FunctionDef | ast.ClassDef)}
    for number, name in enumerate(sorted(names - {"self"})):
        if not name.startswith("__"):
            code = re.sub(rf"(?<![.\w]){re.escape(name)}(?!\w)", f"my_thing_{number}", code)
    return code


def spec_of(module):
    return importlib.import_module(f"instructor.authoring.planted.{module}")


def documents(spec):
    """``(given, {name: document})``: the boilerplate documents, and the solution, its
    variants and the blank release as independent hand-ins (the solution twice)."""
    name = spec.NOTEBOOK
    release = json.loads((COURSE / "release" / spec.ASSIGNMENT / f"{name}.ipynb").read_text())
    source = json.loads((COURSE / "source" / spec.ASSIGNMENT / f"{name}.ipynb").read_text())
    given = [canonical(answer_cells(release, name)),
             canonical([(label, strip_solution_markers(code))
                        for label, code in answer_cells(source, name)])]
    solution = solution_cells(COURSE / "source" / spec.ASSIGNMENT / f"{name}.ipynb")
    hand_ins = {"solution": solution, "solution-again": solution}
    hand_ins.update({variant.name: apply_edits(solution, variant.edits)
                     for variant in spec.VARIANTS})
    docs = {key: canonical([(f"{name} {cell}", code) for cell, code in cells.items()])
            for key, cells in hand_ins.items()}
    docs["blank"] = docs["blank-again"] = canonical(answer_cells(release, name))
    return given, docs, hand_ins


def test_disguise_renames_and_reorders():
    code = "def first(a):\n    b = a + 1\n    return b\n\n\ndef second(c):\n    return first(c)\n"
    tree = ast.parse(disguise(code))
    names = [node.name for node in tree.body]
    assert len(names) == 2 and not {"first", "second", "a", "b", "c"} & {
        n.id for n in ast.walk(tree) if isinstance(n, ast.Name)}
    assert tree.body[0].body[0].value.func.id == names[1]    # `second` comes first now


def own_code(spec, given, document):
    """Normalised characters of a hand-in that are its own (neither given nor the solution)."""
    pairs = pairs_of(spec.ASSIGNMENT, {"a": document, "b": document}, given, 0.01)
    return pairs[0].shared if pairs else 0


@pytest.mark.parametrize("module", PLANTED)
def test_independent_hand_ins_are_not_flagged(module):
    spec = spec_of(module)
    given, docs, _ = documents(spec)
    pairs = pairs_of(spec.ASSIGNMENT, docs, given, DEFAULT_THRESHOLD / 2)
    assert [(p.student_a, p.student_b, round(p.similarity, 2)) for p in pairs] == []


@pytest.mark.parametrize("module", PLANTED)
def test_a_copy_with_renamed_names_and_reordered_functions_is_found(module):
    spec = spec_of(module)
    given, docs, hand_ins = documents(spec)
    # The variant with the most code of its own: what a copy can be told by.
    variants = [variant.name for variant in spec.VARIANTS]
    original = max(variants, key=lambda name: own_code(spec, given, docs[name]))
    copied = {cell: disguise(code) for cell, code in hand_ins[original].items()}
    assert all(copied[c] != hand_ins[original][c] for c in copied if "def " in copied[c])
    docs["copier"] = canonical([(f"{spec.NOTEBOOK} {c}", code) for c, code in copied.items()])
    pairs = pairs_of(spec.ASSIGNMENT, docs, given)
    assert [(p.student_a, p.student_b) for p in pairs] == [tuple(sorted(("copier", original)))]
    found = pairs[0]
    assert found.similarity >= 0.9 and found.shared >= MIN_SHARED
    assert found.lines_a and found.lines_b


@pytest.mark.slow
def test_report_lists_the_pair_side_by_side_and_in_the_csv(tmp_path):
    from gradebook_course import Result, graded_course

    spec = spec_of("neural_network")
    course = graded_course(tmp_path, {spec.ASSIGNMENT: 20},
                           {s: None for s in ("amy", "ben", "cai", "dee", "eve")},
                           [Result(s, spec.ASSIGNMENT, 20) for s in
                            ("amy", "ben", "cai", "dee", "eve")])
    for folder in ("source", "release"):
        (course / folder).mkdir()
        (course / folder / spec.ASSIGNMENT).symlink_to(COURSE / folder / spec.ASSIGNMENT)
    _, _, hand_ins = documents(spec)
    lists = hand_ins[spec.VARIANTS[0].name]
    work = {"amy": hand_ins["solution"], "ben": lists, "cai": hand_ins[spec.VARIANTS[1].name],
            "dee": {c: disguise(code) for c, code in lists.items()}, "eve": None}
    release = COURSE / "release" / spec.ASSIGNMENT / f"{spec.NOTEBOOK}.ipynb"
    for student, cells in work.items():
        write_submission(release, course / "autograded" / student / spec.ASSIGNMENT
                         / release.name, cells)
    from instructor.cli import main

    assert main(["report", "--course", str(course), "--similarity-threshold", "0.6"]) == 0
    rows = (course / "report" / "similarity.csv").read_text().splitlines()
    assert rows[0] == "assignment,student_a,student_b,similarity"
    assert len(rows) == 2 and rows[1].startswith(f"{spec.ASSIGNMENT},ben,dee,")
    assert float(rows[1].split(",")[3]) >= 0.9
    page = Path(course / "report" / "report.html").read_text()
    assert "Similar answers" in page and "ben and dee" in page and "<mark>" in page
    assert "amy and" not in page and "and eve" not in page


def test_the_threshold_is_a_share():
    import argparse

    from instructor.similarity import threshold

    assert threshold("0.3") == 0.3 and threshold("1") == 1
    for bad in ("0", "1.5", "-0.2", "half"):
        with pytest.raises(argparse.ArgumentTypeError):
            threshold(bad)
