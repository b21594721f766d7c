"""Nasty but valid text in every free-text field of every command (emoji, right-to-left script,
combining marks, astral letters, line breaks and tabs where lines are allowed, at the field's
maximum length) is accepted, and reads back where the API shows it; no projection of any
service dead-letters any of it. A text field added to a request body and not sent here fails
the test, until it is sent (or listed below with the reason it cannot be)."""

from __future__ import annotations

import pytest

from interlude.audit.testing import RunningAudit
from interlude.community.testing import RunningCommunity
from interlude.engagement.testing import RunningEngagement
from interlude.identity.testing import RunningIdentity
from interlude.notify.testing import RunningNotify

from .fields import TextField, text_fields
from .kept import Kept, World, dead_letters, settled
from .world import Recorder, nasty

# text fields a client cannot choose freely: the server issued the value, or it is one word
NOT_CHOSEN = {
    ("identity", "body.token"): "the invitation token the server issued",
    ("identity", "body.refresh_token"): "a refresh token the server issued",
    ("identity", "body.ticket"): "a sign-in ticket the server issued",
    ("identity", "body.code"): "a single sign-on code the server issued",
    ("identity", "body.otp"): "the six digits of the second factor",
    ("identity", "body.grant_type"): "the one word client_credentials",
    ("identity", "body.client_secret"): "(service tokens) the secret derived from the master "
                                        "secret; (single sign-on) sent below",
}


def _fields(identity: RunningIdentity, engagement: RunningEngagement,
            community: RunningCommunity, audit: RunningAudit) -> list[TextField]:
    return [f for service, app in (("identity", identity.app), ("engagement", engagement.app),
                                   ("community", community.app), ("audit", audit.app))
            for f in text_fields(service, app) if f.kind is not None]


@pytest.mark.slow
async def test_nasty_but_valid_text_is_accepted_and_reads_back(
        identity: RunningIdentity, engagement: RunningEngagement,
        community: RunningCommunity, audit: RunningAudit, notify: RunningNotify) -> None:
    recorder = Recorder(
        {"identity": identity.client, "engagement": engagement.client,
         "community": community.client, "audit": audit.client, "notify": notify.client},
        {"identity": identity.app, "engagement": engagement.app, "community": community.app,
         "audit": audit.app, "notify": notify.app})
    world = World(recorder, identity, engagement, community)
    kept = Kept(world)
    await kept.identity()
    await kept.engagement()
    await kept.community()
    await kept.audit()
    await kept.leaving()

    await settled([identity.platform, engagement.platform, community.platform, audit.platform,
                   notify.platform])
    assert await dead_letters(identity.platform) == []
    missing = [name for name in recorder.missing(_fields(identity, engagement, community, audit))
               if not any(name.endswith(f" {loc}") and name.startswith(service)
                          for service, loc in NOT_CHOSEN)]
    assert missing == [], "send these fields nasty text in tests/journeys/text/kept.py: " + \
        "; ".join(missing)


def test_the_nasty_text_is_what_it_claims() -> None:
    single, multi = nasty(200), nasty(2000, multi_line=True)
    assert (len(single), len(multi)) == (200, 2000)
    assert "\n" not in single and "\n" in multi and "\r\n" in multi and "\t" in multi
    assert "\u0301" in single and "\u200f" in single and "👩🏽‍💻" in single
    assert not single[-1].isspace() and not single[0].isspace()
