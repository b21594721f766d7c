"""community's settings (``INTERLUDE_*``), on top of what every service reads."""

from __future__ import annotations

from interlude.shared.serving import CallerSettings


class CommunitySettings(CallerSettings):
    service_name: str = "community"
    reports_to_hide: int = 3  # distinct members reporting a post hide it until the coach decides
