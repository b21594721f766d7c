"""Every command that takes free text, sent nasty but valid text in each such field, and read
back where the API shows it: the scenario of test_kept.py, one service at a time."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from interlude.community.testing import RunningCommunity
from interlude.engagement.testing import RunningEngagement, terms
from interlude.identity.testing import Person, RunningIdentity, password_links
from interlude.shared.runtime import Platform
from interlude.shared.testing.eventually import eventually

from .world import Recorder, nasty, strings

ORG = "/v1/organisations"
SPACES = "/v1/community/spaces"


async def dead_letters(platform: Platform) -> list[dict[str, str]]:
    """What every projection of every service set aside (they share the test's namespace)."""
    js, stream = platform.js, platform.stream("deadletter")
    state = (await js.stream_info(stream.name)).state
    found = []
    for seq in range(state.first_seq, state.last_seq + 1) if state.messages else ():
        message = await js.get_msg(stream.name, seq)
        found.append({k: v for k, v in (message.headers or {}).items()
                      if k.startswith("Interlude-")})
    return found


async def settled(platforms: list[Platform], timeout: float = 20.0) -> None:
    """Every consumer of every stream of the test's own namespace (other tests' streams share
    the server) has applied everything there is."""
    async def idle() -> bool:
        for platform in platforms:
            ours = platform.stream("deadletter").name.removesuffix("DEADLETTER")
            for info in await platform.js.streams_info():
                if not info.config.name.startswith(ours):
                    continue
                for consumer in await platform.js.consumers_info(info.config.name):
                    if consumer.num_pending or consumer.num_ack_pending:
                        return False
        return True

    await eventually(idle, timeout=timeout, interval=0.2, what="every projection caught up")


@dataclass
class World:
    recorder: Recorder
    identity: RunningIdentity
    engagement: RunningEngagement
    community: RunningCommunity
    people: dict[str, Person] = field(default_factory=dict)
    ids: dict[str, str] = field(default_factory=dict)

    async def send(self, service: str, method: str, url: str, who: str | dict[str, str] | None,
                   status: int = 200, **kwargs: Any) -> Any:
        headers = (self.people[who].headers if isinstance(who, str) else who) or {}
        return await self.recorder.send(service, method, url, headers=headers, status=status,
                                        **kwargs)

    async def shows(self, service: str, url: str, who: str, *values: str) -> None:
        """A GET of ``url`` shows every one of ``values`` (once the read model has them)."""
        seen: list[Any] = [None]

        async def shown() -> bool:  # a 404 until the read model has it
            response = await self.recorder.clients[service].get(
                url, headers=self.people[who].headers)
            seen[0] = response.json() if response.status_code == 200 else response.text
            return set(values) <= {text for _, text in strings(seen[0])}

        try:
            await eventually(shown, timeout=10, what=f"{url} showing the text sent")
        except AssertionError:
            shape = {".".join(map(str, p)): len(t) for p, t in strings(seen[0])}
            if isinstance(seen[0], str):
                shape = {"not found": seen[0][:300]}
            raise AssertionError(f"{url} shows strings of these lengths: {shape}") from None


class Kept:
    """The scenario: identity's people and organisation, engagement's contracts and content,
    community's space and posts, audit's purge and filters."""

    def __init__(self, world: World) -> None:
        self.w = world

    async def identity(self) -> None:
        w, name, admin_name, password = self.w, nasty(200), nasty(199), nasty(256)
        email = w.identity.unique_email("admin")
        done = await w.send("identity", "POST", ORG, await w.identity.service_headers(), 201,
                            json={"name": name, "admin_email": email, "admin_name": admin_name,
                                  "admin_password": password, "allowed_domains": ["example.org"]})
        signed_in = await w.send("identity", "POST", "/v1/sessions", None,
                                 json={"email": email, "password": password})
        w.ids["org"] = org = done["id"]
        w.people["admin"] = Person(signed_in["user_id"], org, email, password, ("org_admin",),
                                   signed_in["access_token"], signed_in["refresh_token"])
        await w.shows("identity", f"{ORG}/{org}", "admin", name)
        await w.shows("identity", f"{ORG}/{org}/users/{signed_in['user_id']}", "admin",
                      admin_name)
        for role, who in (("coach", "coach"), ("coachee", "amira"), ("coachee", "ben"),
                          ("coachee", "chloe"), ("compliance_officer", "officer"),
                          ("coachee", "leaver"), ("coach", "seeker")):
            await self._member(role, who)
        await w.send("identity", "PATCH", f"{ORG}/{org}/policy", "admin", json={
            "changes": {"messaging.attachments": True}, "reason": nasty(500)})
        await w.send("identity", "PUT", f"{ORG}/{org}/sso", "admin", json={
            "issuer": "https://login.example.org/tenant", "client_id": (client := nasty(200)),
            "client_secret": nasty(500), "allowed_domains": ["example.org"]})
        await w.shows("identity", f"{ORG}/{org}", "admin", client)
        await w.send("identity", "POST", f"{ORG}/{org}/scim-tokens", "admin", 201,
                     json={"label": nasty(200)})
        await self._passwords()

    async def _passwords(self) -> None:
        """A nasty password changed to another, and one chosen through a password link; each
        signs its person in."""
        w, changed, chosen = self.w, nasty(256), nasty(255)
        seeker, chloe = w.people["seeker"], w.people["chloe"]
        data = await w.send("identity", "POST", "/v1/me/password", "seeker", json={
            "current_password": seeker.password, "new_password": changed})
        w.people["seeker"] = Person(seeker.user_id, seeker.tenant_id, seeker.email, changed,
                                    seeker.roles, data["access_token"], data["refresh_token"])
        await w.send("identity", "POST", "/v1/password-resets", None, 202,
                     json={"email": chloe.email})
        [token] = await password_links(w.identity, chloe)
        data = await w.send("identity", "POST", "/v1/password-resets/accept", None,
                            json={"token": token, "password": chosen})
        w.people["chloe"] = Person(chloe.user_id, chloe.tenant_id, chloe.email, chosen,
                                   chloe.roles, data["access_token"], data["refresh_token"])
        for person in (w.people["seeker"], w.people["chloe"]):
            await w.send("identity", "POST", "/v1/sessions", None,
                         json={"email": person.email, "password": person.password})

    async def _member(self, role: str, who: str) -> None:
        """Invited under a nasty name, accepted with a nasty password; the name reads back."""
        w, name, password = self.w, nasty(200), nasty(256)
        email = w.identity.unique_email(who)
        invited = await w.send("identity", "POST", f"{ORG}/{w.ids['org']}/invitations", "admin",
                               201, json={"email": email, "display_name": name, "roles": [role]})
        data = await w.send("identity", "POST", "/v1/invitations/accept", None,
                            json={"token": invited["token"], "password": password})
        w.people[who] = Person(data["user_id"], data["tenant_id"], email, password, (role,),
                               data["access_token"], data["refresh_token"])
        w.ids[f"{who}_name"] = name
        await w.shows("identity", f"{ORG}/{w.ids['org']}/users/{data['user_id']}", "admin", name)

    async def engagement(self) -> None:
        w = self.w
        await eventually(lambda: w.engagement.app.state.trust.cache.policy_version(
            w.ids["org"]) == 2, timeout=10, what="engagement knowing the new policy")
        community = {"checkins": True, "messaging": True, "community": True}
        consents = {"pin_insights": True, "peer_tagging": True, "share_posts": True}
        for who in ("amira", "chloe"):
            w.ids[who] = await self._contract(who, terms(programme=nasty(80),
                                                         channels=community, consents=consents))
        space = nasty(64)
        ben = w.ids["ben"] = await self._contract("ben", terms(
            channels={**community, "community_space": space}))
        path = f"/v1/contracts/{ben}"
        outside = {"uses": [{"platform": nasty(60), "use": nasty(200)}],
                   "note": nasty(2000, multi_line=True)}
        amended = terms(programme=(programme := nasty(80)),
                        channels={**community, "community_space": nasty(63)},
                        outside_platforms=outside)
        await w.send("engagement", "POST", f"{path}/amendments", "coach", 201,
                     json={"terms": amended})
        await w.shows("engagement", path, "ben", space, programme)
        proposed = await w.send("engagement", "POST", "/v1/contracts", "coach", 201, json={
            "coachee_id": w.people["leaver"].user_id, "terms": terms(outside_platforms=outside)})
        await w.shows("engagement", f"/v1/contracts/{proposed['id']}", "coach",
                      outside["note"], outside["uses"][0]["platform"], outside["uses"][0]["use"])
        await w.shows("engagement", "/v1/dashboard", "coach", w.ids["ben_name"])  # its directory
        await self._sessions(ben)
        await self._content(w.ids["amira"])
        await w.send("engagement", "POST", f"{path}/ending", "ben",
                     json={"reason": nasty(2000, multi_line=True)})

    async def _contract(self, who: str, agreed: dict[str, Any]) -> str:
        w = self.w
        written = await w.send("engagement", "POST", "/v1/contracts", "coach", 201,
                               json={"coachee_id": w.people[who].user_id, "terms": agreed})
        for signer in ("coach", who):
            await w.send("engagement", "POST", f"/v1/contracts/{written['id']}/signatures",
                         signer, json={})
        await w.shows("engagement", f"/v1/contracts/{written['id']}", who, agreed["programme"])
        return str(written["id"])

    async def _sessions(self, contract_id: str) -> None:
        w, path = self.w, f"/v1/contracts/{contract_id}/sessions"
        session = await w.send("engagement", "POST", path, "coach", 201,
                               json={"starts_at": (datetime.now(UTC) + timedelta(
                                   days=60)).replace(microsecond=0).isoformat()})
        reason = nasty(2000, multi_line=True)
        await w.send("engagement", "POST", f"{path}/{session['id']}/cancellation", "coach",
                     json={"reason": reason})
        await w.shows("engagement", path, "coach", "cancelled")  # the reason is not shown

    async def _content(self, contract_id: str) -> None:
        w, path, long = self.w, f"/v1/contracts/{contract_id}", 20_000
        text, question = nasty(long, multi_line=True), nasty(long, multi_line=True)
        check_in = await w.send("engagement", "POST", f"{path}/check-ins", "amira", 201,
                                json={"text": text, "mood": 4})
        await w.send("engagement", "POST", f"{path}/check-ins/{check_in['id']}/acknowledgements",
                     "coach", json={"kind": "question", "question": question})
        await w.shows("engagement", f"{path}/check-ins", "coach", text, question)
        body, filename = nasty(long, multi_line=True), nasty(255)
        await w.send("engagement", "POST", f"{path}/messages", "amira", 201, json={
            "body": body, "attachments": [
                {"filename": filename, "media_type": "text/plain", "size": 12}]})
        await w.shows("engagement", f"{path}/messages", "coach", body, filename)
        title, note = nasty(500), nasty(long, multi_line=True)
        goal = await w.send("engagement", "POST", f"{path}/goals", "amira", 201,
                            json={"title": title})
        await w.send("engagement", "POST", f"{path}/goals/{goal['id']}/progress", "amira", 201,
                     json={"note": note, "progress": 40})
        texts = [nasty(long, multi_line=True) for _ in range(4)]
        experiment = await w.send("engagement", "POST", f"{path}/experiments", "amira", 201,
                                  json={"belief": texts[0], "behaviour": texts[1]})
        await w.send("engagement", "POST", f"{path}/experiments/{experiment['id']}/report",
                     "amira", json={"result": texts[2], "learning": texts[3]})
        await w.shows("engagement", f"{path}/goals", "coach", title, note, *texts)
        title, url, why = nasty(300), "https://example.org/" + nasty(1980), nasty(
            2000, multi_line=True)
        material = await w.send("engagement", "POST", f"{path}/materials", "coach", 201,
                                json={"title": title, "url": url, "note": why})
        reflection = nasty(long, multi_line=True)
        await w.send("engagement", "POST", f"{path}/materials/{material['id']}/done", "amira",
                     json={"reflection": reflection})
        await w.shows("engagement", f"{path}/materials", "coach", title, url, why, reflection)

    async def community(self) -> None:
        w = self.w
        name, description = nasty(120), nasty(2000, multi_line=True)
        space = await w.send("community", "POST", SPACES, "coach", 201,
                             json={"name": name, "description": description})
        path = w.ids["space"] = f"{SPACES}/{space['id']}"
        await w.shows("community", path, "coach", name, description)
        pseudonyms = {"amira": "O'Leary-Heron 7", "chloe": "Quiet   Wren"}  # the domain's shape
        for who, pseudonym in pseudonyms.items():
            await w.send("community", "POST", f"{path}/invitations", "coach",
                         json={"user_id": w.people[who].user_id})
            await w.send("community", "POST", f"{path}/join", who, json={"pseudonym": pseudonym})
        await w.shows("community", path, "amira", "O'Leary-Heron 7")
        await self._posts(path)
        await self._rehearsal(path)
        await self._material(path)
        await self._circle()

    async def _material(self, path: str) -> None:
        """A material shared with the space, read back by a member."""
        w = self.w
        title, url = nasty(300), "https://example.org/" + nasty(1980)
        why = nasty(2000, multi_line=True)
        await w.send("community", "POST", f"{path}/materials", "coach", 201,
                     json={"kind": "link", "title": title, "url": url, "note": why})
        await w.shows("community", f"{path}/materials", "amira", title, url, why)

    async def _circle(self) -> None:
        """A findable peer circle, found by its challenge, asked into with a note."""
        w = self.w
        methodology, challenge = nasty(200), nasty(120)
        context, note = nasty(1000, multi_line=True), nasty(1000, multi_line=True)
        circle = await w.send("community", "POST", SPACES, "coach", 201, json={
            "kind": "peer_circle", "name": nasty(120), "pseudonymous": False,
            "methodology": methodology, "challenges": [challenge], "context": context,
            "findable": True})
        found: list[str] = []

        async def findable() -> bool:
            answer = await w.send("community", "GET", "/v1/community/circles", "seeker",
                                  params={"challenge": challenge, "methodology": methodology,
                                          "q": nasty(120)[:40]})
            found[:] = [c["space_id"] for c in answer["circles"]
                        if (c["methodology"], c["challenges"], c["context"]) ==
                        (methodology, [challenge], context)]
            return bool(found)

        await eventually(findable, timeout=10, what="the circle found by its challenge")
        path = f"{SPACES}/{circle['id']}"
        await w.send("community", "POST", f"{path}/join-requests", "seeker", json={"note": note})
        await w.shows("community", f"{path}/join-requests", "coach", note)

    async def _posts(self, path: str) -> None:
        w, long = self.w, 5000
        body, edited, comment = (nasty(long, multi_line=True) for _ in range(3))
        post = await w.send("community", "POST", f"{path}/posts", "amira", 201,
                            json={"body": body})
        post_path = f"{path}/posts/{post['id']}"
        await w.send("community", "PATCH", post_path, "amira", json={"body": edited})
        await w.send("community", "POST", f"{post_path}/comments", "chloe", 201,
                     json={"body": comment})
        await w.shows("community", post_path, "chloe", edited, comment)
        await w.send("community", "POST", f"{post_path}/tags", "amira",
                     json={"pseudonym": "quiet wren"})
        note, reason = nasty(1000, multi_line=True), nasty(1000, multi_line=True)
        await w.send("community", "PUT", f"{post_path}/pin", "coach", json={"note": note})
        await w.shows("community", f"{path}/feed", "chloe", note)
        await w.send("community", "POST", f"{post_path}/reports", "chloe", json={"reason": reason})
        await w.shows("community", f"{path}/reports", "coach", reason)
        handle = (await w.send("community", "GET", path, "chloe"))["you"]["handle"]
        why = nasty(1000, multi_line=True)
        await w.send("community", "POST", f"{path}/members/{handle}/reveal", "coach",
                     json={"reason": why})
        await w.shows("notify", "/v1/notify/notifications", "chloe", why)  # told
        await w.shows("community", path, "coach", w.ids["chloe_name"])  # community's directory

    async def _rehearsal(self, path: str) -> None:
        w = self.w
        draft, revised, feedback = (nasty(5000, multi_line=True) for _ in range(3))
        rehearsal = await w.send("community", "POST", f"{path}/rehearsals", "amira", 201,
                                 json={"body": draft})
        url = f"{path}/rehearsals/{rehearsal['id']}"
        await w.send("community", "PATCH", url, "amira", json={"body": revised})
        await w.send("community", "POST", f"{url}/feedback", "coach", json={"body": feedback})
        await w.shows("community", url, "amira", revised, feedback)

    async def audit(self) -> None:
        w, filters = self.w, {k: nasty(200) for k in ("actor", "subject", "action",
                                                      "target_type", "target_id")}
        await w.send("audit", "GET", "/v1/audit/records", "officer", params=filters)
        await w.send("audit", "POST", "/v1/audit/purges", "officer",
                     json={"reason": nasty(500)})
        reason = nasty(500)

        async def exported() -> bool:  # once audit's directory has the person
            response = await w.recorder.clients["audit"].post(
                "/v1/audit/my-data/exports", headers=w.people["officer"].headers,
                json={"subject_id": w.people["amira"].user_id, "reason": reason})
            return response.status_code == 201

        await eventually(exported, timeout=10, what="audit knowing the person")
        again = nasty(500)  # and through the recorder, which keeps what each field was sent
        await w.send("audit", "POST", "/v1/audit/my-data/exports", "officer", 201,
                     json={"subject_id": w.people["amira"].user_id, "reason": again})
        await w.shows("audit", "/v1/audit/my-data/exports", "officer", reason, again)

    async def leaving(self) -> None:
        w, org, leaver = self.w, self.w.ids["org"], self.w.people["leaver"].user_id
        await w.send("identity", "POST", f"{ORG}/{org}/users/{leaver}/deactivate", "admin",
                     json={"reason": nasty(500)})
        await w.send("identity", "POST", f"{ORG}/{org}/erasures", "officer", 202,
                     json={"subject_id": leaver, "reason": nasty(500)})
        # nothing to read back: the reasons stay in the events, and the person is forgotten
        client, url = w.recorder.clients["identity"], f"{ORG}/{org}/users/{leaver}"

        async def forgotten() -> bool:
            response = await client.get(url, headers=w.people["admin"].headers)
            return response.status_code == 404

        await eventually(forgotten, timeout=10, what="the leaver forgotten")
