"""identity's worker: the composition root of its consumers (the directory read model)."""

from __future__ import annotations

from interlude.identity.projections.directory import Directory
from interlude.identity.projections.people_data import Indexes
from interlude.identity.settings import IdentitySettings
from interlude.identity.wiring import MIGRATIONS, codec
from interlude.shared import worker
from interlude.shared.projections.runner import ProjectionRunner
from interlude.shared.runtime import Platform, master_secret


def runners(platform: Platform) -> list[ProjectionRunner]:
    directory = Directory(codec(platform), platform.keyring,
                          Indexes.of(master_secret(platform.settings)))
    return [ProjectionRunner(directory, platform.stream("identity"), platform.nc, platform.pool,
                             deadletters=platform.stream("deadletter"), batch_size=200)]


def main() -> None:
    worker.main(IdentitySettings(), runners, MIGRATIONS)


if __name__ == "__main__":
    main()
