"""``workbook grades``: scores to the LMS (``push``) and the tool's key (``key``)."""

import json

__all__ = ["add_grades_parser", "run_grades"]

GRADES_HELP = """\
Send grades to the LMS over LTI Advantage (Assignment and Grade Services).

  push ASSIGNMENT   post every graded student's score (late penalty applied) to the
                    assignment's line item in the LMS, made if missing; missing work stays
                    ungraded; a score changed in the LMS is kept and reported
  key               make the tool's signing key if there is none, and print its public half
                    to register with the LMS

The LMS is set in nbgrader_config.py (c.LtiPlatform.*; README: "Grades in the LMS").
"""


def add_grades_parser(commands, parents, formatter):
    """Add ``grades push`` and ``grades key`` to the ``workbook`` subcommands."""
    grades = commands.add_parser("grades", parents=parents, formatter_class=formatter,
                                 help="send grades to the LMS (LTI 1.3)",
                                 description=GRADES_HELP)
    actions = grades.add_subparsers(dest="action", required=True, metavar="ACTION")
    push = actions.add_parser("push", parents=parents, formatter_class=formatter,
                              help="post an assignment's scores to the LMS",
                              description=GRADES_HELP)
    push.add_argument("assignment", help="the assignment id, e.g. 01_forward_pass")
    push.add_argument("--student", nargs="+", action="extend", metavar="ID",
                      help="only these students")
    actions.add_parser("key", parents=parents, formatter_class=formatter,
                       help="make the tool's key and print its public half",
                       description=GRADES_HELP)


def run_grades(args):
    """Run ``workbook grades ACTION``; return the exit code."""
    from instructor.lms.config import platform

    settings = platform(args.course)
    if args.action == "key":
        from instructor.lms.keys import make_key, public_jwk, public_pem

        key, created = make_key(settings.key_path)
        print(f"{'Made' if created else 'Kept'} the tool's private key: {settings.key_path}")
        print("Public JWK (Canvas: developer key > Public JWK):")
        print(json.dumps(public_jwk(key), indent=1))
        print("Public key (Moodle: external tool > Public key):")
        print(public_pem(key), end="")
        return 0
    from instructor.lms.ags import push_scores

    summary = push_scores(args.course, args.assignment, args.student)
    print("\n".join(summary.lines()))
    return 0

