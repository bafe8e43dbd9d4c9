"""What the similarity report costs for a class: ``python benchmarks/similarity_cost.py``.

For each assignment, a class of ``--students`` (default 300) autograded hand-ins is written to
a temporary course: each student hands in the solution or one of the planted variants
(``instructor/authoring/planted/``), plus three small helper functions of their own (so that
every student has code of their own, as real students do); ``--copies`` (default 10) of them hand in
another student's work with every defined name renamed and the functions in reverse order.
Then :func:`instructor.similarity.find_pairs` runs as ``workbook report`` runs it (reading the
notebooks, normalising, fingerprinting, comparing), timed; peak memory is the process's.
Printed per assignment: wall and CPU seconds (the CPU figure holds on a busy machine), pairs
listed, copies found, pairs that are not copies.
"""

import argparse
import json
import random
import resource
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

from test_similarity import PLANTED, disguise, spec_of  # noqa: E402

from instructor.authoring.edits import apply_edits  # noqa: E402
from instructor.authoring.submissions import solution_cells, write_submission  # noqa: E402
from instructor.similarity import find_pairs  # noqa: E402


def helper(rng, number):
    """A student's own small function: different constants, names and shape for each."""
    a, b, c = rng.randint(2, 97), rng.randint(2, 97), rng.randint(2, 9)
    body = rng.choice([f"    return [x * {a} + {b} for x in range({c})]",
                       f"    total = {a}\n    for k in range({c}):\n        total += k * {b}\n"
                       "    return total",
                       f"    if n > {a}:\n        return n % {b}\n    return n ** {c}"])
    return f"\n\ndef own_helper_{number}(n):\n{body}\n"


def write_class(course, spec, students, copies, rng):
    """Autograded hand-ins of ``students`` students; returns the planted copy pairs."""
    name = spec.NOTEBOOK
    release = ROOT / "release" / spec.ASSIGNMENT / f"{name}.ipynb"
    solution = solution_cells(ROOT / "source" / spec.ASSIGNMENT / f"{name}.ipynb")
    choices = [solution] + [apply_edits(solution, v.edits) for v in spec.VARIANTS]
    work = {}
    for number in range(students - copies):
        cells = dict(rng.choice(choices))
        last = list(cells)[-1]
        cells[last] += "".join(helper(rng, f"{number}_{k}") for k in range(3))
        work[f"s{number:03d}"] = cells
    planted = set()
    for number in range(copies):
        original = f"s{rng.randrange(students - copies):03d}"
        copier = f"c{number:03d}"
        work[copier] = {cell: disguise(code) for cell, code in work[original].items()}
        planted.add(tuple(sorted((original, copier))))
    for student, cells in work.items():
        write_submission(release, course / "autograded" / student / spec.ASSIGNMENT
                         / release.name, cells)
    return planted


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--students", type=int, default=300)
    parser.add_argument("--copies", type=int, default=10)
    parser.add_argument("--assignment", nargs="+", default=None,
                        help="planted modules (default: all), e.g. neural_network")
    args = parser.parse_args(argv)
    rng = random.Random(20261203)
    rows, total = [], 0.0
    for module in args.assignment or PLANTED:
        spec = spec_of(module)
        with tempfile.TemporaryDirectory(prefix="similarity-") as folder:
            course = Path(folder)
            for kind in ("source", "release"):
                (course / kind).mkdir()
                (course / kind / spec.ASSIGNMENT).symlink_to(ROOT / kind / spec.ASSIGNMENT)
            planted = write_class(course, spec, args.students, args.copies, rng)
            started, cpu = time.perf_counter(), time.process_time()
            pairs = find_pairs(course, [spec.ASSIGNMENT])
            seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
        found = {(p.student_a, p.student_b) for p in pairs}
        total += cpu
        rows.append({"assignment": spec.ASSIGNMENT, "students": args.students,
                     "seconds": round(seconds, 2), "cpu seconds": round(cpu, 2),
                     "pairs listed": len(pairs),
                     "copies found": f"{len(found & planted)}/{len(planted)}",
                     "pairs not copies": len(found - planted)})
        print(json.dumps(rows[-1]), flush=True)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"all assignments cpu seconds": round(total, 1), "peak MB": round(peak)}))


if __name__ == "__main__":
    main()
