"""Every overlay rendered once per session."""

from __future__ import annotations

import pytest

from .rendering import OVERLAYS, Obj, render


@pytest.fixture(scope="session")
def rendered() -> dict[str, list[Obj]]:
    return {overlay: render(overlay) for overlay in OVERLAYS}
