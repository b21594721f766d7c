"""E-mail addresses: the claim within an organisation and the index sign-in reads, including
the installation-wide claims written before ADR 0005."""

from __future__ import annotations

import pytest

from interlude.identity.domain import claims
from interlude.identity.domain import events as ev
from interlude.identity.domain.claims import Account
from interlude.identity.domain.errors import AlreadyExists


def index(*events):
    return claims.EMAIL_INDEX.replay(claims.EmailIndex(), list(events))


def test_a_claim_made_before_adr_0005_still_claims_within_its_organisation() -> None:
    empty = claims.EmailClaim()
    with pytest.raises(AlreadyExists):
        claims.claim(empty, "t1", "u2", legacy_holder="u1")
    assert claims.claim(empty, "t1", "u1", legacy_holder="u1")  # its own holder moves in


def test_the_index_lists_one_account_per_organisation_and_forgets_released_ones() -> None:
    listed = index(ev.EmailAccountListed(tenant_id="t1", user_id="u1"),
                   ev.EmailAccountListed(tenant_id="t2", user_id="u2"))
    assert listed.accounts == (Account("t1", "u1"), Account("t2", "u2"))
    assert claims.list_account(listed, "t1", "u1") == []
    unlisted = claims.EMAIL_INDEX.replay(listed, claims.unlist_account(listed, "t1", "u1"))
    assert unlisted.accounts == (Account("t2", "u2"),)
    assert claims.unlist_account(unlisted, "t1", "u1") == []
    # an entry a crash left behind gives way to the organisation's next holder
    replaced = claims.EMAIL_INDEX.replay(listed, claims.list_account(listed, "t1", "u3"))
    assert replaced.accounts == (Account("t2", "u2"), Account("t1", "u3"))


def test_the_index_reads_the_old_installation_wide_claims() -> None:
    old = index(ev.EmailClaimed(tenant_id="t1", user_id="u1"))
    assert old.accounts == (Account("t1", "u1", legacy=True),)
    assert old.holder_in("t1", legacy_only=True) == "u1"
    assert old.holder_in("t2") is None
    both = claims.EMAIL_INDEX.replay(old, claims.list_account(old, "t2", "u2"))
    assert both.holder_in("t2", legacy_only=True) is None and both.holder_in("t2") == "u2"
    released = claims.EMAIL_INDEX.replay(both, [ev.EmailReleased(user_id="u1")])
    assert released.accounts == (Account("t2", "u2"),)
