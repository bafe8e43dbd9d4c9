"""Test cells rewritten so that their hidden checks hand values out instead of deciding.

A hidden test is written as nbgrader expects (``check_close(actual, expected, name)`` and
friends between ``### BEGIN HIDDEN TESTS`` and ``### END HIDDEN TESTS``), so stock nbgrader
grades it in the kernel as ever. :func:`rewrite` turns every check call of a hidden region into
a hand-out (:mod:`workbook.handout`):

- for grading, ``check_close(actual, expected, name)`` becomes ``give(k, actual)``: the kernel
  computes the student's result on the test's inputs and hands it out as plain data. The
  expected value is dropped, and so is every statement of a *reference region*
  (``### BEGIN REFERENCE`` ... ``### END REFERENCE``, at any depth, loops included): the
  reference implementations and expected values never run in the student's kernel;
- for the answer key, the instructor's source runs with ``give(k, expected, tolerances)`` and
  its reference regions in place (:mod:`instructor.grading.keys`).

The rewritten calls look nothing up in the student's namespace: they reach the hand-out through
:data:`workbook.handout.ACCESS`, an expression of literals and attributes only, so a student
who defines ``__import__``, ``bool`` or ``give`` changes nothing. A graded test cell runs
through to its end (:func:`_run_through`): a failing visible check still fails the cell, but
the hidden checks after it hand out their values all the same. Which names a hidden region
may leave in the kernel is proved per notebook by :mod:`instructor.authoring.reference_split`.
"""

import ast
from dataclasses import dataclass, field
from functools import cache

from instructor.vocabulary import ORIGINAL, hidden_line_numbers, is_test, reference_line_numbers
from workbook.handout import ACCESS

__all__ = ["CHECKS", "TOLERANCES", "RewriteError", "Site", "hand_out_tests",
           "rewrite", "sites_of"]

# The checks a hidden region may call, with the positions of their arguments.
CHECKS = {
    "check_close": ("value", "expected", "name", "rtol", "atol"),
    "check_array": ("value", "name", "shape"),
    "check_number": ("value", "name"),
    "check_that": ("value", "name"),
}
TOLERANCES = ("rtol", "atol")


class RewriteError(SyntaxError):
    """A test cell the grader cannot rewrite (a check without its values, a reference region
    that cuts a statement or holds a check); the message says where."""


@dataclass(frozen=True)
class Site:
    """One check call of a test cell's hidden region."""

    index: int
    check: str                      # one of CHECKS
    name: str | None                # the literal label, or None when the kernel hands it out
    options: dict = field(default_factory=dict)   # a literal shape (check_array)


_HANDOUT = ast.parse(ACCESS, mode="eval").body


def _give(index, value, name=None, options=None):
    """The AST of ``<ACCESS>.give(index, value, name[, options])``."""
    args = [ast.Constant(index), value, name or ast.Constant(None)]
    if options:
        args.append(ast.Dict([ast.Constant(k) for k in options], list(options.values())))
    return ast.Call(ast.Attribute(_HANDOUT, "give", ast.Load()), args, [])


def _as_float_array(node):
    numpy = ast.Call(ast.Name("__import__", ast.Load()), [ast.Constant("numpy")], [])
    return ast.Call(ast.Attribute(numpy, "asarray", ast.Load()), [node],
                    [ast.keyword("dtype", ast.Name("float", ast.Load()))])


class _Rewrite(ast.NodeTransformer):
    def __init__(self, hidden, reference, key):
        self.hidden, self.reference, self.key, self.sites = hidden, reference, key, []

    def _arguments(self, node, check):
        names = CHECKS[check]
        found = dict(zip(names, node.args, strict=False))
        found.update({k.arg: k.value for k in node.keywords if k.arg in names})
        if "value" not in found or (check == "check_close" and "expected" not in found):
            raise RewriteError(f"line {node.lineno}: {check} without the values it compares")
        return found

    def visit_Call(self, node):
        self.generic_visit(node)
        check = node.func.id if isinstance(node.func, ast.Name) else None
        if check not in CHECKS or node.lineno not in self.hidden:
            return node
        if node.lineno in self.reference:
            raise RewriteError(f"line {node.lineno}: {check} inside a reference region (the "
                               "grading run drops it, so it would decide nothing)")
        found = self._arguments(node, check)
        options = {}
        if "shape" in found:
            try:
                options["shape"] = ast.literal_eval(found["shape"])
            except ValueError:   # a shape the kernel computes: checked there only
                pass
        name_node = found.get("name")
        literal = isinstance(name_node, ast.Constant) and isinstance(name_node.value, str)
        site = Site(len(self.sites), check, name_node.value if literal else None, options)
        self.sites.append(site)
        if self.key:   # the instructor's run: evaluate the value as the test does, keep expected
            value = found["value"]
            if check == "check_close":
                value = ast.Subscript(ast.Tuple([value, _as_float_array(found["expected"])],
                                                ast.Load()), ast.Constant(1), ast.Load())
            tolerances = {k: found[k] for k in TOLERANCES if k in found}
            return _give(site.index, value, options=tolerances)
        if check == "check_that":   # ``not not``: no lookup of ``bool``
            found["value"] = ast.UnaryOp(ast.Not(), ast.UnaryOp(ast.Not(), found["value"]))
        return _give(site.index, found["value"], None if literal or name_node is None
                     else name_node)

    def visit_Assert(self, node):
        if node.lineno not in self.hidden:
            return node
        call = ast.Call(ast.Name("check_that", ast.Load()),
                        [node.test, node.msg or ast.Constant("an assertion failed")], [])
        return ast.Expr(self.visit_Call(ast.copy_location(call, node)))


