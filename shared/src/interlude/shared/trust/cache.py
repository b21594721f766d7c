"""The trust cache: one process's in-memory copy of the trust read model, and enforcement.

Loaded from PostgreSQL at start, then kept fresh by the projection checkpoint notifications
(``LISTEN``) with a slow poll behind them in case that connection drops. Reads never touch the
database, so enforcement keeps working, from the last copy, while identity, NATS or even
PostgreSQL are down. An organisation whose policy is not known is denied (fail closed).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Collection
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import asyncpg
import orjson

from interlude.shared.access import Access, AccessRecorder
from interlude.shared.events.envelope import Actor
from interlude.shared.http.context import request_id_var, source_address_var
from interlude.shared.policy import SecurityPolicy
from interlude.shared.projections import checkpoints
from interlude.shared.trust.projection import ensure_tables

log = logging.getLogger(__name__)
BOOLEAN_KEYS = frozenset(field.alias for field in SecurityPolicy.model_fields.values()
                         if field.alias and field.annotation is bool)
NO_POLICY = "no security policy is known for this organisation"
_NEVER = datetime.min.replace(tzinfo=UTC)


class PolicyBlocked(Exception):
    """The organisation's policy switches ``key`` off, or no policy of it is known
    (``version`` None). Answered with a 403 problem naming the block."""

    def __init__(self, key: str, tenant_id: str, version: int | None, reason: str) -> None:
        super().__init__(f"{key} blocked for {tenant_id} (policy version {version}): {reason}")
        self.key = key
        self.tenant_id = tenant_id
        self.version = version
        self.reason = reason


@dataclass(frozen=True, slots=True)
class KnownPolicy:
    """An organisation's policy with the version identity gave it."""

    version: int
    policy: SecurityPolicy


@dataclass(frozen=True, slots=True)
class UserTrust:
    """``valid_after`` is truncated to the millisecond, the precision of a token's ``iat``."""

    deactivated: bool
    valid_after: datetime


_NO_USERS: dict[str, UserTrust] = {}


