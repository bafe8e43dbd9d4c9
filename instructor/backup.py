"""A term's data in one archive, and back: ``workbook backup`` and ``workbook restore``.

The archive (``.tar.gz``) holds, under ``course/``, everything of the course folder a term
adds to the repository: the gradebook (copied with SQLite's backup API, so a grading service
or formgrader writing at the time does no harm), ``workbook-grades.csv``, ``submitted/``,
``autograded/``, ``feedback/``, ``report/``, ``.workbook/`` (the grading service's ledger and
archive, extensions), and the course's ``source/``, ``release/``, ``nbgrader_config.py`` and
``roster.csv``; under ``exchange/``, the course's folder in nbgrader's exchange (what students
handed in and fetched); and ``MANIFEST.json`` (when, which course, what it holds).

A restore never deletes: whatever the course folder holds of those names is first moved into
``before-restore-<time>/`` beside them. Run as root (the hub), owners and modes come back as
archived, so that each student still owns what they handed in.
"""

import io
import json
import os
import shutil
import sqlite3
import tarfile
import tempfile
import time
from pathlib import Path

__all__ = ["TERM_DATA", "BackupError", "backup", "restore"]

# What a term adds to a course folder (and what its course needs to be graded again).
TERM_DATA = ("gradebook.db", "workbook-grades.csv", "submitted", "autograded", "feedback",
             "report", ".workbook", "source", "release", "nbgrader_config.py", "roster.csv")
SKIPPED = ("-wal", "-shm", "-journal", ".pyc")
MANIFEST = "MANIFEST.json"
# Members are checked one by one (:func:`_members`); owners and modes must come back as they
# were (Python's "data" filter would drop them).
TRUSTED = {"filter": "fully_trusted"} if hasattr(tarfile, "fully_trusted_filter") else {}


class BackupError(Exception):
    """The archive cannot be written or restored (the message says why)."""


def _sqlite_copy(path):
    """A consistent copy of the SQLite database ``path``, as bytes."""
    with tempfile.TemporaryDirectory() as folder:
        copy = Path(folder) / "copy.db"
        source = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=30)
        target = sqlite3.connect(copy)
        try:
            source.backup(target)
        finally:
            target.close()
            source.close()
        return copy.read_bytes()


def _is_sqlite(path):
    try:
        with open(path, "rb") as handle:
            return handle.read(16) == b"SQLite format 3\x00"
    except OSError:
        return False


def _add(archive, path, name, counts):
    """Add ``path`` as ``name``: folders walked, links left out, databases copied safely."""
    if path.is_symlink():
        return
    if path.is_dir():
        archive.add(path, name, recursive=False)
        for child in sorted(path.iterdir()):
            _add(archive, child, f"{name}/{child.name}", counts)
        return
    if not path.is_file() or path.name.endswith(SKIPPED):
        return
    info = archive.gettarinfo(path, name)
    if _is_sqlite(path):
        data = _sqlite_copy(path)
        info.size = len(data)
        archive.addfile(info, io.BytesIO(data))
    else:
        with open(path, "rb") as handle:
            archive.addfile(info, handle)
    counts["files"] += 1


def backup(root, target, exchange=None):
    """Write the term data of the course at ``root`` (and the course's ``exchange`` folder, if
    given and there) into the archive ``target`` (mode 600); return the manifest."""
    root, target = Path(root).resolve(), Path(target).resolve()
    if any(root / name in target.parents for name in TERM_DATA):
        raise BackupError(f"{target} is inside what it backs up: write it elsewhere")
    target.parent.mkdir(parents=True, exist_ok=True)
    counts = {"files": 0}
    manifest = {"course": str(root), "written": time.strftime("%Y-%m-%d %H:%M:%S %z"),
                "course_items": [n for n in TERM_DATA if (root / n).exists()],
                "submissions": sorted(f"{p.parent.name}/{p.name}"
                                      for p in root.glob("submitted/*/*")),
                "exchange": str(exchange) if exchange and Path(exchange).exists() else None}
    staged = target.with_name(f".{target.name}.{os.getpid()}")
    with tarfile.open(staged, "w:gz") as archive:
        for name in manifest["course_items"]:
            _add(archive, root / name, f"course/{name}", counts)
        if manifest["exchange"]:
            _add(archive, Path(exchange), "exchange", counts)
        manifest["files"] = counts["files"]
        data = json.dumps(manifest, indent=1).encode()
        info = tarfile.TarInfo(MANIFEST)
        info.size, info.mtime, info.mode = len(data), int(time.time()), 0o600
        archive.addfile(info, io.BytesIO(data))
    staged.chmod(0o600)
    os.replace(staged, target)
    return manifest


def read_manifest(path):
    """The manifest of the archive at ``path``."""
    try:
        with tarfile.open(path, "r:gz") as archive:
            return json.load(archive.extractfile(MANIFEST))
    except (OSError, KeyError, tarfile.TarError, json.JSONDecodeError) as error:
        raise BackupError(f"{path} is not a backup of this course ({error})") from None


def _members(archive, prefix):
    """The archive's members under ``prefix/``, refused if any could land outside it."""
    chosen = []
    for member in archive.getmembers():
        if member.name != prefix and not member.name.startswith(prefix + "/"):
            continue
        parts = Path(member.name).parts
        if Path(member.name).is_absolute() or ".." in parts:
            raise BackupError(f"the archive holds an unsafe path: {member.name!r}")
        if not (member.isfile() or member.isdir()):
            raise BackupError(f"the archive holds a link or device: {member.name!r}")
        chosen.append(member)
    return chosen


def _extract(archive, prefix, destination):
    """Extract ``prefix/`` of ``archive`` into ``destination`` (owners kept when root)."""
    destination = Path(destination)
    destination.mkdir(parents=True, exist_ok=True)
    for member in _members(archive, prefix):
        relative = member.name[len(prefix):].lstrip("/")
        if not relative:
            continue
        member.name = relative
        archive.extract(member, destination, numeric_owner=True, **TRUSTED)


def restore(path, root, exchange=None):
    """Bring back the archive ``path`` into the course at ``root`` (and the exchange folder
    ``exchange``); what was there is moved into ``root/before-restore-<time>/`` first.
    Returns ``(manifest, where the old data went or None)``."""
    root = Path(root).resolve()
    manifest = read_manifest(path)
    stamp = time.strftime("%Y%m%d-%H%M%S")
    aside = root / f"before-restore-{stamp}"
    moved = False
    for name in TERM_DATA:
        if (root / name).exists() or (root / name).is_symlink():
            aside.mkdir(parents=True, exist_ok=True)
            shutil.move(root / name, aside / name)
            moved = True
    with tarfile.open(path, "r:gz") as archive:
        _extract(archive, "course", root)
        if exchange is not None and manifest.get("exchange"):
            exchange = Path(exchange)
            if exchange.exists():
                aside.mkdir(parents=True, exist_ok=True)
                shutil.move(exchange, aside / "exchange")
                moved = True
            _extract(archive, "exchange", exchange)
    return manifest, (aside if moved else None)
