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
    # None: no notify (the inbox, its badge and live updates are left out)
    notify_url: str | None = "http://127.0.0.1:8104"
    # a session ends after this long without a request, and after max_s whatever happens
    session_idle_s: int = 8 * 3600
    session_max_s: int = 7 * 24 * 3600
    sessions_max: int = 100_000  # sessions kept at once: the oldest go first past this
    # how often ended sessions leave memory and idle ones are renewed (a refused one goes)
    session_check_s: float = 60.0
    upstream_timeout_s: float = 10.0
    # a live stream's silence this long means notify is gone (it sends a comment every 15 s)
    live_read_timeout_s: float = 45.0
    unread_ttl_s: float = 3.0  # the header's unread count is asked again after this long
    log_level: str = "INFO"
    log_json: bool = True

    def service_urls(self) -> dict[str, str]:
        urls = {"identity": self.identity_url, "engagement": self.engagement_url,
                "community": self.community_url, "audit": self.audit_url}
        if self.notify_url:
            urls["notify"] = self.notify_url
        return urls
