"""Where a student stands: every visible check of a notebook, run again, one line each.

The last cell of every notebook calls :func:`summarise` with the notebook's own file name. It
reads the saved notebook beside the kernel, runs the code of each test cell (the checks a
student sees) in the notebook's namespace, and prints the total with the first thing to fix,
then one line per check. Nothing is printed that the checks themselves would not say: no expected
value, and none of the tracebacks that Validate shows.
"""

import contextlib
import io
import json
from pathlib import Path

__all__ = ["summarise"]


def _test_cells(notebook):
    """(grade id, source) of each autograded test cell, in order.

    The same test as ``instructor.vocabulary.is_test``, which student kernels cannot import.
    """
    cells = []
    for cell in notebook.get("cells", []):
        meta = cell.get("metadata", {}).get("nbgrader", {})
        if cell.get("cell_type") == "code" and meta.get("grade") and not meta.get("solution"):
            source = "".join(cell.get("source", ""))
            cells.append((meta.get("grade_id", "?"), source))
    return cells


def _outcome(source, namespace):
    """None if the cell's checks pass, else one line saying what is wrong."""
    try:
        with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
            exec(compile(source, "<check>", "exec"), namespace)  # noqa: S102 (the notebook's own checks)
    except AssertionError as error:
        return str(error).strip() or "a check failed"
    except NotImplementedError:
        return "not answered yet"
    except NameError as error:
        return f"`{error.name}` is not defined yet: answer and run the cell that defines it"
    except Exception as error:  # noqa: BLE001  (any error in a check is what to fix)
        return f"{type(error).__name__}: {error}".rstrip(": ")
    return None


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
    for grade_id, source in cells:
        problem = _outcome(source, namespace)
        if problem is None:
            lines.append(f"  ✓ {grade_id}")
        else:
            problem = " ".join(problem.split())
            lines.append(f"  ✗ {grade_id}: {problem}")
            problems.append(f"{grade_id}: {problem}")
    total = f"{len(cells) - len(problems)} of {len(cells)} checks pass"
    if problems:
        print(f"{total}; first to fix: {problems[0]}")
    else:
        print(f"{total}. The hidden tests decide the grade; they check values these do not.")
    print("\n".join(lines))
