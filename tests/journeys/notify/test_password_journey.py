"""A forgotten password on the real stack (identity, notify, a real SMTP server): the link is
e-mailed to the person alone, works once and signs them in; an administrator has it sent
without ever seeing it; nothing of it is kept in notify's tables in clear."""

from __future__ import annotations

import re

from interlude.identity.testing import PASSWORD, RunningIdentity
from interlude.notify.outbound_testing import everything
from interlude.notify.testing import RunningNotify

from ..engagement.journey import expect
from .outbound import sending

LINK = re.compile(r"https?://\S+/password-reset/(\S+)")
NEW = "a much longer passphrase, 2026"


async def test_a_forgotten_password_is_chosen_anew_through_the_link_e_mailed(
        identity: RunningIdentity, notify: RunningNotify) -> None:
    admin = await identity.organisation()
    coachee = await identity.member(admin, "coachee", name="Amira Haddad")
    async with sending(notify) as mail:
        asked = await identity.client.post("/v1/password-resets",
                                           json={"email": coachee.email})
        assert asked.status_code == 202
        [message] = await mail.arrived(coachee.email, "new password")
        [token] = LINK.findall(everything(message))
        assert len(mail.messages(about="new password")) == 1  # to that person alone

        sent = await expect(await identity.client.post(
            f"/v1/organisations/{admin.tenant_id}/users/{coachee.user_id}/password-reset",
            headers=admin.headers), 202)
        assert "token" not in sent
        [_, newer] = await mail.arrived(coachee.email, "new password", count=2)
        [second] = LINK.findall(everything(newer))

    for table in await notify.platform.pool.fetch(
            "SELECT table_name FROM information_schema.tables WHERE table_schema ="
            " current_schema()"):
        rows = await notify.platform.pool.fetch(f'SELECT * FROM "{table["table_name"]}"')
        assert second not in repr([dict(r) for r in rows]), table["table_name"]

    first = await identity.client.post("/v1/password-resets/accept",
                                       json={"token": token, "password": NEW})
    assert first.status_code == 404  # replaced by the administrator's
    await expect(await identity.client.post("/v1/password-resets/accept",
                                            json={"token": second, "password": NEW}), 200)
    signed_in = await identity.client.post("/v1/sessions", json={
        "email": coachee.email, "password": NEW})
    assert signed_in.status_code == 200
    old = await identity.client.post("/v1/sessions", json={
        "email": coachee.email, "password": PASSWORD})
    assert old.status_code == 401
