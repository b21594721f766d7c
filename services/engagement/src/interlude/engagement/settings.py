"""engagement's settings (``INTERLUDE_*``), on top of what every service reads."""

from __future__ import annotations

from interlude.shared.serving import CallerSettings


class EngagementSettings(CallerSettings):
    service_name: str = "engagement"
    # where calendar apps fetch the private feeds from
    public_url: str = "http://127.0.0.1:8102"
    # the contracts' retention job: a round at the worker's start, then this often
    retention_interval_s: float = 3600.0
