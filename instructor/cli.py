"""The ``workbook`` command: ``grade``, ``feedback`` and ``report`` (see README.md)."""

import argparse
import sys
import time
import warnings
from pathlib import Path

from instructor.backup import BackupError
from instructor.course import CourseNotFound, course_assignments, find_course
from instructor.extensions import ExtensionError
from instructor.grading import GradingError, defaults
from instructor.grading.records import GRADES_FILE
from instructor.lms.commands import add_grades_parser, run_grades
from instructor.lms.config import LmsError
from instructor.similarity import DEFAULT_THRESHOLD, threshold
from instructor.vocabulary import Status

DESCRIPTION = """\
Grade an nbgrader course, write feedback pages for the students and a report for you.

Run it inside the course folder (the one with nbgrader_config.py), or name the folder with
--course PATH (before or after the command). Submissions are expected as

    submitted/<student>/<assignment>/<notebook>.ipynb

as nbgrader collects them. Grades go to the gradebook (gradebook.db) and workbook-grades.csv,
graded notebooks to autograded/, feedback pages to feedback/, the report to report/.

commands:
  grade ASSIGNMENT       autograde every student's hand-in of ASSIGNMENT
  feedback ASSIGNMENT    HTML feedback pages for students (no hidden tests)
  report [ASSIGNMENT...] an HTML page and CSV files about the whole class
  serve                  grade every submission as it reaches the exchange, hand out its page
  extend ASSIGNMENT STUDENT...  a later due date for some students, or the late penalty excused
  backup, restore        the term's data (gradebook, submissions, grades) in one archive
  grades push ASSIGNMENT send the scores to the LMS (LTI 1.3 grade passback)

Run "workbook COMMAND --help" for a command's options.
"""

GRADE_HELP = """\
Autograde every submission of ASSIGNMENT, found in submitted/<student>/ASSIGNMENT/.

Each notebook runs in its own sandboxed kernel with limits on time and memory. A student
with a folder under submitted/ or an entry in the gradebook who handed in nothing for
ASSIGNMENT gets status "missing" and 0 points. A hand-in that cannot be read or run keeps
the score it had.
"""

FEEDBACK_HELP = """\
Write feedback/<student>/ASSIGNMENT/<notebook>.html for every graded student, and
feedback/<student>/index.html linking their assignments. Run it after "workbook grade";
"nbgrader release_feedback ASSIGNMENT" then hands the pages out through the exchange.
"""

REPORT_HELP = """\
Write report/report.html (score distributions, the hardest test cells and their most common
errors, the hand-ins to review, every student's totals, pairs of students whose answers are
unusually alike), report/cells.csv (one row per student and graded cell), report/canvas.csv
(totals in Canvas's gradebook import layout) and report/similarity.csv (the alike pairs).
Without ASSIGNMENT: every assignment in the gradebook. With ASSIGNMENTs, the report on just
those goes to report/<ASSIGNMENT>[+<ASSIGNMENT>...]/, so the whole one is never replaced.
"""


SERVE_HELP = """\
Grade every submission as soon as it reaches nbgrader's exchange (a student pressed Submit),
write its feedback page and hand it out, so that the student's Fetch Feedback brings their
score within seconds. Runs until Ctrl+C or SIGTERM; on the course's JupyterHub it runs as a
managed service. Its limits and what a page shows before the due date are set in
nbgrader_config.py (c.GradingService, see README.md). It keeps what it has done in
.workbook/service.sqlite, so a restart loses and repeats nothing; its log is
.workbook/service.log.
"""


EXTEND_HELP = """\
Give STUDENT(s) a later due date for ASSIGNMENT, or excuse them from its late penalty. The
late penalty of workbook grade, nbgrader autograde and formgrader respects it; a hand-in
already graded is graded again at once. The report and the student's feedback page say what
was granted. Kept in .workbook/extensions.json and the gradebook.
"""

BACKUP_HELP = """\
Write the term's data to one archive (.tar.gz): the gradebook, submitted/, autograded/,
feedback/, workbook-grades.csv, the grading service's ledger, extensions, the course's
notebooks and config, and the course's folder in nbgrader's exchange.
"""

