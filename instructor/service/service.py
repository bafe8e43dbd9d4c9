"""``workbook serve``: every submission graded seconds after it reaches the exchange.

One long-running process (a JupyterHub managed service on the hub, ``workbook serve`` in a
course folder). Each turn it

1. lists the exchange's inbound and adds what is new to its :class:`.ledger.Ledger`;
2. picks a batch, fairly: one submission per student, the students waiting longest first,
   each student's own in the order they were handed in, within the assignment's
   :class:`.policy.Policy` (a submission over the hourly limit is held, the student told when it
   will be graded);
3. copies each, as hostile input, into its archive (``.workbook/service/submissions/``) and
   into ``submitted/<student>/<assignment>/``, and grades the batch with :func:`grade` (same
   sandbox, same answer key, same gradebook as ``workbook grade``) on workers it keeps, with
   their kernel factories warm;
4. writes each student's feedback page (what it shows before the due date is the policy's)
   and hands it out through the exchange, to the submission it belongs to;
5. puts back, and grades again, the submission that counts where the one just graded does not
   (a late one after one on time), so the gradebook, ``submitted/`` and the grade file always
   hold the one that counts: ``workbook grade`` then grades the same and gets the same scores.

A submission's row in the ledger moves on only when its step is done, so a crash, a kill or a
hub restart loses nothing and counts nothing twice. A full disk stops nothing for good: the
turn is tried again later, the exchange untouched. The log is ``.workbook/service.log``.
"""

import errno
import html
import logging
import logging.handlers
import signal
import threading
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from instructor.course import FEEDBACK, course_config
from instructor.extensions import (
    apply_extensions,
    page_notes,
    read_extensions,
    student_due,
)
from instructor.feedback import hidden_test_lines, render
from instructor.formgrader import mark_flagged
from instructor.graded import read_assignment
from instructor.grading import defaults
from instructor.grading.grade_run import Options, grade
from instructor.grading.run import LocalRunner
from instructor.service import exchange
from instructor.service.ledger import Ledger
from instructor.service.policy import GradingService, policy_for
from instructor.vocabulary import Status

__all__ = ["Service", "push_to_lms"]

STATE = Path(".workbook")
HOUR = 3600.0
RETRY_S = 30.0          # after a failure that is not the student's (a full disk)
ATTEMPTS = 3            # tries at grading one submission before its page says it failed


@dataclass
class Turn:
    """What one turn did."""

    seen: int = 0
    graded: int = 0
    held: int = 0


