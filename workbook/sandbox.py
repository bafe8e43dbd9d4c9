"""Run a student's kernel inside a bubblewrap sandbox, with resource limits.

Why bubblewrap: it is one small Debian package (``bubblewrap``), needs no daemon, no image and
no root-owned service, starts in milliseconds, and builds exactly the view we want out of Linux
namespaces: the installed Python environment read-only, the student's own copy read-write,
and nothing else of the course (no ``source/``, no gradebook, no other student), no network.

The kernel talks to the grader over ZMQ *ipc* sockets in a folder both can see, so the
sandbox can keep the network namespace empty. Running as root, the kernel also drops to an
unprivileged uid of its own (``setpriv``), so the process limit counts only its processes;
run as a normal user, bubblewrap puts it in a user namespace instead.
"""

import glob
import os
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from jupyter_client.manager import AsyncKernelManager

__all__ = ["Limits", "Sandbox", "SandboxKernelManager", "sandbox_problem"]

# Places that may hold course files or the instructor's secrets; the kernel sees them empty.
HIDDEN = ("/var/tmp", "/root", "/home", "/run", "/srv", "/mnt", "/media")
FIRST_UID = 61000


@dataclass(frozen=True)
class Limits:
    """Resource limits of one student's kernel."""

    memory_mb: int = 2048     # address space; numpy + matplotlib need about 1 GiB
    cpu_seconds: int = 600    # CPU time of the whole notebook
    processes: int = 64       # processes and threads of the sandbox's uid
    file_mb: int = 64         # largest file the kernel may write, and size of its /tmp


@cache
def sandbox_problem():
    """None when bubblewrap works here, else why not (checked once per process)."""
    if shutil.which("bwrap") is None:
        return "bubblewrap (bwrap) is not installed"
    with tempfile.TemporaryDirectory(prefix="workbook-probe-") as job_dir:
        probe = Sandbox("/", Limits(), FIRST_UID, job_dir)
        probe.prepare()
        try:
            result = subprocess.run(probe.command(["/bin/true"]), capture_output=True,
                                    text=True, timeout=30)
        except (OSError, subprocess.TimeoutExpired) as error:
            return f"bubblewrap does not start: {error}"
    if result.returncode != 0:
        return f"bubblewrap does not start: {result.stderr.strip() or result.returncode}"
    return None


def exposed_paths():
    """What a kernel needs from the machine: Python, the venv and the workbook package."""
    import workbook

    return sorted({sys.base_prefix, sys.prefix, str(Path(workbook.__file__).parent)})


