"""Running notify inside a test beside identity, engagement and community: its API in-process
(httpx over ASGI), tokens verified against identity's real JWKS, and its worker's consumers
(with the reminders' timer) as tasks."""

from __future__ import annotations

import contextlib
from functools import partial
from typing import Any

from fastapi import FastAPI

from interlude.notify.main import create_app
from interlude.notify.settings import NotifySettings
from interlude.notify.wiring import runners
from interlude.shared.testing.inprocess import RunningService, caller_settings, running_service


def notify_settings(nats_url: str, postgres_dsn: str, namespace: str, master_secret: str,
                    **overrides: Any) -> NotifySettings:
    overrides.setdefault("webhook_private_addresses", True)  # receivers run on this machine
    return caller_settings(NotifySettings, nats_url, postgres_dsn, namespace, master_secret,
                           **overrides)


RunningNotify = RunningService[NotifySettings]


def running_notify(settings: NotifySettings, schema: str, identity_app: FastAPI,
                   with_worker: bool = True
                   ) -> contextlib.AbstractAsyncContextManager[RunningNotify]:
    return running_service(create_app, partial(runners, batch_size=100), settings, schema,
                           identity_app, "http://notify.test", with_worker)
