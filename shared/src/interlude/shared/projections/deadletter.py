"""Poison events: set aside with the reason, so that they never stall a consumer."""

from __future__ import annotations

from nats.js import JetStreamContext

from interlude.shared.eventstore.streams import StreamSpec


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
