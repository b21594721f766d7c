"""My data in the browser: a coachee reaches it from the menu, reads in plain words that their
coach read their check-ins and that someone was refused, exports everything and downloads a
real ZIP (manifest.json and index.html inside), with the parts that did not answer named. When
the organisation switches self-service export off the page says whom to ask, and the
compliance officer exports the coachee's data, chosen by name, with a reason."""

from __future__ import annotations

import io
import json
import zipfile
from collections.abc import AsyncIterator

import pytest
from playwright.async_api import Browser, Page

from interlude.audit.testing import RunningAudit
from interlude.engagement.testing import RunningEngagement
from interlude.identity.testing import RunningIdentity
from interlude.shared.testing.eventually import eventually
from interlude.web.testing import RunningWeb, running_web

from .conftest import DESKTOP
from .people import checked_at_both_widths, expect, organisation_with_contract, sign_in

pytestmark = pytest.mark.browser


@pytest.fixture
async def web_with_audit(identity: RunningIdentity, engagement: RunningEngagement,
                         audit: RunningAudit) -> AsyncIterator[RunningWeb]:
    async with running_web({"identity": identity.app, "engagement": engagement.app,
                            "audit": audit.app}) as running:
        yield running


async def _downloaded(page: Page, link: str) -> dict[str, bytes]:
    async with page.expect_download() as started:
        await page.get_by_role("link", name=link).first.click()
    download = await started.value
    path = await download.path()
    assert path is not None
    with zipfile.ZipFile(io.BytesIO(path.read_bytes())) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


async def test_a_coachee_sees_who_read_their_data_and_downloads_all_of_it(
        browser: Browser, web_with_audit: RunningWeb, identity: RunningIdentity,
        engagement: RunningEngagement) -> None:
    admin, coach, coachee, contract_id = await organisation_with_contract(identity, engagement)
    officer = await identity.member(admin, "compliance_officer", name="Carla Compliance")
    path = f"/v1/contracts/{contract_id}/check-ins"
    await expect(await engagement.client.post(path, headers=coachee.headers,
                                              json={"text": "a hard week"}), 201)
    await expect(await engagement.client.get(path, headers=coach.headers), 200)
    intruder = await identity.member(admin, "coach", name="Igor Intruder")
    assert (await engagement.client.get(path, headers=intruder.headers)).status_code == 404
    context = await browser.new_context(base_url=web_with_audit.url, viewport=DESKTOP,
                                        accept_downloads=True)
    office = await browser.new_context(base_url=web_with_audit.url, viewport=DESKTOP,
                                       accept_downloads=True)
    try:
        page = await sign_in(context, coachee)
        await page.get_by_role("link", name="My data").first.click()

        async def both_reads() -> bool:
            await page.reload()
            shown = await page.inner_text("main")
            return "Igor Intruder" in shown and "Claire Coach (a coach) read your check-ins" \
                in shown

        await eventually(both_reads, timeout=10, what="the reads in audit's trail")
        shown = await page.inner_text("main")
        assert "Igor Intruder (a coach) tried to read your check-ins and was refused" in shown
        assert "Refused because: not a party to the contract" in shown
        assert "a hard week" not in shown  # who and what kind, never the content

        await page.get_by_role("button", name="Export my data").click()
        shown = await page.inner_text("main")
        assert "Your export is ready" in shown
        # community is not running here: named as missing
        assert "what you wrote in the community" in shown and "did not answer in time" in shown
        files = await _downloaded(page, "Download the ZIP")
        assert {"manifest.json", "index.html"} <= set(files)
        manifest = json.loads(files["manifest.json"])
        assert manifest["subject_id"] == coachee.user_id
        assert any(b"a hard week" in data for data in files.values())
        violations = await checked_at_both_widths(page, "my-data")

        await expect(await identity.client.patch(
            f"/v1/organisations/{admin.tenant_id}/policy", headers=admin.headers,
            json={"changes": {"export.self_service": False}, "reason": "officers only"}), 200)

        async def switched_off() -> bool:
            await page.goto("/my-data")
            await page.get_by_role("button", name="Export my data").click()
            return "switched off exporting your own data" in await page.inner_text("main")

        await eventually(switched_off, timeout=10, what="audit's copy of the policy")
        assert "compliance officer" in await page.inner_text("main")

        desk = await sign_in(office, officer)
        await desk.get_by_role("link", name="Data exports").first.click()
        await desk.get_by_label("Or their id, if they are not in the list").fill("nobody-here")
        await desk.get_by_label("Why, for the record").fill("Her request of 3 March")
        await desk.get_by_role("button", name="Export their data").click()
        assert "There is no such person" in await desk.inner_text("main")
        assert await desk.get_by_label("Why, for the record").input_value() == \
            "Her request of 3 March"  # what was typed is kept
        await desk.get_by_label("Or their id, if they are not in the list").fill("")
        await desk.get_by_label("The person").select_option(label="Amira Haddad")
        await desk.get_by_role("button", name="Export their data").click()
        shown = await desk.inner_text("main")
        assert "The export is ready" in shown and "Amira Haddad" in shown
        assert "Her request of 3 March" in shown
        files = await _downloaded(desk, "Download the ZIP")
        assert json.loads(files["manifest.json"])["subject_id"] == coachee.user_id
        violations += await checked_at_both_widths(desk, "compliance-exports")
        theirs = await desk.get_by_role("link", name="Download the ZIP").first.get_attribute(
            "href")
        assert theirs is not None
        refused = await page.goto(theirs)  # about Amira, but the officer asked: not hers
        assert refused is not None and refused.status == 404
    finally:
        await context.close()
        await office.close()
    assert violations == []
