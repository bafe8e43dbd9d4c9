"""Where the hub puts everything it makes: one place, so that set-up, backup and uninstall agree."""

from pathlib import Path

REPOSITORY = Path(__file__).resolve().parents[2]
DEFAULT_ROSTER = REPOSITORY / "hub" / "roster.csv"
COURSE_ID = "backprop-workbook"
PROXY_PACKAGE = "configurable-http-proxy@5.3.0"
DEBIAN_PYTHON = Path("/usr/bin/python3.11")

BASE = Path("/opt/backprop-workbook")
VENV = BASE / "venv"
PROXY = BASE / "proxy" / "node_modules" / ".bin" / "configurable-http-proxy"
STATE = BASE / "state"            # root only: hub config, database, secrets, passwords, logs
# Archives of the term (`backup`, and before every `--reset`): kept by `uninstall`.
BACKUPS = Path("/var/backups/backprop-workbook")
EXCHANGE = Path("/srv/nbgrader/exchange")
SYSTEM_NBGRADER_CONFIG = Path("/etc/jupyter/nbgrader_config.py")
# Read by every login shell (Debian's /etc/profile): the course's commands on PATH.
PROFILE_SCRIPT = Path("/etc/profile.d/backprop-workbook.sh")
# The first line of every file the hub writes outside its own folders (uninstall checks it).
WRITTEN_BY = "written by instructor.hub (bash course.sh hub)"

INSTRUCTOR = "instructor"
COURSE = Path("/home") / INSTRUCTOR / "backprop-workbook"
INSTRUCTOR_LIB = Path("/home") / INSTRUCTOR / ".workbook"
# The course's pins that neither the single-user servers nor `workbook` on the hub need: the
# Dask scheduler, PostgreSQL, the text twins of `course.sh release`, Notebook 7.
NOT_ON_THE_HUB = {"dask", "psycopg", "jupytext", "notebook"}
