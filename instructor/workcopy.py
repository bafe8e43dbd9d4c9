"""``bash course.sh lab``: the student's working copy of the release, in ``work/``.

Students never work in ``release/``, which ``bash course.sh release`` regenerates. The first run
copies every released file into ``work/<assignment>/``; later runs copy only what is new (a new
assignment, a new data file) and never touch a file that is already there, edited or not.
"""

import shutil
import sys
from pathlib import Path

__all__ = ["WORK", "make_working_copy"]

WORK = "work"


def make_working_copy(root):
    """Copy ``release/`` into ``work/`` without overwriting; return (copied, kept) paths."""
    root = Path(root)
    copied, kept = [], []
    for source in sorted((root / "release").rglob("*")):
        relative = source.relative_to(root / "release")
        if not source.is_file() or any(part.startswith(".") for part in relative.parts):
            continue
        target = root / WORK / relative
        if target.exists():
            kept.append(target)
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(source, target)
        copied.append(target)
    return copied, kept


def main():
    root = Path.cwd()
    copied, kept = make_working_copy(root)
    released = root / "release"
    changed = [p for p in kept
               if p.read_bytes() != (released / p.relative_to(root / WORK)).read_bytes()]
    print(f"Your working copy is {WORK}/: {len(copied)} new files copied from release/"
          + (f", {len(changed)} of your notebooks kept as you left them" if changed else "")
          + ". Work there; release/ is rebuilt by `bash course.sh release`.", file=sys.stderr)


if __name__ == "__main__":
    main()
