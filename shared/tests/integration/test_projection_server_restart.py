"""A projection keeps going across a restart of nats-server (its pull subscription goes stale
and is recreated), and acknowledged events survive the restart."""

import nats
import pytest

from interlude.shared.eventstore.jetstream import JetStreamEventStore
from interlude.shared.eventstore.streams import StreamSpec, ensure_stream
from interlude.shared.stack.nats import start_nats
from interlude.shared.stack.ports import free_ports
from interlude.shared.testing.eventually import eventually
from interlude.shared.testing.tally import TALLY_SCHEMA

from .conftest import Tallies


@pytest.mark.slow
@pytest.mark.parametrize("crash", [False, True], ids=["stopped", "killed"])
async def test_projection_survives_a_nats_server_restart(pg_pool, namespace, tenant_id, tmp_path,
                                                         crash):
    """Stopped, or killed mid-pull (the pull request in flight is lost with the server: the
    runner must notice and pull again rather than wait for its answer for ever)."""
    port, monitor = free_ports(2)
    server = start_nats(tmp_path / "nats", port=port, monitor_port=monitor)
    nc = await nats.connect(server.url, max_reconnect_attempts=-1, reconnect_time_wait=0.2)
    try:
        store = await JetStreamEventStore.open(nc, StreamSpec.for_service("tally", namespace))
        deadletters = StreamSpec.for_service("deadletter", namespace)
        await ensure_stream(nc.jetstream(), deadletters)
        await pg_pool.execute(TALLY_SCHEMA)
        tallies = Tallies(nc, store, pg_pool, deadletters, tenant_id)
        runner = tallies.runner(fetch_timeout=0.3)
        await runner.start()
        await tallies.count("a", 1, 2)

        # SIGKILL or SIGTERM, and wait: our own child, by PID
        server.child.kill() if crash else server.stop()
        server = start_nats(tmp_path / "nats", port=port, monitor_port=monitor)
        await eventually(lambda: nc.is_connected, what="reconnect")  # the client does it
        last = await tallies.count("a", 10)
        await eventually(lambda: runner.position >= last, what="catching up after restart")
        assert await tallies.totals() == {"a": (13, 3)}
        await runner.stop()
    finally:
        await nc.close()
        server.stop()
