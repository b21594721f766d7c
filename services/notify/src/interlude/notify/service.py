"""notify's entry in the platform: ``make run`` starts it after the services whose events it
turns into notifications."""

from pathlib import Path

from interlude.shared.service import ServiceSpec

SPEC = ServiceSpec(
    name="notify",
    api="interlude.notify.main:create_app",
    worker="interlude.notify.worker",
    migrations=Path(__file__).parent / "migrations",
    default_port=8104,
    seed="interlude.notify.seed:seed",
    consumes=("identity", "engagement", "community"),
    start_order=40,
)
