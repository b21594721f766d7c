"""Single sign-on against a real OpenID Connect provider over HTTP, driven like a browser: our
login URL, the provider's authorization endpoint, back to our callback."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from interlude.identity.oidc_test_provider import OidcTestProvider, TestUser, s256
from interlude.identity.testing import Person, RunningIdentity
from interlude.shared.eventstore.base import decode_commit

PROBLEM = "urn:interlude:problem:"


@pytest.fixture
async def provider() -> AsyncIterator[OidcTestProvider]:
    async with OidcTestProvider() as running:
        yield running


async def configure(identity: RunningIdentity, admin: Person, provider: OidcTestProvider,
                    roles: tuple[str, ...] = ("coachee",),
                    domains: tuple[str, ...] = ("example.org",)) -> None:
    response = await identity.client.put(
        f"/v1/organisations/{admin.tenant_id}/sso", headers=admin.headers, json={
            "issuer": provider.issuer, "client_id": provider.client_id,
            "client_secret": provider.client_secret, "allowed_domains": list(domains),
            "default_roles": list(roles)})
    assert response.status_code == 200, response.text


async def through_provider(identity: RunningIdentity, org_id: str, *,
                           return_to: str | None = None,
                           tamper: Callable[[str], str] | None = None) -> str:
    """Our login, then the provider's authorization endpoint over real HTTP; the path and query
    of our callback it sends the browser back to."""
    params = {"return_to": return_to} if return_to else {}
    start = await identity.client.get(f"/v1/organisations/{org_id}/sso/login", params=params)
    assert start.status_code == 302, start.text
    authorize = start.headers["location"]
    async with httpx.AsyncClient() as browser:
        back = await browser.get(tamper(authorize) if tamper else authorize)
    assert back.status_code == 302, back.text
    callback = urlsplit(back.headers["location"])
    assert f"{callback.scheme}://{callback.netloc}" == identity.settings.public_url
    return f"{callback.path}?{callback.query}"


async def sign_in(identity: RunningIdentity, org_id: str, *, return_to: str | None = None,
                  tamper: Callable[[str], str] | None = None) -> httpx.Response:
    callback = await through_provider(identity, org_id, return_to=return_to, tamper=tamper)
    return await identity.client.get(callback)


def problem(response: httpx.Response, status: int, slug: str) -> str:
    assert response.status_code == status, response.text
    assert response.json()["type"] == PROBLEM + slug, response.text
    return response.json()["detail"]


async def me(identity: RunningIdentity, access_token: str) -> dict:
    response = await identity.client.get("/v1/me", headers={
        "Authorization": f"Bearer {access_token}"})
    assert response.status_code == 200, response.text
    return response.json()


async def last_access_event(identity: RunningIdentity) -> dict:
    stream = identity.platform.stream("access").name
    info = await identity.platform.js.stream_info(stream)
    message = await identity.platform.js.get_msg(stream, info.state.last_seq)
    (event,) = decode_commit(message.data)
    return {"type": event.type, "tenant_id": event.tenant_id, **event.payload}


async def test_a_new_person_is_provisioned_with_the_default_roles_and_signed_in(
        identity: RunningIdentity, provider: OidcTestProvider) -> None:
    admin = await identity.organisation()
    await configure(identity, admin, provider, roles=("coach", "coachee"))
    provider.user = TestUser(identity.unique_email("sso"), name="Sam Single")

    response = await sign_in(identity, admin.tenant_id)

    assert response.status_code == 200, response.text
    assert response.headers["cache-control"] == "no-store"
    tokens = response.json()
    assert tokens["tenant_id"] == admin.tenant_id and tokens["roles"] == ["coach", "coachee"]
    assert tokens["user_id"] not in (admin.user_id,)
    who = await me(identity, tokens["access_token"])
    assert who["user_id"] == tokens["user_id"] and who["amr"] == ["oidc"]
    assert who["roles"] == ["coach", "coachee"]
    assert provider.token_answers[-1][0] == 200

    again = await sign_in(identity, admin.tenant_id)  # the second time: the same person
    assert again.status_code == 200 and again.json()["user_id"] == tokens["user_id"]


async def test_return_to_gets_a_one_time_code_and_only_our_web_app_may_ask(
        identity: RunningIdentity, provider: OidcTestProvider) -> None:
    admin = await identity.organisation()
    await configure(identity, admin, provider)
    provider.user = TestUser(identity.unique_email("sso"))
    web = identity.settings.web_url

    response = await sign_in(identity, admin.tenant_id, return_to=f"{web}/after/sign-in?x=1")

    assert response.status_code == 303, response.text
    location = response.headers["location"]
    assert "#" not in location and "access_token" not in location  # no token in an address
    target, _, query = location.partition("?")
    assert target == f"{web}/after/sign-in"
    params = {k: v[0] for k, v in parse_qs(query).items()}
    assert params["x"] == "1"
    exchanged = await identity.client.post("/v1/sso/tokens", json={"code": params["code"]})
    assert exchanged.status_code == 200, exchanged.text
    assert exchanged.headers["cache-control"] == "no-store"
    tokens = exchanged.json()
    assert tokens["roles"] == ["coachee"] and tokens["token_type"] == "Bearer"
    assert (await me(identity, tokens["access_token"]))["user_id"] == tokens["user_id"]
    again = await identity.client.post("/v1/sso/tokens", json={"code": params["code"]})
    assert "expired or was already used" in problem(again, 400, "sso-code-invalid")
    for elsewhere in ("https://evil.example/after", f"{web}.evil.example/x", f"{web}/x#y"):
        refused = await identity.client.get(f"/v1/organisations/{admin.tenant_id}/sso/login",
                                            params={"return_to": elsewhere})
        problem(refused, 400, "sso-return-invalid")


async def test_a_code_for_a_person_deactivated_since_gives_no_tokens(
        identity: RunningIdentity, provider: OidcTestProvider) -> None:
    admin = await identity.organisation()
    await configure(identity, admin, provider)
    provider.user = TestUser(identity.unique_email("sso"))
    response = await sign_in(identity, admin.tenant_id,
                             return_to=f"{identity.settings.web_url}/done")
    code = parse_qs(response.headers["location"].partition("?")[2])["code"][0]
    user_id = (await last_access_event(identity))["resource_id"]
    gone = await identity.client.post(
        f"/v1/organisations/{admin.tenant_id}/users/{user_id}/deactivate",
        headers=admin.headers, json={"reason": "left the company"})
    assert gone.status_code == 200, gone.text

    refused = await identity.client.post("/v1/sso/tokens", json={"code": code})

    problem(refused, 403, "sso-account-refused")


async def test_an_invited_and_accepted_person_is_matched_by_email(
        identity: RunningIdentity) -> None:
    async with OidcTestProvider(auth_methods=("client_secret_post",)) as provider:
        admin = await identity.organisation()
        member = await identity.member(admin, "coach")
        await configure(identity, admin, provider, roles=("coachee",))
        provider.user = TestUser(member.email.upper())  # addresses match whatever their case

        response = await sign_in(identity, admin.tenant_id)

    assert response.status_code == 200, response.text
    assert response.json()["user_id"] == member.user_id
    assert response.json()["roles"] == ["coach"]  # their own roles, not the default ones


async def test_an_address_outside_the_allowed_domains_is_refused_and_recorded(
        identity: RunningIdentity, provider: OidcTestProvider) -> None:
    admin = await identity.organisation()
    await configure(identity, admin, provider, domains=("example.org",))
    provider.user = TestUser("mallory@elsewhere.net")

    detail = problem(await sign_in(identity, admin.tenant_id), 403, "sso-domain-not-allowed")

    assert "elsewhere.net" in detail and "example.org" in detail
    event = await last_access_event(identity)
    assert event["type"] == "access.AccessDenied" and event["tenant_id"] == admin.tenant_id
    assert event["action"] == "login" and event["reason"] == "sso:domain-not-allowed"


async def test_an_unverified_email_is_refused(identity: RunningIdentity,
                                              provider: OidcTestProvider) -> None:
    admin = await identity.organisation()
    await configure(identity, admin, provider)
    provider.user = TestUser(identity.unique_email("sso"), email_verified=False)

    problem(await sign_in(identity, admin.tenant_id), 403, "sso-email-unverified")


async def test_a_replayed_state_or_code_is_refused(identity: RunningIdentity,
                                                   provider: OidcTestProvider) -> None:
    admin = await identity.organisation()
    await configure(identity, admin, provider)
    provider.user = TestUser(identity.unique_email("sso"))
    callback = await through_provider(identity, admin.tenant_id)
    assert (await identity.client.get(callback)).status_code == 200

    problem(await identity.client.get(callback), 400, "sso-state-invalid")

    used_code = parse_qs(urlsplit(callback).query)["code"][0]
    fresh = parse_qs(urlsplit(await through_provider(identity, admin.tenant_id)).query)
    replay = await identity.client.get("/v1/sso/callback", params={
        "state": fresh["state"][0], "code": used_code})
    problem(replay, 401, "sso-failed")
    assert provider.token_answers[-1] == (400, {"error": "invalid_grant",
                                                "error_description": "unknown or used code"})


@pytest.mark.parametrize(("misbehaviour", "named"), [("wrong-nonce", "nonce"),
                                                     ("foreign-key", "signature")])
async def test_an_id_token_not_for_this_sign_in_is_refused(
        identity: RunningIdentity, provider: OidcTestProvider, misbehaviour: str,
        named: str) -> None:
    admin = await identity.organisation()
    await configure(identity, admin, provider)
    provider.user = TestUser(identity.unique_email("sso"))
    provider.misbehave.add(misbehaviour)

    detail = problem(await sign_in(identity, admin.tenant_id), 401, "sso-failed")

    assert named in detail
    assert provider.token_answers[-1][0] == 200  # the provider answered; we refused its token


async def test_the_provider_checks_the_pkce_verifier(identity: RunningIdentity,
                                                     provider: OidcTestProvider) -> None:
    """A code obtained with someone else's challenge is useless with our verifier."""
    admin = await identity.organisation()
    await configure(identity, admin, provider)
    provider.user = TestUser(identity.unique_email("sso"))

    def their_challenge(url: str) -> str:
        ours = parse_qs(urlsplit(url).query)["code_challenge"][0]
        return url.replace(ours, s256("the attacker's own verifier"))

    response = await sign_in(identity, admin.tenant_id, tamper=their_challenge)

    problem(response, 401, "sso-failed")
    assert provider.token_answers[-1] == (400, {"error": "invalid_grant",
                                                "error_description": "PKCE check failed"})


