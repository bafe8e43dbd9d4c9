"""Hidden tests decided outside the student's interpreter.

Every test cell's hidden checks are rewritten for the kernel (:mod:`.rewrite`): it computes the
student's results on the test's inputs and hands them out as plain data
(:mod:`workbook.handout`). The grading process then judges each handed-out value against the
answer key (:mod:`.keys`) with the same ``workbook.checks`` function and the same tolerances,
on data it parsed itself (:func:`judge`). A student who hooks or patches anything in the
kernel can change only the values handed out, which without the key is worth no more than
honest work.
"""

import json

import nbformat

from instructor.grading import defaults
from instructor.grading.rewrite import ORIGINAL, TOLERANCES, sites_of
from instructor.vocabulary import grade_id
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


def judge(sites, payloads, key):
    """What is wrong with a test cell's handed-out values, as messages (none: it passes).

    ``sites`` come from :func:`rewrite` of the cell's source, ``payloads`` from
    :func:`take_handouts`, ``key`` is the cell's entry of the assignment's key: for every site,
    the list of what the instructor's run handed out (``{"value", "options"}``).
    """
    got = {site.index: [] for site in sites}
    for payload in payloads:
        if payload.site in got:
            got[payload.site].append(payload)
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
    name = site.name if site.name is not None else (payload.name or "the result")[:200]
    value = decode(payload.value)
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
