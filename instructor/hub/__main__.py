"""``python -m instructor.hub [COMMAND]`` (``bash course.sh hub [COMMAND]``): see README.md."""

import argparse
import sys
import time
from pathlib import Path

from instructor import hub
from instructor.backup import BackupError
from instructor.hub.paths import BACKUPS, INSTRUCTOR

USAGE = """\
commands (default: start):
  start      set up (installs reused), then run the hub until Ctrl+C
  backup     write the term (gradebook, submissions, grades, feedback, exchange) to an archive
  restore    bring a term back from an archive (the hub must be stopped)
  uninstall  remove the users, /opt, /srv and /etc files that set-up created
  limits     say how this machine enforces each student's limits
"""


def confirm(question, yes):
    """Ask ``question`` (the answer must be "yes"), unless ``yes``; False without a terminal."""
    if yes:
        return True
    if not sys.stdin.isatty():
        print("Nothing was changed: run it again with --yes to go ahead without a question.",
              file=sys.stderr)
        return False
    return input(f"{question} Type yes to go on: ").strip().lower() == "yes"


def parser():
    main = argparse.ArgumentParser(prog="bash course.sh hub", epilog=USAGE,
                                   formatter_class=argparse.RawDescriptionHelpFormatter)
    commands = main.add_subparsers(dest="command", metavar="COMMAND")
    start = commands.add_parser("start", help="set up and run the hub")
    start.add_argument("--roster", type=Path, default=hub.DEFAULT_ROSTER,
                       help="students CSV: id,first_name,last_name,email and optionally "
                            "lms_user_id,sis_user_id,sis_login_id,section (%(default)s)")
    start.add_argument("--ip", default="127.0.0.1",
                       help="address to listen on; 0.0.0.0 for every interface (%(default)s)")
    start.add_argument("--port", type=int, default=8000, help="port (%(default)s)")
    start.add_argument("--ssl-cert", type=Path, help="TLS certificate (PEM) to serve https")
    start.add_argument("--ssl-key", type=Path, help="its private key (PEM)")
    start.add_argument("--memory", default="2G",
                       help="memory of each student's server and kernels together "
                            "(%(default)s)")
    start.add_argument("--cpus", type=float, default=1.0,
                       help="CPU cores each student may use at once (%(default)s)")
    start.add_argument("--max-servers", type=int, default=0,
                       help="servers running at once; further logins wait (0: no limit)")
    start.add_argument("--spawn-limit", type=int, default=hub.HubOptions().spawn_limit,
                       help="servers starting at once; more logins wait a moment (%(default)s: "
                            "twice the cores)")
    start.add_argument("--idle-minutes", type=float, default=60,
                       help="stop a server idle this long; its files stay (0: never) "
                            "(%(default)s)")
    start.add_argument("--grading-jobs", type=int, default=1,
                       help="notebooks the grading service grades at once (%(default)s)")
    start.add_argument("--no-grading-service", action="store_true",
                       help="do not grade submissions as they arrive")
    start.add_argument("--lti-staff", nargs="+", default=[], metavar="LMS_ID",
                       help=f"LMS user ids that log in as {INSTRUCTOR} (with LTI)")
    start.add_argument("--reset", action="store_true",
                       help="start the term over (says what it deletes, asks, backs up first)")
    start.add_argument("--yes", action="store_true", help="do not ask before --reset")
    backup = commands.add_parser("backup", help="write the term to an archive")
    backup.add_argument("archive", nargs="?", type=Path,
                        help=f"where (default: {BACKUPS}/term-<time>.tar.gz)")
    restore = commands.add_parser("restore", help="bring a term back from an archive")
    restore.add_argument("archive", type=Path)
    restore.add_argument("--yes", action="store_true", help="do not ask")
    remove = commands.add_parser("uninstall", help="remove what set-up created")
    remove.add_argument("--yes", action="store_true", help="do not ask")
    remove.add_argument("--dry-run", action="store_true", help="only list it")
    commands.add_parser("limits", help="how each student's limits are enforced here")
    return main