class Sandbox:
    """How one kernel is started: in bubblewrap (``isolated``) or, without it, only limited.

    course_root: hidden from the kernel; job_dir: the only writable place it sees (its
    ``work/`` is the kernel's working folder).
    """

    def __init__(self, course_root, limits, uid, job_dir, isolated=True):
        self.course_root, self.limits, self.uid = Path(course_root), limits, uid
        self.job_dir, self.isolated = Path(job_dir), isolated
        self.as_root = isolated and os.geteuid() == 0

    def environment(self):
        """The kernel's whole environment: nothing of the grader's (no database URL)."""
        home = self.job_dir / "home"
        return {
            "PATH": f"{Path(sys.executable).parent}:/usr/bin:/bin",
            "HOME": str(home),
            "MPLCONFIGDIR": str(home / "matplotlib"),
            "LANG": "C.UTF-8",
            # Grading needs no pictures: skip rendering them (workbook.widgets and pyplot).
            "MPLBACKEND": "agg",
            "WORKBOOK_PICTURES": "off",
            # One BLAS/torch thread per kernel: kernels already run side by side.
            "OMP_NUM_THREADS": "1",
            "NBGRADER_EXECUTION": "autograde",
        }

    def command(self, argv):
        """``argv`` wrapped in the sandbox (when isolated) and the resource limits."""
        mib = 1024 * 1024
        limits = ["prlimit", f"--as={self.limits.memory_mb * mib}",
                  f"--cpu={self.limits.cpu_seconds}", f"--nproc={self.limits.processes}",
                  f"--fsize={self.limits.file_mb * mib}", "--core=0", "--", *argv]
        if not self.isolated:
            return limits
        cmd = ["bwrap", "--ro-bind", "/", "/", "--dev", "/dev", "--proc", "/proc"]
        hidden = [Path(p) for p in (*HIDDEN, self.course_root) if Path(p).is_dir()]
        hidden = [p for p in hidden if p != Path("/")]
        for path in hidden:
            cmd += ["--tmpfs", str(path)]
        cmd += ["--perms", "1777", "--size", str(self.limits.file_mb * mib), "--tmpfs", "/tmp"]
        for path in map(Path, exposed_paths()):
            # Folders bubblewrap makes inside a tmpfs are private (0700): open them up.
            for parent in reversed(path.parents):
                if any(parent.is_relative_to(h) and parent != h for h in [*hidden, Path("/tmp")]):
                    cmd += ["--perms", "0755", "--dir", str(parent)]
            cmd += ["--ro-bind", str(path), str(path)]
        cmd += ["--bind", str(self.job_dir), str(self.job_dir)]
        cmd += ["--unshare-ipc", "--unshare-pid", "--unshare-net", "--unshare-uts",
                "--unshare-cgroup-try", "--die-with-parent", "--new-session", "--clearenv"]
        for key, value in self.environment().items():
            cmd += ["--setenv", key, value]
        cmd += ["--chdir", str(self.job_dir / "work")]
        if self.as_root:
            # Its own unprivileged uid: no capabilities, and a process count of its own.
            return [*cmd, "--", "setpriv", f"--reuid={self.uid}", f"--regid={self.uid}",
                    "--clear-groups", "--inh-caps=-all", "--bounding-set=-all",
                    "--no-new-privs", *limits]
        return [cmd[0], "--unshare-user", "--cap-drop", "ALL", *cmd[1:], "--", *limits]

    def prepare(self):
        """Create the job folder (work/, conn/, home/ with matplotlib's font cache); hand it over.

        """
        home = self.job_dir / "home"
        (home / "matplotlib").mkdir(parents=True, exist_ok=True)
        (self.job_dir / "work").mkdir(exist_ok=True)
        (self.job_dir / "conn").mkdir(exist_ok=True)
        for font_cache in glob.glob(os.path.join(_matplotlib_cache(), "fontlist-*.json")):
            shutil.copy(font_cache, home / "matplotlib")
        if self.as_root:
            for path in [self.job_dir, *self.job_dir.rglob("*")]:
                os.chown(path, self.uid, self.uid)


    def add_files(self, files):
        """Write ``{relative path: bytes}`` into the kernel's working folder, owned by it."""
        work = self.job_dir / "work"
        for relative, data in files.items():
            target = work / relative
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(data)
            if self.as_root:
                for path in [target, *target.relative_to(work).parents]:
                    os.chown(work / path, self.uid, self.uid)


@cache
def _matplotlib_cache():
    """matplotlib's cache folder, with its font list built (once, by the trusted side)."""
    import matplotlib
    from matplotlib import font_manager  # noqa: F401  (builds the font cache if missing)

    return matplotlib.get_cachedir()


class SandboxKernelManager(AsyncKernelManager):
    """A kernel manager whose kernel runs in ``sandbox``, reached over ipc sockets."""

    def __init__(self, sandbox, **kwargs):
        conn = sandbox.job_dir / "conn"
        super().__init__(transport="ipc", ip=str(conn / "kernel"),
                         connection_file=str(conn / "kernel.json"), **kwargs)
        self.sandbox = sandbox

    @property
    def kernel_spec(self):
        spec = super().kernel_spec
        # A signal would reach bubblewrap, not the kernel: interrupt with a message instead.
        spec.interrupt_mode = "message"
        return spec

    def format_kernel_cmd(self, extra_arguments=None):
        cmd = super().format_kernel_cmd(extra_arguments)
        if self.sandbox.as_root:
            os.chown(self.connection_file, self.sandbox.uid, self.sandbox.uid)
        return self.sandbox.command(cmd)

    @property
    def process_id(self):
        """PID of the sandbox's outer process (killing it ends everything inside)."""
        process = getattr(self.provisioner, "process", None)
        return process.pid if process else None
