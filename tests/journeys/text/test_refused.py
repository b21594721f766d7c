"""Every string of every request body of every service (and every free-text query parameter),
found in the services' OpenAPI documents, refuses a NUL, another control character and half a
surrogate pair with a 422 problem naming the field: text the read side cannot store is never
accepted, so no projection can lose it afterwards."""

from __future__ import annotations

import httpx
import pytest

from interlude.audit.testing import RunningAudit
from interlude.community.testing import RunningCommunity
from interlude.engagement.testing import RunningEngagement
from interlude.identity.testing import RunningIdentity

from .fields import TextField, text_fields
from .kept import dead_letters, settled
from .refusals import callers, refused

BAD = {"NUL": "a\u0000b", "a control character": "a\u0007b", "DEL": "a\u007fb",
       "half a surrogate pair": "a\ud800b"}
# strings that are neither free text (interlude.shared.text) nor constrained by a pattern, a
# choice or a format in the schema, and why they are safe
CHECKED_OTHERWISE = {("terms", "quiet_hours", "timezone"): "an IANA zone name, looked up in the "
                     "zone database (which refuses control characters)"}


def _apps(identity: RunningIdentity, engagement: RunningEngagement,
          community: RunningCommunity, audit: RunningAudit) -> dict[str, httpx.AsyncClient]:
    return {"identity": identity.client, "engagement": engagement.client,
            "community": community.client, "audit": audit.client}


def _fields(identity: RunningIdentity, engagement: RunningEngagement,
            community: RunningCommunity, audit: RunningAudit) -> list[TextField]:
    return [f for service, app in (("identity", identity.app), ("engagement", engagement.app),
                                   ("community", community.app), ("audit", audit.app))
            for f in text_fields(service, app)]


@pytest.mark.slow
async def test_every_string_of_every_request_refuses_what_the_read_side_cannot_store(
        identity: RunningIdentity, engagement: RunningEngagement,
        community: RunningCommunity, audit: RunningAudit) -> None:
    fields = _fields(identity, engagement, community, audit)
    clients = _apps(identity, engagement, community, audit)
    people = await callers(identity, engagement, community)
    for field in fields:
        for what, value in BAD.items():
            if field.where != "json" and what == "half a surrogate pair":
                continue  # a form or a query is UTF-8 bytes, which cannot hold one
            try:
                await refused(clients[field.service], field, value, people)
            except AssertionError as failed:
                raise AssertionError(f"{what} in {field.name}: {failed}") from None
    await settled([identity.platform, engagement.platform, community.platform, audit.platform])
    assert await dead_letters(identity.platform) == []  # nothing got through to be lost
    walked = {(f.service, f.location) for f in fields}
    assert len(fields) > 60 and {
        ("community", "body.name"), ("engagement", "body.terms.programme"),
        ("identity", "body.display_name"), ("engagement", "body.attachments.0.filename"),
        ("audit", "query.actor"), ("identity", "body.client_secret")} <= walked, walked


def test_every_string_is_free_text_or_constrained(identity: RunningIdentity,
                                                  engagement: RunningEngagement,
                                                  community: RunningCommunity,
                                                  audit: RunningAudit) -> None:
    """A field typed plain ``str`` would take any text: each is either one of the shared free
    text types, or constrained by its schema, or checked otherwise for a stated reason."""
    loose = [f.name for f in _fields(identity, engagement, community, audit)
             if f.kind is None and not f.constrained and f.path not in CHECKED_OTHERWISE]
    assert loose == [], "use interlude.shared.text.SingleLine or MultiLine for these"
