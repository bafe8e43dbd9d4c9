"""``bash course.sh hub uninstall``: remove what the hub's set-up made, and nothing else.

The users it created (recorded when it created them) with their home folders, its folder in
``/opt``, nbgrader's exchange in ``/srv``, ``/etc/jupyter/nbgrader_config.py`` and
``/etc/profile.d/backprop-workbook.sh`` (each only if the hub wrote it), and the students'
control groups. Back the term up first (``bash course.sh hub backup``): the instructor's course
copy, with the gradebook, is in the instructor's home.
"""

import os
import pwd
import shutil
import signal
from pathlib import Path

from instructor.hub.limits import CGROUP, GROUP
from instructor.hub.paths import BASE, EXCHANGE, PROFILE_SCRIPT, SYSTEM_NBGRADER_CONFIG
from instructor.hub.server import leftover_processes
from instructor.hub.system import created_users, run

__all__ = ["uninstall", "uninstall_plan"]

# The header of the files the hub writes outside its folders, now and in earlier versions.
OURS = ("written by instructor.hub", "written by instructor/hub.py")


def _ours(path):
    try:
        return any(mark in path.read_text()[:300] for mark in OURS)
    except OSError:
        return False


def uninstall_plan():
    """``(users, paths)`` that :func:`uninstall` removes: only what exists and is the hub's."""
    users = []
    for login in sorted(created_users()):
        try:
            users.append((login, Path(pwd.getpwnam(login).pw_dir)))
        except KeyError:
            continue
    paths = [p for p in (BASE, EXCHANGE.parent) if p.exists()]
    paths += [p for p in (SYSTEM_NBGRADER_CONFIG, PROFILE_SCRIPT) if _ours(p)]
    paths += [p for p in (CGROUP / GROUP, *(CGROUP / h / GROUP for h in ("memory", "cpu",
                                                                        "pids"))) if p.exists()]
    return users, paths


def _remove_group_tree(path):
    """Remove a control group folder and the groups below it (they hold no files)."""
    for child in sorted((p for p in path.iterdir() if p.is_dir()), reverse=True):
        _remove_group_tree(child)
    path.rmdir()


def uninstall():
    """Remove everything in :func:`uninstall_plan` (the hub must be stopped)."""
    users, paths = uninstall_plan()
    for login, _home in users:
        for pid in leftover_processes(login):
            os.kill(pid, signal.SIGKILL)
        run("userdel", "--remove", login)
    for path in paths:
        if path.is_relative_to(CGROUP):
            _remove_group_tree(path)
        elif path.is_dir():
            shutil.rmtree(path)
        else:
            path.unlink()
    etc = SYSTEM_NBGRADER_CONFIG.parent
    if etc.exists() and not any(etc.iterdir()):
        etc.rmdir()
    return users, paths
