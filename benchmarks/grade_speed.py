"""How much faster is ``workbook grade`` than stock ``nbgrader autograde``, on the same work?

Builds one temporary course with the assignments (all of them by default), hands in N
submissions per assignment (the solution, the blank release and planted mistakes from
``instructor/authoring/planted/``), copies it twice, grades one copy with ``nbgrader autograde``
and the other with ``workbook grade`` (one command per assignment each, as an instructor
would), checks that every cell of every student got the same score from both, and prints
seconds per notebook and the speed-up::

    python benchmarks/grade_speed.py                   # every assignment x 20 submissions
    python benchmarks/grade_speed.py --per-assignment 10 --jobs 2 --assignments 01_forward_pass
"""

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from instructor.authoring.courses import make_course, venv_env
from instructor.authoring.edits import apply_edits
from instructor.authoring.planted import declarations
from instructor.authoring.submissions import solution_cells, write_submission

ALL_ASSIGNMENTS = sorted(declarations())


def hand_in(course, spec, count):
    """``count`` submissions: solution, blank, then the planted mistakes in turn."""
    name = f"{spec.NOTEBOOK}.ipynb"
    solution = solution_cells(course / "source" / spec.ASSIGNMENT / name)
    cells = [solution, None]
    mistakes = list(spec.MISTAKES)
    while len(cells) < count:
        cells.append(apply_edits(solution, mistakes[(len(cells) - 2) % len(mistakes)].edits))
    for index, answer in enumerate(cells[:count]):
        target = course / "submitted" / f"s{index:02d}" / spec.ASSIGNMENT / name
        write_submission(course / "release" / spec.ASSIGNMENT / name, target, answer)


def timed(command, cwd):
    started = time.perf_counter()
    result = subprocess.run(command, cwd=cwd, env=venv_env(), capture_output=True, text=True)
    if result.returncode != 0:
        raise SystemExit(f"{' '.join(command)} failed:\n{result.stdout[-3000:]}"
                         f"\n{result.stderr[-3000:]}")
    return time.perf_counter() - started


def cell_scores(course):
    """``{(assignment, student, cell): score}`` from a course's gradebook."""
    from nbgrader.api import Gradebook

    scores = {}
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gb:
        for assignment in gb.assignments:
            for submission in assignment.submissions:
                for notebook in submission.notebooks:
                    for grade in notebook.grades:
                        key = (assignment.name, submission.student.id, grade.name)
                        scores[key] = grade.score
    return scores


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--per-assignment", type=int, default=20)
    parser.add_argument("--jobs", type=int, default=os.cpu_count())
    parser.add_argument("--assignments", nargs="+", default=ALL_ASSIGNMENTS)
    parser.add_argument("--keep", type=Path, help="build the courses here and keep them")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        base = args.keep or Path(tmp)
        base.mkdir(parents=True, exist_ok=True)
        course = make_course(Path(tempfile.mkdtemp(dir=base, prefix="course-")),
                             args.assignments)
        declared = declarations()
        for assignment in args.assignments:
            hand_in(course, declared[assignment], args.per_assignment)
        stock, ours = base / "stock", base / "workbook"
        for copy in (stock, ours):
            shutil.rmtree(copy, ignore_errors=True)
            shutil.copytree(course, copy)

        rows = []
        for assignment in args.assignments:
            print(f"grading {assignment} ...", flush=True)
            stock_s = timed([sys.executable, "-m", "nbgrader", "autograde", assignment,
                             "--force", "--log-level=ERROR"], stock)
            ours_s = timed([sys.executable, "-m", "instructor.cli", "grade", assignment,
                            "--jobs", str(args.jobs), "--quiet"], ours)
            rows.append((assignment, args.per_assignment, stock_s, ours_s))
        differences = compare(cell_scores(stock), cell_scores(ours))
        report(rows, args.jobs)
        if differences:
            print("\nSCORES DIFFER:")
            for line in differences:
                print("  " + line)
            raise SystemExit(1)
        print("\nEvery cell of every submission got the same score from both graders.")


def compare(stock, ours):
    differences = []
    for key in sorted(set(stock) | set(ours)):
        if stock.get(key) != ours.get(key):
            differences.append(f"{'/'.join(key)}: nbgrader {stock.get(key)}, "
                               f"workbook {ours.get(key)}")
    return differences


def report(rows, jobs):
    print(f"\n{os.cpu_count()} cores; workbook grade --jobs {jobs}\n")
    print(f"{'assignment':<24}{'notebooks':>10}{'stock s':>10}{'workbook s':>12}"
          f"{'stock s/nb':>12}{'ours s/nb':>11}{'speed-up':>10}")
    for assignment, count, stock_s, ours_s in rows:
        print(f"{assignment:<24}{count:>10}{stock_s:>10.1f}{ours_s:>12.1f}"
              f"{stock_s / count:>12.2f}{ours_s / count:>11.2f}{stock_s / ours_s:>9.2f}x")
    count = sum(r[1] for r in rows)
    stock_s, ours_s = sum(r[2] for r in rows), sum(r[3] for r in rows)
    print(f"\ntotal: {count} notebooks, stock {stock_s:.1f} s ({stock_s / count:.2f} s/notebook),"
          f" workbook {ours_s:.1f} s ({ours_s / count:.2f} s/notebook), "
          f"speed-up {stock_s / ours_s:.2f}x")


if __name__ == "__main__":
    main()