def start(args):
    roster = hub.read_roster(args.roster)
    if bool(args.ssl_cert) != bool(args.ssl_key):
        raise ValueError("--ssl-cert and --ssl-key go together")
    reset_term = False
    if args.reset:
        plan = hub.reset_plan(roster)
        print("--reset deletes:" if plan else "--reset: there is no term to delete yet.")
        for path, what in plan:
            print(f"  {path}: {what}")
        if plan:
            print(f"It is backed up first into {BACKUPS}.")
            if not confirm("Start the term over?", args.yes):
                return 1
        reset_term = True
    logins = hub.setup(args.roster, reset_term=reset_term)
    options = hub.HubOptions(
        ip=args.ip, port=args.port, memory=args.memory, cpus=args.cpus,
        max_servers=args.max_servers, spawn_limit=args.spawn_limit,
        idle_minutes=args.idle_minutes,
        grading_service=not args.no_grading_service, grading_jobs=args.grading_jobs,
        ssl_cert=str(args.ssl_cert.resolve()) if args.ssl_cert else None,
        ssl_key=str(args.ssl_key.resolve()) if args.ssl_key else None,
        lti_staff=dict.fromkeys(args.lti_staff, INSTRUCTOR))
    lti = hub.lti_settings(roster, options.lti_staff)
    server = hub.Hub(options, logins, lti).start()
    print(f"\nJupyterHub: {server.url}/hub/{'lti13/config' if lti else 'login'}   "
          f"(log: {server.log_path})")
    if not lti:
        for login, password in logins.items():
            role = "instructor" if login == INSTRUCTOR else "student"
            print(f"  {role:10}  {login:12}  {password}")
    from instructor.hub.limits import mechanisms

    print(f"Each student: memory {options.memory}, {options.cpus:g} CPU, "
          f"{options.processes} processes ({mechanisms()}); servers idle "
          f"{options.idle_minutes:g} min are stopped.")
    print(f"Course copy: {hub.COURSE}; grading service log: {hub.COURSE}/.workbook/service.log")
    print("Ctrl+C stops the hub, its services and every server.")
    try:
        while server.process.poll() is None:
            time.sleep(1)
    except KeyboardInterrupt:
        print()
    finally:
        server.stop()
    return 0


def main(argv=None):
    argv = list(sys.argv[1:] if argv is None else argv)
    if not argv or argv[0] not in ("start", "backup", "restore", "uninstall", "limits",
                                   "-h", "--help"):
        argv.insert(0, "start")
    args = parser().parse_args(argv)
    try:
        if args.command == "limits":
            from instructor.hub.limits import mechanisms

            for name, how in mechanisms().items():
                print(f"{name}: {how or 'not enforced on this machine'}")
            return 0
        hub.require_root()
        if args.command == "start":
            return start(args)
        if args.command == "backup":
            target = args.archive or BACKUPS / f"term-{time.strftime('%Y%m%d-%H%M%S')}.tar.gz"
            manifest = hub.backup_term(target)
            if manifest is None:
                print("Nothing to back up: there is no course copy yet.", file=sys.stderr)
                return 1
            print(f"{target}: {manifest['files']} files, "
                  f"{len(manifest['submissions'])} collected submissions")
            return 0
        if args.command == "restore":
            from instructor.backup import read_manifest

            manifest = read_manifest(args.archive)
            print(f"{args.archive}: the term of {manifest['written']}, {manifest['files']} files."
                  f" What {hub.COURSE} holds now is moved aside, not deleted.")
            if not confirm("Restore it?", args.yes):
                return 1
            _, aside = hub.restore_term(args.archive)
            print(f"Restored.{f' The term it replaced is in {aside}.' if aside else ''}")
            return 0
        from instructor.hub.uninstall import uninstall, uninstall_plan

        users, paths = uninstall_plan()
        print("uninstall removes:")
        for login, home in users:
            print(f"  the user {login} and {home}")
        for path in paths:
            print(f"  {path}")
        if args.dry_run or not (users or paths):
            return 0
        if hub.running_hub():
            raise RuntimeError("stop the hub first (Ctrl+C in its terminal)")
        print(f"The gradebook and the students' work go with {hub.COURSE.parent}: "
              "back up first (bash course.sh hub backup FILE, FILE outside /opt).")
        if not confirm("Remove all of this?", args.yes):
            return 1
        uninstall()
        print("Removed.")
        return 0
    except (PermissionError, RuntimeError, ValueError, OSError, BackupError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
