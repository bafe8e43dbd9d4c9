"""JupyterHub as a background process: ``Hub(options, logins).start()`` ... ``stop()``."""

import os
import pwd
import signal
import socket
import ssl
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path

from instructor.hub.config import HubOptions, hub_config
from instructor.hub.limits import remove_group
from instructor.hub.paths import INSTRUCTOR_LIB, STATE, VENV
from instructor.hub.system import passwords, write

__all__ = ["Hub", "free_port", "running_hub", "unverified_tls"]


def free_port():
    """A TCP port on 127.0.0.1 that nothing listens on now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def unverified_tls():
    """A TLS context that takes any certificate: for the hub's own, on this machine."""
    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    return context


def running_hub():
    """The pid of a hub started from :data:`STATE` that still runs, or None."""
    try:
        pid = int((STATE / "jupyterhub.pid").read_text())
        os.kill(pid, 0)
        return pid if "jupyterhub" in Path(f"/proc/{pid}/cmdline").read_text() else None
    except (OSError, ValueError):
        return None


class Hub:
    """The course's JupyterHub, run in the background from the hub venv."""

    def __init__(self, options=None, logins=None, lti=""):
        self.options = options or HubOptions()
        self.logins = logins or passwords()
        self.lti = lti
        host = "127.0.0.1" if self.options.ip in ("", "0.0.0.0") else self.options.ip
        self.url = f"{self.options.scheme}://{host}:{self.options.port}"
        self.process = None
        self.log_path = STATE / "jupyterhub.log"

    def start(self, timeout=90):
        """Start the hub and wait until its login page answers."""
        if running_hub():
            raise RuntimeError(f"a hub is already running (pid {running_hub()}): stop it first")
        config = STATE / "jupyterhub_config.py"
        write(config, hub_config(self.options, self.logins, free_port(), free_port(), self.lti),
              mode=0o600)
        self.log = open(self.log_path, "w")  # noqa: SIM115  (closed in stop)
        env = {"PATH": f"{VENV}/bin:/usr/sbin:/usr/bin:/sbin:/bin", "LANG": "C.UTF-8",
               "HOME": "/root", "PYTHONPATH": str(INSTRUCTOR_LIB / "lib")}
        self.process = subprocess.Popen([str(VENV / "bin" / "jupyterhub"), "-f", str(config)],
                                        cwd=STATE, env=env, stdout=self.log,
                                        stderr=subprocess.STDOUT, start_new_session=True)
        context = unverified_tls()   # our own certificate, on this machine
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                self.log.close()
                raise RuntimeError(f"JupyterHub exited:\n{self.read_log()[-3000:]}")
            try:
                with urllib.request.urlopen(f"{self.url}/hub/login", timeout=5,
                                            context=context) as response:
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
        """Stop the hub (it stops the proxy, the services and the users' servers), then any
        server left over."""
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=60)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=5)
        stop_processes([pid for login in self.logins for pid in leftover_processes(login)])
        for login in self.logins:
            remove_group(login)
        if self.process is not None:
            self.log.close()


def stop_processes(pids, grace=10):
    """SIGTERM to ``pids``; SIGKILL to those still there after ``grace`` seconds."""
    for pid in pids:
        try:
            os.kill(pid, signal.SIGTERM)
        except ProcessLookupError:
            continue
    deadline = time.monotonic() + grace
    while pids and time.monotonic() < deadline:
        pids = [pid for pid in pids if _alive(pid)]
        time.sleep(0.2)
    for pid in pids:
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass


def _alive(pid):
    """Is ``pid`` running (not gone, not a zombie)?"""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except (OSError, IndexError):
        return False


def leftover_processes(login):
    """Pids of ``login``'s processes still running from the hub venv (servers, kernels, the
    grading service)."""
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
