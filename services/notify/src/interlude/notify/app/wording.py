"""What each kind of notification says, with ``{actor}`` the name the recipient may see (a
pseudonym in a pseudonymous space). No content: that is the excerpt, shown apart, and only to
the recipient."""

from __future__ import annotations

from typing import get_args

from interlude.notify.domain.events import Kind

SAYS: dict[str, str] = {
    "coach_replied": "{actor} replied to you",
    "message_received": "{actor} sent you a message",
    "checkin_acknowledged": "{actor} acknowledged your check-in",
    "checkin_questioned": "{actor} asked a question about your check-in",
    "checkin_awaits": "{actor} posted a check-in",
    "reply_overdue": "{actor} is waiting for your reply: the agreed reply window has passed",
    "allowance_nearly_used": "most of this month's replies from your coach are used",
    "allowance_renewed": "your coach's replies for the month are renewed",
    "contract_awaits_signature": "{actor} proposed a coaching contract awaiting your signature",
    "contract_amended": "{actor} proposed changes to your contract",
    "consent_withdrawn": "{actor} withdrew a consent",
    "session_tomorrow": "you have a session tomorrow",
    "session_moved": "{actor} moved a session",
    "session_cancelled": "{actor} cancelled a session",
    "content_expired": "the agreed retention of a contract ran out: its check-ins, messages and"
                       " goals are erased",
    "post_commented": "{actor} commented on your post",
    "comment_replied": "{actor} replied to your comment",
    "post_reacted": "{actor} reacted to your post",
    "member_tagged": "{actor} tagged you in a post",
    "post_shared": "{actor} shared your post with the space",
    "insight_pinned": "{actor} pinned your post as a key insight",
    "post_hidden": "your post was hidden until the coach decides",
    "pseudonym_revealed": "{actor} learnt who is behind your pseudonym",
    "space_invitation": "{actor} invited you to a space",
    "rehearsal_drafted": "{actor} asks for your feedback on a rehearsal",
    "rehearsal_feedback": "{actor} gave feedback on your rehearsal",
    "quiet_invitation": "{actor} would love to hear from you in the space",
    "stepped_out_to_you": "{actor} showed you their name in the space",
    "join_requested": "{actor} asks to join your circle",
    "material_shared": "{actor} shared a material with the space",
    "invitation": "{actor} invited you to Interlude",
    "policy_changed": "{actor} changed the organisation's security policy",
}
assert set(SAYS) == set(get_args(Kind)), "every kind says something"


def says(kind: str, actor: str) -> str:
    text = SAYS[kind].format(actor=actor)
    return text[0].upper() + text[1:]
