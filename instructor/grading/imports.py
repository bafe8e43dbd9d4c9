"""What a notebook's locked cells import: the names its tests rely on, and the modules a kernel
factory imports ahead of the students' kernels.

Only the standard library and the vocabulary: ``workbook grade`` reads this from the release
notebook as plain JSON to start its kernel factories before it has imported nbgrader
(:mod:`instructor.grading.warmup`). Cells may be ``NotebookNode`` objects or parsed JSON.
"""

import ast

from instructor.vocabulary import is_locked

__all__ = ["preloaded_modules", "protected_names"]


def _source(cell):
    source = cell.get("source", "")
    return "".join(source) if isinstance(source, list) else source


def protected_names(nb):
    """``{name: (module, attribute or None)}`` bound by the imports of the locked cells."""
    names = {}
    for cell in nb.get("cells", []):
        if cell.get("cell_type") != "code" or not is_locked(cell):
            continue
        try:
            tree = ast.parse(_source(cell))
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


# Imported on first use rather than with their module: torch.optim's first step imports
# torch._dynamo, 0.9 s of every kernel, measured. Loaded ahead for notebooks that use it.
FIRST_USE = {"torch._dynamo": "optim."}


def preloaded_modules(nb):
    """The modules of :func:`protected_names`, and those of :data:`FIRST_USE` whose use the
    notebook's code shows, sorted: what a kernel factory imports ahead."""
    found = protected_names(nb).values() if nb else []
    modules = {module for module, _ in found if not module.startswith("__")}
    code = "\n".join(_source(c) for c in (nb or {}).get("cells", [])
                     if c.get("cell_type") == "code")
    modules |= {module for module, used in FIRST_USE.items()
                if module.split(".")[0] in modules and used in code}
    return tuple(sorted(modules))
