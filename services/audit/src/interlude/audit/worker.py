"""audit's worker: the intake of every stream into the chains, the checkpoint signer and the
retention job."""

from __future__ import annotations

import asyncio

from interlude.audit.adapters.signing import signing_key
from interlude.audit.adapters.witness import retention_reporter
from interlude.audit.app.checkpoints import Checkpointer
from interlude.audit.app.retention import keep_retention
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

    async def background(platform: Platform) -> None:
        signing = checkpointer(platform, settings).run(
            last_published=published_checkpoints(platform).last)
        # purges sign their own checkpoints, as a compliance officer's purge does in the API
        retention = keep_retention(platform.pool, checkpointer(platform, settings),
                                   retention_reporter(platform.js, platform.stream("audit")),
                                   settings.retention_interval_s)
        await asyncio.gather(signing, retention)

    worker.main(settings, runners, MIGRATIONS, prepare=ensure_sources, background=background)


if __name__ == "__main__":
    main()
