"""`make stop` (``interlude-stack stop``, run as `make` runs it) on real processes: it asks a
run going on elsewhere to stop, stops what a killed run left running by the PIDs its data
folder recorded, and leaves alone a recorded PID that has since become some other program."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from interlude.shared.stack.process import pid_alive

# a process that says it is ours (its command line names interlude) and stops on SIGTERM
OURS = [sys.executable, "-c", "import time; time.sleep(120)  # interlude"]
OTHER = [sys.executable, "-c", "import time; time.sleep(120)  # someone else's"]


@pytest.fixture
def started() -> Iterator[list[subprocess.Popen[bytes]]]:
    """Processes this test starts, stopped by their PIDs whatever the test left."""
    processes: list[subprocess.Popen[bytes]] = []
    yield processes
    for process in processes:
        if process.poll() is None:
            process.kill()
        process.wait(timeout=10)


def start(argv: list[str], started: list[subprocess.Popen[bytes]]) -> subprocess.Popen[bytes]:
    process = subprocess.Popen(argv, stdin=subprocess.DEVNULL)
    started.append(process)
    deadline = time.monotonic() + 10
    while not Path(f"/proc/{process.pid}/cmdline").read_bytes():  # empty a moment after exec
        assert time.monotonic() < deadline
        time.sleep(0.01)
    return process


def gone_pid() -> int:
    process = subprocess.Popen([sys.executable, "-c", "pass"], stdin=subprocess.DEVNULL)
    process.wait(timeout=10)
    return process.pid


def record(data: Path, supervisor: int, children: dict[str, int]) -> None:
    """The pid file a run keeps in its data folder (its supervisor, then each child by name);
    written here as the run writes it, its module being measured only where it runs: in a
    process of its own."""
    lines = [str(supervisor), *(f"{name} {pid}" for name, pid in children.items())]
    (data / "stack.pid").write_text("\n".join(lines) + "\n")


def stack(data: Path, command: str, **settings: str) -> subprocess.CompletedProcess[str]:
    """``interlude-stack <command>`` on the data folder ``data``, as `make` runs it."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("INTERLUDE_")}
    return subprocess.run([sys.executable, "-m", "interlude.shared.stack.cli", command],
                          env={**env, "INTERLUDE_DATA_DIR": str(data), **settings},
                          stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=60)


def test_stop_stops_what_a_killed_run_left_and_nothing_else(
        tmp_path: Path, started: list[subprocess.Popen[bytes]]) -> None:
    api, worker, stranger = (start(OURS, started), start(OURS, started),
                             start(OTHER, started))
    record(tmp_path, gone_pid(), {"identity-api": api.pid,
                                                 "identity-worker": worker.pid,
                                                 "mail-sink": stranger.pid})
    stopped = stack(tmp_path, "stop")
    assert stopped.returncode == 0, stopped.stderr
    said = stopped.stdout
    assert f"stopping identity-api (PID {api.pid}) … ok" in said
    assert f"stopping identity-worker (PID {worker.pid}) … ok" in said
    assert api.wait(timeout=10) == -signal.SIGTERM and worker.wait(timeout=10) == -signal.SIGTERM
    assert pid_alive(stranger.pid) and str(stranger.pid) not in said  # not ours any more
    assert not (tmp_path / "stack.pid").exists()
    again = stack(tmp_path, "stop")
    assert again.returncode == 0 and "not running" in again.stdout


def test_stop_asks_a_run_going_on_elsewhere_to_stop_everything(
        tmp_path: Path, started: list[subprocess.Popen[bytes]]) -> None:
    supervisor = start(OURS, started)
    record(tmp_path, supervisor.pid, {})
    stopped = stack(tmp_path, "stop")
    assert stopped.returncode == 0, stopped.stderr
    assert f"asking the run of PID {supervisor.pid} to stop everything" in stopped.stdout
    assert supervisor.wait(timeout=10) == -signal.SIGTERM


def test_a_run_stops_what_a_killed_run_left_before_it_starts(
        tmp_path: Path, started: list[subprocess.Popen[bytes]]) -> None:
    """Then it carries on as usual: here it stops at the taken port it finds next."""
    worker = start(OURS, started)
    record(tmp_path, gone_pid(), {"identity-worker": worker.pid})
    holder = subprocess.Popen([sys.executable, "-c", "import socket, time; s = socket.socket();"
                               " s.bind(('127.0.0.1', 0)); s.listen(); print(s.getsockname()[1],"
                               " flush=True); time.sleep(120)"], stdout=subprocess.PIPE)
    started.append(holder)
    assert holder.stdout is not None
    port = int(holder.stdout.readline())
    holder.stdout.close()
    said = stack(tmp_path, "run", INTERLUDE_NATS_PORT=str(port), INTERLUDE_SERVICES="")
    assert said.returncode == 1
    assert "a previous run was killed before it could stop everything" in said.stdout
    assert f"stopping identity-worker (PID {worker.pid}) … ok" in said.stdout
    assert worker.wait(timeout=10) == -signal.SIGTERM
    assert "INTERLUDE_NATS_PORT" in said.stderr
