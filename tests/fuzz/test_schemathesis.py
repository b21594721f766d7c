"""schemathesis over every service's API on the real stack (issue 12): for each route a bounded
number of generated requests, sent with a real token of a person who can reach most routes,
must give no server error, no status code or content type its OpenAPI does not declare, and no
answer that breaks its declared schema.

Each service runs in this process as the journeys run it (real NATS and PostgreSQL, identity's
JWKS over ASGI), served on a free port of 127.0.0.1; schemathesis's own CLI (`st run`) calls it
from a subprocess, so the service keeps answering in this test's event loop meanwhile.

CI runs a few examples per route with a fixed seed, so that it stays fast and a failure
reproduces. An outside fuzzer runs far more; to run as it does, set (all optional):

- `INTERLUDE_FUZZ_EXAMPLES`: generated requests per route and phase (default 3);
- `INTERLUDE_FUZZ_SEED`: the seed (default 12); another one explores other inputs;
- `INTERLUDE_FUZZ_MODE`: `positive` (valid data only), `negative` (only data that breaks the
  schema) or `all` (default: both, as schemathesis 4 does unless told otherwise);
- `INTERLUDE_FUZZ_SECONDS`: one service's run at most (default 240); raise it with the examples;
- `INTERLUDE_FUZZ_CHECKS`: checks added to the default ones, comma-separated, such as
  `negative_data_rejection` (input that breaks the schema must get a 4xx).

For instance `INTERLUDE_FUZZ_EXAMPLES=30 INTERLUDE_FUZZ_SEED=7 INTERLUDE_FUZZ_SECONDS=1200
.venv/bin/pytest tests/fuzz -q -x -m slow -k community`. The run's whole output is kept in its
`tmp_path` as `schemathesis.txt`; a failure's message carries it, with a curl to replay each case.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import sys
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest

from interlude.audit.testing import audit_settings, running_audit
from interlude.community.testing import community_settings, running_community
from interlude.engagement.testing import (
    RunningEngagement,
    engagement_settings,
    running_engagement,
    terms,
)
from interlude.identity.testing import RunningIdentity, identity_settings, running_identity
from interlude.notify.testing import notify_settings, running_notify
from interlude.shared.testing.eventually import eventually
from interlude.shared.testing.inprocess import served
from interlude.shared.testing.plugin import own_schema

from .targets import EXCLUDED, UPSTREAM_ANSWERS, Target

pytestmark = pytest.mark.slow

SERVICES = ("identity", "community", "audit", "engagement", "notify")
EXAMPLES_PER_ROUTE = int(os.environ.get("INTERLUDE_FUZZ_EXAMPLES", "3"))
SEED = int(os.environ.get("INTERLUDE_FUZZ_SEED", "12"))  # fixed, so that a failure reproduces
MODE = os.environ.get("INTERLUDE_FUZZ_MODE", "all")
RUN_SECONDS = int(os.environ.get("INTERLUDE_FUZZ_SECONDS", "240"))  # one service's run, at most
CHECKS = ("not_a_server_error", "status_code_conformance", "content_type_conformance",
          "response_schema_conformance", "response_headers_conformance",
          *filter(None, os.environ.get("INTERLUDE_FUZZ_CHECKS", "").split(",")))
ST = Path(sys.executable).with_name("st")


@dataclass
class Env:
    nats_url: str
    postgres_dsn: str
    namespace: str
    pg_schema: str
    stack: contextlib.AsyncExitStack = field(default_factory=contextlib.AsyncExitStack)

    async def identity(self) -> RunningIdentity:
        # tokens outlive the run: one expiring half-way would make the rest of it 401s that pass
        settings = identity_settings(self.nats_url, self.postgres_dsn, self.namespace,
                                     access_token_ttl_s=RUN_SECONDS + 300)
        return await self.stack.enter_async_context(running_identity(settings, self.pg_schema))

    async def schema(self, service: str) -> str:
        return await self.stack.enter_async_context(
            own_schema(self.postgres_dsn, f"{self.namespace}_{service}"))


def _secret(identity: RunningIdentity) -> str:
    assert identity.settings.master_secret is not None
    return identity.settings.master_secret.get_secret_value()


async def _identity(env: Env) -> Target:
    identity = await env.identity()
    admin = await identity.organisation("Northwind")
    scim = await identity.client.post(f"/v1/organisations/{admin.tenant_id}/scim-tokens",
                                      headers=admin.headers, json={"label": "Entra ID"})
    assert scim.status_code == 201, scim.text
    # every route naming a person acts on a bystander: a role revoked from, or a deactivation
    # of, the admin whose token the run sends would answer 401 to everything after it
    bystander = await identity.member(admin, "coach", "coachee", name="Bea Bystander")
    stranger = await identity.organisation("Contoso")
    their_scim = await identity.client.post(f"/v1/organisations/{stranger.tenant_id}/scim-tokens",
                                            headers=stranger.headers, json={"label": "Okta"})
    assert their_scim.status_code == 201, their_scim.text
    return Target(identity.app, admin.access_token, "/v1/me",
                  {"org_id": admin.tenant_id, "user_id": bystander.user_id},
                  {"^/scim/v2/": scim.json()["token"]}, stranger.access_token,
                  {"^/scim/v2/": their_scim.json()["token"]},
                  (("^/scim/v2/", "application/scim+json"),))  # RFC 7644's errors


async def _audit(env: Env) -> Target:
    identity = await env.identity()
    admin = await identity.organisation("Northwind")
    officer = await identity.member(admin, "compliance_officer", name="Olu Officer")
    # no other service answers here for a person's export: it waits for them 1 s, not 10
    settings = audit_settings(env.nats_url, env.postgres_dsn, env.namespace, _secret(identity),
                              export_deadline_s=1.0)
    audit = await env.stack.enter_async_context(
        running_audit(settings, await env.schema("audit"), identity.app))
    return Target(audit.app, officer.access_token, "/v1/audit/keys")


async def _with_engagement(env: Env, identity: RunningIdentity) -> RunningEngagement:
    settings = engagement_settings(env.nats_url, env.postgres_dsn, env.namespace,
                                   _secret(identity))
    return await env.stack.enter_async_context(
        running_engagement(settings, await env.schema("engagement"), identity.app))


async def _community(env: Env) -> Target:
    identity = await env.identity()
    await _with_engagement(env, identity)
    admin = await identity.organisation("Northwind")
    coach = await identity.member(admin, "coach", name="Claire Coach")
    settings = community_settings(env.nats_url, env.postgres_dsn, env.namespace,
                                  _secret(identity))
    community = await env.stack.enter_async_context(
        running_community(settings, await env.schema("community"), identity.app))
    space: dict[str, str] = {}

    async def created() -> bool:
        # 403 until community has read the new organisation's policy from identity's events
        answer = await community.client.post("/v1/community/spaces", headers=coach.headers,
                                             json={"name": "Saying no", "pseudonymous": True,
                                                   "description": "Declining work kindly"})
        assert answer.status_code in (201, 403), answer.text
        space.update(answer.json() if answer.status_code == 201 else {})
        return answer.status_code == 201

    await eventually(created, what="the coach's space created")
    url = f"/v1/community/spaces/{space['id']}"
    path = {"space_id": space["id"], **await _content(community.client, coach.headers, url)}
    # (another organisation's person on every route of a space: tests/journeys/community)
    return Target(community.app, coach.access_token, url, path)


async def _content(api: httpx.AsyncClient, headers: dict[str, str],
                   space: str) -> dict[str, str]:
    """A post with a comment, and a material, in the space (a rehearsal is a member's): ids
    that get requests past "not found" to the routes' work (until the run deletes them)."""
    async def created(path: str, body: dict[str, str]) -> str:
        answer = await api.post(f"{space}{path}", headers=headers, json=body)
        assert answer.status_code == 201, answer.text
        return str(answer.json()["id"])

    post = await created("/posts", {"body": "How do you say no to a second project?"})
    return {"post_id": post,
            "comment_id": await created(f"/posts/{post}/comments", {"body": "Kindly, early."}),
            "material_id": await created("/materials", {"title": "On saying no"})}


async def _engagement(env: Env) -> Target:
    identity = await env.identity()
    engagement = await _with_engagement(env, identity)
    admin = await identity.organisation("Northwind")
    coach = await identity.member(admin, "coach", name="Claire Coach")
    coachee = await identity.member(admin, "coachee", name="Amira Haddad")
    # an active contract of the coach's, so that requests about it reach the routes' work
    proposed = await engagement.client.post("/v1/contracts", headers=coach.headers, json={
        "coachee_id": coachee.user_id, "terms": terms()})
    assert proposed.status_code == 201, proposed.text
    contract = f"/v1/contracts/{proposed.json()['id']}"
    for party in (coach, coachee):
        signed = await engagement.client.post(f"{contract}/signatures", headers=party.headers,
                                              json={})
        assert signed.status_code == 200, signed.text
    return Target(engagement.app, coach.access_token, contract,
                  {"contract_id": proposed.json()["id"]})


async def _notify(env: Env) -> Target:
    identity = await env.identity()
    admin = await identity.organisation("Northwind")
    coachee = await identity.member(admin, "coachee", name="Amira Haddad")
    settings = notify_settings(env.nats_url, env.postgres_dsn, env.namespace, _secret(identity))
    notify = await env.stack.enter_async_context(
        running_notify(settings, await env.schema("notify"), identity.app))

    async def policy_known() -> bool:  # 403 until notify has read the organisation's policy
        answer = await notify.client.get("/v1/notify/notifications", headers=coachee.headers)
        return answer.status_code == 200

    await eventually(policy_known, what="notify's copy of the organisation's policy")
    # webhooks are the org admin's (with the coachee's token every such request was a 403),
    # once the organisation allows them; one endpoint (nothing the run does is delivered to
    # it) for the requests about one
    allowed = await identity.client.patch(
        f"/v1/organisations/{admin.tenant_id}/policy", headers=admin.headers,
        json={"changes": {"notify.channels": ["in_app", "webhook"]}, "reason": "fuzzing"})
    assert allowed.status_code == 200, allowed.text
    webhook: dict[str, str] = {}

    async def registered() -> bool:  # 403 until notify has read the policy's new version
        answer = await notify.client.post("/v1/notify/webhooks", headers=admin.headers, json={
            "url": "https://hooks.example.org/interlude", "kinds": ["coach_replied"]})
        assert answer.status_code in (201, 403), answer.text
        webhook.update(answer.json() if answer.status_code == 201 else {})
        return answer.status_code == 201

    await eventually(registered, what="a webhook registered")
    return Target(notify.app, coachee.access_token, "/v1/notify/notifications",
                  {"webhook_id": webhook["id"]},
                  {"^/v1/notify/webhooks": admin.access_token})


STARTS: dict[str, Callable[[Env], Awaitable[Target]]] = {
    "identity": _identity, "community": _community, "audit": _audit, "engagement": _engagement,
    "notify": _notify}


def _config(target: Target, service: str) -> str:
    """schemathesis.toml for this run: the token, the path parameters that name the caller's
    own organisation or space (so requests get past "not found" to the route's work), and the
    routes left alone."""
    lines = [f'headers = {{ Authorization = "Bearer {target.token}" }}']
    for regex, token in target.tokens_by_path.items():
        lines += ["[[operations]]", f"include-path-regex = {json.dumps(regex)}",
                  f'headers = {{ Authorization = "Bearer {token}" }}']
    for name, _reason in EXCLUDED.get(service, ()):
        lines += ["[[operations]]", f"include-name = {json.dumps(name)}", "enabled = false"]
    for name, status, _reason in UPSTREAM_ANSWERS.get(service, ()):
        lines += ["[[operations]]", f"include-name = {json.dumps(name)}",
                  "checks.not_a_server_error.expected-statuses = "
                  f'["2xx", "3xx", "4xx", "{status}"]']
    lines.append("[parameters]")
    lines += [f'"path.{name}" = {json.dumps(value)}' for name, value in target.path.items()]
    return "\n".join(lines) + "\n"


async def _run_schemathesis(url: str, service: str, target: Target, tmp_path: Path) -> str:
    config = tmp_path / "schemathesis.toml"
    config.write_text(_config(target, service))
    log = tmp_path / "schemathesis.txt"  # written as the run goes: a long run can be watched
    with log.open("wb") as out:
        process = await asyncio.create_subprocess_exec(
            str(ST), "--config-file", str(config), "run", f"{url}/openapi.json",
            "--checks", ",".join(CHECKS), "--max-examples", str(EXAMPLES_PER_ROUTE),
            "--seed", str(SEED), "--mode", MODE, "--workers", "1", "--no-shrink",
            "--phases", "examples,coverage,fuzzing", "--suppress-health-check", "all",
            "--request-timeout", "10", "--output-truncate", "false",
            stdout=out, stderr=asyncio.subprocess.STDOUT, cwd=tmp_path)
        try:
            await asyncio.wait_for(process.wait(), RUN_SECONDS)
        except TimeoutError:
            process.kill()  # our own child, by its handle
            await process.wait()
            raise
    text = log.read_text(errors="replace")
    assert process.returncode == 0, text
    return text


@pytest.mark.timeout(RUN_SECONDS + 60)
@pytest.mark.parametrize("service", SERVICES)
async def test_no_route_answers_outside_its_openapi(service: str, nats_url: str,
                                                   postgres_dsn: str, namespace: str,
                                                   pg_schema: str, tmp_path: Path) -> None:
    env = Env(nats_url, postgres_dsn, namespace, pg_schema)
    async with env.stack:
        target = await STARTS[service](env)
        async with served(target.app, lifespan=False) as url:
            await _run_schemathesis(url, service, target, tmp_path)
            async with httpx.AsyncClient(base_url=url) as client:
                probe = await client.get(target.probe,
                                         headers={"Authorization": f"Bearer {target.token}"})
    # a token the run locked out would have made every later request a 401 that passes
    assert probe.status_code == 200, f"the run's token no longer works: {probe.text}"
