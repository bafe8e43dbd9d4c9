"""The HTML of ``workbook report`` and its matplotlib pictures (embedded as base64 PNG)."""

import base64
import html
import io
import statistics
from datetime import datetime

__all__ = ["render"]

e = html.escape
SHOWN = 8            # test cells listed per assignment before the rest fold away
STYLE = """
body { font-family: system-ui, sans-serif; max-width: 75rem; margin: 1.5rem auto; color: #222;
       padding: 0 1rem; line-height: 1.4; }
h2 { border-bottom: 2px solid #ddd; padding-bottom: .2rem; margin-top: 2.2rem; }
table { border-collapse: collapse; margin: .6rem 0; font-size: .92rem; }
td, th { border: 1px solid #ccc; padding: .2rem .5rem; text-align: left; vertical-align: top; }
th { background: #f1f3f5; } td.num { text-align: right; font-variant-numeric: tabular-nums; }
.missing { color: #c92a2a; } .flagged { background: #fff9db; } .bad { background: #fff5f5; }
.figures { display: flex; flex-wrap: wrap; gap: 1rem; align-items: flex-start; }
.figures img { max-width: 100%; border: 1px solid #eee; }
.muted { color: #666; } code { font-size: .85rem; }
nav a { margin-right: 1rem; }
"""


def render(results, course_id="", sections=()):
    """The whole report page for ``results`` (an :class:`instructor.report.ClassResults`);
    ``sections``: more parts at its end, each ``(anchor, title in the menu, HTML)``."""
    title = f"Class report{': ' + course_id if course_id else ''}"
    handed = {a: sum(1 for (_, b) in results.totals if b == a) for a in results.assignments}
    parts = [f"<!doctype html><html><head><meta charset='utf-8'><title>{e(title)}</title>"
             f"<style>{STYLE}</style></head><body><h1>{e(title)}</h1>",
             f"<p class='muted'>{len(results.students)} students, "
             f"{len(results.assignments)} assignments; written "
             f"{datetime.now():%Y-%m-%d %H:%M}. Hand-ins graded: "
             + ", ".join(f"{e(a)} {handed[a]}" for a in results.assignments) + ".</p>",
             "<nav><a href='#scores'>Scores</a><a href='#cells'>Hardest test cells</a>"
             "<a href='#review'>To review</a><a href='#students'>Students</a>"
             + "".join(f"<a href='#{e(anchor)}'>{e(title)}</a>" for anchor, title, _ in sections)
             + "</nav>",
             _distributions(results), _cells(results), _review(results), _students(results),
             *(part for _, _, part in sections), "</body></html>"]
    return "".join(parts)


def _png(figure):
    import matplotlib.pyplot as plt

    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=100, bbox_inches="tight")
    plt.close(figure)
    data = base64.b64encode(buffer.getvalue()).decode("ascii")
    return f"<img alt='chart' src='data:image/png;base64,{data}'>"


def _pyplot():
    import matplotlib

    matplotlib.use("agg", force=True)
    import matplotlib.pyplot as plt

    return plt


def _distributions(results):
    plt = _pyplot()
    parts = ["<h2 id='scores'>Score distributions</h2><div class='figures'>"]
    rows = []
    for assignment in results.assignments:
        top = results.max_scores[assignment]
        scores = [results.score(s, assignment) for s in results.students]
        scores = [s for s in scores if s is not None]
        figure, axes = plt.subplots(figsize=(4.2, 2.6))
        bins = [top * i / 10 for i in range(11)] if top else 10
        axes.hist(scores, bins=bins, color="#4c6ef5", edgecolor="white")
        axes.set_title(assignment, fontsize=10)
        axes.set_xlabel(f"score (of {top:g})")
        axes.set_ylabel("students")
        axes.set_xlim(0, top or 1)
        axes.yaxis.get_major_locator().set_params(integer=True)
        parts.append(_png(figure))
        if scores:
            rows.append(f"<tr><td>{e(assignment)}</td><td class='num'>{top:g}</td>"
                        f"<td class='num'>{statistics.mean(scores):.1f}</td>"
                        f"<td class='num'>{statistics.median(scores):g}</td>"
                        f"<td class='num'>{min(scores):g}</td><td class='num'>{max(scores):g}"
                        f"</td><td class='num'>{len(scores)}</td></tr>")
    parts.append("</div><table><tr><th>assignment</th><th>max</th><th>mean</th><th>median</th>"
                 "<th>min</th><th>max reached</th><th>students</th></tr>" + "".join(rows)
                 + "</table><p class='muted'>Students who handed in nothing count as 0.</p>")
    return "".join(parts)