class Service:
    """The grading service of the course at ``root``."""

    def __init__(self, root, jobs=defaults.JOBS, log_to_stderr=True):
        self.root = Path(root).resolve()
        self.config = course_config(self.root)
        self.course_id = self.config.CourseDirectory.course_id
        self.exchange = Path(self.config.Exchange.get("root", "/srv/nbgrader/exchange"))
        self.state = self.root / STATE
        self.state.mkdir(exist_ok=True)
        self.archive = self.state / "service" / "submissions"
        self.ledger = Ledger(self.state / "service.sqlite")
        self.log = _logger(self.state / "service.log", log_to_stderr)
        self.settings = GradingService(config=self.config)
        self.jobs = jobs
        self.runner = None
        self.stopping = threading.Event()
        self.retry_at = 0.0

    # --- the loop -------------------------------------------------------------------------

    def serve(self):
        """Run until SIGTERM or SIGINT (the batch under way is finished first)."""
        for signum in (signal.SIGTERM, signal.SIGINT):
            signal.signal(signum, lambda *_: self.stopping.set())
        self.log.info("serving %s: exchange %s, %d workers", self.root, self.exchange,
                      self.jobs)
        self.runner = LocalRunner(self.jobs, self._warm_factories())
        try:
            while not self.stopping.is_set():
                turn = self.turn()
                if not turn.graded:
                    self.stopping.wait(self.settings.poll_seconds)
        finally:
            self.close()
            self.log.info("stopped")

    def _warm_factories(self):
        """Kernel factories for the latest assignment, started before any submission comes."""
        from instructor.grading.warmup import prestart

        latest = sorted(self.assignments())
        return prestart(self.root, latest[-1], self.jobs) if latest else []

    def close(self):
        if self.runner is not None:
            self.runner.close()
            self.runner = None
        self.ledger.close()

    def turn(self):
        """One look at the exchange and one batch graded; never raises for a submission."""
        turn = Turn()
        if time.time() < self.retry_at:
            return turn
        try:
            turn.seen = self.look()
            batch = self.pick(turn)
            if batch:
                self.grade(batch)
                turn.graded = len(batch)
        except OSError as error:
            self.retry_at = time.time() + RETRY_S
            why = "the disk is full" if error.errno == errno.ENOSPC else str(error)
            self.log.error("this turn failed (%s): trying again in %.0f s; nothing is lost, "
                           "the submissions stay in the exchange", why, RETRY_S)
        return turn

    # --- 1. the exchange ------------------------------------------------------------------

    def assignments(self):
        """The assignments the service grades: those generated, with a release."""
        return {p.name for p in (self.root / "release").iterdir() if p.is_dir()} if (
            self.root / "release").is_dir() else set()

    def look(self):
        """Add the new submissions of the exchange to the ledger; how many there were."""
        new = exchange.inbound(self.exchange, self.course_id, self.assignments(),
                               self.ledger.known())
        for arrival in new:
            flags = []
            when = exchange.handed_in_at(arrival.path, flags) if not arrival.refused else (
                datetime.now(UTC).replace(tzinfo=None))
            state = "refused" if arrival.refused else "waiting"
            self.ledger.add(arrival.folder, arrival.student, arrival.assignment,
                            when.isoformat(), state, arrival.refused or "; ".join(flags))
            self.log.info("%s: %s", arrival.folder, arrival.refused or "new submission")
        return len(new)

    # --- 2. fair, within the policy -------------------------------------------------------

    def pick(self, turn):
        """The next batch: one assignment, at most one submission per student, the students
        who have waited longest first; held submissions whose hour is over come back."""
        now, chosen, students = time.time(), [], set()
        assignment = None
        for record in self.ledger.pending():      # held ones too: the policy may have changed
            if record.student in students:
                continue
            if assignment not in (None, record.assignment):
                continue
            if not self._allowed(record, now):
                turn.held += 1
                students.add(record.student)     # a student's own stay in order
                continue
            chosen.append(record)
            students.add(record.student)
            assignment = record.assignment
            if len(chosen) >= max(self.jobs, 1) * 2:
                break
        return chosen

    def _allowed(self, record, now):
        """Within the policy? If not, hold the submission (or keep it) and tell the student."""
        policy = policy_for(self.config, record.assignment)
        graded = [r for r in self.ledger.of(record.student, record.assignment) if r.graded]
        if policy.in_all and len(graded) >= policy.in_all:
            note = (f"kept, not graded: you have had all {policy.in_all} graded submissions "
                    "of this assignment; your instructor can still grade it")
            self._tell(record, note)            # told first: a crash between tells twice
            self.ledger.set(record.folder, state="kept", note=note)
            return False
        recent = sorted(r.graded for r in graded if r.graded >= now - HOUR)
        if policy.per_hour and len(recent) >= policy.per_hour:
            until = recent[-policy.per_hour] + HOUR
            if record.state != "held":
                when = datetime.fromtimestamp(until).strftime("%H:%M")
                note = (f"queued: {policy.per_hour} submissions of this assignment were graded "
                        f"in the last hour; this one will be graded at about {when}")
                self._tell(record, note)
                self.ledger.set(record.folder, state="held", not_before=until, note=note)
            else:
                self.ledger.set(record.folder, not_before=until)
            return False
        return True

    def _tell(self, record, note):
        """Hand out a page saying ``note`` for a submission that is not graded now."""
        archive = self.archive / record.folder
        if not archive.exists():
            arrival = exchange.Arrival(record.folder, record.student, record.assignment,
                                       self.exchange / self.course_id / "inbound" / record.folder)
            exchange.collect(arrival, archive, self.config.CourseDirectory.get("ignore", ()))
        page = (f"<!doctype html><html><head><meta charset='utf-8'><title>{record.assignment}"
                f"</title></head><body><h1>{record.assignment}: your submission of "
                f"{record.handed_in[:16].replace('T', ' ')} UTC</h1><p>{note}.</p></body></html>")
        exchange.release(self.exchange, self.course_id, archive,
                         {p.stem: page for p in archive.glob("*.ipynb")})

    # --- 3, 4, 5: grade, feedback, the submission that counts ------------------------------

    def grade(self, batch):
        """Grade ``batch`` (one assignment), hand out its pages, keep what counts counted."""
        assignment = batch[0].assignment
        if self.runner is None:
            self.runner = LocalRunner(self.jobs)
        ignore = self.config.CourseDirectory.get("ignore", ())
        flags = {}
        for record in batch:
            self.ledger.tried(record.folder)
            arrival = exchange.Arrival(record.folder, record.student, assignment,
                                       self.exchange / self.course_id / "inbound" / record.folder)
            archive = self.archive / record.folder
            flags[record.student] = exchange.collect(arrival, archive, ignore)
            exchange.place(archive, self.root / "submitted" / record.student / assignment)
        students = [r.student for r in batch]
        apply_extensions(self.root, assignment, students)
        run = grade(self.root, assignment, students, Options(progress=False, jobs=self.jobs),
                    runner=self.runner)
        mark_flagged(self.root, assignment, run.results)
        results = {r.student: r for r in run.results}
        graded = read_assignment(self.root, assignment, students=students)
        class_due = _due_date(self.root, assignment)
        extensions = read_extensions(self.root).get(assignment, {})
        secrets = hidden_test_lines(self.root, assignment)
        recount = []
        for record in batch:
            result = results[record.student]
            due = student_due(class_due, extensions.get(record.student))
            counted = self._counted(record, due)
            notes = self._notes(record, counted, due, flags[record.student])
            if result.status == Status.ERROR and self._retry(record):
                continue
            if Status(result.status).graded:
                pages = self._pages(graded, record, due, secrets, notes)
            else:
                pages = self._refusal_pages(record, result)
            exchange.release(self.exchange, self.course_id, self.archive / record.folder, pages)
            self.ledger.set(record.folder, state="released", graded=time.time(),
                            score=result.score, max_score=result.max_score,
                            note="; ".join(dict.fromkeys(result.flags)))
            self.log.info("%s: graded %s/%s (%s), page handed out", record.folder,
                          "-" if result.score is None else f"{result.score:g}",
                          f"{result.max_score:g}", result.status)
            if counted is not None and counted.folder != record.folder:
                recount.append(counted)
        if recount:
            self._recount(assignment, recount)
        push_to_lms(self.root, self.config, assignment, students, self.log)

    def _retry(self, record):
        """A grading that failed for a reason not the student's (a lost worker, a full disk):
        start the workers afresh and leave the submission waiting, up to ATTEMPTS tries."""
        if self.ledger.get(record.folder).attempts >= ATTEMPTS:
            return False
        self.log.warning("%s: grading failed, not for the student's sake; trying again",
                         record.folder)
        if self.runner is not None:
            self.runner.close()
            self.runner = None
        return True

    def _counted(self, record, due):
        """The submission of ``record``'s student that the gradebook keeps, by the policy."""
        policy = policy_for(self.config, record.assignment)
        done = [r for r in self.ledger.of(record.student, record.assignment)
                if r.state == "released" or r.folder == record.folder]
        if policy.counts == "last_on_time" and due is not None:
            on_time = [r for r in done if datetime.fromisoformat(r.handed_in) <= due]
            if on_time:
                return on_time[-1]
        return done[-1] if done else None

    def _notes(self, record, counted, due, flags):
        notes = [f"This page is for your submission of {record.handed_in[:19].replace('T', ' ')}"
                 " UTC.", *page_notes(self.root, record.assignment, record.student)]
        if counted is not None and counted.folder != record.folder:
            notes.append(f"It does not count: it was handed in after the due date, and your "
                         f"submission of {counted.handed_in[:19].replace('T', ' ')} UTC, on "
                         "time, does.")
        return notes + [f"Note: {flag}" for flag in flags]

    def _pages(self, graded, record, due, secrets, notes):
        submission = graded.submissions.get(record.student) if graded else None
        if submission is None:
            return {}
        before_due = due is not None and datetime.now(UTC).replace(tzinfo=None) < due
        policy = policy_for(self.config, record.assignment)
        show_hidden = policy.hidden_before_due or not before_due
        pages = {nb.name: render(nb, secrets, show_hidden, notes) for nb in submission.notebooks}
        folder = self.root / FEEDBACK / record.student / record.assignment
        folder.mkdir(parents=True, exist_ok=True)
        for name, page in pages.items():
            (folder / f"{name}.html").write_text(page)
        return pages

    def _refusal_pages(self, record, result):
        """Pages saying why a submission could not be graded (its flags, made safe)."""
        why = "".join(f"<li>{html.escape(flag)}</li>" for flag in dict.fromkeys(result.flags))
        page = (f"<!doctype html><html><head><meta charset='utf-8'><title>{record.assignment}"
                f"</title></head><body><h1>{record.assignment}: your submission of "
                f"{record.handed_in[:19].replace('T', ' ')} UTC could not be graded</h1>"
                f"<ul>{why}</ul><p>Fix what is listed and submit again.</p></body></html>")
        return {p.stem: page for p in (self.archive / record.folder).glob("*.ipynb")}

    def _recount(self, assignment, records):
        """Put back and grade again the submissions that count (the gradebook keeps them)."""
        for record in records:
            exchange.place(self.archive / record.folder,
                           self.root / "submitted" / record.student / assignment)
        students = [r.student for r in records]
        grade(self.root, assignment, students, Options(progress=False, jobs=self.jobs),
              runner=self.runner)
        self.log.info("%s: the submissions that count graded again for %s", assignment,
                      ", ".join(students))


