"""``submitted/`` is hostile input: what the grader reads of it, and how.

Only regular files are read, each opened without following a link and without blocking, and
only up to a size cap; symbolic links, FIFOs, devices and sockets are refused (and reported), so
a hand-in can neither point the grader at another student's work, the gradebook or ``source/``,
nor stall or abort the run. Folders are walked without recursion, to a bounded depth and
number of files; a name that is not UTF-8 is refused, not decoded. A notebook is checked for
its size and number of cells before it is parsed. Whatever is wrong with one student's files
is reported for that student only (:class:`Refused`).
"""

import fnmatch
import json
import os
import re
import stat
from dataclasses import dataclass, field
from pathlib import Path

import nbformat

from instructor.grading import defaults
from instructor.grading.records import safe_name

__all__ = ["Handin", "Refused", "ignored", "list_handin", "read_files", "read_notebook",
           "read_regular", "student_folders"]

MIB = 1024 * 1024
LONE_SURROGATE = re.compile("[\ud800-\udfff]")


class Refused(Exception):
    """A file of a hand-in that the grader will not read; the message says why."""


def _kind(mode):
    for test, name in [(stat.S_ISLNK, "a symbolic link"), (stat.S_ISFIFO, "a FIFO"),
                       (stat.S_ISCHR, "a device"), (stat.S_ISBLK, "a device"),
                       (stat.S_ISSOCK, "a socket"), (stat.S_ISDIR, "a folder")]:
        if test(mode):
            return name
    return "not a regular file"


def _is_text(name):
    """Is ``name`` (as read with ``surrogateescape``) printable UTF-8 text?"""
    return safe_name(name) == name


def read_regular(path, limit_mb=None, limit_bytes=None):
    """The bytes of ``path`` if it is a regular file within the limit; else ``Refused``."""
    limit = limit_bytes if limit_bytes is not None else limit_mb * MIB
    shown = safe_name(Path(path).name)
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC)
    except OSError as error:   # ELOOP: the path is a symbolic link
        kind = _kind(os.lstat(path).st_mode) if os.path.lexists(path) else "missing"
        raise Refused(f"'{shown}' is {kind}, not a file: not read") from error
    with os.fdopen(fd, "rb") as handle:
        info = os.fstat(handle.fileno())
        if not stat.S_ISREG(info.st_mode):
            raise Refused(f"'{shown}' is {_kind(info.st_mode)}: not read")
        if info.st_size > limit:
            raise Refused(f"'{shown}' is larger than {_size(limit)}: not read")
        data = handle.read(limit + 1)
    if len(data) > limit:
        raise Refused(f"'{shown}' is larger than {_size(limit)}: not read")
    return data


def _size(limit):
    return f"{limit // MIB} MB" if limit >= MIB else f"{limit} bytes"


def read_notebook(path):
    """``(notebook, flags)``: a hand-in's notebook, read within the grader's caps.

    Refused (with the reason) when it is too large, has too many cells, or is not a notebook.
    Lone surrogates (text that cannot be written back as UTF-8) are replaced, and flagged.
    """
    data = read_regular(path, defaults.NOTEBOOK_MB)
    if data.count(b'"cell_type"') > defaults.NOTEBOOK_CELLS:
        raise Refused(f"'{safe_name(Path(path).name)}' has more than "
                      f"{defaults.NOTEBOOK_CELLS} cells: not read")
    try:
        raw = json.loads(data)
    except (ValueError, RecursionError) as error:
        raise Refused(f"'{safe_name(Path(path).name)}' could not be read as a notebook "
                      f"({type(error).__name__}: {str(error)[:200]})") from None
    flags = []
    if _replace_surrogates(raw):
        flags.append(f"'{safe_name(Path(path).name)}' holds text that is not valid Unicode "
                     "(replaced by \ufffd)")
    try:
        nb = nbformat.reads(json.dumps(raw), as_version=4)
    except Exception as error:  # noqa: BLE001  (any unreadable notebook is the student's)
        raise Refused(f"'{safe_name(Path(path).name)}' could not be read as a notebook "
                      f"({type(error).__name__}: {str(error)[:200]})") from None
    return nb, flags


