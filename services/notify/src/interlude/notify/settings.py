"""notify's settings (``INTERLUDE_*``), on top of what every service reads."""

from __future__ import annotations

from interlude.shared.serving import CallerSettings


class NotifySettings(CallerSettings):
    service_name: str = "notify"
    smtp_host: str = "127.0.0.1"
    smtp_port: int = 8025  # make run starts a local sink; its port is written here by the stack
    smtp_username: str = ""
    smtp_password: str = ""
    smtp_starttls: bool | None = None  # None: when the server offers it
    smtp_timeout_seconds: float = 30.0
    mail_from: str = "Interlude <no-reply@interlude.localhost>"
    public_url: str = "http://127.0.0.1:8100"  # where links in e-mails point (the web front end)
    api_url: str = "http://127.0.0.1:8104"  # notify's own address: one-click unsubscribe posts here
    # the outbound senders: how often they look for due work, and how they back off
    outbound_poll_seconds: float = 1.0
    email_retry_base_seconds: float = 30.0
    email_retry_ceiling_seconds: float = 3600.0
    email_max_attempts: int = 12  # about half a day of a server that keeps answering 4xx
    webhook_timeout_seconds: float = 10.0
    webhook_retry_base_seconds: float = 60.0
    webhook_retry_ceiling_seconds: float = 4 * 3600.0
    webhook_max_attempts: int = 10  # 1 min, 2, 4, ... 4 h: about 16 hours, then dead-lettered
    webhook_rotation_grace_hours: float = 24.0
    # how often notifications past the organisation's notify.retention_days are removed
    retention_interval_seconds: float = 3600.0
    # endpoints on loopback, private, link-local or reserved addresses are refused (request
    # forgery against the cluster's own services); tests and a lab may allow them
    webhook_private_addresses: bool = False
