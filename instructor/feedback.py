"""``workbook feedback``: one HTML page per student and notebook, safe to hand out.

A page is built only from what the student made and what the grader decided
(:mod:`instructor.graded`): the student's code, their markdown, and the outputs of their own run
as handed in (a run that never saw a hidden test); the score of every graded cell; and, for a
test cell, the grader's own messages and the names of the errors it raised, never the text of
anything the graded kernel printed or raised (student code there has run next to the hidden
tests' inputs). It opens with the scores and the first thing to fix; a score a person changed
in formgrader says so, with their comment. Every output is escaped and validated
(:mod:`instructor.pages`), hidden-test lines are scrubbed as well, math is MathML, and the
pages are self-contained (no scripts, no external files). Rendering is linear in the size of
the notebook; pages are written in parallel, one student per worker.
"""

import html
import multiprocessing
import os
import secrets
from concurrent.futures import ProcessPoolExecutor
from datetime import UTC, datetime
from pathlib import Path

import nbformat

from instructor.course import FEEDBACK, course_config
from instructor.extensions import page_notes
from instructor.graded import (
    BLANK,
    error_name,
    grader_messages,
    matching_cells,
    read_assignment,
    test_messages,
)
from instructor.grading import defaults
from instructor.grading.handins import Refused, read_regular
from instructor.pages import fold, image, markdown, plain, scrub
from instructor.vocabulary import (
    grade_id,
    is_graded,
    is_solution,
    is_test,
    secret_lines,
)

__all__ = ["graded_students", "hidden_test_lines", "page_for", "render", "write_feedback"]

e = html.escape
STYLE = """
body { font-family: system-ui, sans-serif; max-width: 60rem; margin: 2rem auto; color: #222;
       line-height: 1.45; padding: 0 1rem; }
pre { background: #f6f8fa; padding: .6rem; overflow-x: auto; white-space: pre-wrap; }
.test { border-left: 5px solid #2b8a3e; padding: .3rem .8rem; margin: 1rem 0; }
.test.failed { border-color: #c92a2a; background: #fff5f5; }
.error { color: #c92a2a; } table { border-collapse: collapse; }
td, th { border: 1px solid #ccc; padding: .2rem .6rem; text-align: left; }
.fix { background: #fff9db; border: 1px solid #f0c36d; padding: .6rem 1rem; margin: 1rem 0; }
.person { background: #e7f5ff; border: 1px solid #74c0fc; padding: .4rem .8rem; margin: .5rem 0; }
ul.scores { display: flex; flex-wrap: wrap; gap: .4rem; list-style: none; padding: 0; }
ul.scores li { border: 1px solid #b2f2bb; background: #ebfbee; padding: .1rem .5rem;
               border-radius: .3rem; font-variant-numeric: tabular-nums; }
ul.scores li.lost { border-color: #ffa8a8; background: #fff5f5; font-weight: bold; }
ul.scores li.pending { border-color: #ced4da; background: #f8f9fa; }
.answer { border-left: 5px solid #1c7ed6; padding: .1rem .8rem; }
.note { color: #666; font-style: italic; } img { max-width: 100%; }
details > summary { cursor: pointer; color: #1c5fb0; }
details.passed { border-left: 5px solid #2b8a3e; padding: .2rem .8rem; margin: .8rem 0; }
details.passed > summary { color: #2b8a3e; font-weight: bold; }
"""


def hidden_test_lines(root, assignment):
    """Every line between hidden-test markers in the assignment's source notebooks, and the
    markers themselves."""
    return secret_lines(cell for path in (Path(root) / "source" / assignment).glob("*.ipynb")
                        for cell in nbformat.read(path, as_version=4).cells)


def graded_students(course_root, assignment, db_url=None):
    """The students with a submission of ``assignment`` in the gradebook."""
    graded = read_assignment(course_root, assignment, db_url)
    return sorted(graded.submissions) if graded else []


