"""A service's connections opened from its settings; access events land in ACCESS."""


import pytest

from interlude.shared.access import Access
from interlude.shared.config import PlatformSettings
from interlude.shared.events.envelope import Actor
from interlude.shared.eventstore.base import decode_commit
from interlude.shared.http.health import nats_ready, postgres_ready, projections_ready
from interlude.shared.runtime import open_platform
from interlude.shared.sealing import Secret


@pytest.fixture
async def platform(nats_url, postgres_dsn, namespace, pg_schema, tmp_path):
    settings = PlatformSettings(service_name="engagement", nats_url=nats_url,
                                database_url=postgres_dsn, stream_namespace=namespace,
                                master_secret_file=tmp_path / "master.key")
    opened = await open_platform(settings, schema=pg_schema)
    yield opened
    await opened.close()


async def test_an_access_is_recorded_without_content_in_the_access_stream(platform, tenant_id):
    position = await platform.access.record(Access(
        tenant_id=tenant_id, actor=Actor("coach-1", ("coach",)), action="read",
        resource_type="check_in", resource_id="ci-1", data_subject="coachee-1",
        request_id="req-9", source_address="10.1.2.3"))
    stream = platform.stream("access")
    msg = await platform.js.get_msg(stream.name, position)
    (event,) = decode_commit(msg.data)
    assert msg.subject == f"{stream.prefix}.{tenant_id}.engagement.{event.event_id}"
    assert event.type == "access.ContentRead" and event.actor.id == "coach-1"
    assert event.payload == {"service": "engagement", "action": "read",
                             "resource_type": "check_in", "resource_id": "ci-1",
                             "data_subject": "coachee-1", "data_subjects": ["coachee-1"],
                             "outcome": "allowed", "reason": None}
    assert (event.correlation_id, event.source_address) == ("req-9", "10.1.2.3")


async def test_a_denial_names_the_block(platform, tenant_id):
    position = await platform.access.record(Access(
        tenant_id=tenant_id, actor=Actor("u1", ("coachee",)), action="post_check_in",
        resource_type="check_in", resource_id="new", outcome="denied",
        reason="checkins.enabled", policy_version=4))
    (event,) = decode_commit((await platform.js.get_msg(platform.stream("access").name,
                                                        position)).data)
    assert event.type == "access.AccessDenied"
    assert (event.payload["reason"], event.policy_version) == ("checkins.enabled", 4)


async def test_the_platform_seals_with_a_master_secret_from_its_settings(platform, tenant_id):
    sealed = await platform.sealer.seal(Secret("hello", "s1"), tenant=tenant_id, event_id="e1",
                                        field="text")
    opened = await platform.sealer.open(sealed, tenant=tenant_id, event_id="e1", field="text")
    assert opened.reveal() == "hello"
    assert platform.settings.master_secret_file.stat().st_size == 32


async def test_readiness_checks_pass_on_live_connections(platform):
    assert await nats_ready(platform.nc)() is None
    assert await postgres_ready(platform.pool)() is None
    assert await projections_ready([])() is None
    await platform.nc.close()
    assert await nats_ready(platform.nc)() == "not connected to NATS"
