"""Read models: projections fed by durable pull consumers, checkpointed in PostgreSQL."""

from interlude.shared.projections.base import Projection, RecordedEvent
from interlude.shared.projections.runner import ProjectionRunner
from interlude.shared.projections.waiter import PositionWaiter

__all__ = ["PositionWaiter", "Projection", "ProjectionRunner", "RecordedEvent"]
