"""The trust cache on real servers: identity's events reach every service's copy, enforcement
fails closed and is audited, and it keeps answering when identity, NATS or PostgreSQL go away."""

import time
import uuid
from datetime import UTC, datetime, timedelta

import httpx
import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from interlude.shared.access import DENIED, AccessRecorder
from interlude.shared.auth import (
    AUDIENCE,
    DEFAULT_ISSUER,
    InvalidToken,
    StaticKeySource,
    TokenVerifier,
)
from interlude.shared.db import create_pool
from interlude.shared.events.envelope import Actor, Envelope
from interlude.shared.eventstore.base import decode_commit, encode_commit
from interlude.shared.eventstore.streams import StreamSpec, ensure_stream
from interlude.shared.http.app import create_app
from interlude.shared.http.context import request_id_var
from interlude.shared.policy import DEFAULT_POLICY
from interlude.shared.testing.eventually import eventually
from interlude.shared.trust import (
    PolicyBlocked,
    TrustCache,
    install_trust_handlers,
    start_trust,
)

ADMIN = Actor(id="admin1", roles=("org_admin",))


class Identity:
    """Publishes identity's events the way identity does: one commit per message."""

    def __init__(self, nc, namespace: str, tenant: str) -> None:
        self.js = nc.jetstream()
        self.stream = StreamSpec.for_service("identity", namespace)
        self.tenant = tenant
        self.version = 0

    async def publish(self, event_type: str, aggregate: str, aggregate_id: str, payload: dict,
                      tenant: str | None = None) -> tuple[int, datetime]:
        tenant = tenant or self.tenant
        now = datetime.now(UTC)
        envelope = Envelope(event_id=uuid.uuid4().hex, type=event_type, schema_version=1,
                            tenant_id=tenant, aggregate_id=aggregate_id, occurred_at=now,
                            actor=ADMIN, correlation_id=uuid.uuid4().hex, causation_id=None,
                            policy_version=self.version or None, payload=payload)
        subject = self.stream.subject(tenant, aggregate, aggregate_id)
        ack = await self.js.publish(subject, encode_commit([envelope]))
        return ack.seq, now

    async def set_policy(self, changes: dict, version: int | None = None,
                         tenant: str | None = None) -> int:
        self.version = version or self.version + 1
        policy = DEFAULT_POLICY.changed(changes).to_wire()
        seq, _ = await self.publish(
            "identity.SecurityPolicyChanged", "organisation", tenant or self.tenant,
            {"version": self.version, "policy": policy, "changed_keys": sorted(changes),
             "reason": "test"}, tenant)
        return seq

    async def user_event(self, name: str, user_id: str, **payload) -> datetime:
        key = "subject_id" if name == "SubjectForgotten" else "user_id"
        _, at = await self.publish(f"identity.{name}", "user", user_id,
                                   {key: user_id, **payload})
        return at


@pytest.fixture
async def identity(nc, namespace, tenant_id):
    js = nc.jetstream()
    for service in ("identity", "access", "deadletter"):
        await ensure_stream(js, StreamSpec.for_service(service, namespace))
    return Identity(nc, namespace, tenant_id)


@pytest.fixture
def access(nc, namespace):
    return AccessRecorder(nc.jetstream(), StreamSpec.for_service("access", namespace),
                          "community")


@pytest.fixture
async def trust(nc, pg_pool, namespace, access, identity):
    running = await start_trust(nc, pg_pool, service="community", namespace=namespace,
                                access=access, poll_interval=0.5)
    yield running
    await running.stop()


@pytest.fixture
async def other_pool(postgres_dsn, pg_schema):
    # the lock, the listener, a refresh, and the connection the runner holds while it runs
    pool = await create_pool(postgres_dsn, schema=pg_schema, max_size=4)
    yield pool
    await pool.close()


async def last_access(nc, namespace) -> Envelope:
    js = nc.jetstream()
    stream = StreamSpec.for_service("access", namespace)
    last = (await js.stream_info(stream.name)).state.last_seq
    return decode_commit((await js.get_msg(stream.name, last)).data)[0]


def token(private: Ed25519PrivateKey, tenant: str, user: str, iat: float) -> str:
    claims = {"iss": DEFAULT_ISSUER, "aud": AUDIENCE, "sub": user, "tid": tenant,
              "roles": ["coachee"], "pv": 1, "kind": "user", "jti": uuid.uuid4().hex,
              "iat": round(iat, 3), "exp": int(iat) + 900, "amr": ["pwd"]}
    return jwt.encode(claims, private, algorithm="EdDSA", headers={"kid": "k1"})


