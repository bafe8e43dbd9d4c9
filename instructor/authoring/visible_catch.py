"""Do the visible checks catch the planted mistakes? A table per assignment.

For every planted mistake (``instructor/authoring/planted/``) the release notebook is run with
the mistake's answers (:mod:`.visible_runs`), as far as the checks of the cell that holds it:
the test cells that come first after its first changed answer cell, and the first test cell
it must lose points in (see :func:`own_checks`). The mistake is *caught*
when one of them fails with a message that names something that cell defines (``relu``,
``h1``, ``forward_pass``...), so a student is sent to the right place; it is *named* when the
fingerprints (:mod:`workbook.fingerprints`) recognise it by its own name there. A mistake no
visible check can catch says why in its ``unseen`` field. Every correct variant must pass every
visible check, also when they all run again at the end as the summary cell runs them, and no
fingerprint may name it.

    python -m instructor.authoring.visible_catch [ASSIGNMENT ...] [--json]

prints the table (or, with ``--json``, the figures the tests hold).
"""

import argparse
import json
import re
import sys
import time
from dataclasses import asdict, dataclass

from instructor.authoring.courses import COURSE
from instructor.authoring.edits import apply_edits
from instructor.authoring.planted import declarations
from instructor.authoring.submissions import solution_cells
from instructor.authoring.visible_runs import bound_names, notebook_cells, run_submissions

__all__ = ["Verdict", "measure", "own_checks"]


@dataclass
class Verdict:
    """What the visible checks did with one planted mistake."""

    mistake: str
    cell: str               # the answer cell that holds it
    checks: list            # the test cells that check that cell first
    caught: bool            # a check there failed, naming what the cell defines
    named: bool             # its fingerprint named it there
    message: str            # the first failure there (or what was named)
    unseen: str             # why no visible check can catch it (declared), or ""


def own_checks(cells, first, loses=()):
    """Indices of the test cells that check answer cell ``first``: from the first test cell
    after it up to the next answer cell, and the first of the cells ``loses`` names (the
    ``_backward`` of an operation of Assignment 6, say, can only be checked once ``backward``
    exists, by the test cell meant for it)."""
    found = []
    for index in range(first + 1, len(cells)):
        kind = cells[index].kind
        if kind == "test":
            found.append(index)
        elif kind == "answer" and found:
            break
    named = sorted(i for i, cell in enumerate(cells) if cell.grade_id in loses and i > first)
    return sorted(set(found) | set(named[:1]))


def _names_the_cell(message, names):
    return any(re.search(rf"(?<![\w]){re.escape(name)}(?![\w])", message) for name in names)


def measure(spec):
    """``(verdicts, variant problems, seconds)`` for one assignment's declaration."""
    release = COURSE / "release" / spec.ASSIGNMENT / f"{spec.NOTEBOOK}.ipynb"
    answers = solution_cells(COURSE / "source" / spec.ASSIGNMENT / f"{spec.NOTEBOOK}.ipynb")
    cells = notebook_cells(release)
    position = {c.grade_id: i for i, c in enumerate(cells)}
    plans, submissions = {}, {}
    for mistake in spec.MISTAKES:
        theirs = apply_edits(answers, mistake.edits)
        changed = [position[g] for g in theirs if theirs[g] != answers.get(g)]
        first = min(changed)
        checks = own_checks(cells, first, mistake.loses)
        plans[mistake.name] = (mistake, first, checks)
        submissions[mistake.name] = (theirs, checks[-1] if checks else first)
    for variant in spec.VARIANTS:
        submissions[variant.name] = (apply_edits(answers, variant.edits), len(cells) - 1)
    began = time.perf_counter()
    runs = run_submissions(cells, answers, submissions, mode="measure")
    seconds = time.perf_counter() - began
    verdicts = []
    for name, (mistake, first, checks) in plans.items():
        names = bound_names(answers[cells[first].grade_id]) | {cells[first].grade_id}
        mine = {cells[i].grade_id for i in checks}
        seen = [o for o in runs[name].outcomes if o.cell in mine]
        failed = [o for o in seen if o.error]
        caught = bool(failed) and _names_the_cell(failed[0].error, names)
        named = any(name in n["names"] for o in seen for n in o.named)
        message = failed[0].error if failed else next(
            (f"named: {', '.join(n['names'])}" for o in seen for n in o.named), "")
        verdicts.append(Verdict(name, cells[first].grade_id, sorted(mine), caught, named,
                                message, getattr(mistake, "unseen", "")))
    problems = {}
    for variant in spec.VARIANTS:
        run = runs[variant.name]
        wrong = [f"{o.cell}: {o.error}" for o in run.outcomes if o.error]
        wrong += [f"{o.cell}: named {n['names']}" for o in run.outcomes for n in o.named]
        wrong += [f"raised in {c}" for c in run.crashed]
        wrong += [f"fails again at the end (the summary): {c}" for c in run.at_the_end]
        if wrong:
            problems[variant.name] = wrong
    solution = runs["solution"]
    wrong = [f"{o.cell}: {o.error}" for o in solution.outcomes if o.error]
    wrong += [f"raised in {c}" for c in solution.crashed]
    wrong += [f"fails again at the end (the summary): {c}" for c in solution.at_the_end]
    if wrong:
        problems["solution"] = wrong
    return verdicts, problems, seconds


def summary(assignment, verdicts, problems, seconds):
    """The figures of one assignment, as plain data."""
    total = len(verdicts)
    return {
        "assignment": assignment,
        "mistakes": total,
        "caught": sum(v.caught or v.named for v in verdicts),
        "caught_without_fingerprints": sum(v.caught for v in verdicts),
        "named": sum(v.named for v in verdicts),
        "not_caught": [asdict(v) for v in verdicts if not (v.caught or v.named)],
        "variant_problems": problems,
        "seconds": round(seconds, 1),
    }


def _table(figures, verdicts):
    share = figures["caught"] / max(figures["mistakes"], 1)
    lines = [f"## {figures['assignment']}: {figures['mistakes']} planted mistakes, "
             f"{figures['caught']} caught visibly ({share:.0%}; "
             f"{figures['caught_without_fingerprints']} without fingerprints), "
             f"{figures['named']} named; {figures['seconds']:.0f} s", "",
             "| mistake | cell | caught | named | first message, or why not |",
             "|---|---|---|---|---|"]
    for v in verdicts:
        why = v.message if (v.caught or v.named) else (v.unseen or v.message or "(passes)")
        lines.append(f"| {v.mistake} | {v.cell} | {'yes' if v.caught else 'no'} | "
                     f"{'yes' if v.named else 'no'} | {why[:140]} |")
    if figures["variant_problems"]:
        lines += ["", "Correct answers a visible check rejects or names:"]
        lines += [f"- {name}: {'; '.join(p)[:300]}" for name, p in
                  figures["variant_problems"].items()]
    return "\n".join(lines)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("assignments", nargs="*")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    specs = declarations()
    chosen = args.assignments or list(specs)
    results = []
    for assignment in chosen:
        verdicts, problems, seconds = measure(specs[assignment])
        figures = summary(assignment, verdicts, problems, seconds)
        results.append(figures)
        if not args.json:
            print(_table(figures, verdicts), end="\n\n", flush=True)
    if args.json:
        json.dump(results, sys.stdout, indent=1)


if __name__ == "__main__":
    main()
