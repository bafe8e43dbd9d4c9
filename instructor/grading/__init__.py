"""``workbook grade``: the trusted pipeline (:mod:`.pipeline`), the task a worker runs
(:mod:`.execute`), the sandbox and its kernel factory (:mod:`.sandbox`, :mod:`.zygote`), and the
tampering checks (:mod:`.integrity`, with the in-kernel :mod:`.probe`).

``grade`` and ``Options`` are the entry points; see ARCHITECTURE.md for a submission's path.
"""

from instructor.grading import defaults

__all__ = ["GradingError", "Options", "Result", "Timings", "defaults", "grade", "summary"]
PIPELINE = {"Options", "Result", "Timings", "grade", "summary"}


class GradingError(Exception):
    """The assignment cannot be graded at all (nothing was changed)."""


def __getattr__(name):
    """The pipeline's names, imported when first asked for (it imports nbgrader): the light
    modules of this package, such as :mod:`.warmup`, can be imported without it."""
    if name in PIPELINE:
        from instructor.grading import pipeline

        return getattr(pipeline, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