def write_feedback(course_root, assignment, students=None, db_url=None, jobs=None,
                   hidden_checks=True):
    """Write ``feedback/<student>/<assignment>/<notebook>.html``; return their paths.

    ``hidden_checks=False`` keeps the words of failed hidden checks off the pages (before the
    due date, see :mod:`instructor.service.policy`).

    ``feedback/`` is nbgrader's own feedback folder, so ``nbgrader release_feedback`` hands
    these pages out through the exchange; beside them go the hand-in's ``timestamp.txt`` and
    ``submission_secret.txt``, by which nbgrader matches feedback to a submission.
    """
    root = Path(course_root).resolve()
    db_url = db_url or course_config(root).CourseDirectory.db_url
    graded = read_assignment(root, assignment, db_url)
    if graded is None:
        return []
    secrets = hidden_test_lines(root, assignment)
    chosen = [s for student, s in sorted(graded.submissions.items())
              if not students or student in students]
    work = [(root, assignment, submission, secrets, hidden_checks) for submission in chosen]
    jobs = min(jobs or defaults.JOBS, len(work))
    if jobs > 1:
        with ProcessPoolExecutor(jobs, mp_context=multiprocessing.get_context("fork")) as pool:
            written = [path for paths in pool.map(_write_student, work) for path in paths]
    else:
        written = [path for item in work for path in _write_student(item)]
    return written


def page_for(course_root, assignment, student, notebook, db_url=None):
    """One student's page of one notebook, as :func:`write_feedback` writes it (for nbgrader's
    ``generate_feedback``, :class:`instructor.nbgrader_hooks.FeedbackExporter`); the hand-in's
    receipts are put beside it, so that ``nbgrader release_feedback`` can hand it out."""
    root = Path(course_root).resolve()
    graded = read_assignment(root, assignment, db_url, students=[student])
    found = [nb for nb in graded.submissions[student].notebooks if nb.name == notebook]
    folder = root / FEEDBACK / student / assignment
    folder.mkdir(parents=True, exist_ok=True)
    _copy_receipts(root / "submitted" / student / assignment, folder)
    return render(found[0], hidden_test_lines(root, assignment),
                  notes=page_notes(root, assignment, student))


def _write_student(work):
    """One student's pages (in a worker): ``(root, assignment, submission, secrets,
    hidden_checks)``."""
    root, assignment, submission, secrets, hidden_checks = work
    written = []
    folder = root / FEEDBACK / submission.student / assignment
    folder.mkdir(parents=True, exist_ok=True)
    for notebook in submission.notebooks:
        target = folder / f"{notebook.name}.html"
        target.write_text(render(notebook, secrets, hidden_checks,
                                 page_notes(root, assignment, submission.student)))
        written.append(target)
    _copy_receipts(root / "submitted" / submission.student / assignment, folder)
    return written


def _copy_receipts(handin, folder):
    """Copy the hand-in's timestamp and secret beside its feedback (as nbgrader's own
    ``generate_feedback`` does); each is a small regular file.

    A hand-in that did not come through the exchange (copied into ``submitted/`` by hand, the
    demo's) has neither: it gets the time of its folder and a secret of its own, so that
    ``nbgrader release_feedback`` still works; no student can fetch that page, for none holds
    the secret.
    """
    for name in ("timestamp.txt", "submission_secret.txt"):
        try:
            data = read_regular(handin / name, limit_bytes=defaults.TIMESTAMP_BYTES)
        except (OSError, Refused):
            data = _made_up_receipt(handin, name)
        (folder / name).write_bytes(data)


def _made_up_receipt(handin, name):
    if name == "submission_secret.txt":
        return secrets.token_hex(16).encode()
    try:
        when = datetime.fromtimestamp(os.lstat(handin).st_mtime, UTC)
    except OSError:
        when = datetime.now(UTC)
    return when.strftime("%Y-%m-%d %H:%M:%S.%f UTC").encode()


