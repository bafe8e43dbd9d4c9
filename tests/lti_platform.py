"""An LTI 1.3 platform on loopback, standing in for Canvas or Moodle in tests/test_lti.py.

Built on ``lti1p3platform`` (OpenLearning's LTI 1.3 platform library): its ``Registration``
holds the platform's RSA key and the tool's public key, its OIDC login builds the third-party
login initiation, its message launch builds and signs the ``id_token`` (with the AGS claim),
its ``get_access_token`` checks the tool's signed client assertion and its ``validate_token``
the bearer token of every service call. Around it, a threaded HTTP server on 127.0.0.1 with:

- ``GET /launch?user=ID``: a student clicks the course link; redirect to the tool's login;
- ``GET /auth``: the OIDC authorization endpoint; answers with the auto-posting launch form;
- ``GET /jwks``; ``POST /token`` (also checks the assertion's audience and that its ``jti``
  is new, which the library leaves to the platform);
- ``/lineitems`` (GET, POST), ``/lineitems/N/results`` (GET), ``/lineitems/N/scores`` (POST):
  AGS line items, results and scores, paged two to a page so that paging is exercised.

``tamper`` makes the next launch bad: ``"signature"`` (signed by another key under the
platform's key id), ``"audience"`` (issued to another client), ``"expired"``.
"""

import html
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl, urlencode, urlsplit

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from lti1p3platform.ltiplatform import LTI1P3PlatformConfAbstract
from lti1p3platform.message_launch import LTIAdvantageMessageLaunchAbstract
from lti1p3platform.oidc_login import OIDCLoginAbstract
from lti1p3platform.registration import Registration
from lti1p3platform.request import Request

__all__ = ["TestPlatform"]

LEARNER = "http://purl.imsglobal.org/vocab/lis/v2/membership#Learner"
PAGE = 2


def _pem_pair():
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    private = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                serialization.NoEncryption()).decode()
    public = key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo).decode()
    return private, public


class PlainRequest(Request):
    """The library's request abstraction over a parsed query or form."""

    def build_metadata(self, request):
        return {"method": request["method"], "form_data": request.get("form", {}),
                "get_data": request.get("query", {}), "headers": {}, "content_type": None,
                "path": request["path"], "json": None}


class PlatformConf(LTI1P3PlatformConfAbstract):
    def init_platform_config(self, **kwargs):
        self.registration_ = kwargs["registration"]

    def get_registration_by_params(self, **kwargs):
        return self.registration_


class Login(OIDCLoginAbstract):
    def set_lti_message_hint(self, **kwargs):
        self._lti_message_hint = kwargs["link"]

    def get_redirect(self, url):
        return url


class Launch(LTIAdvantageMessageLaunchAbstract):
    """A resource link launch, bad in the way ``tamper`` says."""

    tamper = None
    other_key = None

    def render_launch_form(self, launch_data, **kwargs):
        return launch_data

    def generate_launch_request(self):
        if self.tamper == "expired":
            self.set_id_token_expiration(-120)
        if self.tamper == "audience":
            self.set_extra_claims({"aud": "another-tool", "azp": "another-tool"})
        if self.tamper != "signature":
            return super().generate_launch_request()
        message, state = self.get_launch_data()
        token = Registration.encode_and_sign(message, self.other_key,
                                             {"kid": self._registration.get_kid()}, 300)
        return {"state": state, "id_token": token}