async def test_a_policy_change_reaches_another_process_within_a_second(
        trust, identity, other_pool, tenant_id):
    reader = TrustCache(other_pool, poll_interval=30)  # only notifications can be this quick
    await reader.start()
    try:
        await identity.set_policy({"messaging.enabled": False})
        started = time.monotonic()
        await eventually(lambda: reader.policy_version(tenant_id) == 1, timeout=1.0,
                         what="the policy in the other process's cache")
        assert time.monotonic() - started < 1.0
        assert reader.policy(tenant_id).value("messaging.enabled") is False
        # the projecting process's own cache hears of it the same way, in its own time
        await eventually(lambda: trust.policy(tenant_id) is not None, timeout=5.0,
                         what="the policy in the projecting process's cache")
        assert trust.policy(tenant_id).value("community.enabled") is True
    finally:
        await reader.stop()


async def test_a_blocked_key_is_refused_and_the_denial_audited(trust, identity, nc, namespace,
                                                               tenant_id):
    await identity.set_policy({"messaging.enabled": False})
    await eventually(lambda: trust.policy(tenant_id) is not None)
    assert (await trust.enforce(tenant_id, "community.enabled")).community_enabled
    coachee = Actor(id="u1", roles=("coachee",))
    marker = request_id_var.set("req-42")
    try:
        with pytest.raises(PolicyBlocked) as caught:
            await trust.enforce(tenant_id, "messaging.enabled", actor=coachee,
                                action="SendMessage", resource_type="contract",
                                resource_id="c1")
    finally:
        request_id_var.reset(marker)
    assert (caught.value.key, caught.value.version) == ("messaging.enabled", 1)
    record = await last_access(nc, namespace)
    assert record.type == DENIED and record.tenant_id == tenant_id
    assert record.actor == coachee and record.policy_version == 1
    assert record.correlation_id == "req-42"
    assert record.payload["reason"] == "messaging.enabled"
    assert record.payload["action"] == "SendMessage" and record.payload["outcome"] == "denied"
    with pytest.raises(ValueError, match="not a boolean policy key"):
        await trust.enforce(tenant_id, "notify.email_content")


async def test_an_organisation_without_a_known_policy_is_denied(trust, nc, namespace):
    stranger = uuid.uuid4().hex
    assert trust.policy(stranger) is None
    with pytest.raises(PolicyBlocked) as caught:
        await trust.enforce(stranger, "checkins.enabled", action="PostCheckIn")
    assert caught.value.version is None and "no security policy" in caught.value.reason
    record = await last_access(nc, namespace)
    assert record.tenant_id == stranger and record.payload["reason"] == "checkins.enabled"


async def test_only_the_newest_policy_version_counts(trust, identity, tenant_id):
    await identity.set_policy({"community.enabled": False}, version=5)
    await identity.set_policy({"community.enabled": True}, version=4)  # late, and older
    last = await identity.set_policy({"checkins.enabled": False}, tenant=uuid.uuid4().hex,
                                     version=1)
    await eventually(lambda: trust.cache.position >= last)
    assert trust.cache.policy_version(tenant_id) == 5
    assert trust.policy(tenant_id).community_enabled is False


async def test_a_blocked_key_is_a_403_problem_naming_the_block(trust, identity, tenant_id):
    await identity.set_policy({"community.enabled": False})
    await eventually(lambda: trust.policy(tenant_id) is not None)
    app = create_app("test-trust")
    install_trust_handlers(app)

    @app.get("/spaces")
    async def spaces() -> dict:
        await trust.enforce(tenant_id, "community.enabled", action="ListSpaces")
        return {}

    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as http:
        response = await http.get("/spaces")
    assert response.status_code == 403
    body = response.json()
    assert body["type"] == "urn:interlude:problem:policy-blocked"
    assert body["block"] == "community.enabled" and body["policy_version"] == 1
    assert "switched off community.enabled" in body["detail"]


