"""When to restart a child that died, and how to say so.

A child that dies is started again after a delay that doubles with every end in a row
(0.5 s, 1 s, 2 s ... 30 s) and falls back to the first once the child has stayed up a while,
so one crash costs half a second and a crash loop does not spin the machine. What is said
tells a crash (a non-zero exit status, a fault's signal) from a child stopped by a signal from
outside the stack, or one that exited by itself.
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


# signals a process's own fault raises: its end is a crash, as a non-zero exit status is
FAULTS = frozenset({signal.SIGSEGV, signal.SIGABRT, signal.SIGBUS, signal.SIGFPE, signal.SIGILL})


def _signal(number: int) -> str:
    try:
        return signal.Signals(number).name
    except ValueError:
        return f"signal {number}"


def crashed(returncode: int | None) -> bool:
    """Whether a child's end was a crash: a non-zero exit status, or a signal its own fault
    raised (SIGSEGV, SIGABRT...). An exit with status 0 is not, nor a signal sent to it
    (SIGTERM, SIGKILL: from outside, since the stack stops its children only when it stops),
    nor an end whose status we cannot see (PostgreSQL's postmaster is not our child)."""
    if returncode is None:
        return False
    return returncode > 0 or (returncode < 0 and -returncode in FAULTS)


def why_down(returncode: int | None) -> str:
    """What the restart line says brought the child down: ``it crashed (exit status 3)``,
    ``it exited by itself (exit status 0)``, ``it was stopped by SIGTERM from outside the
    stack``..."""
    if returncode is None:
        return "it stopped"
    if returncode >= 0:
        how = "crashed" if returncode else "exited by itself"
        return f"it {how} (exit status {returncode})"
    if crashed(returncode):
        return f"it crashed ({_signal(-returncode)})"
    return f"it was stopped by {_signal(-returncode)} from outside the stack"


def how_it_ended(returncode: int | None) -> str:
    """``exited with code 3``, ``was killed by SIGKILL``, or, for a process that is not our
    child (PostgreSQL's postmaster), that it is gone."""
    if returncode is None:
        return "is no longer running"
    if returncode < 0:
        return f"was killed by {_signal(-returncode)}"
    return f"exited with code {returncode}"
