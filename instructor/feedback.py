"""``workbook feedback``: one HTML page per student and notebook, safe to hand out.

nbgrader's own feedback shows every test cell as it ran, hidden tests and their tracebacks
included. These pages show a test cell only as its name, its score and, if it failed, the
error's name and message; the student's own cells appear with their code and everything they
printed or raised. The pages are self-contained (no scripts, no external files).
"""

import html
import re
from pathlib import Path

import mistune
import nbformat
from nbgrader.api import Gradebook, MissingEntry

from instructor.course import course_config
from instructor.vocabulary import grade_id, is_graded, is_test, nbgrader_meta

__all__ = ["write_feedback"]

ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")
markdown = mistune.create_markdown(escape=True)
STYLE = """
body { font-family: system-ui, sans-serif; max-width: 60rem; margin: 2rem auto; color: #222; }
pre { background: #f6f8fa; padding: .6rem; overflow-x: auto; white-space: pre-wrap; }
.test { border-left: 5px solid #2b8a3e; padding: .3rem .8rem; margin: 1rem 0; }
.test.failed { border-color: #c92a2a; background: #fff5f5; }
.error { color: #c92a2a; } table { border-collapse: collapse; }
td, th { border: 1px solid #ccc; padding: .2rem .6rem; text-align: left; }
"""


def write_feedback(course_root, assignment, students=None, db_url=None):
    """Write ``feedback_html/<student>/<assignment>/<notebook>.html``; return the paths."""
    root = Path(course_root).resolve()
    db_url = db_url or course_config(root).CourseDirectory.db_url
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
                graded = root / "autograded" / student / assignment / f"{record.name}.ipynb"
                nb = nbformat.read(graded, as_version=4) if graded.exists() else None
                page = render(assignment, record.name, student, record.score,
                              record.max_score, scores, nb)
                target = root / "feedback_html" / student / assignment / f"{record.name}.html"
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_text(page)
                written.append(target)
    return written


def render(assignment, notebook, student, score, max_score, scores, nb):
    """The whole page; ``nb`` is the autograded notebook, or None if none was handed in."""
    e = html.escape
    title = f"{assignment} / {notebook}: feedback for {student}"
    parts = [f"<!doctype html><html><head><meta charset='utf-8'><title>{e(title)}</title>",
             f"<style>{STYLE}</style></head><body><h1>{e(title)}</h1>",
             f"<p><b>Score: {score:g} / {max_score:g}</b></p>"]
    if nb is None:
        parts.append("<p>This notebook was not handed in, so it scores 0.</p>")
        return "".join(parts) + "</body></html>"
    order = [grade_id(c) for c in nb.cells if grade_id(c) in scores]
    parts.append("<table><tr><th>graded cell</th><th>score</th></tr>")
    for name in order:
        parts.append(f"<tr><td>{e(name)}</td><td>{scores[name][0]:g} / "
                     f"{scores[name][1]:g}</td></tr>")
    parts.append("</table><hr>")
    for cell in nb.cells:
        parts.append(_cell(cell, scores))
    return "".join(parts) + "</body></html>"


def _cell(cell, scores):
    e = html.escape
    meta = nbgrader_meta(cell)
    if cell.cell_type == "markdown":
        return markdown(cell.source)
    if cell.cell_type != "code":
        return ""
    if is_test(cell):   # hidden tests inside: show its name, score and error message only
        score, top = scores.get(meta.get("grade_id"), (0, meta.get("points", 0)))
        errors = [o for o in cell.get("outputs", []) if o.get("output_type") == "error"]
        failed = bool(errors) or score < top
        lines = [f"<div class='test{' failed' if failed else ''}'><b>Test "
                 f"{e(meta.get('grade_id', ''))}: {score:g} / {top:g}</b>"]
        for error in errors:
            lines.append(f"<div class='error'>{e(error.get('ename', ''))}: "
                         f"{e(_plain(error.get('evalue', '')))}</div>")
        return "".join(lines) + "</div>"
    points = ""
    if is_graded(cell):
        score, top = scores.get(meta.get("grade_id"), (0, meta.get("points", 0)))
        points = f"<p><b>{e(meta['grade_id'])}: {score:g} / {top:g}</b></p>"
    return points + f"<pre>{e(cell.source)}</pre>" + "".join(
        _output(o) for o in cell.get("outputs", []))


def _plain(text):
    return ANSI.sub("", str(text))


def _output(output):
    e = html.escape
    kind = output.get("output_type")
    if kind == "stream":
        return f"<pre>{e(_plain(output.get('text', '')))}</pre>"
    if kind == "error":
        trace = "\n".join(_plain(line) for line in output.get("traceback", []))
        return f"<pre class='error'>{e(trace or output.get('ename', ''))}</pre>"
    data = output.get("data", {})
    if "image/png" in data:
        return f"<img alt='figure' src='data:image/png;base64,{data['image/png'].strip()}'>"
    if "text/plain" in data:
        return f"<pre>{e(_plain(data['text/plain']))}</pre>"
    return ""