RESTORE_HELP = """\
Bring a term back from an archive of workbook backup. What the course folder holds of the
same names is moved into before-restore-<time>/ first, never deleted.
"""


def when(text):
    """An argparse type: a date and time, UTC unless it names a zone."""
    from nbgrader.utils import parse_utc

    try:
        return parse_utc(text)
    except (ValueError, OverflowError, TypeError):
        raise argparse.ArgumentTypeError(f"{text!r} is not a date and time, e.g. "
                                         "'2027-01-20 17:00' or '2027-01-20 17:00 "
                                         "Europe/London'") from None


def positive_int(text):
    """An argparse type: a whole number above zero."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value <= 0:
        raise argparse.ArgumentTypeError(f"{value} must be at least 1")
    return value


def memory_mb(text):
    """An argparse type: megabytes, at least what a kernel needs to start."""
    value = positive_int(text)
    if value < defaults.MEMORY_FLOOR_MB:
        raise argparse.ArgumentTypeError(
            f"{value} MB is too small for a kernel to start: a kernel with numpy and "
            f"matplotlib needs at least {defaults.MEMORY_FLOOR_MB} MB of address space")
    return value


def parser():
    """The ``workbook`` argument parser (plain-text help)."""
    course = argparse.ArgumentParser(add_help=False)
    course.add_argument("--course", type=Path, default=argparse.SUPPRESS, metavar="PATH",
                        help="the course folder, with nbgrader_config.py (default: the folder "
                             "you are in, or the nearest parent with that file)")
    raw = argparse.RawDescriptionHelpFormatter
    main = argparse.ArgumentParser(prog="workbook", description=DESCRIPTION, formatter_class=raw,
                                   parents=[course])
    commands = main.add_subparsers(dest="command", required=True, metavar="COMMAND")

    g = commands.add_parser("grade", parents=[course], formatter_class=raw,
                            help="autograde every submission of an assignment",
                            description=GRADE_HELP)
    g.add_argument("assignment", help="the assignment id, e.g. 01_forward_pass")
    g.add_argument("--jobs", type=positive_int, default=defaults.JOBS, metavar="N",
                   help="notebooks run at the same time (default: the number of cores, "
                        "%(default)s)")
    g.add_argument("--timeout", type=positive_int, default=None, metavar="S",
                   help="time limit per cell in seconds (default: the course's Execute.timeout)")
    g.add_argument("--notebook-timeout", type=positive_int, default=defaults.NOTEBOOK_TIMEOUT_S,
                   metavar="S", help="time limit per notebook in seconds (default: %(default)s)")
    g.add_argument("--memory", type=memory_mb, default=defaults.MEMORY_MB, metavar="MB",
                   help=f"memory cap per student kernel, at least {defaults.MEMORY_FLOOR_MB} "
                        "(default: %(default)s MB)")
    g.add_argument("--student", nargs="+", action="extend", metavar="ID",
                   help="grade only these students")
    g.add_argument("--scheduler", metavar="ADDRESS",
                   help="run the kernels on this Dask cluster instead of local processes")
    g.add_argument("--quiet", action="store_true", help="no progress bar and no table")
    g.add_argument("--timings", nargs="?", const="text", choices=("text", "json"),
                   help="say where the time went (start-up, sanitize, execute, grade, save), "
                        "as a sentence or, with 'json', as one line of JSON")

    f = commands.add_parser("feedback", parents=[course], formatter_class=raw,
                            help="write per-student HTML feedback", description=FEEDBACK_HELP)
    f.add_argument("assignment", help="the assignment id, e.g. 01_forward_pass")
    f.add_argument("--student", nargs="+", action="extend", metavar="ID",
                   help="only these students")

    r = commands.add_parser("report", parents=[course], formatter_class=raw,
                            help="an HTML report and CSV files for the instructor",
                            description=REPORT_HELP)
    r.add_argument("assignment", nargs="*", help="assignment ids (default: all)")

    s = commands.add_parser("serve", parents=[course], formatter_class=raw,
                            help="grade every submission as it arrives", description=SERVE_HELP)
    s.add_argument("--jobs", type=positive_int, default=defaults.JOBS, metavar="N",
                   help="notebooks graded at the same time (default: %(default)s)")
    r.add_argument("--similarity-threshold", type=threshold, default=DEFAULT_THRESHOLD,
                   metavar="SHARE", help="list pairs of students whose answers are at least "
                   "this alike, from 0 to 1 (default: %(default)s)")
    r.add_argument("--canvas-only", action="store_true",
                   help="write only report/canvas-ASSIGNMENT.csv for the named assignments, "
                        "leaving the rest of report/ as it is")

    x = commands.add_parser("extend", parents=[course], formatter_class=raw,
                            help="a later due date, or no late penalty, for some students",
                            description=EXTEND_HELP)
    x.add_argument("assignment", help="the assignment id, e.g. 01_forward_pass")
    x.add_argument("students", nargs="+", metavar="STUDENT")
    how = x.add_mutually_exclusive_group(required=True)
    how.add_argument("--days", type=float, help="days after the assignment's due date")
    how.add_argument("--hours", type=float, help="hours after the assignment's due date")
    how.add_argument("--until", type=when, metavar="DATE", help="a due date of their own")
    how.add_argument("--excuse", action="store_true", help="no late penalty at all")
    how.add_argument("--clear", action="store_true", help="back to the assignment's due date")

    b = commands.add_parser("backup", parents=[course], formatter_class=raw,
                            help="the term's data in one archive", description=BACKUP_HELP)
    b.add_argument("--to", type=Path, metavar="FILE",
                   help="the archive (default: ~/backprop-workbook-backups/COURSE-TIME.tar.gz)")
    t = commands.add_parser("restore", parents=[course], formatter_class=raw,
                            help="bring a term back from an archive", description=RESTORE_HELP)
    t.add_argument("archive", type=Path)
    t.add_argument("--yes", action="store_true", help="do not ask")

    add_grades_parser(commands, [course], raw)
    return main


def main(argv=None):
    # nbgrader's gradebook API triggers SQLAlchemy warnings that mean nothing to a grader.
    warnings.filterwarnings("ignore", module="nbgrader.api")
    args = parser().parse_args(argv)
    try:
        args.course = find_course(getattr(args, "course", None))
        if args.command == "grade":
            factories = _start_factories(args)
            try:
                _check_assignments(args.course, [args.assignment])
                _check_memory(args.course, args.assignment, args.memory)
                return _grade(args, factories)
            finally:
                for factory in factories:
                    factory.discard()
        if args.command == "feedback":
            _check_assignments(args.course, [args.assignment])
            return _feedback(args)
        if args.command == "serve":
            return _serve(args)
        if args.command == "grades":
            return run_grades(args)
        if args.command == "extend":
            _check_assignments(args.course, [args.assignment])
            return _extend(args)
        if args.command in ("backup", "restore"):
            return _backup(args) if args.command == "backup" else _restore(args)
        _check_assignments(args.course, args.assignment)
        return _report(args)
    except (GradingError, CourseNotFound, NothingToDo, LmsError, ExtensionError,
            BackupError) as error:
        print(f"workbook {args.command}: {error}", file=sys.stderr)
        return 2


class NothingToDo(Exception):
    """The command found nothing to work on (it says why)."""


def _check_assignments(root, wanted):
    """Refuse unknown assignment ids, naming the valid ones and the closest."""
    import difflib

    generated, sources = course_assignments(root)
    known = sorted(generated | sources)
    for name in wanted:
        if name in generated:
            continue
        if name in sources:
            raise GradingError(f"assignment {name!r} is in source/ but not in the gradebook yet: "
                               f"run `nbgrader generate_assignment {name}` first")
        close = difflib.get_close_matches(name, known, n=1, cutoff=0.4)
        hint = f" Did you mean {close[0]!r}?" if close else ""
        valid = ", ".join(known) if known else "none (source/ is empty)"
        raise GradingError(f"no assignment {name!r} in this course.{hint} "
                           f"Valid assignments: {valid}")


def _check_memory(root, assignment, memory):
    """Refuse a memory cap too small for this assignment's kernels to start."""
    import json
    import re

    imports_torch = re.compile(r"^\s*(import|from)\s+torch\b", re.M)
    for path in sorted((root / "release" / assignment).glob("*.ipynb")):
        cells = json.loads(path.read_text()).get("cells", [])
        code = "\n".join("".join(c.get("source", "")) for c in cells
                         if c.get("cell_type") == "code")
        if imports_torch.search(code) and memory < defaults.TORCH_MEMORY_FLOOR_MB:
            raise GradingError(
                f"--memory {memory} is too small for {assignment}: {path.name} imports torch, "
                f"and a kernel with torch needs at least {defaults.TORCH_MEMORY_FLOOR_MB} MB "
                "to start and train")


