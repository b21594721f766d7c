"""Identifiers. The domain never makes its own: ids are passed in, so replays are exact."""

from __future__ import annotations

import uuid


def new_id() -> str:
    """A random 128-bit id as 32 hex characters: a valid subject token and URL segment."""
    return uuid.uuid4().hex
