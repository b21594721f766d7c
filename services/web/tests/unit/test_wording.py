"""The services' problems in words a person can act on."""

from __future__ import annotations

from interlude.web.upstream import UpstreamProblem
from interlude.web.wording import message


def test_an_exhausted_allowance_says_when_it_renews() -> None:
    problem = UpstreamProblem(409, "message-allowance-exhausted", "4 replies used", {
        "allowance": 4, "used": 4, "renews_at": "2027-01-01T00:00:00+00:00"})
    assert message(problem) == ("This month's 4 replies are used up. It renews on 1 January "
                                "2027. Until then you can amend the contract to raise the "
                                "allowance.")


def test_a_block_names_the_feature_and_who_to_ask() -> None:
    problem = UpstreamProblem(403, "policy-blocked", "checkins.enabled is off",
                              {"block": "checkins.enabled", "policy_version": 3})
    text = message(problem)
    assert "switched off check-ins" in text and "administrator" in text
    assert "checkins.enabled" not in text


def test_invalid_input_names_the_fields_never_their_values() -> None:
    problem = UpstreamProblem(422, "validation", "invalid", {"errors": [
        {"location": "body.text", "message": "too long", "code": "string_too_long"},
        {"location": "body.mood", "message": "too big", "code": "less_than_equal"}]})
    assert message(problem).startswith("Please check your check-in, mood:")


def test_an_unknown_problem_shows_the_services_own_sentence() -> None:
    problem = UpstreamProblem(409, "session-plan-exceeded", "all 6 sessions are booked")
    assert message(problem) == "All 6 sessions are booked."
    assert "try again" in message(UpstreamProblem(503, "unavailable", "engagement is away"))


def test_a_block_reads_right_to_the_coach_as_to_the_coachee() -> None:
    for key, feature in (("messaging.enabled", "messages between coaches and coachees"),
                         ("materials.enabled", "materials shared by coaches")):
        text = message(UpstreamProblem(403, "policy-blocked", f"{key} is off", {"block": key}))
        assert f"switched off {feature}." in text and "your coach" not in text


def test_a_character_that_cannot_be_kept_is_said_with_what_to_do() -> None:
    problem = UpstreamProblem(422, "validation", "invalid", {"errors": [
        {"location": "body.body", "message": "must be text ...", "code": "text_characters"}]})
    assert message(problem) == (
        "Please check your message: it holds a character Interlude cannot keep, often one "
        "copied along from another program. Retype that part and send it again.")


def test_slow_mode_says_when_in_minutes_not_seconds() -> None:
    problem = UpstreamProblem(429, "slow-mode", "one post every 300 s; again in 248 s",
                              {"retry_after": 248})
    assert "You can post again in about 5 minutes" in message(problem)
    assert "248" not in message(problem)
    soon = UpstreamProblem(429, "slow-mode", "again in 20 s", {"retry_after": 20})
    assert "in under a minute" in message(soon)


def test_a_refused_field_is_named_as_its_form_names_it() -> None:
    """The services name fields as their APIs do (``timezone``, ``default_roles``); a person
    reads the label they saw."""
    zone = UpstreamProblem(422, "validation", "invalid", {"errors": [
        {"location": "body.terms.quiet_hours.timezone", "code": "value_error"}]})
    assert message(zone).startswith("Please check time zone: ")
    roles = UpstreamProblem(422, "validation", "invalid", {"errors": [
        {"location": "body.default_roles", "code": "too_short"}]})
    assert "roles of someone who signs in for the first time" in message(roles)
