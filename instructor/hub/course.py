"""The instructor's copy of the course on the hub, and starting a term over (``--reset``).

``~instructor/backprop-workbook`` holds ``source/``, ``release/``, ``nbgrader_config.py`` (the
hub's exchange appended: the course's own config names an exchange inside the course and is
loaded after every other config file), ``roster.csv`` (imported into its gradebook, LMS ids
included) and every assignment generated, so formgrader can release and grade each of them.
"""

import hashlib
import json
import pwd
import shutil
import time
from pathlib import Path

from instructor.hub.paths import (
    BACKUPS,
    COURSE,
    COURSE_ID,
    EXCHANGE,
    INSTRUCTOR,
    INSTRUCTOR_LIB,
    REPOSITORY,
    VENV,
)
from instructor.hub.system import chown_tree, log, run_as, write, write_roster

__all__ = ["course_config", "make_course", "reset", "reset_plan"]

GENERATED = COURSE / ".workbook" / "hub-generated.json"


def course_config():
    """The course's ``nbgrader_config.py``, the hub's settings appended (they must come last)."""
    return ((REPOSITORY / "nbgrader_config.py").read_text()
            + "\n# On the JupyterHub (appended by instructor.hub): the shared exchange.\n"
              f"c.Exchange.root = {str(EXCHANGE)!r}\n")


def _sources_digest():
    digest = hashlib.sha256()
    for path in sorted((REPOSITORY / "source").glob("*/*.ipynb")):
        digest.update(path.relative_to(REPOSITORY).as_posix().encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


def make_course(roster):
    """Copy the course for the instructor, import the roster, generate every assignment (only
    when ``source/`` changed since the last set-up: it takes a minute)."""
    from instructor.hub.install import FORMGRADER, INSTRUCTOR_LAB_PLUGINS

    COURSE.mkdir(parents=True, exist_ok=True)
    for folder in ("source", "release"):
        shutil.copytree(REPOSITORY / folder, COURSE / folder, dirs_exist_ok=True,
                        ignore=shutil.ignore_patterns(".ipynb_checkpoints", "__pycache__"))
    write(COURSE / "nbgrader_config.py", course_config())
    write_roster(roster, COURSE / "roster.csv")
    # The instructor's own Jupyter config: the course from anywhere, formgrader back on.
    jupyter = COURSE.parent / ".jupyter"
    write(jupyter / "nbgrader_config.py",
          "c = get_config()  # noqa: F821\n"
          f"c.CourseDirectory.root = {str(COURSE)!r}\n")
    write(jupyter / "labconfig" / "page_config.json",
          json.dumps({"disabledExtensions": dict.fromkeys(INSTRUCTOR_LAB_PLUGINS, False)}))
    write(jupyter / "jupyter_server_config.json",
          json.dumps({"ServerApp": {"jpserver_extensions": {FORMGRADER: True}}}))
    chown_tree(COURSE.parent, INSTRUCTOR)
    COURSE.parent.chmod(0o700)
    COURSE.chmod(0o700)
    run_as(INSTRUCTOR, "nbgrader", "db", "student", "import", "roster.csv", cwd=COURSE)
    digest = _sources_digest()
    if not GENERATED.exists() or json.loads(GENERATED.read_text()).get("source") != digest:
        started = time.monotonic()
        script = (f"import sys; sys.path.insert(0, {str(INSTRUCTOR_LIB / 'lib')!r})\n"
                  "from instructor.release import generate\nprint(' '.join(generate('.')))")
        made = run_as(INSTRUCTOR, f"{VENV}/bin/python", "-c", script, cwd=COURSE).stdout.split()
        log(f"generated {len(made)} assignments in {time.monotonic() - started:.0f} s: "
            f"{', '.join(made)}")
        write(GENERATED, json.dumps({"source": digest, "assignments": made}))
        chown_tree(GENERATED.parent, INSTRUCTOR)


def _count(path, pattern="*"):
    try:
        return sum(1 for _ in Path(path).glob(pattern))
    except OSError:
        return 0


def reset_plan(roster):
    """What ``--reset`` deletes, as ``[(path, what it holds)]`` (only what exists)."""
    plan = []
    if COURSE.exists():
        plan.append((COURSE, f"the instructor's course copy: its gradebook, "
                             f"{_count(COURSE / 'submitted', '*/*')} collected submissions, "
                             f"{_count(COURSE / 'autograded', '*/*')} graded ones, feedback, "
                             "workbook-grades.csv, the grading service's ledger"))
    exchange = EXCHANGE / COURSE_ID
    if exchange.exists():
        plan.append((exchange, f"the course in nbgrader's exchange: "
                               f"{_count(exchange / 'inbound')} submissions handed in, "
                               f"{_count(exchange / 'outbound')} released assignments, "
                               f"{_count(exchange / 'feedback')} feedback pages"))
    for login in (INSTRUCTOR, *(row["id"] for row in roster)):
        try:
            home = Path(pwd.getpwnam(login).pw_dir)
        except KeyError:
            continue
        found = [home / ".jupyter" / "lab" / "workspaces"]
        if login != INSTRUCTOR:
            found += [p for p in home.iterdir() if (REPOSITORY / "source" / p.name).is_dir()]
            found.append(home / ".local" / "share" / "jupyter" / "nbgrader_cache")
        found = [p for p in found if p.exists()]
        if found:
            plan.append((home, f"{login}'s " + ", ".join(
                p.name if p.parent == home else str(p.relative_to(home)) for p in found)))
    return plan


def reset(roster, backup):
    """Start the term over. ``backup(path)`` is called first with an archive path under
    :data:`BACKUPS` (it returns None if there was nothing to back up); return that path."""
    archive = BACKUPS / f"before-reset-{time.strftime('%Y%m%d-%H%M%S')}.tar.gz"
    BACKUPS.mkdir(parents=True, exist_ok=True)
    BACKUPS.chmod(0o700)
    if backup(archive) is None:
        archive = None
    else:
        log(f"backed up the term to {archive}")
    shutil.rmtree(COURSE, ignore_errors=True)
    shutil.rmtree(EXCHANGE / COURSE_ID, ignore_errors=True)
    for login in (INSTRUCTOR, *(row["id"] for row in roster)):
        try:
            home = Path(pwd.getpwnam(login).pw_dir)
        except KeyError:
            continue
        shutil.rmtree(home / ".jupyter" / "lab" / "workspaces", ignore_errors=True)
        if login != INSTRUCTOR:
            for path in home.iterdir():
                if (REPOSITORY / "source" / path.name).is_dir():
                    shutil.rmtree(path, ignore_errors=True)
            shutil.rmtree(home / ".local" / "share" / "jupyter" / "nbgrader_cache",
                          ignore_errors=True)
    return archive
