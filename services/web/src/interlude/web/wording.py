"""What a person reads when something did not work: the services' problems (RFC 9457) turned
into sentences that say what happened and what to do next."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from interlude.web.upstream import UpstreamProblem

FEATURES = {
    "checkins.enabled": "check-ins",
    "messaging.enabled": "messages between coaches and coachees",
    "messaging.attachments": "attachments",
    "community.enabled": "the community",
    "community.peer_tagging": "tagging peers",
    "sponsor_reports.enabled": "sponsor reports",
    "export.self_service": "exporting your own data",
    "materials.enabled": "materials shared by coaches",
}
MOODS = ((1, "Very low"), (2, "Low"), (3, "Okay"), (4, "Good"), (5, "Very good"))
# a refused field as its form names it (the services name it as their APIs do)
FIELDS = {"text": "Your check-in", "body": "Your message", "mood": "Mood",
          "question": "Your question", "email": "E-mail address", "password": "Password",
          "otp": "Code", "reason": "Reason", "timezone": "Time zone",
          "issuer": "Your provider's address", "client_id": "Client id",
          "client_secret": "Client secret", "allowed_domains": "Allowed e-mail domains",
          "default_roles": "Roles of someone who signs in for the first time",
          "label": "What the token is for", "url": "Address", "user_id": "The person"}


def day(value: str | datetime | None) -> str:
    """``2027-01-01T00:00:00+00:00`` as ``1 January 2027``."""
    if value is None:
        return ""
    moment = value if isinstance(value, datetime) else datetime.fromisoformat(value)
    return f"{moment.day} {moment:%B %Y}"


def _blocked(problem: UpstreamProblem) -> str:
    key = str(problem.extra.get("block") or problem.extra.get("key") or "")
    feature = FEATURES.get(key)
    what = feature or "this"
    return (f"Your organisation has switched off {what}. If you need it, ask your "
            "organisation's administrator.")


# why a field was refused, when every refused field says the same (the services' codes)
REASONS = {
    "text_characters": "it holds a character Interlude cannot keep, often one copied along "
                       "from another program. Retype that part and send it again.",
    "string_too_long": "it is too long. Please shorten it.",
    "string_too_short": "it is empty. Please write something first.",
    "missing": "it is missing. Please fill it in.",
}


def _invalid(problem: UpstreamProblem) -> str:
    errors: list[Any] = problem.extra.get("errors") or []
    named, codes = [], set()
    for error in errors:
        field = str(error.get("location", "")).split(".")[-1] if isinstance(error, dict) else ""
        named.append(FIELDS.get(field, field or "a field"))
        codes.add(error.get("code") if isinstance(error, dict) else None)
    if named:
        reason = REASONS.get(str(codes.pop())) if len(codes) == 1 else None
        return ("Please check " + ", ".join(dict.fromkeys(named)).lower() + ": " +
                (reason or "it is missing, too long or not in the expected form."))
    return "Something in the form is not in the expected form; please check it and send again."


def _allowance(problem: UpstreamProblem) -> str:
    limit, renews = problem.extra.get("allowance"), problem.extra.get("renews_at")
    when = f" It renews on {day(renews)}." if renews else ""
    return (f"This month's {limit} replies are used up.{when} Until then you can amend the "
            "contract to raise the allowance.")


def _slow(problem: UpstreamProblem) -> str:
    seconds = problem.extra.get("retry_after")
    minutes = -(-int(seconds) // 60) if isinstance(seconds, int) else None
    when = ("in a moment" if minutes is None else "in under a minute" if minutes <= 1
            else f"in about {minutes} minutes")
    return ("Slow mode is on in this space: the coach asks for a pause between one member's "
            f"posts. You can post again {when}; what you wrote is kept here until then.")


STATIC = {
    "unavailable": "Part of Interlude is not answering just now. Please wait a moment and try "
                   "again; nothing you sent was lost.",
    "not-found": "We could not find that. It may have been removed, or it belongs to someone "
                 "else.",
    "channel-not-agreed": "Your contract does not include this. You can agree it with your "
                          "coach by amending the contract.",
    "consent-missing": "This needs a consent that has not been given in the contract.",
    "not-your-part": "This is for the other party of the contract to do.",
    "role-required": "Your account does not have the role this page needs.",
    "mfa-required": "Enter the 6-digit code from your authenticator app.",
}


def message(problem: UpstreamProblem) -> str:
    """One sentence or two a person can act on."""
    if problem.slug == "policy-blocked":
        return _blocked(problem)
    if problem.slug == "validation":
        return _invalid(problem)
    if problem.slug == "message-allowance-exhausted":
        return _allowance(problem)
    if problem.slug == "slow-mode":
        return _slow(problem)
    if problem.slug in STATIC:
        return STATIC[problem.slug]
    detail = problem.detail.strip()
    # the services' own details are written for people: first letter up, full stop at the end
    return (detail[:1].upper() + detail[1:]).rstrip(".") + "." if detail else \
        "That did not work. Please try again in a moment."


EXPORT_OFF = ("Your organisation has switched off exporting your own data here. You still have "
              "the right to a copy: ask your organisation's compliance officer, who can export "
              "it for you.")


def exporting(problem: UpstreamProblem) -> str:
    """Why an export of personal data was not made."""
    if problem.status == 429:
        return ("Five exports are already waiting to be downloaded. Download one of them, or "
                "ask again once the first expires (each is kept for seven days).")
    if problem.slug == "policy-blocked":
        return EXPORT_OFF
    if problem.status == 404:
        return "There is no such person in your organisation: check the name or the id."
    return message(problem)


def stepping_out(problem: UpstreamProblem) -> str:
    """Why a member could not show their name (or hide it again) in a space."""
    if problem.slug == "policy-blocked" and \
            (problem.extra.get("block") or problem.extra.get("key")) == "community.pseudonyms":
        return ("Your organisation asks everyone to stay known by their pseudonym in its "
                "community spaces, so names cannot be shown here. If you would like that to "
                "change, ask your organisation's administrator.")
    if problem.status == 404:
        return "That member is no longer in this space: choose someone else."
    return message(problem)