def render(notebook, secrets=frozenset(), hidden_checks=True, notes=()):
    """The whole page of a :class:`instructor.graded.GradedNotebook`; ``secrets``: the
    hidden-test lines, scrubbed from everything shown; ``hidden_checks``: show what a failed
    hidden check says; ``notes``: lines to show under the score (e.g. which submission counts).
    """
    title = f"{notebook.assignment} / {notebook.name}: feedback for {notebook.student}"
    penalty = notebook.penalty
    parts = [f"<!doctype html><html><head><meta charset='utf-8'><title>{e(title)}</title>",
             f"<style>{STYLE}</style></head><body><h1>{e(title)}</h1>",
             f"<p><b>Score: {notebook.score - penalty:g} / {notebook.max_score:g}</b>"
             + (f" ({notebook.score:g} for the answers, {penalty:g} off for handing in late)"
                if penalty else "") + "</p>",
             *(f"<p class='note'>{e(note)}</p>" for note in notes)]
    graded = notebook.graded()
    if graded is None:
        parts.append("<p>This notebook was not handed in, so it scores 0.</p>")
        return "".join(parts) + "</body></html>"
    page = _Page(notebook, graded, notebook.handed_in(), secrets, hidden_checks)
    parts.append(page.summary())
    for section in _sections(graded.cells):
        body = "".join(page.cell(i) for i in section)
        scored = [notebook.cells[grade_id(graded.cells[i])] for i in section
                  if grade_id(graded.cells[i]) in notebook.cells]
        if scored and all(c.score >= c.max_score for c in scored):
            first = graded.cells[section[0]]
            lines = first.source.strip().splitlines() if first.cell_type == "markdown" else []
            heading = lines[0].lstrip("#").strip() if lines else "These cells"
            earned = sum(c.max_score for c in scored)
            body = (f"<details class='passed'><summary>{e(heading)}: full marks "
                    f"({earned:g} / {earned:g})</summary>{body}</details>")
        parts.append(body)
    return "".join(parts) + "</body></html>"


def _sections(cells):
    """Cell indices grouped by markdown headings: each group starts at a heading cell."""
    sections = [[]]
    for index, cell in enumerate(cells):
        if cell.cell_type == "markdown" and cell.source.lstrip().startswith("#") and sections[-1]:
            sections.append([])
        sections[-1].append(index)
    return sections


