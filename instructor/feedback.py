"""``workbook feedback``: one HTML page per student and notebook, safe to hand out.

nbgrader's own feedback shows every test cell as it ran, hidden tests and their tracebacks
included. These pages open with the score of every graded cell and the first thing to fix;
a test cell shows only its name, its score and, if it failed, the error's name and message.
The student's own cells appear with their code, what they printed or raised and the pictures
of their hand-in (graded runs draw none). Every output is escaped and validated
(:mod:`instructor.pages`), and any line of a hidden test is dropped from it. Math is MathML;
the pages are self-contained (no scripts, no external files). Each student also gets an
``index.html`` linking their assignments.
"""

import html
from pathlib import Path

import nbformat
from nbgrader.api import Gradebook, MissingEntry

from instructor.course import FEEDBACK, course_config
from instructor.grading import defaults
from instructor.grading.handins import Refused, read_regular
from instructor.nbgrader_hooks import score_after_penalty
from instructor.pages import fold, image, markdown, plain, scrub
from instructor.vocabulary import grade_id, is_graded, is_solution, is_test, secret_lines

__all__ = ["graded_students", "hidden_test_lines", "render", "write_feedback", "write_index"]

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
ul.scores { display: flex; flex-wrap: wrap; gap: .4rem; list-style: none; padding: 0; }
ul.scores li { border: 1px solid #b2f2bb; background: #ebfbee; padding: .1rem .5rem;
               border-radius: .3rem; font-variant-numeric: tabular-nums; }
