"""A service may be given every node of a NATS cluster, so that it connects to, and fails over
to, whichever answers."""

from __future__ import annotations

import pytest

from interlude.shared.eventstore.connection import server_urls


def test_one_url_is_one_server() -> None:
    assert server_urls("nats://nats:4222") == ["nats://nats:4222"]


def test_a_comma_separated_list_names_every_node() -> None:
    assert server_urls("nats://a:4222, nats://b:4222,nats://c:4222,") == [
        "nats://a:4222", "nats://b:4222", "nats://c:4222"]


def test_no_url_is_refused() -> None:
    with pytest.raises(ValueError):
        server_urls(" , ")
