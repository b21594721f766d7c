"""A worker's background loop (audit's checkpoint signer) that fails while NATS or PostgreSQL
is away is started again, instead of dying silently while the worker runs on without it."""

from typing import Any

import nats.errors

from interlude.shared.worker import keep_running


async def test_a_failing_background_task_is_started_again_until_it_succeeds() -> None:
    calls: list[int] = []

    async def flaky(_platform: Any) -> None:
        calls.append(len(calls))
        if len(calls) < 3:
            raise nats.errors.ConnectionClosedError

    await keep_running(flaky, platform=None, first=0.01)  # type: ignore[arg-type]
    assert calls == [0, 1, 2]
