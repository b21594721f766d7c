"""Building one e-mail from the notifications it carries: the organisation's content level
applied first (what it does not allow is never opened, let alone rendered), names only where
no pseudonym stands in, multipart text and HTML from autoescaped templates, a stable
Message-ID, and the unsubscribe headers of RFC 2369 and RFC 8058."""

from __future__ import annotations

import json
from dataclasses import dataclass
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import formatdate, parseaddr
from typing import Any
from urllib.parse import quote

from jinja2 import Environment, PackageLoader, select_autoescape

from interlude.notify.app.outbound import Outbound
from interlude.notify.domain import content
from interlude.notify.domain import unsubscribe as tokens
from interlude.notify.domain.events import COMMUNITY_KINDS
from interlude.notify.projections import queries
from interlude.shared import directory
from interlude.shared.projections.sealed import opened_or_none

TEMPLATES = Environment(loader=PackageLoader("interlude.notify", "templates"),
                        autoescape=select_autoescape(enabled_extensions=("html",),
                                                     disabled_extensions=("txt",),
                                                     default_for_string=True, default=True),
                        keep_trailing_newline=True)


@dataclass(frozen=True)
class Outgoing:
    """One message to one person: ``batch_id`` names it for good (its Message-ID)."""

    tenant_id: str
    recipient_id: str
    batch_id: str
    rows: list[dict[str, Any]]  # outbox rows: notification_id, kind, detail


def absolute(base: str, link: str) -> str:
    return link if link.startswith(("https://", "http://")) else base.rstrip("/") + "/" + \
        link.lstrip("/")


async def lines(deps: Outbound, out: Outgoing, level: content.ContentLevel
                ) -> list[content.Line]:
    details = [(r["kind"], json.loads(r["detail"]) if isinstance(r["detail"], str)
                else r["detail"]) for r in out.rows]
    named = {d["actor_id"] for _, d in details if d["actor_id"] and not d["actor_pseudonym"]}
    names = await directory.names(deps.pool, deps.sealer, out.tenant_id, named)
    result = []
    for kind, d in details:
        actor = content.shown_actor(None if d["actor_pseudonym"] else names.get(d["actor_id"]),
                                    d["actor_pseudonym"])
        shown = level
        if shown != "none" and await stays_inside(deps, out.tenant_id, kind,
                                                  (out.recipient_id, d["actor_id"])):
            shown = "none"  # the contract's word: cohort content stays in Interlude
        topic = excerpt = None
        if shown in ("subject", "full"):
            topic = await opened_or_none(deps.sealer, out.tenant_id, d["topic"])
        if shown == "full":
            excerpt = await opened_or_none(deps.sealer, out.tenant_id, d["excerpt"])
        result.append(content.line(kind, actor, absolute(deps.settings.public_url, d["link"]),
                                   shown, topic, excerpt))
    return result


async def stays_inside(deps: Outbound, tenant_id: str, kind: str,
                       people: tuple[str | None, ...]) -> bool:
    """Whether a community notification's content must not leave Interlude: the recipient
    or whoever did it has a contract agreeing ``cohort_posts_stay_inside``."""
    if kind not in COMMUNITY_KINDS:
        return False
    ids = [p for p in people if p]
    return bool(ids) and await queries.cohort_content_stays(deps.pool, tenant_id, ids)


def message(deps: Outbound, out: Outgoing, shown: list[content.Line],
            address: str) -> EmailMessage:
    kinds = {r["kind"] for r in out.rows}
    kind = next(iter(kinds)) if len(kinds) == 1 else None
    token = tokens.token(deps.unsubscribe_secret, out.tenant_id, out.recipient_id, kind)
    unsubscribe_url = f"{deps.settings.api_url.rstrip('/')}/v1/notify/unsubscribe?token={token}"
    sender = parseaddr(deps.settings.mail_from)[1]
    domain = sender.rpartition("@")[2] or "interlude.localhost"
    mailto = f"mailto:unsubscribe@{domain}?subject={quote('unsubscribe ' + token)}"
    subject = content.subject_line(shown)
    values = {"lines": shown, "subject": subject, "unsubscribe_url": unsubscribe_url,
              "preferences_url": absolute(deps.settings.public_url, "/settings/notifications"),
              "stop_what": f"e-mails about {kind.replace('_', ' ')}" if kind else "all e-mails"}
    msg = EmailMessage()
    msg["From"] = deps.settings.mail_from
    msg["To"] = Address(addr_spec=address)
    msg["Subject"] = subject
    msg["Date"] = formatdate(usegmt=True)
    msg["Message-ID"] = f"<{out.batch_id}@{domain}>"
    msg["List-Unsubscribe"] = f"<{unsubscribe_url}>, <{mailto}>"
    msg["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    msg["Auto-Submitted"] = "auto-generated"
    msg["X-Interlude-Notifications"] = ",".join(r["notification_id"] for r in out.rows)
    msg.set_content(TEMPLATES.get_template("email.txt").render(values))
    msg.add_alternative(TEMPLATES.get_template("email.html").render(values), subtype="html")
    return msg
