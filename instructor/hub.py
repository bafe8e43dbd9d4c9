"""A whole nbgrader term on a real JupyterHub: ``python -m instructor.hub [--roster F] [--port N]``.

Run as root on a Debian machine (``bash course.sh hub``). It makes, or reuses when they are
already there:

- ``/opt/backprop-workbook/venv``: a world-readable venv from Debian's ``/usr/bin/python3.11``
  (the machine's default ``python3`` may live under a home others cannot enter) with
  JupyterHub, the course's pinned JupyterLab and nbgrader, numpy, matplotlib, ipywidgets and the
  students' package ``workbook`` (copied; the ``instructor`` package is not in it, for it holds
  planted mistakes close to the solutions). The single-user servers run from it and need nothing
  under ``/root`` or the repository. ``/opt/backprop-workbook/proxy``: configurable-http-proxy
  from npm. ``/opt/backprop-workbook/state`` (root only): the hub's config, database, cookie
  secret, log and the users' passwords.
- System users: ``instructor`` and one per roster row (``hub/roster.csv``: id, first_name,
  last_name, email), each with a random password kept in the state folder, logging in through
  JupyterHub's default PAM authenticator; home folders are mode 700.
- nbgrader's exchange ``/srv/nbgrader/exchange`` (mode 1777) and ``/etc/jupyter/nbgrader_config.py``
  naming it and the course id. Formgrader and create-assignment are disabled in the venv for
  everyone and enabled again in the instructor's own ``~/.jupyter`` (as nbgrader's demos do).
- ``~instructor/backprop-workbook``: the instructor's copy of the course (``source/``,
  ``release/``, ``nbgrader_config.py``, the roster imported into its gradebook, the assignments
  of :data:`ASSIGNMENTS` generated), and ``~instructor/.workbook`` with the ``instructor``
  package and a ``workbook`` command. The course's ``nbgrader_config.py`` names an exchange inside
  the course and is loaded after every other config file, so the copy gets the hub's exchange
  as a line appended to its own ``nbgrader_config.py``.

Then JupyterHub listens on ``127.0.0.1:PORT`` (LocalProcessSpawner, JupyterLab by default) until
Ctrl+C. Tests use :func:`setup` and :class:`Hub` (``start``/``stop``) instead of :func:`main`.
"""

import argparse
import csv
import json
import os
import pwd
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import tomllib
import urllib.error
import urllib.request
from pathlib import Path

__all__ = ["ASSIGNMENTS", "COURSE", "EXCHANGE", "INSTRUCTOR", "VENV", "Hub", "main",
           "read_roster", "run_as", "setup"]

REPOSITORY = Path(__file__).resolve().parents[1]
DEFAULT_ROSTER = REPOSITORY / "hub" / "roster.csv"
COURSE_ID = "backprop-workbook"
JUPYTERHUB = "jupyterhub==6.1.1"
PROXY_PACKAGE = "configurable-http-proxy@5.3.0"
DEBIAN_PYTHON = Path("/usr/bin/python3.11")

BASE = Path("/opt/backprop-workbook")
VENV = BASE / "venv"
PROXY = BASE / "proxy" / "node_modules" / ".bin" / "configurable-http-proxy"
STATE = BASE / "state"
EXCHANGE = Path("/srv/nbgrader/exchange")
SYSTEM_NBGRADER_CONFIG = Path("/etc/jupyter/nbgrader_config.py")

