"""The brief covers what came after the last session held, not before it."""

from __future__ import annotations

from interlude.web.pages.brief import came_after, since_last_session


def test_the_brief_starts_at_the_last_session_held() -> None:
    sessions = {"sessions": [
        {"starts_at": "2026-11-02T09:00:00+00:00", "status": "held"},
        {"starts_at": "2026-11-16T09:00:00+00:00", "status": "held"},
        {"starts_at": "2026-11-23T09:00:00+00:00", "status": "cancelled"},
        {"starts_at": "2026-11-30T09:00:00+00:00", "status": "scheduled"}]}
    since = since_last_session(sessions)
    assert since is not None and since.isoformat() == "2026-11-16T09:00:00+00:00"
    assert came_after("2026-11-20T10:00:00+00:00", since)
    assert not came_after("2026-11-10T10:00:00+00:00", since)
    assert not came_after(None, since)  # an experiment not reported yet


def test_before_any_session_held_the_brief_covers_everything() -> None:
    assert since_last_session({"sessions": []}) is None
    assert came_after("2020-01-01T00:00:00+00:00", None)
