"""The machine's side of the hub: commands, system users and their passwords, files."""

import csv
import json
import pwd
import secrets
import shlex
import subprocess
from pathlib import Path

from instructor.hub.paths import INSTRUCTOR, INSTRUCTOR_LIB, STATE, VENV

__all__ = ["chown_tree", "created_users", "ensure_users", "log", "login_shell", "passwords",
           "read_roster", "run", "run_as", "user_env", "write", "write_roster"]

# nbgrader's student columns (`nbgrader db student import`), then the LMS's (instructor.lms).
ROSTER_COLUMNS = ("id", "first_name", "last_name", "email", "lms_user_id", "sis_user_id",
                  "sis_login_id", "section")


def log(message):
    """One line of progress on stdout."""
    print(f"[hub] {message}", flush=True)


def run(*command, **kwargs):
    """Run ``command``, raising with its output when it fails."""
    result = subprocess.run(command, capture_output=True, text=True, **kwargs)
    if result.returncode != 0:
        raise RuntimeError(f"{' '.join(map(str, command))} failed ({result.returncode}):\n"
                           f"{result.stdout[-3000:]}\n{result.stderr[-3000:]}")
    return result


def user_env(user, extra=None):
    """A clean environment for ``user``: the hub venv first on PATH, nothing from root's."""
    home = pwd.getpwnam(user).pw_dir
    env = {"HOME": home, "USER": user, "LOGNAME": user, "LANG": "C.UTF-8",
           "PATH": f"{VENV}/bin:/usr/local/bin:/usr/bin:/bin"}
    if user == INSTRUCTOR:
        env["PATH"] = f"{INSTRUCTOR_LIB}/bin:{env['PATH']}"
    env.update(extra or {})
    return env


def run_as(user, *command, cwd=None, check=True, env=None):
    """Run ``command`` as the system user ``user`` (from ``cwd``, default their home)."""
    account = pwd.getpwnam(user)
    result = subprocess.run(command, cwd=cwd or account.pw_dir, env=user_env(user, env),
                            user=account.pw_uid, group=account.pw_gid, extra_groups=[],
                            capture_output=True, text=True)
    if check and result.returncode != 0:
        raise RuntimeError(f"as {user}: {' '.join(map(str, command))} failed "
                           f"({result.returncode}):\n{result.stdout[-4000:]}\n"
                           f"{result.stderr[-4000:]}")
    return result


def login_shell(user, script, cwd=None, check=True):
    """Run ``script`` in ``user``'s login shell (``runuser -l``), as a person who typed it
    would: PATH and the rest come from ``/etc/profile``, nothing from this process."""
    if cwd is not None:
        script = f"cd {shlex.quote(str(cwd))} && {script}"
    result = subprocess.run(["/usr/sbin/runuser", "-l", user, "-c", script],
                            capture_output=True, text=True, env={"TERM": "dumb"},
                            stdin=subprocess.DEVNULL)
    if check and result.returncode != 0:
        raise RuntimeError(f"{user}$ {script} failed ({result.returncode}):\n"
                           f"{result.stdout[-4000:]}\n{result.stderr[-4000:]}")
    return result


def read_roster(path):
    """The students of a roster CSV (``id``, ``first_name``, ``last_name``, ``email``; and
    ``lms_user_id``, ``sis_user_id``, ``sis_login_id``, ``section`` if the LMS is used)."""
    with open(path, newline="") as handle:
        rows = list(csv.DictReader(handle))
    for row in rows:
        if not row.get("id", "").isidentifier() or not row["id"].islower():
            raise ValueError(f"{path}: {row.get('id')!r} is not a usable login "
                             "(lowercase letters, digits and _)")
    return rows


def write_roster(rows, path):
    """The roster with the columns it has, in :data:`ROSTER_COLUMNS`' order."""
    columns = [c for c in ROSTER_COLUMNS if any(row.get(c) for row in rows) or c == "id"]
    with open(path, "w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=columns, extrasaction="ignore")
        writer.writeheader()
        writer.writerows(rows)


def write(path, text, mode=0o644):
    """Write ``text`` to ``path`` (parents made) with ``mode``."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    path.chmod(mode)


def passwords():
    """``{login: password}`` of every hub user made so far (kept root-only in the state folder)."""
    path = STATE / "passwords.json"
    return json.loads(path.read_text()) if path.exists() else {}


def created_users():
    """The system users the hub created (uninstall removes these and no others). A set-up older
    than this record made a password for each user it created, so those count too."""
    path = STATE / "users.json"
    return set(json.loads(path.read_text())) if path.exists() else set(passwords())


def ensure_users(logins):
    """Make (or reuse) a system user per login, home mode 700, each with a password."""
    STATE.mkdir(parents=True, exist_ok=True)
    STATE.chmod(0o700)
    known, created = passwords(), created_users()
    for login in logins:
        try:
            pwd.getpwnam(login)
        except KeyError:
            log(f"creating user {login}")
            run("useradd", "--create-home", "--user-group", "--shell", "/bin/bash", login)
            created.add(login)
        known.setdefault(login, secrets.token_urlsafe(12))
        run("chpasswd", input=f"{login}:{known[login]}\n")
        Path(pwd.getpwnam(login).pw_dir).chmod(0o700)
    write(STATE / "passwords.json", json.dumps(known, indent=1), mode=0o600)
    write(STATE / "users.json", json.dumps(sorted(created)), mode=0o600)
    return {login: known[login] for login in logins}


def chown_tree(path, user):
    """Give ``path`` and everything below it to ``user``."""
    run("chown", "-R", f"{user}:{user}", str(path))
