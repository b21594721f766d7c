"""community's entry in the platform: ``make run`` starts it after engagement, whose contracts
say who may join which space."""

from pathlib import Path

from interlude.shared.service import ServiceSpec

# the same shape in every service's service.py: a declaration, its values this service's own
SPEC = ServiceSpec(
    name="community",
    api="interlude.community.main:create_app",
    worker="interlude.community.worker",
    migrations=Path(__file__).parent / "migrations",
    default_port=8103,
    seed="interlude.community.seed:seed",
    consumes=("identity", "engagement"),
    start_order=30,
)
