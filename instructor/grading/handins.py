"""``submitted/`` is hostile input: what the grader reads of it, and how.

Only regular files are read, each opened without following a link and without blocking, and
only up to a size cap; symbolic links, FIFOs, devices and sockets are refused (and reported), so
a hand-in can neither point the grader at another student's work, the gradebook or ``source/``,
nor stall or abort the run. Whatever is wrong with one student's files is reported for that
student only.
"""

import fnmatch
import os
import stat
from dataclasses import dataclass, field
from pathlib import Path

from instructor.grading import defaults

__all__ = ["Handin", "Refused", "ignored", "list_handin", "read_files", "read_regular",
           "student_folders"]

MIB = 1024 * 1024


class Refused(Exception):
    """A file of a hand-in that the grader will not read; the message says why."""


def _kind(mode):
    for test, name in [(stat.S_ISLNK, "a symbolic link"), (stat.S_ISFIFO, "a FIFO"),
                       (stat.S_ISCHR, "a device"), (stat.S_ISBLK, "a device"),
                       (stat.S_ISSOCK, "a socket"), (stat.S_ISDIR, "a folder")]:
        if test(mode):
            return name
    return "not a regular file"


def read_regular(path, limit_mb):
    """The bytes of ``path`` if it is a regular file of at most ``limit_mb``; else ``Refused``."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC)
    except OSError as error:   # ELOOP: the path is a symbolic link
        kind = _kind(os.lstat(path).st_mode) if os.path.lexists(path) else "missing"
        raise Refused(f"'{Path(path).name}' is {kind}, not a file: not read") from error
    with os.fdopen(fd, "rb") as handle:
        info = os.fstat(handle.fileno())
        if not stat.S_ISREG(info.st_mode):
            raise Refused(f"'{Path(path).name}' is {_kind(info.st_mode)}: not read")
        if info.st_size > limit_mb * MIB:
            raise Refused(f"'{Path(path).name}' is larger than {limit_mb} MB: not read")
        data = handle.read(limit_mb * MIB + 1)
    if len(data) > limit_mb * MIB:
        raise Refused(f"'{Path(path).name}' is larger than {limit_mb} MB: not read")
    return data


def _is_real_folder(path):
    try:
        return stat.S_ISDIR(os.lstat(path).st_mode)
    except OSError:
        return False


def student_folders(submitted, assignment):
    """``{student: folder}`` for every ``submitted/<student>/<assignment>/``.

    A student or assignment folder that is a symbolic link is not a hand-in: its value is a
    :class:`Refused` saying so.
    """
    found = {}
    if not _is_real_folder(submitted):
        return found
    for entry in sorted(os.scandir(submitted), key=lambda e: e.name):
        folder = Path(entry.path) / assignment
        if not os.path.lexists(folder):
            continue
        if _is_real_folder(entry.path) and _is_real_folder(folder):
            found[entry.name] = folder
        else:
            found[entry.name] = Refused(f"'{entry.name}/{assignment}' is a symbolic link, not "
                                        "a folder: not read")
    return found


@dataclass
class Handin:
    """What a student's assignment folder holds that the grader may read."""

    notebooks: dict = field(default_factory=dict)   # {name without .ipynb: path}
    files: dict = field(default_factory=dict)       # {relative path: path}, besides notebooks
    refused: list = field(default_factory=list)     # messages for the instructor


def list_handin(folder, ignore=()):
    """Walk ``folder`` without following links; sort its entries into a :class:`Handin`.

    Notebooks count at the top level only (as nbgrader does); ``ignore`` holds the course's
    ``CourseDirectory.ignore`` patterns.
    """
    handin = Handin()
    for top, folders, names in os.walk(folder, followlinks=False):
        here = Path(top)
        for name in sorted(folders):
            if os.path.islink(here / name):
                handin.refused.append(f"'{(here / name).relative_to(folder)}' is a symbolic "
                                      "link: not read")
        folders[:] = sorted(f for f in folders if not os.path.islink(here / f)
                            and not _matches(f, ignore))
        for name in sorted(names):
            path = here / name
            relative = path.relative_to(folder)
            if _matches(name, ignore) or name == "timestamp.txt" and here == Path(folder):
                continue
            mode = os.lstat(path).st_mode
            if not stat.S_ISREG(mode):
                handin.refused.append(f"'{relative}' is {_kind(mode)}: not read")
            elif name.endswith(".ipynb") and here == Path(folder):
                handin.notebooks[path.stem] = path
            elif not name.endswith(".ipynb"):
                handin.files[str(relative)] = path
    return handin


def ignored(relative, patterns):
    """Does a part of the relative path ``relative`` match one of the course's ignore patterns?"""
    return any(_matches(part, patterns) for part in Path(relative).parts)


def _matches(name, patterns):
    return any(fnmatch.fnmatch(name, pattern) for pattern in patterns)


def read_files(handin):
    """``({relative path: bytes}, refusals)``: the extra files, each and all within their caps."""
    data, refused, total = {}, [], 0
    for relative, path in handin.files.items():
        try:
            content = read_regular(path, defaults.FILE_MB)
        except Refused as why:
            refused.append(str(why))
            continue
        total += len(content)
        if total > defaults.HANDIN_MB * MIB:
            refused.append(f"the files beside the notebook pass {defaults.HANDIN_MB} MB: "
                           f"'{relative}' and later ones not read")
            break
        data[relative] = content
    return data, refused
