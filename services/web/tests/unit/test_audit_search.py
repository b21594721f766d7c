"""The audit search takes people by name, as an officer knows them."""

from __future__ import annotations

from typing import Any

from interlude.web.pages.compliance import _people

NAMES = {"a1": "Sam Lee", "b2": "Sam Lee", "c3": "Claire Coach"}


def test_a_name_becomes_the_persons_id_and_an_id_or_a_service_goes_as_typed() -> None:
    query: dict[str, Any] = {"actor": "CLAIRE COACH", "subject": "c3"}
    assert _people(query, NAMES) is None
    assert query == {"actor": "c3", "subject": "c3"}
    service: dict[str, Any] = {"actor": "notify"}
    assert _people(service, NAMES) is None and service == {"actor": "notify"}


def test_a_name_two_people_share_asks_for_the_id_and_names_both() -> None:
    said = _people({"subject": "sam lee"}, NAMES)
    assert said == "2 people are called sam lee: search by the id of the one you mean (a1, b2)."
