"""What the services need before they start: a database and a role each, their migrations
applied, the JetStream streams, and the master secret. Every step is idempotent, so running
the stack again on an existing data folder changes nothing that is already there.

A service whose spec asks for a runtime role (audit) also gets ``<service>_app``, a login role
of its own that the API and the worker use: it has only what the service's migrations grant
it, while the owner role runs the migrations.
"""

from __future__ import annotations

import asyncio
import importlib
import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import asyncpg
import nats

from interlude.shared.config import PlatformSettings
from interlude.shared.db import migrate, quote_ident
from interlude.shared.eventstore.jetstream import JetStreamEventStore
from interlude.shared.eventstore.streams import DEADLETTER, all_streams, ensure_streams
from interlude.shared.sealing.jetstream_keys import open_key_store
from interlude.shared.sealing.master import load_or_create_master_secret
from interlude.shared.service import ServiceSpec
from interlude.shared.stack.nats import ADMIN, NatsServer
from interlude.shared.stack.postgres import SUPERUSER, PostgresServer
from interlude.shared.stack.secrets import pgpass_password, write_private

Login = tuple[str, str, str]  # (role, login, password) of a demo user


@dataclass(frozen=True)
class ServiceDatabase:
    """A service's own database, the login role that owns it, and the role its processes log
    in as (the owner unless the service has a runtime role)."""

    service: str
    role: str
    database: str
    dsn: str
    migrations_applied: tuple[str, ...] = ()
    app_role: str | None = None
    app_dsn: str | None = None

    @property
    def runtime_dsn(self) -> str:
        """What the service's API and worker connect with."""
        return self.app_dsn or self.dsn


def role_password(secrets_dir: Path, service: str, role: str | None = None) -> str:
    """The password of ``role`` (the service's own by default) on the service's database,
    generated once and kept as a pgpass line in ``<role>.pgpass``."""
    role = role or service
    return pgpass_password(secrets_dir / f"{role}.pgpass", database_name(service), role)


def superuser_password(secrets_dir: Path) -> str:
    """The PostgreSQL superuser's password, generated once into ``postgres.pgpass``."""
    return pgpass_password(secrets_dir / f"{SUPERUSER}.pgpass", "*", SUPERUSER)


def database_name(service: str) -> str:
    return f"interlude_{service}"


async def ensure_login_role(admin: asyncpg.Connection, role: str, password: str) -> None:
    """Create the login role, or give it its password again."""
    name = quote_ident(role)
    literal = "'" + password.replace("'", "''") + "'"  # utility statements take no parameters
    if await admin.fetchval("SELECT 1 FROM pg_roles WHERE rolname = $1", role):
        await admin.execute(f"ALTER ROLE {name} WITH LOGIN PASSWORD {literal}")
    else:
        await admin.execute(f"CREATE ROLE {name} WITH LOGIN PASSWORD {literal}")


async def ensure_role_and_database(admin: asyncpg.Connection, service: str, password: str) -> None:
    """Create the login role and the database it owns, or bring them up to date."""
    role, database = quote_ident(service), quote_ident(database_name(service))
    await ensure_login_role(admin, service, password)
    if not await admin.fetchval("SELECT 1 FROM pg_database WHERE datname = $1",
                                database_name(service)):
        await admin.execute(f"CREATE DATABASE {database} OWNER {role}")
    await admin.execute(f"REVOKE CONNECT ON DATABASE {database} FROM PUBLIC")


async def ensure_app_role(admin: asyncpg.Connection, service: str, app_role: str,
                          password: str) -> None:
    """The login role the service's processes use: it may connect, and the owner may hand it
    tables (a member may); what else it may do, the service's migrations grant."""
    await ensure_login_role(admin, app_role, password)
    database = quote_ident(database_name(service))
    await admin.execute(f"GRANT CONNECT ON DATABASE {database} TO {quote_ident(app_role)}")
    await admin.execute(f"GRANT {quote_ident(app_role)} TO {quote_ident(service)}")


async def provision_database(pg: PostgresServer, spec: ServiceSpec,
                             secrets_dir: Path) -> ServiceDatabase:
    """One service's database and role (and its runtime role), then its migrations applied as
    the owner."""
    password = role_password(secrets_dir, spec.name)
    app_role = spec.app_role
    app_password = role_password(secrets_dir, spec.name, app_role) if app_role else None
    admin = await asyncpg.connect(pg.admin_dsn)
    try:
        await ensure_role_and_database(admin, spec.name, password)
        if app_role is not None and app_password is not None:
            await ensure_app_role(admin, spec.name, app_role, app_password)
    finally:
        await admin.close()
    dsn = pg.dsn(database_name(spec.name), user=spec.name, password=password)
    app_dsn = (pg.dsn(database_name(spec.name), user=app_role, password=app_password)
               if app_role else None)
    applied: list[str] = []
    if spec.migrations is not None and spec.migrations.is_dir():
        conn = await asyncpg.connect(dsn)
        try:
            applied = await migrate(conn, spec.migrations)
        finally:
            await conn.close()
    return ServiceDatabase(service=spec.name, role=spec.name, database=database_name(spec.name),
                           dsn=dsn, migrations_applied=tuple(applied), app_role=app_role,
                           app_dsn=app_dsn)


async def provision_streams(server: NatsServer) -> list[str]:
    """As the stack's admin, create the streams, their snapshot buckets and the sealing-key
    bucket (replicas 1: one server); return the streams' names. The services' own NATS users
    may use these but not create or change them."""
    nc = await nats.connect(server.url, connect_timeout=5, max_reconnect_attempts=2,
                            **server.credentials(ADMIN))
    try:
        specs = all_streams()
        await ensure_streams(nc.jetstream(), specs, replicas=1)
        for spec in specs:
            if spec.prefix != DEADLETTER:
                await JetStreamEventStore.open(nc, spec, replicas=1)  # its snapshot bucket
        await open_key_store(nc.jetstream(), replicas=1)
    finally:
        await nc.close()
    return [spec.name for spec in specs]


def ensure_master_secret(path: Path) -> bool:
    """Create the 32-byte master secret once (0600); return True when it was created now.

    The root of every organisation's key-wrapping key: losing it makes every sealed field
    unreadable, so an existing file is kept (and one of the wrong size refused, not replaced).
    """
    created = not path.exists()
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    load_or_create_master_secret(path)
    return created


def load(target: str) -> Callable[..., Any]:
    """``"package.module:name"`` -> the object."""
    module, _, name = target.partition(":")
    found: Callable[..., Any] = getattr(importlib.import_module(module), name)
    return found


async def _run_seed(seed: Callable[..., Any], settings: PlatformSettings) -> list[Login]:
    async with asyncio.timeout(300):
        logins = await seed(settings)
    return [(str(role), str(login), str(password)) for role, login, password in logins or []]


def seed_once(target: str, settings: PlatformSettings, marker: Path) -> list[Login]:
    """Run a service's demo seed, then write ``marker`` (0600: it holds the demo passwords)
    so that it never runs again on this data folder."""
    logins = asyncio.run(_run_seed(load(target), settings))
    write_private(marker, json.dumps(logins).encode())
    return logins


def seeded_logins(marker: Path) -> list[Login]:
    return [(role, login, password) for role, login, password in json.loads(marker.read_text())]
