"""audit's entry in the platform: ``make run`` starts it after the services it records."""

from pathlib import Path

from interlude.shared.service import ServiceSpec

SPEC = ServiceSpec(
    name="audit",
    api="interlude.audit.main:create_app",
    worker="interlude.audit.worker",
    migrations=Path(__file__).parent / "migrations",
    default_port=8105,
    start_order=80,
)
