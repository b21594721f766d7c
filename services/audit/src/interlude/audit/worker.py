"""audit's worker: the intake of every stream into the chains, and the checkpoint signer."""

from __future__ import annotations

from interlude.audit.adapters.signing import signing_key
from interlude.audit.app.checkpoints import Checkpointer
from interlude.audit.settings import AuditSettings
from interlude.audit.wiring import (
    MIGRATIONS,
    checkpoint_publisher,
    ensure_sources,
    published_checkpoints,
    runners,
)
from interlude.shared import worker
from interlude.shared.runtime import Platform


def checkpointer(platform: Platform, settings: AuditSettings) -> Checkpointer:
    return Checkpointer(platform.pool, signing_key(settings),
                        publish=checkpoint_publisher(platform),
                        interval_s=settings.checkpoint_interval_s,
                        every=settings.checkpoint_every, idle_s=settings.checkpoint_idle_s)


def main() -> None:
    settings = AuditSettings()

    async def sign_checkpoints(platform: Platform) -> None:
        await checkpointer(platform, settings).run(
            last_published=published_checkpoints(platform).last)

    worker.main(settings, runners, MIGRATIONS, prepare=ensure_sources,
                background=sign_checkpoints)


if __name__ == "__main__":
    main()
