"""audit's settings (``INTERLUDE_*``), on top of what every service reads."""

from __future__ import annotations

from pathlib import Path

from pydantic import SecretStr

from interlude.shared.serving import CallerSettings


class AuditSettings(CallerSettings):
    service_name: str = "audit"
    # the Ed25519 key that signs checkpoints: a value (base64 of the 32-byte seed), or a file;
    # the embedded stack generates one beside the master secret in the data folder
    signing_key: SecretStr | None = None
    signing_key_file: Path | None = None
    checkpoint_interval_s: float = 180.0  # sign at most this long after a new record
    checkpoint_every: int = 1000  # or as soon as this many records are unsigned
    checkpoint_idle_s: float = 3600.0  # and re-sign an idle trail at least this often
    retention_interval_s: float = 3600.0  # the retention job's rounds (one at the start too)
    export_deadline_s: float = 10.0  # how long an export waits for every service's section
    export_ttl_days: int = 7  # how long an export is kept for download

    def key_file(self) -> Path | None:
        if self.signing_key_file is not None:
            return self.signing_key_file
        if self.master_secret_file is not None:
            return self.master_secret_file.parent / "audit-signing.key"
        return None
