"""The web front end in a real browser: Debian's chromium driven by Playwright's async API
(its sync API and pytest-asyncio cannot share a run), one browser per module, and web served
on a free port in front of identity and engagement, reached over HTTP."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from playwright.async_api import Browser, BrowserContext, async_playwright

from interlude.community.testing import RunningCommunity
from interlude.engagement.testing import RunningEngagement
from interlude.identity.testing import RunningIdentity
from interlude.web.testing import RunningWeb, running_web

CHROMIUM = Path(os.environ.get("INTERLUDE_CHROMIUM", "/usr/bin/chromium"))
FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"]
# where the screenshots of every main page go (README, "web"); not committed
SCREENSHOTS = Path(__file__).resolve().parents[3] / "build" / "screenshots"
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}


def _present() -> None:
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} is missing: `make install` installs Debian's chromium")


@pytest.fixture(scope="module")
async def browser() -> AsyncIterator[Browser]:
    _present()
    async with async_playwright() as playwright:
        launched = await playwright.chromium.launch(executable_path=str(CHROMIUM), args=FLAGS)
        yield launched
        await launched.close()


@pytest.fixture
async def web(identity: RunningIdentity, engagement: RunningEngagement
              ) -> AsyncIterator[RunningWeb]:
    async with running_web({"identity": identity.app, "engagement": engagement.app}) as running:
        yield running


@pytest.fixture
async def web_with_community(identity: RunningIdentity, engagement: RunningEngagement,
                             community: RunningCommunity) -> AsyncIterator[RunningWeb]:
    async with running_web({"identity": identity.app, "engagement": engagement.app,
                            "community": community.app}) as running:
        yield running


@pytest.fixture
async def context(browser: Browser, web: RunningWeb) -> AsyncIterator[BrowserContext]:
    made = await browser.new_context(base_url=web.url, viewport=DESKTOP)
    made.set_default_timeout(10_000)  # a page here answers in milliseconds: fail fast
    yield made
    await made.close()
