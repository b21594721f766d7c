"""notify's worker: the composition root of its consumers (people and the reactions to
identity's events; contracts, reactions and reminders from engagement; spaces and reactions
from community; the inbox from notify's own stream)."""

from __future__ import annotations

from interlude.notify import outbound  # outbound
from interlude.notify.settings import NotifySettings
from interlude.notify.wiring import MIGRATIONS, ensure_sources, runners
from interlude.shared import worker


def main() -> None:
    worker.main(NotifySettings(), runners, MIGRATIONS, prepare=ensure_sources,
                background=outbound.background)  # outbound


if __name__ == "__main__":
    main()
