"""Does anything of the reference still run in the student's kernel? A proof per notebook.

``workbook grade`` drops, from every test cell, the expected values of the hidden checks and the
statements of the reference regions (:mod:`instructor.grading.rewrite`). What is left of a
hidden region runs in the student's kernel, so it must only build the test's inputs and call
the student's code. :func:`kernel_leaks` proves it for a source notebook, or says where it fails:

- a statement left in the kernel that nothing left in the kernel needs (its value feeds only
  an expected value, or nothing): it belongs in a reference region;
- a name bound in a reference region that code left in the kernel reads, or binds too (it would
  be undefined when graded, or shadow the reference);
- a reference region that is not inside the hidden tests, or cuts a statement.

"Needs" is followed through names, at module level, over the whole notebook: a statement is
needed when it makes a check's value (a hand-out), has an effect without binding a name
(``net.train(...)``), or binds a name that a needed statement or any visible code reads.
"""

import ast
from dataclasses import dataclass

from instructor.authoring.names import reads, stores
from instructor.grading.rewrite import CHECKS, RewriteError, rewrite
from instructor.vocabulary import (
    BEGIN_SOLUTION,
    END_SOLUTION,
    grade_id,
    hidden_line_numbers,
    is_solution,
    is_test,
    line_numbers_between,
    reference_line_numbers,
)

__all__ = ["Leak", "kernel_leaks", "reference_names"]


@dataclass(frozen=True)
class Leak:
    """One place where the reference would reach the kernel."""

    cell: str
    line: int
    why: str

    def __str__(self):
        return f"{self.cell}, line {self.line}: {self.why}"


@dataclass
class _Unit:
    """A binding (or an effect) at module level: what it binds and reads, where it is."""

    cell: str
    line: int
    binds: set
    reads: set
    hidden: bool           # in a hidden region, left in the kernel
    needed: bool           # a check's value, an effect, or visible code


def _without_expected(statement):
    """A copy of ``statement`` whose hidden ``check_close`` calls lost their expected value
    (the grading run drops it), and whether it holds a check."""
    copy = ast.parse(ast.unparse(statement)).body[0] if statement is not None else None
    found = False
    for node in ast.walk(copy):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) \
                and node.func.id in CHECKS:
            found = True
            if node.func.id == "check_close":
                node.args = node.args[:1] + [ast.Constant(None)] + node.args[2:]
                node.keywords = [k for k in node.keywords if k.arg != "expected"]
    return copy, found


class _Walk:
    """The units of one cell, and the names its reference regions bind."""

    def __init__(self, cell, source):
        self.cell = cell
        self.hidden = hidden_line_numbers(source)
        self.reference = reference_line_numbers(source)
        self.answer = line_numbers_between(source, BEGIN_SOLUTION, END_SOLUTION)
        self.units, self.reference_binds, self.leaks = [], {}, []

    def _lines(self, node):
        return set(range(node.lineno, (node.end_lineno or node.lineno) + 1))

    def _unit(self, node, binds, read, line):
        hidden = line in self.hidden
        self.units.append(_Unit(self.cell, line, binds, read, hidden,
                                needed=not hidden or not binds))

    def block(self, statements):
        for statement in statements:
            lines = self._lines(statement)
            if lines & self.answer:
                continue                      # the student's code
            if lines <= self.reference:
                for name in stores(statement):
                    self.reference_binds.setdefault(name, statement.lineno)
                continue
            self.statement(statement)

    def statement(self, node):
        line = node.lineno
        if isinstance(node, ast.For | ast.AsyncFor):
            self._unit(node, stores(node.target), reads(node.iter), line)
            self.block(node.body)
            self.block(node.orelse)
        elif isinstance(node, ast.While | ast.If):
            self._unit(node, set(), reads(node.test), line)
            self.block(node.body)
            self.block(node.orelse)
        elif isinstance(node, ast.With | ast.AsyncWith):
            for item in node.items:
                binds = stores(item.optional_vars) if item.optional_vars is not None else set()
                self._unit(node, binds, reads(item.context_expr), line)
            self.block(node.body)
        elif isinstance(node, ast.Try):
            for block in (node.body, *[h.body for h in node.handlers], node.orelse,
                          node.finalbody):
                self.block(block)
        else:
            kept, has_check = _without_expected(node)
            self._unit(node, stores(node), reads(kept), line)
            if has_check:
                self.units[-1].needed = True


def reference_names(nb):
    """``{name: (cell, line)}``: the names the notebook's reference regions bind."""
    found = {}
    for cell in nb.cells:
        walk = _cell_walk(cell)
        if walk is not None:
            found.update({name: (walk.cell, line) for name, line in walk.reference_binds.items()
                          if name not in found})
    return found


def _cell_walk(cell):
    if cell.cell_type != "code":
        return None
    try:
        tree = ast.parse(cell.source)
    except SyntaxError:      # IPython magics: nothing of the course's tests
        return None
    walk = _Walk(grade_id(cell) or "a given cell", cell.source)
    if not is_solution(cell):
        walk.answer = set()
    walk.block(tree.body)
    return walk


def kernel_leaks(nb):
    """Every place in ``nb`` (a source notebook) where the reference would run in the kernel."""
    leaks, units, reference = [], [], {}
    for cell in nb.cells:
        if is_test(cell):
            try:
                rewrite(cell.source)
            except RewriteError as error:
                leaks.append(Leak(grade_id(cell), error.lineno or 0, error.msg))
                continue
        walk = _cell_walk(cell)
        if walk is None:
            continue
        units += walk.units
        for name, line in walk.reference_binds.items():
            reference.setdefault(name, (walk.cell, line))
    needed = set().union(*(u.reads for u in units if u.needed))
    changed = True
    while changed:            # a statement is needed if it binds what a needed one reads
        changed = False
        for unit in units:
            if not unit.needed and unit.binds & needed:
                unit.needed, changed = True, True
                needed |= unit.reads
    for unit in units:
        if unit.hidden and not unit.needed:
            names = ", ".join(sorted(unit.binds))
            leaks.append(Leak(unit.cell, unit.line, f"{names} runs in the student's kernel but "
                              "only an expected value (or nothing) needs it: put it in a "
                              "reference region"))
        for name in sorted(unit.reads & set(reference)):
            leaks.append(Leak(unit.cell, unit.line, f"reads {name}, which a reference region "
                              f"binds ({reference[name][0]}, line {reference[name][1]}): the "
                              "graded kernel never has it"))
        for name in sorted(unit.binds & set(reference)):
            leaks.append(Leak(unit.cell, unit.line, f"binds {name} outside a reference region, "
                              "as a reference region does: give them different names"))
    return leaks
