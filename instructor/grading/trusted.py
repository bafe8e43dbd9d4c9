"""Hidden tests decided outside the student's interpreter.

A hidden test is written as nbgrader expects (``check_close(actual, expected, name)`` and
friends between ``### BEGIN HIDDEN TESTS`` and ``### END HIDDEN TESTS``), so stock nbgrader
grades it in the kernel as ever. ``workbook grade`` instead rewrites every check call of a
hidden region (:func:`rewrite`):

- for grading, ``check_close(actual, expected, name)`` becomes ``give(k, actual)``: the kernel
  computes the student's result on the test's inputs and hands it out as plain data
  (:mod:`workbook.handout`); the expected value, and every statement only it needed (reference
  implementations, the data they read), are dropped, so they never enter the kernel;
- for the key, the instructor's own source notebook runs with ``give(k, expected, tolerances)``
  (:mod:`instructor.grading.keys`): the expected values the hidden tests state, and the
  tolerances they ask for, become the key, stored beside the source notebook where students
  never see it.

The grading process then judges each handed-out value against the key with the same
``workbook.checks`` function and the same tolerances, on data it parsed itself (:func:`judge`).
A student who hooks or patches anything in the kernel can change only the values handed out,
which without the key is worth no more than honest work.
"""

import ast
import json
import math
from dataclasses import dataclass, field
from functools import cache

import nbformat
import numpy as np

from instructor.grading import defaults
from instructor.vocabulary import (
    BEGIN_HIDDEN,
    END_HIDDEN,
    grade_id,
    is_locked,
    is_test,
    line_numbers_between,
)
from workbook import checks
from workbook.handout import MIME

__all__ = ["MIME", "Site", "decide_tests", "decode", "hand_out_tests", "judge", "rewrite",
           "take_handouts"]

# The checks a hidden region may call, with the positions of their arguments.
CHECKS = {
    "check_close": ("value", "expected", "name", "rtol", "atol"),
    "check_array": ("value", "name", "shape"),
    "check_number": ("value", "name"),
    "check_that": ("value", "name"),
}
TOLERANCES = ("rtol", "atol")
MAX_HANDOUT_BYTES = 2 * defaults.HANDOUT_KB * 1024   # per cell (the kernel side keeps less)
DTYPES = {"bool", "int8", "int16", "int32", "int64", "uint8", "uint16", "uint32", "uint64",
          "float16", "float32", "float64"}


@dataclass(frozen=True)
class Site:
    """One check call of a test cell's hidden region."""

    index: int
    check: str                      # one of CHECKS
    name: str | None                # the literal label, or None when the kernel hands it out
    options: dict = field(default_factory=dict)   # a literal shape (check_array)


def hidden_line_numbers(source):
    """Line numbers (from 1) inside the cell's hidden-test regions."""
    return line_numbers_between(source, BEGIN_HIDDEN, END_HIDDEN)


def _give(index, value, name=None, options=None):
    """The AST of ``__import__("workbook.handout", ...).give(index, value, name, options)``."""
    module = ast.Call(ast.Name("__import__", ast.Load()),
                      [ast.Constant("workbook.handout")],
                      [ast.keyword("fromlist", ast.List([ast.Constant("give")], ast.Load()))])
    args = [ast.Constant(index), value, name or ast.Constant(None)]
    if options:
        args.append(ast.Dict([ast.Constant(k) for k in options], list(options.values())))
    return ast.Call(ast.Attribute(module, "give", ast.Load()), args, [])


def _as_float_array(node):
    numpy = ast.Call(ast.Name("__import__", ast.Load()), [ast.Constant("numpy")], [])
    return ast.Call(ast.Attribute(numpy, "asarray", ast.Load()), [node],
                    [ast.keyword("dtype", ast.Name("float", ast.Load()))])


class _Rewrite(ast.NodeTransformer):
    def __init__(self, hidden, key):
        self.hidden, self.key, self.sites = hidden, key, []

    def _arguments(self, node, check):
        names = CHECKS[check]
        found = dict(zip(names, node.args, strict=False))
        found.update({k.arg: k.value for k in node.keywords if k.arg in names})
        if "value" not in found or (check == "check_close" and "expected" not in found):
            raise SyntaxError(f"line {node.lineno}: {check} without the values it compares")
        return found

    def visit_Call(self, node):
        self.generic_visit(node)
        check = node.func.id if isinstance(node.func, ast.Name) else None
        if check not in CHECKS or node.lineno not in self.hidden:
            return node
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
        if check == "check_that":
            found["value"] = ast.Call(ast.Name("bool", ast.Load()), [found["value"]], [])
        return _give(site.index, found["value"], None if literal or name_node is None
                     else name_node)

    def visit_Assert(self, node):
        if node.lineno not in self.hidden:
            return node
        call = ast.Call(ast.Name("check_that", ast.Load()),
                        [node.test, node.msg or ast.Constant("an assertion failed")], [])
        return ast.Expr(self.visit_Call(ast.copy_location(call, node)))