ul.scores li.lost { border-color: #ffa8a8; background: #fff5f5; font-weight: bold; }
.note { color: #666; font-style: italic; } img { max-width: 100%; }
details > summary { cursor: pointer; color: #1c5fb0; }
details.passed { border-left: 5px solid #2b8a3e; padding: .2rem .8rem; margin: .8rem 0; }
details.passed > summary { color: #2b8a3e; font-weight: bold; }
"""
BLANK = ("your answer is not written yet: the cell still raises NotImplementedError. "
         "Replace `raise NotImplementedError()` with your code.")
USES_BLANK = "this cell uses an answer that is not written yet (see above)"


def hidden_test_lines(root, assignment):
    """Every line between hidden-test markers in the assignment's source notebooks, and the
    markers themselves."""
    return secret_lines(cell for path in (Path(root) / "source" / assignment).glob("*.ipynb")
                        for cell in nbformat.read(path, as_version=4).cells)


def graded_students(course_root, assignment, db_url=None):
    """The students with a submission of ``assignment`` in the gradebook."""
    db_url = db_url or course_config(course_root).CourseDirectory.db_url
    with Gradebook(db_url) as gb:
        try:
            return sorted(s.student.id for s in gb.find_assignment(assignment).submissions)
        except MissingEntry:
            return []


def write_feedback(course_root, assignment, students=None, db_url=None):
    """Write ``feedback/<student>/<assignment>/<notebook>.html`` and each student's
    ``index.html``; return the paths of the notebook pages.

    ``feedback/`` is nbgrader's own feedback folder, so ``nbgrader release_feedback`` hands
    these pages out through the exchange; beside them go the hand-in's ``timestamp.txt`` and
    ``submission_secret.txt``, by which nbgrader matches feedback to a submission.
    """
    root = Path(course_root).resolve()
    db_url = db_url or course_config(root).CourseDirectory.db_url
    secrets = hidden_test_lines(root, assignment)
    written = []
    with Gradebook(db_url) as gb:
        try:
            submissions = gb.find_assignment(assignment).submissions
        except MissingEntry:
            return written
        for submission in submissions:
            student = submission.student.id
            if students and student not in students:
                continue
            for record in submission.notebooks:
                scores = {g.name: (g.score, g.max_score) for g in record.grades}
                nb = _read(root / "autograded" / student / assignment / f"{record.name}.ipynb")
                handed_in = _read(root / "submitted" / student / assignment
                                  / f"{record.name}.ipynb")
                page = render(assignment, record.name, student, record.score,
                              record.max_score, scores, nb, handed_in, secrets,
                              record.late_submission_penalty or 0.0)
                target = root / FEEDBACK / student / assignment / f"{record.name}.html"
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_text(page)
                written.append(target)
            _copy_receipts(root / "submitted" / student / assignment,
                           root / FEEDBACK / student / assignment)
            write_index(root, gb, student)
    return written


def _copy_receipts(handin, folder):
    """Copy the hand-in's timestamp and secret beside its feedback (as nbgrader's own
    ``generate_feedback`` does); each is a small regular file or is left out."""
    for name in ("timestamp.txt", "submission_secret.txt"):
        try:
            (folder / name).write_bytes(read_regular(handin / name, 1))
        except (OSError, Refused):
            (folder / name).unlink(missing_ok=True)


def _read(path):
    """The notebook at ``path`` if it is a regular file (a hand-in may be hostile), else None."""
    try:
        return nbformat.reads(read_regular(path, defaults.NOTEBOOK_MB), as_version=4)
    except Exception:  # noqa: BLE001  (missing, a link, or not a notebook: no pictures)
        return None


def write_index(root, gb, student):
    """``feedback/<student>/index.html``: every assignment, its score, its pages."""
    rows = []
    for assignment in sorted(gb.assignments, key=lambda a: a.name):
        folder = root / FEEDBACK / student / assignment.name
        pages = sorted(folder.glob("*.html"))
        try:
            score = f"{score_after_penalty(gb.find_submission(assignment.name, student)):g}"
        except MissingEntry:
            score = "not handed in"
        links = ", ".join(f"<a href='{e(p.parent.name)}/{e(p.name)}'>{e(p.stem)}</a>"
                          for p in pages) or "<span class='note'>no feedback yet</span>"
        rows.append(f"<tr><td>{e(assignment.name)}</td><td>{e(score)} / "
                    f"{assignment.max_score:g}</td><td>{links}</td></tr>")
    page = (f"<!doctype html><html><head><meta charset='utf-8'><title>Feedback for "
            f"{e(student)}</title><style>{STYLE}</style></head><body><h1>Feedback for "
            f"{e(student)}</h1><table><tr><th>assignment</th><th>score</th><th>feedback</th>"
            f"</tr>{''.join(rows)}</table></body></html>")
    target = root / FEEDBACK / student / "index.html"
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(page)
    return target


def render(assignment, notebook, student, score, max_score, scores, nb, handed_in=None,
           secrets=frozenset(), penalty=0.0):
    """The whole page. ``nb``: the autograded notebook (None if none was handed in);
    ``handed_in``: the submitted one, for its pictures; ``secrets``: hidden-test lines;
    ``penalty``: the points a late hand-in lost (``score`` is before it)."""
    title = f"{assignment} / {notebook}: feedback for {student}"
    parts = [f"<!doctype html><html><head><meta charset='utf-8'><title>{e(title)}</title>",
             f"<style>{STYLE}</style></head><body><p><a href='../index.html'>All your "
             f"assignments</a></p><h1>{e(title)}</h1>",
             f"<p><b>Score: {score - penalty:g} / {max_score:g}</b>"
             + (f" ({score:g} for the answers, {penalty:g} off for handing in late)"
                if penalty else "") + "</p>"]
    if nb is None:
        parts.append("<p>This notebook was not handed in, so it scores 0.</p>")
        return "".join(parts) + "</body></html>"
    parts.append(_summary(nb, scores, secrets))
    pictures = _pictures(nb, handed_in)
    for section in _sections(nb.cells):
        body = "".join(_cell(nb.cells[i], scores, secrets, pictures.get(i, [])) for i in section)
        graded = [_score(nb.cells[i], scores) for i in section if grade_id(nb.cells[i]) in scores]
        if graded and all(score >= top for score, top in graded):
            first = nb.cells[section[0]]
            lines = first.source.strip().splitlines() if first.cell_type == "markdown" else []
            heading = lines[0].lstrip("#").strip() if lines else "These cells"
            earned = sum(top for _, top in graded)
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


def _score(cell, scores):
    meta_points = cell.get("metadata", {}).get("nbgrader", {}).get("points", 0)
    return scores.get(grade_id(cell), (0, meta_points))


def _summary(nb, scores, secrets):
    """The first thing to fix, and the table of every graded cell's score."""
    rows, fix, answer, heading = [], None, None, ""
    for cell in nb.cells:
        if cell.cell_type == "markdown" and cell.source.lstrip().startswith("#"):
            heading = cell.source.strip().splitlines()[0].lstrip("#").strip()
        if is_solution(cell):
            answer = (cell, heading)
        if grade_id(cell) not in scores:
            continue
        name, (score, top) = grade_id(cell), _score(cell, scores)
        lost = score < top
        if lost and fix is None:
            fix = (cell, answer)
        rows.append(f"<li class='{'lost' if lost else 'full'}'><a href='#{e(name)}'>{e(name)}</a>"
                    f" {score:g} / {top:g}</li>")
    parts = []
    if fix:
        cell, answer = fix
        target, reason = grade_id(cell), _first_error(cell, secrets)
        if answer is not None and _is_blank(answer[0]):
            target = grade_id(answer[0])
            where = f" in \u201c{answer[1]}\u201d" if answer[1] else ""
            reason = f"{BLANK} It is{where}, and the test {grade_id(cell)} needs it."
        parts.append(f"<div class='fix'><b>First thing to fix:</b> <a href='#{e(target)}'>"
                     f"{e(target)}</a>{': ' + e(reason) if reason else ''}</div>")
    else:
        parts.append("<div class='fix'><b>Every graded cell earned full marks.</b></div>")
    parts.append("<p>Every graded cell (red: lost points):</p><ul class='scores'>"
                 + "".join(rows) + "</ul><hr>")
    return "".join(parts)


def _errors(cell):
    return [o for o in cell.get("outputs", []) if o.get("output_type") == "error"]


def _is_blank(cell):
    """Does the cell raise NotImplementedError, or is it an answer still holding the stub?"""
    stub = is_solution(cell) and "raise NotImplementedError" in cell.get("source", "")
    return stub or any(o.get("ename") == "NotImplementedError" for o in _errors(cell))


def error_line(error, secrets, answer=False):
    """``Name: message`` of an error output, without hidden-test lines; a blank answer's
    bare ``NotImplementedError`` is explained (``answer``: raised by the answer cell itself)."""
    name = plain(error.get("ename", "")) or "Error"
    message = scrub(plain(error.get("evalue", "")), secrets).strip()
    if name == "NotImplementedError" and not message:
        return f"{name}: {BLANK if answer else USES_BLANK}"
    return f"{name}: {message}" if message else name


def _first_error(cell, secrets):
    errors = _errors(cell)
    return error_line(errors[0], secrets) if errors else ""


def _pictures(nb, handed_in):
    """``{cell index in nb: [<img> html]}``: the images of the hand-in's cells, matched by
    cell id, else by position among the cells that are not test cells."""
    if handed_in is None:
        return {}
    theirs = [c for c in handed_in.cells if c.get("cell_type") == "code" and not is_test(c)]
    by_id = {c.get("id"): c for c in theirs if c.get("id")}
    ours = [(i, c) for i, c in enumerate(nb.cells)
            if c.get("cell_type") == "code" and not is_test(c)]
    found = {}
    for position, (index, cell) in enumerate(ours):
        match = by_id.get(cell.get("id")) or (theirs[position] if position < len(theirs)
                                               else None)
        if match is None:
            continue
        images = [_image_output(o) for o in match.get("outputs", [])
                  if o.get("output_type") in ("display_data", "execute_result")
                  and any(k.startswith("image/") for k in o.get("data", {}))]
        if images:
            found[index] = images
    return found


def _image_output(output):
    data = output.get("data", {})
    for mime in ("image/png", "image/jpeg"):
        if mime in data:
            tag = image(mime, data[mime])
            return tag or "<p class='note'>(a picture that is not a valid image was left out)</p>"
    return "<p class='note'>(a picture in a format these pages do not show was left out)</p>"


def _cell(cell, scores, secrets, pictures):
    if cell.cell_type == "markdown":
        return markdown(scrub(cell.source, secrets))
    if cell.cell_type != "code":
        return ""
    name = grade_id(cell)
    if is_test(cell):   # hidden tests inside: show its name, score and error message only
        score, top = _score(cell, scores)
        errors = _errors(cell)
        failed = bool(errors) or score < top
        lines = [f"<div class='test{' failed' if failed else ''}' id='{e(name or '')}'><b>Test "
                 f"{e(name or '')}: {score:g} / {top:g}</b>"]
        lines += [f"<div class='error'>{e(error_line(error, secrets))}</div>" for error in errors]
        return "".join(lines) + "</div>"
    outputs = "".join(_output(o, secrets, is_solution(cell)) for o in cell.get("outputs", []))
    if pictures and "<img" not in outputs:
        outputs += "".join(pictures)
    source = e(scrub(cell.source, secrets))
    if is_graded(cell) or is_solution(cell):
        points = f"<a id='{e(name)}'></a>" if name and not is_graded(cell) else ""
        if is_graded(cell):
            score, top = _score(cell, scores)
            points = f"<p id='{e(name)}'><b>{e(name)}: {score:g} / {top:g}</b></p>"
        return points + f"<pre>{source}</pre>" + outputs
    lines = source.count("\n") + 1
    return (f"<details><summary>given code ({lines} lines)</summary><pre>{source}</pre>"
            f"</details>" + outputs)


def _output(output, secrets, answer=False):
    kind = output.get("output_type")
    if kind == "stream":
        return fold(scrub(plain(output.get("text", "")), secrets))
    if kind == "error":
        trace = scrub("\n".join(plain(line) for line in output.get("traceback", [])), secrets)
        head = f"<div class='error'>{e(error_line(output, secrets, answer))}</div>"
        if _is_blank({"outputs": [output]}) and not plain(output.get("evalue", "")).strip():
            return head    # the explanation says it all; the bare traceback says nothing
        return head + fold(trace, css="error", summary="traceback")
    data = output.get("data", {})
    for mime in ("image/png", "image/jpeg"):
        if mime in data:
            return _image_output(output)
    if "text/plain" in data:
        return fold(scrub(plain(data["text/plain"]), secrets))
    if data:
        return "<p class='note'>(an output that these pages do not show was left out)</p>"
    return ""
