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
