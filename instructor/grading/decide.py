"""Hidden tests decided outside the student's interpreter.

Every test cell's hidden checks are rewritten for the kernel (:mod:`.rewrite`): it computes the
student's results on the test's inputs and hands them out as plain data
(:mod:`workbook.handout`). The grading process then judges each handed-out value against the
answer key (:mod:`.keys`) with the same ``workbook.checks`` function and the same tolerances,
on data it parsed itself (:func:`judge`). A student who hooks or patches anything in the
kernel can change only the values handed out, which without the key is worth no more than
honest work.

What the grader decides about a cell is also written into the cell's metadata
(:data:`instructor.vocabulary.DECIDED`): the feedback pages show a test cell's messages from
there, never from what the student's kernel printed or raised.
"""

import json

import nbformat

from instructor.grading import defaults
from instructor.grading.mistakes import fingerprint
from instructor.grading.rewrite import TOLERANCES, sites_of
from instructor.vocabulary import ORIGINAL, decided, grade_id
from workbook import checks
from workbook.handout import MIME, Payload, decode

__all__ = ["decide_tests", "judge", "take_handouts"]

MAX_HANDOUT_BYTES = 2 * defaults.HANDOUT_KB * 1024   # per cell (the kernel side keeps less)


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
        size += len(json.dumps(data[MIME]))
        payload = Payload.from_output(data[MIME]) if size <= MAX_HANDOUT_BYTES else None
        if payload is not None:
            payloads.append(payload)
    cell["outputs"] = kept
    return payloads


def judge(sites, payloads, expected, audit=False):
    """What is wrong with a test cell's handed-out values, as messages (none: it passes).

    ``sites`` come from :func:`.rewrite.rewrite` of the cell's source, ``payloads`` from
    :func:`take_handouts`, ``expected`` is the cell's entry of the answer key: for every site,
    the list of what the instructor's run handed out (:class:`.keys.Expected`). ``audit``
    takes every ``check_that`` as passing (its condition is computed in the student's kernel,
    where it can be forged): what only the key decides.
    """
    got = {site.index: [] for site in sites}
    for payload in payloads:
        if payload.site in got:
            got[payload.site].append(payload)
    for site in sites:
        if audit and site.check == "check_that":
            continue
        wanted = expected[site.index]
        if len(got[site.index]) != len(wanted):
            return [f"the grader received {len(got[site.index])} results of hidden check "
                    f"{site.index + 1} instead of {len(wanted)}: the test did not run through"]
        for payload, entry in zip(got[site.index], wanted, strict=True):
            problem = _check(site, payload, entry)
            if problem:
                return [problem]
    return []


def _check(site, payload, entry):
    name = site.name if site.name is not None else (payload.name or "the result")[:200]
    value = decode(payload.value)
    try:
        if site.check == "check_close":
            tolerances = {k: v for k, v in entry.options.items() if k in TOLERANCES}
            checks.check_close(value, decode(entry.value), name, **tolerances)
        elif site.check == "check_array":
            checks.check_array(value, name, shape=site.options.get("shape"))
        elif site.check == "check_number":
            checks.check_number(value, name)
        elif value is not True:
            raise checks.CheckError(name)
    except checks.CheckError as error:
        return str(error)
    return None


def decide_tests(nb, key, audit=False, mistakes=None, record=None):
    """Judge every test cell of an executed notebook by its handed-out values (in place).

    A test cell whose values do not match the key gets a ``CheckError`` output, so nbgrader's
    ``SaveAutoGrades`` scores it 0 like any failed test, and the message in its metadata.
    Result values (``execute_result``) are removed from test cells, and hand-outs from every
    cell. ``key`` is the notebook's :class:`.keys.AnswerKey`.

    ``audit`` counts only what is decided here: the errors and stderr the kernel reported are
    removed and every ``check_that`` taken as passing, so a cell fails only through a value
    compared with the key: the most a student who forged everything in their kernel could
    score (the tests of the tests use it). ``mistakes`` (a :class:`.mistakes.MistakeKey`) names
    the planted mistake a failed cell's values look like; ``record`` (a dict) is filled with
    ``{grade_id: {site: [fingerprint]}}`` of every value handed out.
    """
    for cell in nb.cells:
        payloads = take_handouts(cell)
        original = cell.get("metadata", {}).pop(ORIGINAL, None)
        if original is None:
            continue
        cell.source = original
        if record is not None:
            found = record.setdefault(grade_id(cell), {})
            for payload in payloads:
                found.setdefault(str(payload.site), []).append(fingerprint(payload.value))
        dropped = {"execute_result"} | ({"error"} if audit else set())
        cell.outputs = [o for o in cell.outputs if o.get("output_type") not in dropped and not (
            audit and o.get("name") == "stderr")]
        failed = any(o.get("output_type") == "error" for o in cell.outputs)
        if not failed:
            expected = key.cells.get(grade_id(cell))
            problems = (judge(sites_of(original), payloads, expected, audit)
                        if expected is not None
                        else ["this test has no answer key: run `bash course.sh release`"])
            if problems:
                failed = True
                decided(cell, problems[0], by="key")
                cell.outputs.append(nbformat.v4.new_output(
                    "error", ename="CheckError", evalue=problems[0],
                    traceback=[f"CheckError: {problems[0]}"]))
        for name in _looks_like(mistakes, grade_id(cell), payloads) if failed else ():
            decided(cell, f"This looks like a mistake students often make: {name}.",
                    by="hint")


def _looks_like(mistakes, cell, payloads):
    """The planted mistakes whose values some of ``payloads`` are, most often first."""
    if mistakes is None:
        return []
    counts = {}
    for payload in payloads:
        for name in mistakes.names(cell, payload.site, payload.value):
            counts[name] = counts.get(name, 0) + 1
    return sorted(counts, key=lambda name: -counts[name])[:2]
