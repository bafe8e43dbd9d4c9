"""A throw-away PostgreSQL server for the gradebook tests (Debian's ``postgresql`` package).

PostgreSQL refuses to run as root, so as root the cluster belongs to the ``postgres`` system
user. The server listens on a Unix socket in its temporary folder only, with trust
authentication; it is stopped and deleted on exit.
"""

import contextlib
import glob
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

__all__ = ["PostgresUnavailable", "postgres_server"]


class PostgresUnavailable(Exception):
    """PostgreSQL is not installed or cannot start here (the reason is the message)."""


def _binaries():
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"),
                   key=lambda p: int(Path(p).parts[3]) if Path(p).parts[3].isdigit() else 0)
    if found:
        return Path(found[-1]).parent
    if shutil.which("pg_ctl"):
        return Path(shutil.which("pg_ctl")).resolve().parent
    raise PostgresUnavailable("PostgreSQL is not installed (apt-get install postgresql)")


def _as_owner(command):
    """Run ``command`` as the cluster's owner: ``postgres`` when we are root."""
    if os.geteuid() == 0:
        command = ["runuser", "-u", "postgres", "--", *command]
    result = subprocess.run(command, capture_output=True, text=True, timeout=120)
    if result.returncode != 0:
        raise PostgresUnavailable(f"{' '.join(command)} failed: {result.stderr.strip()}")


@contextlib.contextmanager
def postgres_server(database="gradebook"):
    """Start a server with an empty ``database``; yield its SQLAlchemy URL (psycopg 3)."""
    bin_dir = _binaries()
    folder = Path(tempfile.mkdtemp(prefix="workbook-pg-"))
    data, socket_dir = folder / "data", folder / "socket"
    socket_dir.mkdir()
    if os.geteuid() == 0:
        shutil.chown(folder, "postgres")
        shutil.chown(socket_dir, "postgres")
    started = False
    try:
        _as_owner([str(bin_dir / "initdb"), "-D", str(data), "-A", "trust", "-U", "postgres",
                   "--no-sync"])
        options = f"-c listen_addresses='' -c unix_socket_directories={socket_dir} -c fsync=off"
        _as_owner([str(bin_dir / "pg_ctl"), "-D", str(data), "-o", options, "-w",
                   "-l", str(folder / "server.log"), "start"])
        started = True
        _as_owner([str(bin_dir / "createdb"), "-h", str(socket_dir), "-U", "postgres",
                   database])
        yield f"postgresql+psycopg://postgres@/{database}?host={socket_dir}"
    finally:
        if started:
            _as_owner([str(bin_dir / "pg_ctl"), "-D", str(data), "-m", "fast", "-w", "stop"])
        shutil.rmtree(folder, ignore_errors=True)
