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

from nbformat.v4 import new_code_cell

__all__ = [
    "add_probes", "protected_names", "restore_grade_cells", "static_flags", "structure_flags",
    "take_probes",
]

PROBE_MARK = "workbook-probe"
# Modules whose behaviour the tests rely on; a student's cell should never assign into them.
GUARDED_MODULES = {"builtins", "__builtins__", "numpy", "math", "sys", "workbook", "IPython"}
HOOKS = {"set_custom_exc", "register", "patch", "setattr", "delattr", "exec", "eval"}


def _nbgrader(cell):
    return cell.get("metadata", {}).get("nbgrader", {})


def _is_test(meta):
    return bool(meta.get("grade")) and not meta.get("solution")


def structure_flags(submitted, release):
    """Flags for grade cells the student deleted, duplicated, edited, re-flagged or added.

    ``submitted`` and ``release`` are notebooks (the release is what the student was given).
    """
    given = {_nbgrader(c)["grade_id"]: c for c in release.cells if _nbgrader(c).get("grade_id")}
    seen = {}
    flags = []
    for cell in submitted.cells:
        meta = _nbgrader(cell)
        grade_id = meta.get("grade_id")
        if not grade_id:
            continue
        seen[grade_id] = seen.get(grade_id, 0) + 1
        original = given.get(grade_id)
        if original is None:
            flags.append(f"added a graded cell '{grade_id}'")
            continue
        before = _nbgrader(original)
        keys = ("grade", "solution", "locked", "points")
        if any(meta.get(key) != before.get(key) for key in keys):
            flags.append(f"changed the nbgrader metadata of '{grade_id}'")
        if before.get("locked") and cell.source.strip() != original.source.strip():
            flags.append(f"edited the locked cell '{grade_id}'")
    for grade_id, original in given.items():
        count = seen.get(grade_id, 0)
        if count == 0 and _nbgrader(original).get("grade"):
            flags.append(f"deleted the graded cell '{grade_id}'")
        elif count > 1:
            flags.append(f"duplicated the cell '{grade_id}' ({count} copies)")
    return flags


def restore_grade_cells(nb, release):
    """Give every grade cell back its release metadata, in place, before nbgrader sanitizes.

    nbgrader restores the *source* of locked cells, but a cell whose flags or points were
    changed, a duplicated grade id or an invented one makes it stop with an error. Here the
    first cell with a release grade id gets the release's metadata; later copies and invented
    ids become plain cells (``structure_flags`` has already reported them).
    """
    given = {_nbgrader(c)["grade_id"]: c for c in release.cells if _nbgrader(c).get("grade_id")}
    seen = set()
    for cell in nb.cells:
        grade_id = _nbgrader(cell).get("grade_id")
        if "nbgrader" not in cell.get("metadata", {}):
            continue
        if grade_id in given and grade_id not in seen:
            seen.add(grade_id)
            cell.metadata["nbgrader"] = copy.deepcopy(given[grade_id].metadata["nbgrader"])
            cell.cell_type = given[grade_id].cell_type
        else:
            del cell.metadata["nbgrader"]


def protected_names(release):
    """``{name: (module, attribute or None)}`` bound by the imports of the locked cells."""
    names = {}
    for cell in release.cells:
        if cell.cell_type != "code" or not _nbgrader(cell).get("locked"):
            continue
        try:
            tree = ast.parse(cell.source)
        except SyntaxError:
            continue
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                for alias in node.names:
                    if alias.asname:
                        names[alias.asname] = (alias.name, None)
                    else:
                        top = alias.name.split(".")[0]
                        names[top] = (top, None)
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                for alias in node.names:
                    if alias.name != "*":
                        names[alias.asname or alias.name] = (node.module, alias.name)
    return names


def _root(node):
    while isinstance(node, ast.Attribute | ast.Subscript):
        node = node.value
    return node.id if isinstance(node, ast.Name) else None


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
        meta = _nbgrader(cell)
        if cell.cell_type != "code" or meta.get("locked") or _is_test(meta):
            continue
        try:
            tree = ast.parse(cell.source)
        except SyntaxError:
            continue
        where = meta.get("grade_id", "an unmarked cell")
        for node in ast.walk(tree):
            for message in _suspicious(node, modules, protected):
                flags.append(f"{message} (in {where})")
    return list(dict.fromkeys(flags))


