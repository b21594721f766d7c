"""Sealing a :class:`Secret` into an event field, and opening it again.

The sealed form is JSON: ``{"$sealed": 1, "sub": <subject>, "ct": <base64(nonce || ciphertext
|| tag)>}``, AES-256-GCM under the subject's data key. The associated data binds tenant,
subject, event id and field path, so a ciphertext moved elsewhere fails to open (SealError),
while a ciphertext whose key was shredded opens as ``Secret.erased`` (that is erasure, not an
error).
"""

from __future__ import annotations

import base64
import binascii
import json
import os
from typing import Any

import orjson
from cryptography.exceptions import InvalidTag

from interlude.shared.sealing.errors import SealError, SubjectErasedError
from interlude.shared.sealing.keyring import KeyRing
from interlude.shared.sealing.keys import check_token
from interlude.shared.sealing.secret import Secret

SEALED_MARK = "$sealed"
SEALED_VERSION = 1
_NONCE = 12  # random 96-bit nonces: safe far beyond what one person writes (2^32 per key)


def is_sealed(value: object) -> bool:
    """True if ``value`` looks like a sealed field (a dict marked ``"$sealed": 1``)."""
    return isinstance(value, dict) and value.get(SEALED_MARK) == SEALED_VERSION


class Sealer:
    """Seals and opens confidential fields with the data keys of their subjects."""

    def __init__(self, keyring: KeyRing) -> None:
        self._keyring = keyring

    async def shred(self, tenant: str, subject: str) -> None:
        """Destroy ``subject``'s key for good: everything sealed for it becomes unreadable
        (a person's erasure, or the end of a contract's retention for its content key)."""
        await self._keyring.shred(tenant, subject)

    async def seal(self, secret: Secret, *, tenant: str, event_id: str,
                   field: str) -> dict[str, Any]:
        """The JSON-able sealed form of ``secret`` for ``field`` of event ``event_id``.

        Creates the subject's key on first use; raises :class:`SubjectErasedError` for an
        erased secret or a forgotten subject (nothing new may be stored about them).
        """
        if secret.is_erased:
            raise SubjectErasedError(f"cannot seal the erased content of {secret.subject}")
        aead = await self._keyring.cipher(tenant, secret.subject, create=True)
        if aead is None:
            raise SubjectErasedError(f"subject {secret.subject} was forgotten")
        nonce = os.urandom(_NONCE)
        aad = _aad(tenant, secret.subject, event_id, field)
        ct = aead.encrypt(nonce, secret.reveal().encode(), aad)
        return {SEALED_MARK: SEALED_VERSION, "sub": secret.subject,
                "ct": base64.b64encode(nonce + ct).decode("ascii")}

    async def open(self, sealed: dict[str, Any], *, tenant: str, event_id: str,
                   field: str) -> Secret:
        """The secret in ``sealed``; ``Secret.erased`` if its key is shredded or absent.

        Raises :class:`SealError` if the value is malformed or fails to authenticate.
        """
        subject, blob = _parse(sealed)
        aead = await self._keyring.cipher(tenant, subject, create=False)
        if aead is None:
            return Secret.erased(subject)
        try:
            plain = aead.decrypt(blob[:_NONCE], blob[_NONCE:],
                                 _aad(tenant, subject, event_id, field))
            return Secret(plain.decode("utf-8"), subject)
        except (InvalidTag, UnicodeDecodeError):
            raise SealError(f"sealed field {field!r} of event {event_id!r} does not "
                            "authenticate: tampered, or moved from elsewhere") from None


def _parse(sealed: object) -> tuple[str, bytes]:
    if not is_sealed(sealed):
        raise SealError("not a sealed value")
    assert isinstance(sealed, dict)
    subject, ct = sealed.get("sub"), sealed.get("ct")
    if not isinstance(subject, str) or not isinstance(ct, str):
        raise SealError("a sealed value needs 'sub' and 'ct' strings")
    try:
        check_token(subject, "subject")
        blob = base64.b64decode(ct, validate=True)
    except (ValueError, binascii.Error):
        raise SealError("malformed sealed value") from None
    if len(blob) < _NONCE + 16:
        raise SealError("sealed value too short")
    return subject, blob


def _aad(tenant: str, subject: str, event_id: str, field: str) -> bytes:
    # a JSON array is an unambiguous encoding of the four strings (no separator tricks)
    parts = ["interlude-seal", SEALED_VERSION, tenant, subject, event_id, field]
    if all(p.isascii() and p.isprintable() for p in (tenant, subject, event_id, field)):
        # the same bytes as json.dumps (printable ASCII is escaped alike), a twentieth of
        # the time: every seal and every open makes one
        return orjson.dumps(parts)
    return json.dumps(parts, separators=(",", ":")).encode()
