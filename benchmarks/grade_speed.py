"""How much faster is ``workbook grade`` than stock ``nbgrader autograde``, and does it scale?

Three measurements, each on throw-away courses built from this repository's assignments, with
submissions made of the solution, the blank release and the planted mistakes of
``instructor/authoring/planted/`` in turn:

1. **Speed** (``--per-assignment N``, every assignment by default): one copy of the course is
   graded with ``nbgrader autograde``, another with ``workbook grade --jobs J``, one command per
   assignment each as an instructor would run them. Every cell of every student must get the
   same score from both. Printed: seconds per notebook, the speed-up, and where
   ``workbook grade``'s time went (its ``--timings``: start-up, sanitize, execute, kernel
   start-up, grade, save).
2. **Memory** (``--class-sizes``, of ``--class-assignment``): classes of 10, 50 and 200
   submissions graded by ``workbook grade``: seconds per notebook, and the peak memory of the
   whole run (proportional set size summed over the grader, its workers and their kernels,
   sampled every 0.1 s) and of the grader's own process.
3. **Scale-out**: the largest class again, on a Dask ``LocalCluster`` of J workers, beside the
   local workers' figures.

::

    python benchmarks/grade_speed.py                          # all three, 20 per assignment
    python benchmarks/grade_speed.py --per-assignment 6 --no-scale
    python benchmarks/grade_speed.py --no-speed --class-sizes 10 50 200
"""

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from instructor.authoring.courses import make_course, venv_env
from instructor.authoring.edits import apply_edits
from instructor.authoring.planted import declarations
from instructor.authoring.submissions import solution_cells, write_submission
from instructor.grading.records import Timings
from instructor.grading.sandbox.procfs import proc_stat

ALL_ASSIGNMENTS = sorted(declarations())
STEPS = ("start-up", "sanitize", "execute", "kernel start-up", "grade", "save")


def hand_in(course, spec, count):
    """``count`` submissions: solution, blank, then the planted mistakes in turn."""
    name = f"{spec.NOTEBOOK}.ipynb"
    solution = solution_cells(course / "source" / spec.ASSIGNMENT / name)
    mistakes = list(spec.MISTAKES)
    for index in range(count):
        if index == 0:
            answer = solution
        elif index == 1:
            answer = None
        else:
            answer = apply_edits(solution, mistakes[(index - 2) % len(mistakes)].edits)
        target = course / "submitted" / f"s{index:03d}" / spec.ASSIGNMENT / name
        write_submission(course / "release" / spec.ASSIGNMENT / name, target, answer)


class PeakMemory:
    """The peak, over a run, of the memory of this process's descendants (sampled)."""

    def __init__(self, interval=0.1):
        self.interval, self.tree_mb, self.grader_mb = interval, 0.0, 0.0
        self.grader = None          # pid of the command whose own memory is reported apart
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()

    def _sample(self):
        while not self._stop.wait(self.interval):
            total = 0.0
            for pid in _descendants(os.getpid()):
                mb = _pss_mb(pid)
                total += mb
                if pid == self.grader:
                    self.grader_mb = max(self.grader_mb, mb)
            self.tree_mb = max(self.tree_mb, total)


def _descendants(root):
    """The pids of every process below ``root``, from /proc."""
    children = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            parent = int(proc_stat(stat.parent.name)[1])
        except (OSError, ValueError, IndexError):
            continue
        children.setdefault(parent, []).append(int(stat.parent.name))
    found, todo = [], [root]
    while todo:
        for child in children.get(todo.pop(), []):
            found.append(child)
            todo.append(child)
    return found


def _pss_mb(pid):
    """A process's proportional set size (shared pages split between their users), in MB."""
    try:
        with open(f"/proc/{pid}/smaps_rollup") as rollup:
            for line in rollup:
                if line.startswith("Pss:"):
                    return int(line.split()[1]) / 1024
    except OSError:        # gone, or not ours to read
        pass
    return 0.0


def run(command, cwd, memory=None):
    """Run ``command`` in ``cwd``; ``(seconds, stdout)``. Exits with its output if it fails."""
    started = time.perf_counter()
    process = subprocess.Popen(command, cwd=cwd, env=venv_env(), stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True)
    if memory is not None:
        memory.grader = process.pid
    out, err = process.communicate()
    seconds = time.perf_counter() - started
    if process.returncode != 0:
        raise SystemExit(f"{' '.join(command)} failed:\n{out[-3000:]}\n{err[-3000:]}")
    return seconds, out


def workbook_grade(assignment, jobs, *extra):
    return [sys.executable, "-m", "instructor.cli", "grade", assignment, "--jobs", str(jobs),
            "--quiet", "--timings", "json", *extra]


def timings(stdout):
    """``{step: seconds}`` from the JSON line ``workbook grade --timings json`` prints."""
    found = Timings.from_json(stdout.strip().splitlines()[-1])
    return dict(zip(STEPS, (found.startup, found.sanitize, found.execute, found.factories,
                            found.grade, found.save), strict=True))


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


def compare(stock, ours):
    return [f"{'/'.join(key)}: nbgrader {stock.get(key)}, workbook {ours.get(key)}"
            for key in sorted(set(stock) | set(ours)) if stock.get(key) != ours.get(key)]