INSTRUCTOR = "instructor"
COURSE = Path("/home") / INSTRUCTOR / "backprop-workbook"
INSTRUCTOR_LIB = Path("/home") / INSTRUCTOR / ".workbook"
# Generated in the instructor's gradebook at set-up (nbgrader needs an assignment's cells there
# before it can release or grade it). Assignment 1 needs no PyTorch, which the venv lacks.
ASSIGNMENTS = ("01_forward_pass",)
# The course's pins that the single-user servers and `workbook grade` of ASSIGNMENTS do not
# need: the Dask scheduler, PostgreSQL, the text twins of `course.sh release`, Notebook 7.
NOT_ON_THE_HUB = {"dask", "psycopg", "jupytext", "notebook"}
# Only the instructor sees these two nbgrader plugins (labextension ids, server extension).
INSTRUCTOR_LAB_PLUGINS = ("@jupyter/nbgrader:formgrader", "@jupyter/nbgrader:create-assignment")
FORMGRADER = "nbgrader.server_extensions.formgrader"
# No news or update pop-ups in JupyterLab.
LAB_OVERRIDES = {"@jupyterlab/apputils-extension:notification":
                 {"fetchNews": "false", "checkForUpdates": False}}


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
        env["PYTHONPATH"] = str(INSTRUCTOR_LIB / "lib")
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


def read_roster(path):
    """The students of a roster CSV (id, first_name, last_name, email), as dicts."""
    with open(path, newline="") as handle:
        rows = list(csv.DictReader(handle))
    for row in rows:
        if not row.get("id", "").isidentifier() or not row["id"].islower():
            raise ValueError(f"{path}: {row.get('id')!r} is not a usable login "
                             "(lowercase letters, digits and _)")
    return rows


def write(path, text, mode=0o644):
    """Write ``text`` to ``path`` (parents made) with ``mode``."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    path.chmod(mode)


# --- one-time installs -------------------------------------------------------------------------


def hub_requirements():
    """The pip requirements of the hub venv: JupyterHub and the course's pins it needs."""
    project = tomllib.loads((REPOSITORY / "pyproject.toml").read_text())["project"]
    wanted = [pin for pin in project["dependencies"]
              if pin.split("=")[0].split("[")[0].lower() not in NOT_ON_THE_HUB]
    return [JUPYTERHUB, *wanted]


def install_venv():
    """Make (or reuse) the world-readable venv of the hub and the single-user servers."""
    if not DEBIAN_PYTHON.exists() or subprocess.run(
            [str(DEBIAN_PYTHON), "-c", "import ensurepip"], capture_output=True).returncode != 0:
        log("installing Debian's python3.11 and python3.11-venv ...")
        run("apt-get", "update", "-qq")
        run("apt-get", "install", "-y", "-qq", "python3.11", "python3.11-venv",
            env={**os.environ, "DEBIAN_FRONTEND": "noninteractive"})
    BASE.mkdir(parents=True, exist_ok=True)
    BASE.chmod(0o755)
    requirements = hub_requirements()
    stamp = VENV / ".installed"
    wanted = "\n".join(requirements)
    if not (stamp.exists() and stamp.read_text() == wanted):
        log(f"installing {len(requirements)} packages into {VENV} (first run: a few minutes) ...")
        if not (VENV / "bin" / "python").exists():
            run(str(DEBIAN_PYTHON), "-m", "venv", str(VENV))
        run(str(VENV / "bin" / "pip"), "install", "--quiet", *requirements)
        stamp.write_text(wanted)
    site = Path(run(str(VENV / "bin" / "python"), "-c",
                    "import sysconfig; print(sysconfig.get_paths()['purelib'])").stdout.strip())
    # The students' package, copied fresh every time (it is small and may have changed).
    shutil.rmtree(site / "workbook", ignore_errors=True)
    shutil.copytree(REPOSITORY / "workbook", site / "workbook",
                    ignore=shutil.ignore_patterns("__pycache__"))
    run("chmod", "-R", "a+rX,go-w", str(BASE / "venv"))


def install_proxy():
    """configurable-http-proxy from npm, in a folder of its own."""
    if not PROXY.exists():
        log(f"installing {PROXY_PACKAGE} from npm ...")
        run("npm", "install", "--silent", "--no-fund", "--no-audit",
            "--prefix", str(PROXY.parents[2]), PROXY_PACKAGE)
    run("chmod", "-R", "a+rX,go-w", str(PROXY.parents[2]))


