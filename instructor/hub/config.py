"""``jupyterhub_config.py`` of the course's hub, from :class:`HubOptions`.

What it sets up: the address (``--ip``, ``--port``) and TLS (``--ssl-cert``, ``--ssl-key``);
PAM logins for the roster and the instructor, or LTI 1.3 launches from the LMS when the course
config names a platform (``c.LtiPlatform.issuer``); the :class:`~instructor.hub.limits.
LimitedSpawner` with each student's memory, CPU and process limits; and two managed services,
which the hub starts with it, restarts if they die and stops with it:

- ``grading``: ``workbook serve`` as the instructor, in the course copy: every submission graded
  as it reaches the exchange and its feedback page handed out (:mod:`instructor.service`);
- ``idle-culler``: ``jupyterhub-idle-culler``, which stops servers idle for ``--idle-minutes``
  (their files stay; the next login starts a fresh server).
"""

import os
from dataclasses import dataclass, field

from instructor.hub.paths import COURSE, INSTRUCTOR, INSTRUCTOR_LIB, PROXY, STATE, VENV

__all__ = ["HubOptions", "hub_config"]

PATH = f"{VENV}/bin:/usr/local/bin:/usr/bin:/bin"


@dataclass
class HubOptions:
    """How the hub is run (the command line's options; tests set their own)."""

    ip: str = "127.0.0.1"
    port: int = 8000
    ssl_cert: str | None = None
    ssl_key: str | None = None
    memory: str = "2G"               # per student: server, kernels, terminals together
    cpus: float = 1.0
    processes: int = 512
    max_servers: int = 0             # servers running at once (0: no limit)
    # Servers starting at once: more wait (the browser tries again). A server's start is a
    # few seconds of CPU; on 2 cores, six at once took over a minute each.
    spawn_limit: int = max(2, 2 * (os.cpu_count() or 1))
    idle_minutes: float = 60
    grading_service: bool = True
    grading_jobs: int = 1
    lti_staff: dict = field(default_factory=dict)   # {LMS user id: hub user} of the staff
    # How often activity reaches the hub (JupyterHub's default: every 5 minutes). Tests that
    # watch the culler make it shorter.
    activity_seconds: int = 300
    test_token: str | None = None    # an admin API token for tests

    @property
    def scheme(self):
        return "https" if self.ssl_cert else "http"


def _services(options):
    services, roles = [], []
    if options.grading_service:
        services.append({
            "name": "grading", "user": INSTRUCTOR, "cwd": str(COURSE),
            "command": [f"{VENV}/bin/python", f"{INSTRUCTOR_LIB}/bin/workbook", "serve",
                        "--jobs", str(options.grading_jobs)],
            "environment": {"PATH": PATH, "LANG": "C.UTF-8",
                            "PYTHONPATH": f"{INSTRUCTOR_LIB}/lib"},
        })
    if options.idle_minutes:
        timeout = int(options.idle_minutes * 60)
        services.append({
            "name": "idle-culler",
            "command": [f"{VENV}/bin/python", "-m", "jupyterhub_idle_culler",
                        f"--timeout={timeout}",
                        f"--cull-every={max(10, min(600, timeout // 4))}"],
            "environment": {"PATH": PATH, "LANG": "C.UTF-8"},
        })
        roles.append({"name": "idle-culler", "services": ["idle-culler"],
                      "scopes": ["list:users", "read:users:activity", "read:servers",
                                 "delete:servers"]})
    if options.test_token:
        services.append({"name": "term-test", "api_token": options.test_token})
        roles.append({"name": "term-test", "services": ["term-test"],
                      "scopes": ["admin:users", "admin:servers", "access:servers",
                                 "list:services", "read:services"]})
    return services, roles


def _logins(logins, lti):
    """PAM for the roster and the instructor; or the LTI settings (``c.…`` lines)."""
    if lti:
        return f"# LTI 1.3 launches from the LMS (instructor.lms.lti).\n{lti}"
    return ("# PAM (the default authenticator): the system users and their passwords.\n"
            f"c.Authenticator.allowed_users = {set(logins)!r}\n"
            f"c.Authenticator.admin_users = {{{INSTRUCTOR!r}}}\n")


def hub_config(options, logins, hub_port, proxy_port, lti=""):
    """The text of ``jupyterhub_config.py``; ``lti``: LTI settings lines, or '' for PAM."""
    services, roles = _services(options)
    tls = (f"c.JupyterHub.ssl_cert = {options.ssl_cert!r}\n"
           f"c.JupyterHub.ssl_key = {options.ssl_key!r}\n") if options.ssl_cert else ""
    return f'''"""JupyterHub of the backprop workbook (written by instructor.hub)."""
c = get_config()  # noqa: F821
c.JupyterHub.ip = {options.ip!r}
c.JupyterHub.port = {options.port}
{tls}c.JupyterHub.hub_ip = "127.0.0.1"
c.JupyterHub.hub_port = {hub_port}
c.ConfigurableHTTPProxy.command = [{str(PROXY)!r}]
c.ConfigurableHTTPProxy.api_url = "http://127.0.0.1:{proxy_port}"
c.JupyterHub.db_url = "sqlite:///{STATE}/jupyterhub.sqlite"
c.JupyterHub.cookie_secret_file = "{STATE}/jupyterhub_cookie_secret"
c.JupyterHub.pid_file = "{STATE}/jupyterhub.pid"
c.JupyterHub.last_activity_interval = {options.activity_seconds}
c.JupyterHub.active_server_limit = {options.max_servers}
c.JupyterHub.concurrent_spawn_limit = {options.spawn_limit}
{_logins(logins, lti)}
# Each student's server: JupyterLab from the hub venv, within its limits (instructor.hub.limits).
c.JupyterHub.spawner_class = "instructor.hub.limits.LimitedSpawner"
c.Spawner.cmd = ["{VENV}/bin/jupyterhub-singleuser"]
c.Spawner.default_url = "/lab"
c.Spawner.env_keep = []
c.Spawner.environment = {{"PATH": "{PATH}", "LANG": "C.UTF-8",
                          "JUPYTERHUB_ACTIVITY_INTERVAL": "{options.activity_seconds}"}}
c.Spawner.mem_limit = {options.memory!r}
c.Spawner.cpu_limit = {float(options.cpus)!r}
c.LimitedSpawner.pids_limit = {options.processes}
c.Spawner.http_timeout = 180
c.Spawner.start_timeout = 180
# Managed services: started, restarted if they die, and stopped with the hub.
c.JupyterHub.services = {services!r}
c.JupyterHub.load_roles = {roles!r}


def instructor_environment(spawner):
    """formgrader's buttons import the course's nbgrader parts (instructor.nbgrader_hooks)."""
    if spawner.user.name == {INSTRUCTOR!r}:
        spawner.environment.update({{"PATH": "{INSTRUCTOR_LIB}/bin:{PATH}",
                                    "PYTHONPATH": "{INSTRUCTOR_LIB}/lib"}})


c.Spawner.pre_spawn_hook = instructor_environment
'''