def speed(base, assignments, count, jobs):
    """Section 1: stock against ours, per assignment; the score differences."""
    course = make_course(Path(tempfile.mkdtemp(dir=base, prefix="course-")), assignments)
    declared = declarations()
    for assignment in assignments:
        hand_in(course, declared[assignment], count)
    stock, ours = base / "stock", base / "workbook"
    for copy in (stock, ours):
        shutil.copytree(course, copy)
    rows = []
    for assignment in assignments:
        print(f"grading {count} of {assignment} ...", flush=True)
        stock_s, _ = run([sys.executable, "-m", "nbgrader", "autograde", assignment,
                          "--force", "--log-level=ERROR"], stock)
        ours_s, out = run(workbook_grade(assignment, jobs), ours)
        rows.append((assignment, count, stock_s, ours_s, timings(out)))
    return rows, compare(cell_scores(stock), cell_scores(ours))


def report_speed(rows, jobs):
    print(f"\n## Speed: stock nbgrader autograde against workbook grade --jobs {jobs}, "
          f"{os.cpu_count()} cores\n")
    print(f"{'assignment':<22}{'notebooks':>10}{'stock s':>9}{'ours s':>8}{'stock s/nb':>11}"
          f"{'ours s/nb':>10}{'speed-up':>9}")
    for assignment, count, stock_s, ours_s, _ in rows:
        print(f"{assignment:<22}{count:>10}{stock_s:>9.1f}{ours_s:>8.1f}{stock_s / count:>11.2f}"
              f"{ours_s / count:>10.2f}{stock_s / ours_s:>8.2f}x")
    count = sum(r[1] for r in rows)
    stock_s, ours_s = sum(r[2] for r in rows), sum(r[3] for r in rows)
    print(f"{'total':<22}{count:>10}{stock_s:>9.1f}{ours_s:>8.1f}{stock_s / count:>11.2f}"
          f"{ours_s / count:>10.2f}{stock_s / ours_s:>8.2f}x")
    print("\nWhere workbook grade's time went, in seconds: start-up is wall time to the first "
          "notebook handed out;\nexecute and kernel start-up are worker time (summed over the "
          "workers); sanitize, grade and save\nare the grader's own process, while the workers "
          "run.\n")
    print(f"{'assignment':<22}" + "".join(f"{step:>17}" for step in STEPS))
    for assignment, _, _, _, split in rows:
        print(f"{assignment:<22}" + "".join(f"{split[step]:>17.1f}" for step in STEPS))


def scale(base, assignment, sizes, jobs, dask):
    """Sections 2 and 3: ``[(label, size, seconds, tree MB, grader MB)]``."""
    spec = declarations()[assignment]
    rows = []
    for size in sizes:
        course = make_course(Path(tempfile.mkdtemp(dir=base, prefix=f"class{size}-")),
                             [assignment])
        hand_in(course, spec, size)
        print(f"grading a class of {size} ({assignment}) on {jobs} local workers ...", flush=True)
        with PeakMemory() as memory:
            seconds, _ = run(workbook_grade(assignment, jobs), course, memory)
        rows.append(("local", size, seconds, memory.tree_mb, memory.grader_mb))
    if dask:
        from distributed import LocalCluster

        print(f"grading the class of {sizes[-1]} on a Dask LocalCluster of {jobs} workers ...",
              flush=True)
        with LocalCluster(n_workers=jobs, threads_per_worker=1, processes=True,
                          host="127.0.0.1", dashboard_address=None) as cluster:
            with PeakMemory() as memory:
                seconds, _ = run(workbook_grade(assignment, jobs, "--scheduler",
                                                cluster.scheduler_address), course, memory)
        rows.append((f"Dask {jobs} workers", sizes[-1], seconds, memory.tree_mb,
                     memory.grader_mb))
    return rows


def report_scale(rows, assignment):
    print(f"\n## Memory and scale-out: classes of {assignment}\n")
    print(f"{'workers':<18}{'class':>6}{'seconds':>9}{'s/notebook':>12}"
          f"{'peak MB, all processes':>24}{'peak MB, grader':>17}")
    for label, size, seconds, tree_mb, grader_mb in rows:
        print(f"{label:<18}{size:>6}{seconds:>9.1f}{seconds / size:>12.2f}{tree_mb:>24.0f}"
              f"{grader_mb:>17.0f}")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--per-assignment", type=int, default=20, metavar="N")
    parser.add_argument("--jobs", type=int, default=os.cpu_count(), metavar="J")
    parser.add_argument("--assignments", nargs="+", default=ALL_ASSIGNMENTS,
                        choices=ALL_ASSIGNMENTS, metavar="ID")
    parser.add_argument("--class-assignment", default=ALL_ASSIGNMENTS[0], choices=ALL_ASSIGNMENTS)
    parser.add_argument("--class-sizes", nargs="+", type=int, default=[10, 50, 200])
    parser.add_argument("--no-speed", action="store_true", help="skip the stock comparison")
    parser.add_argument("--no-scale", action="store_true", help="skip memory and scale-out")
    parser.add_argument("--no-dask", action="store_true", help="skip the Dask run")
    parser.add_argument("--keep", type=Path, help="build the courses here and keep them")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        base = args.keep or Path(tmp)
        base.mkdir(parents=True, exist_ok=True)
        differences = []
        if not args.no_speed:
            rows, differences = speed(base, args.assignments, args.per_assignment, args.jobs)
        if not args.no_scale:
            scaled = scale(base, args.class_assignment, args.class_sizes, args.jobs,
                           not args.no_dask)
        if not args.no_speed:
            report_speed(rows, args.jobs)
        if not args.no_scale:
            report_scale(scaled, args.class_assignment)
        if differences:
            print("\nSCORES DIFFER:\n" + "\n".join("  " + line for line in differences))
            raise SystemExit(1)
        if not args.no_speed:
            print("\nEvery cell of every submission got the same score from both graders.")


if __name__ == "__main__":
    main()