def _start_factories(args):
    """The local workers' kernel factories, started before nbgrader is imported (see
    :mod:`instructor.grading.warmup`); none for a Dask cluster, whose workers start their own."""
    if args.scheduler:
        return []
    from instructor.grading.defaults import Limits
    from instructor.grading.warmup import prestart

    limits = Limits(memory_mb=args.memory, cpu_seconds=args.notebook_timeout)
    return prestart(args.course, args.assignment, args.jobs, limits)


def _grade(args, factories):
    from instructor.extensions import apply_extensions
    from instructor.grading import Options, grade

    apply_extensions(args.course, args.assignment, args.student)
    options = Options(jobs=args.jobs, cell_timeout=args.timeout,
                      notebook_timeout=args.notebook_timeout, memory_mb=args.memory,
                      scheduler=args.scheduler, progress=not args.quiet)
    run = grade(args.course, args.assignment, args.student, options, factories=factories,
                started=time.perf_counter() - _since_process_start())
    from instructor.formgrader import mark_flagged

    mark_flagged(args.course, args.assignment, run.results)
    if not args.quiet:
        print(summary(run.results, run.timings.wall, run.where))
    if args.timings == "json":
        print(run.timings.to_json())
    elif args.timings:
        print(run.timings.line(run.where))
    return 1 if any(r.status == Status.ERROR for r in run.results) else 0


