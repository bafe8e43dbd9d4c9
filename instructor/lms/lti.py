"""Students open the course from their LMS: an LTI 1.3 launch into the JupyterHub.

The hub authenticates with ``jupyterhub-ltiauthenticator``'s LTI 1.3 authenticator (OIDC
third-party login, a launch ``id_token`` signed by the platform and checked against its JWKS,
audience, expiry and nonce). :func:`lti_hub_settings` gives the hub's settings for it, from the
course's :class:`~instructor.lms.config.LtiPlatform` and the roster: each student's LMS user id
(``lms_user_id``, the same id grade passback posts to) is mapped to their nbgrader id, which
becomes their hub user name; nobody outside the roster (and the staff) is let in.

:class:`WorkbookLTI13Authenticator` adds one check to the library's: a launch's nonce is
accepted once. The library already ties the nonce to a cookie it clears on use, so a browser
cannot post the same launch twice; this also refuses a launch replayed together with the
cookie that went with it (say, both captured from a shared computer).

What the LMS needs to know of the tool: :func:`tool_urls`.
"""

import time

from ltiauthenticator.lti13.auth import LTI13Authenticator
from ltiauthenticator.lti13.handlers import LTI13CallbackHandler
from tornado.web import HTTPError

__all__ = ["WorkbookLTI13Authenticator", "hub_config_lines", "lti_hub_settings", "tool_urls"]

AUTHENTICATOR = f"{__name__}.WorkbookLTI13Authenticator"


class OnceOnlyCallbackHandler(LTI13CallbackHandler):
    """The library's launch handler, refusing a nonce it has seen before."""

    def check_nonce(self, id_token):
        super().check_nonce(id_token)
        self.authenticator.use_nonce(id_token)


class WorkbookLTI13Authenticator(LTI13Authenticator):
    """``LTI13Authenticator`` whose launches are each accepted once (see the module's doc)."""

    callback_handler = OnceOnlyCallbackHandler

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.used_nonces = {}           # nonce -> when its token can no longer be accepted

    def use_nonce(self, id_token):
        """Record the launch's nonce; HTTP 400 if it was used before."""
        now = time.time()
        self.used_nonces = {n: t for n, t in self.used_nonces.items() if t > now}
        nonce = id_token.get("nonce")
        if nonce in self.used_nonces:
            self.log.warning("LTI launch refused: nonce %s used before", nonce)
            raise HTTPError(400, "This launch was used before: open the course from the LMS "
                                 "again")
        # The token is refused once expired, so its nonce need not be kept longer.
        self.used_nonces[nonce] = float(id_token.get("exp", now)) + 60


def lti_hub_settings(platform, roster, staff=None):
    """JupyterHub settings for LTI 1.3 launches, as ``{"Class.trait": value}``.

    ``platform``: an :class:`~instructor.lms.config.LtiPlatform` (issuer, client id,
    authorize and JWKS URLs, the claim holding the LMS user id); ``roster``: mappings with
    ``id`` (the nbgrader student id, the hub user) and ``lms_user_id``; ``staff``: ``{LMS user
    id: hub user}`` of instructors, who become the hub's admins. Raises ValueError when two
    people share an LMS id. Write the settings into ``jupyterhub_config.py`` with
    :func:`hub_config_lines`.
    """
    platform.require(platform.LAUNCH)
    staff = dict(staff or {})
    usernames = {}
    people = [(str(row.get("lms_user_id") or "").strip(), row["id"]) for row in roster]
    for lms_id, login in [*people, *staff.items()]:
        if not lms_id:
            continue
        key = lms_id.lower()          # JupyterHub lowercases a name before it maps it
        if usernames.get(key, login) != login:
            raise ValueError(f"LMS user id {lms_id!r} belongs to both {usernames[key]!r} "
                             f"and {login!r}")
        usernames[key] = login
    return {
        "JupyterHub.authenticator_class": AUTHENTICATOR,
        "LTI13Authenticator.issuer": platform.issuer,
        "LTI13Authenticator.client_id": [platform.client_id],
        "LTI13Authenticator.authorize_url": platform.authorize_url,
        "LTI13Authenticator.jwks_endpoint": platform.jwks_url,
        "LTI13Authenticator.username_key": platform.user_claim,
        "Authenticator.username_map": usernames,
        "Authenticator.allowed_users": set(usernames.values()),
        "Authenticator.admin_users": set(staff.values()),
    }


def hub_config_lines(settings):
    """``settings`` as lines of a ``jupyterhub_config.py`` (``c.Class.trait = value``)."""
    return "".join(f"c.{name} = {value!r}\n" for name, value in settings.items())


def tool_urls(hub_url):
    """What to enter in the LMS when registering the hub as an LTI 1.3 tool."""
    hub = hub_url.rstrip("/")
    return {
        "OpenID Connect login initiation URL": f"{hub}/hub/lti13/oauth_login",
        "Redirect URI": f"{hub}/hub/lti13/oauth_callback",
        "Target link URI": f"{hub}/hub/user-redirect/lab",
        "Tool configuration (JSON)": f"{hub}/hub/lti13/config",
    }
