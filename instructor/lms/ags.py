"""Grade passback: LTI Advantage's Assignment and Grade Services (AGS 2.0), as a tool.

:func:`push_scores` is ``workbook grades push ASSIGNMENT``, and what a grading service calls
after each graded submission. It reads each student's score from the gradebook (late penalty
applied, :func:`instructor.nbgrader_hooks.score_after_penalty`) and their status from
``workbook-grades.csv``, then, as the tool registered with the LMS (:class:`AgsClient`):

1. asks the platform's token endpoint for an access token, authenticating with a client
   assertion: a JWT signed with the tool's private key (IMS Security Framework, section 4.1);
2. finds the line item of the assignment (``resourceId`` = the assignment id) in the course's
   line items, or creates it with the assignment's maximum;
3. reads each graded student's result in the line item, and posts their score
   (``activityProgress`` Completed, ``gradingProgress`` FullyGraded).

A student with nothing handed in (status ``missing``), a hand-in that could not be graded
(``malformed``, ``error``) or no ``lms_user_id`` in the gradebook gets no score: the LMS keeps
the work ungraded. A score the LMS holds that is not the one this course last posted there
(kept in ``.workbook/lms-scores.json``) was entered or changed in the LMS, by a person or
another tool: it is kept and reported, never overwritten.
"""

import json
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import jwt

from instructor.lms.config import LmsError, platform
from instructor.lms.keys import load_key, public_jwk

__all__ = ["SCOPES", "AgsClient", "PushSummary", "push_scores"]

LINEITEM_SCOPE = "https://purl.imsglobal.org/spec/lti-ags/scope/lineitem"
RESULT_SCOPE = "https://purl.imsglobal.org/spec/lti-ags/scope/result.readonly"
SCORE_SCOPE = "https://purl.imsglobal.org/spec/lti-ags/scope/score"
SCOPES = (LINEITEM_SCOPE, RESULT_SCOPE, SCORE_SCOPE)
LINEITEM_TYPE = "application/vnd.ims.lis.v2.lineitem+json"
LINEITEMS_TYPE = "application/vnd.ims.lis.v2.lineitemcontainer+json"
RESULTS_TYPE = "application/vnd.ims.lis.v2.resultcontainer+json"
SCORE_TYPE = "application/vnd.ims.lis.v1.score+json"
ASSERTION_TYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
TAG = "backprop-workbook"
LEDGER = Path(".workbook") / "lms-scores.json"