def _to_ms(moment: datetime) -> datetime:
    if moment.year <= 1:  # -infinity arrives as datetime.min
        return _NEVER
    return moment.replace(microsecond=moment.microsecond // 1000 * 1000)


def _alive(conn: asyncpg.Connection) -> bool:
    try:
        return not conn.is_closed()
    except asyncpg.InterfaceError:  # the pool took back a connection whose server went away
        return False


class TrustCache:
    """Policies and revocations of every organisation, in memory. ``access`` records each
    denial in the ACCESS stream (None: denials are only logged)."""

    def __init__(self, pool: asyncpg.Pool, *, access: AccessRecorder | None = None,
                 poll_interval: float = 2.0, db_timeout: float = 5.0) -> None:
        self._pool = pool
        self._access = access
        self._poll = poll_interval
        self._timeout = db_timeout
        self._policies: dict[str, KnownPolicy] = {}
        self._users: dict[str, dict[str, UserTrust]] = {}
        self.position = 0  # highest stream position loaded
        self.failing: str | None = None  # why the copy may be stale, while it is
        self._dirty = asyncio.Event()
        self._listener: asyncpg.Connection | None = None
        self._task: asyncio.Task[None] | None = None

    # -- reads ------------------------------------------------------------------------------

    def policy(self, tenant_id: str) -> SecurityPolicy | None:
        """The organisation's latest known policy, or None when none is known."""
        known = self._policies.get(tenant_id)
        return known.policy if known is not None else None

    def policy_version(self, tenant_id: str) -> int | None:
        known = self._policies.get(tenant_id)
        return known.version if known is not None else None

    def is_revoked(self, tenant_id: str, user_id: str, issued_at: datetime) -> bool:
        """True when a token of ``user_id`` issued at ``issued_at`` must be refused: the user
        is deactivated or forgotten, or it predates a role change or a reactivation."""
        user = self._users.get(tenant_id, _NO_USERS).get(user_id)
        return user is not None and (user.deactivated or issued_at < user.valid_after)

    async def enforce(self, tenant_id: str, key: str, *, actor: Actor | None = None,
                      action: str = "", resource_type: str = "",
                      resource_id: str = "") -> SecurityPolicy:
        """The organisation's policy when it allows the boolean ``key``; else record the
        denial as an access event and raise :class:`PolicyBlocked`."""
        if key not in BOOLEAN_KEYS:
            raise ValueError(f"{key!r} is not a boolean policy key; enforce one of "
                             f"{', '.join(sorted(BOOLEAN_KEYS))} or read policy() yourself")
        known = self._policies.get(tenant_id)
        if known is not None and known.policy.value(key) is True:
            return known.policy
        blocked = (PolicyBlocked(key, tenant_id, None, NO_POLICY) if known is None else
                   PolicyBlocked(key, tenant_id, known.version,
                                 f"the organisation has switched off {key}"))
        await self._record_denial(blocked, actor, action, resource_type, resource_id)
        raise blocked

    async def enforce_choice(self, tenant_id: str, key: str, allowed: Collection[object], *,
                             actor: Actor | None = None, action: str = "",
                             resource_type: str = "", resource_id: str = "") -> SecurityPolicy:
        """The organisation's policy when the value of ``key`` (a choice such as
        ``community.pseudonyms``) is one of ``allowed``; else record and raise
        :class:`PolicyBlocked`, like :meth:`enforce`."""
        known = self._policies.get(tenant_id)
        if known is not None and known.policy.value(key) in allowed:
            return known.policy
        blocked = (PolicyBlocked(key, tenant_id, None, NO_POLICY) if known is None else
                   PolicyBlocked(key, tenant_id, known.version,
                                 f"the organisation has set {key} to "
                                 f"{known.policy.value(key)!r}"))
        await self._record_denial(blocked, actor, action, resource_type, resource_id)
        raise blocked

    async def _record_denial(self, blocked: PolicyBlocked, actor: Actor | None, action: str,
                             resource_type: str, resource_id: str) -> None:
        log.info("denied %s to %s: %s", action or "an action", actor.id if actor else "-",
                 blocked)
        if self._access is None:
            return
        try:
            await self._access.record(Access(
                tenant_id=blocked.tenant_id, actor=actor or Actor.system(), action=action,
                resource_type=resource_type, resource_id=resource_id, outcome="denied",
                reason=blocked.key, policy_version=blocked.version,
                request_id=request_id_var.get(), source_address=source_address_var.get()))
        except Exception:  # the refusal stands; an unrecorded one is logged, not a 500
            log.exception("could not record the denial of %s for %s", blocked.key,
                          blocked.tenant_id)

    # -- life cycle -------------------------------------------------------------------------

    async def start(self) -> None:
        """Load everything (raises when PostgreSQL cannot be read: nothing to serve yet),
        then keep it fresh in the background."""
        async with self._pool.acquire(timeout=self._timeout) as conn:
            await ensure_tables(conn)
        await self.refresh()
        with contextlib.suppress(Exception):
            await self._listen()
        self._task = asyncio.get_running_loop().create_task(self._keep_fresh(),
                                                            name="trust cache")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(BaseException):
                await self._task
            self._task = None
        await self._unlisten()

    async def refresh(self) -> int:
        """Load the rows changed since the last load; returns how many."""
        async with self._pool.acquire(timeout=self._timeout) as conn, \
                conn.transaction(isolation="repeatable_read", readonly=True):
            top = await conn.fetchval(
                "SELECT greatest((SELECT max(position) FROM trust_policies),"
                " (SELECT max(position) FROM trust_users))", timeout=self._timeout) or 0
            since = self.position if top >= self.position else 0  # 0: the model was rebuilt
            policies = await conn.fetch(
                "SELECT tenant_id, version, policy FROM trust_policies WHERE position > $1",
                since, timeout=self._timeout)
            users = await conn.fetch(
                "SELECT tenant_id, user_id, deactivated, valid_after FROM trust_users"
                " WHERE position > $1", since, timeout=self._timeout)
        for row in policies:
            self._put_policy(row["tenant_id"], row["version"], orjson.loads(row["policy"]))
        for row in users:
            self._users.setdefault(row["tenant_id"], {})[row["user_id"]] = UserTrust(
                row["deactivated"], _to_ms(row["valid_after"]))
        self.position = top
        return len(policies) + len(users)

    def _put_policy(self, tenant_id: str, version: int, wire: dict[str, Any]) -> None:
        known = self._policies.get(tenant_id)
        if known is None or version >= known.version:  # never back to an older version
            self._policies[tenant_id] = KnownPolicy(version, SecurityPolicy.from_wire(wire))

    # -- staying fresh ----------------------------------------------------------------------

    def _on_notify(self, _conn: Any, _pid: int, _channel: str, payload: str) -> None:
        # the channel is shared by every projection of the database: wake for ours only
        if payload.partition(":")[0].endswith("-trust"):
            self._dirty.set()

    async def _listen(self) -> None:
        if self._listener is not None and _alive(self._listener):
            return
        await self._unlisten()
        conn = await self._pool.acquire(timeout=self._timeout)
        try:
            await conn.add_listener(checkpoints.NOTIFY_CHANNEL, self._on_notify)
        except BaseException:
            await self._pool.release(conn)
            raise
        self._listener = conn
        self._dirty.set()  # catch up on what changed while we were not listening

    async def _unlisten(self) -> None:
        conn, self._listener = self._listener, None
        if conn is not None:
            with contextlib.suppress(Exception):
                await conn.remove_listener(checkpoints.NOTIFY_CHANNEL, self._on_notify)
            with contextlib.suppress(Exception):
                await self._pool.release(conn, timeout=self._timeout)

    async def _keep_fresh(self) -> None:
        while True:
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(self._poll):
                    await self._dirty.wait()
            self._dirty.clear()
            try:
                await self._listen()
                await self.refresh()
            except Exception as err:  # keep serving what we have
                if self.failing is None:
                    log.warning("trust cache cannot refresh, serving position %d: %s",
                                self.position, err)
                self.failing = f"{type(err).__name__}: {err}"
                await self._unlisten()
            else:
                if self.failing is not None:
                    log.info("trust cache refreshing again at position %d", self.position)
                self.failing = None
