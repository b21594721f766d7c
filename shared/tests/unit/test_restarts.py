"""The supervisor's restart pauses: doubling per crash in a row, capped, forgiven after a child
stays up; and how a death is described: a crash, a stop by a signal from outside the stack, an
exit by the child itself, each said as what it was."""

from __future__ import annotations

import io
import signal
import sys
import time
from pathlib import Path

import pytest

from interlude.shared.stack.process import Child, spawn
from interlude.shared.stack.restarts import Backoff, crashed, how_it_ended, why_down
from interlude.shared.stack.settings import StackSettings
from interlude.shared.stack.supervisor import Stack


def test_pauses_double_per_crash_up_to_the_ceiling() -> None:
    backoff = Backoff(first=0.5, ceiling=4.0, stable_after=30.0)
    backoff.started(0.0)
    waits = []
    for n in range(6):
        waits.append(backoff.crashed(n + 1.0))
        backoff.started(n + 1.0 + waits[-1])
    assert waits == [0.5, 1.0, 2.0, 4.0, 4.0, 4.0]
    assert backoff.looping and backoff.crashes == 6


def test_a_child_that_stayed_up_a_while_starts_over_at_the_first_pause() -> None:
    backoff = Backoff(first=0.5, stable_after=30.0)
    backoff.started(0.0)
    assert backoff.crashed(1.0) == 0.5
    backoff.started(1.5)
    assert backoff.crashed(2.0) == 1.0
    backoff.started(3.0)
    assert backoff.crashed(100.0) == 0.5  # up 97 s: this crash is a first one again
    assert backoff.crashes == 1 and not backoff.looping


def test_deaths_are_told_by_exit_code_or_signal() -> None:
    assert how_it_ended(3) == "exited with code 3"
    assert how_it_ended(-9) == "was killed by SIGKILL"
    assert how_it_ended(None) == "is no longer running"


@pytest.mark.parametrize(("returncode", "why", "crash"), [
    (3, "it crashed (exit status 3)", True),
    (0, "it exited by itself (exit status 0)", False),
    (-signal.SIGTERM, "it was stopped by SIGTERM from outside the stack", False),
    (-signal.SIGKILL, "it was stopped by SIGKILL from outside the stack", False),
    (-signal.SIGSEGV, "it crashed (SIGSEGV)", True),
    (-signal.SIGABRT, "it crashed (SIGABRT)", True),
    (None, "it stopped", False),
])
def test_a_crash_is_told_from_a_stop_by_a_signal_and_an_exit(returncode: int | None, why: str,
                                                             crash: bool) -> None:
    assert (why_down(returncode), crashed(returncode)) == (why, crash)


def _ended(tmp_path: Path, name: str, code: str, sig: int | None = None) -> Child:
    child = spawn(name, [sys.executable, "-c", code], tmp_path / f"{name}.log")
    if sig is not None:
        time.sleep(0.2)  # the interpreter up: the signal ends it, not its start-up
        child.process.send_signal(sig)
    child.process.wait(timeout=10)
    return child


def test_the_restart_line_says_what_brought_the_child_down(tmp_path: Path) -> None:
    # found by a newcomer: "restarting X in 1.0s (crash 1 in a row)" after a SIGTERM
    out = io.StringIO()
    stack = Stack(StackSettings(data_dir=tmp_path), [], out=out)
    children = [_ended(tmp_path, "termed", "import time; time.sleep(30)", signal.SIGTERM),
                _ended(tmp_path, "done", "print('nothing left to do')"),
                _ended(tmp_path, "broken", "raise SystemExit(3)")]
    for child in children:
        stack._crashed(child, time.monotonic())
    lines = [line for line in out.getvalue().splitlines() if "restarting" in line]
    assert lines == [
        "▸ restarting termed in 0.5s: it was stopped by SIGTERM from outside the stack",
        "▸ restarting done in 0.5s: it exited by itself (exit status 0)",
        "▸ restarting broken in 0.5s: it crashed (exit status 3)"]


def test_a_loop_of_crashes_is_a_crash_loop_and_a_loop_of_stops_is_not(tmp_path: Path) -> None:
    out = io.StringIO()
    stack = Stack(StackSettings(data_dir=tmp_path), [], out=out)
    for _ in range(3):  # each down again at once after its restart
        for name, code, sig in (("termed", "import time; time.sleep(30)", signal.SIGTERM),
                                ("broken", "raise SystemExit(3)", None)):
            stack._crashed(_ended(tmp_path, name, code, sig), time.monotonic())
            stack.backoffs[name].started(time.monotonic())
    said = out.getvalue()
    assert "✗ termed keeps going down: 3 times in a row" in said
    assert "✗ broken keeps crashing: 3 times in a row" in said
    assert "termed keeps crashing" not in said
    assert ("▸ restarting termed in 2.0s: it was stopped by SIGTERM from outside the stack, "
            "3 times in a row") in said