class AgsClient:
    """The AGS calls of one tool registration (an :class:`~instructor.lms.config.LtiPlatform`
    and the tool's private key), over HTTPS with a bearer token it renews when it expires."""

    def __init__(self, settings, key, timeout=30):
        settings.require(settings.PASSBACK)
        self.settings, self.key, self.timeout = settings, key, timeout
        self.kid = public_jwk(key)["kid"]
        self._token, self._expires = None, 0.0

    def client_assertion(self):
        """The signed JWT that authenticates the tool at the token endpoint."""
        now = int(time.time())
        claims = {"iss": self.settings.client_id, "sub": self.settings.client_id,
                  "aud": self.settings.audience, "iat": now, "exp": now + 300,
                  "jti": uuid.uuid4().hex}
        return jwt.encode(claims, self.key, algorithm="RS256", headers={"kid": self.kid})

    def token(self):
        """A bearer token for :data:`SCOPES` (the client credentials grant)."""
        if self._token and time.monotonic() < self._expires:
            return self._token
        form = urllib.parse.urlencode({
            "grant_type": "client_credentials", "client_assertion_type": ASSERTION_TYPE,
            "client_assertion": self.client_assertion(), "scope": " ".join(SCOPES)}).encode()
        request = urllib.request.Request(self.settings.token_url, data=form, method="POST",
                                         headers={"Accept": "application/json"})
        reply, _ = self._send(request)
        if not reply.get("access_token"):
            raise LmsError(f"the token endpoint answered without an access token: {reply}")
        self._token = reply["access_token"]
        self._expires = time.monotonic() + int(reply.get("expires_in", 3600)) - 60
        return self._token

    def call(self, method, url, body=None, content_type=None, accept="application/json"):
        """One authorised request; returns ``(JSON reply or None, headers)``."""
        headers = {"Authorization": f"Bearer {self.token()}", "Accept": accept}
        data = None
        if body is not None:
            data, headers["Content-Type"] = json.dumps(body).encode(), content_type
        return self._send(urllib.request.Request(url, data=data, method=method,
                                                 headers=headers))

    def _send(self, request):
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                text = response.read().decode()
                return (json.loads(text) if text.strip() else None), response.headers
        except urllib.error.HTTPError as error:
            detail = error.read().decode(errors="replace")[:300]
            raise LmsError(f"{request.get_method()} {request.full_url}: HTTP {error.code} "
                           f"{error.reason}: {detail}") from None
        except (urllib.error.URLError, OSError) as error:
            raise LmsError(f"{request.get_method()} {request.full_url}: {error}") from None

    def pages(self, url, accept):
        """Every item of a paged AGS container (pages are linked by ``Link: <...>; rel=next``)."""
        items = []
        while url:
            reply, headers = self.call("GET", url, accept=accept)
            items.extend(reply or [])
            url = next_link(headers.get("Link", ""))
        return items

    def line_item(self, resource_id, label, maximum):
        """The course's line item for ``resource_id``, made if there is none."""
        query = urllib.parse.urlencode({"resource_id": resource_id})
        found = [item for item in self.pages(add_query(self.settings.lineitems_url, query),
                                             LINEITEMS_TYPE)
                 if item.get("resourceId") == resource_id]
        if found:
            return found[0]
        body = {"label": label, "scoreMaximum": maximum, "resourceId": resource_id, "tag": TAG}
        item, _ = self.call("POST", self.settings.lineitems_url, body, LINEITEM_TYPE,
                            accept=LINEITEM_TYPE)
        return item

    def result(self, line_item, user_id):
        """The line item's result for one user (AGS's ``user_id`` filter), or None when it
        has no score. Asked per user: a platform may name users in results by another id
        than the one scores are posted with (Canvas takes either its user id or the LTI id)."""
        query = urllib.parse.urlencode({"user_id": user_id})
        results = self.pages(add_query(service_url(line_item["id"], "results"), query),
                             RESULTS_TYPE)
        scored = [r for r in results if r.get("resultScore") is not None]
        return scored[0] if scored else None

    def post_score(self, line_item, user_id, given, maximum, comment=None):
        """Post one student's final score to a line item."""
        body = {"userId": user_id, "scoreGiven": given, "scoreMaximum": maximum,
                "activityProgress": "Completed", "gradingProgress": "FullyGraded",
                "timestamp": time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime())
                + f".{int(time.time() * 1000) % 1000:03d}+00:00"}
        if comment:
            body["comment"] = comment
        self.call("POST", service_url(line_item["id"], "scores"), body, SCORE_TYPE)


def add_query(url, query):
    """``url`` with ``query`` added to its query string."""
    parts = urllib.parse.urlsplit(url)
    joined = f"{parts.query}&{query}" if parts.query else query
    return urllib.parse.urlunsplit(parts._replace(query=joined))


def service_url(line_item_url, service):
    """The scores or results endpoint of a line item: ``service`` added to its path."""
    parts = urllib.parse.urlsplit(line_item_url)
    return urllib.parse.urlunsplit(parts._replace(path=parts.path.rstrip("/") + "/" + service))


def next_link(header):
    """The ``rel="next"`` URL of a Link header, or None."""
    for part in header.split(","):
        if 'rel="next"' in part or "rel=next" in part:
            return part.split(";")[0].strip().strip("<>")
    return None


@dataclass
class PushSummary:
    """What one push did, student by student."""

    assignment: str
    line_item: str = ""
    posted: list = field(default_factory=list)       # (student, score)
    unchanged: list = field(default_factory=list)    # student: the LMS already had this score
    kept: list = field(default_factory=list)         # (student, LMS score): changed in the LMS
    ungraded: list = field(default_factory=list)     # (student, why no score was posted)

    def lines(self):
        """The summary as the command line prints it."""
        out = [f"{self.assignment} -> line item {self.line_item}",
               f"  posted {len(self.posted)}, already there {len(self.unchanged)}, kept "
               f"{len(self.kept)} changed in the LMS, left ungraded {len(self.ungraded)}"]
        out += [f"  kept {student}: the LMS holds {score:g}, not the score this course posted; "
                "change or clear it in the LMS" for student, score in self.kept]
        out += [f"  ungraded {student}: {why}" for student, why in self.ungraded]
        return out


