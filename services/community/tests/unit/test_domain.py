"""community's pure domain: pseudonyms, membership, the gestures' rules and moderation."""

from __future__ import annotations

import pytest

from interlude.community.domain import events as ev
from interlude.community.domain import post, pseudonyms, rehearsal, space
from interlude.community.domain.errors import (
    ConsentMissing,
    Invalid,
    NotAllowed,
    NotEligible,
    NotFound,
    PseudonymTaken,
)
from interlude.shared.events.registry import Event

COACH = "coach"


def cohort(*members: str, pseudonymous: bool = True) -> space.Space:
    events: list[Event] = space.create(COACH, "h-coach", "cohort", "Saying no", "", pseudonymous)
    state = space.SPACE.replay(space.Space(), events)
    for user in members:
        state = space.SPACE.replay(state, space.invite(state, COACH, user, f"c-{user}"))
        state = space.SPACE.replay(state, space.join(state, user, f"h-{user}", None, None))
    return state


def test_a_pseudonym_is_tidied_checked_and_never_part_of_the_real_name() -> None:
    assert pseudonyms.check("  Quiet   Heron ", set(), "Amira Haddad") == "Quiet Heron"
    with pytest.raises(Invalid, match="part of your name"):
        pseudonyms.check("Amira the Brave", set(), "Amira Haddad")
    with pytest.raises(PseudonymTaken):
        pseudonyms.check("quiet heron", {pseudonyms.key("Quiet Heron")}, None)
    for bad in ("ab", "1abc", "x" * 40, "<script>"):
        with pytest.raises(Invalid):
            pseudonyms.check(bad, set(), None)


def test_suggestions_are_stable_and_free() -> None:
    first = pseudonyms.suggest("seed", set())
    assert pseudonyms.suggest("seed", set()) == first
    assert pseudonyms.suggest("seed", {pseudonyms.key(first)}) != first
    taken: set[str] = set()
    for n in range(300):  # more than the word lists combine to
        taken.add(pseudonyms.key(pseudonyms.suggest(f"s{n}", taken)))
    assert len(taken) == 300


def test_joining_needs_an_invitation_and_keeps_the_pseudonym_for_good() -> None:
    state = cohort("amira")
    with pytest.raises(NotFound):
        space.join(state, "stranger", "h-x", None, None)
    held = state.members["amira"].pseudonym
    assert held is not None
    state = space.SPACE.replay(state, space.leave(state, "amira", "amira"))
    state = space.SPACE.replay(state, space.invite(state, COACH, "amira", "c-amira"))
    with pytest.raises(Invalid, match="stable"):
        space.join(state, "amira", "h-amira", "Another Name", None)
    [joined] = space.join(state, "amira", "h-amira", None, None)
    assert joined.pseudonym == held
    newcomer = space.SPACE.replay(state, space.invite(state, COACH, "ben", "c-ben"))
    with pytest.raises(PseudonymTaken):  # nobody takes a former member's pseudonym
        space.join(newcomer, "ben", "h-ben", held, None)


def test_a_named_space_takes_no_pseudonym_and_a_cohort_needs_a_contract() -> None:
    state = cohort(pseudonymous=False)
    with pytest.raises(NotEligible):
        space.invite(state, COACH, "amira", None)
    state = space.SPACE.replay(state, space.invite(state, COACH, "amira", "c1"))
    with pytest.raises(Invalid):
        space.join(state, "amira", "h", "Quiet Heron", None)
    with pytest.raises(NotAllowed):
        space.invite(cohort("ben"), "ben", "amira", "c1")


def test_only_the_coach_reveals_and_only_with_a_reason() -> None:
    state = cohort("amira", "ben")
    with pytest.raises(NotAllowed):
        space.reveal(state, "ben", "h-amira", "curious")
    with pytest.raises(Invalid):
        space.reveal(state, COACH, "h-amira", "  ")
    [revealed] = space.reveal(state, COACH, "h-amira", "safeguarding")
    assert isinstance(revealed, ev.PseudonymRevealed) and revealed.user_id == "amira"


def published(state: space.Space, author: str) -> post.Post:
    return post.POST.replay(post.Post(), post.publish(state, "s1", author, "reflection", "hi"))


def test_the_third_distinct_report_hides_a_post_until_the_coach_restores_it() -> None:
    state = cohort("amira", "ben", "chloe", "dev")
    p = published(state, "amira")
    for reporter in ("ben", "chloe"):
        p = post.POST.replay(p, post.report(p, state, reporter, "unkind", hide_at=3))
        assert post.report(p, state, reporter, "again", hide_at=3) == []  # once each
    assert not p.hidden
    events = post.report(p, state, "dev", "unkind", hide_at=3)
    assert [type(e) for e in events] == [ev.PostReported, ev.PostHidden]
    p = post.POST.replay(p, events)
    with pytest.raises(NotFound):  # hidden from peers
        post.react(p, state, "ben", "like", True)
    with pytest.raises(NotAllowed):
        post.restore(p, state, "ben")
    p = post.POST.replay(p, post.restore(p, state, COACH))
    assert not p.hidden and post.react(p, state, "ben", "like", True)


def test_pins_tags_and_shares_follow_consent() -> None:
    state = cohort("amira", "ben")
    p = published(state, "amira")
    with pytest.raises(ConsentMissing):
        post.pin(p, state, COACH, None, author_consents=False)
    with pytest.raises(NotAllowed):
        post.pin(p, state, "ben", None, author_consents=True)
    with pytest.raises(ConsentMissing):
        post.tag(p, state, "amira", "ben", tagged_consents=False)
    with pytest.raises(Invalid):
        post.tag(p, state, "amira", "amira", tagged_consents=True)
    with pytest.raises(ConsentMissing):
        post.share(p, state, "ben", author_consents=False)
    p = post.POST.replay(p, post.pin(p, state, COACH, "key", author_consents=True))
    [unpinned] = post.unpin(p, "consent_withdrawn")
    assert isinstance(unpinned, ev.InsightUnpinned)
    withdrawn = post.withdraw(p, state, "amira")
    assert [type(e) for e in withdrawn] == [ev.PostWithdrawn, ev.InsightUnpinned]


def test_replies_go_one_level_deep() -> None:
    state = cohort("amira", "ben")
    p = published(state, "amira")
    p = post.POST.replay(p, post.comment(p, state, "ben", "c1", None, "nice"))
    p = post.POST.replay(p, post.comment(p, state, "amira", "c2", "c1", "thanks"))
    with pytest.raises(Invalid, match="one level"):
        post.comment(p, state, "ben", "c3", "c2", "deeper")


def test_a_rehearsal_is_seen_by_its_author_and_coach_only() -> None:
    state = cohort("amira", "ben")
    r = rehearsal.REHEARSAL.replay(rehearsal.Rehearsal(), rehearsal.draft(
        state, "s1", "amira", "experiment", "No, thank you."))
    with pytest.raises(NotFound):
        rehearsal.seen_by(r, "ben")
    with pytest.raises(NotAllowed):
        rehearsal.feedback(r, "amira", "self feedback")
    assert rehearsal.feedback(r, COACH, "good")
    r = rehearsal.REHEARSAL.replay(r, rehearsal.publish(r, state, "amira", "p1"))
    with pytest.raises(Exception, match="published"):
        rehearsal.revise(r, "amira", "too late")
