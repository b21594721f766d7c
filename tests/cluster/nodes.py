"""A JetStream cluster of real nats-server processes on loopback, for fault tests and
``bench/cluster.py``: each node a child process of ours on free ports with a store folder of
its own, killed (SIGKILL, as a crash), wiped and restarted by the PID we started."""

from __future__ import annotations

import asyncio
import contextlib
import shutil
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import nats
from nats.aio.client import Client as NATS
from nats.js.api import StreamInfo

from interlude.shared.eventstore.connection import server_urls
from interlude.shared.eventstore.jetstream import JetStreamEventStore
from interlude.shared.eventstore.streams import DEADLETTER, all_streams, ensure_streams
from interlude.shared.sealing.jetstream_keys import DEFAULT_BUCKET, open_key_store
from interlude.shared.stack.nats import nats_server_binary
from interlude.shared.stack.ports import free_ports, is_free
from interlude.shared.stack.process import Child, spawn, wait_http_ok


@dataclass
class Node:
    name: str
    folder: Path
    port: int
    monitor_port: int
    route_port: int
    child: Child | None = None

    @property
    def url(self) -> str:
        return f"nats://127.0.0.1:{self.port}"

    @property
    def store(self) -> Path:
        return self.folder / "jetstream"

    def config(self, routes: list[int], sync_always: bool) -> str:
        sync = "\n  sync_interval: always" if sync_always else ""
        others = ", ".join(f"nats-route://127.0.0.1:{p}" for p in routes if p != self.route_port)
        return f"""server_name: {self.name}
listen: 127.0.0.1:{self.port}
http: 127.0.0.1:{self.monitor_port}
jetstream {{
  store_dir: "{self.store}"{sync}
}}
cluster {{
  name: interlude
  listen: 127.0.0.1:{self.route_port}
  routes: [{others}]
}}
"""

    def alive(self) -> bool:
        return self.child is not None and self.child.alive()


@dataclass
class Cluster:
    """``size`` nodes routed to each other (size 1: a single JetStream server, no routes)."""

    root: Path
    size: int = 3
    sync_always: bool = True
    nodes: list[Node] = field(default_factory=list)

    @property
    def urls(self) -> str:
        """Every node's client URL, comma-separated, as ``INTERLUDE_NATS_URL`` takes them."""
        return ",".join(node.url for node in self.nodes)

    def start(self) -> Cluster:
        ports = iter(free_ports(3 * self.size))  # client, cluster and monitoring, all apart
        for i in range(self.size):
            self.nodes.append(Node(f"n{i + 1}", self.root / f"n{i + 1}", next(ports),
                                   next(ports), next(ports)))
        for node in self.nodes:
            self._spawn(node)
        for node in self.nodes:
            self._wait(node)
        return self

    def _spawn(self, node: Node) -> None:
        for port in (node.port, node.monitor_port, node.route_port):
            if not is_free(port):
                raise RuntimeError(f"port {port} of {node.name} was taken by another program")
        node.folder.mkdir(parents=True, exist_ok=True)
        config = node.folder / "nats.conf"
        routes = [] if self.size == 1 else [n.route_port for n in self.nodes]
        text = node.config(routes, self.sync_always)
        if self.size == 1:
            text = text[:text.index("cluster {")]
        config.write_text(text)
        node.child = spawn(f"nats-server {node.name}", [nats_server_binary(), "-c", str(config)],
                           node.folder / "nats-server.log")

    def _wait(self, node: Node) -> None:
        assert node.child is not None
        # plain /healthz: ?js-enabled-only=true says ok before JetStream is ready
        wait_http_ok(f"http://127.0.0.1:{node.monitor_port}/healthz", node.child, 60)

    def node(self, name: str) -> Node:
        return next(n for n in self.nodes if n.name == name)

    def kill(self, node: Node) -> float:
        """SIGKILL the node's process (ours, by PID); returns when it died."""
        assert node.child is not None
        node.child.kill()
        return time.monotonic()

    def restart(self, node: Node, wipe: bool = False) -> None:
        """Start a stopped node again on its own ports, with its data folder emptied first
        when ``wipe`` (a node replaced with a blank disk)."""
        if node.alive():
            self.kill(node)
        if wipe:
            shutil.rmtree(node.store, ignore_errors=True)
        self._spawn(node)
        self._wait(node)

    def stop(self) -> None:
        for node in self.nodes:
            if node.child is not None:
                node.child.stop()


@contextlib.contextmanager
def running_cluster(root: Path, size: int = 3, sync_always: bool = True) -> Iterator[Cluster]:
    cluster = Cluster(root, size, sync_always)
    try:
        yield cluster.start()
    finally:
        cluster.stop()


async def connect(urls: str) -> NATS:
    """A connection of the test's own to any live node (dead ones are skipped quietly)."""
    async def quiet(_err: Exception) -> None:
        return None

    return await nats.connect(server_urls(urls), connect_timeout=2, error_cb=quiet,
                              max_reconnect_attempts=3)


async def provision(urls: str, namespace: str, replicas: int) -> None:
    """The product's streams, their snapshot buckets and the sealing-key bucket at
    ``replicas``, as the deployment's ``streams`` Job creates them (deploy/k8s/base/streams.py).
    Retried while the cluster is still electing its meta leader."""
    deadline = time.monotonic() + 60
    while True:
        nc = await connect(urls)
        try:
            js = nc.jetstream(timeout=5)
            specs = all_streams(namespace)
            await ensure_streams(js, specs, replicas=replicas)
            for spec in specs:
                if spec.prefix != DEADLETTER:
                    await JetStreamEventStore.open(nc, spec, replicas=replicas)
            await open_key_store(js, replicas=replicas, bucket=f"{DEFAULT_BUCKET}_{namespace}")
            return
        except Exception:
            if time.monotonic() > deadline:
                raise
            await asyncio.sleep(0.5)
        finally:
            await nc.close()


async def stream_info(urls: str, stream: str) -> StreamInfo:
    nc = await connect(urls)
    try:
        return await nc.jetstream(timeout=5).stream_info(stream)
    finally:
        await nc.close()


async def leader(urls: str, stream: str, timeout: float = 30.0) -> str:
    """The name of the node leading ``stream`` now (waits out an election)."""
    deadline = time.monotonic() + timeout
    while True:
        with contextlib.suppress(Exception):
            info = await stream_info(urls, stream)
            if info.cluster is not None and info.cluster.leader:
                return info.cluster.leader
        if time.monotonic() > deadline:
            raise TimeoutError(f"{stream} has no leader after {timeout:g} s")
        await asyncio.sleep(0.2)
