"""LTI 1.3 end to end on loopback: launch into a real JupyterHub, grades back to the platform.

The platform is ``tests/lti_platform.py`` (built on ``lti1p3platform``); every step is real
HTTP with real RS256 signatures. A test client plays the student's browser:

- **Launch.** The student opens the course link in the LMS; the platform starts the OIDC
  third-party login at the hub (``jupyterhub-ltiauthenticator``, configured by
  :func:`instructor.lms.lti.lti_hub_settings`), the hub redirects to the platform's
  authorization endpoint with its nonce and state, the platform answers with the auto-posting
  form holding the signed ``id_token``, the client posts it to the hub. The student is logged
  in under their nbgrader id and sent on to JupyterLab. Refused: a bad signature, a token for
  another audience, an expired one, a launch replayed (with or without the cookie that went
  with it), a user outside the roster.
- **Grade passback.** ``workbook grades push`` (the real command) requests an access token
  with a client assertion signed by the tool's key, creates the line item, posts the scores
  (late penalty applied, missing work ungraded) and keeps a score changed in the LMS.
"""

import http.cookiejar
import json
import re
import shutil
import subprocess
import sys
import urllib.error
import urllib.parse
import urllib.request
from html.parser import HTMLParser

import jwt
import pytest

from instructor.authoring.courses import COURSE, venv_env
from instructor.lms.config import LmsError, LtiPlatform
from instructor.lms.keys import make_key, public_jwk

pytest.importorskip("lti1p3platform", reason="lti1p3platform (dev extra) is not installed")

from lti_platform import TestPlatform  # noqa: E402

# LMS user id -> (nbgrader id, LTI sub, name)
PEOPLE = {"1001": ("ada", "6b0c-ada", "Ada Lovelace"), "1002": ("alan", "73fe-alan", "Alan Turing"),
          "1003": ("grace", "9a1d-grace", "Grace Hopper"),
          "1006": ("barbara", "5e5e-barbara", "Barbara Liskov")}
STRANGER = "4040"
ASSIGNMENT, MAX = "01_forward_pass", 21


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


class Browser:
    """A student's browser without JavaScript: cookies, one request at a time."""

    def __init__(self):
        self.cookies = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.cookies),
                                                  NoRedirect)

    def send(self, url, form=None):
        data = urllib.parse.urlencode(form).encode() if form is not None else None
        try:
            with self.opener.open(urllib.request.Request(url, data=data), timeout=30) as reply:
                return reply.status, reply.headers, reply.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, error.headers, error.read().decode(errors="replace")

    def follow(self, url, base):
        """GET ``url`` and follow redirects; return the last reply and its URL."""
        for _ in range(10):
            status, headers, body = self.send(url)
            if status not in (301, 302, 303):
                return status, headers, body, url
            url = urllib.parse.urljoin(url, headers["Location"])
        raise AssertionError("too many redirects")


class Form(HTMLParser):
    """The action and hidden fields of the launch form the platform answers with."""

    def __init__(self, text):
        super().__init__()
        self.action, self.fields = None, {}
        self.feed(text)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self.action = attrs["action"]
        if tag == "input":
            self.fields[attrs["name"]] = attrs["value"]


@pytest.fixture(scope="module")
def tool_key(tmp_path_factory):
    """``(private key, its file)``."""
    path = tmp_path_factory.mktemp("key") / "tool-key.pem"
    return make_key(path)[0], path


@pytest.fixture(scope="module")
def platform(tool_key):
    platform = TestPlatform(public_jwk(tool_key[0]))
    platform.users = {lms: (sub, name) for lms, (_, sub, name) in PEOPLE.items()}
    platform.users[STRANGER] = ("ffff-stranger", "Someone Else")
    yield platform.start()
    platform.stop()


def settings_of(platform, key_path):
    return LtiPlatform(issuer=platform.issuer, client_id=platform.client_id,
                       deployment_id=platform.deployment_id,
                       authorize_url=platform.authorize_url, jwks_url=platform.jwks_url,
                       token_url=platform.token_url, lineitems_url=platform.lineitems_url,
                       key_file=str(key_path))


