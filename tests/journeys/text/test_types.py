"""Every boolean, integer and number of every JSON request body of every service, found in the
services' OpenAPI documents, refuses a value of another JSON type (0, 1 or "true" for a
boolean; "5", 5.5 or true for an integer; "5" or true for a number) with a 422 problem naming
the field, as the document promises; none is read as what it might have meant."""

from __future__ import annotations

from typing import Any

import pytest

from interlude.audit.testing import RunningAudit
from interlude.community.testing import RunningCommunity
from interlude.engagement.testing import RunningEngagement
from interlude.identity.testing import RunningIdentity
from interlude.notify.testing import RunningNotify

from .fields import scalar_fields
from .refusals import callers, refused

WRONG: dict[str, tuple[Any, ...]] = {"boolean": (0, 1, "true", "false"),
                                     "integer": ("5", 5.5, True), "number": ("5", True)}


@pytest.mark.slow
async def test_every_boolean_and_number_of_every_body_refuses_another_json_type(
        identity: RunningIdentity, engagement: RunningEngagement,
        community: RunningCommunity, notify: RunningNotify, audit: RunningAudit) -> None:
    running = {"identity": identity, "engagement": engagement, "community": community,
               "notify": notify, "audit": audit}
    fields = [f for service, it in running.items() for f in scalar_fields(service, it.app)]
    people = await callers(identity, engagement, community, notify)
    for field in fields:
        for value in WRONG[field.schema["type"]]:
            try:
                await refused(running[field.service].client, field, value, people)
            except AssertionError as failed:
                raise AssertionError(f"{value!r} in {field.name}: {failed}") from None
    walked = {(f.service, f.location) for f in fields}
    assert {("community", "body.findable"), ("community", "body.seconds"),
            ("engagement", "body.small_win"), ("engagement", "body.minutes"),
            ("engagement", "body.attachments.0.size"),
            ("engagement", "body.terms.channels.messaging"),
            ("engagement", "body.terms.sessions.count"),
            ("notify", "body.digest_hour")} <= walked, walked
