"""The embedded stack as one supervised process tree: start, watch, restart, stop.

Children run in their own sessions, so Ctrl-C in the terminal reaches only the supervisor,
which then stops them in reverse order, each by the PID it started (PostgreSQL with
``pg_ctl -m fast stop``). Signals only set a flag; the start-up checks it between steps, so a
child being started is never orphaned. Should the supervisor itself be killed (SIGKILL, the
out-of-memory killer), its children get SIGTERM from the kernel (``PR_SET_PDEATHSIG``) and
stop; PostgreSQL, which ``pg_ctl`` starts detached, is stopped by the next run (or
``make stop``), which finds it in the data folder.

A child that dies while the stack runs is started again, with backoff (:mod:`.restarts`), on
the same ports and data folders; the terminal says which, how it ended, the end of its log and
when it comes back. The others are left alone: services reconnect to a restarted nats-server
or PostgreSQL by themselves (nats-py reconnects without limit, projections recreate their
consumers, connection pools open new connections).
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
from interlude.shared.stack import mail, provision
from interlude.shared.stack.nats import NatsServer, start_nats, users_for
from interlude.shared.stack.ports import free_port
from interlude.shared.stack.postgres import SYSTEM_USER, PostgresServer, start_postgres
from interlude.shared.stack.process import Child, pid_alive, spawn, stop_pid, wait_http_ok
from interlude.shared.stack.restarts import Backoff, crashed, how_it_ended, why_down
from interlude.shared.stack.settings import PREFIX, StackSettings

Item = Child | PostgresServer
Recipe = Callable[[], Item]  # starts a child again, the same way as the first time


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
        self.started: list[Item] = []
        self.recipes: dict[str, Recipe] = {}
        self.backoffs: dict[str, Backoff] = {}
        self.restart_at: dict[str, float] = {}  # name -> when (monotonic) to start it again
        self.mail: mail.MailSink | None = None
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

    def _started(self, item: Item, recipe: Recipe | None = None) -> None:
        """Register a child (with how to start it again) and publish the PIDs."""
        if item not in self.started:
            self.started.append(item)
        if recipe is not None:
            self.recipes[name_of(item)] = recipe
        self.backoffs.setdefault(name_of(item), Backoff()).started(time.monotonic())
        self._publish_pids()

    def _publish_pids(self) -> None:
        pids = {c.name: c.pid for c in self.started if isinstance(c, Child)}
        if self.pg is not None and (pid := self.pg.pid()) is not None:
            pids["postgres"] = pid
        self.on_change(pids)

    def _start_nats(self) -> Child:
        s = self.settings
        self.nats = start_nats(self.data / "nats", port=s.nats_port,
                               monitor_port=s.nats_monitor_port, sync_always=s.nats_sync_always,
                               users=users_for(self.specs, self.data / "secrets"),
                               with_parent=True)
        return self.nats.child

    def _start_postgres(self) -> PostgresServer:
        assert self.pg is not None
        start_postgres(self.pg.data_dir, port=self.settings.pg_port,
                       log_path=self.logs / "postgres.log", password=self.pg.password)
        return self.pg

    def start(self) -> None:
        s = self.settings
        with self.step(f"starting nats-server on 127.0.0.1:{s.nats_port} "
                       f"(JetStream, data in {shown(self.data / 'nats')})"):
            self._started(self._start_nats(), self._start_nats)
        self.checkpoint()
        with self.step(f"starting PostgreSQL on 127.0.0.1:{s.pg_port} "
                       f"(fsync on, data in {shown(self.data / 'postgres')})"):
            # registered before it starts: an interrupted pg_ctl may still leave a server running
            self.pg = PostgresServer(self.data / "postgres", s.pg_port,
                                     SYSTEM_USER if os.geteuid() == 0 else None,
                                     provision.superuser_password(self.data / "secrets"))
            self.started.append(self.pg)
            self._started(self._start_postgres(), self._start_postgres)
        self.checkpoint()
        self.start_mail()
        self.checkpoint()
        self.provision()
        for spec in self.specs:
            self.start_service(spec)
        for spec in self.specs:
            self.seed(spec)
        self.checkpoint()

    def start_mail(self) -> None:
        """The mail sink the services send e-mail to: every message a file under ``mail/``."""
        self.mail = mail.MailSink(self.data / "mail", self.settings.smtp_port or free_port())
        log = self.logs / "mail-sink.log"
        with self.step(f"starting the mail sink on 127.0.0.1:{self.mail.port} (e-mails kept "
                       f"in {shown(self.mail.folder)}/, log {shown(log)})"):
            self._started(self._start_mail(), self._start_mail)

    def _start_mail(self) -> Child:
        assert self.mail is not None
        child = spawn("mail-sink", [sys.executable, "-m", "interlude.shared.stack.mail",
                                    "--dir", str(self.mail.folder), "--port",
                                    str(self.mail.port)], self.logs / "mail-sink.log",
                      with_parent=True)
        mail.wait_listening(self.mail.port, child)
        return child

    def provision(self) -> None:
        assert self.nats is not None and self.pg is not None
        with self.step("ensuring the JetStream streams") as notes:
            notes.append(", ".join(asyncio.run(provision.provision_streams(self.nats))))
        with self.step(f"master secret in {shown(self.master_key)}") as notes:
            notes.append("created" if provision.ensure_master_secret(self.master_key) else "kept")
        for spec in self.specs:
            if spec.migrations is None:  # keeps no tables (web): no database of its own
                continue
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
                **({f"{PREFIX}DATABASE_URL": self.databases[spec.name].runtime_dsn}
                   if spec.name in self.databases else {}),
                f"{PREFIX}MASTER_SECRET_FILE": str(self.master_key.resolve()),
                **(self.mail.env() if self.mail is not None else {}), **spec.extra_env}

    def api_url(self, spec: ServiceSpec) -> str:
        return f"http://127.0.0.1:{self.settings.service_port(spec)}"

    def start_service(self, spec: ServiceSpec) -> None:
        if spec.api:
            log = self.logs / f"{spec.name}-api.log"
            what = "front end" if spec.migrations is None and spec.worker is None else "API"
            with self.step(f"starting {spec.name} {what} on {self.api_url(spec)}"
                           f" (log {shown(log)})"):
                child = self._spawn_api(spec)
                self._started(child, lambda: self._spawn_api(spec))
                wait_http_ok(f"{self.api_url(spec)}/healthz", child, timeout=60)
            self.checkpoint()
        if spec.worker:
            log = self.logs / f"{spec.name}-worker.log"
            with self.step(f"starting {spec.name} worker (log {shown(log)})"):
                self._started(self._spawn_worker(spec), lambda: self._spawn_worker(spec))
            self.checkpoint()

    def _spawn_api(self, spec: ServiceSpec) -> Child:
        return spawn(f"{spec.name}-api", [
            sys.executable, "-m", "uvicorn", "--factory", str(spec.api), "--host", "127.0.0.1",
            "--port", str(self.settings.service_port(spec))],
            self.logs / f"{spec.name}-api.log", self.service_env(spec), with_parent=True)

    def _spawn_worker(self, spec: ServiceSpec) -> Child:
        return spawn(f"{spec.name}-worker", [sys.executable, "-m", str(spec.worker)],
                     self.logs / f"{spec.name}-worker.log", self.service_env(spec),
                     with_parent=True)

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

    def supervise(self, poll: float = 0.2) -> int:
        """Watch the children until a signal (then 0), restarting any that dies."""
        while not self.stop_signal:
            now = time.monotonic()
            for item in list(self.started):
                if name_of(item) not in self.restart_at and not alive(item):
                    self._crashed(item, now)
            for name, due in sorted(self.restart_at.items(), key=lambda kv: kv[1]):
                if due <= now and not self.stop_signal:
                    self._restart(name)
            time.sleep(poll)
        return 0

    def _crashed(self, item: Item, now: float) -> None:
        """Say which child died, how, and the end of its log; schedule its restart."""
        name = name_of(item)
        if isinstance(item, Child):
            code = item.process.returncode
            what, how = f"{name} (PID {item.pid})", how_it_ended(code)
            log, tail = item.log_path, item.log_tail()
        else:
            code, what, how = None, "PostgreSQL", how_it_ended(None)
            log = self.logs / "postgres.log"
            tail = "\n".join(log.read_text(errors="replace").splitlines()[-20:]) \
                if log.exists() else ""
        self.say(f"✗ {what} {how}; the last lines of {shown(log) if log else 'its log'}:")
        self.say("\n".join(f"    {line}" for line in tail.splitlines()) or "    (nothing)")
        self._schedule(name, now, why_down(code), crashed(code))

    def _schedule(self, name: str, now: float, why: str, crash: bool) -> None:
        backoff = self.backoffs.setdefault(name, Backoff())
        wait = backoff.crashed(now)
        if backoff.looping:
            keeps = "keeps crashing" if crash else "keeps going down"
            self.say(f"✗ {name} {keeps}: {backoff.crashes} times in a row, never up "
                     f"{backoff.stable_after:.0f}s; its log above says why. Retrying with "
                     f"growing pauses (at most {backoff.ceiling:.0f}s); Ctrl-C stops everything")
        again = f", {backoff.crashes} times in a row" if backoff.crashes > 1 else ""
        self.say(f"▸ restarting {name} in {wait:.1f}s: {why}{again}")
        self.restart_at[name] = now + wait

    def _restart(self, name: str) -> None:
        """Start ``name`` again as the first time: same command, ports and data folder."""
        del self.restart_at[name]
        index = next(i for i, item in enumerate(self.started) if name_of(item) == name)
        self.backoffs[name].started(time.monotonic())  # a start that fails is a crash in a row
        try:
            with self.step(f"restarting {name}") as notes:
                item = self.recipes[name]()
                self.started[index] = item
                self._publish_pids()
                notes.append(f"PID {item.pid if isinstance(item, Child) else item.pid()}")
        except Exception as error:  # it failed to start: another crash, a longer pause
            self.say("\n".join(f"    {line}" for line in str(error).splitlines()[-20:]))
            self._schedule(name, time.monotonic(), "it failed to start", crash=True)

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
                    if isinstance(item, PostgresServer) and pid is not None:
                        # pg_ctl can fail quietly (its data folder unreadable to the server's
                        # user by then, say): then the postmaster's own fast shutdown
                        stop_pid(pid, signal.SIGINT)
            except Exception as error:
                self.say(f"  {error}")
        self.started.clear()


def name_of(item: Item) -> str:
    """The name a child goes by in messages and in the pid file."""
    return item.name if isinstance(item, Child) else "postgres"


def alive(item: Item) -> bool:
    return item.alive() if isinstance(item, Child) else pid_alive(item.pid())
