"""notify's settings (``INTERLUDE_*``), on top of what every service reads."""

from __future__ import annotations

from interlude.shared.serving import CallerSettings


class NotifySettings(CallerSettings):
    service_name: str = "notify"
    smtp_host: str = "127.0.0.1"
    smtp_port: int = 8025  # make run starts a local sink; its port is written here by the stack
    mail_from: str = "Interlude <no-reply@interlude.localhost>"
    public_url: str = "http://127.0.0.1:8100"  # where links in e-mails point (the web front end)
