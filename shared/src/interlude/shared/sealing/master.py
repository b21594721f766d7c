"""The master secret: the root every organisation key is derived from (32 random bytes).

Whoever holds it and a copy of the key store can unwrap every live data key, so it lives
outside JetStream: a 0600 file (embedded stack) or a setting from a secret manager.
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import os
import re
import secrets
from pathlib import Path

MASTER_SECRET_BYTES = 32
_HEX = re.compile(r"^[0-9a-fA-F]{64}$")


def load_or_create_master_secret(path: Path) -> bytes:
    """The master secret in the file ``path``, created (32 random bytes, mode 0600) if missing.

    Creation is atomic: the bytes are written to a temporary file that is then hard-linked to
    ``path``, so no reader ever sees a partial file and two racing processes agree on one secret
    (the loser reads the winner's). A file of the wrong size is refused, never overwritten.
    """
    path = Path(path)
    if not path.exists():
        _create(path)
    data = path.read_bytes()
    if len(data) != MASTER_SECRET_BYTES:
        raise ValueError(f"master secret file {path} holds {len(data)} bytes, expected "
                         f"{MASTER_SECRET_BYTES}: refusing to use it (it is not overwritten, "
                         "since replacing it would make every sealed field unreadable)")
    return data


def _create(path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{secrets.token_hex(8)}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(secrets.token_bytes(MASTER_SECRET_BYTES))
            f.flush()
            os.fsync(f.fileno())
        # link, unlike rename, fails if the target exists: we never replace another's secret
        with contextlib.suppress(FileExistsError):
            os.link(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


def master_secret_from(settings_value: str) -> bytes:
    """Decode a master secret given as a setting: 64 hex digits, or base64 (standard or
    URL-safe alphabet, padding optional) of exactly 32 bytes.

    Hex is tried first, since 64 hex digits are also valid base64 (of 48 bytes).
    """
    value = settings_value.strip()
    if _HEX.match(value):
        return bytes.fromhex(value)
    padded = value + "=" * (-len(value) % 4)
    try:
        decoded = base64.b64decode(padded.replace("-", "+").replace("_", "/"), validate=True)
    except (ValueError, binascii.Error):
        raise ValueError("the master secret is neither 64 hex digits nor base64") from None
    if len(decoded) != MASTER_SECRET_BYTES:
        raise ValueError(f"the master secret decodes to {len(decoded)} bytes, "
                         f"expected {MASTER_SECRET_BYTES}")
    return decoded
