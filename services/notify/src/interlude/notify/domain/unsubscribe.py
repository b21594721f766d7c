"""The one-click unsubscribe token (RFC 8058): who (organisation, person) stops which kind of
e-mail (or all), signed with notify's secret so that nobody can unsubscribe anyone else. It
names no address and no content; it does not expire, as a link in an old e-mail must work."""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
from dataclasses import dataclass

from interlude.shared.errors import DomainError

ALL = "*"


class BadToken(DomainError):
    status, slug = 401, "unsubscribe-token-invalid"


@dataclass(frozen=True)
class Unsubscribe:
    tenant_id: str
    user_id: str
    kind: str | None  # None: every kind


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _mac(secret: bytes, body: bytes) -> bytes:
    return hmac.new(secret, b"unsubscribe:" + body, hashlib.sha256).digest()[:18]


def token(secret: bytes, tenant_id: str, user_id: str, kind: str | None) -> str:
    body = "\x1f".join((tenant_id, user_id, kind or ALL)).encode()
    return f"{_b64(body)}.{_b64(_mac(secret, body))}"


def read(secret: bytes, value: str) -> Unsubscribe:
    try:
        body_text, mac_text = value.split(".")
        body, mac = _unb64(body_text), _unb64(mac_text)
        if not hmac.compare_digest(mac, _mac(secret, body)):
            raise ValueError("signature")
        tenant_id, user_id, kind = body.decode().split("\x1f")
    except (ValueError, binascii.Error, UnicodeDecodeError):
        raise BadToken("this unsubscribe link is not valid: use the one in the e-mail as it "
                       "is, or change your preferences after signing in") from None
    return Unsubscribe(tenant_id, user_id, None if kind == ALL else kind)
