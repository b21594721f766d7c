"""Events: the envelope every event travels in, the registry of event types, and upcasting."""

from interlude.shared.events.envelope import Actor, CommandContext, Envelope
from interlude.shared.events.registry import Event, EventRegistry, UnknownEventType

__all__ = ["Actor", "CommandContext", "Envelope", "Event", "EventRegistry", "UnknownEventType"]