class _Page:
    """The pieces of one page: the graded notebook's cells with the hand-in's outputs."""

    def __init__(self, notebook, graded, handed_in, secrets, hidden_checks):
        self.notebook, self.graded, self.secrets = notebook, graded, secrets
        self.hidden_checks = hidden_checks
        self.theirs = matching_cells(graded, handed_in)
        self.handed_in = handed_in is not None
        self.first_blank = None       # the first answer cell still blank, once seen
        self.markdown_left = defaults.PAGE_MARKDOWN_KB * 1024
        self.page_left = defaults.PAGE_MB * 1024 * 1024

    def grade(self, cell):
        return self.notebook.cells.get(grade_id(cell))

    def summary(self):
        """The first thing to fix, and the list of every graded cell's score."""
        rows, fix, answer, heading = [], None, None, ""
        for cell in self.graded.cells:
            if cell.cell_type == "markdown" and cell.source.lstrip().startswith("#"):
                heading = cell.source.strip().splitlines()[0].lstrip("#").strip()
            if is_solution(cell):
                answer = (cell, heading)
            grade = self.grade(cell)
            if grade is None:
                continue
            lost = grade.score < grade.max_score and not grade.pending
            if lost and fix is None:
                fix = (cell, answer)
            name = grade_id(cell)
            said = (" to be graded by your instructor" if grade.pending else
                    f" {grade.score:g} / {grade.max_score:g}"
                    + (" (set by your instructor)" if grade.changed_by_hand else ""))
            css = "pending" if grade.pending else "lost" if lost else "full"
            rows.append(f"<li class='{css}'><a href='#{e(name)}'>{e(name)}</a>{e(said)}</li>")
        if fix:
            cell, answer = fix
            target = grade_id(cell)
            messages = test_messages(cell, hidden_checks=self.hidden_checks) if is_test(
                cell) else []
            reason = messages[0] if messages else ""
            if answer is not None and _is_blank(answer[0]):
                target = grade_id(answer[0])
                where = f" in \u201c{answer[1]}\u201d" if answer[1] else ""
                reason = f"{BLANK} It is{where}, and the test {grade_id(cell)} needs it."
            top = (f"<div class='fix'><b>First thing to fix:</b> <a href='#{e(target)}'>"
                   f"{e(target)}</a>{': ' + e(scrub(reason, self.secrets)) if reason else ''}"
                   "</div>")
        else:
            top = "<div class='fix'><b>Every graded cell earned full marks.</b></div>"
        if not self.handed_in:
            top += ("<p class='note'>Your hand-in could not be read back, so the outputs of "
                    "your own run are not shown.</p>")
        return (top + "<p>Every graded cell (red: lost points):</p><ul class='scores'>"
                + "".join(rows) + "</ul><hr>")

    def cell(self, index):
        cell = self.graded.cells[index]
        if cell.cell_type == "markdown":
            text = scrub(cell.source, self.secrets)
            limit = min(defaults.MARKDOWN_KB * 1024, self.markdown_left)
            self.markdown_left -= min(len(text), limit)
            if is_graded(cell):         # a written answer, graded by a person
                return self._head(cell) + f"<div class='answer'>{markdown(text, limit)}</div>"
            return markdown(text, limit)
        if cell.cell_type != "code":
            return ""
        if is_test(cell):
            return self._test(cell)
        source = e(scrub(cell.source, self.secrets))
        theirs = self.theirs.get(index)
        shown = _clipped(theirs.get("outputs", []) if theirs else [])
        given = not (is_graded(cell) or is_solution(cell))
        if given and self.first_blank and any(_needs_answer(o) for o in shown):
            # Its error comes from an answer not written yet: one line, not a traceback that
            # every later given cell would repeat.
            shown = [o for o in shown if o.get("output_type") != "error"]
            outputs = "".join(_output(o, self.secrets) for o in shown) + (
                f"<div class='error'>This cell could not run: it uses an answer that is not "
                f"written yet (the first is <a href='#{e(self.first_blank)}'>"
                f"{e(self.first_blank)}</a>).</div>")
        else:
            outputs = "".join(_output(o, self.secrets, is_solution(cell)) for o in shown)
        if len(outputs) > self.page_left:
            outputs = ("<p class='note'>(the outputs of this cell are left out: the page shows "
                       f"at most {defaults.PAGE_MB} MB of them)</p>")
        self.page_left -= len(outputs)
        outputs += "".join(f"<div class='error'>{e(scrub(m, self.secrets))}</div>"
                           for m in grader_messages(cell))
        name = grade_id(cell)
        if _is_blank(cell):
            outputs += f"<div class='error'>{e(BLANK)}</div>"
            self.first_blank = self.first_blank or name
        if is_graded(cell) or is_solution(cell):
            head = self._head(cell) if is_graded(cell) else (
                f"<a id='{e(name)}'></a>" if name else "")
            return head + f"<pre>{source}</pre>" + outputs
        lines = source.count("\n") + 1
        return (f"<details><summary>given code ({lines} lines)</summary><pre>{source}</pre>"
                f"</details>" + outputs)

    def _test(self, cell):
        """A test cell: its name, score and what may be said about it (never its code)."""
        name, grade = grade_id(cell) or "", self.grade(cell)
        score, top = (grade.score, grade.max_score) if grade else (0, 0)
        messages = test_messages(cell, hidden_checks=self.hidden_checks)
        failed = bool(messages) or score < top
        by_hand = grade is not None and grade.changed_by_hand
        failed = not by_hand and failed or score < top
        lines = [f"<div class='test{' failed' if failed else ''}' id='{e(name)}'><b>Test "
                 f"{e(name)}: {score:g} / {top:g}</b>"]
        if grade:       # what a person decided comes before what the grader found
            lines.append(self._person(grade))
        if messages and by_hand:
            lines.append("<p class='note'>What the grader found before your instructor set "
                         "the score:</p>")
        lines += [f"<div class='error'>{e(scrub(m, self.secrets))}</div>" for m in messages]
        return "".join(lines) + "</div>"

    def _head(self, cell):
        """A graded answer's name and score, and what a person said of it."""
        name, grade = grade_id(cell), self.grade(cell)
        if grade is None:
            return ""
        score = ("to be graded by your instructor" if grade.pending
                 else f"{grade.score:g} / {grade.max_score:g}")
        return f"<p id='{e(name)}'><b>{e(name)}: {score}</b></p>{self._person(grade)}"

    def _person(self, grade):
        """What a person set in formgrader: a changed score, a comment."""
        said = []
        if grade.changed_by_hand and grade.auto_score is None:
            said.append(f"Graded by your instructor: {grade.manual_score:g} / "
                        f"{grade.max_score:g}.")
        elif grade.changed_by_hand:
            said.append(f"Your instructor set this score to {grade.manual_score:g} (the grader "
                        f"gave {grade.auto_score:g}).")
        if grade.comment:
            said.append(f"Comment: {grade.comment}")
        return "".join(f"<div class='person'>{e(s)}</div>" for s in said)