async def test_deactivated_users_and_stale_roles_are_refused(trust, identity, tenant_id):
    private = Ed25519PrivateKey.generate()
    verifier = TokenVerifier(StaticKeySource({"k1": private.public_key()}),
                             revocations=trust.cache)
    user, other = uuid.uuid4().hex, uuid.uuid4().hex
    before = token(private, tenant_id, user, time.time() - 1)
    assert (await verifier.verify(before)).user_id == user

    await identity.user_event("UserDeactivated", user, reason="left the company")
    await eventually(lambda: trust.is_revoked(tenant_id, user, datetime.now(UTC)))
    with pytest.raises(InvalidToken) as caught:
        await verifier.verify(before)
    assert caught.value.reason == "revoked"
    assert (await verifier.verify(token(private, tenant_id, other, time.time()))).user_id

    reactivated_at = await identity.user_event("UserReactivated", user)
    await eventually(lambda: not trust.is_revoked(tenant_id, user, datetime.now(UTC)))
    with pytest.raises(InvalidToken):
        await verifier.verify(before)  # tokens from before stay refused
    after = token(private, tenant_id, user, reactivated_at.timestamp() + 0.01)
    assert (await verifier.verify(after)).user_id == user

    revoked_at = await identity.user_event("RoleRevoked", user, role="coach")
    just_before = revoked_at - timedelta(milliseconds=1)
    await eventually(lambda: trust.is_revoked(tenant_id, user, just_before))
    assert trust.is_revoked(tenant_id, user, reactivated_at)
    assert not trust.is_revoked(tenant_id, user, datetime.now(UTC))


async def test_a_forgotten_subject_stays_refused(trust, identity, tenant_id):
    user = uuid.uuid4().hex
    await identity.user_event("SubjectForgotten", user)
    await identity.user_event("UserReactivated", user)  # cannot bring them back
    last = await identity.set_policy({})
    await eventually(lambda: trust.cache.position >= last)
    assert trust.is_revoked(tenant_id, user, datetime.now(UTC))


async def test_the_cache_keeps_answering_when_identity_and_postgres_are_gone(
        nc, identity, other_pool, namespace, tenant_id, access):
    trust = await start_trust(nc, other_pool, service="community", namespace=namespace,
                              access=access, poll_interval=0.2)
    try:
        await identity.set_policy({"messaging.enabled": False})
        await eventually(lambda: trust.policy(tenant_id) is not None)
        await trust.projector.stop()  # nothing consumes identity's events any more
        await identity.set_policy({"messaging.enabled": True})
        await other_pool.close()  # and PostgreSQL is unreachable too
        await eventually(lambda: trust.cache.failing is not None, what="a failed refresh")
        assert trust.policy(tenant_id).messaging_enabled is False
        with pytest.raises(PolicyBlocked):
            await trust.enforce(tenant_id, "messaging.enabled")
        assert (await trust.enforce(tenant_id, "checkins.enabled")).checkins_enabled
    finally:
        await trust.stop()


async def test_a_restarted_cache_loads_from_postgres_without_nats(trust, identity, other_pool,
                                                                  tenant_id):
    user = uuid.uuid4().hex
    await identity.user_event("UserDeactivated", user)
    last = await identity.set_policy({"export.self_service": False})
    await eventually(lambda: trust.cache.position >= last)
    restarted = TrustCache(other_pool)  # a new process: no NATS at all
    await restarted.start()
    try:
        assert restarted.policy(tenant_id).export_self_service is False
        assert restarted.is_revoked(tenant_id, user, datetime.now(UTC))
        assert restarted.position == last
    finally:
        await restarted.stop()


async def test_a_dropped_listen_connection_is_covered_by_polling(trust, identity, pg_pool,
                                                                 tenant_id):
    await identity.set_policy({})
    await eventually(lambda: trust.policy(tenant_id) is not None)
    pid = trust.cache._listener.get_server_pid()
    await pg_pool.execute("SELECT pg_terminate_backend($1)", pid)
    await identity.set_policy({"community.peer_tagging": False})
    await eventually(lambda: trust.cache.policy_version(tenant_id) == 2, timeout=5,
                     what="the change, seen by polling and a new LISTEN")
    await eventually(lambda: trust.cache._listener is not None
                     and trust.cache._listener.get_server_pid() != pid)


async def test_only_one_process_runs_the_projection(nc, identity, pg_pool, other_pool,
                                                    namespace, tenant_id):
    first = await start_trust(nc, pg_pool, service="community", namespace=namespace,
                              poll_interval=0.2)
    second = await start_trust(nc, other_pool, service="community", namespace=namespace,
                               poll_interval=0.2)
    try:
        await eventually(lambda: first.projector.leading or second.projector.leading)
        leader, follower = (first, second) if first.projector.leading else (second, first)
        await identity.set_policy({})
        await eventually(lambda: follower.policy(tenant_id) is not None)
        assert not follower.projector.leading
        await leader.stop()  # the leading process goes away: the other takes over
        await eventually(lambda: follower.projector.leading, timeout=5)
        await identity.set_policy({"messaging.attachments": True})
        await eventually(lambda: follower.cache.policy_version(tenant_id) == 2)
    finally:
        await first.stop()
        await second.stop()