def _replace_surrogates(value):
    """Replace lone surrogates in every string of ``value`` (in place); were there any?"""
    found, todo = False, [value]
    while todo:
        item = todo.pop()
        pairs = item.items() if isinstance(item, dict) else enumerate(item) if isinstance(
            item, list) else ()
        for key, child in list(pairs):
            if isinstance(child, str) and LONE_SURROGATE.search(child):
                item[key], found = LONE_SURROGATE.sub("\ufffd", child), True
            elif isinstance(child, dict | list):
                todo.append(child)
        if isinstance(item, dict):
            for key in [k for k in item if LONE_SURROGATE.search(k)]:
                item[LONE_SURROGATE.sub("\ufffd", key)], found = item.pop(key), True
    return found


def _is_real_folder(path):
    try:
        return stat.S_ISDIR(os.lstat(path).st_mode)
    except OSError:
        return False


def student_folders(submitted, assignment):
    """``{student: folder}`` for every ``submitted/<student>/<assignment>/``.

    A student or assignment folder that is a symbolic link, or whose name is not printable
    UTF-8, is not a hand-in: its value is a :class:`Refused` saying so (its key the name made
    safe to print).
    """
    found = {}
    if not _is_real_folder(submitted):
        return found
    for entry in sorted(os.scandir(submitted), key=lambda e: os.fsencode(e.name)):
        folder = Path(entry.path) / assignment
        if not os.path.lexists(folder):
            continue
        name = safe_name(entry.name)
        if not _is_text(entry.name):
            found[name] = Refused(f"the folder name '{name}' is not printable UTF-8: not a "
                                  "student id nbgrader can take; not read")
        elif _is_real_folder(entry.path) and _is_real_folder(folder):
            found[name] = folder
        else:
            found[name] = Refused(f"'{name}/{assignment}' is a symbolic link, not a folder: "
                                  "not read")
    return found


@dataclass
class Handin:
    """What a student's assignment folder holds that the grader may read."""

    notebooks: dict = field(default_factory=dict)   # {name without .ipynb: path}
    files: dict = field(default_factory=dict)       # {relative path: path}, besides notebooks
    refused: list = field(default_factory=list)     # messages for the instructor


def list_handin(folder, ignore=()):
    """Walk ``folder`` without following links or recursing; sort its entries into a
    :class:`Handin`.

    Notebooks count at the top level only (as nbgrader does); ``ignore`` holds the course's
    ``CourseDirectory.ignore`` patterns. Folders deeper than ``HANDIN_DEPTH``, entries past
    ``HANDIN_FILES`` and names that are not UTF-8 are refused.
    """
    handin, folder = Handin(), Path(folder)
    todo, seen = [(folder, 0)], 0
    while todo:
        here, depth = todo.pop()
        try:
            entries = sorted(os.scandir(here), key=lambda e: os.fsencode(e.name))
        except OSError as error:
            handin.refused.append(f"'{safe_name(str(here.relative_to(folder)))}' could not be "
                                  f"listed ({error.strerror}): not read")
            continue
        for entry in entries:
            path = here / entry.name
            relative = safe_name(str(path.relative_to(folder)))
            if _matches(entry.name, ignore) or entry.name == "timestamp.txt" and here == folder:
                continue
            seen += 1
            if seen > defaults.HANDIN_FILES:
                handin.refused.append(f"more than {defaults.HANDIN_FILES} files: "
                                      f"'{relative}' and later ones not read")
                return handin
            if not _is_text(entry.name):
                handin.refused.append(f"'{relative}' has a name that is not UTF-8: not read")
                continue
            mode = entry.stat(follow_symlinks=False).st_mode
            if stat.S_ISDIR(mode):
                if depth + 1 > defaults.HANDIN_DEPTH:
                    handin.refused.append(f"'{relative}' is more than {defaults.HANDIN_DEPTH} "
                                          "folders deep: not read")
                else:
                    todo.append((path, depth + 1))
            elif not stat.S_ISREG(mode):
                handin.refused.append(f"'{relative}' is {_kind(mode)}: not read")
            elif entry.name.endswith(".ipynb") and here == folder:
                handin.notebooks[path.stem] = path
            elif not entry.name.endswith(".ipynb"):
                handin.files[str(path.relative_to(folder))] = path
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
