"""web inside a test: the other services' apps (already started by their own fixtures) served
on real ports of this process, and web served on one too, so that a browser reaches it and web
reaches them over HTTP as in production."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from dataclasses import dataclass

from fastapi import FastAPI

from interlude.shared.testing.inprocess import served
from interlude.web.main import create_app
from interlude.web.settings import WebSettings


@dataclass
class RunningWeb:
    url: str
    app: FastAPI
    settings: WebSettings


@contextlib.asynccontextmanager
async def running_web(services: dict[str, FastAPI]) -> AsyncIterator[RunningWeb]:
    """web on a free port, calling each of ``services`` (name -> a started app) on its own;
    without notify among them, web has no inbox (and never calls notify's default port)."""
    async with contextlib.AsyncExitStack() as stack:
        urls = {f"{name}_url": await stack.enter_async_context(served(app, lifespan=False))
                for name, app in services.items()}
        settings = WebSettings.model_validate({"log_json": False, "notify_url": None, **urls})
        app = create_app(settings)
        url = await stack.enter_async_context(served(app))
        yield RunningWeb(url, app, settings)
