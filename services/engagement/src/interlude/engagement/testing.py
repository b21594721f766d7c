"""Running engagement inside a test beside identity: its API in-process (httpx over ASGI),
tokens verified against identity's real JWKS, and its worker's projections as tasks."""

from __future__ import annotations

import contextlib
import secrets
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import httpx
from fastapi import FastAPI

from interlude.engagement.main import create_app
from interlude.engagement.settings import EngagementSettings
from interlude.engagement.wiring import runners
from interlude.shared.projections.runner import ProjectionRunner
from interlude.shared.runtime import Platform, open_platform
from interlude.shared.testing.inprocess import api_in_process, caller_settings


def engagement_settings(nats_url: str, postgres_dsn: str, namespace: str, master_secret: str,
                        **overrides: Any) -> EngagementSettings:
    return caller_settings(EngagementSettings, nats_url, postgres_dsn, namespace,
                           master_secret, **overrides)


def terms(**overrides: Any) -> dict[str, Any]:
    """Contract terms as a coach would send them: six video sessions over six months,
    check-ins and messaging, four coach replies a month within 48 hours."""
    base: dict[str, Any] = {
        "programme": "Leadership 2026",
        "sessions": {"count": 6, "over_months": 6, "mode": "video"},
        "channels": {"checkins": True, "messaging": True},
        "allowance": {"kind": "monthly", "replies_per_month": 4, "reply_window_hours": 48},
        "sponsor_view": "attendance",
        "consents": {"pin_insights": True, "peer_tagging": True, "share_posts": False}}
    return base | overrides


@dataclass
class RunningEngagement:
    client: httpx.AsyncClient
    app: FastAPI
    platform: Platform
    runners: list[ProjectionRunner]
    settings: EngagementSettings


@contextlib.asynccontextmanager
async def running_engagement(settings: EngagementSettings, schema: str, identity_app: FastAPI,
                             with_worker: bool = True) -> AsyncIterator[RunningEngagement]:
    async with contextlib.AsyncExitStack() as stack:
        app, client = await stack.enter_async_context(api_in_process(
            create_app, settings, schema, identity_app, "http://engagement.test"))
        platform = await open_platform(settings, schema=schema)
        stack.push_async_callback(platform.close)
        started = runners(platform, batch_size=100) if with_worker else []
        for runner in started:
            await runner.start()
            stack.push_async_callback(runner.stop)
        yield RunningEngagement(client, app, platform, started, settings)


def random_master_secret() -> str:
    return secrets.token_urlsafe(32)
