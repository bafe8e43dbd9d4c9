"""The ``workbook`` command: ``workbook grade`` and ``workbook feedback`` (see README.md)."""

import argparse
import sys
import time
import warnings
from pathlib import Path

from instructor.grading import GradingError, Options, defaults, grade, summary
from instructor.vocabulary import Status


def main(argv=None):
    # nbgrader's gradebook API triggers SQLAlchemy warnings that mean nothing to a grader.
    warnings.filterwarnings("ignore", module="nbgrader.api")
    parser = argparse.ArgumentParser(prog="workbook", description=__doc__)
    parser.add_argument("--course", type=Path, default=Path.cwd(),
                        help="the course folder, with nbgrader_config.py (default: here)")
    commands = parser.add_subparsers(dest="command", required=True)

    g = commands.add_parser("grade", help="autograde every submission of an assignment")
    g.add_argument("assignment")
    g.add_argument("--jobs", type=int, default=defaults.JOBS,
                   help="notebooks run at the same time (default: the number of cores)")
    g.add_argument("--timeout", type=int, default=None, metavar="S",
                   help="time limit per cell in seconds (default: the course's Execute.timeout)")
    g.add_argument("--notebook-timeout", type=int, default=defaults.NOTEBOOK_TIMEOUT_S,
                   metavar="S", help="time limit per notebook in seconds (default: %(default)s)")
    g.add_argument("--memory", type=int, default=defaults.MEMORY_MB, metavar="MB",
                   help="memory cap per student kernel (default: %(default)s MB)")
    g.add_argument("--student", nargs="+", action="extend", metavar="ID",
                   help="grade only these students")
    g.add_argument("--scheduler", metavar="ADDRESS",
                   help="run the kernels on this Dask cluster instead of local processes")
    g.add_argument("--quiet", action="store_true", help="no progress bar and no table")

    f = commands.add_parser("feedback", help="write per-student HTML feedback")
    f.add_argument("assignment")
    f.add_argument("--student", nargs="+", action="extend", metavar="ID")

    args = parser.parse_args(argv)
    try:
        if args.command == "grade":
            return _grade(args)
        return _feedback(args)
    except GradingError as error:
        print(f"workbook {args.command}: {error}", file=sys.stderr)
        return 2


def _grade(args):
    options = Options(jobs=args.jobs, cell_timeout=args.timeout,
                      notebook_timeout=args.notebook_timeout, memory_mb=args.memory,
                      students=args.student, scheduler=args.scheduler, progress=not args.quiet)
    started = time.perf_counter()
    results = grade(args.course, args.assignment, options)
    where = f"Dask at {args.scheduler}" if args.scheduler else f"{args.jobs} local workers"
    if not args.quiet:
        print(summary(results, time.perf_counter() - started, where))
    return 1 if any(r.status == Status.ERROR for r in results) else 0


def _feedback(args):
    from instructor.feedback import write_feedback

    paths = write_feedback(args.course, args.assignment, students=args.student)
    for path in paths:
        print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
