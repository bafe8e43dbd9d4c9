"""How soon does a student see their score after pressing Submit, and how much faster is the warm
grading service than stock nbgrader on one submission?

On throw-away courses built from this repository (each assignment released through a course
exchange of its own), students hand in with the real ``nbgrader submit``; ``workbook serve``
grades them. Two measurements:

1. **Latency** (``--bursts``, default 1 10 50; on ``--assignment``): that many students submit
   at once (the solution, the blank release and planted mistakes in turn); for each, the time
   from the end of its ``nbgrader submit`` to its page being in the exchange, where
   ``nbgrader fetch_feedback`` takes it (median, p95, max), and what one ``fetch_feedback``
   then costs the student.
2. **One submission** (``--assignments``, default all): the warm service (factories started,
   one submission graded before) grading one more, against stock ``nbgrader collect`` +
   ``nbgrader autograde --student`` of the same submission, timed in the same run.

::

    python benchmarks/service_latency.py
    python benchmarks/service_latency.py --bursts 1 10 --assignments 01_forward_pass
"""

import argparse
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from nbgrader.utils import notebook_hash

from instructor.authoring.courses import make_course, nbgrader, venv_env
from instructor.authoring.edits import apply_edits
from instructor.authoring.planted import declarations
from instructor.authoring.students import Student
from instructor.authoring.submissions import solution_cells

ALL = sorted(declarations())
COURSE_ID = "backprop-workbook"


def course_of(base, assignment):
    """A course with ``assignment`` released through its own exchange."""
    folder = Path(tempfile.mkdtemp(dir=base, prefix=f"{assignment}-"))
    course = make_course(folder, [assignment])
    (course / ".exchange").mkdir(exist_ok=True)   # the config makes it too
    nbgrader(course, "release_assignment", assignment)
    return course


def answers(course, assignment, index):
    """The solution, the blank release, then each planted mistake in turn."""
    spec = declarations()[assignment]
    solution = solution_cells(next((course / "source" / assignment).glob("*.ipynb")))
    if index == 0:
        return solution
    if index == 1:
        return None
    return apply_edits(solution, spec.MISTAKES[(index - 2) % len(spec.MISTAKES)].edits)


def serve(course):
    return subprocess.Popen([sys.executable, "-m", "instructor.cli", "serve"], cwd=course,
                            env=venv_env(), stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL, start_new_session=True)


def stop(service):
    os.killpg(service.pid, signal.SIGTERM)
    service.wait(timeout=120)


def page_path(course, student, assignment):
    """Where the page of ``student``'s latest submission lands in the exchange."""
    cache = student.home / ".nbgrader_cache" / COURSE_ID
    latest = sorted(cache.glob(f"{student.name}+{assignment}+*"))[-1]
    secret = (latest / "submission_secret.txt").read_text()
    notebook = next(latest.glob("*.ipynb")).stem
    return course / ".exchange" / COURSE_ID / "feedback" / (
        notebook_hash(secret=secret, notebook_id=notebook) + ".html")


def submit_and_wait(course, students, assignment, timeout=1800):
    """Every student submits at once; ``{student: seconds from submit to page}``."""
    submitted = {}

    def submit(student):
        student.submit(assignment)
        submitted[student.name] = time.perf_counter()

    with ThreadPoolExecutor(len(students)) as pool:
        list(pool.map(submit, students))
    paths = {s.name: page_path(course, s, assignment) for s in students}
    arrived, deadline = {}, time.perf_counter() + timeout
    while len(arrived) < len(paths) and time.perf_counter() < deadline:
        for name, path in paths.items():
            if name not in arrived and path.exists():
                arrived[name] = time.perf_counter()
        time.sleep(0.05)
    missing = set(paths) - set(arrived)
    if missing:
        raise SystemExit(f"no page for {sorted(missing)} after {timeout} s")
    return {name: arrived[name] - submitted[name] for name in paths}


def latency(base, assignment, bursts):
    rows = []
    for size in bursts:
        course = course_of(base, assignment)
        students = [Student(f"s{i:03d}", course.parent / "students" / f"s{i:03d}",
                            course / ".exchange") for i in range(size)]
        for index, student in enumerate(students):
            student.answer(assignment, answers(course, assignment, index))
        service = serve(course)
        try:
            warm = Student("warmup", course.parent / "students" / "warmup", course / ".exchange")
            warm.answer(assignment, answers(course, assignment, 0))
            submit_and_wait(course, [warm], assignment)     # factories warm, as all term
            print(f"latency: a burst of {size} ...", flush=True)
            waits = sorted(submit_and_wait(course, students, assignment).values())
        finally:
            stop(service)
        started = time.perf_counter()
        students[0].feedback(assignment)
        fetch = time.perf_counter() - started
        rows.append((size, statistics.median(waits), _p95(waits), waits[-1], fetch))
    return rows


def _p95(values):
    return values[min(len(values) - 1, round(0.95 * (len(values) - 1)))]


def one_submission(base, assignments):
    rows = []
    for assignment in assignments:
        course = course_of(base, assignment)
        people = [Student(name, course.parent / "students" / name, course / ".exchange")
                  for name in ("warmup", "alex")]
        for student in people:
            student.answer(assignment, answers(course, assignment, 0))
        service = serve(course)
        try:
            submit_and_wait(course, people[:1], assignment)
            print(f"one submission of {assignment} ...", flush=True)
            ours = submit_and_wait(course, people[1:], assignment)["alex"]
        finally:
            stop(service)
        stock = Path(tempfile.mkdtemp(dir=base, prefix="stock-"))
        shutil.copytree(course, stock / "course")
        stock = stock / "course"
        shutil.rmtree(stock / "submitted", ignore_errors=True)
        shutil.rmtree(stock / "autograded", ignore_errors=True)
        config = stock / "nbgrader_config.py"
        exchange = str(stock / ".exchange")
        config.write_text(config.read_text() + f"\nc.Exchange.root = {exchange!r}\n")
        started = time.perf_counter()
        nbgrader(stock, "collect", assignment, "--student", "alex")
        nbgrader(stock, "autograde", assignment, "--student", "alex", "--force")
        theirs = time.perf_counter() - started
        rows.append((assignment, ours, theirs))
    return rows


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--assignment", default=ALL[0], choices=ALL,
                        help="the assignment of the latency bursts")
    parser.add_argument("--bursts", nargs="*", type=int, default=[1, 10, 50])
    parser.add_argument("--assignments", nargs="*", default=ALL, choices=ALL)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        base = Path(tmp)
        waits = latency(base, args.assignment, args.bursts) if args.bursts else []
        single = one_submission(base, args.assignments) if args.assignments else []
    if waits:
        print(f"\n## From `nbgrader submit` to the page in the exchange ({args.assignment}, "
              f"warm service, {os.cpu_count()} cores)\n")
        print(f"{'students at once':>17}{'median s':>10}{'p95 s':>8}{'max s':>8}"
              f"{'fetch_feedback s':>18}")
        for size, median, p95, worst, fetch in waits:
            print(f"{size:>17}{median:>10.1f}{p95:>8.1f}{worst:>8.1f}{fetch:>18.1f}")
    if single:
        print("\n## One submission: the warm service against stock nbgrader collect + "
              "autograde --student\n")
        print(f"{'assignment':<24}{'service s':>10}{'stock s':>9}{'speed-up':>10}")
        for assignment, ours, theirs in single:
            print(f"{assignment:<24}{ours:>10.1f}{theirs:>9.1f}{theirs / ours:>9.1f}x")


if __name__ == "__main__":
    main()
