"""The hub's one-time installs, reused when they are already there.

- :data:`~instructor.hub.paths.VENV`: a world-readable venv from Debian's ``/usr/bin/python3.11``
  (the machine's default ``python3`` may live under a home others cannot enter) with JupyterHub,
  the idle culler, and every pin of the course the seven notebooks and ``workbook`` need,
  PyTorch's CPU build included; the students' package ``workbook`` is copied in (the
  ``instructor`` package is not: it holds planted mistakes close to the solutions).
- :data:`~instructor.hub.paths.PROXY`: configurable-http-proxy from npm.
- Jupyter's settings in the venv (formgrader and create-assignment off for everyone, no news
  pop-ups), nbgrader's exchange and ``/etc/jupyter/nbgrader_config.py``, and
  ``/etc/profile.d/backprop-workbook.sh``, which puts ``nbgrader`` (everyone) and ``workbook``
  (the instructor) on the PATH of every login shell: JupyterLab's Terminal, ``su -``, ssh.
- ``~instructor/.workbook``: the ``instructor`` package and the ``workbook`` command.
"""

import json
import os
import shutil
import subprocess
import tomllib
from pathlib import Path

from instructor.hub.paths import (
    BASE,
    COURSE_ID,
    DEBIAN_PYTHON,
    EXCHANGE,
    INSTRUCTOR,
    INSTRUCTOR_LIB,
    NOT_ON_THE_HUB,
    PROFILE_SCRIPT,
    PROXY,
    PROXY_PACKAGE,
    REPOSITORY,
    SYSTEM_NBGRADER_CONFIG,
    VENV,
    WRITTEN_BY,
)
from instructor.hub.system import chown_tree, log, run, write

__all__ = ["configure_jupyter", "hub_requirements", "install_instructor_package",
           "install_proxy", "install_venv"]

# Only the instructor sees these two nbgrader plugins (labextension ids, server extension).
INSTRUCTOR_LAB_PLUGINS = ("@jupyter/nbgrader:formgrader", "@jupyter/nbgrader:create-assignment")
FORMGRADER = "nbgrader.server_extensions.formgrader"
# No news or update pop-ups in JupyterLab.
LAB_OVERRIDES = {"@jupyterlab/apputils-extension:notification":
                 {"fetchNews": "false", "checkForUpdates": False}}


def hub_requirements():
    """The pip requirements of the hub venv: the course's pins it needs, PyTorch included."""
    project = tomllib.loads((REPOSITORY / "pyproject.toml").read_text())["project"]
    pins = [*project["dependencies"], *project["optional-dependencies"]["torch"]]
    return [pin for pin in pins
            if pin.split("=")[0].split("[")[0].lower() not in NOT_ON_THE_HUB]


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
    installed = not (stamp.exists() and stamp.read_text() == wanted)
    if installed:
        log(f"installing {len(requirements)} packages into {VENV}, PyTorch's CPU build "
            "included (first run: a few minutes) ...")
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
    run("chmod", "-R", "a+rX,go-w", str(site / "workbook"))
    if installed:
        run("chmod", "-R", "a+rX,go-w", str(VENV))


def install_proxy():
    """configurable-http-proxy from npm, in a folder of its own."""
    if not PROXY.exists():
        log(f"installing {PROXY_PACKAGE} from npm ...")
        run("npm", "install", "--silent", "--no-fund", "--no-audit",
            "--prefix", str(PROXY.parents[2]), PROXY_PACKAGE)
        run("chmod", "-R", "a+rX,go-w", str(PROXY.parents[2]))


def profile_script():
    """``/etc/profile.d/backprop-workbook.sh``: the course's commands in every login shell."""
    return (f"# {WRITTEN_BY}: the course's commands in every login shell.\n"
            f'case ":$PATH:" in *":{VENV}/bin:"*) ;; *) PATH="{VENV}/bin:$PATH" ;; esac\n'
            f'if [ "$(id -un)" = {INSTRUCTOR} ]; then PATH="{INSTRUCTOR_LIB}/bin:$PATH"; fi\n'
            "export PATH\n")


def configure_jupyter():
    """Jupyter settings of the venv, the exchange, nbgrader's system config, the login PATH."""
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
          f'"""nbgrader on the backprop-workbook hub ({WRITTEN_BY})."""\n'
          "c = get_config()  # noqa: F821\n"
          f"c.CourseDirectory.course_id = {COURSE_ID!r}\n"
          f"c.Exchange.root = {str(EXCHANGE)!r}\n")
    write(PROFILE_SCRIPT, profile_script())


def install_instructor_package():
    """``~instructor/.workbook``: the ``instructor`` package and a ``workbook`` command that
    finds it without any environment variable (a login shell sets none)."""
    lib = INSTRUCTOR_LIB / "lib"
    shutil.rmtree(INSTRUCTOR_LIB, ignore_errors=True)
    shutil.copytree(REPOSITORY / "instructor", lib / "instructor",
                    ignore=shutil.ignore_patterns("__pycache__"))
    write(INSTRUCTOR_LIB / "bin" / "workbook",
          f"#!{VENV}/bin/python\nimport sys\n\nsys.path.insert(0, {str(lib)!r})\n"
          "from instructor.cli import main  # noqa: E402\n\nsys.exit(main())\n", mode=0o755)
    chown_tree(INSTRUCTOR_LIB, INSTRUCTOR)
    # The hub (root) imports the course's spawner and LTI authenticator from here, the
    # instructor's servers and services the rest: readable by them, nobody else.
    INSTRUCTOR_LIB.chmod(0o700)