def _since_process_start():
    """Seconds since this process started (its imports included), to the clock tick."""
    import os

    from instructor.grading.sandbox.procfs import proc_stat

    started = int(proc_stat()[19])    # field 22, starttime
    return time.clock_gettime(time.CLOCK_BOOTTIME) - started / os.sysconf("SC_CLK_TCK")


def summary(results, seconds, workers):
    """The table ``workbook grade`` prints; ``workers`` says where the kernels ran."""
    rows = [result.row() for result in results]
    width = max([7, *(len(row["student"]) for row in rows)]) + 2
    lines = ["student".ljust(width) + "score".rjust(8) + "max".rjust(6) + "  status       flags"]
    for row in rows:
        lines.append(row["student"].ljust(width) + (row["score"] or "-").rjust(8)
                     + row["max_score"].rjust(6) + f"  {row['status']:<12} {row['flags']}".rstrip())
    flagged = sum(1 for row in rows if row["flags"])
    students = "1 student" if len(results) == 1 else f"{len(results)} students"
    lines.append(f"\n{students} graded in {seconds:.1f} s on {workers}; "
                 f"{flagged} flagged for review. Scores are in the gradebook and {GRADES_FILE}.")
    return "\n".join(lines)


def _bring_in_formgrader_changes(root):
    """Scores a person changed in formgrader, brought into workbook-grades.csv (and said)."""
    from instructor.formgrader import sync_grade_file

    for student, assignment, old, new in sync_grade_file(root):
        print(f"{GRADES_FILE}: {student}'s {assignment} is now {new:g} (was {old:g}), as "
              "changed in formgrader", file=sys.stderr)


