"""A service's API inside a test or a benchmark, beside identity: its settings on the test's
servers, its lifespan run, identity's JWKS reached over ASGI, and a client for it; with
:func:`running_service`, its worker's consumers too, as tasks."""

from __future__ import annotations

import asyncio
import contextlib
import inspect
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

import httpx
import uvicorn
from fastapi import FastAPI

from interlude.shared.projections.runner import ProjectionRunner
from interlude.shared.runtime import Platform, open_platform
from interlude.shared.serving import CallerSettings
from interlude.shared.stack.ports import free_port
from interlude.shared.worker import Runners

S = TypeVar("S", bound=CallerSettings)


def caller_settings(cls: type[S], nats_url: str, postgres_dsn: str, namespace: str,
                    master_secret: str, **overrides: Any) -> S:
    """Settings of a service that trusts identity's tokens, on the test's own streams."""
    values: dict[str, Any] = {
        "nats_url": nats_url, "database_url": postgres_dsn, "stream_namespace": namespace,
        "master_secret": master_secret, "log_json": False,
        "identity_url": "http://identity.test", **overrides}
    return cls(**values)


@contextlib.asynccontextmanager
async def api_in_process(create_app: Callable[..., FastAPI], settings: CallerSettings,
                         schema: str, identity_app: FastAPI,
                         base_url: str) -> AsyncIterator[tuple[FastAPI, httpx.AsyncClient]]:
    """The app from ``create_app(settings, schema=, jwks_client=)`` started, and a client."""
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=identity_app),
                                 base_url=settings.identity_url) as jwks:
        app = create_app(settings, schema=schema, jwks_client=jwks)
        async with app.router.lifespan_context(app), httpx.AsyncClient(
                transport=httpx.ASGITransport(app=app), base_url=base_url) as client:
            yield app, client


@dataclass
class RunningService(Generic[S]):
    client: httpx.AsyncClient
    app: FastAPI
    platform: Platform  # the worker's, on the same schema
    runners: list[ProjectionRunner]
    settings: S
    schema: str  # its PostgreSQL schema (the API's and the worker's)


@contextlib.asynccontextmanager
async def running_service(create_app: Callable[..., FastAPI], runners: Runners, settings: S,
                          schema: str, identity_app: FastAPI, base_url: str,
                          with_worker: bool = True) -> AsyncIterator[RunningService[S]]:
    """The service's API (:func:`api_in_process`) and, unless not ``with_worker``, the
    consumers of its ``worker.py`` (``runners``, as the worker gets them) started."""
    async with contextlib.AsyncExitStack() as stack:
        app, client = await stack.enter_async_context(api_in_process(
            create_app, settings, schema, identity_app, base_url))
        platform = await open_platform(settings, schema=schema)
        stack.push_async_callback(platform.close)
        started: list[ProjectionRunner] = []
        if with_worker:
            made = runners(platform)
            started = await made if inspect.isawaitable(made) else made
        for runner in started:
            await runner.start()
            stack.push_async_callback(runner.stop)
        yield RunningService(client, app, platform, started, settings, schema)


class ServiceRunner(Generic[S]):
    """A service's ``running_<service>(settings, schema, identity_app, with_worker=True)``,
    made once in its ``testing.py``: :func:`running_service` with its app factory, its worker's
    ``runners`` and the base URL of its client bound::

        running_notify = ServiceRunner[NotifySettings](create_app, runners, "http://notify.test")
    """

    def __init__(self, create_app: Callable[..., FastAPI], runners: Runners,
                 base_url: str) -> None:
        self.create_app = create_app
        self.runners = runners
        self.base_url = base_url

    def __call__(self, settings: S, schema: str, identity_app: FastAPI,
                 with_worker: bool = True
                 ) -> contextlib.AbstractAsyncContextManager[RunningService[S]]:
        return running_service(self.create_app, self.runners, settings, schema, identity_app,
                               self.base_url, with_worker)


@contextlib.asynccontextmanager
async def served(app: FastAPI, *, lifespan: bool = True) -> AsyncIterator[str]:
    """``app`` on a real port of this process, for other processes (a fuzzer, a worker) to
    reach; yields its URL and stops it on exit. ``lifespan=False`` when the app's lifespan is
    already running (a test harness started it)."""
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning",
                                           lifespan="on" if lifespan else "off"))
    task = asyncio.create_task(server.serve())
    while not server.started:
        if task.done():
            task.result()
        await asyncio.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        await task
