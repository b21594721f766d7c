"""Forms read back into what the services take: the security policy's changes (only what
differs) and a contract's new terms (the rest kept as it was)."""

from __future__ import annotations

from starlette.datastructures import FormData

from interlude.web import terms
from interlude.web.policy import BY_KEY, effect, from_form, shown

POLICY = {"checkins.enabled": True, "messaging.enabled": True, "messaging.attachments": False,
          "community.enabled": True, "community.pseudonyms": "allowed",
          "community.peer_tagging": True, "notify.channels": ["in_app", "email"],
          "notify.email_content": "none", "sponsor_reports.enabled": True,
          "data.retention_days": 365, "export.self_service": True,
          "auth.mfa_required_roles": []}


def _as_form(policy: dict[str, object]) -> list[tuple[str, str]]:
    fields: list[tuple[str, str]] = []
    for key, value in policy.items():
        if value is True:
            fields.append((key, "on"))
        elif isinstance(value, list):
            fields += [(key, v) for v in value]
        elif value is not False:
            fields.append((key, str(value)))
    return fields


def test_the_policy_form_asks_only_for_what_differs() -> None:
    assert from_form(FormData(_as_form(POLICY)), POLICY) == {}
    changed = {**POLICY, "community.enabled": False, "data.retention_days": 90,
               "auth.mfa_required_roles": ["coach", "org_admin"],
               "notify.email_content": "subject"}
    form = FormData([*_as_form(changed), ("auth.mfa_required_roles", "nobody")])
    assert from_form(form, POLICY) == {
        "community.enabled": False, "data.retention_days": 90,
        "auth.mfa_required_roles": ["coach", "org_admin"], "notify.email_content": "subject"}


def test_each_change_is_said_in_words_with_its_effect() -> None:
    block = BY_KEY["community.enabled"]
    assert (shown(block, True), shown(block, False)) == ("on", "off")
    assert "closes" in effect(block, False)
    roles = BY_KEY["auth.mfa_required_roles"]
    assert shown(roles, ["coach"]) == "Coaches" and shown(roles, []) == "none"
    assert shown(BY_KEY["data.retention_days"], 90) == "90 days"
    assert shown(BY_KEY["notify.email_content"], "none") == "Only that something is waiting"


CURRENT = {"programme": "Leadership 2026",
           "sessions": {"count": 6, "over_months": 6, "mode": "video", "minutes": 60},
           "channels": {"checkins": True, "messaging": True, "community": True,
                        "community_space": "s1"},
           "allowance": {"kind": "monthly", "replies_per_month": 4, "reply_window_hours": 48},
           "quiet_hours": None, "sponsor_view": "attendance",
           "consents": {"pin_insights": True, "peer_tagging": False, "share_posts": False},
           "retention_days": 365}


def test_new_terms_keep_what_the_form_does_not_show() -> None:
    form = FormData([("sessions_count", "8"), ("sessions_months", "6"), ("checkins", "yes"),
                     ("community", "yes"), ("allowance_kind", "monthly"),
                     ("replies_per_month", "6"), ("reply_window_hours", "24"),
                     ("quiet_start", "20:00"), ("quiet_end", "07:00"),
                     ("quiet_timezone", "Europe/Paris"), ("retention_days", "not a number")])
    new = terms.from_form(form, CURRENT)
    assert new["sessions"] == {"count": 8, "over_months": 6, "mode": "video", "minutes": 60}
    assert new["channels"] == {"checkins": True, "messaging": False, "community": True,
                               "community_space": "s1"}
    assert new["allowance"]["replies_per_month"] == 6
    assert new["quiet_hours"] == {"start": "20:00", "end": "07:00", "timezone": "Europe/Paris"}
    assert new["consents"] == CURRENT["consents"] and new["retention_days"] == 365
    assert new["programme"] == "Leadership 2026" and new["sponsor_view"] == "attendance"


def test_a_new_contract_takes_its_programme_and_consents_from_the_form() -> None:
    form = FormData([("programme", " Leadership 2027 "), ("sessions_count", "8"),
                     ("checkins", "yes"), ("consent-pin_insights", "yes"),
                     ("sponsor_view", "attendance")])
    proposed = terms.proposed(form)
    assert proposed["programme"] == "Leadership 2027"
    assert proposed["consents"] == {"pin_insights": True, "peer_tagging": False,
                                    "share_posts": False, "counted_when_quiet": False}
    assert proposed["sessions"] == {"count": 8, "over_months": 6, "mode": "video",
                                    "minutes": 60}
    assert proposed["channels"] == {"checkins": True, "messaging": False, "community": False}
    assert proposed["sponsor_view"] == "attendance" and proposed["quiet_hours"] is None
    assert terms.problem(proposed) is None
    half = terms.proposed(FormData([("quiet_start", "22:00")]))  # kept, to be shown again
    assert half["quiet_hours"] == {"start": "22:00", "end": "", "timezone": "UTC"}
    assert "both the start and the end" in str(terms.problem(half))
    assert terms.proposed(FormData([]))["programme"] == "General"
