"""Find submissions that tamper with grading, and say why, for the instructor to review.

Three independent looks, none of which changes a score (nbgrader already restores edited,
deleted and re-flagged grade cells; these flags tell the instructor that someone tried):

- ``structure_flags``: the handed-in notebook against the release: grade cells deleted,
  duplicated, edited, re-flagged or added;
- ``static_flags``: the student's own cells, read (not run): assignments to numpy, builtins or
  the checking helpers, re-binding of names the notebook imported for its tests, hooks that
  hide errors;
- probes (``add_probes`` / ``take_probes``): a grader cell after every test cell that checks, in
  the student's kernel, that the checking functions still fail on wrong values, that the names
  the tests use are the originals and that nothing hides errors, and prints what it found (a
  probe that cannot print its report is a finding too).
"""

import ast
import copy
from functools import cache
from pathlib import Path

from nbformat.v4 import new_code_cell

from instructor.grading.imports import protected_names
from instructor.vocabulary import (
    GRADER_MARKS,
    PROBE,
    grade_id,
    is_graded,
    is_locked,
    is_test,
    nbgrader_meta,
)
from workbook.handout import ACCESS
from workbook.wire import ProbeReport

__all__ = [
    "add_probes", "protected_names", "remove_grader_marks", "restore_grade_cells",
    "static_flags", "structure_flags", "take_probes",
]

# Modules whose behaviour the tests rely on; a student's cell should never assign into them.
GUARDED_MODULES = {"builtins", "__builtins__", "numpy", "math", "sys", "workbook", "IPython"}
HOOKS = {"set_custom_exc", "register", "patch", "setattr", "delattr", "exec", "eval"}


def remove_grader_marks(nb):
    """Remove, in place, the metadata the grader puts on its own cells; flag where it was.

    A hand-in whose cells claim to be the grader's (a probe, a rewritten test) must not be
    taken for them.
    """
    found = sorted({key for cell in nb.cells for key in GRADER_MARKS
                    if cell.get("metadata", {}).pop(key, None) is not None})
    return [f"cells carry the grader's own metadata ({', '.join(found)})"] if found else []


def structure_flags(submitted, release):
    """Flags for grade cells the student deleted, duplicated, edited, re-flagged or added.

    ``submitted`` and ``release`` are notebooks (the release is what the student was given).
    """
    given = {grade_id(c): c for c in release.cells if grade_id(c)}
    seen = {}
    flags = []
    for cell in submitted.cells:
        name = grade_id(cell)
        if not name:
            continue
        seen[name] = seen.get(name, 0) + 1
        original = given.get(name)
        if original is None:
            flags.append(f"added a graded cell '{name}'")
            continue
        meta, before = nbgrader_meta(cell), nbgrader_meta(original)
        keys = ("grade", "solution", "locked", "points")
        if any(meta.get(key) != before.get(key) for key in keys):
            flags.append(f"changed the nbgrader metadata of '{name}'")
        if is_locked(original) and cell.source.strip() != original.source.strip():
            flags.append(f"edited the locked cell '{name}'")
    for name, original in given.items():
        count = seen.get(name, 0)
        if count == 0 and is_graded(original):
            flags.append(f"deleted the graded cell '{name}'")
        elif count > 1:
            flags.append(f"duplicated the cell '{name}' ({count} copies)")
    return flags


def restore_grade_cells(nb, release):
    """Give every grade cell back its release metadata, in place, before nbgrader sanitizes.

    nbgrader restores the *source* of locked cells, but a cell whose flags or points were
    changed, a duplicated grade id or an invented one makes it stop with an error. Here the
    first cell with a release grade id gets the release's metadata; later copies and invented
    ids become plain cells (``structure_flags`` has already reported them).
    """
    given = {grade_id(c): c for c in release.cells if grade_id(c)}
    seen = set()
    for cell in nb.cells:
        name = grade_id(cell)
        if "nbgrader" not in cell.get("metadata", {}):
            continue
        if name in given and name not in seen:
            seen.add(name)
            cell.metadata["nbgrader"] = copy.deepcopy(given[name].metadata["nbgrader"])
            cell.cell_type = given[name].cell_type
        else:
            del cell.metadata["nbgrader"]


def _root(node):
    while isinstance(node, ast.Attribute | ast.Subscript):
        node = node.value
    return node.id if isinstance(node, ast.Name) else None


