"""Builds identity's application object from an open platform: the one place its parts meet."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from interlude.identity.adapters.digests import EmailDigest
from interlude.identity.adapters.passwords import Passwords
from interlude.identity.adapters.refresh_tokens import RefreshTokens
from interlude.identity.adapters.signing import SigningKeys
from interlude.identity.adapters.throttle import Throttle
from interlude.identity.adapters.tickets import Tickets
from interlude.identity.adapters.totp import TotpSteps
from interlude.identity.app.deps import Identity
from interlude.identity.domain.claims import EMAIL, EMAIL_INDEX
from interlude.identity.domain.events import registry
from interlude.identity.domain.group import GROUP
from interlude.identity.domain.organisation import ORGANISATION
from interlude.identity.domain.user import USER
from interlude.identity.settings import IdentitySettings
from interlude.shared.events.codec import EventCodec
from interlude.shared.eventstore.base import EventStore
from interlude.shared.eventstore.repository import Repository
from interlude.shared.eventstore.streams import ensure_stream
from interlude.shared.runtime import Platform, master_secret

MIGRATIONS = Path(__file__).parent / "migrations"
NO_SNAPSHOTS = 1 << 30  # people's states hold password hashes: never copy them into snapshots


def codec(platform: Platform) -> EventCodec:
    return EventCodec(registry, platform.sealer)


async def ensure_sources(platform: Platform) -> None:
    """identity's own stream exists before its copy of the policies starts reading it."""
    await ensure_stream(platform.js, platform.stream("identity"),
                        platform.settings.stream_replicas)


async def build_identity(platform: Platform, settings: IdentitySettings,
                         store: EventStore | None = None) -> Identity:
    store = store or await platform.event_store("identity")
    stream = platform.stream("identity")
    events = codec(platform)
    pool = platform.pool
    secret = master_secret(settings)
    keys = SigningKeys(pool, secret, token_ttl=settings.access_ttl,
                       rotate_after=timedelta(days=settings.key_rotation_days))
    await keys.start()
    return Identity(
        settings=settings,
        users=Repository(store, stream, USER, events, snapshot_every=NO_SNAPSHOTS),
        orgs=Repository(store, stream, ORGANISATION, events),
        emails=Repository(store, stream, EMAIL, events),
        email_index=Repository(store, stream, EMAIL_INDEX, events),
        groups=Repository(store, stream, GROUP, events),
        keyring=platform.keyring,
        passwords=Passwords(time_cost=settings.argon2_time_cost,
                            memory_cost=settings.argon2_memory_kib),
        keys=keys,
        refresh=RefreshTokens(pool, timedelta(days=settings.refresh_token_ttl_days)),
        throttle=Throttle(pool), tickets=Tickets(pool), totp=TotpSteps(pool),
        digest=EmailDigest(secret), master_secret=secret, pool=pool, access=platform.access)
