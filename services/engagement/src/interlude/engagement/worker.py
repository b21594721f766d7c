"""engagement's worker: the composition root of its consumers (people from identity; the
records, dashboard and sponsor figures from engagement; community activity)."""

from __future__ import annotations

from interlude.engagement.settings import EngagementSettings
from interlude.engagement.wiring import MIGRATIONS, ensure_sources, runners
from interlude.shared import worker


def main() -> None:
    worker.main(EngagementSettings(), runners, MIGRATIONS, prepare=ensure_sources)


if __name__ == "__main__":
    main()
