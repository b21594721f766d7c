"""What an e-mail (or a webhook) may say, by the organisation's ``notify.email_content``:
``none`` says who did what kind of thing and links to it; ``subject`` adds the topic; ``full``
adds the excerpt. Who did it is a pseudonym wherever the notification carries one, so a
pseudonymous space never puts a real name in a message."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

ContentLevel = Literal["none", "subject", "full"]
SOMEONE = "Someone"

SUMMARIES = {
    "coach_replied": "{actor} replied to you",
    "message_received": "{actor} sent you a message",
    "checkin_acknowledged": "{actor} acknowledged your check-in",
    "checkin_questioned": "{actor} asked a question about your check-in",
    "checkin_awaits": "{actor} posted a check-in",
    "reply_overdue": "A reply to {actor} is overdue",
    "allowance_nearly_used": "Your message allowance is nearly used",
    "allowance_renewed": "Your message allowance was renewed",
    "contract_awaits_signature": "A contract awaits your signature",
    "contract_amended": "{actor} amended your contract",
    "consent_withdrawn": "{actor} withdrew a consent",
    "session_tomorrow": "You have a session tomorrow",
    "session_moved": "{actor} moved a session",
    "session_cancelled": "{actor} cancelled a session",
    "content_expired": "A contract's content was erased, as agreed",
    "post_commented": "{actor} commented on your post",
    "comment_replied": "{actor} replied to your comment",
    "post_reacted": "{actor} reacted to your post",
    "member_tagged": "{actor} tagged you",
    "post_shared": "{actor} shared your post",
    "insight_pinned": "{actor} pinned your post as an insight",
    "post_hidden": "A post of yours was hidden",
    "pseudonym_revealed": "Your pseudonym was revealed",
    "space_invitation": "{actor} invited you to a space",
    "rehearsal_drafted": "{actor} shared a rehearsal draft",
    "rehearsal_feedback": "{actor} gave feedback on your rehearsal",
    "quiet_invitation": "{actor} would love to hear from you",
    "stepped_out_to_you": "{actor} showed you their name",
    "join_requested": "{actor} asks to join your circle",
    "material_shared": "{actor} shared a material with your space",
    "invitation": "You are invited to Interlude",
    "policy_changed": "Your organisation's security policy changed",
}


def shown_actor(name: str | None, pseudonym: str | None) -> str:
    """The pseudonym when there is one (the real name is then never used), else the name."""
    if pseudonym:
        return pseudonym
    return name or SOMEONE


def summary(kind: str, actor: str) -> str:
    return SUMMARIES.get(kind, "Something new is waiting for you").format(actor=actor)


@dataclass(frozen=True)
class Line:
    """One notification as a message shows it."""

    summary: str
    link: str
    topic: str | None = None
    excerpt: str | None = None


def line(kind: str, actor: str, link: str, level: ContentLevel, topic: str | None,
         excerpt: str | None) -> Line:
    """Content beyond the level is dropped here, before any template sees it."""
    return Line(summary(kind, actor), link, topic if level in ("subject", "full") else None,
                excerpt if level == "full" else None)


def one_line(text: str, limit: int = 80) -> str:
    """``text`` fit for a header: one line (no way to inject another header), at most
    ``limit`` characters."""
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[:limit - 1] + "\u2026"


def subject_line(lines: list[Line]) -> str:
    if len(lines) == 1:
        only = lines[0]
        return one_line(f"{only.summary}: {only.topic}" if only.topic else only.summary)
    return f"{len(lines)} new things are waiting for you on Interlude"
