"""How a service tells the platform about itself.

Each service package publishes a :class:`ServiceSpec` under the entry-point group
``interlude.services``; ``make run`` discovers them, creates their database and role, applies
their migrations, starts their API and worker, and runs their demo seed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from importlib.metadata import entry_points
from pathlib import Path


@dataclass(frozen=True)
class ServiceSpec:
    name: str  # "identity": also the database, role and stream name
    api: str | None  # "interlude.identity.main:create_app", an app factory for uvicorn --factory
    worker: str | None  # "interlude.identity.worker", a module run with python -m
    migrations: Path | None
    default_port: int
    seed: str | None = None  # "interlude.identity.seed:seed", an async callable(settings) -> logins
    start_order: int = 50  # identity first: the others verify tokens against it
    extra_env: dict[str, str] = field(default_factory=dict)


def discover_services() -> list[ServiceSpec]:
    """Every installed service, in start order."""
    specs = [ep.load() for ep in entry_points(group="interlude.services")]
    return sorted(specs, key=lambda s: (s.start_order, s.name))
