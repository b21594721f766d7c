"""A form refused comes back as that form, with what was typed or chosen, and the reason beside
it: an administrator's policy change without a reason stays under review (it used to end on
an error page), a session that cannot be booked says why in the booking form at the foot of a
long page (it used to say it at the top, and forget the mode chosen), and a contract or new
terms refused come back as typed (a refused proposal used to fail the page, refused terms
were thrown away, half the quiet hours dropped without a word)."""

from __future__ import annotations

import re

import httpx

from interlude.engagement.testing import RunningEngagement
from interlude.identity.testing import RunningIdentity
from interlude.web.testing import RunningWeb, signed_in_over_http

from .people import organisation_with_contract


def _token(page: httpx.Response) -> str:
    found = re.search(r'name="csrf" value="([^"]+)"', page.text)
    assert found is not None, page.text
    return found[1]


async def test_a_refused_form_comes_back_with_what_was_typed_and_why_beside_it(
        web: RunningWeb, identity: RunningIdentity, engagement: RunningEngagement) -> None:
    admin, coach, coachee, contract_id = await organisation_with_contract(identity, engagement)
    async with httpx.AsyncClient(base_url=web.url) as client:
        await signed_in_over_http(client, web, admin.email, admin.password)
        policy = await client.get("/admin/policy")
        form = {"csrf": _token(policy), "checkins.enabled": "on", "messaging.enabled": "on",
                "community.pseudonyms": "allowed", "community.peer_tagging": "on",
                "notify.channels": ["in_app", "email"], "notify.email_content": "none",
                "sponsor_reports.enabled": "on", "data.retention_days": "365",
                "notify.retention_days": "180", "export.self_service": "on",
                "materials.enabled": "on"}  # community switched off
        review = await client.post("/admin/policy/review", data=form)
        assert "Community: from on to off" in review.text
        blank = await client.post("/admin/policy", data={"csrf": _token(review),
                                                         "reason": "   "})
        assert blank.status_code == 400
        assert "<h1>Review the change</h1>" in blank.text  # not an error page
        assert "Community: from on to off" in blank.text  # the change is still there
        reason = blank.text.index('id="reason"')
        said = blank.text.index("Say why the policy changes")
        assert blank.text.index('for="reason"') < said < reason  # between label and field
        assert 'aria-describedby="reason-error"' in blank.text[reason:reason + 200]

        # a change to one person refused: said in that person's entry, opened, not at the top
        # of the page above the invitation form
        people = await client.get("/admin/people")
        kept = await client.post(f"/admin/people/{coach.user_id}/status", data={
            "csrf": _token(people), "action": "deactivate", "reason": "  "})
        assert kept.status_code == 400
        start = kept.text.index("<h2>Claire Coach</h2>")
        entry = kept.text[start:kept.text.find("<h2>", start + 1)]  # to the next person
        assert "<details open>" in entry and "Please check reason" in entry
        assert 'aria-describedby="invite-error"' not in kept.text  # not the invitation's

        # a SCIM token id mistyped: said beside the revoke form, the id kept; it used to be
        # a page saying it could not be found, the form gone
        sign_on = await client.get("/admin/sign-on")
        mistyped = await client.post("/admin/sign-on/scim-tokens/revoke", data={
            "csrf": _token(sign_on), "token_id": "tok_mistyped"})
        assert mistyped.status_code == 400
        said = mistyped.text.rindex("No SCIM token of your organisation has this id")
        assert mistyped.text.index('id="scim-heading"') < said
        assert said < mistyped.text.index('value="tok_mistyped"')
        assert 'aria-describedby="sign-on-error"' not in mistyped.text  # not the SSO form's

    async with httpx.AsyncClient(base_url=web.url) as client:
        await signed_in_over_http(client, web, coach.email, coach.password)
        sessions = f"/contracts/{contract_id}/sessions"
        page = await client.get(sessions)
        refused = await client.post(sessions, data={
            "csrf": _token(page), "day": "2027-01-06", "time": "10:00",
            "zone": "Mars/Olympus", "mode": "phone"})
        assert refused.status_code == 400
        form_at = refused.text.index('action="/contracts/' + contract_id + '/sessions"')
        assert "That time zone is unknown" in refused.text[form_at:]  # in the form too
        assert 'value="Mars/Olympus"' in refused.text
        assert '<option value="phone" selected>' in refused.text  # the mode chosen, kept

        # a contract the service refuses (she has one with this coach already) comes back
        # as typed; it used to fail the page ("Something went wrong on our side")
        terms = {"programme": "Growth 2027", "sessions_count": "9", "sessions_months": "6",
                 "sessions_minutes": "60", "sessions_mode": "video", "checkins": "yes",
                 "allowance_kind": "monthly", "replies_per_month": "8",
                 "reply_window_hours": "48", "sponsor_view": "attendance",
                 "retention_days": "365", "quiet_timezone": "UTC"}
        form = await client.get("/contracts/new")
        again = await client.post("/contracts/new", data={
            "csrf": _token(form), "coachee_id": coachee.user_id, **terms})
        assert again.status_code == 409, again.text
        assert "already has an open contract" in again.text
        assert 'value="Growth 2027"' in again.text and 'value="9"' in again.text

        # half the quiet hours is not dropped without a word, and what was typed stays
        amending = f"/contracts/{contract_id}/amendment"
        form = await client.get(amending)
        half = await client.post(amending, data={"csrf": _token(form), **terms,
                                                 "quiet_start": "21:30"})
        assert half.status_code == 400
        assert "both the start and the end of the quiet hours" in half.text
        assert 'value="21:30"' in half.text and 'value="9"' in half.text
