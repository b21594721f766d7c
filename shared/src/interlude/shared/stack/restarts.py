"""When to restart a child that died, and how to say so.

A child that dies is started again after a delay that doubles with every crash in a row
(0.5 s, 1 s, 2 s ... 30 s) and falls back to the first once the child has stayed up a while,
so one crash costs half a second and a crash loop does not spin the machine.
"""

from __future__ import annotations

import signal
from dataclasses import dataclass


@dataclass
class Backoff:
    """The restart delays of one child."""

    first: float = 0.5
    ceiling: float = 30.0
    stable_after: float = 30.0  # up this long, the next crash counts as the first again
    loop_after: int = 3  # crashes in a row that we call a crash loop
    delay: float = 0.0
    crashes: int = 0  # in a row: without staying up ``stable_after`` in between
    started_at: float = 0.0

    def started(self, now: float) -> None:
        self.started_at = now

    def crashed(self, now: float) -> float:
        """Count a crash at ``now`` and answer how long to wait before the next start."""
        if self.crashes and now - self.started_at >= self.stable_after:
            self.crashes, self.delay = 0, 0.0
        self.crashes += 1
        self.delay = self.first if self.delay == 0 else min(self.delay * 2, self.ceiling)
        return self.delay

    @property
    def looping(self) -> bool:
        return self.crashes >= self.loop_after


def how_it_ended(returncode: int | None) -> str:
    """``exited with code 3``, ``was killed by SIGKILL``, or, for a process that is not our
    child (PostgreSQL's postmaster), that it is gone."""
    if returncode is None:
        return "is no longer running"
    if returncode < 0:
        try:
            return f"was killed by {signal.Signals(-returncode).name}"
        except ValueError:
            return f"was killed by signal {-returncode}"
    return f"exited with code {returncode}"