def _suspicious(node, modules, protected):
    if isinstance(node, ast.Assign | ast.AugAssign | ast.AnnAssign | ast.Delete):
        targets = node.targets if isinstance(node, ast.Assign | ast.Delete) else [node.target]
        for target in targets:
            for part in ast.walk(target):
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
        if name in HOOKS and (name not in ("register", "patch") or _root(func) is not None):
            if name in ("setattr", "delattr") and not (
                    node.args and _root(node.args[0]) in modules):
                return
            if name == "register" and "events" not in _dotted(func):
                return
            yield f"calls {_dotted(func)}"


PROBE_TEMPLATE = '''\
def _workbook_probe(expected):
    """Grader's check (not part of the assignment): are the tests' tools intact?"""
    import builtins, importlib, math, types
    import numpy
    found = []

    def accepts(check):
        try:
            check()
        except Exception:
            return False
        return True

    wrong = [
        ("numpy.allclose", lambda: numpy.allclose(0.0, 1.0) or 1 / 0),
        ("numpy.isclose", lambda: numpy.isclose(0.0, 1.0) or 1 / 0),
        ("numpy.array_equal", lambda: numpy.array_equal([0.0], [1.0]) or 1 / 0),
        ("math.isclose", lambda: math.isclose(0.0, 1.0) or 1 / 0),
        ("numpy.testing.assert_allclose", lambda: numpy.testing.assert_allclose(0.0, 1.0)),
        ("numpy.testing.assert_array_equal", lambda: numpy.testing.assert_array_equal(0.0, 1.0)),
        ("numpy.testing.assert_almost_equal", lambda: numpy.testing.assert_almost_equal(0.0, 1.0)),
        ("numpy.testing.assert_array_almost_equal",
         lambda: numpy.testing.assert_array_almost_equal(0.0, 1.0)),
    ]
    try:
        from workbook import checks
        wrong += [
            ("workbook.checks.check_close", lambda: checks.check_close(0.0, 1.0, "probe")),
            ("workbook.checks.check_number", lambda: checks.check_number("x", "probe")),
            ("workbook.checks.check_array", lambda: checks.check_array("x", "probe")),
            ("workbook.checks.check_that", lambda: checks.check_that(False, "probe")),
        ]
    except ImportError:
        pass
    for name, check in wrong:
        if accepts(check):
            found.append(f"{name} accepts a wrong value")
    for module_name in ("numpy", "numpy.testing", "math", "builtins", "workbook.checks"):
        module = importlib.import_module(module_name)
        for attr, value in vars(module).items():
            if isinstance(value, types.FunctionType) and value.__module__ == "__main__":
                found.append(f"{module_name}.{attr} was replaced by the notebook's code")
    for name, (module_name, attr) in expected.items():
        obj = importlib.import_module(module_name)
        obj = getattr(obj, attr) if attr else obj
        if globals().get(name, obj) is not obj:
            found.append(f"'{name}' no longer is the {module_name} object the tests use")
    shell = get_ipython()
    if shell.custom_exceptions:
        found.append("a custom exception handler (set_custom_exc) can hide failures")
    for attr in ("showtraceback", "_showtraceback", "run_cell", "run_cell_async", "run_code"):
        method = getattr(shell, attr, None)
        module = getattr(getattr(method, "__func__", method), "__module__", None) or ""
        if not module.startswith(("IPython.", "ipykernel.")):
            found.append(f"the shell's {attr} was replaced")
    return found


try:
    print("MARK", repr(_workbook_probe(EXPECTED)))
finally:
    del _workbook_probe
'''


def add_probes(nb, protected):
    """Insert a probe cell after every test cell of ``nb`` (in place)."""
    source = PROBE_TEMPLATE.replace("EXPECTED", repr(protected))
    source = source.replace("MARK", PROBE_MARK)
    cells = []
    for cell in nb.cells:
        cells.append(cell)
        if cell.cell_type == "code" and _is_test(_nbgrader(cell)):
            probe = new_code_cell(source)
            probe.metadata["workbook_probe"] = True
            cells.append(probe)
    nb.cells = cells


def take_probes(nb):
    """Remove the probe cells from an executed ``nb``; return what they found."""
    found = []
    kept = []
    for cell in nb.cells:
        if not cell.get("metadata", {}).get("workbook_probe"):
            kept.append(cell)
            continue
        outputs = cell.get("outputs", [])
        if any(o.get("ename") in ("NotRun", "DeadKernelError") for o in outputs):
            continue
        text = "".join(o.get("text", "") for o in outputs if o.get("output_type") == "stream")
        report = text.partition(PROBE_MARK + " ")[2].strip()
        try:
            found += ast.literal_eval(report)
        except (ValueError, SyntaxError):
            found.append("a grader probe could not report: output or errors are tampered with")
    nb.cells = kept
    return list(dict.fromkeys(found))