def _written(target):
    """The attributes and subscripts an assignment target writes through, then the name it
    starts from (``a.b[i] = ...``: ``a.b[i]``, ``a.b``, ``a``), never its index expressions:
    ``dx[np.arange(n), y] -= 1`` writes into ``dx``, not into ``np``."""
    if isinstance(target, ast.Tuple | ast.List):
        for element in target.elts:
            yield from _written(element)
    elif isinstance(target, ast.Starred):
        yield from _written(target.value)
    else:
        while isinstance(target, ast.Attribute | ast.Subscript):
            yield target
            target = target.value
        yield target


def _dotted(node):
    try:
        return ast.unparse(node)
    except Exception:  # noqa: BLE001  (only used in a message)
        return "?"


def static_flags(submitted, protected):
    """Flags for the student's own cells that patch the checks or hide errors."""
    modules = GUARDED_MODULES | {name for name, (_, attr) in protected.items() if attr is None}
    flags = []
    for cell in submitted.cells:
        if cell.cell_type != "code" or is_locked(cell) or is_test(cell):
            continue
        try:
            tree = ast.parse(cell.source)
        except SyntaxError:
            continue
        where = grade_id(cell) or "an unmarked cell"
        for node in ast.walk(tree):
            for message in _suspicious(node, modules, protected):
                flags.append(f"{message} (in {where})")
    return list(dict.fromkeys(flags))


def _suspicious(node, modules, protected):
    if isinstance(node, ast.Assign | ast.AugAssign | ast.AnnAssign | ast.Delete):
        targets = node.targets if isinstance(node, ast.Assign | ast.Delete) else [node.target]
        for target in targets:
            for part in _written(target):
                if isinstance(part, ast.Attribute | ast.Subscript) and _root(part) in modules:
                    yield f"assigns to {_dotted(part)}"
                    break
                if isinstance(part, ast.Name) and part.id in protected:
                    yield f"re-binds '{part.id}', which the tests use"
    elif isinstance(node, ast.FunctionDef | ast.ClassDef) and node.name in protected:
        yield f"re-defines '{node.name}', which the tests use"
    elif isinstance(node, ast.Call):
        func = node.func
        name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", None)
        if name not in HOOKS:
            return
        if name == "register":      # only IPython's event hooks: get_ipython().events.register
            suspicious = "events" in _dotted(func)
        elif name == "patch":       # unittest.mock.patch(...), not a method called patch
            suspicious = _root(func) is not None
        elif name in ("setattr", "delattr"):
            suspicious = bool(node.args) and _root(node.args[0]) in modules
        else:
            suspicious = True
        if suspicious:
            yield f"calls {_dotted(func)}"


@cache
def _probe_code():
    return Path(__file__).with_name("probe.py").read_text()


def add_probes(nb, protected):
    """Insert a probe cell (:mod:`instructor.grading.probe`) after every test cell (in place).

    The cell hands the probe's text to :func:`workbook.handout.probe`, reached as the hidden
    checks reach the hand-out (no name of the student's namespace is looked up), which runs it
    in a namespace of its own; it prints one :class:`workbook.wire.ProbeReport`. IPython reads
    a cell of one string token instead of tokenizing seventy lines (a probe cell took 13 ms in
    a kernel this way against 8, measured; a notebook has one per test cell).
    """
    code = (f"{_probe_code()}\n\n"
            "from workbook.wire import ProbeReport\n"
            f"print(ProbeReport(tuple(_workbook_probe({protected!r}, "
            "__import__('IPython').get_ipython().user_ns))).to_line())\n")
    source = f"{ACCESS}.probe({code!r})\n"
    cells = []
    for cell in nb.cells:
        cells.append(cell)
        if is_test(cell):
            probe = new_code_cell(source)
            probe.metadata[PROBE] = True
            cells.append(probe)
    nb.cells = cells


def take_probes(nb):
    """Remove the probe cells from an executed ``nb``; return what they found."""
    found = []
    kept = []
    for cell in nb.cells:
        if not cell.get("metadata", {}).get(PROBE):
            kept.append(cell)
            continue
        outputs = cell.get("outputs", [])
        if any(o.get("ename") in ("NotRun", "DeadKernelError") for o in outputs):
            continue
        text = "".join(o.get("text", "") for o in outputs if o.get("output_type") == "stream")
        report = ProbeReport.from_text(text)
        if report is None:
            found.append("a grader probe could not report: output or errors are tampered with")
        else:
            found += report.findings
    nb.cells = kept
    return list(dict.fromkeys(found))