def configure_jupyter():
    """Jupyter settings of the venv: instructor-only plugins off, no pop-ups, formgrader framing."""
    etc = VENV / "etc" / "jupyter"
    write(etc / "labconfig" / "page_config.json",
          json.dumps({"disabledExtensions": dict.fromkeys(INSTRUCTOR_LAB_PLUGINS, True)}))
    write(etc / "jupyter_server_config.json", json.dumps({"ServerApp": {
        "jpserver_extensions": {FORMGRADER: False},
        # Formgrader runs in an iframe of JupyterLab (as in nbgrader's demos).
        "tornado_settings": {"headers": {"Content-Security-Policy": "frame-ancestors 'self'"}},
    }}))
    write(VENV / "share" / "jupyter" / "lab" / "settings" / "overrides.json",
          json.dumps(LAB_OVERRIDES))
    EXCHANGE.mkdir(parents=True, exist_ok=True)
    EXCHANGE.parent.chmod(0o755)
    EXCHANGE.chmod(0o1777)
    write(SYSTEM_NBGRADER_CONFIG,
          '"""nbgrader on the backprop-workbook hub (written by instructor/hub.py)."""\n'
          "c = get_config()  # noqa: F821\n"
          f"c.CourseDirectory.course_id = {COURSE_ID!r}\n"
          f"c.Exchange.root = {str(EXCHANGE)!r}\n")


# --- users and the instructor's course -------------------------------------------------------


def passwords():
    """``{login: password}`` of every hub user made so far (kept root-only in the state folder)."""
    path = STATE / "passwords.json"
    return json.loads(path.read_text()) if path.exists() else {}


def ensure_users(logins):
    """Make (or reuse) a system user per login, home mode 700, each with a password."""
    STATE.mkdir(parents=True, exist_ok=True)
    STATE.chmod(0o700)
    known = passwords()
    for login in logins:
        try:
            pwd.getpwnam(login)
        except KeyError:
            log(f"creating user {login}")
            run("useradd", "--create-home", "--user-group", "--shell", "/bin/bash", login)
        known.setdefault(login, secrets.token_urlsafe(12))
        run("chpasswd", input=f"{login}:{known[login]}\n")
        Path(pwd.getpwnam(login).pw_dir).chmod(0o700)
    write(STATE / "passwords.json", json.dumps(known, indent=1), mode=0o600)
    return {login: known[login] for login in logins}


def chown_tree(path, user):
    """Give ``path`` and everything below it to ``user``."""
    run("chown", "-R", f"{user}:{user}", str(path))


def install_instructor_package():
    """``~instructor/.workbook``: the ``instructor`` package and a ``workbook`` command."""
    shutil.rmtree(INSTRUCTOR_LIB, ignore_errors=True)
    shutil.copytree(REPOSITORY / "instructor", INSTRUCTOR_LIB / "lib" / "instructor",
                    ignore=shutil.ignore_patterns("__pycache__"))
    write(INSTRUCTOR_LIB / "bin" / "workbook",
          f"#!{VENV}/bin/python\nimport sys\n\nfrom instructor.cli import main\n\n"
          "sys.exit(main())\n", mode=0o755)
    chown_tree(INSTRUCTOR_LIB, INSTRUCTOR)
    INSTRUCTOR_LIB.chmod(0o700)


def course_config():
    """The course's ``nbgrader_config.py``, the hub's settings appended (they must come last)."""
    return ((REPOSITORY / "nbgrader_config.py").read_text()
            + "\n# On the JupyterHub (appended by instructor/hub.py): the shared exchange.\n"
              f"c.Exchange.root = {str(EXCHANGE)!r}\n")


