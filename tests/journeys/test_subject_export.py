"""Subject access: a coachee exports their data. Every running service answers with its
section over NATS, one that is not running is named as missing and the export still completes;
the ZIP holds a JSON file per section, a page that opens, the audit trail's reads of their data,
and nothing of anyone else (the test seeds markers in other people's posts and comments and
scans the whole archive). Only whoever asked downloads it; another organisation's officer can
neither ask for nor download it."""

from __future__ import annotations

import io
import json
import zipfile
from html.parser import HTMLParser

from interlude.audit.app import retention
from interlude.audit.testing import RunningAudit
from interlude.community.testing import RunningCommunity
from interlude.engagement.testing import RunningEngagement
from interlude.identity.testing import Person, RunningIdentity
from interlude.notify.testing import RunningNotify
from interlude.shared.testing.eventually import eventually

from .community.cohort import cohort
from .engagement.journey import expect

EXPORTS = "/v1/audit/my-data/exports"
OTHERS_MARKERS = ("Ben Okafor", "Chloe Martin", "BEN-PRIVATE-QUESTION", "CHLOE-KIND-COMMENT",
                  "BEN-PRIVATE-CHECKIN")


def unzip(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


class _Text(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.text: list[str] = []

    def handle_data(self, data: str) -> None:
        self.text.append(data)


async def download(audit: RunningAudit, who: Person, export_id: str) -> dict[str, bytes]:
    response = await audit.client.get(f"{EXPORTS}/{export_id}/archive", headers=who.headers)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/zip"
    return unzip(response.content)


async def test_a_coachee_exports_their_data_and_nothing_of_anyone_else(
        identity: RunningIdentity, engagement: RunningEngagement, community: RunningCommunity,
        notify: RunningNotify, audit: RunningAudit) -> None:
    group = await cohort(identity, engagement, community,
                         pseudonyms={"Amira Haddad": "Quiet Heron"})
    amira, ben, chloe = (group.members[n] for n in ("Amira Haddad", "Ben Okafor",
                                                    "Chloe Martin"))
    api = community.client
    contract = group.contracts["Amira Haddad"]
    await expect(await engagement.client.post(f"/v1/contracts/{contract}/check-ins",
                                              headers=amira.headers,
                                              json={"text": "AMIRA-OWN-CHECKIN"}), 201)
    await expect(await engagement.client.post(
        f"/v1/contracts/{group.contracts['Ben Okafor']}/check-ins", headers=ben.headers,
        json={"text": "BEN-PRIVATE-CHECKIN"}), 201)
    mine = await expect(await api.post(f"{group.path}/posts", headers=amira.headers, json={
        "kind": "small_win", "body": "AMIRA-OWN-WIN: I said no and offered Friday."}), 201)
    await expect(await api.post(f"{group.path}/posts", headers=ben.headers, json={
        "kind": "question", "body": "BEN-PRIVATE-QUESTION: how do I say no?"}), 201)
    comment = await expect(await api.post(
        f"{group.path}/posts/{mine['id']}/comments", headers=chloe.headers,
        json={"body": "CHLOE-KIND-COMMENT: a great move."}), 201)
    await expect(await api.post(f"{group.path}/posts/{mine['id']}/comments",
                                headers=amira.headers,
                                json={"body": "AMIRA-OWN-REPLY: it felt scary.",
                                      "parent_id": comment["id"]}), 201)
    pinned = await expect(await api.put(f"{group.path}/posts/{mine['id']}/pin",
                                        headers=group.coach.headers,
                                        json={"note": "AMIRA-PIN-NOTE"}), 200)
    # the coach reads the feed (Amira's post is on it): a read of her data, by the coach
    await expect(await api.get(f"{group.path}/feed", headers=group.coach.headers,
                               params={"after": pinned["position"]}), 200)

    async def coach_read_recorded() -> bool:
        found = await audit.client.get("/v1/audit/my-data/accesses", headers=amira.headers)
        return any(e["service"] == "community" for e in found.json()["accesses"])

    await eventually(coach_read_recorded, timeout=10)

    made = await expect(await audit.client.post(EXPORTS, headers=amira.headers, json={}), 201)
    assert made["subject_id"] == made["requested_by"] == amira.user_id
    assert set(made["sections"]) == {"identity", "engagement", "community", "notify", "audit"}
    assert made["missing"] == {}

    files = await download(audit, amira, made["id"])
    assert {"manifest.json", "index.html", "identity.json", "engagement.json", "community.json",
            "audit.json"} <= set(files)
    account = json.loads(files["identity.json"])["account"]
    assert (account["id"], account["display_name"]) == (amira.user_id, "Amira Haddad")
    coaching = json.loads(files["engagement.json"])
    assert [c["your_part"] for c in coaching["contracts"]] == ["coachee"]
    assert [c["text"] for c in coaching["checkins"]] == ["AMIRA-OWN-CHECKIN"]
    manifest = json.loads(files["manifest.json"])
    assert manifest["missing"] == {} and manifest["on_behalf"] is False
    told = json.loads(files["notify.json"])["notifications"]
    assert "post_commented" in {n["kind"] for n in told}  # Chloe's comment: kind, no words
    section = json.loads(files["community.json"])
    assert [p["body"] for p in section["posts"]] == ["AMIRA-OWN-WIN: I said no and offered"
                                                     " Friday."]
    assert section["posts"][0]["pin_note"] == "AMIRA-PIN-NOTE"
    assert [c["body"] for c in section["comments"]] == ["AMIRA-OWN-REPLY: it felt scary."]
    assert section["memberships"][0]["pseudonym"] == "Quiet Heron"
    accesses = json.loads(files["audit.json"])["accesses"]
    assert any(a["service"] == "community" and a["reader"]["id"] is None for a in accesses)

    page = _Text()
    page.feed(files["index.html"].decode())
    text = " ".join(page.text)
    assert "AMIRA-OWN-WIN" in text and "Your notifications" in text
    everything = b"".join(files.values()).decode()
    assert not [m for m in OTHERS_MARKERS if m in everything]
    assert ben.user_id not in everything and chloe.user_id not in everything

    # listed for Amira; nobody else may fetch or download it
    listed = await expect(await audit.client.get(EXPORTS, headers=amira.headers), 200)
    assert [e["id"] for e in listed["exports"]] == [made["id"]]
    for who in (ben, group.coach):
        for path in (f"{EXPORTS}/{made['id']}", f"{EXPORTS}/{made['id']}/archive"):
            response = await audit.client.get(path, headers=who.headers)
            assert response.status_code == 404, (path, response.text)
        assert (await audit.client.get(EXPORTS, headers=who.headers)).json()["exports"] == []

    # asking and downloading are both in the trail, about Amira
    async def recorded() -> bool:
        actions = [r["action"] for r in await audit.admin.fetch(
            "SELECT action FROM audit_records WHERE tenant_id = $1 AND $2 = ANY(data_subjects)",
            group.admin.tenant_id, amira.user_id)]
        return {"audit.export", "audit.download"} <= set(actions)

    await eventually(recorded, timeout=10)


async def test_an_officer_asks_for_a_person_with_a_reason_and_others_are_refused(
        identity: RunningIdentity, audit: RunningAudit) -> None:
    admin = await identity.organisation("Northwind")
    amira = await identity.member(admin, "coachee", name="Amira Haddad")
    ben = await identity.member(admin, "coachee", name="Ben Okafor")
    officer = await identity.member(admin, "compliance_officer", name="Olga Officer")
    elsewhere = await identity.organisation("Elsewhere")
    stranger = await identity.member(elsewhere, "compliance_officer", name="Otto Officer")

    async def known() -> bool:  # audit's directory has them
        return await audit.admin.fetchval("SELECT count(*) FROM people WHERE user_id = $1",
                                          amira.user_id) == 1

    await eventually(known, timeout=10)

    refused = await audit.client.post(EXPORTS, headers=ben.headers,
                                      json={"subject_id": amira.user_id, "reason": "curious"})
    assert refused.status_code == 403, refused.text
    no_reason = await audit.client.post(EXPORTS, headers=officer.headers,
                                        json={"subject_id": amira.user_id})
    assert no_reason.status_code == 422 and "reason" in no_reason.json()["detail"]
    other_org = await audit.client.post(EXPORTS, headers=stranger.headers, json={
        "subject_id": amira.user_id, "reason": "a letter"})
    assert other_org.status_code == 404, other_org.text

    made = await expect(await audit.client.post(EXPORTS, headers=officer.headers, json={
        "subject_id": amira.user_id, "reason": "her letter of 1 December"}), 201)
    assert (made["subject_id"], made["requested_by"]) == (amira.user_id, officer.user_id)
    # engagement, community and notify are not running here: each is named, the rest is in
    assert made["missing"] == dict.fromkeys(("community", "engagement", "notify"),
                                            "did not answer within 2 s")
    assert made["sections"] == ["audit", "identity"]
    files = await download(audit, officer, made["id"])
    assert json.loads(files["manifest.json"])["reason"] == "her letter of 1 December"
    for who in (amira, stranger):  # only whoever asked downloads it
        response = await audit.client.get(f"{EXPORTS}/{made['id']}/archive",
                                          headers=who.headers)
        assert response.status_code == 404

    for bad in ({"subject_id": "a.b"}, {"reason": "x" * 501}, {"extra": 1}, [1]):
        response = await audit.client.post(EXPORTS, headers=officer.headers, json=bad)
        assert response.status_code == 422, (bad, response.text)
        assert response.headers["content-type"].startswith("application/problem+json")
    for path in (f"{EXPORTS}/not%20an%20id", f"{EXPORTS}/nope/archive"):
        response = await audit.client.get(path, headers=officer.headers)
        assert 400 <= response.status_code < 500


async def test_an_expired_export_is_removed_by_the_retention_job_which_reports_it(
        identity: RunningIdentity, audit: RunningAudit) -> None:
    admin = await identity.organisation("Northwind")
    amira = await identity.member(admin, "coachee", name="Amira Haddad")
    made = await expect(await audit.client.post(EXPORTS, headers=amira.headers, json={}), 201)
    kept = await expect(await audit.client.post(EXPORTS, headers=amira.headers, json={}), 201)
    await audit.admin.execute("UPDATE subject_exports SET expires_at = now() - interval '1 s'"
                              " WHERE export_id = $1", made["id"])  # a week has passed
    gone = await audit.client.get(f"{EXPORTS}/{made['id']}/archive", headers=amira.headers)
    assert gone.status_code == 404  # expired: no longer downloadable, even before removal

    reported: list[tuple[str, int]] = []

    async def report(tenant: str, _: object, removed: int) -> None:
        reported.append((tenant, removed))

    await retention.apply_retention(audit.platform.pool, audit.checkpointer, report)
    assert reported == [(admin.tenant_id, 1)]
    left = await audit.admin.fetch("SELECT export_id FROM subject_exports")
    assert [r["export_id"] for r in left] == [kept["id"]]
    await download(audit, amira, kept["id"])


async def test_a_person_holds_at_most_five_exports_at_once(identity: RunningIdentity,
                                                           audit: RunningAudit) -> None:
    admin = await identity.organisation("Northwind")
    amira = await identity.member(admin, "coachee", name="Amira Haddad")
    for _ in range(5):
        await expect(await audit.client.post(EXPORTS, headers=amira.headers, json={}), 201)
    refused = await audit.client.post(EXPORTS, headers=amira.headers, json={})
    assert refused.status_code == 429
    assert "download one of them" in refused.json()["detail"]
    assert int(refused.headers["Retry-After"]) > 6 * 24 * 3600  # the first expires in a week