def _clipped(outputs):
    """The outputs a page shows of a cell: text outputs share ``PAGE_OUTPUT_KB``, the rest
    of the text is cut (the hand-in holds it all)."""
    left, shown = defaults.PAGE_OUTPUT_KB * 1024, []
    for output in outputs:
        data = output.get("data", {})
        text = output.get("text") if output.get("output_type") == "stream" else (
            None if any(k.startswith("image/") for k in data) else data.get("text/plain"))
        if text is None:
            shown.append(output)
            continue
        text = plain(text)
        if len(text) > left:
            text = text[:left] + "\n[output cut: the page shows the first " \
                f"{defaults.PAGE_OUTPUT_KB} KB]"
        left = max(0, left - len(text))
        shown.append({"output_type": "stream", "text": text})
    return shown


def _needs_answer(output):
    """Is ``output`` the error of code that called an answer not written yet?"""
    return output.get("output_type") == "error" and output.get("ename") in (
        "NotImplementedError", "NameError")


def _is_blank(cell):
    """Is the answer cell still the stub (as released)?"""
    return is_solution(cell) and "raise NotImplementedError" in cell.get("source", "")


def _output(output, secrets, answer=False):
    """One output of the student's own run, as the page shows it."""
    kind = output.get("output_type")
    if kind == "stream":
        return fold(scrub(plain(output.get("text", "")), secrets))
    if kind == "error":
        name, message = error_name(output), scrub(plain(output.get("evalue", "")), secrets)
        if name == "NotImplementedError" and not message.strip():
            return f"<div class='error'>NotImplementedError: {e(BLANK) if answer else ''}</div>"
        trace = scrub("\n".join(plain(line) for line in output.get("traceback", [])), secrets)
        return (f"<div class='error'>{e(name)}: {e(message)}</div>"
                + fold(trace, css="error", summary="traceback"))
    data = output.get("data", {})
    for mime in ("image/png", "image/jpeg"):
        if mime in data:
            return (image(mime, data[mime])
                    or "<p class='note'>(a picture that is not a valid image was left out)</p>")
    if "text/plain" in data:
        return fold(scrub(plain(data["text/plain"]), secrets))
    if data:
        return "<p class='note'>(an output that these pages do not show was left out)</p>"
    return ""
