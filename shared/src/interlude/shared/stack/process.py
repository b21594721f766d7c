"""A child process we started, stopped by its PID and nothing else."""

from __future__ import annotations

import contextlib
import ctypes
import os
import signal
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path


@dataclass
class Child:
    """A running child process with a name for messages and a log file."""

    name: str
    process: subprocess.Popen[bytes]
    log_path: Path | None = None
    extra: dict[str, str] = field(default_factory=dict)
    log_start: int = 0  # where this run's output begins in the log (earlier runs come before)

    @property
    def pid(self) -> int:
        return self.process.pid

    def alive(self) -> bool:
        return self.process.poll() is None

    def stop(self, timeout: float = 10.0, sig: int = signal.SIGTERM) -> None:
        """Signal our own child, wait, and SIGKILL it if it will not go."""
        if not self.alive():
            return
        try:
            os.kill(self.pid, sig)
            self.process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.kill(self.pid, signal.SIGKILL)
            self.process.wait(timeout=timeout)
        except ProcessLookupError:
            pass

    def kill(self) -> None:
        """SIGKILL, as a crash would: used by fault tests."""
        if self.alive():
            os.kill(self.pid, signal.SIGKILL)
            self.process.wait(timeout=10)

    def log_tail(self, lines: int = 20) -> str:
        """The last ``lines`` this run of the child wrote to its log."""
        if self.log_path is None or not self.log_path.exists():
            return ""
        with self.log_path.open("rb") as log:
            log.seek(self.log_start)
            text = log.read().decode(errors="replace")
        return "\n".join(text.splitlines()[-lines:])


PR_SET_PDEATHSIG = 1  # prctl(2): the signal a process gets when the thread that forked it dies


def die_with_parent() -> Callable[[], None] | None:
    """For ``Popen(preexec_fn=...)``: the child gets SIGTERM when we die, even by SIGKILL,
    which no handler of ours sees (Linux only; None elsewhere). Tied to the thread that
    forks: only a process that starts its children from its main thread may use it."""
    if not sys.platform.startswith("linux"):
        return None
    parent = os.getpid()

    def arm() -> None:
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGTERM)
        if os.getppid() != parent:  # we died between the fork and the line above
            os.kill(os.getpid(), signal.SIGTERM)

    return arm


def spawn(name: str, argv: list[str], log_path: Path, env: dict[str, str] | None = None,
          *, with_parent: bool = False) -> Child:
    """Start ``argv`` with stdout and stderr appended to ``log_path``; ``with_parent``: it
    stops when we die, however we die (:func:`die_with_parent`)."""
    log_path.parent.mkdir(parents=True, exist_ok=True)
    with log_path.open("ab") as log:
        start = log.tell()
        proc = subprocess.Popen(
            argv,
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            env={**os.environ, **(env or {})},
            start_new_session=True,  # Ctrl-C in the terminal reaches only the supervisor
            preexec_fn=die_with_parent() if with_parent else None,
        )
    return Child(name=name, process=proc, log_path=log_path, log_start=start)


def wait_http_ok(url: str, child: Child, timeout: float = 30.0) -> None:
    """Poll ``url`` until it answers 200; fail early, with the log, if the child dies."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not child.alive():
            raise RuntimeError(f"{child.name} exited during start-up:\n{child.log_tail()}")
        try:
            with urllib.request.urlopen(url, timeout=1) as resp:
                if resp.status == 200:
                    return
        except OSError:
            pass
        time.sleep(0.05)
    child.stop()
    raise RuntimeError(f"{child.name} was not healthy within {timeout:.0f}s:\n{child.log_tail()}")


def pid_alive(pid: int | None) -> bool:
    """True while ``pid`` runs. A zombie does not: PostgreSQL's postmaster is not our child,
    and where nobody reaps orphans a killed one would otherwise look alive for ever."""
    if pid is None:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    with contextlib.suppress(OSError, IndexError):
        stat = Path(f"/proc/{pid}/stat").read_text()
        return stat[stat.rindex(")") + 2] != "Z"
    return True


def stop_pid(pid: int, sig: int = signal.SIGTERM, timeout: float = 30.0) -> None:
    """Signal ``pid`` (a process we started that is not our child) unless it is gone already,
    and wait until it is."""
    if not pid_alive(pid):
        return
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, sig)
    deadline = time.monotonic() + timeout
    while pid_alive(pid):
        if time.monotonic() > deadline:
            raise RuntimeError(f"PID {pid} did not stop within {timeout:.0f}s")
        time.sleep(0.05)
