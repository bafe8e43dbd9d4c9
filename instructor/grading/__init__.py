"""The grader: ``grade()`` and what it is made of (see ARCHITECTURE.md for a hand-in's path).

- :mod:`.grade_run`: the one entry, ``grade(course, assignment, students, options)``;
- :mod:`.context`, :mod:`.prepare`, :mod:`.run`, :mod:`.commit`: the run's knowledge, hostile
  input made ready, jobs to sandboxed workers, results written once per student;
- :mod:`.steps`: nbgrader's steps as the course declares them, with the grader's own around
  them; :mod:`.rewrite`, :mod:`.decide`, :mod:`.keys`: hidden tests handed out of the kernel
  and decided against the answer key; :mod:`.integrity`, :mod:`.probe`: tampering flags;
- :mod:`.execute`, :mod:`.sandbox`: the workers' side, kernels in bubblewrap;
- :mod:`.jobs`, :mod:`.records`: what crosses between processes and what a run leaves behind;
  :mod:`.defaults`: every limit.

The package itself imports nothing heavy: :mod:`.warmup` starts kernel factories before
nbgrader is imported, and ``grade``, ``Options`` and the rest load when first asked for.
"""

__all__ = ["GradeRun", "GradingError", "Options", "Result", "grade"]
LAZY = {"GradeRun": "grade_run", "Options": "grade_run", "grade": "grade_run", "Result": "records"}


class GradingError(Exception):
    """The assignment cannot be graded at all (nothing was changed); the message says why."""


def __getattr__(name):
    if name in LAZY:
        from importlib import import_module

        return getattr(import_module(f"instructor.grading.{LAZY[name]}"), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
