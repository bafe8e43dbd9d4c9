"""Per-student limits on the hub: each single-user server's memory, CPU and processes, enforced.

JupyterHub's ``LocalProcessSpawner`` only passes ``mem_limit`` and ``cpu_limit`` on as
environment variables. :class:`LimitedSpawner` enforces them: every server, and every kernel and
terminal it starts, runs in a control group of its own student's
(``backprop-workbook/<user>``), with what this machine's kernel offers (:func:`mechanisms`):

- cgroup v2 with the memory and cpu controllers: ``memory.max``, ``cpu.max``, ``pids.max``;
- otherwise the cgroup v1 hierarchies that are mounted and writable: ``memory.limit_in_bytes``,
  ``cpu.cfs_quota_us``, ``pids.max``;
- otherwise memory only, per process: ``RLIMIT_AS`` (a kernel's too-large allocation fails
  with ``MemoryError``), and no CPU limit.

With a control group, a student whose kernels use more memory than their limit loses the
largest process, their kernel (Linux's OOM killer, within their group only); the server lives
on, JupyterLab says the kernel died and restarts it, and their files, on disk in their home,
are untouched. CPU beyond the limit is throttled, not killed.
"""

import os
import resource
from pathlib import Path

from jupyterhub.spawner import LocalProcessSpawner
from traitlets import Int

__all__ = ["LimitedSpawner", "mechanisms"]

CGROUP = Path("/sys/fs/cgroup")
GROUP = "backprop-workbook"
PERIOD_US = 100_000
V1_FILES = {"memory": "memory.limit_in_bytes", "cpu": "cpu.cfs_quota_us", "pids": "pids.max"}


def _writable(path):
    return path.is_dir() and os.access(path, os.W_OK)


def mechanisms(root=CGROUP):
    """``{"memory": how, "cpu": how, "pids": how}``, each ``"cgroup v2"``, ``"cgroup v1"``,
    ``"rlimit"`` (memory only) or ``None`` (not enforced), for this machine now."""
    found = {"memory": "rlimit", "cpu": None, "pids": None}
    try:
        v2 = (root / "cgroup.controllers").read_text().split()
    except OSError:
        v2 = []
    if v2 and _writable(root):
        for name in found:
            if name in v2:
                found[name] = "cgroup v2"
        return found
    for name in found:       # a v1 hierarchy of its own, mounted at root/name
        if _writable(root / name) and (root / name / "cgroup.procs").exists() and any(
                (root / name / f).exists() for f in (V1_FILES[name], "cgroup.clone_children")):
            found[name] = "cgroup v1"
    return found


def _settings(how, memory, cpus, pids):
    """``{(hierarchy folder or None, file): value}`` of one student's group."""
    values = {}
    if how["memory"] == "cgroup v2" and memory:
        values[(None, "memory.max")] = str(memory)
        values[(None, "memory.swap.max")] = "0"
    elif how["memory"] == "cgroup v1" and memory:
        values[("memory", "memory.limit_in_bytes")] = str(memory)
    if how["cpu"] == "cgroup v2" and cpus:
        values[(None, "cpu.max")] = f"{int(cpus * PERIOD_US)} {PERIOD_US}"
    elif how["cpu"] == "cgroup v1" and cpus:
        values[("cpu", "cpu.cfs_period_us")] = str(PERIOD_US)
        values[("cpu", "cpu.cfs_quota_us")] = str(int(cpus * PERIOD_US))
    if how["pids"] == "cgroup v2" and pids:
        values[(None, "pids.max")] = str(pids)
    elif how["pids"] == "cgroup v1" and pids:
        values[("pids", "pids.max")] = str(pids)
    return values


def prepare_group(user, memory, cpus, pids, root=CGROUP):
    """Make ``user``'s groups with their limits; return the ``cgroup.procs`` files a new
    process joins (empty without control groups)."""
    how = mechanisms(root)
    settings = _settings(how, memory, cpus, pids)
    folders = {}
    for (hierarchy, _), _value in settings.items():
        base = root if hierarchy is None else root / hierarchy
        folders[hierarchy] = base / GROUP / user
    if None in folders:       # v2: a parent group hands its controllers down
        parent = root / GROUP
        parent.mkdir(exist_ok=True)
        wanted = {name for (h, f) in settings for name in [f.split(".")[0]] if h is None}
        for folder in (root, parent):
            enabled = (folder / "cgroup.subtree_control").read_text().split()
            missing = " ".join(f"+{c}" for c in sorted(wanted) if c not in enabled)
            if missing:
                (folder / "cgroup.subtree_control").write_text(missing)
    for folder in folders.values():
        folder.mkdir(parents=True, exist_ok=True)
    for (hierarchy, name), value in settings.items():
        (folders[hierarchy] / name).write_text(value)
    return [folder / "cgroup.procs" for folder in folders.values()]


def remove_group(user, root=CGROUP):
    """Remove ``user``'s empty groups (a group with processes left stays)."""
    for base in (root, *(root / h for h in ("memory", "cpu", "pids"))):
        try:
            (base / GROUP / user).rmdir()
        except OSError:
            pass


class LimitedSpawner(LocalProcessSpawner):
    """``LocalProcessSpawner`` whose servers run within ``mem_limit``, ``cpu_limit`` and
    ``pids_limit`` (see the module's doc for how each is enforced)."""

    pids_limit = Int(512, help="Processes and threads of one student's server and kernels "
                               "(0: no limit)").tag(config=True)

    procs_files = ()

    async def start(self):
        how = mechanisms()
        self.procs_files = prepare_group(self.user.name, self.mem_limit, self.cpu_limit,
                                         self.pids_limit)
        self.log.info("%s's server: memory %s, cpu %s, processes %s (%s)", self.user.name,
                      self.mem_limit, self.cpu_limit, self.pids_limit, how)
        return await super().start()

    def make_preexec_fn(self, name):
        drop_privileges = super().make_preexec_fn(name)
        procs_files, memory = tuple(self.procs_files), self.mem_limit
        rlimit = memory and mechanisms()["memory"] == "rlimit"

        def preexec():
            for path in procs_files:        # still root: join the student's groups
                with open(path, "w") as handle:
                    handle.write(str(os.getpid()))
            if rlimit:
                resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
            drop_privileges()

        return preexec

    async def stop(self, now=False):
        await super().stop(now=now)
        remove_group(self.user.name)
