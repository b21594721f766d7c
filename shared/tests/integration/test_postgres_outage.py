"""An API on the shared platform while its PostgreSQL is gone: a request answers 503 with
``Retry-After`` (not a 500), and once PostgreSQL is back on the same port and data folder the
same API process answers again, its pool opening new connections by itself."""

from __future__ import annotations

import asyncio
import contextlib
import os
import shutil
import signal
import tempfile
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from interlude.shared.db import create_pool
from interlude.shared.http.app import create_app
from interlude.shared.stack.ports import free_port
from interlude.shared.stack.postgres import PostgresServer, start_postgres


@pytest.fixture
def own_postgres() -> Iterator[tuple[Path, int]]:
    """A PostgreSQL of this test's own, which it may kill; its data folder outside pytest's
    tmp_path, which a concurrent pytest run can make private again (the server may run as
    another user)."""
    root = Path(tempfile.mkdtemp(prefix="interlude-pg-outage-"))
    port = free_port()
    server = start_postgres(root / "pg", port=port, fsync=False)
    try:
        yield root / "pg", port
    finally:
        PostgresServer(root / "pg", port, server.run_as).stop()
        shutil.rmtree(root, ignore_errors=True)


def counting_app(dsn: str) -> FastAPI:
    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        app.state.pool = await create_pool(dsn, max_size=2)
        try:
            yield
        finally:
            await app.state.pool.close()

    app = create_app("counting", lifespan=lifespan)

    @app.get("/count")
    async def count() -> dict[str, Any]:
        return {"count": await app.state.pool.fetchval("SELECT 1")}

    return app


@pytest.mark.slow
async def test_requests_answer_503_while_postgres_is_gone_and_recover_when_it_returns(
        own_postgres: tuple[Path, int]) -> None:
    data_dir, port = own_postgres
    app = counting_app(f"postgresql://postgres@127.0.0.1:{port}/postgres")
    async with app.router.lifespan_context(app), httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="http://counting.test") as client:
        assert (await client.get("/count")).json() == {"count": 1}

        postmaster = int((data_dir / "postmaster.pid").read_text().split()[0])
        os.kill(postmaster, signal.SIGKILL)  # the server this test started, by its PID
        # a backend may answer one more query before it notices its postmaster is gone
        first = await client.get("/count")
        for _ in range(50):
            if first.status_code != 200:
                break
            await asyncio.sleep(0.05)
            first = await client.get("/count")
        answers = [first, *[await client.get("/count") for _ in range(2)]]  # in use, refused
        for answer in answers:
            assert answer.status_code == 503, answer.text
            assert answer.headers["Retry-After"].isdigit()
            assert answer.json()["type"] == "urn:interlude:problem:unavailable"

        for _ in range(100):  # backends go with their postmaster; the old lock file stays
            try:
                start_postgres(data_dir, port=port, fsync=False)
                break
            except RuntimeError:
                await asyncio.sleep(0.2)
        back = None
        for _ in range(50):
            back = await client.get("/count")
            if back.status_code == 200:
                break
            await asyncio.sleep(0.2)
        assert back is not None and back.json() == {"count": 1}, back.text if back else None
