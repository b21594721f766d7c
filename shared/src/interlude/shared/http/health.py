"""Readiness checks for ``/readyz``: each answers None when fine, else what is wrong."""

from __future__ import annotations

from collections.abc import Iterable

import asyncpg
from nats.aio.client import Client as NATS

from interlude.shared.http.app import ReadinessCheck
from interlude.shared.projections.runner import ProjectionRunner


def nats_ready(nc: NATS) -> ReadinessCheck:
    async def check() -> str | None:
        return None if nc.is_connected else "not connected to NATS"

    return check


def postgres_ready(pool: asyncpg.Pool) -> ReadinessCheck:
    async def check() -> str | None:
        await pool.fetchval("SELECT 1", timeout=2)
        return None

    return check


def projections_ready(runners: Iterable[ProjectionRunner]) -> ReadinessCheck:
    """Failing projections make the service not ready: its reads would be stale."""
    runners = list(runners)

    async def check() -> str | None:
        failing = [f"{r.name}: {r.failing}" for r in runners if r.failing]
        return "; ".join(failing) or None

    return check
