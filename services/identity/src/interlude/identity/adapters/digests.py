"""Keyed digests and random tokens. An e-mail address is looked up by an HMAC of its normalised
form (the key derives from the master secret), so subjects and tables never hold it in clear;
a bearer secret is stored only as its SHA-256."""

from __future__ import annotations

import hashlib
import hmac
import secrets

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF


def derive_key(master_secret: bytes, purpose: str) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None,
                info=f"interlude identity {purpose}".encode()).derive(master_secret)


class EmailDigest:
    def __init__(self, master_secret: bytes) -> None:
        self._key = derive_key(master_secret, "email index")

    def __call__(self, email: str) -> str:
        normal = email.strip().lower().encode()
        return hmac.new(self._key, normal, hashlib.sha256).hexdigest()[:40]


def new_secret() -> str:
    return secrets.token_urlsafe(32)


def sha256(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


def same(a: str, b: str) -> bool:
    return hmac.compare_digest(a.encode(), b.encode())
