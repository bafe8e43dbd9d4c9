"""nbgrader's exchange, as the grading service uses it: submissions in, feedback pages out.

A student's ``nbgrader submit`` (or the Assignments panel's *Submit*) writes a folder
``<exchange>/<course>/inbound/<student>+<assignment>+<timestamp>+<random>`` holding the
notebooks, ``timestamp.txt`` and ``submission_secret.txt``. :func:`inbound` lists them;
:func:`collect` copies one, read as hostile input (:mod:`instructor.grading.handins`), into the
service's archive; :func:`release` puts a feedback page where ``nbgrader fetch_feedback`` looks
for it: ``<exchange>/<course>/feedback/<hash of the secret and the notebook>.html``, as
``nbgrader release_feedback`` does.

The folder's name says whose it is, and the student writes it: on a shared machine the
folder's owner must be that student (``nbgrader submit --student=someone`` would otherwise
hand in for someone else).
"""

import os
import pwd
import shutil
import stat
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from nbgrader.utils import notebook_hash, parse_utc

from instructor.grading import defaults, handins
from instructor.grading.records import safe_name

__all__ = ["Arrival", "collect", "inbound", "place", "release"]

# A timestamp.txt earlier than the folder's own change time by more than this is not trusted.
CLOCK_SLACK = timedelta(minutes=2)


@dataclass(frozen=True)
class Arrival:
    """A submission folder in the exchange's inbound."""

    folder: str
    student: str
    assignment: str
    path: Path
    refused: str = ""        # why it cannot be graded, if it cannot


def inbound(exchange, course_id, assignments, known=frozenset()):
    """The submissions in the inbound of ``course_id`` not ``known`` yet, of ``assignments``."""
    folder = Path(exchange) / course_id / "inbound"
    try:
        entries = list(os.scandir(folder))
    except FileNotFoundError:
        return []
    found = []
    for entry in sorted(entries, key=lambda e: e.name):
        if entry.name in known:
            continue
        parts = entry.name.rsplit("+", 3)
        if len(parts) < 3:
            continue
        student, assignment = parts[0], parts[1]
        if assignment not in assignments:
            continue
        found.append(Arrival(entry.name, safe_name(student), assignment, Path(entry.path),
                             _refusal(entry, student)))
    return found


def _refusal(entry, student):
    """Why a submission folder cannot be graded as ``student``'s, or ''."""
    try:
        info = entry.stat(follow_symlinks=False)
    except OSError as error:
        return f"its folder cannot be read ({error.strerror})"
    if not stat.S_ISDIR(info.st_mode):
        return "it is not a folder"
    if safe_name(student) != student:
        return "its student id is not printable UTF-8"
    if info.st_uid not in (os.geteuid(), 0):
        try:
            owner = pwd.getpwuid(info.st_uid).pw_name
        except KeyError:
            owner = str(info.st_uid)
        if owner != student:
            return f"it was handed in by the user {owner}, not {student}"
    return ""


def handed_in_at(path, flags):
    """When a submission was handed in (naive UTC): its ``timestamp.txt``, unless that is
    earlier than its folder's change time allows (a timestamp the student wrote themselves),
    then the folder's time; flagged either way it is doubted."""
    changed = datetime.fromtimestamp(os.lstat(path).st_ctime, UTC).replace(tzinfo=None)
    try:
        text = handins.read_regular(Path(path) / "timestamp.txt",
                                    limit_bytes=defaults.TIMESTAMP_BYTES)
        claimed = parse_utc(text.decode("utf-8", "replace").strip())
    except (handins.Refused, ValueError, OverflowError, TypeError):
        flags.append("timestamp.txt is missing or unreadable: the folder's time is used")
        return changed
    if claimed < changed - CLOCK_SLACK:
        flags.append(f"timestamp.txt says {claimed:%Y-%m-%d %H:%M:%S} UTC, but the submission "
                     f"reached the exchange at {changed:%Y-%m-%d %H:%M:%S} UTC: that is used")
        return changed
    return claimed


def collect(arrival, archive, ignore=()):
    """Copy ``arrival``'s regular files, within the grader's caps, into ``archive`` (made
    anew); return the refusals and flags for the instructor, the time it counts as handed in
    written into the copy's ``timestamp.txt``."""
    flags = []
    when = handed_in_at(arrival.path, flags)
    listed = handins.list_handin(arrival.path, ignore)
    data, refused = handins.read_files(listed)
    staging = Path(f"{archive}.new")
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir(parents=True)
    for name, path in listed.notebooks.items():
        try:
            data[f"{name}.ipynb"] = handins.read_regular(path, defaults.NOTEBOOK_MB)
        except handins.Refused as why:
            refused.append(str(why))
    try:
        data["submission_secret.txt"] = handins.read_regular(
            arrival.path / "submission_secret.txt", limit_bytes=defaults.TIMESTAMP_BYTES)
    except handins.Refused as why:
        refused.append(str(why))
    for relative, content in data.items():
        (staging / relative).parent.mkdir(parents=True, exist_ok=True)
        (staging / relative).write_bytes(content)
    (staging / "timestamp.txt").write_text(when.strftime("%Y-%m-%d %H:%M:%S.%f UTC"))
    shutil.rmtree(archive, ignore_errors=True)
    staging.rename(archive)
    return listed.refused + refused + flags


def place(archive, submitted):
    """Make ``submitted`` (``submitted/<student>/<assignment>``) a copy of ``archive``."""
    staging = Path(f"{submitted}.new")
    shutil.rmtree(staging, ignore_errors=True)
    shutil.copytree(archive, staging)
    shutil.rmtree(submitted, ignore_errors=True)
    Path(submitted).parent.mkdir(parents=True, exist_ok=True)
    staging.rename(submitted)


def release(exchange, course_id, archive, pages):
    """Hand out ``{notebook: html}`` for the submission archived at ``archive``, where
    ``nbgrader fetch_feedback`` finds them (replacing any page released for it before)."""
    secret = (Path(archive) / "submission_secret.txt").read_text()
    folder = Path(exchange) / course_id / "feedback"
    folder.mkdir(parents=True, exist_ok=True)
    released = []
    for notebook, page in pages.items():
        target = folder / f"{notebook_hash(secret=secret, notebook_id=notebook)}.html"
        staging = target.with_name(f".{target.name}.{os.getpid()}")
        staging.write_text(page)
        staging.chmod(0o644)
        os.replace(staging, target)
        released.append(target)
    return released
