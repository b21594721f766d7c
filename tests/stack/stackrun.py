"""`interlude-stack run` as a real process, and what a test needs to reach the servers it
started: the data folder's secrets."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from interlude.shared.stack.ports import free_ports

ROOT = Path(__file__).resolve().parents[2]
READY = "Ctrl-C stops everything"


class StackRun:
    """`interlude-stack run` in a subprocess, its output collected by a thread."""

    def __init__(self, env: dict[str, str], command: str = "run") -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-m", "interlude.shared.stack.cli", command], cwd=ROOT, env=env,
            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        self.lines: list[str] = []
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self.lines.append(line)

    @property
    def output(self) -> str:
        return "".join(self.lines)

    def wait_for(self, text: str, timeout: float = 120) -> None:
        deadline = time.monotonic() + timeout
        while text not in self.output:
            if self.process.poll() is not None or time.monotonic() > deadline:
                self.stop()
                pytest.fail(f"no {text!r} from interlude-stack run:\n{self.output}")
            time.sleep(0.1)

    def interrupt(self, timeout: float = 20) -> int:
        """SIGINT to the PID we started, as Ctrl-C would; its exit code."""
        self.process.send_signal(signal.SIGINT)
        return self.process.wait(timeout=timeout)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
            self.process.wait(timeout=30)


def stack_env(data_dir: Path, services: str | None = "", **extra: str) -> dict[str, str]:
    """The environment of a run on free ports: ``services`` names those to start, ``""`` none,
    None every installed one, as `make run` does."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("INTERLUDE_")}
    names = ("NATS", "NATS_MONITOR", "PG")
    ports = {f"INTERLUDE_{name}_PORT": str(port) for name, port in zip(names, free_ports(3),
                                                                        strict=True)}
    chosen = {} if services is None else {"INTERLUDE_SERVICES": services}
    return {**env, **ports, **chosen, "INTERLUDE_DATA_DIR": str(data_dir),
            "PYTHONUNBUFFERED": "1", **extra}


def cli(env: dict[str, str], command: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "interlude.shared.stack.cli", command], cwd=ROOT,
                          env=env, stdin=subprocess.DEVNULL, capture_output=True, text=True,
                          timeout=60)


def secret(data: Path, name: str) -> str:
    """A password the stack generated: ``nats-<user>.password`` or the last field of
    ``<role>.pgpass``."""
    text = (data / "secrets" / name).read_text().strip()
    return text.rsplit(":", 1)[-1] if name.endswith(".pgpass") else text


def superuser_dsn(env: dict[str, str], data: Path, password: str | None = "") -> str:
    """The superuser's URL with its real password (``""``), another one, or none (None)."""
    password = secret(data, "postgres.pgpass") if password == "" else password
    auth = f"postgres:{password}" if password is not None else "postgres"
    return f"postgresql://{auth}@127.0.0.1:{env['INTERLUDE_PG_PORT']}/postgres"


def nats_url(env: dict[str, str]) -> str:
    return f"nats://127.0.0.1:{env['INTERLUDE_NATS_PORT']}"


def nats_login(data: Path, user: str = "stack") -> dict[str, str]:
    """``nats.connect`` keyword arguments for one of the stack's NATS users."""
    return {"user": user, "password": secret(data, f"nats-{user}.password")}
