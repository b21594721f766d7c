"""community's /openapi.json describes every answer: each route's success has a schema of its
own, and the problems it may give (RFC 9457, ``application/problem+json``) are declared, so a
client or a fuzzer knows them all."""

from __future__ import annotations

import secrets
from typing import Any

from interlude.community.main import create_app
from interlude.community.testing import community_settings
from interlude.shared.kit import loose_scalars
from interlude.shared.testing.routes import PROBLEM, served_openapi, undescribed

EVERY_ROUTE = {"401", "403", "404", "422", "503"}  # a token, a block, a space, a field, an outage
WRITES = {"409", "413"}  # a conflict with the current state, a body too large


async def openapi() -> dict[str, Any]:
    settings = community_settings("nats://127.0.0.1:1", "postgresql://127.0.0.1:1/none", "openapi",
                                  secrets.token_urlsafe(32))
    return await served_openapi(create_app(settings), "http://community.test")


async def test_every_route_declares_its_answer_and_its_problems() -> None:
    paths = (await openapi())["paths"]
    operations = sum(len(item) for path, item in paths.items()
                     if path.startswith("/v1/community/"))
    assert operations >= 35  # every route of spaces, posts and rehearsals
    assert undescribed(paths, "/v1/community/", EVERY_ROUTE, WRITES) == {}


async def test_publishing_declares_slow_mode() -> None:
    paths = (await openapi())["paths"]
    publish = paths["/v1/community/spaces/{space_id}/posts"]["post"]
    assert PROBLEM in publish["responses"]["429"]["content"]


def test_every_boolean_and_number_of_a_body_takes_only_its_own_json_type() -> None:
    assert loose_scalars(create_app(community_settings(
        "nats://127.0.0.1:1", "postgresql://127.0.0.1:1/none", "openapi",
        secrets.token_urlsafe(32)))) == [], "use StrictBool, StrictInt or StrictFloat"
