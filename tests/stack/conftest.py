"""Fixtures of the stack tests."""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest


@pytest.fixture
def data_dir() -> Iterator[Path]:
    """A data folder for `interlude-stack run`, outside pytest's temporary root: any pytest
    starting on the machine strips group and other permissions from /tmp/pytest-of-<user>,
    which, run as root, locks PostgreSQL's system user out of its folder (an initdb or a
    pg_ctl stop fails halfway)."""
    root = Path(tempfile.mkdtemp(prefix="interlude-stack-test-"))
    yield root / "data"
    shutil.rmtree(root, ignore_errors=True)
