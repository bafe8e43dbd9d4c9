"""Reading ``/proc``: a process's state and parent, and a sandboxed process's pid as seen here."""

import glob
from pathlib import Path

__all__ = ["descends_from", "host_pid", "proc_stat", "running"]


def proc_stat(pid="self"):
    """The fields of ``/proc/<pid>/stat`` after the command name: ``[state, ppid, ...]``, so
    field *n* of proc(5) is at index *n* - 3. Raises OSError if the process is gone."""
    return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()


def running(pid):
    """Is process ``pid`` running (not gone, not a zombie)?"""
    return proc_stat(pid)[0] not in ("Z", "X")


def descends_from(pid, ancestor):
    """Is ``ancestor`` among the parents of ``pid`` (or ``pid`` itself)?"""
    while pid > 1:
        if pid == ancestor:
            return True
        try:
            pid = int(proc_stat(pid)[1])
        except OSError:
            return False
    return False


def host_pid(sandbox_pid, inner_pid):
    """The pid, as seen from here, of process ``inner_pid`` of the sandbox started as
    ``sandbox_pid``.

    ``inner_pid`` is the pid in the sandbox's namespace (the second of a process's ``NSpid``
    entries; a contained kernel has a third, 1, in its own). Without a sandbox the two are the
    same. Raises RuntimeError if no such process descends from the sandbox.
    """
    for status in glob.glob("/proc/[0-9]*/status"):
        try:
            text = Path(status).read_text()
        except OSError:
            continue
        for line in text.splitlines():
            if line.startswith("NSpid:"):
                pids = line.split()[1:]
                if pids[min(1, len(pids) - 1)] == str(inner_pid) and descends_from(
                        int(pids[0]), sandbox_pid):
                    return int(pids[0])
    raise RuntimeError(f"kernel {inner_pid} of the factory {sandbox_pid} vanished")
