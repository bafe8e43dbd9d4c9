"""The grader's probe: code that runs *inside* a student's kernel, after every test cell.

It is not imported there: :func:`instructor.grading.integrity.add_probes` inserts this file's
text, followed by one call of :func:`_workbook_probe`, as a cell after each test cell (one
``exec`` of that text, in a namespace of its own), and
:func:`instructor.grading.integrity.take_probes` reads the printed report. It is a real file so
that linters and readers see it; it uses only the standard library, numpy and IPython, and
``workbook.checks`` if the kernel can import it.
"""

def _workbook_probe(expected, namespace):
    """Grader's check (not part of the assignment): are the tests' tools intact, and do the
    ``expected`` names of ``namespace`` (the student's) still hold them?"""
    import importlib
    import math
    import types

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
        if namespace.get(name, obj) is not obj:
            found.append(f"'{name}' no longer is the {module_name} object the tests use")
    from IPython import get_ipython

    shell = get_ipython()
    if shell.custom_exceptions:
        found.append("a custom exception handler (set_custom_exc) can hide failures")
    for attr in ("showtraceback", "_showtraceback", "run_cell", "run_cell_async", "run_code"):
        method = getattr(shell, attr, None)
        module = getattr(getattr(method, "__func__", method), "__module__", None) or ""
        if not module.startswith(("IPython.", "ipykernel.")):
            found.append(f"the shell's {attr} was replaced")
    return found
