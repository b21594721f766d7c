"""Running community inside a test beside identity and engagement: its API in-process (httpx
over ASGI), tokens verified against identity's real JWKS, and its worker's consumers as
tasks."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import httpx
from fastapi import FastAPI

from interlude.community.main import create_app
from interlude.community.settings import CommunitySettings
from interlude.community.wiring import runners
from interlude.shared.projections.runner import ProjectionRunner
from interlude.shared.runtime import Platform, open_platform
from interlude.shared.testing.inprocess import api_in_process, caller_settings


def community_settings(nats_url: str, postgres_dsn: str, namespace: str, master_secret: str,
                       **overrides: Any) -> CommunitySettings:
    return caller_settings(CommunitySettings, nats_url, postgres_dsn, namespace, master_secret,
                           **overrides)


@dataclass
class RunningCommunity:
    client: httpx.AsyncClient
    app: FastAPI
    platform: Platform
    runners: list[ProjectionRunner]
    settings: CommunitySettings


@contextlib.asynccontextmanager
async def running_community(settings: CommunitySettings, schema: str, identity_app: FastAPI,
                            with_worker: bool = True) -> AsyncIterator[RunningCommunity]:
    async with contextlib.AsyncExitStack() as stack:
        app, client = await stack.enter_async_context(api_in_process(
            create_app, settings, schema, identity_app, "http://community.test"))
        platform = await open_platform(settings, schema=schema)
        stack.push_async_callback(platform.close)
        started = await runners(platform, batch_size=100) if with_worker else []
        for runner in started:
            await runner.start()
            stack.push_async_callback(runner.stop)
        yield RunningCommunity(client, app, platform, started, settings)