@dataclass
class Entry:
    """One student's score to post, read from the gradebook."""

    student: str
    user_id: str
    score: float
    penalty: float


def push_scores(course_root, assignment, students=None):
    """Post the scores of ``assignment`` (of ``students``, default all) to the LMS; return a
    :class:`PushSummary`. Raises :class:`~instructor.lms.config.LmsError` when the LMS is not
    configured or refuses."""
    root = Path(course_root).resolve()
    settings = platform(root)
    settings.require(settings.PASSBACK)
    summary = PushSummary(assignment)
    maximum, entries = _gradebook_entries(root, assignment, students, summary)
    client = AgsClient(settings, load_key(settings.key_path))
    item = client.line_item(assignment, assignment, maximum)
    summary.line_item = item["id"]
    ledger_path = root / LEDGER
    ledger = json.loads(ledger_path.read_text()) if ledger_path.exists() else {}
    ours = ledger.setdefault(f"{settings.issuer} {item['id']}", {})
    for entry in entries:
        result = client.result(item, entry.user_id)
        share = entry.score / maximum if maximum else 0.0
        if result is not None:
            lms_share = _share(result)
            if abs(lms_share - share) < 1e-9:
                summary.unchanged.append(entry.student)
                ours[entry.user_id] = share
                continue
            if entry.user_id not in ours or abs(ours[entry.user_id] - lms_share) > 1e-9:
                lms_score = result["resultScore"]
                summary.kept.append((entry.student, float(lms_score)))
                continue
        comment = None
        if entry.penalty > 0:
            comment = (f"Handed in late: {entry.penalty:g} points taken off "
                       f"({entry.score + entry.penalty:g} before the penalty).")
        client.post_score(item, entry.user_id, entry.score, maximum, comment)
        ours[entry.user_id] = share
        summary.posted.append((entry.student, entry.score))
    ledger_path.parent.mkdir(exist_ok=True)
    ledger_path.write_text(json.dumps(ledger, indent=1, sort_keys=True))
    return summary


def _share(result):
    """A result's score as a share of its maximum (AGS: resultMaximum defaults to 1)."""
    maximum = result.get("resultMaximum", 1) or 1
    return float(result["resultScore"]) / float(maximum)


def _gradebook_entries(root, assignment, students, summary):
    """``(max score, [Entry])`` of the students to post; the others go to ``summary``."""
    import warnings

    from nbgrader.api import Gradebook, MissingEntry

    from instructor.course import course_config
    from instructor.grading.records import read_grade_file
    from instructor.nbgrader_hooks import score_after_penalty
    from instructor.vocabulary import Status

    rows = read_grade_file(root)
    entries = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with Gradebook(course_config(root).CourseDirectory.db_url) as gb:
            try:
                maximum = gb.find_assignment(assignment).max_score
            except MissingEntry:
                raise LmsError(f"no assignment {assignment!r} in the gradebook") from None
            known = {s.id: s for s in gb.students}
            unknown = sorted(set(students or ()) - set(known))
            if unknown:
                raise LmsError(f"not in the gradebook: {', '.join(unknown)}")
            for sid in sorted(students or known):
                row = rows.get((sid, assignment))
                status = Status(row["status"]) if row else None
                try:
                    submission = gb.find_submission(assignment, sid)
                except MissingEntry:
                    submission = None
                if submission is None or status == Status.MISSING:
                    summary.ungraded.append((sid, "nothing handed in"))
                elif status is not None and not status.graded:
                    summary.ungraded.append((sid, f"the last hand-in was not graded "
                                                  f"({status.value})"))
                elif not known[sid].lms_user_id:
                    summary.ungraded.append((sid, "no lms_user_id in the gradebook"))
                else:
                    entries.append(Entry(sid, known[sid].lms_user_id,
                                         score_after_penalty(submission),
                                         submission.late_submission_penalty or 0.0))
    return maximum, entries
