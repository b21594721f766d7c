"""The outbound side's fixtures: notify on real servers with a real SMTP server
(``outbound_world``) and a real webhook receiver."""

from collections.abc import AsyncIterator

import pytest

from interlude.notify.outbound_testing import Receiver, receiving

from .outbound_world import world  # noqa: F401


@pytest.fixture
async def receiver() -> AsyncIterator[Receiver]:
    async with receiving() as r:
        yield r
