"""The checkpoint signing key: from settings, or generated once into a file (0600)."""

from __future__ import annotations

import base64
import os
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import (
    Encoding,
    NoEncryption,
    PrivateFormat,
    PublicFormat,
)

from interlude.audit.domain.checkpoint import key_id
from interlude.audit.settings import AuditSettings


def _from_seed(text: str) -> Ed25519PrivateKey:
    seed = base64.b64decode(text.strip())
    if len(seed) != 32:
        raise ValueError("the audit signing key must be 32 bytes, base64-encoded")
    return Ed25519PrivateKey.from_private_bytes(seed)


def _seed_of(key: Ed25519PrivateKey) -> str:
    raw = key.private_bytes(Encoding.Raw, PrivateFormat.Raw, NoEncryption())
    return base64.b64encode(raw).decode("ascii")


def load_or_create(path: Path) -> Ed25519PrivateKey:
    if path.exists():
        return _from_seed(path.read_text())
    path.parent.mkdir(parents=True, exist_ok=True)
    key = Ed25519PrivateKey.generate()
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "w") as handle:
        handle.write(_seed_of(key) + "\n")
    return key


def signing_key(settings: AuditSettings) -> Ed25519PrivateKey:
    if settings.signing_key is not None:
        return _from_seed(settings.signing_key.get_secret_value())
    path = settings.key_file()
    if path is None:
        raise RuntimeError("audit needs a signing key: set INTERLUDE_SIGNING_KEY (base64 of 32 "
                           "bytes) or INTERLUDE_SIGNING_KEY_FILE")
    return load_or_create(path)


def public_jwk(key: Ed25519PrivateKey) -> dict[str, str]:
    """The public half as a JWK with its key id: what verifiers need, published."""
    public = key.public_key()
    raw = public.public_bytes(Encoding.Raw, PublicFormat.Raw)
    return {"kty": "OKP", "crv": "Ed25519", "kid": key_id(public), "use": "sig",
            "x": base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")}
