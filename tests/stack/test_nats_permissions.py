"""Each service's NATS permissions as data (what nats-server on the stack, and later the
Kubernetes deployment, enforce): checked against the installed services' specs."""

from __future__ import annotations

import pytest

from interlude.shared.nats_permissions import Permissions, permissions_by_service
from interlude.shared.service import discover_services


def allows(patterns: tuple[str, ...], subject: str) -> bool:
    """NATS subject matching: ``*`` is one token, ``>`` the rest."""
    tokens = subject.split(".")
    for pattern in patterns:
        wanted = pattern.split(".")
        for i, token in enumerate(wanted):
            if token == ">":
                if len(tokens) > i:
                    return True
                break
            if i >= len(tokens) or token not in ("*", tokens[i]):
                break
        else:
            if len(wanted) == len(tokens):
                return True
    return False


@pytest.fixture(scope="module")
def permissions() -> dict[str, Permissions]:
    return permissions_by_service(discover_services())


def reads(permissions: Permissions, stream: str) -> bool:
    return any(allows(permissions.publish, subject) for subject in (
        f"$JS.API.CONSUMER.DURABLE.CREATE.{stream}.someone",
        f"$JS.API.CONSUMER.MSG.NEXT.{stream}.someone", f"$JS.API.DIRECT.GET.{stream}"))


def test_a_service_writes_only_its_own_stream_and_access_events(
        permissions: dict[str, Permissions]) -> None:
    services = ("identity", "engagement", "community", "audit")
    for name in services:
        own = permissions[name].publish
        assert allows(own, f"{name}.t1.thing.1") and allows(own, "access.t1.read.1")
        assert not any(allows(own, f"{other}.t1.thing.1") for other in services if other != name)


def test_a_service_reads_only_its_own_stream_and_those_it_consumes(
        permissions: dict[str, Permissions]) -> None:
    assert reads(permissions["engagement"], "IDENTITY")
    assert reads(permissions["engagement"], "COMMUNITY")
    assert not reads(permissions["engagement"], "AUDIT")
    assert not reads(permissions["engagement"], "ACCESS")
    assert not reads(permissions["identity"], "ENGAGEMENT")
    assert all(reads(permissions["audit"], s)
               for s in ("IDENTITY", "ENGAGEMENT", "COMMUNITY", "NOTIFY", "ACCESS", "AUDIT"))


def test_no_service_may_create_change_or_empty_a_stream(
        permissions: dict[str, Permissions]) -> None:
    for name, granted in permissions.items():
        for action in ("CREATE", "UPDATE", "DELETE", "PURGE", "MSG.DELETE"):
            for stream in ("IDENTITY", "ACCESS", "AUDIT", "DEADLETTER", f"KV_SNAP_{name.upper()}"):
                assert not allows(granted.publish, f"$JS.API.STREAM.{action}.{stream}"), name


def test_replies_come_to_the_service_only(permissions: dict[str, Permissions]) -> None:
    for name, granted in permissions.items():
        assert allows(granted.subscribe, f"_INBOX_{name}.abc.1")
        assert not allows(granted.subscribe, "_INBOX.abc.1")
        assert not any(allows(granted.subscribe, f"_INBOX_{other}.abc.1")
                       for other in permissions if other != name)


def test_a_service_follows_its_own_stream_only(permissions: dict[str, Permissions]) -> None:
    for name, granted in permissions.items():
        assert allows(granted.subscribe, f"{name}.t1.contract.c1")
        assert not any(allows(granted.subscribe, f"{other}.t1.contract.c1")
                       for other in permissions if other != name)
        assert not allows(granted.subscribe, "access.t1.read.1")
