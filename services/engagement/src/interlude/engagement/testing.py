"""Running engagement inside a test beside identity: its API in-process (httpx over ASGI),
tokens verified against identity's real JWKS, and its worker's projections as tasks."""

from __future__ import annotations

from functools import partial
from typing import Any

from interlude.engagement.main import create_app
from interlude.engagement.settings import EngagementSettings
from interlude.engagement.wiring import runners
from interlude.shared.testing.inprocess import RunningService, ServiceRunner, caller_settings


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


RunningEngagement = RunningService[EngagementSettings]
running_engagement = ServiceRunner[EngagementSettings](
    create_app, partial(runners, batch_size=100), "http://engagement.test")
