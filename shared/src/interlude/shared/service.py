"""How a service tells the platform about itself.

Each service package publishes a :class:`ServiceSpec` under the entry-point group
``interlude.services``; ``make run`` discovers them, creates their database and role (and, when
asked, a second role the running service logs in as), applies their migrations, starts their API
and worker, and runs their demo seed.
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
    # True: the API and worker log in as "<name>_app", a role of their own that has only what
    # the service's migrations grant it; the owner "<name>" runs the migrations
    runtime_role: bool = False
    # the other services' streams it reads (its own is implied): its NATS user may consume
    # these and no others (interlude.shared.nats_permissions)
    consumes: tuple[str, ...] = ()

    @property
    def app_role(self) -> str | None:
        """The role the service's processes log in as, when it is not the owner."""
        return f"{self.name}_app" if self.runtime_role else None


def discover_services() -> list[ServiceSpec]:
    """Every installed service, in start order."""
    specs = [ep.load() for ep in entry_points(group="interlude.services")]
    return sorted(specs, key=lambda s: (s.start_order, s.name))
