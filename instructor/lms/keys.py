"""The tool's signing key: an RSA key pair whose public half the LMS is given once.

The private key signs the client assertion of every grade passback (:mod:`instructor.lms.ags`);
the platform checks it with the public key registered with the tool (Canvas: the developer
key's "Public JWK"; Moodle: the tool's "Public key" or keyset). The key id (``kid``) is the
key's RFC 7638 thumbprint, so the same key always has the same id.
"""

import base64
import hashlib
import json
import os
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm

from instructor.lms.config import LmsError

__all__ = ["load_key", "make_key", "public_jwk", "public_pem"]


def make_key(path):
    """Write a new 2048-bit RSA private key to ``path`` (mode 600, folder 700) unless one is
    there; return ``(key, created)``."""
    path = Path(path).expanduser()
    if path.exists():
        return load_key(path), False
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                            serialization.NoEncryption())
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "wb") as handle:
        handle.write(pem)
    return key, True


def load_key(path):
    """The RSA private key in ``path`` (PEM); :class:`LmsError` if it is missing or readable by
    others."""
    path = Path(path).expanduser()
    if not path.exists():
        raise LmsError(f"no tool key at {path}: run `workbook grades key` to make one and "
                       "register its public half with the LMS")
    if path.stat().st_mode & 0o077:
        raise LmsError(f"{path} can be read by other users: chmod 600 {path}")
    key = serialization.load_pem_private_key(path.read_bytes(), password=None)
    if not isinstance(key, rsa.RSAPrivateKey):
        raise LmsError(f"{path} is not an RSA private key")
    return key


def public_jwk(key):
    """The public half of ``key`` as a JWK dict (kty, n, e, kid, alg RS256, use sig)."""
    jwk = RSAAlgorithm.to_jwk(key.public_key(), as_dict=True)
    members = json.dumps({k: jwk[k] for k in ("e", "kty", "n")}, separators=(",", ":"),
                         sort_keys=True)
    thumbprint = base64.urlsafe_b64encode(hashlib.sha256(members.encode()).digest())
    return {**jwk, "kid": thumbprint.rstrip(b"=").decode(), "alg": "RS256", "use": "sig"}


def public_pem(key):
    """The public half of ``key`` in PEM (Moodle's "Public key" field)."""
    return key.public_key().public_bytes(serialization.Encoding.PEM,
                                         serialization.PublicFormat.SubjectPublicKeyInfo).decode()
