"""The steps of ``workbook grade``: nbgrader's own, as ``nbgrader_config.py`` declares them for
``nbgrader autograde``, with the grader's own steps around them, each a small preprocessor.

Before execution (:func:`sanitize_steps`)::

    RemoveGraderMarks, FlagTampering, RestoreGradeCells,    the grader's own
    <Autograde.sanitize_preprocessors>                      nbgrader's, as configured
    HandOutTests, AddProbes                                 the grader's own

After execution (:func:`grade_steps`)::

    TakeProbes, DecideTests                                 the grader's own
    <Autograde.autograde_preprocessors after Execute>      nbgrader's, as configured

Execute itself runs in the workers (:mod:`.execute`). A few of nbgrader's steps are replaced
(:data:`REPLACED`), each for the reason given there; a test checks that the lists follow the
configuration, so stock nbgrader and ``workbook grade`` cannot drift apart.

Each step reads what it needs from ``resources[WORKBOOK]`` (a :class:`NotebookContext`) and
adds its findings there.
"""

import copy
from dataclasses import dataclass, field

from nbconvert.preprocessors import Preprocessor
from nbgrader import preprocessors as nbgrader_steps
from nbgrader.converters import Autograde
from nbgrader.utils import determine_grade
from traitlets.utils.importstring import import_item

from instructor.grading import decide, integrity, rewrite, saving
from instructor.vocabulary import grade_id, is_test

__all__ = ["WORKBOOK", "NotebookContext", "grade_steps", "run_steps", "sanitize_steps"]

WORKBOOK = "workbook"      # resources key: the notebook's NotebookContext

# nbgrader's steps that ``workbook grade`` runs differently, and with what (None: not at all).
REPLACED = {
    # one transaction per student, two queries per notebook (see saving.py)
    nbgrader_steps.SaveAutoGrades: saving.SaveAutoGrades,
    nbgrader_steps.AssignLatePenalties: saving.AssignLatePenalties,
    # RestoreGradeCells gives every grade cell the release's metadata and nothing after it
    # changes that metadata: checking it costs a third of the trusted side's time
    nbgrader_steps.CheckCellMetadata: None,
}


@dataclass
class NotebookContext:
    """What the grader's steps know about one student's notebook while it is graded."""

    release: object                      # the release notebook students were given
    key: object = None                   # its AnswerKey
    audit: bool = False                  # also score what only the key decides
    mistakes: object = None              # its MistakeKey: the planted mistakes' values
    record: bool = False                 # keep the fingerprints of the values handed out
    flags: list = field(default_factory=list)
    audit_cells: dict = field(default_factory=dict)   # {grade_id: score}, with ``audit``
    handouts: dict = field(default_factory=dict)      # {grade_id: {site: [fingerprint]}}

    @property
    def protected(self):
        return integrity.protected_names(self.release)


class _Step(Preprocessor):
    """A step of the grader's own: always enabled, whole-notebook."""

    enabled = True

    def preprocess(self, nb, resources):
        self.apply(nb, resources[WORKBOOK])
        return nb, resources


class RemoveGraderMarks(_Step):
    """Cells that claim to be the grader's (a probe, a rewritten test) lose the claim."""

    def apply(self, nb, context):
        context.flags += integrity.remove_grader_marks(nb)


class FlagTampering(_Step):
    """Grade cells deleted, duplicated, edited or re-flagged; code that patches the checks."""

    def apply(self, nb, context):
        context.flags += integrity.structure_flags(nb, context.release)
        context.flags += integrity.static_flags(nb, context.protected)


class RestoreGradeCells(_Step):
    """Every grade cell gets the release's nbgrader metadata back."""

    def apply(self, nb, context):
        integrity.restore_grade_cells(nb, context.release)


class HandOutTests(_Step):
    """Hidden checks hand their values out; expected values and reference code are gone."""

    def apply(self, nb, context):
        rewrite.hand_out_tests(nb)


class AddProbes(_Step):
    """A probe cell after every test cell."""

    def apply(self, nb, context):
        integrity.add_probes(nb, context.protected)


class TakeProbes(_Step):
    """The probe cells go; what they found becomes flags."""

    def apply(self, nb, context):
        context.flags += integrity.take_probes(nb)


class DecideTests(_Step):
    """Hidden checks judged against the key (and, auditing, judged with only the key)."""

    def apply(self, nb, context):
        if context.audit:
            audited = copy.deepcopy(nb)
            decide.decide_tests(audited, context.key, audit=True)
            context.audit_cells = {grade_id(c): determine_grade(c)[0]
                                   for c in audited.cells if is_test(c)}
        decide.decide_tests(nb, context.key, mistakes=context.mistakes,
                            record=context.handouts if context.record else None)


def _declared(config, name):
    """nbgrader's Autograde step list ``name``, as configured (classes, in order)."""
    steps = config.Autograde.get(name, Autograde.class_traits()[name].default())
    return [import_item(step) if isinstance(step, str) else step for step in steps]


def _ours(steps):
    out = []
    for step in steps:
        replaced = next((by for cls, by in REPLACED.items() if issubclass(step, cls)), step)
        if replaced is not None:
            out.append(replaced)
    return out


def sanitize_steps(config):
    """The steps before execution, for the course's ``config``."""
    return [RemoveGraderMarks, FlagTampering, RestoreGradeCells,
            *_ours(_declared(config, "sanitize_preprocessors")), HandOutTests, AddProbes]


def grade_steps(config):
    """The steps after execution, for the course's ``config``."""
    declared = _declared(config, "autograde_preprocessors")
    after = next(i for i, step in enumerate(declared)
                 if issubclass(step, nbgrader_steps.Execute)) + 1
    return [TakeProbes, DecideTests, *_ours(declared[after:])]


def run_steps(steps, nb, resources, config):
    """``nb`` through ``steps``, each made with the course's ``config``: ``(nb, resources)``."""
    for step in steps:
        nb, resources = step(config=config)(nb, resources)
    return nb, resources
