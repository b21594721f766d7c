"""Between domain events and envelopes: sealing on the way in, opening and upcasting on the way out.

Sealed fields are bound to the path they had when written. Opening therefore happens on the
wire payload *before* upcasting, so an upcaster may move a :class:`Secret` freely.
"""

from __future__ import annotations

from datetime import date, datetime, time
from enum import Enum
from typing import TYPE_CHECKING, Any
from uuid import UUID

from interlude.shared.events.envelope import CommandContext, Envelope
from interlude.shared.events.registry import Event, EventRegistry
from interlude.shared.ids import new_id
from interlude.shared.sealing import Secret, is_sealed

if TYPE_CHECKING:
    from interlude.shared.sealing import Sealer


class EventCodec:
    """Encodes a service's events for the store and decodes them back."""

    def __init__(self, registry: EventRegistry, sealer: Sealer | None = None) -> None:
        self.registry = registry
        self.sealer = sealer

    async def encode(self, event: Event, ctx: CommandContext, aggregate_id: str,
                     event_id: str | None = None) -> Envelope:
        event_id = event_id or new_id()
        payload = await self._to_wire(event.model_dump(mode="python"), ctx.tenant_id, event_id, "")
        return Envelope(
            event_id=event_id,
            type=event.type_name,
            schema_version=event.schema_version,
            tenant_id=ctx.tenant_id,
            aggregate_id=aggregate_id,
            occurred_at=ctx.now,
            actor=ctx.actor,
            correlation_id=ctx.correlation_id,
            causation_id=ctx.causation_id,
            policy_version=ctx.policy_version,
            source_address=ctx.source_address,
            payload=payload,
        )

    async def decode(self, envelope: Envelope) -> Event:
        """The domain event of ``envelope``: sealed fields opened (or erased), then upcast."""
        payload = await self._open(envelope.payload, envelope.tenant_id, envelope.event_id, "")
        return self.registry.build(envelope.type, envelope.schema_version, payload)

    async def _to_wire(self, value: Any, tenant: str, event_id: str, path: str) -> Any:
        """``value`` made JSON-ready with its :class:`Secret` fields sealed: one synchronous
        walk (most of a payload is plain), then a seal for each secret it found."""
        secrets: Found = []
        holder: list[Any] = [None]
        holder[0] = _walk(value, path, holder, 0, secrets)
        for container, key, secret, field in secrets:
            if self.sealer is None:
                raise RuntimeError(f"field {field} is confidential but this codec has no sealer")
            container[key] = await self.sealer.seal(secret, tenant=tenant, event_id=event_id,
                                                    field=field)
        return holder[0]

    async def _open(self, value: Any, tenant: str, event_id: str, path: str) -> Any:
        if is_sealed(value):
            if self.sealer is None:
                raise RuntimeError(f"field {path} is sealed but this codec has no sealer")
            return await self.sealer.open(value, tenant=tenant, event_id=event_id, field=path)
        if isinstance(value, dict):
            return {k: await self._open(v, tenant, event_id, _join(path, k))
                    for k, v in value.items()}
        if isinstance(value, list):
            return [await self._open(v, tenant, event_id, _join(path, str(i)))
                    for i, v in enumerate(value)]
        return value


Found = list[tuple[dict[str, Any] | list[Any], Any, Secret, str]]


def _walk(value: Any, path: str, container: dict[str, Any] | list[Any], key: Any,
          secrets: Found) -> Any:
    """The JSON-ready form of ``value`` (which will sit at ``container[key]``), each Secret in
    it left as None and noted in ``secrets`` with where it goes and its field path."""
    if isinstance(value, Secret):
        secrets.append((container, key, value, path))
        return None
    if isinstance(value, dict):
        mapping: dict[str, Any] = {}
        for k, v in value.items():
            mapping[k] = _walk(v, _join(path, k), mapping, k, secrets)
        return mapping
    if isinstance(value, list | tuple):
        items: list[Any] = [None] * len(value)
        for i, v in enumerate(value):
            items[i] = _walk(v, _join(path, str(i)), items, i, secrets)
        return items
    return _plain(value)


def _join(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


def _plain(value: Any) -> Any:
    """JSON-ready scalars; anything else is refused here rather than mangled on the wire."""
    if value is None or isinstance(value, str | int | float | bool):
        return value
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    if isinstance(value, Enum):
        return _plain(value.value)
    if isinstance(value, UUID):
        return value.hex
    raise TypeError(f"cannot put a {type(value).__name__} into an event payload")