def _due_date(root, assignment):
    """The assignment's due date in the gradebook (naive UTC), or None."""
    from nbgrader.api import Gradebook, MissingEntry

    with Gradebook(course_config(root).CourseDirectory.db_url) as gb:
        try:
            return gb.find_assignment(assignment).duedate
        except MissingEntry:
            return None


def _logger(path, to_stderr):
    log = logging.getLogger(f"workbook.service.{path}")
    log.setLevel(logging.INFO)
    if not log.handlers:
        handler = logging.handlers.RotatingFileHandler(path, maxBytes=5 << 20, backupCount=3)
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(message)s"))
        log.addHandler(handler)
        if to_stderr:
            log.addHandler(logging.StreamHandler())
    return log


def push_to_lms(root, config, assignment, students, log):
    """Send the counted scores of ``students`` to the LMS when the course's ``config`` sets it
    up for grade passback (``c.LtiPlatform``; README: 'Grades in the LMS'); return the
    :class:`~instructor.lms.ags.PushSummary`, or None. A refusal is logged, never raised:
    grading goes on, and ``workbook grades push`` (or the student's next graded submission)
    sends the score again."""
    from instructor.lms.ags import push_scores
    from instructor.lms.config import LtiPlatform

    if LtiPlatform(config=config).empty(LtiPlatform.PASSBACK):
        return None
    try:
        summary = push_scores(root, assignment, students)
    except Exception as error:  # noqa: BLE001  (the LMS or the network: grading goes on)
        log.warning("%s: scores not sent to the LMS: %s", assignment, error)
        return None
    log.info("%s: sent to the LMS: %s", assignment, summary.lines()[1].strip())
    return summary
