"""Poison events: set aside with the reason, so that they never stall a consumer."""

from __future__ import annotations

import asyncpg
from nats.js import JetStreamContext

from interlude.shared.eventstore.streams import StreamSpec

# a value PostgreSQL cannot store (U+0000 in text, \u0000 in jsonb) or asyncpg cannot send (half
# a surrogate pair): the API accepted text it must refuse (interlude.shared.text), and the read
# model would lose the command; its own reason says so, apart from every other poison event
UNSTORABLE = (asyncpg.CharacterNotInRepertoireError, asyncpg.UntranslatableCharacterError,
              UnicodeEncodeError)
UNSTORABLE_REASON = "unstorable text"


def failure_reason(err: BaseException) -> str:
    """The dead-letter reason of a handler's failure (the error, never the payload)."""
    if isinstance(err, UNSTORABLE):
        return (f"{UNSTORABLE_REASON}: the write side accepted text this read model cannot "
                f"store (an API should refuse it with interlude.shared.text): "
                f"{type(err).__name__}: {err}")
    return f"handler failed: {type(err).__name__}: {err}"


def _ascii(text: str, limit: int = 300) -> str:
    # header values must stay ASCII and on one line
    return text.encode("ascii", "replace").decode().replace("\r", " ").replace("\n", " ")[:limit]


async def dead_letter(js: JetStreamContext, deadletters: StreamSpec, *, projection: str,
                      stream: str, position: int, data: bytes, reason: str) -> None:
    """Publish the original message to ``<deadletter prefix>.<projection>.<stream>``. The
    message id makes a second attempt (after a crash before the checkpoint) a no-op."""
    headers = {
        "Nats-Msg-Id": f"dlq-{projection}-{stream}-{position}",
        "Interlude-Reason": _ascii(reason),
        "Interlude-Projection": projection,
        "Interlude-Source-Stream": stream,
        "Interlude-Source-Position": str(position),
    }
    await js.publish(f"{deadletters.prefix}.{projection}.{stream}", data, headers=headers)
