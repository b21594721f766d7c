"""The parties' records come out the same whether engagement's events arrive one at a time (a
worker keeping up) or a batch at a time (a rebuild): check-ins, messages and read receipts
are written a run at a time, a table each, and what comes between (a like) in its place."""

from __future__ import annotations

from interlude.engagement.domain.terms import Consents, Terms
from interlude.engagement.projections.records import Records
from interlude.engagement.testing import terms
from interlude.engagement.wiring import MIGRATIONS
from interlude.shared.db import migrate
from interlude.shared.testing.batches import Events, one_by_one_then_at_once, sealed

CONTRACT, COACH, COACHEE = "ctr_1", "usr_coach", "usr_coachee"


def a_week_of_a_contract() -> Events:
    s = Events("ENGAGEMENT", "org_batches")
    agreed = Terms.model_validate(terms()).model_dump(mode="json")
    s.add("engagement.ContractProposed", CONTRACT, COACH, coach_id=COACH, coachee_id=COACHEE,
          sponsor_id=None, terms=agreed, terms_version=1)
    s.add("engagement.ContractActivated", CONTRACT, COACHEE, coach_id=COACH, coachee_id=COACHEE,
          sponsor_id=None, terms_version=1, terms=agreed,
          consents=Consents().model_dump(mode="json"))
    on = {"contract_id": CONTRACT, "coachee_id": COACHEE}

    def checkin(checkin_id: str) -> None:
        s.add("engagement.CheckInPosted", checkin_id, COACHEE, **on, coach_id=COACH,
              text=sealed(COACHEE), mood=4, small_win=True)

    def message(number: int, party: str) -> None:
        s.add("engagement.MessageSent", CONTRACT, COACH if party == "coach" else COACHEE, **on,
              message_id=f"msg_{number}", number=number, party=party,
              sender_id=COACH if party == "coach" else COACHEE, body=sealed(COACHEE),
              month="2026-03", counted=party == "coach", billable=False)

    def read(party: str, up_to: int) -> None:
        s.add("engagement.MessageRead", CONTRACT, COACH if party == "coach" else COACHEE,
              contract_id=CONTRACT, reader_id=party, party=party, up_to=up_to)

    checkin("chk_1")
    message(1, "coachee")
    read("coach", 1)
    checkin("chk_2")
    s.add("engagement.CheckInAcknowledged", "chk_1", COACH, **on, kind="like")
    checkin("chk_3")
    message(2, "coach")
    message(3, "coachee")
    read("coachee", 2)
    read("coach", 3)
    read("coach", 1)  # an older receipt: the thread stays read up to 3
    return s


async def test_one_at_a_time_and_a_batch_at_once_keep_the_same_records(pg_pool):
    async with pg_pool.acquire() as conn:
        await migrate(conn, MIGRATIONS)
        one_by_one, at_once = await one_by_one_then_at_once(
            conn, Records(), a_week_of_a_contract().recorded)
        assert at_once == one_by_one

        liked = await conn.fetch("SELECT checkin_id, liked FROM checkins ORDER BY 1")
        assert [tuple(r) for r in liked] == [("chk_1", True), ("chk_2", False),
                                             ("chk_3", False)]
        assert await conn.fetchval("SELECT array_agg(number ORDER BY number) FROM messages"
                                   ) == [1, 2, 3]
        reads = await conn.fetch("SELECT party, up_to FROM thread_reads ORDER BY 1")
        assert [tuple(r) for r in reads] == [("coach", 3), ("coachee", 2)]