class TestPlatform:
    """The platform: ``start()``, the URLs the tool needs, ``stop()``.

    ``users``: ``{lms user id: (sub, name)}``; the custom parameter ``lms_user_id`` of every
    launch carries the LMS user id (``$User.id``), ``sub`` the opaque LTI id.
    """

    __test__ = False        # not a pytest test class

    def __init__(self, tool_jwk, client_id="workbook-hub", deployment_id="deployment-1"):
        self.client_id, self.deployment_id = client_id, deployment_id
        self.private_key, self.public_key = _pem_pair()
        self.other_key = _pem_pair()[0]
        self.tool_jwk = tool_jwk
        self.users = {}
        self.tamper = None
        self.line_items, self.results, self.scores = {}, {}, []
        self.used_jtis = set()
        self.launches = []                     # the id_tokens handed out, as issued
        self.lock = threading.Lock()
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.connect("", "", "")

    # -- configuration ------------------------------------------------------------------------
    issuer = property(lambda self: self.url)
    authorize_url = property(lambda self: f"{self.url}/auth")
    jwks_url = property(lambda self: f"{self.url}/jwks")
    token_url = property(lambda self: f"{self.url}/token")
    lineitems_url = property(lambda self: f"{self.url}/lineitems")

    def connect(self, oidc_login_url, launch_url, redirect_uri):
        """Register the tool (its public key, and for launches: where its login starts, the
        link target, its one redirect URI)."""
        self.registration = (Registration().set_iss(self.issuer).set_client_id(self.client_id)
                             .set_deployment_id(self.deployment_id)
                             .set_oidc_login_url(oidc_login_url).set_launch_url(launch_url)
                             .set_platform_private_key(self.private_key)
                             .set_platform_public_key(self.public_key)
                             .set_tool_key_set({"keys": [self.tool_jwk]}))
        self.redirect_uri = redirect_uri
        return self

    def start(self):
        self.thread.start()
        return self

    def stop(self):
        self.server.shutdown()
        self.server.server_close()

    def conf(self):
        return PlatformConf(registration=self.registration)

    def forget(self):
        """A new term: no scores, and three line items the course did not make."""
        with self.lock:
            self.line_items.clear()
            self.results.clear()
            self.scores.clear()
            for label in ("Quiz 1", "Quiz 2", "Essay"):
                self.add_line_item({"label": label, "scoreMaximum": 10, "resourceId": label})

    # -- what a person does in the LMS --------------------------------------------------------
    def grade_by_hand(self, resource_id, lms_user_id, score):
        """An instructor types a score in the LMS gradebook."""
        with self.lock:
            item = next(i for i in self.line_items.values() if i["resourceId"] == resource_id)
            self.results[item["id"]][lms_user_id] = (score, item["scoreMaximum"])

    def add_line_item(self, item):
        """A column of the LMS gradebook (made by a tool, or by hand)."""
        assert item["scoreMaximum"] > 0 and item["label"]
        item["id"] = f"{self.lineitems_url}/{len(self.line_items) + 1}"
        self.line_items[item["id"]] = item
        self.results[item["id"]] = {}
        return item

    def result(self, resource_id, lms_user_id):
        """``(score, maximum)`` the LMS holds, or None."""
        item = next(i for i in self.line_items.values() if i["resourceId"] == resource_id)
        return self.results[item["id"]].get(lms_user_id)

    # -- HTTP -----------------------------------------------------------------------------------
    def _handler(self):
        platform = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def reply(self, status, body=None, content_type="application/json", headers=()):
                data = b"" if body is None else (
                    body.encode() if isinstance(body, str) else json.dumps(body).encode())
                self.send_response(status)
                for name, value in [("Content-Type", content_type), *headers]:
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def body(self):
                return self.rfile.read(int(self.headers.get("Content-Length", 0))).decode()

            def do_GET(self):
                parts = urlsplit(self.path)
                query = dict(parse_qsl(parts.query))
                with platform.lock:
                    platform.route(self, "GET", parts.path, query, None)

            def do_POST(self):
                parts = urlsplit(self.path)
                text = self.body()
                with platform.lock:
                    platform.route(self, "POST", parts.path, dict(parse_qsl(parts.query)), text)

        return Handler

    def route(self, http, method, path, query, text):
        try:
            if path == "/jwks":
                return http.reply(200, {"keys": self.registration.get_jwks()})
            if path == "/launch":
                return self.start_launch(http, query)
            if path == "/auth":
                return self.authorize(http, query)
            if path == "/token" and method == "POST":
                return self.token(http, dict(parse_qsl(text)))
            if path.startswith("/lineitems"):
                return self.ags(http, method, path, query, text)
            http.reply(404, {"error": "not found"})
        except PermissionError as error:
            http.reply(401, {"error": str(error)})
        except (ValueError, KeyError, AssertionError) as error:
            http.reply(400, {"error": f"{type(error).__name__}: {error}"})

    def start_launch(self, http, query):
        login = Login(PlainRequest({"method": "GET", "path": "/launch", "query": query}),
                      self.conf())
        login.set_lti_message_hint(link=query.get("link", "course-link"))
        http.reply(302, None, headers=[("Location", login.initiate_login(query["user"]))])

    def authorize(self, http, query):
        if query.get("login_hint") not in self.users:
            raise ValueError("unknown login_hint")
        if query.get("redirect_uri") != self.redirect_uri:
            raise ValueError(f"redirect_uri {query.get('redirect_uri')!r} is not registered")
        launch = Launch(PlainRequest({"method": "GET", "path": "/auth", "query": query}),
                        self.conf())
        launch.tamper, launch.other_key = self.tamper, self.other_key
        self.tamper = None
        sub, name = self.users[query["login_hint"]]
        launch.set_user_data(sub, [LEARNER], full_name=name)
        launch.set_resource_link_claim(query.get("lti_message_hint", "course-link"))
        launch.set_launch_context_claim("course-42", context_title="Backpropagation",
                                        context_label="BACKPROP")
        launch.set_custom_parameters_claim({"lms_user_id": query["login_hint"]})
        launch.set_ags(self.lineitems_url)
        data = launch.lti_launch()
        self.launches.append(data["id_token"])
        fields = "".join(f"<input type='hidden' name='{html.escape(k)}' "
                         f"value='{html.escape(data[k])}'>" for k in ("id_token", "state"))
        http.reply(200, f"<form method='post' action='{html.escape(data['launch_url'])}'>"
                        f"{fields}</form><script>document.forms[0].submit()</script>",
                   "text/html")

    def token(self, http, form):
        assertion = jwt.decode(form.get("client_assertion", ""),
                               options={"verify_signature": False})
        if assertion.get("aud") != self.token_url:
            raise PermissionError("client assertion for another audience")
        if assertion.get("jti") in self.used_jtis:
            raise PermissionError("client assertion replayed")
        conf = self.conf()
        conf.get_registration()
        try:
            token = conf.get_access_token(form)
        except Exception as error:      # the library raises several kinds
            raise PermissionError(f"client assertion refused: {error}") from None
        self.used_jtis.add(assertion["jti"])
        http.reply(200, token)

    def _authorised(self, http, scope):
        header = http.headers.get("Authorization", "")
        if not header.startswith("Bearer "):
            raise PermissionError("no bearer token")
        conf = self.conf()
        conf.get_registration()
        try:
            allowed = conf.validate_token(header[7:], allowed_scopes=[scope])
        except Exception as error:
            raise PermissionError(f"bad token: {error}") from None
        if not allowed:
            raise PermissionError(f"token lacks {scope}")

    def _paged(self, http, items, query, base):
        start = int(query.get("page", 0))
        page, more = items[start:start + PAGE], start + PAGE < len(items)
        links = []
        if more:
            rest = {k: v for k, v in query.items() if k != "page"}
            links = [("Link", f'<{base}?{urlencode({**rest, "page": start + PAGE})}>; '
                              'rel="next"')]
        http.reply(200, page, "application/json", links)

    def ags(self, http, method, path, query, text):
        scope = "https://purl.imsglobal.org/spec/lti-ags/scope/"
        parts = path.strip("/").split("/")
        if len(parts) == 1 and method == "GET":
            self._authorised(http, scope + "lineitem")
            # All of them, as a platform that ignores the resource_id filter: the client
            # must pick its own (and follow the pages).
            return self._paged(http, list(self.line_items.values()), query, self.lineitems_url)
        if len(parts) == 1 and method == "POST":
            self._authorised(http, scope + "lineitem")
            return http.reply(201, self.add_line_item(json.loads(text)))
        item = self.line_items[f"{self.lineitems_url}/{parts[1]}"]
        held = self.results[item["id"]]
        if parts[2:] == ["results"] and method == "GET":
            self._authorised(http, scope + "result.readonly")
            results = [{"id": f"{item['id']}/results/{user}", "scoreOf": item["id"],
                        "userId": user, "resultScore": score, "resultMaximum": maximum}
                       for user, (score, maximum) in sorted(held.items())
                       if query.get("user_id", user) == user]
            return self._paged(http, results, query, f"{item['id']}/results")
        if parts[2:] == ["scores"] and method == "POST":
            self._authorised(http, scope + "score")
            score = json.loads(text)
            assert score["userId"] in self.users, f"unknown user {score['userId']}"
            assert score["activityProgress"] and score["gradingProgress"] == "FullyGraded"
            assert time.time() - 60 < _seconds(score["timestamp"]) < time.time() + 60
            self.scores.append(score)
            scale = item["scoreMaximum"] / score["scoreMaximum"]
            held[score["userId"]] = (score["scoreGiven"] * scale, item["scoreMaximum"])
            return http.reply(204)
        http.reply(404, {"error": "not found"})


def _seconds(timestamp):
    from datetime import datetime

    return datetime.fromisoformat(timestamp).timestamp()
