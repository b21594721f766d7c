"""web's settings (``INTERLUDE_*``): where the other services answer, and how long a session
lasts. ``make run`` sets every ``INTERLUDE_<SERVICE>_URL``."""

from __future__ import annotations

from pydantic_settings import BaseSettings, SettingsConfigDict


class WebSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="INTERLUDE_", extra="ignore")

    service_name: str = "web"
    identity_url: str = "http://127.0.0.1:8101"
    engagement_url: str = "http://127.0.0.1:8102"
    community_url: str = "http://127.0.0.1:8103"
    audit_url: str = "http://127.0.0.1:8105"
    # a session ends after this long without a request, and after max_s whatever happens
    session_idle_s: int = 8 * 3600
    session_max_s: int = 7 * 24 * 3600
    sessions_max: int = 100_000  # sessions kept at once: the oldest go first past this
    upstream_timeout_s: float = 10.0
    log_level: str = "INFO"
    log_json: bool = True

    def service_urls(self) -> dict[str, str]:
        return {"identity": self.identity_url, "engagement": self.engagement_url,
                "community": self.community_url, "audit": self.audit_url}