def _bound(statement):
    """Names a top-level statement binds, or None if it does anything but bind names."""
    if isinstance(statement, ast.FunctionDef | ast.ClassDef | ast.AsyncFunctionDef):
        return {statement.name}
    if isinstance(statement, ast.Import | ast.ImportFrom):
        return {(a.asname or a.name).split(".")[0] for a in statement.names}
    if isinstance(statement, ast.Assign | ast.AnnAssign):
        targets = statement.targets if isinstance(statement, ast.Assign) else [statement.target]
        names = set()
        for target in targets:
            for part in ast.walk(target):
                if isinstance(part, ast.Attribute | ast.Subscript | ast.Starred):
                    if not isinstance(part, ast.Starred):
                        return None
                elif isinstance(part, ast.Name):
                    names.add(part.id)
        return names
    return None


@cache
def _names_in(source):
    """Every name a cell's code reads or binds (cached: the same cells recur for every
    student)."""
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return set()
    found = {n.id for n in ast.walk(tree) if isinstance(n, ast.Name)}
    found |= {n.name for n in ast.walk(tree) if isinstance(n, ast.FunctionDef | ast.ClassDef)}
    return found


def _loaded(statements):
    return {n.id for s in statements for n in ast.walk(s)
            if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load)}


def _drop_unused(body, hidden, keep):
    """Remove hidden statements that only bind names nothing after them uses (to a fixpoint).

    Once the expected values are gone, what computed them (a reference implementation, the
    data it read) is unused: it must not run in the student's kernel either. Names in
    ``keep`` (those later cells use) stay.
    """
    changed = True
    while changed:
        changed = False
        for position, statement in enumerate(body):
            names = _bound(statement)
            if statement.lineno not in hidden or not names:
                continue
            if not names & (_loaded(body[position + 1:]) | keep):
                del body[position]
                changed = True
                break
    return body


def rewrite(source, *, key=False, keep=frozenset()):
    """``(new source, sites)``: the test cell with its hidden checks handed out.

    ``key=True`` hands out each ``check_close``'s expected value instead (the instructor's run).
    ``keep``: names other cells use, which the cell must still bind (test helpers written
    once, in the first test cell that needs them; globals a hidden test swaps). A cell
    without hidden checks comes back unchanged, with no sites.
    """
    hidden = hidden_line_numbers(source)
    if not hidden:
        return source, []
    tree = ast.parse(source)
    rewriter = _Rewrite(hidden, key)
    tree = rewriter.visit(tree)
    if not rewriter.sites:
        return source, []
    if not key:
        tree.body = _drop_unused(tree.body, hidden, keep)
    return ast.unparse(ast.fix_missing_locations(tree)) + "\n", rewriter.sites


@cache
def sites_of(source):
    """The sites of a test cell's source (cached: the same cells recur for every student)."""
    return rewrite(source)[1]


@cache
def _handed_out(source, keep):
    """:func:`rewrite` for grading, cached like :func:`sites_of`."""
    return rewrite(source, keep=keep)


def take_handouts(cell):
    """Remove the hand-out outputs from an executed cell; return their payloads, in order."""
    if "outputs" not in cell:    # a markdown or raw cell
        return []
    payloads, kept, size = [], [], 0
    for output in cell.get("outputs", []):
        data = output.get("data", {}) if output.get("output_type") == "display_data" else {}
        if MIME not in data:
            kept.append(output)
            continue
        size += len(json.dumps(data[MIME])) if not isinstance(data[MIME], str) else len(
            data[MIME])
        if size <= MAX_HANDOUT_BYTES:
            payload = data[MIME]
            payloads.append(json.loads(payload) if isinstance(payload, str) else payload)
    cell["outputs"] = kept
    return payloads


def _float(x):
    """A number of the plain data (nan and the infinities come as strings)."""
    if not isinstance(x, int | float | str) or isinstance(x, bool):
        raise TypeError(f"not a number: {type(x).__name__}")
    return float(x)


class _Unknown:
    """Stands in for a value of a type the grader does not rebuild (named as the kernel said)."""


def decode(encoded):
    """A value with the kind, dtype, shape and numbers ``encoded`` describes, built here.

    Only plain data is read: numbers, strings, lists. Anything malformed decodes to an
    object of an unknown type, which every check rejects.
    """
    try:
        return _decode(encoded)
    except (KeyError, TypeError, ValueError, OverflowError):
        return _Unknown()


