"""identity's settings (``INTERLUDE_*``), on top of what every service reads."""

from __future__ import annotations

from datetime import timedelta

from interlude.shared.auth import DEFAULT_ISSUER
from interlude.shared.config import PlatformSettings


class IdentitySettings(PlatformSettings):
    service_name: str = "identity"
    token_issuer: str = DEFAULT_ISSUER
    access_token_ttl_s: int = 300
    refresh_token_ttl_days: int = 30
    invitation_ttl_hours: int = 72
    key_rotation_days: int = 30
    # where people open links (invitations) and where the identity provider sends them back
    public_url: str = "http://127.0.0.1:8101"
    web_url: str = "http://127.0.0.1:8100"
    # argon2id costs; the defaults are OWASP's baseline, tests lower them
    argon2_time_cost: int = 2
    argon2_memory_kib: int = 19_456

    @property
    def access_ttl(self) -> timedelta:
        return timedelta(seconds=self.access_token_ttl_s)
