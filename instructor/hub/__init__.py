"""A whole nbgrader term on a real JupyterHub: ``bash course.sh hub`` (see README.md).

Run as root on a Debian machine. :func:`setup` makes, or reuses when they are already there,
the hub venv and proxy (:mod:`.install`), the system users of the roster and the instructor
with their passwords (:mod:`.system`), nbgrader's exchange, the login shells' PATH, and the
instructor's course copy with every assignment generated (:mod:`.course`). :class:`Hub`
(:mod:`.server`) runs JupyterHub from the config of :mod:`.config`: PAM or LTI logins, each
student's server within enforced limits (:mod:`.limits`), the grading service and the idle
culler as managed services. :mod:`.uninstall` removes it all again; ``python -m
instructor.hub --help`` lists the commands (start, backup, restore, uninstall, limits).
"""

import os

from instructor.hub.config import HubOptions
from instructor.hub.course import make_course, reset, reset_plan
from instructor.hub.paths import (
    BACKUPS,
    COURSE,
    COURSE_ID,
    DEFAULT_ROSTER,
    EXCHANGE,
    INSTRUCTOR,
    PROFILE_SCRIPT,
    PROXY_PACKAGE,
    REPOSITORY,
    STATE,
    SYSTEM_NBGRADER_CONFIG,
    VENV,
)
from instructor.hub.server import Hub, free_port, running_hub
from instructor.hub.system import login_shell, read_roster, run_as

__all__ = ["BACKUPS", "COURSE", "COURSE_ID", "DEFAULT_ROSTER", "EXCHANGE", "INSTRUCTOR",
           "PROFILE_SCRIPT", "PROXY_PACKAGE", "REPOSITORY", "STATE", "SYSTEM_NBGRADER_CONFIG",
           "VENV", "Hub", "HubOptions", "backup_term", "free_port", "lti_settings",
           "login_shell", "read_roster", "reset_plan", "restore_term", "run_as", "running_hub",
           "setup"]


def require_root():
    """Raise PermissionError, saying what for, unless this process is root."""
    if os.geteuid() != 0:
        raise PermissionError(
            "instructor.hub must run as root: it installs Debian's python3.11-venv (apt-get), "
            f"writes {VENV.parent}, {EXCHANGE.parent}, {SYSTEM_NBGRADER_CONFIG} and "
            f"{PROFILE_SCRIPT}, creates system users with useradd/chpasswd, and JupyterHub's "
            "LocalProcessSpawner starts servers as those users")


def backup_term(target):
    """Back up the term (the instructor's course copy and the course in the exchange) into
    the archive ``target``; return the manifest (None if there is no course copy yet)."""
    from instructor.backup import backup

    if not COURSE.exists():
        return None
    return backup(COURSE, target, exchange=EXCHANGE / COURSE_ID)


def restore_term(archive):
    """Bring a term back from ``archive`` (the hub must be stopped); what was there is moved
    aside into the course copy's ``before-restore-<time>/``."""
    from instructor.backup import restore

    if running_hub():
        raise RuntimeError("stop the hub before a restore (Ctrl+C in its terminal)")
    from instructor.hub.system import chown_tree

    COURSE.mkdir(parents=True, exist_ok=True)
    manifest, aside = restore(archive, COURSE, exchange=EXCHANGE / COURSE_ID)
    if aside is not None:          # made by root here; what it holds was the instructor's
        chown_tree(aside, INSTRUCTOR)
    return manifest, aside


def lti_settings(roster, staff, course=REPOSITORY):
    """The hub config's LTI lines when the config of ``course`` names an LMS, else ''."""
    from instructor.lms.config import platform
    from instructor.lms.lti import hub_config_lines, lti_hub_settings

    found = platform(course)
    if not found.issuer:
        return ""
    return hub_config_lines(lti_hub_settings(found, roster, staff))


def setup(roster_path=DEFAULT_ROSTER, reset_term=False):
    """Install, configure and make users and the course; return ``{login: password}``.

    ``reset_term``: start the term over (backed up first into :data:`BACKUPS`; the command
    line asks before it calls this).
    """
    from instructor.hub import install
    from instructor.hub.system import ensure_users

    require_root()
    roster = read_roster(roster_path)
    install.install_venv()
    install.install_proxy()
    install.configure_jupyter()
    logins = ensure_users([INSTRUCTOR, *(row["id"] for row in roster)])
    install.install_instructor_package()
    if reset_term:
        reset(roster, backup_term)
    make_course(roster)
    return logins
