"""identity's entry in the platform: ``make run`` starts it first (every other service verifies
tokens against its JWKS)."""

from pathlib import Path

from interlude.shared.service import ServiceSpec

# the same shape in every service's service.py: a declaration, its values this service's own
SPEC = ServiceSpec(
    name="identity",
    api="interlude.identity.main:create_app",
    worker="interlude.identity.worker",
    migrations=Path(__file__).parent / "migrations",
    default_port=8101,
    seed="interlude.identity.seed:seed",
    start_order=10,
)
