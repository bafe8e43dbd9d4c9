"""Where the LMS settings live: two configurable classes read from ``nbgrader_config.py``.

- :class:`LtiPlatform`: the LMS as an LTI 1.3 platform (issuer, client id, deployment, its
  endpoints) and the tool's private key, a file outside the repository (:data:`DEFAULT_KEY`);
- :class:`CanvasExport`: the roster file with SIS ids and sections, and the Canvas column
  header of each assignment.

Both are read the way nbgrader reads its own settings (``c.LtiPlatform.issuer = ...``), with
:func:`platform` and :func:`canvas_export`. Nothing here is secret except the key file.
"""

import ipaddress
from pathlib import Path
from urllib.parse import urlsplit

from traitlets import Dict, Unicode
from traitlets.config import Configurable

from instructor.course import course_config

__all__ = ["DEFAULT_KEY", "CanvasExport", "LmsError", "LtiPlatform", "canvas_export",
           "check_url", "platform"]

# The tool's RSA private key (PEM): in the instructor's home, never in the course folder,
# so that it cannot be committed with the course. `workbook grades key` creates it (mode 600).
DEFAULT_KEY = "~/.config/backprop-workbook/lti-tool-key.pem"


class LmsError(Exception):
    """The LMS set-up is incomplete or the LMS refused a request (the message says which)."""


class LtiPlatform(Configurable):
    """The LMS as an LTI 1.3 platform, and this course as a tool registered with it.

    The values come from the LMS when the tool is registered (Canvas: a developer key of
    type LTI; Moodle: an external tool of LTI version 1.3).
    """

    issuer = Unicode("", help="The platform's issuer (iss), e.g. https://canvas.instructure.com"
                     ).tag(config=True)
    client_id = Unicode("", help="The tool's client id at the platform").tag(config=True)
    deployment_id = Unicode("", help="The deployment id of the tool in the platform").tag(
        config=True)
    authorize_url = Unicode("", help="The platform's OIDC authorization endpoint (launches)").tag(
        config=True)
    jwks_url = Unicode("", help="The platform's public keys (JWKS): launches are checked "
                       "against them").tag(config=True)
    token_url = Unicode("", help="The platform's OAuth 2 token endpoint (grade passback)").tag(
        config=True)
    token_audience = Unicode("", help="The aud of the client assertion (default: token_url; "
                             "some platforms name another)").tag(config=True)
    lineitems_url = Unicode("", help="The course's line items endpoint (AGS lineitems claim), "
                            "e.g. https://canvas.example.edu/api/lti/courses/42/line_items").tag(
        config=True)
    key_file = Unicode(DEFAULT_KEY, help="The tool's RSA private key, PEM (keep it out of "
                       "git; `workbook grades key` makes one)").tag(config=True)
    user_claim = Unicode("custom_lms_user_id", help="The launch claim that holds the LMS user "
                         "id of the roster's lms_user_id: a top-level claim (sub, email) or "
                         "custom_NAME for a custom parameter NAME").tag(config=True)

    LAUNCH = ("issuer", "client_id", "authorize_url", "jwks_url")
    PASSBACK = ("issuer", "client_id", "token_url", "lineitems_url")

    def empty(self, names):
        """The settings of ``names`` left empty."""
        return [name for name in names if not getattr(self, name)]

    def require(self, names):
        """Raise :class:`LmsError` naming every setting of ``names`` that is empty or unsafe."""
        empty = self.empty(names)
        if empty:
            settings = ", ".join(f"c.LtiPlatform.{name}" for name in empty)
            raise LmsError(f"the LMS is not configured: set {settings} in nbgrader_config.py "
                           "(README: 'Grades in the LMS')")
        for name in names:
            if name.endswith("_url") or name == "issuer":
                check_url(getattr(self, name), f"c.LtiPlatform.{name}")

    @property
    def key_path(self):
        return Path(self.key_file).expanduser()

    @property
    def audience(self):
        return self.token_audience or self.token_url


class CanvasExport(Configurable):
    """How ``report/canvas.csv`` names students and assignments for Canvas's importer."""

    roster = Unicode("roster.csv", help="CSV with an id column (nbgrader's student id) and "
                     "any of sis_user_id, sis_login_id, section; relative to the course").tag(
        config=True)
    columns = Dict(key_trait=Unicode(), value_trait=Unicode(), help="Column header per "
                   "assignment id, as Canvas names the assignment: 'Name (canvas id)' fills "
                   "that assignment; default: the assignment id (a new Canvas assignment)").tag(
        config=True)


def check_url(url, name):
    """Refuse a URL that is not https, except on this machine's loopback (tests)."""
    parts = urlsplit(url)
    if parts.scheme == "https" and parts.hostname:
        return
    if parts.scheme == "http" and parts.hostname:
        try:
            if parts.hostname == "localhost" or ipaddress.ip_address(parts.hostname).is_loopback:
                return
        except ValueError:
            pass
    raise LmsError(f"{name} = {url!r}: the LMS must be reached over https "
                   "(plain http only on loopback)")


def platform(root):
    """The course's :class:`LtiPlatform` settings (``root/nbgrader_config.py``)."""
    return LtiPlatform(config=course_config(root))


def canvas_export(root):
    """The course's :class:`CanvasExport` settings."""
    return CanvasExport(config=course_config(root))
