"""The parties' records come out the same whether engagement's events arrive one at a time (a
worker keeping up) or a batch at a time (a rebuild): check-ins, their acknowledgements,
messages and read receipts are held and written a table at a time, at the batch's end or
before a contract's content expires, whatever came between them."""

from __future__ import annotations

from interlude.engagement.domain.terms import Consents, Terms
from interlude.engagement.projections.records import Records
from interlude.engagement.testing import terms
from interlude.engagement.wiring import MIGRATIONS
from interlude.shared.db import migrate
from interlude.shared.testing.batches import START, Events, one_by_one_then_at_once, sealed

COACH, COACHEE = "usr_coach", "usr_coachee"


class Contract:
    """One contract's events, written into a shared stream (``s``) as they happen."""

    def __init__(self, s: Events, contract_id: str) -> None:
        self.s, self.id = s, contract_id
        self.on = {"contract_id": contract_id, "coachee_id": COACHEE}

    def start(self) -> None:
        agreed = Terms.model_validate(terms()).model_dump(mode="json")
        self.s.add("engagement.ContractProposed", self.id, COACH, coach_id=COACH,
                   coachee_id=COACHEE, sponsor_id=None, terms=agreed, terms_version=1)
        self.s.add("engagement.ContractActivated", self.id, COACHEE, coach_id=COACH,
                   coachee_id=COACHEE, sponsor_id=None, terms_version=1, terms=agreed,
                   consents=Consents().model_dump(mode="json"))

    def checkin(self, n: int) -> None:
        self.s.add("engagement.CheckInPosted", f"chk_{self.id}_{n}", COACHEE, **self.on,
                   coach_id=COACH, text=sealed(COACHEE), mood=4, small_win=True)

    def like(self, n: int) -> None:
        self.s.add("engagement.CheckInAcknowledged", f"chk_{self.id}_{n}", COACH, **self.on,
                   kind="like")

    def ask(self, n: int) -> None:
        self.s.add("engagement.CheckInAcknowledged", f"chk_{self.id}_{n}", COACH, **self.on,
                   kind="question", question=sealed(COACHEE))

    def message(self, number: int, party: str) -> None:
        sender = COACH if party == "coach" else COACHEE
        self.s.add("engagement.MessageSent", self.id, sender, **self.on,
                   message_id=f"msg_{self.id}_{number}", number=number, party=party,
                   sender_id=sender, body=sealed(COACHEE), month="2026-03",
                   counted=party == "coach", billable=False)

    def read(self, party: str, up_to: int) -> None:
        self.s.add("engagement.MessageRead", self.id, COACH if party == "coach" else COACHEE,
                   contract_id=self.id, reader_id=party, party=party, up_to=up_to)

    def session(self) -> None:
        self.s.add("engagement.SessionScheduled", self.id, COACH, session_id=f"ses_{self.id}",
                   starts_at=START.isoformat(), minutes=60, mode="video", scheduled_by=COACH)


def a_week_of_a_contract() -> Events:
    s = Events("ENGAGEMENT", "org_batches")
    c = Contract(s, "ctr_1")
    c.start()
    c.checkin(1)
    c.message(1, "coachee")
    c.read("coach", 1)
    c.checkin(2)
    c.like(1)
    c.checkin(3)
    c.message(2, "coach")
    c.message(3, "coachee")
    c.read("coachee", 2)
    c.read("coach", 3)
    c.read("coach", 1)  # an older receipt: the thread stays read up to 3
    c.ask(3)
    c.session()  # between two questions: they keep their order
    c.ask(3)
    c.like(2)
    return s


async def test_one_at_a_time_and_a_batch_at_once_keep_the_same_records(pg_pool):
    async with pg_pool.acquire() as conn:
        await migrate(conn, MIGRATIONS)
        one_by_one, at_once = await one_by_one_then_at_once(
            conn, Records(), a_week_of_a_contract().recorded)
        assert at_once == one_by_one

        acknowledged = await conn.fetch("SELECT checkin_id, liked, jsonb_array_length("
                                        "questions) AS asked FROM checkins ORDER BY 1")
        assert [tuple(r) for r in acknowledged] == [
            ("chk_ctr_1_1", True, 0), ("chk_ctr_1_2", True, 0), ("chk_ctr_1_3", False, 2)]
        assert await conn.fetchval("SELECT array_agg(number ORDER BY number) FROM messages"
                                   ) == [1, 2, 3]
        reads = await conn.fetch("SELECT party, up_to FROM thread_reads ORDER BY 1")
        assert [tuple(r) for r in reads] == [("coach", 3), ("coachee", 2)]


async def test_a_contract_s_content_expiring_mid_batch_takes_its_held_rows_and_no_others(
        pg_pool):
    s = Events("ENGAGEMENT", "org_batches")
    ending, going_on = Contract(s, "ctr_a"), Contract(s, "ctr_b")
    ending.start()
    going_on.start()
    ending.checkin(1)
    going_on.checkin(1)
    ending.message(1, "coachee")
    going_on.message(1, "coachee")
    ending.read("coach", 1)
    s.add("engagement.ContractContentExpired", "ctr_a", COACH, coach_id=COACH,
          coachee_id=COACHEE, ended_at=START.isoformat(), retention_days=30)
    going_on.like(1)
    going_on.checkin(2)
    async with pg_pool.acquire() as conn:
        await migrate(conn, MIGRATIONS)
        one_by_one, at_once = await one_by_one_then_at_once(conn, Records(), s.recorded)
        assert at_once == one_by_one
        kept = await conn.fetch("SELECT contract_id, count(*) FROM checkins GROUP BY 1")
        assert [tuple(r) for r in kept] == [("ctr_b", 2)]
        assert await conn.fetchval("SELECT count(*) FROM messages WHERE contract_id = 'ctr_a'"
                                   ) == 0
        assert await conn.fetchval("SELECT count(*) FROM thread_reads") == 0
