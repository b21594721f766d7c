"""What a person is told of the reads of their data: staff and services by name, a peer in the
community by their part only, and nothing else the record holds about other people."""

from __future__ import annotations

from typing import Any

from interlude.audit.domain.access_history import entry, reader_id


def record(action: str, roles: list[str], *, kind: str = "user", outcome: str = "succeeded",
           reason: str | None = None) -> dict[str, Any]:
    return {"time": "2026-12-01T09:00:00+00:00", "action": action,
            "actor": {"id": "reader-1", "roles": roles, "kind": kind},
            "target": {"type": "checkins", "id": "contract-1"},
            "data_subjects": ["me", "someone-else"], "outcome": outcome, "reason": reason}


def test_a_coach_reading_a_contract_is_named() -> None:
    found = entry(7, record("engagement.read", ["coach"]), {"reader-1": "Claire Coach"})
    assert (found.reader.id, found.reader.name, found.reader.kind) == (
        "reader-1", "Claire Coach", "person")
    assert (found.service, found.action, found.content, found.outcome) == (
        "engagement", "read", "checkins", "read")


def test_a_peer_reading_the_cohort_is_shown_by_part_only_whatever_the_names_say() -> None:
    for roles in (["coachee"], ["coach"], ["org_admin"]):
        found = entry(7, record("community.read", roles), {"reader-1": "Real Name"})
        assert (found.reader.id, found.reader.name) == (None, None)
        assert found.reader.roles == tuple(roles)


def test_a_coachee_reading_outside_the_community_is_not_named() -> None:
    assert reader_id(record("engagement.read", ["coachee"])) is None


def test_a_service_is_named_by_its_id() -> None:
    found = entry(3, record("notify.read", [], kind="system"), {})
    assert (found.reader.kind, found.reader.id, found.reader.name) == ("service", "reader-1",
                                                                       None)


def test_a_refusal_says_why_and_a_read_does_not() -> None:
    refused = entry(1, record("engagement.read", ["coach"], outcome="denied",
                              reason="not a party to the contract"), {})
    assert (refused.outcome, refused.reason) == ("refused", "not a party to the contract")
    read = entry(2, record("engagement.read", ["coach"], reason="ignored"), {})
    assert (read.outcome, read.reason) == ("read", None)


def test_other_people_named_by_the_record_are_never_part_of_the_entry() -> None:
    found = entry(7, record("engagement.read", ["coach"]), {"reader-1": "Claire Coach"})
    assert "someone-else" not in repr(found)
