"""TOTP second factor (RFC 6238, 30-second steps, one step of clock drift either way). A code
is accepted once: the last step used per person is kept, so an overheard code cannot be
replayed."""

from __future__ import annotations

from datetime import datetime

import asyncpg
import pyotp

ISSUER = "Interlude"


def new_totp_secret() -> str:
    return pyotp.random_base32()


def provisioning_uri(secret: str, account: str) -> str:
    return pyotp.TOTP(secret).provisioning_uri(name=account, issuer_name=ISSUER)


def matching_step(secret: str, code: str, now: datetime) -> int | None:
    """The time step ``code`` belongs to (now, or one step either side), else None."""
    if not code.isdigit() or len(code) != 6:
        return None
    totp = pyotp.TOTP(secret)
    current = int(now.timestamp()) // totp.interval
    for step in (current, current - 1, current + 1):
        if pyotp.utils.strings_equal(totp.generate_otp(step), code):
            return step
    return None


class TotpSteps:
    """The last step used per user (PostgreSQL)."""

    def __init__(self, pool: asyncpg.Pool) -> None:
        self._pool = pool

    async def use(self, user_id: str, step: int) -> bool:
        """Record ``step`` as used; False if it (or a later one) was used already."""
        row = await self._pool.fetchval(
            "INSERT INTO totp_last_step AS t (user_id, step) VALUES ($1, $2)"
            " ON CONFLICT (user_id) DO UPDATE SET step = excluded.step"
            " WHERE t.step < excluded.step RETURNING step", user_id, step)
        return row is not None
