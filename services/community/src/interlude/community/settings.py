"""community's settings (``INTERLUDE_*``), on top of what every service reads."""

from __future__ import annotations

from interlude.shared.auth import DEFAULT_ISSUER
from interlude.shared.config import PlatformSettings


class CommunitySettings(PlatformSettings):
    service_name: str = "community"
    identity_url: str = "http://127.0.0.1:8101"  # where the JWKS is (make run sets it)
    token_issuer: str = DEFAULT_ISSUER
    reports_to_hide: int = 3  # distinct members reporting a post hide it until the coach decides
