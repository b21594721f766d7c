"""A batch of events cut into runs: the hot event of a projection written a run at a time
(one pipelined statement for many rows), every other event through its handler, in order."""

from __future__ import annotations

import itertools
from collections.abc import Iterator

from interlude.shared.projections.base import RecordedEvent


def runs(events: list[RecordedEvent], *event_types: str
         ) -> Iterator[tuple[bool, list[RecordedEvent]]]:
    """``events`` as consecutive runs, each flagged whether it is of the ``event_types``."""
    for hot, run in itertools.groupby(events, key=lambda e: e.type in event_types):
        yield hot, list(run)
