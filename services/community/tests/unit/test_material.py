"""A material shared with a space: only its coach shares, a link is checked and stored
(never fetched), only members open and mark it done (once each), and it exists nowhere else."""

from __future__ import annotations

import pytest

from interlude.community.domain import events as ev
from interlude.community.domain import material, space
from interlude.community.domain.errors import Invalid, NotAllowed, NotFound

COACH = "coach"


def cohort(*members: str) -> space.Space:
    """A pseudonymous cohort whose ``members`` joined (as its events say)."""
    joined = [e for user in members for e in (
        ev.MemberInvited(user_id=user, invited_by=COACH, contract_id=f"c-{user}"),
        ev.MemberJoined(user_id=user, handle=f"h-{user}", pseudonym=f"Kind {user}"))]
    return space.SPACE.replay(space.Space(), [
        *space.create(COACH, "h-coach", "cohort", "Saying no", "", True), *joined])


def shared(group: space.Space) -> material.CohortMaterial:
    events = material.share(group, "s1", COACH, "link", " The positive no ",
                            " https://example.org/no ", "why now")
    return material.COHORT_MATERIAL.replay(material.CohortMaterial(), events)


def test_the_coach_shares_with_the_members_of_the_moment() -> None:
    group = cohort("amira", "ben")
    [event] = material.share(group, "s1", COACH, "link", " The positive no ",
                             " https://example.org/no ", None)
    assert isinstance(event, ev.CohortMaterialShared)
    assert event.members == ["amira", "ben"] and event.note is None
    assert event.url is not None and event.title.subject == COACH  # sealed for the coach
    assert (event.title.reveal(), event.url.reveal()) == ("The positive no",
                                                          "https://example.org/no")
    with pytest.raises(NotAllowed):
        material.share(group, "s1", "amira", "reading", "mine", None, None)
    with pytest.raises(NotFound):  # outside the space, it does not exist
        material.share(group, "s1", "stranger", "reading", "mine", None, None)


@pytest.mark.parametrize(("kind", "title", "url"), [
    ("reading", "  ", None), ("link", "no address", None), ("link", "x", "javascript:x()"),
    ("reading", "x", "file:///etc/passwd"), ("reading", "x", "https://")])
def test_a_material_needs_a_title_and_a_link_an_http_address(kind: ev.MaterialKind,
                                                             title: str, url: str | None) -> None:
    with pytest.raises(Invalid):
        material.share(cohort("amira"), "s1", COACH, kind, title, url, None)


def test_members_open_and_mark_done_once_each() -> None:
    group = cohort("amira", "ben")
    state = shared(group)
    [opened] = material.opened(state, group, "s1", "amira")
    state = material.COHORT_MATERIAL.replay(state, [opened])
    assert material.opened(state, group, "s1", "amira") == []
    [done] = material.done(state, group, "s1", "amira")
    state = material.COHORT_MATERIAL.replay(state, [done])
    assert material.done(state, group, "s1", "amira") == []
    assert state.done == {"amira"} and state.opened == {"amira"}
    [ben_done] = material.done(state, group, "s1", "ben")  # done without opening here
    assert material.COHORT_MATERIAL.replay(state, [ben_done]).opened == {"amira", "ben"}


def test_nobody_but_a_member_marks_it_and_it_belongs_to_its_space() -> None:
    group = cohort("amira")
    state = shared(group)
    with pytest.raises(NotAllowed):
        material.opened(state, group, "s1", COACH)
    with pytest.raises(NotFound):
        material.opened(state, group, "s1", "stranger")
    with pytest.raises(NotFound):
        material.done(state, group, "another-space", "amira")
    with pytest.raises(NotFound):
        material.opened(material.CohortMaterial(), group, "s1", "amira")