def _feedback(args):
    from instructor.feedback import graded_students, write_feedback

    _bring_in_formgrader_changes(args.course)
    graded = graded_students(args.course, args.assignment)
    if not graded:
        raise NothingToDo(f"nothing to do: no student has a graded submission of "
                          f"{args.assignment} (run `workbook grade {args.assignment}` first)")
    unknown = sorted(set(args.student or ()) - set(graded))
    if unknown:
        raise NothingToDo(f"no graded submission of {args.assignment} from: "
                          f"{', '.join(unknown)}. Graded students: {', '.join(sorted(graded))}")
    for path in write_feedback(args.course, args.assignment, students=args.student):
        print(path)
    return 0


def _extend(args):
    from instructor.extensions import describe, set_extension
    from instructor.grading import Options, grade
    from instructor.grading.records import read_grade_file

    until = args.until
    if args.hours is not None:
        args.days = args.hours / 24
    granted = set_extension(args.course, args.assignment, args.students, until=until,
                            days=args.days, excuse=args.excuse, clear=args.clear)
    for student, extension in granted.items():
        print(f"{student}: {args.assignment} "
              f"{describe(extension) if extension else 'due with the class again'}")
    rows = read_grade_file(args.course)
    graded = [s for s in args.students if (s, args.assignment) in rows
              and (args.course / "submitted" / s / args.assignment).is_dir()]
    if graded:
        print(f"Grading again what {', '.join(graded)} handed in, with the new due date ...")
        run = grade(args.course, args.assignment, graded, Options(progress=False))
        print(summary(run.results, run.timings.wall, run.where))
    return 0


def _course_exchange(root):
    """``(course id, the course's folder in nbgrader's exchange)`` from the course config."""
    from instructor.course import course_config

    config = course_config(root)
    course_id = config.CourseDirectory.get("course_id", "course")
    return course_id, Path(config.Exchange.get("root", root / ".exchange")) / course_id


def _backup(args):
    import time

    from instructor.backup import backup

    course_id, exchange = _course_exchange(args.course)
    target = args.to or (Path.home() / "backprop-workbook-backups"
                         / f"{course_id}-{time.strftime('%Y%m%d-%H%M%S')}.tar.gz")
    manifest = backup(args.course, target, exchange if exchange.is_dir() else None)
    print(f"{target}: {manifest['files']} files, {len(manifest['submissions'])} collected "
          "submissions" + (f", and {exchange}" if manifest["exchange"] else ""))
    return 0


def _restore(args):
    from instructor.backup import read_manifest, restore

    manifest = read_manifest(args.archive)
    print(f"{args.archive}: the term of {manifest['written']} ({manifest['files']} files). "
          f"What {args.course} holds now is moved aside, not deleted.")
    if not args.yes:
        if not sys.stdin.isatty():
            raise NothingToDo("nothing was changed: run it again with --yes")
        if input("Restore it? Type yes to go on: ").strip().lower() != "yes":
            return 1
    _, aside = restore(args.archive, args.course, _course_exchange(args.course)[1])
    print("Restored." + (f" What it replaced is in {aside}." if aside else ""))
    return 0


def _serve(args):
    from instructor.service.service import Service

    Service(args.course, jobs=args.jobs).serve()
    return 0


def _report(args):
    from instructor.report import write_report

    _bring_in_formgrader_changes(args.course)
    if args.canvas_only:
        from instructor.lms.canvas import write_partial

        if not args.assignment:
            raise NothingToDo("--canvas-only needs the assignments to write, e.g. "
                              "workbook report 01_forward_pass --canvas-only")
        written = [write_partial(args.course, args.assignment)]
        if written == [None]:
            raise NothingToDo("nothing to do: none of these assignments has been graded yet")
        print(written[0])
        return 0
    written = write_report(args.course, args.assignment or None, args.similarity_threshold)
    if not written:
        raise NothingToDo("nothing to do: no assignment has been graded yet "
                          "(run `workbook grade ASSIGNMENT` first)")
    for path in written:
        print(path)
    if args.assignment:
        print(f"(a report on {', '.join(args.assignment)} only: the whole class's report in "
              "report/ is left as it was)", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
