"""Identifiers. The domain never makes its own: ids are passed in, so replays are exact."""

from __future__ import annotations

import os


def new_id() -> str:
    """A random 128-bit id as 32 hex characters: a valid subject token and URL segment.
    (Straight from the OS's generator: ``uuid4().hex`` cost six times as much, and a
    command makes several.)"""
    return os.urandom(16).hex()
