"""Do a notebook's hidden tests expect values that depend on the student's own answers?

``check_close(actual, expected, name)`` in a hidden region is graded two ways: stock nbgrader
computes ``expected`` in the student's kernel, ``workbook grade`` takes it from the answer key,
made from the instructor's solution (:mod:`instructor.grading.decide`). The two agree on every
submission only when ``expected`` is computed from the test's own data and reference code, never
from anything a student wrote: a test that expects ``relu(z)`` of the student's ``relu`` passes
a wrong but self-consistent answer under stock nbgrader and fails it under the key.

:func:`dependent_expectations` finds such checks by following names through the notebook's
code cells in order: a name is the student's if an answer binds it (a statement with lines
between the solution markers), or if a statement
binds it from something that reads a name that is the student's (through loops, branches,
functions and classes that use it, and methods called on an object with the student's data).
"""

import ast
from dataclasses import dataclass

from instructor.authoring.names import module_level, reads, stores
from instructor.vocabulary import (
    BEGIN_SOLUTION,
    END_SOLUTION,
    grade_id,
    hidden_line_numbers,
    is_solution,
    line_numbers_between,
)

__all__ = ["Dependence", "dependent_expectations"]


@dataclass(frozen=True)
class Dependence:
    """A hidden ``check_close`` whose expected value reads the student's names."""

    cell: str           # grade_id of the test cell
    line: int           # in the cell
    expected: str       # the expected expression, as written
    names: tuple        # the student's names it reads

    def __str__(self):
        return (f"{self.cell}, line {self.line}: expected `{self.expected}` reads "
                f"{', '.join(self.names)}, which come from the student's answers")


def _base(target):
    while isinstance(target, ast.Attribute | ast.Subscript):
        target = target.value
    return target.id if isinstance(target, ast.Name) else None


def _mutated(statement, calls=True):
    """Objects a statement changes in place: ``x`` in ``x[0] = ...`` or ``X.forward = ...``,
    and with ``calls``, ``x`` in ``x.append(...)``."""
    names = set()
    for part in module_level(statement):
        if isinstance(part, ast.Attribute | ast.Subscript) and isinstance(part.ctx, ast.Store):
            names.add(_base(part.value))
        elif calls and isinstance(part, ast.Call) and isinstance(part.func, ast.Attribute):
            names.add(_base(part.func.value))
    return names - {None}


class _Flow:
    """The student's names, followed statement by statement; the dependent checks found."""

    def __init__(self):
        self.student, self.modules = set(), set()
        self.found = {}        # {line: (expected node, the student's names it reads)}

    def answer(self, tree):
        """An answer cell: what it binds or sets (``NN.forward_pass = ...``) is the student's.

        Its method calls on the course's data (``X.mean()``) are taken to change nothing."""
        self.student |= stores(tree) | (_mutated(tree, calls=False) - self.modules)

    def _bind(self, names, dirty):
        """``names`` now hold the student's data (``dirty``) or only the course's."""
        self.student = self.student | names if dirty else self.student - names

    def run(self, statements, hidden):
        for statement in statements:
            if isinstance(statement, ast.For | ast.AsyncFor | ast.While):
                looping = isinstance(statement, ast.For | ast.AsyncFor)
                head = statement.iter if looping else statement.test
                for _ in range(2):   # what one pass makes the student's, the next pass reads
                    if looping:
                        self._bind(stores(statement.target), bool(reads(head) & self.student))
                    self.run(statement.body, hidden)
                self.run(statement.orelse, hidden)
            elif isinstance(statement, ast.If):
                self.run(statement.body, hidden)
                self.run(statement.orelse, hidden)
            elif isinstance(statement, ast.With | ast.AsyncWith):
                for item in statement.items:
                    if item.optional_vars is not None:
                        self._bind(stores(item.optional_vars),
                                   bool(reads(item.context_expr) & self.student))
                self.run(statement.body, hidden)
            elif isinstance(statement, ast.Try):
                for block in (statement.body, *[h.body for h in statement.handlers],
                              statement.orelse, statement.finalbody):
                    self.run(block, hidden)
            elif isinstance(statement, ast.Import | ast.ImportFrom):
                self.modules |= stores(statement)
                self._bind(stores(statement), False)
            else:
                self._check(statement, hidden)
                dirty = bool(reads(statement) & self.student)
                self._bind(stores(statement), dirty)
                if dirty:   # a call on a module (``plt.plot(answer)``) changes no test data
                    self.student |= _mutated(statement) - self.modules

    def _check(self, statement, hidden):
        for line, expected in _expected_values(statement, hidden):
            names = reads(expected) & self.student
            if names:
                self.found[line] = (expected, names)
            else:
                self.found.pop(line, None)   # a loop's first pass only


def _expected_values(tree, hidden):
    """``(line, expected node)`` of every hidden ``check_close`` call."""
    for node in ast.walk(tree):
        if (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
                and node.func.id == "check_close" and node.lineno in hidden):
            expected = node.args[1] if len(node.args) > 1 else next(
                (k.value for k in node.keywords if k.arg == "expected"), None)
            if expected is not None:
                yield node.lineno, expected


def dependent_expectations(nb):
    """Every hidden ``check_close`` of ``nb`` (a source notebook) whose expected value reads a
    name that comes from the student's answers, in cell order."""
    flow, found = _Flow(), []
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        try:
            tree = ast.parse(cell.source)
        except SyntaxError:      # IPython magics: nothing of the course's tests
            continue
        flow.found = {}
        hidden = hidden_line_numbers(cell.source)
        answers = (line_numbers_between(cell.source, BEGIN_SOLUTION, END_SOLUTION)
                   if is_solution(cell) else set())
        for statement in tree.body:
            if answers & set(range(statement.lineno, statement.end_lineno + 1)):
                flow.answer(statement)
            else:     # given code, in an answer cell or not
                flow.run([statement], hidden)
        found += [Dependence(grade_id(cell) or "?", line, ast.unparse(expected),
                             tuple(sorted(names)))
                  for line, (expected, names) in sorted(flow.found.items())]
    return found
