"""A throw-away JupyterHub on loopback for the LTI launch test (no system users, no spawns).

JupyterHub of the course's pins, configurable-http-proxy from npm (installed once into a cache
folder under the system's temp folder), a state folder of its own, the simple spawner (never
started here: the test needs only the login), and a service token for the REST API.
"""

import contextlib
import os
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from instructor.hub import PROXY_PACKAGE

__all__ = ["HubUnavailable", "proxy_command", "throwaway_hub"]

PROXY_CACHE = Path(tempfile.gettempdir()) / f"workbook-{PROXY_PACKAGE.replace('@', '-')}"


class HubUnavailable(Exception):
    """The hub cannot run here (the message says why)."""


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def proxy_command():
    """configurable-http-proxy, installed from npm into :data:`PROXY_CACHE` the first time."""
    binary = PROXY_CACHE / "node_modules" / ".bin" / "configurable-http-proxy"
    if binary.exists():
        return binary
    if not shutil.which("npm"):
        raise HubUnavailable("npm is not installed (configurable-http-proxy comes from npm)")
    PROXY_CACHE.mkdir(parents=True, exist_ok=True)
    result = subprocess.run(["npm", "install", "--silent", "--no-fund", "--no-audit",
                             "--prefix", str(PROXY_CACHE), PROXY_PACKAGE],
                            capture_output=True, text=True, timeout=300)
    if result.returncode != 0 or not binary.exists():
        raise HubUnavailable(f"npm install {PROXY_PACKAGE} failed: {result.stderr[-1000:]}")
    return binary


@contextlib.contextmanager
def throwaway_hub(folder, settings_text):
    """Start JupyterHub with ``settings_text`` (config lines) in ``folder``; yield
    ``(url, api token, log path)``; stop it."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    port, token = free_port(), secrets.token_hex(16)
    secret = folder / "cookie_secret"
    secret.write_text(secrets.token_hex(32))
    secret.chmod(0o600)
    config = folder / "jupyterhub_config.py"
    config.write_text(f'''c = get_config()  # noqa: F821
c.JupyterHub.ip = "127.0.0.1"
c.JupyterHub.port = {port}
c.JupyterHub.hub_ip = "127.0.0.1"
c.JupyterHub.hub_port = {free_port()}
c.ConfigurableHTTPProxy.command = [{str(proxy_command())!r}]
c.ConfigurableHTTPProxy.api_url = "http://127.0.0.1:{free_port()}"
c.JupyterHub.db_url = "sqlite:///{folder}/jupyterhub.sqlite"
c.JupyterHub.cookie_secret_file = "{secret}"
c.JupyterHub.pid_file = "{folder}/jupyterhub.pid"
c.JupyterHub.spawner_class = "simple"
c.JupyterHub.services = [{{"name": "test", "api_token": "{token}"}}]
c.JupyterHub.load_roles = [{{"name": "test", "scopes": ["read:users"], "services": ["test"]}}]
c.LTI13Authenticator.uri_scheme = "http"
{settings_text}''')
    log_path = folder / "jupyterhub.log"
    env = {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}"
                                 f"{os.environ.get('PATH', '')}"}
    with open(log_path, "w") as log:
        process = subprocess.Popen([sys.executable, "-m", "jupyterhub", "-f", str(config)],
                                   cwd=folder, env=env, stdout=log, stderr=subprocess.STDOUT,
                                   start_new_session=True)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"JupyterHub exited:\n{log_path.read_text()[-3000:]}")
            try:
                with urllib.request.urlopen(f"{url}/hub/login", timeout=5) as response:
                    if response.status == 200:
                        break
            except OSError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"JupyterHub did not start:\n{log_path.read_text()[-3000:]}")
            time.sleep(0.3)
        yield url, token, log_path
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, 9)
            process.wait(timeout=5)
