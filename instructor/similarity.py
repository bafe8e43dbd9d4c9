"""Copying seen: pairs of students whose answers are unusually alike (``workbook report``).

Only the answer cells are compared (nbgrader's solution cells, code), one document per student
and assignment, with copydetect (Lingenfelter's winnowing tool, after Schleimer, Wilkerson
and Aiken's "Winnowing: local algorithms for document fingerprinting", the method of MOSS):

1. **Order-free.** Each answer cell is cut into units (a function, a class with its methods
   sorted the same way, a run of other statements) and the units are sorted by their
   normalised text, so moving functions around changes nothing.
2. **Normalised tokens.** copydetect tokenises with Pygments and writes every variable, function
   and class name as one letter each (``V``, ``F``, ``O``) and every string as ``S``; comments
   and layout are dropped. Renaming variables changes nothing.
3. **Fingerprints.** Every k-gram of :data:`K` normalised characters is hashed; winnowing keeps
   the smallest hash of each :data:`WINDOW` consecutive ones, so any shared run of
   ``K + WINDOW - 1`` characters is found.
4. **Given code removed.** Every k-gram of the release's answer cells (stubs, given lines) and
   of the solution (what every correct answer shares) is boilerplate, as are fingerprints found
   in more than :data:`COMMON` hand-ins (an idiom of the class, as MOSS's ``-m``). Two correct
   answers written like the solution therefore share nothing; what remains is each student's
   own code.
5. **Scored.** For a pair, copydetect measures the share of each student's own code that the
   other has too; their mean is the pair's similarity. A pair is listed when it reaches the
   threshold and shares at least :data:`MIN_SHARED` normalised characters.

The report shows each listed pair side by side, units in the compared order, shared lines
highlighted, and ``report/similarity.csv`` lists them (assignment, student_a, student_b,
similarity), most similar first. Alike is not proof: a pair is a reason to look, nothing more.
"""

import argparse
import csv
import html
import io
import itertools
import json
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

from instructor.vocabulary import grade_id, is_solution, strip_solution_markers

__all__ = ["COMMON", "DEFAULT_THRESHOLD", "K", "MIN_SHARED", "WINDOW", "Pair", "canonical",
           "find_pairs", "pairs_of", "section", "threshold", "write_csv"]

K = 25                   # normalised characters per k-gram (copydetect's noise threshold)
WINDOW = 6               # winnowing window: any shared run of K + WINDOW - 1 = 30 is found
COMMON = 10              # a fingerprint in more hand-ins than this is the class's idiom
MIN_SHARED = 100         # fewer shared normalised characters (about 5 lines) is never listed
DEFAULT_THRESHOLD = 0.5  # `workbook report --similarity-threshold`
SHOWN = 20               # pairs shown side by side per assignment (the CSV has them all)


@dataclass
class Pair:
    """Two students' answers to one assignment, and what they share."""

    assignment: str
    student_a: str
    student_b: str
    similarity: float        # mean of the two shares
    shares: tuple            # (share of a's own code found in b's, the reverse)
    shared: int              # normalised characters of a's code found in b's
    text_a: str
    text_b: str
    lines_a: frozenset       # line numbers (from 0) of text_a holding shared code
    lines_b: frozenset


