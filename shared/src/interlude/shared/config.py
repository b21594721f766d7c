"""Settings every service process reads from its environment (``INTERLUDE_*``).

There is no module-level settings object: a composition root builds one and passes it down.
"""

from __future__ import annotations

from pathlib import Path

from pydantic import SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict


class PlatformSettings(BaseSettings):
    """What every service needs to reach the platform."""

    model_config = SettingsConfigDict(env_prefix="INTERLUDE_", extra="ignore")

    service_name: str = "interlude"
    # one URL, or the nodes of a cluster separated by commas (clients fail over between them)
    nats_url: str = "nats://127.0.0.1:4222"
    # the service's own NATS user (see interlude.shared.nats_permissions); unset: no auth
    nats_user: str | None = None
    nats_password: SecretStr | None = None
    database_url: str = "postgresql://postgres@127.0.0.1:5432/postgres"
    database_schema: str | None = None  # first on the search path (tests: a schema each)
    stream_namespace: str = ""  # tests give each run streams of its own
    stream_replicas: int = 1
    # the root of every organisation's key-wrapping key; a file (embedded stack) or a value
    master_secret_file: Path | None = None
    master_secret: SecretStr | None = None
    log_level: str = "INFO"
    log_json: bool = True
    otel_exporter: str = "none"  # none | console | otlp
