"""argon2id password hashing, off the event loop (a hash takes tens of milliseconds of CPU)."""

from __future__ import annotations

import asyncio

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

MIN_LENGTH = 10


class Passwords:
    """OWASP's argon2id baseline by default (19 MiB, 2 passes); tests may pass cheaper costs."""

    def __init__(self, *, time_cost: int = 2, memory_cost: int = 19_456,
                 parallelism: int = 1) -> None:
        self._hasher = PasswordHasher(time_cost=time_cost, memory_cost=memory_cost,
                                      parallelism=parallelism)
        # verified against when the account does not exist, so both paths cost the same
        self._decoy = self._hasher.hash("decoy password for unknown accounts")

    async def hash(self, password: str) -> str:
        return await asyncio.to_thread(self._hasher.hash, password)

    async def verify(self, password_hash: str | None, password: str) -> bool:
        return await asyncio.to_thread(self._verify, password_hash, password)

    def _verify(self, password_hash: str | None, password: str) -> bool:
        try:
            self._hasher.verify(password_hash or self._decoy, password)
        except (VerificationError, InvalidHashError):
            return False
        return password_hash is not None


def password_problem(password: str) -> str | None:
    """Why a new password is refused, or None. Length over composition rules (NIST 800-63B)."""
    if len(password) < MIN_LENGTH:
        return f"choose a password of at least {MIN_LENGTH} characters"
    if len(password) > 256:
        return "choose a password of at most 256 characters"
    return None