def threshold(text):
    """An argparse type: a similarity threshold, above 0 and at most 1."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
    if not 0 < value <= 1:
        raise argparse.ArgumentTypeError(f"{value:g} must be above 0 and at most 1")
    return value


def _key(unit):
    """A unit's sort key, the same for any renaming or layout: Python's tokens with every
    name but a keyword as ``V``, strings as ``S``, comments and layout left out."""
    import io
    import keyword
    import tokenize

    skipped = (tokenize.COMMENT, tokenize.NL, tokenize.NEWLINE, tokenize.INDENT,
               tokenize.DEDENT, tokenize.ENDMARKER)
    parts = []
    try:
        for token in tokenize.generate_tokens(io.StringIO(unit).readline):
            if token.type in skipped:
                continue
            if token.type == tokenize.NAME and not keyword.iskeyword(token.string):
                parts.append("V")
            elif token.type == tokenize.STRING:
                parts.append("S")
            else:
                parts.append(token.string)
    except (tokenize.TokenError, SyntaxError):
        return unit
    return " ".join(parts)


def _units(lines, body):
    """The units of a statement list, each a string ending in a newline, sorted."""
    import ast

    def text(start, stop):
        chunk = "".join(lines[start:stop])
        return chunk if chunk.endswith("\n") else chunk + "\n"

    units, run = [], []
    for node in body:
        start = min([node.lineno, *(d.lineno for d in getattr(node, "decorator_list", []))]) - 1
        if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            run.append(text(start, node.end_lineno))
            continue
        if run:
            units.append("".join(run))
            run = []
        if isinstance(node, ast.ClassDef) and len(node.body) > 1:
            header = text(start, node.body[0].lineno - 1)
            units.append(header + "".join(_units(lines, node.body)))
        else:
            units.append(text(start, node.end_lineno))
    if run:
        units.append("".join(run))
    return sorted(units, key=_key)


def canonical(cells):
    """One document of answer cells ``[(label, code)]``: each cell's units sorted, a comment
    line naming the cell above it (comments are not compared)."""
    import ast

    parts = []
    for label, code in cells:
        try:
            tree = ast.parse(code)
            body = "".join(_units(code.splitlines(keepends=True), tree.body))
        except SyntaxError:           # magics, unfinished code: compared as written
            body = code if code.endswith("\n") else code + "\n"
        parts.append(f"# --- {label}\n{body}")
    return "".join(parts)


def answer_cells(notebook, name):
    """``[(label, code)]`` of a notebook's code answer cells (a parsed notebook dict)."""
    return [(f"{name} {grade_id(c)}", "".join(c.get("source", "")))
            for c in notebook.get("cells", []) if is_solution(c) and c.get("cell_type") == "code"]


def _read(path):
    try:
        return json.loads(Path(path).read_text())
    except (OSError, ValueError):
        return {}


def _fingerprint(text, boilerplate, window=WINDOW):
    from copydetect import CodeFingerprint

    return CodeFingerprint("answers.py", K, window, boilerplate=boilerplate,
                           fp=io.StringIO(text), language="python")


def pairs_of(assignment, answers, given, at_least=DEFAULT_THRESHOLD):
    """The listed pairs among ``answers`` (``{student: document}``), most similar first.

    ``given``: documents whose every k-gram is boilerplate (the release's answer cells, the
    solution). Documents are made by :func:`canonical`.
    """
    from copydetect import compare_files
    from copydetect.utils import get_token_coverage

    boilerplate = set()
    for text in given:
        boilerplate |= _fingerprint(text, [], window=1).hashes
    prints = {s: _fingerprint(text, list(boilerplate)) for s, text in answers.items()}
    counts = defaultdict(set)
    for student, fingerprint in prints.items():
        for value in fingerprint.hashes:
            counts[value].add(student)
    common = {value for value, owners in counts.items() if len(owners) > COMMON}
    for fingerprint in prints.values():
        if fingerprint.hashes & common:       # as if the class's idioms were boilerplate
            fingerprint.hashes -= common
            for value in common:
                fingerprint.hash_idx.pop(value, None)
            fingerprint.token_coverage = get_token_coverage(fingerprint.hash_idx, K,
                                                            len(fingerprint.filtered_code))
    candidates = set()
    for value, owners in counts.items():
        if value not in common:
            candidates.update(itertools.combinations(sorted(owners), 2))
    pairs = []
    for a, b in sorted(candidates):
        shared, shares, slices = compare_files(prints[a], prints[b])
        similarity = (shares[0] + shares[1]) / 2
        if shared >= MIN_SHARED and similarity >= at_least:
            pairs.append(Pair(assignment, a, b, float(similarity), tuple(map(float, shares)),
                              int(shared), answers[a], answers[b],
                              _lines(answers[a], slices[0]), _lines(answers[b], slices[1])))
    return sorted(pairs, key=lambda p: (-p.similarity, p.student_a, p.student_b))


