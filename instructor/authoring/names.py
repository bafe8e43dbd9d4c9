"""Which module-level names a statement reads and binds, as Python's own symbol tables see them.

Shared by the analyses of hidden tests (:mod:`.independence`, :mod:`.reference_split`): a
function's parameters and locals, a lambda's or a comprehension's, are not the module's.
"""

import ast
import symtable

__all__ = ["module_level", "reads", "stores", "symbols"]


def symbols(node):
    """The module-level symbol table of a statement or expression (scopes as Python sees them:
    a function's parameters and locals, a lambda's, a comprehension's, are not the module's)."""
    mode = "eval" if isinstance(node, ast.expr) else "exec"
    return symtable.symtable(ast.unparse(node), "<cell>", mode)


def reads(node):
    """Module-level names ``node`` reads, in its own code or in the functions it defines."""
    names, tables = set(), [symbols(node)]
    while tables:
        table = tables.pop()
        top = table.get_type() == "module"
        names |= {s.get_name() for s in table.get_symbols() if s.is_referenced()
                  and (top or s.is_global())}
        tables += table.get_children()
    return names


def stores(node):
    """Module-level names ``node`` binds (assignments, loop targets, defs, imports)."""
    if isinstance(node, ast.expr):     # a loop's or ``with``'s target
        return {n.id for n in ast.walk(node) if isinstance(n, ast.Name)}
    return {s.get_name() for s in symbols(node).get_symbols()
            if s.is_assigned() or s.is_imported() or s.is_namespace()}


def module_level(node):
    """``ast.walk`` that does not enter functions, classes or lambdas (their own scopes)."""
    todo = [node]
    while todo:
        part = todo.pop()
        yield part
        if part is node or not isinstance(
                part, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef | ast.Lambda):
            todo += ast.iter_child_nodes(part)
