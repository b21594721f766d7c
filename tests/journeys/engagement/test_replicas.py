"""Two API replicas of engagement: what one of them changed, the other decides with at once."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from interlude.engagement.testing import (
    RunningEngagement,
    engagement_settings,
    running_engagement,
    terms,
)
from interlude.identity.testing import Person, RunningIdentity
from interlude.shared.testing.plugin import own_schema


@pytest.fixture
async def replicas(identity: RunningIdentity, nats_url: str, postgres_dsn: str,
                   namespace: str) -> AsyncIterator[tuple[RunningEngagement, RunningEngagement]]:
    """Two engagement API replicas (each with its own aggregate cache) on the same NATS and
    PostgreSQL schema, as behind a load balancer; the first also runs the worker."""
    assert identity.settings.master_secret is not None
    secret = identity.settings.master_secret.get_secret_value()
    settings = engagement_settings(nats_url, postgres_dsn, namespace, secret)
    async with contextlib.AsyncExitStack() as stack:
        schema = await stack.enter_async_context(
            own_schema(postgres_dsn, f"{namespace}_engagement"))
        first = await stack.enter_async_context(
            running_engagement(settings, schema, identity.app))
        second = await stack.enter_async_context(
            running_engagement(settings, schema, identity.app, with_worker=False))
        yield first, second


async def expect(response: httpx.Response, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.text
    body: dict[str, Any] = response.json()
    return body


async def test_a_contract_ended_through_one_replica_refuses_a_check_in_through_the_other(
        identity: RunningIdentity,
        replicas: tuple[RunningEngagement, RunningEngagement]) -> None:
    one, other = replicas
    admin = await identity.organisation("Northwind")
    coach = await identity.member(admin, "coach")
    coachee = await identity.member(admin, "coachee")
    contract_id = str((await expect(await one.client.post(
        "/v1/contracts", headers=coach.headers,
        json={"coachee_id": coachee.user_id, "terms": terms()}), 201))["id"])
    path = f"/v1/contracts/{contract_id}"
    for person in (coach, coachee):
        await expect(await one.client.post(f"{path}/signatures", headers=person.headers,
                                           json={}), 200)
    # the other replica has the active contract in its cache
    await _check_in(other, path, coachee, 201)
    await expect(await one.client.post(f"{path}/ending", headers=coach.headers,
                                       json={"reason": "the programme is over"}), 200)
    refused = await _check_in(other, path, coachee, 409)
    assert refused["type"].startswith("urn:interlude:problem:")


async def _check_in(engagement: RunningEngagement, path: str, coachee: Person,
                    status: int) -> dict[str, Any]:
    return await expect(await engagement.client.post(
        f"{path}/check-ins", headers=coachee.headers, json={"text": "a good week"}), status)
