"""Running community inside a test beside identity and engagement: its API in-process (httpx
over ASGI), tokens verified against identity's real JWKS, and its worker's consumers as
tasks."""

from __future__ import annotations

import contextlib
from functools import partial
from typing import Any

from fastapi import FastAPI

from interlude.community.main import create_app
from interlude.community.settings import CommunitySettings
from interlude.community.wiring import runners
from interlude.shared.testing.inprocess import RunningService, caller_settings, running_service


def community_settings(nats_url: str, postgres_dsn: str, namespace: str, master_secret: str,
                       **overrides: Any) -> CommunitySettings:
    return caller_settings(CommunitySettings, nats_url, postgres_dsn, namespace, master_secret,
                           **overrides)


RunningCommunity = RunningService[CommunitySettings]


def running_community(settings: CommunitySettings, schema: str, identity_app: FastAPI,
                      with_worker: bool = True
                      ) -> contextlib.AbstractAsyncContextManager[RunningCommunity]:
    return running_service(create_app, partial(runners, batch_size=100), settings, schema,
                           identity_app, "http://community.test", with_worker)
