"""Where a student stands: every visible check of a notebook, run again, one line each.

The last cell of every notebook calls :func:`summarise` with the notebook's own file name. It
reads the saved notebook beside the kernel, runs the code of each test cell (the checks a
student sees) in the notebook's namespace, and prints the total with the first thing to fix,
then one line per check, then what the checks cannot decide: the points of the test cells whose
values no check compares with the right ones (through a fingerprint, ``known.confirm``), which
only the graded run decides, and the written answers, which a person grades. Nothing is
printed that the checks themselves would not say: no expected value, and none of the
tracebacks that Validate shows.
"""

import contextlib
import io
import json
import sys
from pathlib import Path

__all__ = ["problem_line", "raised_in", "summarise", "undecided", "written"]

CONFIRMED = "known.confirm("   # a check that compares a value with the right one's fingerprint


def _test_cells(notebook):
    """(grade id, source, points) of each autograded test cell, in order.

    The same test as ``instructor.vocabulary.is_test``, which student kernels cannot import.
    """
    cells = []
    for cell in notebook.get("cells", []):
        meta = cell.get("metadata", {}).get("nbgrader", {})
        if cell.get("cell_type") == "code" and meta.get("grade") and not meta.get("solution"):
            source = "".join(cell.get("source", ""))
            cells.append((meta.get("grade_id", "?"), source, float(meta.get("points") or 0)))
    return cells


def _written_cells(notebook):
    """(grade id, points) of each written answer: a markdown cell a person grades."""
    found = []
    for cell in notebook.get("cells", []):
        meta = cell.get("metadata", {}).get("nbgrader", {})
        if cell.get("cell_type") == "markdown" and meta.get("grade"):
            found.append((meta.get("grade_id", "?"), float(meta.get("points") or 0)))
    return found


def written(cells):
    """The sentence on the written answers (``[(grade id, points)]``), or "" if there are none."""
    if not cells:
        return ""
    listed = ", ".join(f"{grade_id} ({_points(points)})" for grade_id, points in cells)
    return (f" Your written answers, {listed}, are graded by your instructor, not by any "
            "check.")


def _library(filename):
    """Is ``filename`` the code of Python, an installed package or this package (not yours)?"""
    return filename.startswith((sys.prefix, sys.base_prefix, str(Path(__file__).parent)))


def raised_in(error, checks=("<check>",)):
    """The name of your function an exception came from: the innermost frame of its traceback
    that is neither a library's nor the checks' own code (the files in ``checks``; None if it
    came from neither)."""
    found, trace = None, error.__traceback__
    while trace is not None:
        code = trace.tb_frame.f_code
        if code.co_filename not in checks and not _library(code.co_filename) \
                and code.co_name != "<module>":
            found = code.co_name
        trace = trace.tb_next
    return found


def problem_line(error, checks=("<check>",)):
    """The one line the summary shows for an exception a test cell raised."""
    if isinstance(error, AssertionError):
        line = str(error).strip() or "a check failed"
    elif isinstance(error, NotImplementedError):
        line = "not answered yet"
    elif isinstance(error, NameError) and not isinstance(error, UnboundLocalError) \
            and getattr(error, "name", None):
        line = f"`{error.name}` is not defined yet: answer and run the cell that defines it"
    else:
        line = f"{type(error).__name__}: {error}".rstrip(": ")
        where = raised_in(error, checks)
        if where:
            line += f" (raised in your `{where}`)"
    return " ".join(line.split())


def _outcome(source, namespace):
    """None if the cell's checks pass, else one line saying what is wrong."""
    try:
        with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
            exec(compile(source, "<check>", "exec"), namespace)  # noqa: S102 (the notebook's own checks)
    except Exception as error:  # noqa: BLE001  (any error in a check is what to fix)
        return problem_line(error)
    return None


def _points(value):
    return f"{value:g}"


def undecided(cells):
    """What only the graded run decides, in one line: the test cells whose values no visible
    check compares with the right ones (no ``known.confirm``), with their points."""
    total = sum(points for _, _, points in cells)
    open_cells = [(grade_id, points) for grade_id, source, points in cells
                  if CONFIRMED not in source and points]
    if not open_cells:
        return ("Not decided here: how your code does on new inputs, which the graded run tries "
                "in every cell; the values of every cell are compared with the right ones above.")
    left = sum(points for _, points in open_cells)
    listed = ", ".join(f"{grade_id} ({_points(points)})" for grade_id, points in open_cells)
    return (f"Not decided here: {listed}, {_points(left)} of the {_points(total)} points, whose "
            "values no check above compares with the right ones; the graded run decides them, "
            "and tries every cell on new inputs too.")


def summarise(notebook, namespace=None):
    """Run every visible check of ``notebook`` (a file beside the kernel) and print the result.

    ``namespace`` is where the checks run: by default the namespace of the notebook that calls
    this, so the checks see the student's answers as they are now.
    """
    path = Path(notebook)
    if not path.is_file():
        print(f"Save the notebook (Ctrl+S) and run this cell again: {notebook} is not in "
              f"{Path.cwd()}.")
        return
    if namespace is None:
        from IPython import get_ipython

        shell = get_ipython()
        namespace = shell.user_ns if shell is not None else {}
    cells = _test_cells(json.loads(path.read_text(encoding="utf-8")))
    lines, problems = [], []
    for grade_id, source, _ in cells:
        problem = _outcome(source, namespace)
        if problem is None:
            lines.append(f"  ✓ {grade_id}")
        else:
            lines.append(f"  ✗ {grade_id}: {problem}")
            problems.append(f"{grade_id}: {problem}")
    total = f"{len(cells) - len(problems)} of {len(cells)} checks pass"
    if problems:
        print(f"{total}; first to fix: {problems[0]}")
    else:
        print(f"{total}.")
    print("\n".join(lines))
    print(undecided(cells) + written(_written_cells(json.loads(path.read_text(
        encoding="utf-8")))))
