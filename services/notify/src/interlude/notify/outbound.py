"""The outbound side in one place, for the composition roots to take in a few lines: its
routers, its application object, its consumers (``runners``) and its senders
(``background``).

    main.py    routers=(..., *outbound.ROUTERS); in build: app.state.outbound = await
               outbound.build(platform, settings, trust)
    worker.py  runners: [..., *await outbound.runners(platform)]; background: outbound.background
"""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import cast

import httpx

from interlude.notify.adapters.smtp import Mailer, SmtpMailer
from interlude.notify.adapters.webhook_http import HttpPoster, Poster
from interlude.notify.api import preferences as preferences_api
from interlude.notify.api import unsubscribe as unsubscribe_api
from interlude.notify.api import webhooks as webhooks_api
from interlude.notify.app.delivery import EmailSender, repeat
from interlude.notify.app.outbound import VIEWS, Outbound
from interlude.notify.app.owed import append_owed
from interlude.notify.app.password_links import PasswordLinks, PasswordLinkSender
from interlude.notify.app.retention import Retention
from interlude.notify.app.webhook_delivery import WebhookSender
from interlude.notify.domain import webhook_events  # noqa: F401  (registers the Webhook* events)
from interlude.notify.domain.events import registry
from interlude.notify.domain.preferences import PREFERENCES
from interlude.notify.domain.webhooks import WEBHOOK
from interlude.notify.projections.addresses import Addresses
from interlude.notify.projections.cancellations import Cancellations
from interlude.notify.projections.outbox import Outbox
from interlude.notify.projections.preferences import PreferencesView
from interlude.notify.projections.webhooks import WebhookEndpoints
from interlude.notify.settings import NotifySettings
from interlude.shared import directory
from interlude.shared.auth import service_secret
from interlude.shared.events.codec import EventCodec
from interlude.shared.eventstore.repository import Repository
from interlude.shared.eventstore.streams import ensure_stream
from interlude.shared.kit import Enforcer
from interlude.shared.projections.base import Together
from interlude.shared.projections.runner import ProjectionRunner
from interlude.shared.runtime import Platform, master_secret
from interlude.shared.trust.cache import TrustCache
from interlude.shared.trust.projection import ensure_tables

ROUTERS = (preferences_api.router, unsubscribe_api.router, webhooks_api.router)
IDENTITY = "notify-outbound-identity"  # addresses, and what policy changes and erasures cancel


async def build(platform: Platform, settings: NotifySettings, policy: Enforcer) -> Outbound:
    store = await platform.event_store("notify")
    stream = platform.stream("notify")
    codec = EventCodec(registry, platform.sealer)
    secret = service_secret(master_secret(settings), "notify-outbound").encode()
    return Outbound(
        preferences=Repository(store, stream, PREFERENCES, codec),
        webhooks=Repository(store, stream, WEBHOOK, codec), store=store, codec=codec,
        stream=stream, settings=settings, policy=policy, pool=platform.pool,
        sealer=platform.sealer, id_secret=secret, access=platform.access,
        unsubscribe_secret=service_secret(master_secret(settings),
                                          "notify-unsubscribe").encode())


async def ensure(platform: Platform) -> None:
    """What the outbound side reads exists before its first event: the streams, the policy
    copy (kept by the API's trust projection) and the people table."""
    for service in ("notify", "identity"):
        await ensure_stream(platform.js, platform.stream(service),
                            platform.settings.stream_replicas)
    async with platform.pool.acquire() as conn:
        await ensure_tables(conn)
        await directory.ensure_table(conn)


async def runners(platform: Platform, batch_size: int = 200) -> list[ProjectionRunner]:
    await ensure(platform)
    dead = platform.stream("deadletter")
    return [
        ProjectionRunner(Together(VIEWS, PreferencesView(), WebhookEndpoints(), Outbox()),
                         platform.stream("notify"), platform.nc, platform.pool,
                         deadletters=dead, batch_size=batch_size),
        ProjectionRunner(Together(IDENTITY, Addresses(), Cancellations(), PasswordLinks()),
                         platform.stream("identity"), platform.nc, platform.pool,
                         deadletters=dead, batch_size=batch_size)]


async def send(deps: Outbound, mailer: Mailer, poster: Poster) -> None:
    """The senders, the retention job and the appender of what they owe, until cancelled."""
    poll = deps.settings.outbound_poll_seconds
    retention = Retention(deps.pool, timedelta(seconds=deps.settings.retention_interval_seconds),
                          deps.clock)
    await asyncio.gather(repeat(EmailSender(deps, mailer).run_due, poll),
                         repeat(PasswordLinkSender(deps, mailer).run_due, poll),
                         repeat(WebhookSender(deps, poster).run_due, poll),
                         repeat(retention.run_due, poll),
                         repeat(lambda: append_owed(deps), poll))


async def background(platform: Platform) -> None:
    """The worker's loop (``worker.main(..., background=outbound.background)``)."""
    await ensure(platform)
    settings = cast(NotifySettings, platform.settings)
    deps = await build(platform, settings, TrustCache(platform.pool))  # senders enforce nothing
    mailer = SmtpMailer(settings.smtp_host, settings.smtp_port, settings.smtp_timeout_seconds,
                        settings.smtp_username or None, settings.smtp_password or None,
                        settings.smtp_starttls)
    async with httpx.AsyncClient(timeout=settings.webhook_timeout_seconds,
                                 follow_redirects=False) as client:
        await send(deps, mailer, HttpPoster(client, settings.webhook_private_addresses))
