"""community's events as engagement reads them: a published contract of the names and fields
the dashboard relies on, declared here because services share events, never code. Unknown
fields are ignored (community may add some); a new version of one of these in community needs
its step here too, or engagement's consumer dead-letters what it cannot read."""

from __future__ import annotations

from interlude.shared.events.published import Published
from interlude.shared.events.registry import EventRegistry
from interlude.shared.sealing import Secret

community = EventRegistry()


@community.event("community.PostPublished")
class PostPublished(Published):
    author_id: str


@community.event("community.CommentAdded")
class CommentAdded(Published):
    author_id: str


@community.event("community.InsightPinned")
class InsightPinned(Published):
    author_id: str
    coach_id: str
    space_id: str
    note: Secret | None = None  # the coach's note, sealed for the author


@community.event("community.InsightUnpinned")
class InsightUnpinned(Published):
    author_id: str
