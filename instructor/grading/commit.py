"""A student's executed notebooks graded and written: the gradebook once, ``autograded/`` once.

:func:`commit` runs each executed notebook through the steps after execution
(:func:`.steps.grade_steps`: probes taken, hidden tests decided, nbgrader's grading and saving)
on one gradebook session, writes the graded notebooks to a staging folder, swaps that folder in
for ``autograded/<student>/<assignment>/`` and only then commits the gradebook. If anything
fails, the gradebook is rolled back and the old folder put back: a student's results change
all at once or not at all. It never raises: what went wrong is the student's status and flags.
"""

import os
import shutil
from datetime import UTC, datetime, timedelta

import nbformat
from nbgrader.api import Gradebook
from nbgrader.utils import parse_utc

from instructor.grading import defaults, handins
from instructor.grading.jobs import from_json
from instructor.grading.records import Result
from instructor.grading.saving import GRADEBOOK, deferred_commits
from instructor.grading.steps import grade_steps, run_steps
from instructor.nbgrader_hooks import score_after_penalty
from instructor.vocabulary import Status

__all__ = ["commit"]

NOT_GRADED = "not graded: the gradebook and autograded/ keep what they had"


def commit(assignment, submission, timings):
    """Grade ``submission``'s executed notebooks into the gradebook and autograded/; its
    :class:`.records.Result`. The submission's notebooks are let go afterwards."""
    try:
        return _commit(assignment, submission, timings)
    finally:
        submission.let_go()


def _commit(assignment, submission, timings):
    for outcome in submission.outcomes.values():
        submission.statuses.append(outcome.status)
        notes = [outcome.detail] if outcome.status != Status.OK else []
        submission.flags += [f"{outcome.notebook}: {note}" for note in notes + outcome.notes]
    status = submission.status()
    result = Result(submission.student, assignment.name, None, 0.0, status, submission.flags)
    if not status.graded:
        result.flags.append(NOT_GRADED)
        return result
    target = assignment.root / "autograded" / submission.student / assignment.name
    staging = target.parent / f".{assignment.name}.new"
    previous = target.parent / f".{assignment.name}.old"
    try:
        with timings.measure("save"):
            _stage_files(assignment, submission, staging)
        with Gradebook(assignment.db_url) as gb, deferred_commits(gb):
            _open_submission(gb, assignment, submission, staging)
            for name, outcome in submission.outcomes.items():
                with timings.measure("grade"):
                    nb = from_json(outcome.executed)
                    context = submission.contexts[name]
                    resources = assignment.resources(submission.student, name, context)
                    resources[GRADEBOOK] = gb
                    nb, _ = run_steps(grade_steps(assignment.config), nb, resources,
                                      assignment.config)
                    submission.flags += [f"{name}: {flag}" for flag in context.flags]
                    result.cells[name] = _cell_scores(gb, assignment, submission, name)
                    if context.audit:
                        result.audit[name] = context.audit_cells
                    if context.record:
                        result.handouts[name] = context.handouts
                with timings.measure("save"):
                    nbformat.write(nb, staging / f"{name}.ipynb")
            with timings.measure("save"):
                found = gb.find_submission(assignment.name, submission.student)
                result.score = score_after_penalty(found)
                if found.late_submission_penalty:
                    result.flags.append(
                        f"handed in {found.total_seconds_late / 3600:.1f} h late: "
                        f"{found.late_submission_penalty:g} points off (late penalty)")
                _swap(staging, target, previous)
                try:
                    type(gb.db).commit(gb.db)   # the real commit, once
                except BaseException:
                    gb.db.rollback()
                    _swap_back(target, previous)
                    raise
                shutil.rmtree(previous, ignore_errors=True)
    except Exception as error:  # noqa: BLE001  (reported as this student's status)
        shutil.rmtree(staging, ignore_errors=True)
        result.score, result.status, result.cells, result.audit = None, Status.ERROR, {}, {}
        result.flags.append(f"saving the grades failed: {type(error).__name__}: "
                            f"{str(error)[:300]}")
        result.flags.append(NOT_GRADED)
    return result


def _stage_files(assignment, submission, staging):
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir(parents=True)
    for relative, data in {**submission.files, **assignment.given}.items():
        (staging / relative).parent.mkdir(parents=True, exist_ok=True)
        (staging / relative).write_bytes(data)
    timestamp = submission.folder / "timestamp.txt"
    if os.path.lexists(timestamp):
        try:
            data = handins.read_regular(timestamp, limit_bytes=defaults.TIMESTAMP_BYTES)
            (staging / "timestamp.txt").write_bytes(data)
        except handins.Refused as why:
            submission.flags.append(str(why))


def _open_submission(gb, assignment, submission, staging):
    """The student's submission in the gradebook, with its timestamp; notebooks not handed in
    score 0."""
    student, name = submission.student, assignment.name
    timestamp = _timestamp(staging, submission)
    soon = datetime.now(UTC).replace(tzinfo=None) + timedelta(minutes=5)
    if timestamp is not None and timestamp > soon:
        when = timestamp.strftime("%Y-%m-%d %H:%M")
        submission.flags.append(f"timestamp.txt says it was handed in at {when} UTC, which is "
                                "in the future")
    gb.update_or_create_student(student)
    if timestamp:
        gb.update_or_create_submission(name, student, timestamp=timestamp)
    else:
        gb.update_or_create_submission(name, student)
    for notebook in assignment.notebooks:
        if notebook in submission.outcomes:
            continue
        for grade in gb.find_submission_notebook(notebook, name, student).grades:
            grade.auto_score, grade.needs_manual_grade = 0, False
    gb.db.commit()


def _timestamp(staging, submission):
    """The hand-in's ``timestamp.txt`` (written by the student's ``nbgrader submit``), as
    nbgrader reads it (naive UTC), or None; one it cannot read is flagged, not fatal."""
    path = staging / "timestamp.txt"
    if not path.exists():
        return None
    text = path.read_bytes().decode("utf-8", "replace").strip()
    try:
        return parse_utc(text) if text else None
    except (ValueError, OverflowError, TypeError) as error:
        submission.flags.append(f"timestamp.txt could not be read ({error}): graded as on time")
        return None


def _cell_scores(gb, assignment, submission, name):
    notebook = gb.find_submission_notebook(name, assignment.name, submission.student)
    return {grade.name: (grade.score, grade.max_score) for grade in notebook.grades}


def _swap(staging, target, previous):
    """``staging`` becomes ``target``; the old ``target``, if any, waits as ``previous``."""
    shutil.rmtree(previous, ignore_errors=True)
    if target.exists():
        target.rename(previous)
    staging.rename(target)


def _swap_back(target, previous):
    shutil.rmtree(target, ignore_errors=True)
    if previous.exists():
        previous.rename(target)
