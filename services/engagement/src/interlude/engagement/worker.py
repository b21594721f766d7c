"""engagement's worker: the composition root of its consumers (people from identity; the
records, dashboard and sponsor figures from engagement; community activity) and of the
contracts' retention job."""

from __future__ import annotations

from interlude.engagement.settings import EngagementSettings
from interlude.engagement.wiring import MIGRATIONS, ensure_sources, retention, runners
from interlude.shared import worker
from interlude.shared.runtime import Platform


def main() -> None:
    settings = EngagementSettings()

    async def keep_retention(platform: Platform) -> None:
        await (await retention(platform)).keep(settings.retention_interval_s)

    worker.main(settings, runners, MIGRATIONS, prepare=ensure_sources,
                background=keep_retention)


if __name__ == "__main__":
    main()