def _lines(text, slices):
    """Line numbers (from 0) that the character ranges ``slices`` (2 x N) touch."""
    starts = [0]
    for line in text.splitlines(keepends=True):
        starts.append(starts[-1] + len(line))
    found = set()
    for start, stop in zip(*slices, strict=True):
        first = next(i for i, s in enumerate(starts) if s > start) - 1
        last = next((i for i, s in enumerate(starts) if s >= stop), len(starts)) - 1
        found.update(range(first, last))
    return frozenset(found)


def find_pairs(root, assignments, at_least=DEFAULT_THRESHOLD):
    """The listed pairs of every assignment, from the autograded hand-ins of ``root``."""
    root = Path(root)
    pairs = []
    for assignment in assignments:
        names = sorted(p.stem for p in (root / "release" / assignment).glob("*.ipynb"))
        given = []
        for name in names:
            release = _read(root / "release" / assignment / f"{name}.ipynb")
            source = _read(root / "source" / assignment / f"{name}.ipynb")
            given.append(canonical(answer_cells(release, name)))
            given.append(canonical([(label, strip_solution_markers(code))
                                    for label, code in answer_cells(source, name)]))
        answers = {}
        for folder in sorted((root / "autograded").glob(f"*/{assignment}")):
            cells = []
            for name in names:
                cells += answer_cells(_read(folder / f"{name}.ipynb"), name)
            answers[folder.parent.name] = canonical(cells)
        pairs += pairs_of(assignment, answers, given, at_least)
    return pairs


def write_csv(pairs, path):
    """``assignment, student_a, student_b, similarity`` per pair, most similar first."""
    with open(path, "w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["assignment", "student_a", "student_b", "similarity"])
        for pair in sorted(pairs, key=lambda p: (-p.similarity, p.assignment, p.student_a)):
            writer.writerow([pair.assignment, pair.student_a, pair.student_b,
                             f"{pair.similarity:.3f}"])
    return path


STYLE = """
.pair { display: grid; grid-template-columns: 1fr 1fr; gap: .6rem; }
.pair pre { margin: 0; padding: .4rem; background: #f8f9fa; border: 1px solid #ddd;
            font-size: .78rem; overflow-x: auto; line-height: 1.3; }
.pair mark { background: #ffe066; display: inline-block; width: 100%; }
"""


def _code(text, shared):
    lines = text.splitlines() or [""]
    return "".join(f"<mark>{html.escape(line) or ' '}</mark>\n" if number in shared
                   else f"{html.escape(line)}\n" for number, line in enumerate(lines))


def section(pairs, at_least=DEFAULT_THRESHOLD):
    """The report page's section: each assignment's pairs side by side, most alike first."""
    e = html.escape
    parts = [f"<style>{STYLE}</style><h2 id='similarity'>Similar answers</h2>"
             f"<p class='muted'>Pairs whose answer cells are at least {100 * at_least:.0f}% "
             "alike once the release's code and the solution are taken out, with names and "
             "layout normalised and functions in a fixed order (copydetect's winnowing). "
             "Highlighted lines hold code both wrote. Alike is a reason to look, not proof."
             "</p>"]
    if not pairs:
        parts.append("<p>No pair of students reached the threshold.</p>")
    grouped = defaultdict(list)
    for pair in pairs:
        grouped[pair.assignment].append(pair)
    for assignment, found in grouped.items():
        parts.append(f"<h3>{e(assignment)}: {len(found)} pair{'s' * (len(found) != 1)}</h3>")
        for index, pair in enumerate(found[:SHOWN]):
            summary = (f"{e(pair.student_a)} and {e(pair.student_b)}: "
                       f"{100 * pair.similarity:.0f}% alike ({100 * pair.shares[0]:.0f}% of "
                       f"{e(pair.student_a)}'s own code, {100 * pair.shares[1]:.0f}% of "
                       f"{e(pair.student_b)}'s)")
            parts.append(f"<details{' open' if index < 3 else ''}><summary>{summary}</summary>"
                         f"<div class='pair'><pre>{_code(pair.text_a, pair.lines_a)}</pre>"
                         f"<pre>{_code(pair.text_b, pair.lines_b)}</pre></div></details>")
        if len(found) > SHOWN:
            parts.append(f"<p class='muted'>{len(found) - SHOWN} more in similarity.csv.</p>")
    return "".join(parts)