async def test_people_who_may_not_sign_in_here_are_refused(
        identity: RunningIdentity, provider: OidcTestProvider) -> None:
    admin = await identity.organisation()
    await configure(identity, admin, provider)
    member = await identity.member(admin, "coachee")
    deactivated = await identity.client.post(
        f"/v1/organisations/{admin.tenant_id}/users/{member.user_id}/deactivate",
        headers=admin.headers, json={"reason": "left"})
    assert deactivated.status_code == 200, deactivated.text
    provider.user = TestUser(member.email)
    problem(await sign_in(identity, admin.tenant_id), 403, "sso-account-refused")

    provider.misbehave.add("deny")
    problem(await sign_in(identity, admin.tenant_id), 401, "sso-failed")
    # begun by our web app, a refusal goes back there, named, instead of this problem
    back = await sign_in(identity, admin.tenant_id,
                         return_to=f"{identity.settings.web_url}/done?flow=1")
    assert back.status_code == 303, back.text
    assert back.headers["location"] == f"{identity.settings.web_url}/done?flow=1&error=sso-failed"
    assert (await last_access_event(identity))["outcome"] == "denied"


async def test_an_address_with_an_account_elsewhere_gets_its_own_account_here(
        identity: RunningIdentity, provider: OidcTestProvider) -> None:
    """ADR 0005: the provider vouches for this organisation's person; the account the address
    has in another organisation is neither used, nor revealed, nor blocking."""
    admin = await identity.organisation()
    await configure(identity, admin, provider)
    other_admin = await identity.organisation("Other")  # same domain, another organisation
    provider.user = TestUser(other_admin.email)

    response = await sign_in(identity, admin.tenant_id)

    assert response.status_code == 200, response.text
    tokens = response.json()
    assert tokens["tenant_id"] == admin.tenant_id
    assert tokens["user_id"] != other_admin.user_id and tokens["roles"] == ["coachee"]
    again = await sign_in(identity, admin.tenant_id)
    assert again.status_code == 200 and again.json()["user_id"] == tokens["user_id"]
    elsewhere = await identity.sign_in(other_admin.email)  # the other account is untouched
    assert (elsewhere.tenant_id, elsewhere.user_id) == (other_admin.tenant_id,
                                                        other_admin.user_id)