def _decode(encoded):
    kind = encoded["kind"]
    if kind == "NoneType":
        return None
    if kind == "bool":
        return bool(encoded["value"]) if isinstance(encoded["value"], bool) else _Unknown()
    if kind == "int":
        return int(_float(encoded["value"]))
    if kind == "float":
        return _float(encoded["value"])
    if kind == "numpy scalar" and encoded["dtype"] in DTYPES:
        return np.dtype(encoded["dtype"]).type(_float(encoded["value"]))
    if kind in ("list", "tuple"):
        length = min(int(encoded["length"]), 10**6)
        return [None] * length if kind == "list" else (None,) * length
    if kind == "ndarray":
        shape = tuple(int(n) for n in encoded["shape"])
        size = math.prod(shape)
        if encoded["dtype"] not in DTYPES:
            return np.empty(shape if size <= 10**6 else (0,), dtype=object)
        data = encoded.get("data")
        if data is None or len(data) != size:   # too big to hand out: not a right answer
            return np.full(shape if size <= 10**6 else (0,), np.nan)
        values = np.array([_float(x) for x in data], dtype=np.float64).reshape(shape)
        return values.astype(encoded["dtype"])
    return type(str(encoded.get("type", "object"))[:60] or "object", (_Unknown,), {})()


def judge(sites, payloads, key):
    """What is wrong with a test cell's handed-out values, as messages (none: it passes).

    ``sites`` come from :func:`rewrite` of the cell's source, ``payloads`` from
    :func:`take_handouts`, ``key`` is the cell's entry of the assignment's key: for every site,
    the list of what the instructor's run handed out (``{"value", "options"}``).
    """
    got = {site.index: [] for site in sites}
    for payload in payloads:
        if isinstance(payload, dict) and payload.get("site") in got:
            got[payload["site"]].append(payload)
    for site in sites:
        wanted = key[site.index]
        if len(got[site.index]) != len(wanted):
            return [f"the grader received {len(got[site.index])} results of hidden check "
                    f"{site.index + 1} instead of {len(wanted)}: the test did not run through"]
        for payload, expected in zip(got[site.index], wanted, strict=True):
            problem = _check(site, payload, expected)
            if problem:
                return [problem]
    return []


def _check(site, payload, expected):
    name = site.name if site.name is not None else str(payload.get("name", "the result"))[:200]
    value = decode(payload.get("value", {}))
    try:
        if site.check == "check_close":
            tolerances = {k: v for k, v in expected.get("options", {}).items()
                          if k in TOLERANCES}
            checks.check_close(value, decode(expected["value"]), name, **tolerances)
        elif site.check == "check_array":
            shape = site.options.get("shape")
            checks.check_array(value, name, shape=shape)
        elif site.check == "check_number":
            checks.check_number(value, name)
        elif value is not True:
            raise checks.CheckError(name)
    except checks.CheckError as error:
        return str(error)
    return None


ORIGINAL = "workbook_test_source"   # metadata key: a rewritten test cell's own source


def hand_out_tests(nb):
    """Rewrite every test cell of a sanitized notebook to hand out its hidden checks (in place).

    The cell's own source is kept in its metadata, which never reaches the kernel (only cell
    sources are sent to it), and is put back by :func:`decide_tests`.
    """
    # Only the instructor's cells count (locked and test cells, as the release has them): a
    # name one of them reads or binds is the notebook's, and a hidden test that rebinds it
    # (to swap a global a student's function reads) must keep doing so. A student's own cell
    # cannot keep a reference implementation alive by naming it.
    given = [cell for cell in nb.cells if cell.get("cell_type") == "code"
             and (is_locked(cell) or is_test(cell))]
    names = [_names_in(cell.source) for cell in given]
    for position, cell in enumerate(given):
        if not is_test(cell):
            continue
        elsewhere = set().union(*names[:position], *names[position + 1:])
        rewritten, sites = _handed_out(cell.source, frozenset(elsewhere))
        if sites:
            cell.metadata[ORIGINAL] = cell.source
            cell.source = rewritten


def decide_tests(nb, key, trusted_only=False):
    """Judge every test cell of an executed notebook by its handed-out values (in place).

    A test cell whose values do not match the key gets a ``CheckError`` output, so nbgrader's
    ``SaveAutoGrades`` scores it 0 like any failed test. Result values (``execute_result``) are
    removed from test cells, and hand-outs from every cell. ``trusted_only`` also removes the
    errors the kernel reported, so that only the decisions taken here count: what a student who
    hid every error in their kernel would score (the tests of the tests use it).
    """
    for cell in nb.cells:
        payloads = take_handouts(cell)
        original = cell.get("metadata", {}).pop(ORIGINAL, None)
        if original is None:
            continue
        cell.source = original
        dropped = {"execute_result"} | ({"error"} if trusted_only else set())
        cell.outputs = [o for o in cell.outputs if o.get("output_type") not in dropped and not (
            trusted_only and o.get("name") == "stderr")]
        if any(o.get("output_type") == "error" for o in cell.outputs):
            continue
        wanted = key.get(grade_id(cell))
        problems = (judge(sites_of(original), payloads, wanted) if wanted is not None
                    else ["this test has no answer key: run `bash course.sh release`"])
        if problems:
            cell.outputs.append(nbformat.v4.new_output(
                "error", ename="CheckError", evalue=problems[0],
                traceback=[f"CheckError: {problems[0]}"]))