# --- the launch -------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def hub(platform, tool_key, tmp_path_factory):
    from lti_hub import HubUnavailable, throwaway_hub

    from instructor.lms.lti import hub_config_lines, lti_hub_settings, tool_urls

    roster = [{"id": login, "lms_user_id": lms} for lms, (login, _, _) in PEOPLE.items()]
    settings = lti_hub_settings(settings_of(platform, "unused"), roster,
                                staff={"2001": "instructor"})
    try:
        with throwaway_hub(tmp_path_factory.mktemp("hub"), hub_config_lines(settings)) as (
                url, token, log):
            urls = tool_urls(url)
            platform.connect(urls["OpenID Connect login initiation URL"],
                             urls["Target link URI"], urls["Redirect URI"])
            yield url, token, log
    except HubUnavailable as error:
        pytest.skip(str(error))


def launch_form(platform, browser, lms_user_id, tamper=None):
    """The student clicks the link: returns the auto-posting form the platform answers with."""
    platform.tamper = tamper
    status, _, body, url = browser.follow(f"{platform.url}/launch?user={lms_user_id}",
                                          platform.url)
    assert status == 200 and url.startswith(platform.authorize_url), (status, body[:500])
    return Form(body)


def logged_in(browser, hub):
    """Does the browser hold a hub session (its home page, not the login page)?"""
    status, _, page, url = browser.follow(f"{hub[0]}/hub/home", hub[0])
    return status == 200 and url.endswith("/hub/home")


def hub_user(hub, name):
    url, token, _ = hub
    request = urllib.request.Request(f"{url}/hub/api/users/{name}",
                                     headers={"Authorization": f"token {token}"})
    try:
        with urllib.request.urlopen(request, timeout=10) as reply:
            return json.loads(reply.read())
    except urllib.error.HTTPError as error:
        assert error.code == 404
        return None


@pytest.mark.slow
def test_a_launch_logs_the_student_in_under_their_nbgrader_id(platform, hub):
    browser = Browser()
    form = launch_form(platform, browser, "1001")
    assert form.action == f"{hub[0]}/hub/lti13/oauth_callback"
    claims = jwt.decode(form.fields["id_token"], options={"verify_signature": False})
    assert claims["aud"] == platform.client_id and claims["sub"] == "6b0c-ada"
    status, headers, body = browser.send(form.action, form.fields)
    assert status == 302, body[-800:]
    assert headers["Location"] == "/hub/user-redirect/lab"        # on to JupyterLab
    assert logged_in(browser, hub)
    user = hub_user(hub, "ada")
    assert user["name"] == "ada" and not user["admin"] and user["last_activity"]
    assert hub_user(hub, "1001") is None and hub_user(hub, "6b0c-ada") is None


@pytest.mark.slow
@pytest.mark.parametrize("tamper, status", [("signature", 400), ("audience", 401),
                                            ("expired", 400)])
def test_a_bad_launch_is_refused(platform, hub, tamper, status):
    browser = Browser()
    form = launch_form(platform, browser, "1002", tamper)
    code, _, body = browser.send(form.action, form.fields)
    assert code == status, body[-500:]
    assert not logged_in(browser, hub)
    assert hub_user(hub, "alan")["last_activity"] is None


@pytest.mark.slow
def test_a_replayed_launch_is_refused_with_or_without_its_cookie(platform, hub):
    browser = Browser()
    form = launch_form(platform, browser, "1003")
    kept = list(browser.cookies)                       # the state and nonce cookies, captured
    status, _, _ = browser.send(form.action, form.fields)
    assert status == 302
    again, _, _ = browser.send(form.action, form.fields)  # the browser posts it twice
    assert again == 400
    thief = Browser()
    for cookie in kept:
        thief.cookies.set_cookie(cookie)
    replayed, _, body = thief.send(form.action, form.fields)
    assert replayed == 400 and "used before" in body


@pytest.mark.slow
def test_someone_outside_the_roster_is_not_let_in(platform, hub):
    browser = Browser()
    form = launch_form(platform, browser, STRANGER)
    status, _, _ = browser.send(form.action, form.fields)
    assert status == 403 and not logged_in(browser, hub)
    assert hub_user(hub, STRANGER) is None and hub_user(hub, "ffff-stranger") is None


