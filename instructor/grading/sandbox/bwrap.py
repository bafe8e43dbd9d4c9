"""The bubblewrap command around a kernel factory: what a kernel can see, and its environment.

Why bubblewrap: it is one small Debian package (``bubblewrap``), needs no daemon, no image and
no root-owned service, starts in milliseconds, and builds exactly the view we want out of Linux
namespaces: the installed Python environment read-only, the grading folder read-write, and
nothing else of the course (no ``source/``, no gradebook, no other student's files), no
network, its own process and IPC namespaces.
"""

import os
import shutil
import subprocess
import sys
import tempfile
from functools import cache
from pathlib import Path

from instructor.grading.defaults import Limits

__all__ = ["bwrap_command", "exposed_paths", "kernel_environment", "sandbox_problem",
           "students_package"]

# What a kernel sees of the machine, read-only, besides Python and the students' package.
SYSTEM = ("/usr", "/etc")
SYSTEM_LINKS = ("/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32")
MIB = 1024 * 1024


@cache
def sandbox_problem():
    """None when bubblewrap works here, else why not (checked once per process)."""
    if shutil.which("bwrap") is None:
        return "bubblewrap (bwrap) is not installed"
    with tempfile.TemporaryDirectory(prefix="workbook-probe-") as folder:
        command = bwrap_command(["/bin/true"], Path(folder), {}, Limits())
        try:
            result = subprocess.run(command, capture_output=True, text=True, timeout=30)
        except (OSError, subprocess.TimeoutExpired) as error:
            return f"bubblewrap does not start: {error}"
    if result.returncode != 0:
        return f"bubblewrap does not start: {result.stderr.strip() or result.returncode}"
    return None


def students_package():
    """The folder of the students' package ``workbook`` (the only course code a kernel sees)."""
    import workbook

    return Path(workbook.__file__).parent


def exposed_paths():
    """What a kernel needs from the machine: Python, the venv and the students' package.

    The instructor package is not among them: a kernel cannot import the grader.
    """
    return sorted({sys.base_prefix, sys.prefix, str(students_package())})


def bwrap_command(argv, writable, env, limits):
    """``argv`` in a sandbox that sees only what it needs and may write only to ``writable``.

    The sandbox's ``/`` is empty but for the system's programs, libraries and configuration
    (``/usr``, ``/etc`` and the links into ``/usr``), read-only, and the Python install, the
    venv and the students' package (:func:`exposed_paths`), read-only: no course folder, no
    home folder, no copy of anything elsewhere on the machine.
    """
    cmd = ["bwrap", "--dev", "/dev", "--proc", "/proc"]
    for path in SYSTEM:
        cmd += ["--ro-bind", path, path]
    for path in SYSTEM_LINKS:
        if os.path.islink(path):
            cmd += ["--symlink", os.readlink(path), path]
        elif os.path.isdir(path):
            cmd += ["--ro-bind", path, path]
    cmd += ["--perms", "1777", "--size", str(limits.file_mb * MIB), "--tmpfs", "/tmp"]
    made = {Path("/"), Path("/tmp"), *map(Path, SYSTEM)}
    for path in map(Path, exposed_paths()):
        # Folders bubblewrap makes on the way are private (0700) unless told: open them up.
        for parent in reversed(path.parents):
            if parent not in made and not any(parent.is_relative_to(s) for s in SYSTEM):
                cmd += ["--perms", "0755", "--dir", str(parent)]
                made.add(parent)
        cmd += ["--ro-bind", str(path), str(path)]
    cmd += ["--bind", str(writable), str(writable), "--chdir", str(writable),
            "--unshare-ipc", "--unshare-pid", "--unshare-net", "--unshare-uts",
            "--unshare-cgroup-try", "--die-with-parent", "--new-session", "--clearenv"]
    for key, value in env.items():
        cmd += ["--setenv", key, value]
    if os.geteuid() != 0:   # a user namespace instead of changing uid
        cmd[1:1] = ["--unshare-user", "--cap-drop", "ALL"]
    return [*cmd, "--", *argv]


def kernel_environment(home):
    """A kernel's whole environment: nothing of the grader's (no database URL)."""
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
        # The factory imports ipykernel's debugger ahead; this keeps its warning about frozen
        # modules out of the grader's terminal.
        "PYDEVD_DISABLE_FILE_VALIDATION": "1",
        # The folder holding the exposed students' package, so a kernel imports that copy
        # (an editable install elsewhere, e.g. another git worktree, is not in the sandbox).
        "PYTHONPATH": str(students_package().parent),
    }
