"""Event types and their upcasters.

An event type is a frozen pydantic model registered under a stable name
(``engagement.CheckInPosted``, never a Python path) and a schema version. Shipped events are never
edited: a change of shape registers a new version and an upcaster that turns the old payload
into the new one, so old events load as the current class.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, ClassVar, TypeVar

from pydantic import BaseModel, ConfigDict

Payload = dict[str, Any]
Upcaster = Callable[[Payload], Payload]
E = TypeVar("E", bound="Event")


class Event(BaseModel):
    """Base of every domain event; the registry sets ``type_name`` and ``schema_version``."""

    model_config = ConfigDict(frozen=True, extra="forbid", arbitrary_types_allowed=True)
    type_name: ClassVar[str] = ""
    schema_version: ClassVar[int] = 0


class UnknownEventType(LookupError):
    """An envelope names a type (or version) this registry does not know."""


class EventRegistry:
    """A service's catalogue of event types, by stable name, with their upcasters."""

    def __init__(self) -> None:
        self._types: dict[str, type[Event]] = {}
        self._upcasters: dict[tuple[str, int], Upcaster] = {}

    def event(self, name: str, version: int = 1) -> Callable[[type[E]], type[E]]:
        """Class decorator: register ``cls`` as the current version of event type ``name``."""

        def register(cls: type[E]) -> type[E]:
            if name in self._types:
                raise ValueError(f"event type {name} is registered twice")
            cls.type_name = name
            cls.schema_version = version
            self._types[name] = cls
            return cls

        return register

    def upcaster(self, name: str, from_version: int) -> Callable[[Upcaster], Upcaster]:
        """Decorator: register a function turning a ``from_version`` payload into the next."""

        def register(fn: Upcaster) -> Upcaster:
            self._upcasters[(name, from_version)] = fn
            return fn

        return register

    def names(self) -> tuple[str, ...]:
        """Every event type registered, by stable name."""
        return tuple(self._types)

    def knows(self, name: str) -> bool:
        return name in self._types

    def type_of(self, name: str) -> type[Event]:
        try:
            return self._types[name]
        except KeyError:
            raise UnknownEventType(f"unknown event type {name!r}") from None

    def upcast(self, name: str, version: int, payload: Payload) -> Payload:
        """Apply upcasters from ``version`` up to the registered version of ``name``."""
        current = self.type_of(name).schema_version
        if version > current:
            raise UnknownEventType(f"{name} v{version} is newer than this code (v{current})")
        while version < current:
            step = self._upcasters.get((name, version))
            if step is None:
                raise UnknownEventType(f"no upcaster for {name} from v{version}")
            payload = step(payload)
            version += 1
        return payload

    def build(self, name: str, version: int, payload: Payload) -> Event:
        """The event object for a payload of ``name`` at ``version``, upcast to the current one."""
        cls = self.type_of(name)
        return cls.model_validate(self.upcast(name, version, payload))