def _cells(results):
    plt = _pyplot()
    parts = ["<h2 id='cells'>Test cells, hardest first</h2>"
             "<p class='muted'>Pass rate: the share of graded hand-ins with full marks on the "
             "cell. The error is the one the cell raised most often (name and first line, "
             "hidden tests removed). A written answer counts once a person has graded it in "
             "formgrader (Manual Grading); until then it is listed as waiting.</p>"]
    for assignment, cells in results.by_assignment().items():
        if not cells:
            continue
        labels = [c.cell for c in cells]
        rates = [100 * c.pass_rate for c in cells]
        figure, axes = plt.subplots(figsize=(7, 0.28 * len(cells) + 0.9))
        colours = ["#e03131" if r < 50 else "#f59f00" if r < 80 else "#37b24d" for r in rates]
        axes.barh(range(len(cells)), rates, color=colours)
        axes.set_yticks(range(len(cells)), labels, fontsize=8)
        axes.invert_yaxis()
        axes.set_xlim(0, 100)
        axes.set_xlabel("% of hand-ins with full marks")
        axes.set_title(assignment, fontsize=10)
        rows = []
        for stats in cells:
            common = stats.common_error
            error = (f"<code>{e(common[0])}</code> ({common[1]}&times;)" if common
                     else "<span class='muted'>none</span>")
            if stats.pending:
                error = (f"{stats.pending} written answer{'s' if stats.pending > 1 else ''} "
                         "to grade in formgrader")
            mean = sum(stats.scores) / len(stats.scores) if stats.scores else 0
            rows.append(f"<tr><td>{e(stats.cell)}</td><td>{e(stats.notebook)}</td>"
                        f"<td class='num'>{100 * stats.pass_rate:.0f}%</td>"
                        f"<td class='num'>{mean:.2g} / {stats.max_score:g}</td>"
                        f"<td>{error}</td></tr>")
        head = ("<table><tr><th>cell</th><th>notebook</th><th>pass rate</th>"
                "<th>mean score</th><th>most common error</th></tr>")
        table = head + "".join(rows[:SHOWN]) + "</table>"
        if len(rows) > SHOWN:
            table += (f"<details><summary>the other {len(rows) - SHOWN} cells</summary>"
                      + head + "".join(rows[SHOWN:]) + "</table></details>")
        parts.append(f"<h3>{e(assignment)}</h3><div class='figures'>{_png(figure)}"
                     f"<div>{table}</div></div>")
    return "".join(parts)


def _review(results):
    rows = results.review()
    if not rows:
        return "<h2 id='review'>To review</h2><p>Every hand-in was graded with status ok.</p>"
    body = "".join(
        f"<tr class='{'bad' if r['status'] not in ('ok', 'misnamed') else 'flagged'}'>"
        f"<td>{e(r['student'])}</td><td>{e(r['assignment'])}</td>"
        f"<td class='num'>{e(r['score'] or '-')}</td><td>{e(r['status'])}</td>"
        f"<td>{e(r['flags'])}</td></tr>" for r in rows)
    return ("<h2 id='review'>To review</h2><p class='muted'>Hand-ins whose status is not ok or "
            "that were flagged (tampering, a misnamed notebook, output cut...).</p><table><tr>"
            "<th>student</th><th>assignment</th><th>score</th><th>status</th><th>flags</th>"
            f"</tr>{body}</table>")


def _students(results):
    head = "".join(f"<th>{e(a)}</th>" for a in results.assignments)
    maxima = "".join(f"<td class='num'>{results.max_scores[a]:g}</td>"
                     for a in results.assignments)
    total_max = sum(results.max_scores.values())
    rows = []
    for student in results.students:
        cells, total = [], 0.0
        for assignment in results.assignments:
            score = results.score(student, assignment)
            status = results.status(student, assignment)
            total += score or 0
            shown = "-" if score is None else f"{score:g}"
            css = "num missing" if status != "ok" else "num"
            notes = [status] if status != "ok" else []
            if (student, assignment) in results.extensions:
                notes.append(results.extensions[(student, assignment)])
            note = "".join(f" <small>({e(n)})</small>" for n in notes)
            cells.append(f"<td class='{css}'>{shown}{note}</td>")
        rows.append(f"<tr><td>{e(student)}</td>{''.join(cells)}<td class='num'><b>{total:g}"
                    f"</b></td><td class='num'>{100 * total / total_max if total_max else 0:.0f}%"
                    "</td></tr>")
    return (f"<h2 id='students'>Students</h2><table><tr><th>student</th>{head}<th>total</th>"
            f"<th>%</th></tr><tr><td><i>max</i></td>{maxima}<td class='num'>{total_max:g}</td>"
            f"<td></td></tr>{''.join(rows)}</table>")
