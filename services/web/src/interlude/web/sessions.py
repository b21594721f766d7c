"""Server-side sessions: the browser holds a random id in a cookie, the tokens stay here.

Kept in the memory of the web process (ADR 0011): a restart of web signs everyone out, and
two web replicas need sticky sessions until the store moves to PostgreSQL. A session leaves
memory when it ends: signed out, refused by identity, idle or too old (:meth:`SessionStore.sweep`
finds those nobody asks for again), or its person forgotten (:mod:`.keeping`)."""

from __future__ import annotations

import asyncio
import secrets
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

REFRESH_MARGIN_S = 30.0  # refresh an access token this long before it expires


@dataclass
class Session:
    id: str
    user_id: str
    tenant_id: str
    roles: tuple[str, ...]
    access_token: str
    refresh_token: str
    access_expires: float  # monotonic seconds
    created: float
    last_seen: float
    name: str | None = None
    csrf: str = field(default_factory=lambda: secrets.token_urlsafe(32))
    flash: list[str] = field(default_factory=list)
    # what the last request was refused, for the page it leads to (shown as a problem, not
    # as a note that something was done)
    refused: list[str] = field(default_factory=list)
    # the stream position of this person's last write per service: their next reads wait for
    # it (``?after=``), so a page after a form shows what the form did
    positions: dict[str, int] = field(default_factory=dict)
    pending: dict[str, Any] = field(default_factory=dict)  # a change reviewed, not yet saved
    # the policy keys the organisation switched off ("community.enabled"): the menu leaves
    # their links out (``Upstream.learn_policy``; each page refuses what is off regardless)
    switched_off: frozenset[str] = frozenset()
    # the header's unread count (``badge.Badge``): the last answer, when, and the call on its way
    unread: int | None = None
    unread_at: float = float("-inf")
    unread_call: asyncio.Task[None] | None = None
    # one refresh at a time: a refresh token works once, two requests must not both spend it
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)

    def has(self, *roles: str) -> bool:
        return bool(set(roles) & set(self.roles))

    def needs_refresh(self, now: float) -> bool:
        return now >= self.access_expires - REFRESH_MARGIN_S

    def take_flash(self) -> tuple[list[str], list[str]]:
        """The notes and the refusals left for the next page, taken."""
        shown, self.flash = self.flash, []
        refused, self.refused = self.refused, []
        return shown, refused


@dataclass(frozen=True)
class Tokens:
    """What identity answers a sign-in or a refresh with."""

    access_token: str
    refresh_token: str
    expires_in: int
    tenant_id: str
    user_id: str
    roles: tuple[str, ...]

    @classmethod
    def of(cls, body: dict[str, object]) -> Tokens:
        roles = body.get("roles") or ()
        assert isinstance(roles, list | tuple)
        return cls(str(body["access_token"]), str(body["refresh_token"]),
                   int(str(body["expires_in"])), str(body["tenant_id"]), str(body["user_id"]),
                   tuple(str(r) for r in roles))


class SessionStore:
    def __init__(self, idle_s: float, max_s: float, capacity: int,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.idle_s, self.max_s, self.capacity, self.clock = idle_s, max_s, capacity, clock
        self._sessions: OrderedDict[str, Session] = OrderedDict()

    def open(self, tokens: Tokens) -> Session:
        """A new session with a new id (a sign-in never keeps an id from before it)."""
        now = self.clock()
        session = Session(id=secrets.token_urlsafe(32), user_id=tokens.user_id,
                          tenant_id=tokens.tenant_id, roles=tokens.roles,
                          access_token=tokens.access_token, refresh_token=tokens.refresh_token,
                          access_expires=now + tokens.expires_in, created=now, last_seen=now)
        self._sessions[session.id] = session
        while len(self._sessions) > self.capacity:
            self._sessions.popitem(last=False)
        return session

    def _ended(self, session: Session, now: float) -> bool:
        return now - session.last_seen > self.idle_s or now - session.created > self.max_s

    def get(self, session_id: str | None) -> Session | None:
        if not session_id:
            return None
        session = self._sessions.get(session_id)
        if session is None:
            return None
        now = self.clock()
        if self._ended(session, now):
            self.drop(session_id)
            return None
        session.last_seen = now
        self._sessions.move_to_end(session_id)
        return session

    def renewed(self, session: Session, tokens: Tokens) -> None:
        session.access_token, session.refresh_token = tokens.access_token, tokens.refresh_token
        session.access_expires = self.clock() + tokens.expires_in
        session.roles = tokens.roles

    def drop(self, session_id: str) -> Session | None:
        return self._sessions.pop(session_id, None)

    def holds(self, session: Session) -> bool:
        """Whether ``session`` is still one of this store's (not ended since it was found)."""
        return self._sessions.get(session.id) is session

    def sweep(self) -> int:
        """Drop the sessions that have ended (idle, or too old) though nobody asked for them
        since; how many went."""
        now = self.clock()
        ended = [s.id for s in self._sessions.values() if self._ended(s, now)]
        for session_id in ended:
            self.drop(session_id)
        return len(ended)

    def lapsed(self) -> list[Session]:
        """The sessions whose access token has expired (unused since): whether identity still
        renews them says whether their person may still be signed in."""
        now = self.clock()
        return [s for s in self._sessions.values() if now >= s.access_expires]

    def drop_person(self, tenant_id: str, user_id: str) -> int:
        """End every session of one person (forgotten); how many there were."""
        theirs = [s.id for s in self._sessions.values()
                  if s.tenant_id == tenant_id and s.user_id == user_id]
        for session_id in theirs:
            self.drop(session_id)
        return len(theirs)

    def __len__(self) -> int:
        return len(self._sessions)


@dataclass
class Enrolment:
    """A person setting up an authenticator before their first sign-in with it: identity's
    one-time ticket, kept here (the browser holds a random id), and the secret once shown."""

    id: str
    ticket: str
    email: str
    opened: float
    secret: str | None = None
    uri: str | None = None


class Enrolments:
    """Enrolments under way: a few minutes each, a bounded number at once."""

    def __init__(self, lifetime_s: float = 600, capacity: int = 10_000,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.lifetime_s, self.capacity, self.clock = lifetime_s, capacity, clock
        self._open: OrderedDict[str, Enrolment] = OrderedDict()

    def open(self, ticket: str, email: str) -> Enrolment:
        enrolment = Enrolment(secrets.token_urlsafe(32), ticket, email, self.clock())
        self._open[enrolment.id] = enrolment
        while len(self._open) > self.capacity:
            self._open.popitem(last=False)
        return enrolment

    def get(self, enrolment_id: str | None) -> Enrolment | None:
        found = self._open.get(enrolment_id or "")
        if found is not None and self.clock() - found.opened > self.lifetime_s:
            self.drop(found.id)
            return None
        return found

    def drop(self, enrolment_id: str) -> None:
        self._open.pop(enrolment_id, None)

    def sweep(self) -> int:
        """Drop the enrolments past their lifetime (the address and ticket they held)."""
        now = self.clock()
        ended = [e.id for e in self._open.values() if now - e.opened > self.lifetime_s]
        for enrolment_id in ended:
            self.drop(enrolment_id)
        return len(ended)
