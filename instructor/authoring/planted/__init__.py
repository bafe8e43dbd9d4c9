"""Per assignment, the planted mistakes and correct variants (see :mod:`..edits`)."""

import importlib
import pkgutil

__all__ = ["declarations"]


def declarations():
    """``{assignment id: declaration module}`` for every module in this folder."""
    found = {}
    for module in pkgutil.iter_modules(__path__):
        spec = importlib.import_module(f"{__name__}.{module.name}")
        found[spec.ASSIGNMENT] = spec
    return dict(sorted(found.items()))
