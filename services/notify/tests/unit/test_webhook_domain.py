"""Webhook endpoints: validation, rotation, and signatures a Standard Webhooks receiver
verifies with either the old or the new secret."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from standardwebhooks.webhooks import Webhook, WebhookVerificationError

from interlude.notify.adapters.webhook_http import signed_headers
from interlude.notify.domain import webhooks as domain
from interlude.shared.errors import Invalid, InvalidState, NotFound
from interlude.shared.sealing import Secret

OLD = "whsec_" + "MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
NEW = "whsec_" + "bmV3IHNlY3JldCBmb3IgdGhlIHRlc3Rz"


def registered() -> domain.Endpoint:
    events = domain.register(domain.Endpoint(), "w1", "https://hooks.example/in",
                             ["coach_replied"], Secret(OLD, "w1"))
    return domain.evolve(domain.Endpoint(), events[0])


@pytest.mark.parametrize("url", ["ftp://x.example/", "https://", "https://u:p@x.example/",
                                 "https://x.example/" + "a" * 2001, "not a url"])
def test_bad_urls_are_refused(url: str) -> None:
    with pytest.raises(Invalid):
        domain.register(domain.Endpoint(), "w1", url, ["coach_replied"], Secret(OLD, "w1"))


def test_kinds_must_be_known_and_not_empty() -> None:
    for kinds in ([], ["nope"]):
        with pytest.raises(Invalid):
            domain.register(domain.Endpoint(), "w1", "https://x.example/", kinds,
                            Secret(OLD, "w1"))


def test_a_removed_endpoint_cannot_be_changed_or_rotated() -> None:
    state = domain.evolve(registered(), domain.remove(registered(), "w1")[0])
    with pytest.raises(NotFound):
        domain.change(state, "w1", "https://y.example/", None)
    with pytest.raises(NotFound):
        domain.rotate(state, "w1", Secret(NEW, "w1"), datetime.now(UTC))
    assert domain.remove(state, "w1") == []


def test_only_dead_letters_are_replayed() -> None:
    domain.replayable("dead")
    with pytest.raises(InvalidState):
        domain.replayable("delivered")


def test_a_delivery_signed_with_both_secrets_verifies_with_either() -> None:
    now = datetime.now(UTC)
    body = '{"type":"notification.coach_replied"}'
    headers = signed_headers("msg_1", now, body, [NEW, OLD])
    assert len(headers["webhook-signature"].split(" ")) == 2
    for secret in (OLD, NEW):
        assert Webhook(secret).verify(body, headers) is not None
    with pytest.raises(WebhookVerificationError):
        Webhook("whsec_" + "c29tZXRoaW5nIGVsc2UgZW50aXJlbHk=").verify(body, headers)
    with pytest.raises(WebhookVerificationError):
        Webhook(OLD).verify(body.replace("coach", "peer"), headers)


@pytest.mark.parametrize("host", ["127.0.0.1", "10.1.2.3", "192.168.0.10", "169.254.169.254",
                                  "[::1]", "localhost", "api.localhost", "0.0.0.0"])
def test_an_endpoint_on_this_machine_or_a_private_network_is_not_public(host: str) -> None:
    assert not domain.public_host(host)


@pytest.mark.parametrize("host", ["hooks.example", "93.184.216.34", "[2606:4700::1111]"])
def test_a_name_or_a_public_address_passes_the_literal_check(host: str) -> None:
    assert domain.public_host(host)


def test_registering_a_private_address_is_refused_unless_allowed() -> None:
    from types import SimpleNamespace

    from interlude.notify.app.webhooks import _reachable
    closed = SimpleNamespace(settings=SimpleNamespace(webhook_private_addresses=False))
    with pytest.raises(Invalid) as refused:
        _reachable(closed, "http://169.254.169.254/latest/meta-data")  # type: ignore[arg-type]
    assert "public address" in str(refused.value)
    _reachable(closed, "https://hooks.example/in")  # type: ignore[arg-type]
    lab = SimpleNamespace(settings=SimpleNamespace(webhook_private_addresses=True))
    _reachable(lab, "http://127.0.0.1:9000/in")  # type: ignore[arg-type]


async def test_a_name_that_resolves_to_this_machine_gets_no_request() -> None:
    import httpx

    from interlude.notify.adapters.webhook_http import HttpPoster, RefusedAddress
    asked: list[httpx.Request] = []

    def answer(request: httpx.Request) -> httpx.Response:
        asked.append(request)
        return httpx.Response(200)

    async with httpx.AsyncClient(transport=httpx.MockTransport(answer)) as client:
        with pytest.raises(RefusedAddress):
            await HttpPoster(client).post("http://localhost:9/in", "{}", {})
        assert asked == []  # refused before any request left
        assert await HttpPoster(client, private_addresses=True).post(
            "http://localhost:9/in", "{}", {}) == 200


async def test_a_delivery_goes_to_the_address_its_name_was_checked_at_not_resolved_again() -> None:
    """DNS rebinding: a name that answers a public address to the check and this machine's to
    the connection would reach the cluster's own services. The name is resolved once; the
    request goes to that address, still naming the host (Host, TLS server name)."""
    import httpx

    from interlude.notify.adapters.webhook_http import HttpPoster, RefusedAddress
    asked: list[httpx.Request] = []
    answers = [["93.184.216.34"], ["127.0.0.1"]]  # public first, this machine after
    resolved: list[tuple[str, int]] = []

    async def rebinding(host: str, port: int) -> list[str]:
        resolved.append((host, port))
        return answers.pop(0)

    def answer(request: httpx.Request) -> httpx.Response:
        asked.append(request)
        return httpx.Response(204)

    async with httpx.AsyncClient(transport=httpx.MockTransport(answer)) as client:
        poster = HttpPoster(client, resolver=rebinding)
        assert await poster.post("https://hooks.example:8443/in?x=1", "{}", {"a": "b"}) == 204
        assert resolved == [("hooks.example", 8443)]
        [request] = asked
        assert str(request.url) == "https://93.184.216.34:8443/in?x=1"
        assert request.headers["host"] == "hooks.example:8443"
        assert request.headers["a"] == "b"
        assert request.extensions["sni_hostname"] == "hooks.example"

        teredo = "2001:0:4136:e378:8000:63bf:3fff:fdd2"
        for hidden in (["93.184.216.34", "10.0.0.5"], ["::ffff:127.0.0.1"],
                       ["64:ff9b::7f00:1"], ["2002:7f00:1::"], [teredo], ["169.254.169.254"]):
            async def resolver(host: str, port: int, found: list[str] = hidden) -> list[str]:
                return found
            with pytest.raises(RefusedAddress):
                await HttpPoster(client, resolver=resolver).post("https://h.example/", "{}", {})
        assert len(asked) == 1  # none of those got a request


def test_an_ipv6_address_that_carries_a_private_ipv4_one_is_not_public() -> None:
    from interlude.notify.domain.webhooks import public_host
    for literal in ("[::ffff:127.0.0.1]", "[64:ff9b::a00:1]", "[2002:c0a8:1::]", "[::1]"):
        assert not public_host(literal), literal
    assert public_host("[2606:4700::1111]") and public_host("93.184.216.34")


async def test_through_a_proxy_the_proxy_is_given_the_name_still_checked(
        monkeypatch: pytest.MonkeyPatch) -> None:
    import httpx

    from interlude.notify.adapters.webhook_http import HttpPoster, RefusedAddress
    monkeypatch.setenv("HTTPS_PROXY", "http://proxy.corp:3128")
    monkeypatch.setenv("NO_PROXY", "inside.example")
    asked: list[httpx.Request] = []

    async def public(host: str, port: int) -> list[str]:
        return ["93.184.216.34"]

    async def private(host: str, port: int) -> list[str]:
        return ["10.1.2.3"]

    async with httpx.AsyncClient(transport=httpx.MockTransport(
            lambda request: asked.append(request) or httpx.Response(200))) as client:
        assert await HttpPoster(client, resolver=public).post("https://hooks.example/in",
                                                              "{}", {}) == 200
        assert await HttpPoster(client, resolver=public).post("https://inside.example/in",
                                                              "{}", {}) == 200
        with pytest.raises(RefusedAddress):
            await HttpPoster(client, resolver=private).post("https://hooks.example/in", "{}", {})
    assert [str(r.url) for r in asked] == ["https://hooks.example/in",
                                           "https://93.184.216.34/in"]
