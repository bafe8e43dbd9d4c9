"""The grading service's memory, on disk: every submission it has seen, and what became of it.

One SQLite file in the course folder (``.workbook/service.sqlite``, WAL journal). Every step
of the service is idempotent and a submission's row moves forward only once its step is done,
so a crash, a kill or a restart of the hub loses nothing and counts nothing twice: what was
not done is done again.

A submission's ``state``: ``waiting`` (seen, not graded yet), ``held`` (over the hourly limit:
graded after ``not_before``), ``kept`` (over the limit in all: kept, not graded), ``released``
(graded, its page handed out), ``refused`` (not a hand-in the service may grade; ``note`` says
why).
"""

import sqlite3
import time
from dataclasses import dataclass
from pathlib import Path

__all__ = ["Ledger", "Record"]

SCHEMA = """
CREATE TABLE IF NOT EXISTS submissions (
    folder TEXT PRIMARY KEY,      -- its folder in the exchange's inbound
    student TEXT NOT NULL,
    assignment TEXT NOT NULL,
    handed_in TEXT NOT NULL,      -- ISO time, UTC, that counts for the due date
    seen REAL NOT NULL,           -- when the service first saw it
    state TEXT NOT NULL,
    not_before REAL NOT NULL DEFAULT 0,
    graded REAL,                  -- when it was graded
    score REAL,
    max_score REAL,
    attempts INTEGER NOT NULL DEFAULT 0,
    note TEXT NOT NULL DEFAULT ''
);
CREATE INDEX IF NOT EXISTS by_student ON submissions (student, assignment, handed_in);
"""
COLUMNS = ("folder", "student", "assignment", "handed_in", "seen", "state", "not_before",
           "graded", "score", "max_score", "attempts", "note")
PENDING = ("waiting", "held")


@dataclass(frozen=True)
class Record:
    """One row of the ledger."""

    folder: str
    student: str
    assignment: str
    handed_in: str
    seen: float
    state: str
    not_before: float = 0.0
    graded: float | None = None
    score: float | None = None
    max_score: float | None = None
    attempts: int = 0
    note: str = ""


class Ledger:
    """The service's SQLite ledger at ``path``."""

    def __init__(self, path):
        Path(path).parent.mkdir(parents=True, exist_ok=True)
        self.db = sqlite3.connect(path, timeout=30, isolation_level=None)
        self.db.execute("PRAGMA journal_mode=WAL")
        self.db.execute("PRAGMA synchronous=FULL")
        self.db.executescript(SCHEMA)

    def close(self):
        self.db.close()

    def _rows(self, sql, *args):
        return [Record(*row) for row in self.db.execute(
            f"SELECT {', '.join(COLUMNS)} FROM submissions {sql}", args)]

    def known(self):
        """The folders already in the ledger."""
        return {row[0] for row in self.db.execute("SELECT folder FROM submissions")}

    def add(self, folder, student, assignment, handed_in, state="waiting", note=""):
        """A submission seen for the first time (nothing happens if it is known)."""
        self.db.execute("INSERT OR IGNORE INTO submissions (folder, student, assignment, "
                        "handed_in, seen, state, note) VALUES (?, ?, ?, ?, ?, ?, ?)",
                        (folder, student, assignment, handed_in, time.time(), state, note))

    def get(self, folder):
        found = self._rows("WHERE folder = ?", folder)
        return found[0] if found else None

    def pending(self):
        """Submissions still to grade, oldest first."""
        return self._rows(f"WHERE state IN ({', '.join('?' * len(PENDING))}) "
                          "ORDER BY seen, folder", *PENDING)

    def of(self, student, assignment):
        """A student's submissions of an assignment, in the order they were handed in."""
        return self._rows("WHERE student = ? AND assignment = ? ORDER BY handed_in, seen",
                          student, assignment)

    def graded_since(self, student, assignment, since):
        """How many of a student's submissions of an assignment were graded after ``since``."""
        return self.db.execute("SELECT COUNT(*) FROM submissions WHERE student = ? AND "
                               "assignment = ? AND graded >= ?",
                               (student, assignment, since)).fetchone()[0]

    def set(self, folder, **values):
        """Change the given columns of one submission's row."""
        unknown = set(values) - set(COLUMNS)
        if unknown:
            raise ValueError(f"no such columns: {unknown}")
        assignments = ", ".join(f"{name} = ?" for name in values)
        self.db.execute(f"UPDATE submissions SET {assignments} WHERE folder = ?",
                        (*values.values(), folder))

    def tried(self, folder):
        """Count one more attempt at grading ``folder`` (before it is made)."""
        self.db.execute("UPDATE submissions SET attempts = attempts + 1 WHERE folder = ?",
                        (folder,))

    def all(self):
        return self._rows("ORDER BY seen, folder")
