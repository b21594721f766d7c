"""The organisation's security policy as an administrator reads it: each block explained, and
what a change will do, said before it is saved."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from starlette.datastructures import FormData


@dataclass(frozen=True)
class Block:
    key: str
    label: str
    explained: str
    kind: str  # "switch", "choice", "choices", "days"
    options: tuple[tuple[str, str], ...] = ()
    on: str = ""  # the effect of switching it on (switch) or of any change (the others)
    off: str = ""


ROLE_OPTIONS = (("coachee", "Coachees"), ("coach", "Coaches"), ("sponsor", "Sponsors"),
                ("org_admin", "Administrators"), ("compliance_officer", "Compliance officers"))
BLOCKS = (
    Block("checkins.enabled", "Check-ins", "Coachees post short check-ins between sessions.",
          "switch", on="Coachees can check in again where their contract agrees it.",
          off="No one can post or read check-ins; coaches' dashboards leave them out."),
    Block("messaging.enabled", "Messages with the coach", "Coachees and coaches write to each "
          "other within the allowance of their contract.", "switch",
          on="Coaches and coachees can write to each other again.",
          off="No one can send or read messages; threads are kept, unseen."),
    Block("messaging.attachments", "Attachments to messages", "Files attached to messages.",
          "switch", on="Messages may carry files.", off="Messages cannot carry files."),
    Block("community.enabled", "Community", "Confidential cohorts of peers and the coaches' "
          "peer circle.", "switch", on="Cohorts open again to their members.",
          off="Every cohort and peer circle closes: nothing can be read or posted there."),
    Block("community.pseudonyms", "Pseudonyms in the community", "Whether members appear "
          "under a pseudonym.", "choice", (("allowed", "Each member chooses"),
                                          ("required", "Everyone under a pseudonym"),
                                          ("forbidden", "Everyone under their name")),
          on="New members join the cohorts under this rule."),
    Block("community.peer_tagging", "Tagging peers", "Members tag each other in posts, where "
          "the tagged person consented.", "switch", on="Members can tag each other again.",
          off="No one can tag a peer."),
    Block("community.circles_across_organisations", "Peer circles across organisations",
          "Coaches find and join the peer circles of other organisations that allow it too, "
          "and theirs may join ours; members from elsewhere are shown only by pseudonym.",
          "switch", on="Coaches find peer circles of organisations that allow it too.",
          off="Peer circles stay within the organisation; coaches from elsewhere lose access."),
    Block("notify.channels", "How people are told", "The ways Interlude may tell people that "
          "something is waiting.", "choices", (("in_app", "In the app"), ("email", "E-mail"),
                                               ("webhook", "Webhooks")),
          on="Notifications use only the ways ticked."),
    Block("notify.email_content", "What an e-mail may say", "How much of the coaching an "
          "e-mail may carry.", "choice", (("none", "Only that something is waiting"),
                                          ("subject", "The subject too"),
                                          ("full", "The whole content")),
          on="E-mails sent from now on carry this much."),
    Block("sponsor_reports.enabled", "Sponsor reports", "Sponsors see the figures their "
          "contracts allow (never content, never small groups).", "switch",
          on="Sponsors see their figures again.", off="Sponsors see no figures."),
    Block("data.retention_days", "Keeping data", "How many days coaching content is kept after "
          "a contract ends (30 to 3650).", "days", on="Content of ended contracts is kept "
          "this many days from now on."),
    Block("notify.retention_days", "Keeping notifications", "How many days notifications "
          "are kept in people's inboxes, and the records of what went by e-mail or webhook "
          "(30 to 3650; never longer than data is kept).", "days",
          on="Notifications older than this are removed at the next hourly round."),
    Block("export.self_service", "Exporting one's own data", "People download what Interlude "
          "holds about them.", "switch", on="People can export their data themselves.",
          off="Exports go through the administrator."),
    Block("materials.enabled", "Materials", "Coaches share readings, exercises, worksheets and "
          "links with their coachees and with their cohorts (links are shown, never visited by "
          "Interlude).", "switch",
          on="Coaches can share materials again.", off="No materials are shared or shown."),
    Block("auth.mfa_required_roles", "Second factor at sign-in", "Roles that must use an "
          "authenticator app to sign in.", "choices", ROLE_OPTIONS,
          on="People with these roles set up an authenticator at their next sign-in."),
)
BY_KEY = {block.key: block for block in BLOCKS}


def from_form(form: FormData, current: dict[str, Any]) -> dict[str, Any]:
    """The values the form asks for that differ from ``current``."""
    wanted: dict[str, Any] = {}
    for block in BLOCKS:
        if block.kind == "switch":
            value: Any = form.get(block.key) == "on"
        elif block.kind == "choices":
            allowed = {v for v, _ in block.options}
            value = [v for v in form.getlist(block.key) if v in allowed]
        elif block.kind == "days":
            raw = str(form.get(block.key) or "").strip()
            value = int(raw) if raw.isdigit() else raw
        else:
            value = form.get(block.key)
        if block.key in current and value != _comparable(current[block.key]):
            wanted[block.key] = value
    return wanted


def _comparable(value: Any) -> Any:
    return list(value) if isinstance(value, tuple) else value


def shown(block: Block, value: Any) -> str:
    """A value as the page says it."""
    names = dict(block.options)
    if block.kind == "switch":
        return "on" if value else "off"
    if block.kind == "choices":
        return ", ".join(names.get(v, v) for v in value) or "none"
    if block.kind == "choice":
        return names.get(value, str(value))
    return f"{value} days"


def effect(block: Block, value: Any) -> str:
    if block.kind == "switch":
        return block.on if value else block.off
    return block.on
