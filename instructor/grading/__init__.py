"""``workbook grade``: the trusted pipeline (:mod:`.pipeline`), the task a worker runs
(:mod:`.execute`), the sandbox and its kernel factory (:mod:`.sandbox`, :mod:`.zygote`), and the
tampering checks (:mod:`.integrity`, with the in-kernel :mod:`.probe`).

``grade`` and ``Options`` are the entry points; see ARCHITECTURE.md for a submission's path.
"""

from instructor.grading import defaults
from instructor.grading.pipeline import GradingError, Options, Result, Timings, grade, summary

__all__ = ["GradingError", "Options", "Result", "Timings", "defaults", "grade", "summary"]
