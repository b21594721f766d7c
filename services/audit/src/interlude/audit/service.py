"""audit's entry in the platform: ``make run`` starts it after the services it records, as the
role ``audit_app`` (migrations 0002 and 0003 say what that role may do: read and append, create
nothing; the owner ``audit`` migrates)."""

from pathlib import Path

from interlude.shared.service import ServiceSpec

# the same shape in every service's service.py: a declaration, its values this service's own
SPEC = ServiceSpec(
    name="audit",
    api="interlude.audit.main:create_app",
    worker="interlude.audit.worker",
    migrations=Path(__file__).parent / "migrations",
    default_port=8105,
    consumes=("identity", "engagement", "community", "notify", "access"),
    start_order=80,
    runtime_role=True,  # runs as audit_app: reads and appends the trail, never changes it
)