def make_course(roster, reset):
    """The instructor's copy of the course, its gradebook with the roster and the assignments.

    ``reset`` starts the term over: the copy (gradebook, submissions, grades), the course's
    folder in the exchange, every student's fetched assignments and nbgrader cache, and every
    user's JupyterLab workspaces (the tabs left open) go.
    """
    if reset:
        shutil.rmtree(COURSE, ignore_errors=True)
        shutil.rmtree(EXCHANGE / COURSE_ID, ignore_errors=True)
        for login in (INSTRUCTOR, *(student["id"] for student in roster)):
            home = Path(pwd.getpwnam(login).pw_dir)
            shutil.rmtree(home / ".jupyter" / "lab" / "workspaces", ignore_errors=True)
            if login != INSTRUCTOR:
                for path in (*ASSIGNMENTS, ".local/share/jupyter/nbgrader_cache"):
                    shutil.rmtree(home / path, ignore_errors=True)
    COURSE.mkdir(parents=True, exist_ok=True)
    for folder in ("source", "release"):
        shutil.copytree(REPOSITORY / folder, COURSE / folder, dirs_exist_ok=True,
                        ignore=shutil.ignore_patterns(".ipynb_checkpoints", "__pycache__"))
    write(COURSE / "nbgrader_config.py", course_config())
    with open(COURSE / "roster.csv", "w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=["id", "first_name", "last_name", "email"])
        writer.writeheader()
        writer.writerows({k: row[k] for k in writer.fieldnames} for row in roster)
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
    for assignment in ASSIGNMENTS:
        run_as(INSTRUCTOR, "nbgrader", "generate_assignment", assignment, "--force", cwd=COURSE)


def setup(roster_path=DEFAULT_ROSTER, reset=False):
    """Install, configure and make users and the course; return ``{login: password}``."""
    if os.geteuid() != 0:
        raise PermissionError(
            "instructor.hub must run as root: it installs Debian's python3.11-venv (apt-get), "
            f"writes {BASE}, {EXCHANGE.parent} and {SYSTEM_NBGRADER_CONFIG}, creates system "
            "users with useradd/chpasswd, and JupyterHub's LocalProcessSpawner starts servers "
            "as those users")
    roster = read_roster(roster_path)
    install_venv()
    install_proxy()
    configure_jupyter()
    logins = ensure_users([INSTRUCTOR, *(row["id"] for row in roster)])
    install_instructor_package()
    make_course(roster, reset)
    return logins


# --- the hub -----------------------------------------------------------------------------------


def free_port():
    """A TCP port on 127.0.0.1 that nothing listens on now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def hub_config(port, logins):
    """The text of ``jupyterhub_config.py`` for a hub on 127.0.0.1:``port``."""
    instructor_env = {k: v for k, v in user_env(INSTRUCTOR).items() if k in ("PATH", "PYTHONPATH")}
    return f'''"""JupyterHub of the backprop workbook (written by instructor/hub.py)."""
c = get_config()  # noqa: F821
c.JupyterHub.ip = "127.0.0.1"
c.JupyterHub.port = {port}
c.JupyterHub.hub_ip = "127.0.0.1"
c.JupyterHub.hub_port = {free_port()}
c.ConfigurableHTTPProxy.command = [{str(PROXY)!r}]
c.ConfigurableHTTPProxy.api_url = "http://127.0.0.1:{free_port()}"
c.JupyterHub.db_url = "sqlite:///{STATE}/jupyterhub.sqlite"
c.JupyterHub.cookie_secret_file = "{STATE}/jupyterhub_cookie_secret"
c.JupyterHub.pid_file = "{STATE}/jupyterhub.pid"
# PAM (the default authenticator): the system users and their passwords.
c.Authenticator.allowed_users = {set(logins)!r}
c.Authenticator.admin_users = {{{INSTRUCTOR!r}}}
c.JupyterHub.spawner_class = "jupyterhub.spawner.LocalProcessSpawner"
c.Spawner.cmd = ["{VENV}/bin/jupyterhub-singleuser"]
c.Spawner.default_url = "/lab"
c.Spawner.env_keep = []
c.Spawner.environment = {{"PATH": "{VENV}/bin:/usr/local/bin:/usr/bin:/bin", "LANG": "C.UTF-8"}}
c.Spawner.http_timeout = 60
c.Spawner.start_timeout = 90


def instructor_environment(spawner):
    """The instructor's server also finds the `instructor` package and `workbook` command."""
    if spawner.user.name == {INSTRUCTOR!r}:
        spawner.environment.update({instructor_env!r})


c.Spawner.pre_spawn_hook = instructor_environment
'''


class Hub:
    """JupyterHub as a background process: ``Hub(port).start()`` ... ``stop()``."""

    def __init__(self, port=None, logins=None):
        self.port = port or free_port()
        self.logins = logins or passwords()
        self.url = f"http://127.0.0.1:{self.port}"
        self.process = None
        self.log_path = STATE / "jupyterhub.log"

    def start(self, timeout=60):
        """Start the hub and wait until its login page answers."""
        config = STATE / "jupyterhub_config.py"
        write(config, hub_config(self.port, self.logins), mode=0o600)
        self.log = open(self.log_path, "w")  # noqa: SIM115  (closed in stop)
        env = {"PATH": f"{VENV}/bin:/usr/sbin:/usr/bin:/sbin:/bin", "LANG": "C.UTF-8",
               "HOME": "/root"}
        self.process = subprocess.Popen([str(VENV / "bin" / "jupyterhub"), "-f", str(config)],
                                        cwd=STATE, env=env, stdout=self.log,
                                        stderr=subprocess.STDOUT, start_new_session=True)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                self.log.close()
                raise RuntimeError(f"JupyterHub exited:\n{self.read_log()[-3000:]}")
            try:
                with urllib.request.urlopen(f"{self.url}/hub/login", timeout=5) as response:
                    if response.status == 200:
                        return self
            except (OSError, urllib.error.URLError):
                time.sleep(0.3)
        self.stop()
        raise RuntimeError(f"JupyterHub did not answer in {timeout} s:\n{self.read_log()[-3000:]}")

    def read_log(self):
        """The hub's log so far."""
        return self.log_path.read_text(errors="replace")

    def stop(self):
        """Stop the hub (it stops the proxy and the users' servers), then any server left over."""
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=5)
        for login in self.logins:
            for pid in leftover_servers(login):
                os.kill(pid, signal.SIGTERM)
        if self.process is not None:
            self.log.close()


def leftover_servers(login):
    """Pids of ``login``'s single-user servers still running from the hub venv."""
    uid = pwd.getpwnam(login).pw_uid
    found = []
    for proc in Path("/proc").iterdir():
        try:
            if proc.name.isdigit() and proc.stat().st_uid == uid \
                    and str(VENV) in (proc / "cmdline").read_text():
                found.append(int(proc.name))
        except OSError:
            continue
    return found


def main(argv=None):
    """Set everything up, start the hub, print its address and logins, run until Ctrl+C."""
    parser = argparse.ArgumentParser(prog="python -m instructor.hub", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--roster", type=Path, default=DEFAULT_ROSTER,
                        help="students CSV: id,first_name,last_name,email (default: %(default)s)")
    parser.add_argument("--port", type=int, default=8000, help="port on 127.0.0.1 (%(default)s)")
    parser.add_argument("--reset", action="store_true",
                        help="start the term over: delete the instructor's course copy "
                             "(gradebook, submissions, grades), the exchange and the students' "
                             "fetched assignments")
    args = parser.parse_args(argv)
    try:
        logins = setup(args.roster, reset=args.reset)
    except PermissionError as error:
        print(f"error: {error}.\nRun it as root: sudo {sys.executable} -m instructor.hub",
              file=sys.stderr)
        return 1
    hub = Hub(args.port, logins).start()
    print(f"\nJupyterHub: {hub.url}/hub/login   (log: {hub.log_path})")
    for login, password in logins.items():
        role = "instructor" if login == INSTRUCTOR else "student"
        print(f"  {role:10}  {login:12}  {password}")
    print(f"Course copy: {COURSE}  (as the instructor: cd {COURSE.name} && workbook grade ...)")
    print("Ctrl+C stops the hub and every server.")
    try:
        while hub.process.poll() is None:
            time.sleep(1)
    except KeyboardInterrupt:
        print()
    finally:
        hub.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
