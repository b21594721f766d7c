"""The embedded stack as one supervised process tree: start, watch, stop.

Children run in their own sessions, so Ctrl-C in the terminal reaches only the supervisor,
which then stops them in reverse order, each by the PID it started (PostgreSQL with
``pg_ctl -m fast stop``). Signals only set a flag; the start-up checks it between steps, so a
child being started is never orphaned.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TextIO

from interlude.shared.config import PlatformSettings
from interlude.shared.service import ServiceSpec
from interlude.shared.stack import provision
from interlude.shared.stack.nats import NatsServer, start_nats, users_for
from interlude.shared.stack.postgres import SYSTEM_USER, PostgresServer, start_postgres
from interlude.shared.stack.process import Child, spawn, wait_http_ok
from interlude.shared.stack.settings import PREFIX, StackSettings


class Shutdown(Exception):
    """A stop was asked for (Ctrl-C, SIGTERM, SIGHUP)."""


def shown(path: Path) -> str:
    """``path`` relative to the current folder when it is inside it: shorter messages."""
    with contextlib.suppress(ValueError):
        return str(path.resolve().relative_to(Path.cwd()))
    return str(path)


class Stack:
    """nats-server, PostgreSQL and every service, started in order and stopped in reverse."""

    def __init__(self, settings: StackSettings, specs: list[ServiceSpec], out: TextIO = sys.stdout,
                 on_change: Callable[[dict[str, int]], None] = lambda pids: None) -> None:
        self.settings, self.specs, self.out, self.on_change = settings, specs, out, on_change
        self.data = settings.data_dir
        self.logs = self.data / "logs"
        self.master_key = self.data / "secrets" / "master.key"
        self.started: list[Child | PostgresServer] = []
        self.nats: NatsServer | None = None
        self.pg: PostgresServer | None = None
        self.databases: dict[str, provision.ServiceDatabase] = {}
        self.logins: list[provision.Login] = []
        self.stop_signal: str | None = None

    def write(self, text: str) -> None:
        # a closed terminal must not stop us from stopping the children
        with contextlib.suppress(OSError, ValueError):
            self.out.write(text)
            self.out.flush()

    def say(self, line: str) -> None:
        self.write(line + "\n")

    @contextlib.contextmanager
    def step(self, what: str) -> Iterator[list[str]]:
        """Print ``▸ what … ok 0.2s (notes)`` on one line, or ``failed``."""
        self.write(f"▸ {what} … ")
        notes: list[str] = []
        begun = time.monotonic()
        try:
            yield notes
        except BaseException:
            self.say(f"failed {time.monotonic() - begun:.1f}s")
            raise
        extra = f" ({'; '.join(notes)})" if notes else ""
        self.say(f"ok {time.monotonic() - begun:.1f}s{extra}")

    def handle_signals(self) -> None:
        def request_stop(signum: int, _frame: object) -> None:
            self.stop_signal = signal.Signals(signum).name

        for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
            signal.signal(sig, request_stop)

    def checkpoint(self) -> None:
        if self.stop_signal:
            raise Shutdown(self.stop_signal)

    def _started(self, item: Child | PostgresServer) -> None:
        if item not in self.started:
            self.started.append(item)
        pids = {c.name: c.pid for c in self.started if isinstance(c, Child)}
        if self.pg is not None and (pid := self.pg.pid()) is not None:
            pids["postgres"] = pid
        self.on_change(pids)

    def start(self) -> None:
        s = self.settings
        with self.step(f"starting nats-server on 127.0.0.1:{s.nats_port} "
                       f"(JetStream, data in {shown(self.data / 'nats')})"):
            self.nats = start_nats(self.data / "nats", port=s.nats_port,
                                   monitor_port=s.nats_monitor_port, sync_always=s.nats_sync_always,
                                   users=users_for(self.specs, self.data / "secrets"))
            self._started(self.nats.child)
        self.checkpoint()
        with self.step(f"starting PostgreSQL on 127.0.0.1:{s.pg_port} "
                       f"(fsync on, data in {shown(self.data / 'postgres')})"):
            # registered before it starts: an interrupted pg_ctl may still leave a server running
            self.pg = PostgresServer(self.data / "postgres", s.pg_port,
                                     SYSTEM_USER if os.geteuid() == 0 else None,
                                     provision.superuser_password(self.data / "secrets"))
            self.started.append(self.pg)
            start_postgres(self.pg.data_dir, port=s.pg_port, log_path=self.logs / "postgres.log",
                           password=self.pg.password)
            self._started(self.pg)
        self.checkpoint()
        self.provision()
        for spec in self.specs:
            self.start_service(spec)
        for spec in self.specs:
            self.seed(spec)
        self.checkpoint()

    def provision(self) -> None:
        assert self.nats is not None and self.pg is not None
        with self.step("ensuring the JetStream streams") as notes:
            notes.append(", ".join(asyncio.run(provision.provision_streams(self.nats))))
        with self.step(f"master secret in {shown(self.master_key)}") as notes:
            notes.append("created" if provision.ensure_master_secret(self.master_key) else "kept")
        for spec in self.specs:
            name = provision.database_name(spec.name)
            runs_as = f", runs as {spec.app_role}" if spec.app_role else ""
            with self.step(f"database {name} owned by role {spec.name}{runs_as}, "
                           "migrations") as notes:
                db = asyncio.run(provision.provision_database(self.pg, spec, self.data / "secrets"))
                notes.append(f"{len(db.migrations_applied)} applied now")
            self.databases[spec.name] = db
            self.checkpoint()

    def service_env(self, spec: ServiceSpec) -> dict[str, str]:
        assert self.nats is not None
        urls = {f"{PREFIX}{s.name.upper().replace('-', '_')}_URL": self.api_url(s)
                for s in self.specs if s.api}
        return {**urls, "PYTHONUNBUFFERED": "1", f"{PREFIX}SERVICE_NAME": spec.name,
                f"{PREFIX}NATS_URL": self.nats.url, **self.nats.env_for(spec.name),
                f"{PREFIX}DATABASE_URL": self.databases[spec.name].runtime_dsn,
                f"{PREFIX}MASTER_SECRET_FILE": str(self.master_key.resolve()), **spec.extra_env}

    def api_url(self, spec: ServiceSpec) -> str:
        return f"http://127.0.0.1:{self.settings.service_port(spec)}"

    def start_service(self, spec: ServiceSpec) -> None:
        env = self.service_env(spec)
        if spec.api:
            log = self.logs / f"{spec.name}-api.log"
            with self.step(f"starting {spec.name} API on {self.api_url(spec)} (log {shown(log)})"):
                child = spawn(f"{spec.name}-api", [
                    sys.executable, "-m", "uvicorn", "--factory", spec.api, "--host", "127.0.0.1",
                    "--port", str(self.settings.service_port(spec))], log, env)
                self._started(child)
                wait_http_ok(f"{self.api_url(spec)}/healthz", child, timeout=60)
            self.checkpoint()
        if spec.worker:
            log = self.logs / f"{spec.name}-worker.log"
            with self.step(f"starting {spec.name} worker (log {shown(log)})"):
                self._started(spawn(f"{spec.name}-worker", [sys.executable, "-m", spec.worker],
                                    log, env))
            self.checkpoint()

    def seed(self, spec: ServiceSpec) -> None:
        """Run the demo seed once per data folder; its logins are kept to show on every run."""
        marker = self.data / "seeds" / f"{spec.name}.json"
        if spec.seed and not marker.exists():
            assert self.nats is not None
            with self.step(f"seeding {spec.name} demo data"):
                settings = PlatformSettings(
                    service_name=spec.name, nats_url=self.nats.url,
                    **self.nats.settings_for(spec.name),  # type: ignore[arg-type]
                    database_url=self.databases[spec.name].dsn,
                    master_secret_file=self.master_key.resolve())
                provision.seed_once(spec.seed, settings, marker)
        if marker.exists():
            self.logins += provision.seeded_logins(marker)

    def dead(self) -> tuple[str, str, Path | None] | None:
        """The first child that is no longer running: (what, how it ended, its log)."""
        for item in self.started:
            if isinstance(item, Child) and not item.alive():
                how = f"exited with code {item.process.returncode}"
                return f"{item.name} (PID {item.pid})", how, item.log_path
            if isinstance(item, PostgresServer) and not pid_alive(item.pid()):
                return "PostgreSQL", "is no longer running", self.logs / "postgres.log"
        return None

    def supervise(self, poll: float = 0.2) -> int:
        """Watch the children until a signal (0) or until one of them dies (1)."""
        while not self.stop_signal:
            if (dead := self.dead()) is not None:
                what, how, log = dead
                self.say(f"✗ {what} {how}; the last lines of {shown(log) if log else 'its log'}:")
                if log is not None and log.exists():
                    self.say("\n".join(log.read_text(errors="replace").splitlines()[-20:]))
                return 1
            time.sleep(poll)
        return 0

    def stop(self) -> None:
        """Stop everything we started, newest first; carry on past a child that will not stop."""
        for item in reversed(self.started):
            pid: int | None
            if isinstance(item, Child):
                name, pid, how, alive = item.name, item.pid, "", item.alive()
            else:
                name, pid, how = "PostgreSQL", item.pid(), "pg_ctl -m fast stop, "
                alive = pid_alive(pid)
            if not alive:
                self.say(f"▸ {name} (PID {pid}) is not running")
                continue
            try:
                with self.step(f"stopping {name} ({how}PID {pid})"):
                    item.stop()
            except Exception as error:
                self.say(f"  {error}")
        self.started.clear()


def pid_alive(pid: int | None) -> bool:
    if pid is None:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