def test_hub_settings_map_lms_ids_and_refuse_a_shared_one():
    from instructor.lms.lti import AUTHENTICATOR, lti_hub_settings

    settings = LtiPlatform(issuer="https://lms.example.edu", client_id="c1",
                           authorize_url="https://lms.example.edu/auth",
                           jwks_url="https://lms.example.edu/jwks")
    hub = lti_hub_settings(settings, [{"id": "ada", "lms_user_id": "AB12"},
                                      {"id": "alan", "lms_user_id": ""}], {"9": "instructor"})
    assert hub["JupyterHub.authenticator_class"] == AUTHENTICATOR
    assert hub["Authenticator.username_map"] == {"ab12": "ada", "9": "instructor"}
    assert hub["Authenticator.allowed_users"] == {"ada", "instructor"}
    assert hub["Authenticator.admin_users"] == {"instructor"}
    assert hub["LTI13Authenticator.username_key"] == "custom_lms_user_id"
    with pytest.raises(ValueError, match="belongs to both"):
        lti_hub_settings(settings, [{"id": "ada", "lms_user_id": "7"},
                                    {"id": "alan", "lms_user_id": "7"}])
    with pytest.raises(LmsError, match="https"):
        lti_hub_settings(LtiPlatform(issuer="http://lms.example.edu", client_id="c1",
                                     authorize_url="https://a", jwks_url="https://j"), [])


# --- grade passback ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def graded(tmp_path_factory, platform, tool_key):
    """Assignment 1 graded: Ada on time, Alan late, Barbara, Edsger's last hand-in not graded
    (the gradebook keeps his old score), Linus without an LMS id, Grace handed in nothing."""
    from gradebook_course import Result, graded_course

    config = "".join(f"c.LtiPlatform.{name} = {value!r}\n" for name, value in [
        ("issuer", platform.issuer), ("client_id", platform.client_id),
        ("deployment_id", platform.deployment_id), ("token_url", platform.token_url),
        ("lineitems_url", platform.lineitems_url), ("key_file", str(tool_key[1]))])
    students = {login: lms for lms, (login, _, _) in PEOPLE.items()}
    results = [Result("ada", ASSIGNMENT, 18), Result("alan", ASSIGNMENT, 21, penalty=2.1),
               Result("barbara", ASSIGNMENT, 15), Result("edsger", ASSIGNMENT, 9, status="error"),
               Result("linus", ASSIGNMENT, 20), Result("grace", ASSIGNMENT, None)]
    platform.users.setdefault("1005", ("e5-edsger", "Edsger Dijkstra"))
    return graded_course(tmp_path_factory.mktemp("course"), {ASSIGNMENT: MAX},
                         {**students, "edsger": "1005", "linus": None}, results, config)


@pytest.fixture
def course(graded, platform, tmp_path):
    """A fresh copy of the graded course, and a platform with no line items yet."""
    platform.forget()
    return shutil.copytree(graded, tmp_path / "course")



def workbook(course, *args):
    return subprocess.run([sys.executable, "-m", "instructor.cli", *args, "--course", str(course)],
                          env=venv_env(), capture_output=True, text=True, timeout=120)


@pytest.mark.slow
def test_push_posts_scores_to_a_new_line_item_and_keeps_what_a_person_changed(course, platform):
    result = workbook(course, "grades", "push", ASSIGNMENT)
    assert result.returncode == 0, result.stderr
    item = next(i for i in platform.line_items.values() if i["resourceId"] == ASSIGNMENT)
    assert item["scoreMaximum"] == MAX and item["label"] == ASSIGNMENT
    assert platform.result(ASSIGNMENT, "1001") == (18, MAX)
    assert platform.result(ASSIGNMENT, "1002") == pytest.approx((21 - 2.1, MAX))
    late = next(s for s in platform.scores if s["userId"] == "1002")
    assert "late" in late["comment"] and late["scoreMaximum"] == MAX
    for absent in ("1003", "1005"):            # missing work, a hand-in that was not graded
        assert platform.result(ASSIGNMENT, absent) is None
    assert "ungraded linus: no lms_user_id" in result.stdout
    assert "posted 3" in result.stdout

    # In the LMS, the instructor changes Barbara's score and grades Grace by hand; here, Ada
    # is regraded. The next push posts Ada's new score and leaves the two people's scores.
    platform.grade_by_hand(ASSIGNMENT, "1006", 19)
    platform.grade_by_hand(ASSIGNMENT, "1003", 5)
    from nbgrader.api import Gradebook

    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gb:
        gb.find_grade("test_all", "answers", ASSIGNMENT, "ada").auto_score = 20
        gb.db.commit()
    posted_before = len(platform.scores)
    result = workbook(course, "grades", "push", ASSIGNMENT)
    assert result.returncode == 0, result.stderr
    assert platform.result(ASSIGNMENT, "1001") == (20, MAX)
    assert platform.result(ASSIGNMENT, "1006") == (19, MAX)
    assert platform.result(ASSIGNMENT, "1003") == (5, MAX)
    assert [s["userId"] for s in platform.scores[posted_before:]] == ["1001"]
    assert "kept barbara: the LMS holds 19" in result.stdout
    assert len([i for i in platform.line_items.values() if i["resourceId"] == ASSIGNMENT]) == 1


