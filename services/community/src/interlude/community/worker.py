"""community's worker: the composition root of its consumers (people from identity; the
spaces' read models from community; contracts and consents from engagement)."""

from __future__ import annotations

from interlude.community.settings import CommunitySettings
from interlude.community.wiring import MIGRATIONS, ensure_sources, runners
from interlude.shared import worker


def main() -> None:
    worker.main(CommunitySettings(), runners, MIGRATIONS, prepare=ensure_sources)


if __name__ == "__main__":
    main()
