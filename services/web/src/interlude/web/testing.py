"""web inside a test: the other services' apps (already started by their own fixtures) served
on real ports of this process, and web served on one too, so that a browser reaches it and web
reaches them over HTTP as in production."""

from __future__ import annotations

import asyncio
import contextlib
import re
import socket
from collections.abc import AsyncIterator
from dataclasses import dataclass

import httpx
import uvicorn
from fastapi import FastAPI

from interlude.shared.testing.inprocess import served
from interlude.web.main import create_app
from interlude.web.sessions import Session
from interlude.web.settings import WebSettings


@dataclass
class RunningWeb:
    url: str
    app: FastAPI
    settings: WebSettings


def bound() -> socket.socket:
    """A listening socket on a free port, held from now on (so its address can go into
    settings before the app is served, and no other program takes the port meanwhile)."""
    made = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    made.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    made.bind(("127.0.0.1", 0))
    return made


UPSTREAMS = frozenset({"identity", "engagement", "community", "audit"})


def refusing() -> socket.socket:
    """A port of this machine held but not listening: a connection to it is refused at once
    (a service a test does not run, rather than its default port, where anything may listen)."""
    made = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    made.bind(("127.0.0.1", 0))
    return made


def url_of(held: socket.socket) -> str:
    return f"http://127.0.0.1:{held.getsockname()[1]}"


@contextlib.asynccontextmanager
async def served_on(app: FastAPI, held: socket.socket, *,
                    lifespan: bool = True) -> AsyncIterator[str]:
    """``app`` served on ``held`` (from :func:`bound`); its URL, and stopped on exit."""
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning",
                                           lifespan="on" if lifespan else "off"))
    task = asyncio.create_task(server.serve(sockets=[held]))
    while not server.started:
        if task.done():
            task.result()
        await asyncio.sleep(0.02)
    try:
        yield url_of(held)
    finally:
        server.should_exit = True
        await task
        held.close()


@contextlib.asynccontextmanager
async def running_web(services: dict[str, FastAPI],
                      sockets: dict[str, socket.socket] | None = None
                      ) -> AsyncIterator[RunningWeb]:
    """web on a free port, calling each of ``services`` (name -> a started app) on its own;
    without notify among them, web has no inbox (and never calls notify's default port).
    ``sockets`` may hold the sockets (:func:`bound`) to serve some of them, web included, on:
    addresses a test had to know before (identity's single sign-on needs both)."""
    held = sockets or {}
    async with contextlib.AsyncExitStack() as stack:
        urls = {}
        for name in UPSTREAMS.difference(services):  # refused at once, never a default port
            urls[f"{name}_url"] = url_of(stack.enter_context(refusing()))
        for name, app in services.items():
            serving = served_on(app, held[name], lifespan=False) if name in held else \
                served(app, lifespan=False)
            urls[f"{name}_url"] = await stack.enter_async_context(serving)
        settings = WebSettings.model_validate({"log_json": False, "notify_url": None, **urls})
        app = create_app(settings)
        url = await stack.enter_async_context(
            served_on(app, held["web"]) if "web" in held else served(app))
        yield RunningWeb(url, app, settings)


async def signed_in_over_http(client: httpx.AsyncClient, web: RunningWeb, email: str,
                              password: str) -> Session:
    """Signed in through web's sign-in form with ``client`` (its cookie kept there); the
    session web holds for it, from web's own memory."""
    form = await client.get("/sign-in")
    csrf = re.search(r'name="csrf" value="([^"]+)"', form.text)
    assert csrf is not None
    answer = await client.post("/sign-in", data={"csrf": csrf[1], "email": email,
                                                 "password": password})
    assert answer.status_code == 303, answer.text
    session: Session | None = web.app.state.web.store.get(client.cookies["interlude_session"])
    assert session is not None
    return session
