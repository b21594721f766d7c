"""A dashboard line in words: facts a coach reads at a glance, never content."""

from __future__ import annotations

from interlude.web.dashboard import lines, page, switched_off, totals


def test_a_dashboard_line_says_the_facts_in_words() -> None:
    row = {"contract_id": "c1", "coachee_id": "u1", "coachee_name": "Amira Haddad",
           "sessions": {"planned": 6, "held": 1, "next_at": "2026-12-04T09:30:00+00:00"},
           "goals_open": 1, "experiments_open": 2, "checkins": 3,
           "last_checkin_at": "2026-12-02T08:00:00+00:00", "last_mood": 2,
           "checkins_unacknowledged": 1, "unanswered": 2, "reply_overdue": True,
           "materials": {"shared": 2, "opened": 1, "done": 1},
           "attention": 5, "reasons": ["low mood in the last check-in"]}
    quiet = {**row, "materials": {"shared": 0, "opened": 0, "done": 0},
             "coachee_name": "Quinn", "checkins": None, "last_mood": None,
             "checkins_unacknowledged": 0, "unanswered": 0, "goals_open": 0,
             "experiments_open": 0, "sessions": {"planned": None, "held": None,
                                                 "next_at": None}, "reasons": []}
    first, second = lines({"coachees": [row, quiet]})
    assert first.reasons == ["Low mood in the last check-in"]
    assert first.facts == [
        "3 check-ins, last Wed 2 December 2026, 08:00 UTC", "Last mood: low",
        "1 to acknowledge", "2 messages waiting, overdue",
        "1 goal open, 2 experiments under way", "Materials: 2 shared, 1 opened, 1 done",
        "Sessions: 1 held of 6, next Fri 4 December 2026, 09:30 UTC"]
    assert second.facts == ["Sessions: 0 held"] and second.reasons == []


def test_a_dashboard_line_escapes_what_the_services_said() -> None:
    row = {"contract_id": "c1", "coachee_name": "<b>Bo</b> & Co", "sessions": {},
           "goals_open": 0, "experiments_open": 0, "reasons": ["a <i>late</i> reply"]}
    html = str(page({"coachees": [row]}))
    assert "<b>" not in html and "<i>" not in html
    assert "<h2>&lt;b&gt;Bo&lt;/b&gt; &amp; Co</h2>" in html
    assert '<a href="/contracts/c1/brief">Brief<span class="visually-hidden"> on ' \
           "&lt;b&gt;Bo&lt;/b&gt; &amp; Co</span></a>" in html
    assert '<a href="/contracts/c1">Contract' in html and "<li>A &lt;i&gt;late" in html


def test_the_caseload_is_said_in_words_above_the_page() -> None:
    assert totals({"total": 23, "needing_attention": 5}) == (
        "23 coachees; 5 need your attention now.")
    assert totals({"total": 1, "needing_attention": 1}) == (
        "1 coachee; 1 needs your attention now.")
    assert totals({"total": 3, "needing_attention": 0}) == (
        "3 coachees; none needs your attention now.")


def test_features_switched_off_are_named_in_words_and_their_links_left_out() -> None:
    board = {"blocked": ["messaging.enabled", "community.enabled", "checkins.enabled"],
             "coachees": [{"contract_id": "c1", "coachee_name": "Amira", "sessions": {},
                           "goals_open": 0, "experiments_open": 0, "reasons": []}]}
    assert switched_off(board) == ("Your organisation has switched off messages, the "
                                   "community and check-ins: this page leaves them out.")
    assert switched_off({"blocked": []}) is None and switched_off({}) is None
    html = str(page(board))
    assert "/contracts/c1/messages" not in html and "/contracts/c1/check-ins" not in html
    assert "/contracts/c1/goals" in html and "/contracts/c1/materials" in html
