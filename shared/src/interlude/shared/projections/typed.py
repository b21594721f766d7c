"""Typed events for projections: what a projection reads is declared, checked when it is
built, and each event reaches its handler decoded and upcast.

A projection names the registries it reads (``reads``): its own service's, or for another
service's events a *published contract* (:mod:`interlude.shared.events.published`, or a small
registry the consumer declares) that lists only the names and fields it relies on, so services
share events without sharing code. When the projection is built, every ``on_<event>`` handler
must match an event type of those registries, and every type it claims (``handles``) must have
a handler: a typo then stops the worker's start, naming the handler, instead of dropping events.

Decoding does not open sealed fields: each stays a :class:`Sealed`, a :class:`Secret` that
keeps its ciphertext and where it was written, which a read model stores as it is
(:func:`~interlude.shared.projections.sealed.kept`). A projection that needs the plaintext (as
identity's directory does for its blind indexes) opens the envelope with its own codec.
"""

from __future__ import annotations

import inspect
import re
from collections.abc import Iterable
from typing import Any

from pydantic import ValidationError

from interlude.shared.events.registry import Event, EventRegistry, UnknownEventType
from interlude.shared.sealing import Secret, is_sealed


class Misdeclared(TypeError):
    """A projection's handlers and the event types it reads do not agree."""


class UndecodableEvent(ValueError):
    """A stored event does not fit the type its projection reads (a field missing or of the
    wrong kind): the runner dead-letters it, with this reason."""


class SealedContentError(RuntimeError):
    """Content of a :class:`Sealed` value was asked for: it has not been opened."""


class Sealed(Secret):
    """A confidential field as decoded for a projection: still sealed, with the event id and
    field path it was sealed under (an upcaster may move it; its binding stays)."""

    __slots__ = ("event_id", "field", "sealed")
    event_id: str
    field: str
    sealed: dict[str, Any]

    def __init__(self, sealed: dict[str, Any], event_id: str, field: str) -> None:
        super().__init__("", str(sealed.get("sub") or "unknown"))
        object.__setattr__(self, "sealed", sealed)
        object.__setattr__(self, "event_id", event_id)
        object.__setattr__(self, "field", field)

    def reveal(self) -> str:
        raise SealedContentError(f"field {self.field} is still sealed: open it with a sealer")

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Sealed):
            return NotImplemented
        return (self.sealed, self.event_id, self.field) == (other.sealed, other.event_id,
                                                            other.field)

    def __hash__(self) -> int:
        return hash((Sealed, self.event_id, self.field))


_NESTED = (dict, list)


def _wrap(value: Any, event_id: str, path: str) -> Any:
    """``value`` with every sealed dict in it made a :class:`Sealed` bound to its path. Only
    dicts and lists are walked into (a scalar is kept without a call or a path made for it:
    every event a projection reads goes through here)."""
    if isinstance(value, dict):
        if is_sealed(value):
            return Sealed(value, event_id, path)
        return {k: _wrap(v, event_id, f"{path}.{k}" if path else k)
                if isinstance(v, _NESTED) else v for k, v in value.items()}
    if isinstance(value, list):
        return [_wrap(v, event_id, f"{path}.{i}" if path else str(i))
                if isinstance(v, _NESTED) else v for i, v in enumerate(value)]
    return value


def decode_sealed(registry: EventRegistry, wire: dict[str, Any]) -> Event:
    """The event of a wire envelope, upcast to the registry's version, sealed fields kept
    sealed."""
    payload = _wrap(wire.get("payload") or {}, str(wire["event_id"]), "")
    return registry.build(str(wire["type"]), int(wire["schema_version"]), payload)


def handler_name(event_type: str) -> str:
    """``engagement.CheckInPosted`` is handled by ``on_check_in_posted``."""
    short = event_type.rsplit(".", 1)[-1]
    return "on_" + re.sub(r"(?<!^)(?=[A-Z])", "_", short).lower()


class Reading:
    """The event types a projection reads, by handler name, and the registry of each."""

    def __init__(self, registries: Iterable[EventRegistry]) -> None:
        self.registries = tuple(registries)
        self.by_handler: dict[str, list[str]] = {}
        self._registry: dict[str, EventRegistry] = {}
        for registry in self.registries:
            for name in registry.names():
                self.by_handler.setdefault(handler_name(name), []).append(name)
                self._registry[name] = registry

    def knows(self, event_type: str) -> bool:
        return event_type in self._registry

    def decode(self, wire: dict[str, Any]) -> Event:
        registry = self._registry.get(str(wire["type"]))
        if registry is None:
            raise UnknownEventType(f"unknown event type {wire['type']!r}")
        try:
            return decode_sealed(registry, wire)
        except ValidationError as err:
            # the fields at fault and why, never their values: a reason is logged
            faults = "; ".join(f"{'.'.join(map(str, e['loc'])) or 'payload'}: {e['msg']}"
                               for e in err.errors(include_input=False, include_url=False))
            raise UndecodableEvent(f"{wire['type']} v{wire['schema_version']} does not fit"
                                   f" {err.title}: {faults}") from None

    def check(self, projection: object, name: str, handles: Iterable[str]) -> None:
        """Raise :class:`Misdeclared` naming the first handler or claimed type that does not
        match."""
        known = ", ".join(sorted({n.split(".", 1)[0] for r in self.registries
                                  for n in r.names()})) or "no events"
        for attr, _ in inspect.getmembers(type(projection), inspect.isfunction):
            if attr.startswith("on_") and attr not in self.by_handler:
                raise Misdeclared(f"projection {name}: handler {attr} matches no event type"
                                  f" it reads ({known})")
        for event_type in handles:
            if not self.knows(event_type):
                raise Misdeclared(f"projection {name} handles {event_type}, an event type it"
                                  f" does not read ({known})")
            if not callable(getattr(projection, handler_name(event_type), None)):
                raise Misdeclared(f"projection {name} handles {event_type} but has no"
                                  f" {handler_name(event_type)}")
