"""The grading service's policy, set in ``nbgrader_config.py`` per course and per assignment.

::

    c.GradingService.per_hour = 6            # graded submissions per student and assignment
    c.GradingService.in_all = 0              # ... in all (0: no limit)
    c.GradingService.counts = "last_on_time" # or "last": which submission the gradebook keeps
    c.GradingService.hidden_before_due = False   # what failed hidden checks say, before the due
    c.GradingService.assignments = {"07_training": {"per_hour": 3}}   # per assignment

Defaults are the safe ones: a few graded submissions an hour (more are kept, and graded once
the hour has passed: the student is told when), the gradebook keeps the last submission
handed in on time (a late one counts, with the late penalty, only when none was on time), and
before the due date a page shows each cell's score and the message of each failed check, but
not what a failed hidden check checks; after it, that too.
"""

from dataclasses import dataclass, fields

from traitlets import Bool, Dict, Enum, Float, Int
from traitlets.config import Configurable

__all__ = ["GradingService", "Policy", "policy_for"]


class GradingService(Configurable):
    """``workbook serve``: grading every submission as it arrives (see ``policy_for``)."""

    per_hour = Int(6, help="Graded submissions per student and assignment in any hour; "
                           "more are kept and graded when the hour has passed.").tag(config=True)
    in_all = Int(0, help="Graded submissions per student and assignment in all (0: no "
                         "limit); more are kept, not graded.").tag(config=True)
    counts = Enum(["last_on_time", "last"], "last_on_time",
                  help="Which submission the gradebook keeps: the last one handed in on time "
                       "(a late one only if none was on time), or the last one.").tag(config=True)
    hidden_before_due = Bool(False, help="Before the due date, show what a failed hidden check "
                                         "checks (after it, always).").tag(config=True)
    assignments = Dict(help="Per-assignment values of the above: {assignment: {name: value}}."
                       ).tag(config=True)
    poll_seconds = Float(1.0, help="How often the exchange is looked at.").tag(config=True)


@dataclass(frozen=True)
class Policy:
    """The policy of one assignment."""

    per_hour: int = 6
    in_all: int = 0
    counts: str = "last_on_time"
    hidden_before_due: bool = False


def policy_for(config, assignment):
    """The :class:`Policy` of ``assignment`` under the course's ``config``."""
    service = GradingService(config=config)
    values = {f.name: getattr(service, f.name) for f in fields(Policy)}
    overrides = service.assignments.get(assignment, {})
    unknown = set(overrides) - set(values)
    if unknown:
        raise ValueError(f"c.GradingService.assignments[{assignment!r}] has unknown settings: "
                         f"{', '.join(sorted(unknown))}")
    values.update(overrides)
    if values["counts"] not in ("last_on_time", "last"):
        raise ValueError(f"counts must be 'last_on_time' or 'last', not {values['counts']!r}")
    return Policy(**values)