def test_push_for_one_student_is_what_a_grading_service_calls(course, platform):
    from instructor.lms.ags import push_scores

    summary = push_scores(course, ASSIGNMENT, ["alan"])
    assert [s for s, _ in summary.posted] == ["alan"] and not summary.ungraded


def test_the_grading_service_sends_what_it_graded_and_goes_on_when_refused(
        course, platform, tmp_path, caplog):
    """Does the grading service send the scores of the students it has just graded, and
    carry on, saying why in its log, when the LMS refuses or is not configured?"""
    import logging

    from instructor.course import course_config
    from instructor.service.service import push_to_lms

    log = logging.getLogger("workbook.service.test")
    summary = push_to_lms(course, course_config(course), ASSIGNMENT, ["ada"], log)
    assert [s for s, _ in summary.posted] == ["ada"]
    assert platform.result(ASSIGNMENT, "1001") == (18, MAX)
    plain = tmp_path / "plain"
    plain.mkdir()
    (plain / "nbgrader_config.py").write_text("c = get_config()\n")
    assert push_to_lms(plain, course_config(plain), ASSIGNMENT, ["ada"], log) is None  # no LMS
    with (course / "nbgrader_config.py").open("a") as config:
        config.write("c.LtiPlatform.token_url = 'http://127.0.0.1:9/token'\n")
    with caplog.at_level(logging.WARNING, logger=log.name):
        assert push_to_lms(course, course_config(course), ASSIGNMENT, ["alan"], log) is None
    assert "scores not sent to the LMS" in caplog.text


def test_a_tool_key_the_platform_does_not_know_is_refused(course, tmp_path_factory):
    from instructor.lms.ags import push_scores

    stranger = tmp_path_factory.mktemp("other") / "key.pem"
    make_key(stranger)
    with open(course / "nbgrader_config.py", "a") as config:
        config.write(f"c.LtiPlatform.key_file = {str(stranger)!r}\n")
    with pytest.raises(LmsError, match="401"):
        push_scores(course, ASSIGNMENT)


def test_push_says_what_to_configure(tmp_path):
    (tmp_path / "nbgrader_config.py").write_text((COURSE / "nbgrader_config.py").read_text())
    result = workbook(tmp_path, "grades", "push", ASSIGNMENT)
    assert result.returncode == 2
    assert re.search(r"c\.LtiPlatform\.issuer.*c\.LtiPlatform\.token_url", result.stderr)


def test_key_prints_the_public_half_and_keeps_the_private_one_private(tmp_path):
    key = tmp_path / "home" / "tool-key.pem"
    (tmp_path / "nbgrader_config.py").write_text(
        (COURSE / "nbgrader_config.py").read_text() + f"c.LtiPlatform.key_file = {str(key)!r}\n")
    first = workbook(tmp_path, "grades", "key")
    assert first.returncode == 0, first.stderr
    assert oct(key.stat().st_mode & 0o777) == "0o600"
    jwk = json.loads(first.stdout[first.stdout.index("{"):first.stdout.index("}") + 1])
    assert jwk["kty"] == "RSA" and jwk["alg"] == "RS256" and "d" not in jwk
    assert "PRIVATE" not in first.stdout
    again = workbook(tmp_path, "grades", "key")
    assert "Kept" in again.stdout and jwk["kid"] in again.stdout
