"""A throw-away JupyterLab server on loopback, for the browser test of the student path."""

import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from instructor.authoring.courses import venv_env

# The notebook is done when the kernel is idle and no cell waits with a [*] prompt.
DONE = """() => {
    const state = document.querySelector('.jp-Notebook-ExecutionIndicator');
    const prompts = [...document.querySelectorAll('.jp-InputArea-prompt')];
    return state && state.dataset.status === 'idle'
        && !prompts.some(p => p.textContent.includes('*'));
}"""

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic",
]
# No news pop-up and no update check in the screenshots.
QUIET_SETTINGS = {
    "@jupyterlab/apputils-extension/notification.jupyterlab-settings":
        {"fetchNews": "false", "checkForUpdates": False},
}


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class LabServer:
    """JupyterLab serving ``root`` on 127.0.0.1 with a random token; stop it with ``stop``."""

    def __init__(self, root, state):
        self.root, self.state = Path(root), Path(state)
        self.port, self.token = free_port(), secrets.token_hex(16)
        self.url = f"http://127.0.0.1:{self.port}"
        self.process = None

    def start(self, timeout=60):
        settings = self.state / "settings"
        for name, values in QUIET_SETTINGS.items():
            (settings / name).parent.mkdir(parents=True, exist_ok=True)
            (settings / name).write_text(json.dumps(values))
        (self.state / "workspaces").mkdir(parents=True, exist_ok=True)
        env = venv_env(drop=("JPY_SESSION_NAME", "WORKBOOK_PICTURES"))
        command = [
            sys.executable, "-m", "jupyter", "lab", "--no-browser",
            "--ServerApp.ip=127.0.0.1", f"--ServerApp.port={self.port}",
            "--ServerApp.port_retries=0", f"--IdentityProvider.token={self.token}",
            f"--ServerApp.root_dir={self.root}",
            f"--LabApp.user_settings_dir={settings}",
            f"--LabApp.workspaces_dir={self.state / 'workspaces'}",
        ]
        if hasattr(os, "geteuid") and os.geteuid() == 0:
            command.append("--allow-root")
        self.log = open(self.state / "server.log", "w")  # noqa: SIM115  (closed in stop)
        self.process = subprocess.Popen(command, cwd=self.root, env=env, stdout=self.log,
                                        stderr=subprocess.STDOUT, start_new_session=True)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"JupyterLab exited: {self.read_log()[-3000:]}")
            try:
                self.api("status")
                return self
            except OSError:
                time.sleep(0.3)
        self.stop()
        raise RuntimeError(f"JupyterLab did not answer in {timeout} s: {self.read_log()[-3000:]}")

    def api(self, path):
        request = urllib.request.Request(f"{self.url}/api/{path}",
                                         headers={"Authorization": f"token {self.token}"})
        with urllib.request.urlopen(request, timeout=5) as response:
            return json.loads(response.read())

    def notebook(self, relative):
        """The saved notebook at ``relative`` (to the root), as nbformat JSON."""
        return self.api(f"contents/{relative}?content=1")["content"]

    def page(self, relative):
        """Address of ``relative`` in a fresh workspace (``reset``: no tabs from earlier pages)."""
        return f"{self.url}/lab/tree/{relative}?reset&token={self.token}"

    def read_log(self):
        return (self.state / "server.log").read_text(errors="replace")

    def stop(self):
        """Stop the server we started (its own process group), then close the log."""
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=5)
        self.log.close()
