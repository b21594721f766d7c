"""engagement's settings (``INTERLUDE_*``), on top of what every service reads."""

from __future__ import annotations

from interlude.shared.auth import DEFAULT_ISSUER
from interlude.shared.config import PlatformSettings


class EngagementSettings(PlatformSettings):
    service_name: str = "engagement"
    identity_url: str = "http://127.0.0.1:8101"  # where the JWKS is (make run sets it)
    token_issuer: str = DEFAULT_ISSUER
    # where calendar apps fetch the private feeds from
    public_url: str = "http://127.0.0.1:8102"
