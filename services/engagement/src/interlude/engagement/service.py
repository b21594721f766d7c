"""engagement's entry in the platform: ``make run`` starts it after identity."""

from pathlib import Path

from interlude.shared.service import ServiceSpec

SPEC = ServiceSpec(
    name="engagement",
    api="interlude.engagement.main:create_app",
    worker="interlude.engagement.worker",
    migrations=Path(__file__).parent / "migrations",
    default_port=8102,
    seed="interlude.engagement.seed:seed",
    consumes=("identity", "community"),
    start_order=20,
)