async def test_sign_in_needs_an_organisation_with_a_reachable_provider(
        identity: RunningIdentity, provider: OidcTestProvider) -> None:
    admin = await identity.organisation()
    login = f"/v1/organisations/{admin.tenant_id}/sso/login"
    problem(await identity.client.get(login), 404, "not-found")
    problem(await identity.client.get("/v1/organisations/nobody/sso/login"), 404, "not-found")

    async with OidcTestProvider() as gone:
        await configure(identity, admin, gone)
    problem(await identity.client.get(login), 502, "sso-provider-unavailable")


async def test_a_policy_requiring_a_second_factor_needs_the_provider_to_report_one(
        identity: RunningIdentity, provider: OidcTestProvider) -> None:
    admin = await identity.organisation()
    await configure(identity, admin, provider, roles=("coach",))
    changed = await identity.client.patch(
        f"/v1/organisations/{admin.tenant_id}/policy", headers=admin.headers,
        json={"changes": {"auth.mfa_required_roles": ["coach"]}, "reason": "ISO 27001"})
    assert changed.status_code == 200, changed.text
    provider.user = TestUser(identity.unique_email("sso"), amr=("pwd",))
    detail = problem(await sign_in(identity, admin.tenant_id), 401, "sso-failed")
    assert "two-step sign-in" in detail

    provider.user = TestUser(provider.user.email, amr=("pwd", "otp", "mfa"))
    response = await sign_in(identity, admin.tenant_id)
    assert response.status_code == 200, response.text
    assert (await me(identity, response.json()["access_token"]))["amr"] == ["oidc", "mfa"]


async def test_an_issuer_with_no_valid_host_name_is_refused_when_it_is_set(
        identity: RunningIdentity) -> None:
    # schemathesis stored http://ć³& and every sign-in of the organisation then answered 500
    admin = await identity.organisation()
    response = await identity.client.put(
        f"/v1/organisations/{admin.tenant_id}/sso", headers=admin.headers, json={
            "issuer": "http://ć³&", "client_id": "interlude", "client_secret": "s3cret",
            "allowed_domains": ["example.org"]})
    assert "issuer" in problem(response, 422, "validation")
    login = await identity.client.get(f"/v1/organisations/{admin.tenant_id}/sso/login")
    assert login.status_code == 404, login.text
