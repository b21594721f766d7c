"""notify's worker: the composition root of its consumers, in two processes.

This process tells: people and the reactions to identity's events; contracts, reactions and
reminders from engagement; spaces and reactions from community (each keeping the inbox rows
of what it tells). Its child (the same module with ``INTERLUDE_NOTIFY_SIDE=outbound``)
follows notify's own stream and delivers: the inbox's consumer (reads, rebuilds), the
outbound consumers and the senders (e-mail, webhooks, the events they owe). Apart, a slow
mail server or a burst of e-mail never holds up the live inbox, and each side has a core of
its own. The child is started, and started again should it exit, by this process, and dies
with it (``PR_SET_PDEATHSIG``), so whoever runs ``python -m interlude.notify.worker`` (the
stack, a Kubernetes pod) still runs one command."""

from __future__ import annotations

import asyncio
import contextlib
import ctypes
import os
import signal
import sys

from interlude.notify import outbound  # outbound
from interlude.notify.settings import NotifySettings
from interlude.notify.wiring import (
    MIGRATIONS,
    ensure_sources,
    following_runners,
    runners,
    telling_runners,
)
from interlude.shared import worker
from interlude.shared.runtime import Platform

SIDE = "INTERLUDE_NOTIFY_SIDE"
PR_SET_PDEATHSIG = 1


def _die_with_parent() -> None:
    """In the child, before it runs: the kernel kills it when this process dies, however."""
    ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGKILL)


async def delivering(_platform: Platform) -> None:
    """The outbound side in its own process, for as long as this one runs; its exit is a
    failure, which the worker's ``keep_running`` answers by starting it again."""
    child = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "interlude.notify.worker", env={**os.environ, SIDE: "outbound"},
        stdin=asyncio.subprocess.DEVNULL, preexec_fn=_die_with_parent)
    try:
        code = await child.wait()
    except asyncio.CancelledError:
        with contextlib.suppress(ProcessLookupError):
            child.terminate()
        try:
            async with asyncio.timeout(15):
                await child.wait()
        except TimeoutError:
            child.kill()
            await child.wait()
        raise
    raise RuntimeError(f"notify's outbound process exited with code {code}")


def main() -> None:
    if os.environ.get(SIDE) == "outbound":
        worker.main(NotifySettings(), following_runners, MIGRATIONS, prepare=ensure_sources,
                    background=outbound.background)
        return
    worker.main(NotifySettings(), telling_runners, MIGRATIONS, prepare=ensure_sources,
                background=delivering, every_runner=runners)


if __name__ == "__main__":
    main()