class _DropReference(ast.NodeTransformer):
    """Remove every statement inside a reference region, at any depth (``pass`` where a
    block would be left empty)."""

    def __init__(self, reference):
        self.reference = reference

    def _inside(self, statement):
        lines = set(range(statement.lineno, (statement.end_lineno or statement.lineno) + 1))
        if lines <= self.reference:
            return True
        if lines & self.reference and not isinstance(statement, _BLOCKS):
            raise RewriteError(f"line {statement.lineno}: a reference region must hold whole "
                               "statements")
        return False

    def generic_visit(self, node):
        for name, value in ast.iter_fields(node):
            if isinstance(value, list) and value and isinstance(value[0], ast.stmt):
                kept = [self.visit(s) for s in value if not self._inside(s)]
                setattr(node, name, kept or [ast.Pass()])
            elif isinstance(value, list):
                for item in value:
                    if isinstance(item, ast.AST):
                        self.visit(item)
            elif isinstance(value, ast.AST):
                self.visit(value)
        return node


# Statements with blocks of their own: a reference region may sit inside one.
_BLOCKS = (ast.For, ast.AsyncFor, ast.While, ast.If, ast.With, ast.AsyncWith, ast.Try,
           ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Match)


def rewrite(source, *, key=False):
    """``(new source, sites)``: the test cell with its hidden checks handed out.

    ``key=True`` hands out each ``check_close``'s expected value and keeps the reference
    regions (the instructor's run). A cell without hidden checks comes back unchanged, with
    no sites. Raises :class:`RewriteError` for a cell that breaks the rules above.
    """
    hidden = hidden_line_numbers(source)
    if not hidden:
        return source, []
    reference = reference_line_numbers(source)
    if reference - hidden:
        raise RewriteError(f"line {min(reference - hidden)}: a reference region outside the "
                           "hidden tests (it would be released to students)")
    tree = ast.parse(source)
    rewriter = _Rewrite(hidden, reference, key)
    tree = rewriter.visit(tree)
    if not rewriter.sites:
        return source, []
    if not key:
        tree = _DropReference(reference).visit(tree)
        tree.body = _run_through(tree.body)
    return ast.unparse(ast.fix_missing_locations(tree)) + "\n", rewriter.sites


HELD = "_workbook_error"


def _run_through(statements):
    """Each statement in ``try``, its error held, and the first error raised at the end: the
    cell fails as it would have, but every hidden check after a failing statement (a visible
    check, most often) still hands out its value, for the grader to judge and name."""
    handout = ast.parse(ACCESS, mode="eval").body
    wrapped = []
    for statement in statements:
        hold = ast.Expr(ast.Call(ast.Attribute(handout, "hold", ast.Load()),
                                 [ast.Name(HELD, ast.Load())], []))
        wrapped.append(ast.Try(body=[statement], handlers=[ast.ExceptHandler(
            type=ast.Attribute(handout, "catch", ast.Load()), name=HELD, body=[hold])],
            orelse=[], finalbody=[]))
    release = ast.Expr(ast.Call(ast.Attribute(handout, "release", ast.Load()), [], []))
    return [*wrapped, release]


@cache
def _rewritten(source):
    """:func:`rewrite` for grading, cached: the same cells recur for every student."""
    return rewrite(source)


def sites_of(source):
    """The sites of a test cell's source."""
    return _rewritten(source)[1]


def hand_out_tests(nb):
    """Rewrite every test cell of a sanitized notebook to hand out its hidden checks (in place).

    The cell's own source is kept in its metadata, which never reaches the kernel (only cell
    sources are sent to it), and is put back when the hidden tests are decided.
    """
    for cell in nb.cells:
        if is_test(cell):
            rewritten, sites = _rewritten(cell.source)
            if sites:
                cell.metadata[ORIGINAL] = cell.source
                cell.source = rewritten
